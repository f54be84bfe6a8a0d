//! One pagination for every list (API.md): the page asked for, the rows of
//! that page and the total, and the text searches lists filter by.

use sea_orm::sea_query::{Expr, SelectStatement, Value, Values};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic, QueryResult, QueryTrait, Select,
    SelectA, SelectB, SelectTwo, Statement,
};
use ts_rs::TS;

use crate::error::AppError;
pub use crate::wire::page::{Page, Pagination};

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 20;
/// Largest page size.
pub const MAX_LIMIT: u64 = 100;

/// A validated page request: 1-based `page`, `limit` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page.
    pub page: u64,
    /// Page size.
    pub limit: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

impl PageRequest {
    /// API.md's defaults (page 1, limit 20); inputs are already range-checked.
    pub fn new(page: Option<i64>, limit: Option<i64>) -> Self {
        Self {
            page: Ord::max(page.and_then(|p| u64::try_from(p).ok()).unwrap_or(1), 1),
            limit: Ord::clamp(limit.and_then(|l| u64::try_from(l).ok()).unwrap_or(DEFAULT_LIMIT), 1, MAX_LIMIT),
        }
    }

    /// Rows before this page, capped where SQL's signed 64-bit OFFSET ends
    /// (such a page is simply empty; an uncapped value would fail to bind).
    pub fn offset(&self) -> u64 {
        Ord::min(self.page.saturating_sub(1).saturating_mul(self.limit), i64::MAX as u64)
    }

    /// The page of `data` out of `total` rows.
    pub fn page_of<T: TS>(&self, data: Vec<T>, total: u64) -> Page<T> {
        Page { data, pagination: Pagination::new(self.page, self.limit, total) }
    }
}

/// The rows of one page of `select` (already filtered and ordered) and the
/// total count, as every simple list needs them; mapped to their wire form.
pub async fn fetch<E, T>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    request: PageRequest,
    to_wire: impl FnMut(E::Model) -> T,
) -> Result<Page<T>, AppError>
where
    E: EntityTrait,
    T: TS,
{
    let parse = |row: &QueryResult| E::Model::from_query_result(row, "");
    let (rows, total) = rows_and_total(db, select.into_query(), request.offset(), request.limit, parse).await?;
    Ok(request.page_of(rows.into_iter().map(to_wire).collect(), total))
}

/// [`rows_and_total`] for a row with its related row (`find_also_related`).
pub async fn pairs_and_total<E, R>(
    db: &impl ConnectionTrait,
    select: SelectTwo<E, R>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<(E::Model, Option<R::Model>)>, u64), AppError>
where
    E: EntityTrait,
    R: EntityTrait,
{
    rows_and_total(db, select.into_query(), offset, limit, pair::<E, R>).await
}

/// A row of a `find_also_related` query: the entity and its related row.
pub fn pair<E: EntityTrait, R: EntityTrait>(row: &QueryResult) -> Result<(E::Model, Option<R::Model>), DbErr> {
    Ok((
        E::Model::from_query_result(row, SelectA.as_str())?,
        R::Model::from_query_result_optional(row, SelectB.as_str())?,
    ))
}

/// `limit` rows of `query` (filtered and ordered, any joins) after `offset`, and the total count
/// of its rows, in one round trip: the count rides along as an uncorrelated
/// scalar subquery, which both databases evaluate once. An empty page carries
/// no count, so only then (past the last row) is it asked for on its own.
pub async fn rows_and_total<T>(
    db: &impl ConnectionTrait,
    query: SelectStatement,
    offset: u64,
    limit: u64,
    parse: impl Fn(&QueryResult) -> Result<T, DbErr>,
) -> Result<(Vec<T>, u64), AppError> {
    let backend = db.get_database_backend();
    let count = count_of(query.clone());
    let mut page = query;
    page.expr_as(Expr::SubQuery(None, Box::new(count.clone().into())), TOTAL);
    let rows = db.query_all_raw(paged(backend, &page, offset, limit)).await?;
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("", TOTAL)?,
        None if offset == 0 => 0,
        None => match db.query_one_raw(backend.build(&count)).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        },
    };
    let rows = rows.iter().map(parse).collect::<Result<Vec<T>, DbErr>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// The column the total rides in.
pub(crate) const TOTAL: &str = "__total";

/// `SELECT COUNT(*)` over the rows `query` filters.
pub fn count_of(mut query: SelectStatement) -> SelectStatement {
    query.clear_selects().clear_order_by().expr(Expr::cust("COUNT(*)"));
    query
}

/// `select` with `LIMIT <limit>` written into the SQL and, past the first
/// page, `OFFSET` as a parameter. A parameterized `LIMIT` makes PostgreSQL
/// plan the statement again on every execution: with the limit unknown, its
/// generic plan looks costlier than the custom ones (bench/README.md measured
/// the feed at half its speed). Page sizes are few (1..=101), so the distinct
/// texts stay within each connection's statement cache; offsets are not, so
/// they stay parameters (deeper pages are re-planned, as before).
pub fn paged(backend: DbBackend, select: &SelectStatement, offset: u64, limit: u64) -> Statement {
    let mut statement = backend.build(select);
    statement.sql.push_str(&format!(" LIMIT {limit}"));
    if offset > 0 {
        let values = statement.values.get_or_insert_with(|| Values(Vec::new()));
        values.0.push(Value::BigUnsigned(Some(offset)));
        match backend {
            DbBackend::Postgres => statement.sql.push_str(&format!(" OFFSET ${}", values.0.len())),
            _ => statement.sql.push_str(" OFFSET ?"),
        }
    }
    statement
}

/// A search term as lists use it: trimmed, `None` when empty.
pub fn search_term(search: Option<String>) -> Option<String> {
    search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A case-insensitive `LIKE` pattern matching `text` anywhere (`%text%`, lower-cased, wildcards escaped with `\\`).
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(&text.to_lowercase()))
}

/// A case-insensitive `LIKE` pattern matching values that start with `text`.
pub fn prefix_pattern(text: &str) -> String {
    format!("{}%", escape_like(&text.to_lowercase()))
}

/// A case-insensitive `LIKE` pattern matching values that end with `text`.
pub fn suffix_pattern(text: &str) -> String {
    format!("%{}", escape_like(&text.to_lowercase()))
}

/// Escapes LIKE wildcards so a search for `50%` finds the text `50%`.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(contains_pattern("Ab"), "%ab%");
    }

    #[test]
    fn offsets_stay_within_sql_bigint() {
        assert_eq!(PageRequest::new(None, None).offset(), 0);
        assert_eq!(PageRequest { page: 3, limit: 20 }.offset(), 40);
        assert_eq!(PageRequest { page: u64::MAX, limit: 100 }.offset(), i64::MAX as u64);
    }

    #[test]
    fn defaults_and_search_terms() {
        assert_eq!(PageRequest::new(None, None), PageRequest { page: 1, limit: 20 });
        assert_eq!(search_term(Some("  ".into())), None);
        assert_eq!(search_term(Some(" x ".into())).as_deref(), Some("x"));
    }
}
