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
        self.strings(
            db,
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .await
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
        let sql = "SELECT table_name::text, column_name::text, data_type::text, udt_name::text,
                          datetime_precision::int4, is_nullable::text, column_default::text
                   FROM information_schema.columns
                   WHERE table_schema = $1 AND table_name <> 'seaql_migrations'
                   ORDER BY table_name, ordinal_position";
        let rows = self.rows(db, sql).await;
        rows.iter()
            .map(|r| Column {
                table: get(r, 0),
                name: get(r, 1),
                data_type: get(r, 2),
                udt_name: get(r, 3),
                precision: r.try_get_by_index(4).expect("precision"),
                nullable: get::<String>(r, 5) == "YES",
                default: r.try_get_by_index(6).expect("default"),
            })
            .collect()
    }

    /// Enum types with their labels in declaration order, by type name.
    pub async fn enums(&self, db: &DatabaseConnection) -> Vec<(String, Vec<String>)> {
        let sql = "SELECT t.typname::text, string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
                   FROM pg_type t
                   JOIN pg_namespace n ON n.oid = t.typnamespace
                   JOIN pg_enum e ON e.enumtypid = t.oid
                   WHERE n.nspname = $1 GROUP BY t.typname ORDER BY 1";
        let rows = self.rows(db, sql).await;
        rows.iter()
            .map(|r| {
                let labels: String = get(r, 1);
                (get(r, 0), labels.split(',').map(Into::into).collect())
            })
            .collect()
    }

    /// Every index on the app tables, by name; a descending column reads `name DESC`.
    pub async fn indexes(&self, db: &DatabaseConnection) -> Vec<Index> {
        let sql = "SELECT i.relname::text, t.relname::text,
                          array_to_string(ARRAY(
                              SELECT a.attname || CASE WHEN k.opt & 1 = 1 THEN ' DESC' ELSE '' END
                              FROM unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY k(num, opt, ord)
                              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num
                              ORDER BY k.ord), ','),
                          x.indisunique, x.indisprimary, am.amname::text
                   FROM pg_index x
                   JOIN pg_class i ON i.oid = x.indexrelid
                   JOIN pg_class t ON t.oid = x.indrelid
                   JOIN pg_am am ON am.oid = i.relam
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                   WHERE n.nspname = $1 AND t.relname <> 'seaql_migrations'
                   ORDER BY 1";
        let rows = self.rows(db, sql).await;
        rows.iter()
            .map(|r| Index {
                name: get(r, 0),
                table: get(r, 1),
                columns: get(r, 2),
                unique: get(r, 3),
                primary: get(r, 4),
                method: get(r, 5),
            })
            .collect()
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
        let sql = "SELECT c.conname::text, c.contype::text, t.relname::text,
                          array_to_string(ARRAY(
                              SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
                              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num
                              ORDER BY k.ord), ','),
                          coalesce(r.relname || '(' || array_to_string(ARRAY(
                              SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
                              JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.num
                              ORDER BY k.ord), ',') || ')', ''),
                          CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                               WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
                               WHEN 'd' THEN 'SET DEFAULT' ELSE '' END,
                          CASE c.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                               WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
                               WHEN 'd' THEN 'SET DEFAULT' ELSE '' END
                   FROM pg_constraint c
                   JOIN pg_class t ON t.oid = c.conrelid
                   LEFT JOIN pg_class r ON r.oid = c.confrelid
                   JOIN pg_namespace n ON n.oid = t.relnamespace
                   WHERE n.nspname = $1 AND t.relname <> 'seaql_migrations'
                   ORDER BY 1";
        let rows = self.rows(db, sql).await;
        rows.iter()
            .map(|r| Constraint {
                name: get(r, 0),
                kind: get(r, 1),
                table: get(r, 2),
                columns: get(r, 3),
                references: get(r, 4),
                on_delete: get(r, 5),
                on_update: get(r, 6),
            })
            .collect()
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

/// One column as `information_schema.columns` describes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub table: String,
    pub name: String,
    pub data_type: String,
    pub udt_name: String,
    pub precision: Option<i32>,
    pub nullable: bool,
    pub default: Option<String>,
}

impl Column {
    /// The row expected for a column of the given `udt_name`: `timestamp`
    /// means `TIMESTAMP(3)`, an unknown name means an enum type.
    pub fn expected(table: &str, name: &str, udt: &str, nullable: bool, default: Option<&str>) -> Self {
        let (data_type, precision) = match udt {
            "text" => ("text", None),
            "int4" => ("integer", None),
            "int8" => ("bigint", None),
            "bool" => ("boolean", None),
            "jsonb" => ("jsonb", None),
            "timestamp" => ("timestamp without time zone", Some(3)),
            _ => ("USER-DEFINED", None),
        };
        Self {
            table: table.into(),
            name: name.into(),
            data_type: data_type.into(),
            udt_name: udt.into(),
            precision,
            nullable,
            default: default.map(Into::into),
        }
    }
}

/// One index as `pg_index` describes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub table: String,
    pub columns: String,
    pub unique: bool,
    pub primary: bool,
    pub method: String,
}

/// One table constraint as `pg_constraint` describes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Constraint {
    pub name: String,
    pub kind: String,
    pub table: String,
    pub columns: String,
    pub references: String,
    pub on_delete: String,
    pub on_update: String,
}

/// `assert_eq!` for catalog listings that names only the differing rows.
pub fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, actual: &[T], expected: &[T]) {
    let missing: Vec<&T> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let unexpected: Vec<&T> = actual.iter().filter(|a| !expected.contains(a)).collect();
    assert!(missing.is_empty() && unexpected.is_empty(), "{what}: missing {missing:#?}\nunexpected {unexpected:#?}");
    assert_eq!(actual, expected, "{what}: same rows, different order");
}
