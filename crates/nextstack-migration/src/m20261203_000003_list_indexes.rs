//! Indexes for the newest-first lists of `User` and `Profile` (DATA.md):
//! `core.user.list` and `core.profile.list` page by (`createdAt` DESC, `id`
//! DESC), which no index of the original schema fits, so every page sorted
//! the whole table.

use sea_orm_migration::prelude::*;

use crate::schema::newest_first_index;

/// Creates the two indexes; `down` drops them.
#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["User", "Profile"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.create_index(newest_first_index(table)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.drop_index(Index::drop().name(format!("{table}_createdAt_id_idx")).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
