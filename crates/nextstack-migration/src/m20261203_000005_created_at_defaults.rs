//! `createdAt DEFAULT CURRENT_TIMESTAMP` on PostgreSQL, as Prisma's
//! `@default(now())` creates it, for databases made before the initial
//! migration set it: without it `prisma migrate diff` reports drift on every
//! table. Setting a default that is already there changes nothing; SQLite
//! keeps no defaults for timestamps (the server sets them).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Sets the defaults; `down` leaves them (the initial migration has them too).
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The initial migration's tables (`StorageRemoval` was created with the default).
const TABLES: [&str; 10] =
    ["Level", "User", "Session", "Account", "Verification", "Profile", "Post", "Offering", "Order", "File"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for table in TABLES {
            let sql = format!(r#"ALTER TABLE "{table}" ALTER COLUMN "createdAt" SET DEFAULT CURRENT_TIMESTAMP"#);
            manager.get_connection().execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
