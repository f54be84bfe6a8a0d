//! A throw-away PostgreSQL schema per test, and catalog queries scoped to it.

use std::time::Duration;

use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement,
};

/// `TEST_DATABASE_URL` when it names PostgreSQL, else the local server.
fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Fail within seconds, not the pool's default 30, when the server is down.
const TIMEOUT: Duration = Duration::from_secs(5);

async fn connect_admin() -> DatabaseConnection {
    let mut options = ConnectOptions::new(admin_url());
    options.max_connections(1).connect_timeout(TIMEOUT).acquire_timeout(TIMEOUT).sqlx_logging(false);
    Database::connect(options).await.expect("PostgreSQL must be reachable (TEST_DATABASE_URL or 127.0.0.1:5432)")
}

/// A fresh `test_<cuid>` schema, dropped again when this guard goes away,
/// including when the test panics.
pub struct TestSchema {
    name: String,
    dropped: bool,
}

impl TestSchema {
    /// Creates the schema through a short-lived admin connection.
    pub async fn create() -> Self {
        let name = format!("test_{}", nextstack_entity::new_id());
        let admin = connect_admin().await;
        admin.execute_unprepared(&format!("CREATE SCHEMA \"{name}\"")).await.expect("create schema");
        admin.close().await.expect("close admin");
        Self { name, dropped: false }
    }

    /// A pool whose every connection has `search_path` = this schema only,
    /// so unqualified DDL lands here and nothing leaks into `public`.
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(admin_url());
        options.max_connections(2).sqlx_logging(false).set_schema_search_path(self.name.clone());
        Database::connect(options).await.expect("connect to schema")
    }

    /// Drops the schema now (the `Drop` guard covers panics).
    pub async fn cleanup(mut self) {
        drop_schema(&self.name).await;
        self.dropped = true;
    }

    async fn strings(&self, db: &DatabaseConnection, sql: &str) -> Vec<String> {
        self.rows(db, sql).await.iter().map(|row| row.try_get_by_index(0).expect("text column")).collect()
    }

    async fn rows(&self, db: &DatabaseConnection, sql: &str) -> Vec<QueryResult> {
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [self.name.clone().into()]);
        db.query_all_raw(stmt).await.expect(sql)
    }

    /// Base tables, sorted.
    pub async fn tables(&self, db: &DatabaseConnection) -> Vec<String> {
        catalog::tables(db, &self.name).await.expect("tables")
    }

    /// Every relation (table, index, sequence, view …), sorted.
    pub async fn relations(&self, db: &DatabaseConnection) -> Vec<String> {
        self.strings(
            db,
            "SELECT c.relname::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1",
        )
        .await
    }

    /// Every type, sorted (tables bring a row type and an array type each).
    pub async fn types(&self, db: &DatabaseConnection) -> Vec<String> {
        self.strings(
            db,
            "SELECT t.typname::text FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 ORDER BY 1",
        )
        .await
    }

    /// Versions recorded in this schema's `seaql_migrations`.
    pub async fn applied_migrations(&self, db: &DatabaseConnection) -> Vec<String> {
        let sql = format!("SELECT version FROM \"{}\".seaql_migrations ORDER BY 1", self.name);
        let rows = db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql)).await.expect("seaql_migrations");
        rows.iter().map(|r| get(r, 0)).collect()
    }

    /// Columns of the app tables, by table name then position.
    pub async fn columns(&self, db: &DatabaseConnection) -> Vec<Column> {
        let mut columns = catalog::columns(db, &self.name).await.expect("columns");
        columns.retain(|c| c.table != "seaql_migrations");
        columns
    }

    /// Enum types with their labels in declaration order, by type name.
    pub async fn enums(&self, db: &DatabaseConnection) -> Vec<(String, Vec<String>)> {
        catalog::enums(db, &self.name).await.expect("enums")
    }

    /// Every index on the app tables, by name; a descending column reads `name DESC`.
    pub async fn indexes(&self, db: &DatabaseConnection) -> Vec<Index> {
        let mut indexes = catalog::indexes(db, &self.name).await.expect("indexes");
        indexes.retain(|i| i.table != "seaql_migrations");
        indexes
    }

    /// Every trigger on the app tables: `(table, trigger, function)`.
    pub async fn triggers(&self, db: &DatabaseConnection) -> Vec<(String, String, String)> {
        let sql = "SELECT t.relname::text, g.tgname::text, p.proname::text
                   FROM pg_trigger g
                   JOIN pg_class t ON t.oid = g.tgrelid
                   JOIN pg_proc p ON p.oid = g.tgfoid
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                   WHERE n.nspname = $1 AND NOT g.tgisinternal
                   ORDER BY 1, 2";
        let rows = self.rows(db, sql).await;
        rows.iter().map(|r| (get(r, 0), get(r, 1), get(r, 2))).collect()
    }

    /// Every table constraint on the app tables, by name.
    pub async fn constraints(&self, db: &DatabaseConnection) -> Vec<Constraint> {
        let mut constraints = catalog::constraints(db, &self.name).await.expect("constraints");
        constraints.retain(|c| c.table != "seaql_migrations");
        constraints
    }

    /// The whole catalog, as adoption compares it.
    pub async fn catalog(&self, db: &DatabaseConnection) -> catalog::Catalog {
        catalog::Catalog::read(db, &self.name).await.expect("catalog")
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop cannot await, and the test's runtime may be the one unwinding:
        // clean up on a fresh runtime in a thread of its own.
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(drop_schema(&name));
        });
        let _ = cleanup.join();
    }
}

async fn drop_schema(name: &str) {
    let admin = connect_admin().await;
    admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")).await.expect("drop schema");
    admin.close().await.expect("close admin");
}

fn get<T: sea_orm_migration::sea_orm::TryGetable>(row: &QueryResult, idx: usize) -> T {
    row.try_get_by_index(idx).unwrap_or_else(|e| panic!("column {idx}: {e}"))
}

pub use nextstack_migration::catalog::{self, Column, Constraint, Index};

/// The row expected for a column of the given `udt_name`: `timestamp`
/// means `TIMESTAMP(3)`, an unknown name means an enum type.
pub fn expected_column(table: &str, name: &str, udt: &str, nullable: bool, default: Option<&str>) -> Column {
    let (data_type, precision) = match udt {
        "text" => ("text", None),
        "int4" => ("integer", None),
        "int8" => ("bigint", None),
        "bool" => ("boolean", None),
        "jsonb" => ("jsonb", None),
        "timestamp" => ("timestamp without time zone", Some(3)),
        _ => ("USER-DEFINED", None),
    };
    Column {
        table: table.into(),
        name: name.into(),
        data_type: data_type.into(),
        udt_name: udt.into(),
        precision,
        nullable,
        default: default.map(Into::into),
    }
}

/// `assert_eq!` for catalog listings that names only the differing rows.
pub fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, actual: &[T], expected: &[T]) {
    let missing: Vec<&T> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let unexpected: Vec<&T> = actual.iter().filter(|a| !expected.contains(a)).collect();
    assert!(missing.is_empty() && unexpected.is_empty(), "{what}: missing {missing:#?}\nunexpected {unexpected:#?}");
    assert_eq!(actual, expected, "{what}: same rows, different order");
}
