//! PostgreSQL triggers that announce every change which must end a cached
//! session (PROTOCOL.md decision 7), whoever makes it: this server, the
//! TypeScript stack sharing the database, or `psql`.
//!
//! - `"Session"`: a deleted row, or a changed `expiresAt` or `token` →
//!   `s:<session id>`;
//! - `"User"`: a deleted row, or a changed `role` → `u:<user id>`;
//!
//! on the channel `nextstack_sessions_<schema>` (the table's schema, so
//! databases with several schemas keep their notices apart). Tokens never
//! travel in a notice. SQLite has no notifications: there the server evicts
//! on its own writes, which are the only ones.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Creates the functions and triggers; `down` drops them.
#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE FUNCTION "nextstack_session_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nextstack_sessions_' || TG_TABLE_SCHEMA, 's:' || OLD."id");
  RETURN NULL;
END $$;
CREATE FUNCTION "nextstack_user_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nextstack_sessions_' || TG_TABLE_SCHEMA, 'u:' || OLD."id");
  RETURN NULL;
END $$;
CREATE TRIGGER "Session_changed" AFTER DELETE OR UPDATE OF "expiresAt", "token" ON "Session"
  FOR EACH ROW EXECUTE FUNCTION "nextstack_session_changed"();
CREATE TRIGGER "User_deleted" AFTER DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION "nextstack_user_changed"();
CREATE TRIGGER "User_role_changed" AFTER UPDATE OF "role" ON "User"
  FOR EACH ROW WHEN (OLD."role" IS DISTINCT FROM NEW."role") EXECUTE FUNCTION "nextstack_user_changed"();
"#;

const DOWN: &str = r#"
DROP TRIGGER "User_role_changed" ON "User";
DROP TRIGGER "User_deleted" ON "User";
DROP TRIGGER "Session_changed" ON "Session";
DROP FUNCTION "nextstack_user_changed"();
DROP FUNCTION "nextstack_session_changed"();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
