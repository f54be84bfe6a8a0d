//! The figures of the admin console's overview, in one aggregate query on
//! either backend: users, posts, offerings and orders by status, files and bytes.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};

use crate::error::AppError;

/// The raw figures of `main.admin.overview`.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Figures {
    /// Users.
    pub users: i64,
    /// Of which admins.
    pub admins: i64,
    /// Of which banned.
    pub banned: i64,
    /// Posts.
    pub posts: i64,
    /// Published posts.
    pub posts_published: i64,
    /// Draft posts.
    pub posts_draft: i64,
    /// Archived posts.
    pub posts_archived: i64,
    /// Offerings.
    pub offerings: i64,
    /// Active offerings.
    pub offerings_active: i64,
    /// Draft offerings.
    pub offerings_draft: i64,
    /// Archived offerings.
    pub offerings_archived: i64,
    /// Orders pending.
    pub orders_pending: i64,
    /// Orders confirmed.
    pub orders_confirmed: i64,
    /// Orders completed.
    pub orders_completed: i64,
    /// Orders cancelled.
    pub orders_cancelled: i64,
    /// Files not deleted.
    pub files: i64,
    /// Their bytes.
    pub file_bytes: i64,
}

const SQL: &str = r#"SELECT
  (SELECT COUNT(*) FROM "User") AS users,
  (SELECT COUNT(*) FROM "User" WHERE "role" = 'ADMIN') AS admins,
  (SELECT COUNT(*) FROM "User" WHERE "banned" AND ("banExpires" IS NULL OR "banExpires" > {now})) AS banned,
  (SELECT COUNT(*) FROM "Post") AS posts,
  (SELECT COUNT(*) FROM "Post" WHERE "status" = 'PUBLISHED') AS posts_published,
  (SELECT COUNT(*) FROM "Post" WHERE "status" = 'DRAFT') AS posts_draft,
  (SELECT COUNT(*) FROM "Post" WHERE "status" = 'ARCHIVED') AS posts_archived,
  (SELECT COUNT(*) FROM "Offering") AS offerings,
  (SELECT COUNT(*) FROM "Offering" WHERE "status" = 'ACTIVE') AS offerings_active,
  (SELECT COUNT(*) FROM "Offering" WHERE "status" = 'DRAFT') AS offerings_draft,
  (SELECT COUNT(*) FROM "Offering" WHERE "status" = 'ARCHIVED') AS offerings_archived,
  (SELECT COUNT(*) FROM "Order" WHERE "status" = 'PENDING') AS orders_pending,
  (SELECT COUNT(*) FROM "Order" WHERE "status" = 'CONFIRMED') AS orders_confirmed,
  (SELECT COUNT(*) FROM "Order" WHERE "status" = 'COMPLETED') AS orders_completed,
  (SELECT COUNT(*) FROM "Order" WHERE "status" = 'CANCELLED') AS orders_cancelled,
  (SELECT COUNT(*) FROM "File" WHERE "status" <> 'DELETED') AS files,
  (SELECT CAST(COALESCE(SUM("size"), 0) AS BIGINT) FROM "File" WHERE "status" <> 'DELETED') AS file_bytes"#;

/// Counts over the whole database (each an index or table count; fine for a
/// console, not for a hot path). Bans count while they last.
pub async fn figures(db: &impl ConnectionTrait) -> Result<Figures, AppError> {
    let backend = db.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?1" };
    let sql = SQL.replace("{now}", placeholder);
    let statement = Statement::from_sql_and_values(backend, sql, [nextstack_entity::now().into()]);
    let figures = Figures::find_by_statement(statement).one(db).await?;
    figures.ok_or_else(|| AppError::Internal(anyhow::anyhow!("aggregate query returned no row")))
}
