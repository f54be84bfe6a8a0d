//! The NextStack schema migrations: one set for SQLite and PostgreSQL.
//!
//! Run by `nextstack migrate` and, for the embedded SQLite default, at
//! start-up. Migrations are forward-only in production; `down` exists for
//! tests and local resets. Each migration uses the sea-query schema DSL and
//! branches on the backend only where PostgreSQL (Prisma's exact DDL) and
//! SQLite must differ.

pub use sea_orm_migration::MigratorTrait;

pub mod adopt;
pub mod catalog;
mod m20251001_000001_initial;
mod m20261201_000002_storage_removal;
mod m20261203_000003_list_indexes;
mod m20261203_000004_session_change_notices;
mod m20261203_000005_created_at_defaults;
mod m20261203_000006_admin_plugin;
pub mod schema;

/// Every migration, oldest first. `Migrator::up(&db, None)` applies the
/// pending ones; applied versions are recorded in `seaql_migrations`.
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        vec![
            Box::new(m20251001_000001_initial::Migration),
            Box::new(m20261201_000002_storage_removal::Migration),
            Box::new(m20261203_000003_list_indexes::Migration),
            Box::new(m20261203_000004_session_change_notices::Migration),
            Box::new(m20261203_000005_created_at_defaults::Migration),
            Box::new(m20261203_000006_admin_plugin::Migration),
        ]
    }
}
