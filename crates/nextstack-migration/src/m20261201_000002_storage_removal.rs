//! `StorageRemoval`: storage objects still to remove whose `File` rows are
//! already gone. Deleting an account is one database transaction (issue 12):
//! the cascade takes the user's `File` rows with it, so the keys of their
//! objects are written here in the same transaction, removed from storage
//! after it commits, and the sweep finishes whatever storage refused.
//!
//! Prisma: `model StorageRemoval { storageKey String @id  createdAt DateTime @default(now()) }`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Creates the table; `down` drops it.
#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "StorageRemoval";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let mut created_at = ColumnDef::new("createdAt");
        if pg {
            // Prisma's `@default(now())`; the server still sets it itself.
            created_at.custom("TIMESTAMP(3)").not_null().default(Expr::current_timestamp());
        } else {
            created_at.text().not_null();
        }
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(ColumnDef::new("storageKey").text().not_null())
                    .col(created_at)
                    .primary_key(Index::create().name(format!("{TABLE}_pkey")).col("storageKey"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TABLE).take()).await
    }
}
