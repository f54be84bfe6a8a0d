//! Taking over a database the TypeScript stack made (`prisma migrate`): it
//! already holds the tables of the initial migration, but no
//! `seaql_migrations`. When its catalog is exactly what the initial migration
//! creates, that migration is recorded as applied and the later ones can run;
//! when it is not, nothing is changed and the differences are reported.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};

use crate::Migrator;
use crate::catalog::Catalog;

/// BetterAuth's admin plugin's columns (`m20261203_000006_admin_plugin`).
const LATER_COLUMNS: [(&str, &str); 4] =
    [("User", "banned"), ("User", "banReason"), ("User", "banExpires"), ("Session", "impersonatedBy")];

/// What [`adopt`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Adoption {
    /// Nothing to take over: migrations are already recorded, or the data
    /// model's tables are not there (a fresh database), or not PostgreSQL.
    NotNeeded,
    /// The tables matched: the initial migration is now recorded as applied.
    Baselined {
        /// The migration recorded.
        migration: String,
    },
    /// The tables differ from the initial migration's; nothing was changed.
    Refused {
        /// One line per missing, extra or different object.
        differences: Vec<String>,
    },
}

/// Compares an existing, never-migrated PostgreSQL database with what the
/// initial migration creates and, if they match, records that migration as
/// applied. Run before `Migrator::up`. `_prisma_migrations` is left alone.
pub async fn adopt(db: &DatabaseConnection) -> Result<Adoption, DbErr> {
    if db.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
        return Ok(Adoption::NotNeeded);
    }
    let schema = current_schema(db).await?;
    let present = crate::catalog::tables(db, &schema).await?;
    // The common cases cost one catalog query: migrations recorded, or an empty schema.
    if present.is_empty() || present.iter().any(|t| t == "seaql_migrations") {
        return Ok(Adoption::NotNeeded);
    }
    let initial = initial_migration();
    let expected = expected_catalog(db, initial.as_ref()).await?;
    if !expected.tables.iter().any(|t| present.contains(t)) {
        return Ok(Adoption::NotNeeded);
    }
    let mut live = Catalog::read(db, &schema).await?.limited_to(&expected.tables);
    // Enum types belong to the schema, not to a table: only the model's ones count.
    live.enums.retain(|(name, _)| expected.enums.iter().any(|(e, _)| e == name));
    // Columns a later migration adds where missing: a TypeScript stack that ran
    // BetterAuth's admin plugin has them already, and that migration settles them.
    live.columns.retain(|c| !LATER_COLUMNS.contains(&(c.table.as_str(), c.name.as_str())));
    let differences = live.differences(&expected);
    if !differences.is_empty() {
        return Ok(Adoption::Refused { differences });
    }
    let txn = db.begin().await?;
    Migrator::install(&txn).await?;
    let record = Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ($1, $2)",
        [initial.name().into(), chrono_now_secs().into()],
    );
    txn.execute_raw(record).await?;
    txn.commit().await?;
    Ok(Adoption::Baselined { migration: initial.name().to_string() })
}

/// The catalog the initial migration creates, built for real in a scratch
/// schema inside a transaction that is rolled back (PostgreSQL's DDL is
/// transactional), so nothing of it remains.
pub async fn expected_catalog(db: &DatabaseConnection, initial: &dyn MigrationTrait) -> Result<Catalog, DbErr> {
    let scratch = format!("nextstack_adopt_{}", std::process::id());
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("CREATE SCHEMA \"{scratch}\"")).await?;
    txn.execute_unprepared(&format!("SET LOCAL search_path TO \"{scratch}\"")).await?;
    let built = async {
        initial.up(&SchemaManager::new(&txn)).await?;
        Catalog::read(&txn, &scratch).await
    }
    .await;
    txn.rollback().await?;
    built
}

/// The first migration, the one a Prisma-made database corresponds to.
fn initial_migration() -> Box<dyn MigrationTrait> {
    Migrator::migrations().into_iter().next().expect("at least one migration")
}

async fn current_schema(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT current_schema()::text"))
        .await?
        .ok_or_else(|| DbErr::Custom("no current schema".into()))?;
    row.try_get_by_index(0).map_err(|e| DbErr::Custom(format!("current schema: {e}")))
}

/// Seconds since the epoch, as sea-orm records `applied_at`.
fn chrono_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
