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

/// Declares a list input: the struct gets API.md's `page` (1-based, default 1)
/// and `limit` (1..100, default 20) ahead of its own filter fields, with the
/// same rules, docs and zod paths (`page`, `limit`) everywhere, and
/// `page_request()`. Written out rather than `#[serde(flatten)]`: a flattened
/// struct would lose serde's error paths (`{"page": "x"}` would blame the root).
macro_rules! list_input {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($(#[$field_attr:meta])* pub $field:ident: $ty:ty,)* }
    ) => {
        #[derive(Debug, Default, serde::Deserialize, garde::Validate, ts_rs::TS)]
        #[serde(rename_all = "camelCase")]
        $(#[$attr])*
        pub struct $name {
            /// 1-based page (1).
            #[garde(inner(range(min = 1)))]
            #[ts(optional)]
            pub page: Option<i64>,
            /// Page size, 1..100 (20).
            #[garde(inner(range(min = 1, max = 100)))]
            #[ts(optional)]
            pub limit: Option<i64>,
            $($(#[$field_attr])* pub $field: $ty,)*
        }

        impl $name {
            /// The page asked for, with API.md's defaults.
            pub fn page_request(&self) -> $crate::services::pagination::PageRequest {
                $crate::services::pagination::PageRequest::new(self.page, self.limit)
            }
        }
    };
}
pub(crate) use list_input;

list_input! {
    /// `{page?, limit?}`: the list input of API.md without filters.
    pub struct PageInput {}
}
