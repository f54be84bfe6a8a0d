//! Inputs shared by several procedure groups.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

/// `{id}`: the CUID of the row a procedure acts on.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct IdInput {
    /// A CUID.
    #[garde(custom(cuid))]
    pub id: String,
}

/// `{page?, limit?}`: the list input of API.md without filters.
#[derive(Debug, Default, Deserialize, Validate, TS)]
pub struct PageInput {
    /// 1-based page (1).
    #[garde(inner(range(min = 1)))]
    #[ts(optional)]
    pub page: Option<i64>,
    /// Page size, 1..100 (20).
    #[garde(inner(range(min = 1, max = 100)))]
    #[ts(optional)]
    pub limit: Option<i64>,
}
