//! A user's activity figures, in one aggregate query on either backend.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};

use crate::error::AppError;

/// The raw figures of `main.user.stats`.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct UserFigures {
    /// Posts written.
    pub posts_total: i64,
    /// Of which published.
    pub posts_published: i64,
    /// Of which drafts.
    pub posts_drafts: i64,
    /// Orders placed as buyer.
    pub orders_placed: i64,
    /// Orders received as seller.
    pub orders_sold: i64,
    /// Completed orders as buyer.
    pub orders_completed: i64,
    /// Sum of completed purchases, in minor units.
    pub spent_cents: i64,
    /// Sum of completed sales, in minor units.
    pub earned_cents: i64,
    /// Profiles.
    pub profiles: i64,
    /// Files not deleted.
    pub files_count: i64,
    /// Their total size.
    pub files_bytes: i64,
}

const SQL: &str = r#"SELECT
  (SELECT COUNT(*) FROM "Post" WHERE "authorId" = {u}) AS posts_total,
  (SELECT COUNT(*) FROM "Post" WHERE "authorId" = {u} AND "status" = 'PUBLISHED') AS posts_published,
  (SELECT COUNT(*) FROM "Post" WHERE "authorId" = {u} AND "status" = 'DRAFT') AS posts_drafts,
  (SELECT COUNT(*) FROM "Order" WHERE "buyerId" = {u}) AS orders_placed,
  (SELECT COUNT(*) FROM "Order" o JOIN "Offering" f ON f."id" = o."offeringId" WHERE f."sellerId" = {u}) AS orders_sold,
  (SELECT COUNT(*) FROM "Order" WHERE "buyerId" = {u} AND "status" = 'COMPLETED') AS orders_completed,
  (SELECT CAST(COALESCE(SUM("totalCents"), 0) AS BIGINT) FROM "Order" WHERE "buyerId" = {u} AND "status" = 'COMPLETED') AS spent_cents,
  (SELECT CAST(COALESCE(SUM(o."totalCents"), 0) AS BIGINT) FROM "Order" o JOIN "Offering" f ON f."id" = o."offeringId"
     WHERE f."sellerId" = {u} AND o."status" = 'COMPLETED') AS earned_cents,
  (SELECT COUNT(*) FROM "Profile" WHERE "userId" = {u}) AS profiles,
  (SELECT COUNT(*) FROM "File" WHERE "userId" = {u} AND "status" <> 'DELETED') AS files_count,
  (SELECT CAST(COALESCE(SUM("size"), 0) AS BIGINT) FROM "File" WHERE "userId" = {u} AND "status" <> 'DELETED') AS files_bytes"#;

/// Counts and sums over everything the user owns.
pub async fn user_figures(db: &impl ConnectionTrait, user_id: &str) -> Result<UserFigures, AppError> {
    let backend = db.get_database_backend();
    // PostgreSQL can reuse one numbered parameter; SQLite's `?1` does the same.
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?1" };
    let sql = SQL.replace("{u}", placeholder);
    let statement = Statement::from_sql_and_values(backend, sql, [user_id.into()]);
    let figures = UserFigures::find_by_statement(statement).one(db).await?;
    figures.ok_or_else(|| AppError::Internal(anyhow::anyhow!("aggregate query returned no row")))
}
