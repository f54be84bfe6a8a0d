//! The page every list returns (API.md): `{data, pagination: {page, limit, total, totalPages}}`.

use serde::Serialize;
use ts_rs::TS;

/// A page of rows: `{data, pagination: {page, limit, total, totalPages}}`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Page<T: TS> {
    /// The rows.
    pub data: Vec<T>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Page position and totals.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// 1-based page number.
    pub page: u64,
    /// Page size.
    pub limit: u64,
    /// Rows in all pages.
    pub total: u64,
    /// `ceil(total / limit)`, 0 when there are no rows.
    pub total_pages: u64,
}

impl Pagination {
    /// Computes the totals.
    pub fn new(page: u64, limit: u64, total: u64) -> Self {
        Self { page, limit, total, total_pages: total.div_ceil(limit.max(1)) }
    }
}
