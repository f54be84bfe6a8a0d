//! `StorageRemoval`: storage objects still to remove whose `File` rows are
//! already gone. Deleting an account is one database transaction (issue 12):
//! the cascade takes the user's `File` rows with it, so the keys of their
//! objects are written here in the same transaction, removed from storage
//! after it commits, and the sweep finishes whatever storage refused.
//!
//! Prisma: `model StorageRemoval { storageKey String @id  createdAt DateTime @default(now()) }`.

use sea_orm_migration::prelude::*;

use crate::schema::Columns;

/// Creates the table; `down` drops it.
#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "StorageRemoval";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Columns::new(manager.get_database_backend(), TABLE);
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(c.text("storageKey"))
                    .col(c.created_at())
                    .primary_key(Index::create().name(format!("{TABLE}_pkey")).col("storageKey"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema::drop_table(manager, TABLE).await
    }
}
