//! Opening the database (SQLite file or PostgreSQL pool) and running migrations.

use std::path::Path;
use std::time::Duration;

use nextstack_migration::adopt::{Adoption, adopt};
use nextstack_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use secrecy::ExposeSecret;

use crate::config::{DatabaseConfig, DatabaseKind};

/// Connects with the pool settings of `config`. For SQLite it creates the
/// file's folder and sets WAL, foreign keys and a busy timeout on every connection.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let url = config.url.expose_secret();
    if config.kind == DatabaseKind::Sqlite {
        create_parent_dir(url);
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .connect_timeout(config.acquire_timeout)
        .acquire_timeout(config.acquire_timeout)
        .sqlx_logging(false)
        // sqlx pings every connection it hands out by default: a second round
        // trip per query. Broken connections surface as errors on use instead.
        .test_before_acquire(false);
    if let Some(schema) = &config.schema {
        options.set_schema_search_path(schema.clone());
    }
    // sqlx reports each acquire's wait as a tracing event: the metrics layer turns it into a histogram.
    options.map_sqlx_postgres_pool_opts(|pool| pool.acquire_time_level(log::LevelFilter::Trace));
    options.map_sqlx_sqlite_pool_opts(|pool| pool.acquire_time_level(log::LevelFilter::Trace));
    if config.kind == DatabaseKind::Sqlite {
        options.map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    }
    Database::connect(options).await
}

/// Migrates (when `auto_migrate` is on) on a connection of its own, closes it,
/// and only then opens the pool the caller uses, so no pooled connection has
/// prepared a statement against the schema as it was before. sqlx keeps a
/// prepared statement's column names from when it was first prepared; SQLite
/// re-prepares the statement itself after a schema change, but the kept names
/// stay, and a column a migration added then reads as missing
/// (launchbadge/sqlx#2517).
///
/// An in-memory SQLite database lives only as long as its pool, so it is
/// migrated on the pool that serves it (it has no statements from before).
pub async fn connect_migrated(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    if !config.auto_migrate {
        return connect(config).await;
    }
    if is_in_memory(config.url.expose_secret()) {
        let db = connect(config).await?;
        migrate(&db).await?;
        return Ok(db);
    }
    let migrator = connect(&DatabaseConfig { max_connections: 1, ..config.clone() }).await?;
    let migrated = migrate(&migrator).await;
    migrator.close().await?;
    migrated?;
    connect(config).await
}

/// `sqlite::memory:`, `sqlite://:memory:` or a `mode=memory` URI.
fn is_in_memory(url: &str) -> bool {
    url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory"))
}

/// Applies every pending migration. A PostgreSQL database the TypeScript
/// stack made (the data model's tables, no migration record) is adopted
/// first when its tables are exactly the initial migration's; when they are
/// not, nothing is changed and the error lists the differences.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match adopt(db).await? {
        Adoption::NotNeeded => {}
        Adoption::Baselined { migration } => {
            tracing::info!(%migration, "adopted an existing database: its tables match, the migration is recorded as applied");
        }
        Adoption::Refused { differences } => {
            return Err(DbErr::Custom(format!(
                "the database already holds tables that differ from NextStack's schema; nothing was changed:\n  {}",
                differences.join("\n  ")
            )));
        }
    }
    Migrator::up(db, None).await
}

/// `(name, applied)` for every known migration. Only reads: a database that
/// has never been migrated (no `seaql_migrations` table) is left as it is,
/// where sea-orm's own status would create the table.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => "SELECT to_regclass('seaql_migrations') IS NOT NULL AS present",
        _ => {
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations') AS present"
        }
    };
    let present = match db.query_one_raw(Statement::from_string(backend, exists)).await? {
        Some(row) => row.try_get::<bool>("", "present")?,
        None => false,
    };
    let mut applied = Vec::new();
    if present {
        let rows = db.query_all_raw(Statement::from_string(backend, "SELECT version FROM seaql_migrations")).await?;
        for row in rows {
            applied.push(row.try_get::<String>("", "version")?);
        }
    }
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_string();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}

/// `sqlite://data/x.db?mode=rwc` needs `data/` to exist.
fn create_parent_dir(url: &str) {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return;
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// A write transaction: on SQLite `BEGIN IMMEDIATE`, so two writers never both
/// read and then fail to upgrade; on PostgreSQL a plain `BEGIN` (rows are locked explicitly).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[tokio::test]
    async fn an_in_memory_database_is_migrated_on_the_pool_that_serves_it() {
        let vars = [("NODE_ENV", "test"), ("DATABASE_URL", "sqlite::memory:")];
        let config = Config::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap();
        let db = connect_migrated(&config.database).await.unwrap();
        let status = migration_status(&db).await.unwrap();
        assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    }
}
