//! A fresh database per test: a temp SQLite file, or a PostgreSQL schema that is
//! dropped when the test ends.

use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// The database of one test.
pub enum TestDb {
    /// A SQLite file inside a temp dir (removed on drop).
    Sqlite { dir: TempDir },
    /// A schema on the PostgreSQL server at `url`.
    Postgres { url: String, schema: String },
}

impl TestDb {
    /// Creates the database named by `TEST_DATABASE_URL` (PostgreSQL) or a temp SQLite file.
    pub async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => Self::create_postgres(url).await,
            _ => Self::Sqlite { dir: tempfile::tempdir().expect("temp dir") },
        }
    }

    /// A fresh schema on PostgreSQL whatever the suite runs on (for PostgreSQL-only
    /// features): `TEST_DATABASE_URL` when it names PostgreSQL, else `TEST_PG_URL`,
    /// else the local server `scripts/test` starts.
    pub async fn postgres() -> Self {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
            .or_else(|| std::env::var("TEST_PG_URL").ok())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
        Self::create_postgres(url).await
    }

    async fn create_postgres(url: String) -> Self {
        let suffix: String =
            rand::rng().sample_iter(Alphanumeric).take(12).map(|c| char::from(c).to_ascii_lowercase()).collect();
        let schema = format!("test_{suffix}");
        let db = Database::connect(&url).await.expect("the test PostgreSQL server must be reachable");
        db.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\"")).await.expect("create test schema");
        db.close().await.ok();
        Self::Postgres { url, schema }
    }

    /// The `DATABASE_URL` for the server.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { dir } => format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
            Self::Postgres { url, .. } => url.clone(),
        }
    }

    /// The PostgreSQL schema, if any.
    pub fn schema(&self) -> Option<String> {
        match self {
            Self::Sqlite { .. } => None,
            Self::Postgres { schema, .. } => Some(schema.clone()),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Self::Postgres { url, schema } = self else { return };
        let (url, schema) = (url.clone(), schema.clone());
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(db) = Database::connect(&url).await {
                    let _ = db.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}
