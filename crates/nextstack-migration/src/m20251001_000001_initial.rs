//! The initial schema: every enum, table, index and foreign key of DATA.md.
//!
//! On PostgreSQL the DDL matches what `prisma migrate` generates from the
//! TypeScript schema (types, names, defaults, constraint names), so either
//! stack can serve a database the other created. SQLite gets the same tables,
//! columns and index names, with CHECKed text for enums and text for JSON and
//! timestamps.

mod tables;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::sea_query::extension::postgres::Type;

use crate::schema::{Columns, ENUMS};

/// Creates the whole DATA.md schema; `down` drops all of it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let pg = backend == DbBackend::Postgres;

        if pg {
            for e in ENUMS {
                let mut create = Type::create();
                create.as_enum(e.name).values(e.values.iter().copied());
                manager.create_type(create).await?;
            }
        }

        let tables = tables::all(backend);
        for table in &tables {
            // `DEFAULT CURRENT_TIMESTAMP` on PostgreSQL, as Prisma's `@default(now())`
            // (databases made before it was added get it from m20261203_000005).
            let created_at = Columns::new(backend, table.name).created_at();
            // SQLite cannot add a foreign key to an existing table, so they
            // go inline; PostgreSQL adds them below, as Prisma does, which
            // also resolves the User <-> File cycle.
            let create = table.create_statement(backend, created_at, !pg);
            manager.create_table(create).await?;
        }

        for table in &tables {
            for index in table.uniques.iter().chain(&table.indexes) {
                manager.create_index(index.clone()).await?;
            }
        }

        if pg {
            for table in &tables {
                for fk in &table.foreign_keys {
                    manager.create_foreign_key(fk.clone()).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let pg = backend == DbBackend::Postgres;

        if pg {
            // The one reference from an earlier table to a later one.
            let mut drop = ForeignKey::drop();
            drop.name("User_avatarFileId_fkey").table("User");
            manager.drop_foreign_key(drop).await?;
        }
        for table in tables::all(backend).iter().rev() {
            manager.drop_table(Table::drop().table(table.name).take()).await?;
        }
        if pg {
            for e in ENUMS.iter().rev() {
                manager.drop_type(Type::drop().name(e.name).to_owned()).await?;
            }
        }
        Ok(())
    }

    /// SQLite DDL is transactional too: a failed migration leaves nothing
    /// half-created, on either backend.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
