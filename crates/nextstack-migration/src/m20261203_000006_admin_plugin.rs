//! The columns BetterAuth's `admin` plugin adds (DATA.md): `User.banned`,
//! `User.banReason`, `User.banExpires` and `Session.impersonatedBy`, with the
//! types Prisma gives `Boolean @default(false)`, `String?`, `DateTime?` and
//! `String?`. A database where the TypeScript stack's admin plugin already
//! added them keeps them (the columns are added only where missing); its
//! `banned` — `Boolean? @default(false)` in BetterAuth's Prisma schema — is
//! made `NOT NULL DEFAULT false`, NULL meaning not banned.

use sea_orm_migration::prelude::*;

use crate::schema::Columns;

/// Adds the columns; `down` drops them.
#[derive(DeriveMigrationName)]
pub struct Migration;

const USER_COLUMNS: [&str; 3] = ["banned", "banReason", "banExpires"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let user = Columns::new(manager.get_database_backend(), "User");
        let wanted = [user.boolean("banned", false), user.text_null("banReason"), user.timestamp_null("banExpires")];
        for (name, column) in USER_COLUMNS.into_iter().zip(wanted) {
            if !manager.has_column("User", name).await? {
                manager.alter_table(Table::alter().table("User").add_column(column).take()).await?;
            } else if name == "banned" {
                let db = manager.get_connection();
                db.execute_unprepared(r#"UPDATE "User" SET "banned" = false WHERE "banned" IS NULL"#).await?;
                if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
                    db.execute_unprepared(
                        r#"ALTER TABLE "User" ALTER COLUMN "banned" SET DEFAULT false, ALTER COLUMN "banned" SET NOT NULL"#,
                    )
                    .await?;
                }
            }
        }
        if !manager.has_column("Session", "impersonatedBy").await? {
            let session = Columns::new(manager.get_database_backend(), "Session");
            let column = session.text_null("impersonatedBy");
            manager.alter_table(Table::alter().table("Session").add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("Session").drop_column("impersonatedBy").take()).await?;
        for name in USER_COLUMNS {
            manager.alter_table(Table::alter().table("User").drop_column(name).take()).await?;
        }
        Ok(())
    }
}
