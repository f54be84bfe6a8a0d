//! What a PostgreSQL schema holds, read from its catalog in a form two
//! schemas can be compared by: tables, columns, enum types, indexes and
//! constraints (column order ignored). Adoption compares a live database with
//! what the initial migration creates; the catalog tests compare this
//! server's schema with Prisma's.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, TryGetable};

/// One column as `information_schema.columns` describes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    /// Its table.
    pub table: String,
    /// Its name.
    pub name: String,
    /// `text`, `integer`, `USER-DEFINED` (an enum) …
    pub data_type: String,
    /// The type's own name (`text`, `int4`, `Role` …).
    pub udt_name: String,
    /// Fractional-second digits of a timestamp.
    pub precision: Option<i32>,
    /// `NULL` allowed.
    pub nullable: bool,
    /// The default expression, as PostgreSQL prints it.
    pub default: Option<String>,
}

/// One index as `pg_index` describes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// Its table.
    pub table: String,
    /// Its columns in order, `name DESC` for a descending one, comma-separated.
    pub columns: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// The primary key's index.
    pub primary: bool,
    /// `btree`, `gin` …
    pub method: String,
}

/// One table constraint as `pg_constraint` describes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Constraint {
    /// Its name.
    pub name: String,
    /// `p` primary key, `u` unique, `f` foreign key, `c` check.
    pub kind: String,
    /// Its table.
    pub table: String,
    /// Its columns, comma-separated.
    pub columns: String,
    /// A foreign key's target, `Table(col,…)`.
    pub references: String,
    /// A foreign key's `ON DELETE`.
    pub on_delete: String,
    /// A foreign key's `ON UPDATE`.
    pub on_update: String,
}

/// A schema's tables and what they are made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Base tables, sorted.
    pub tables: Vec<String>,
    /// Columns, by table then name.
    pub columns: Vec<Column>,
    /// Enum types with their labels in declaration order, by name.
    pub enums: Vec<(String, Vec<String>)>,
    /// Indexes, by name.
    pub indexes: Vec<Index>,
    /// Constraints, by name.
    pub constraints: Vec<Constraint>,
}

/// Tables that belong to the tools, not to the data model.
const BOOKKEEPING: &[&str] = &["seaql_migrations", "_prisma_migrations"];

impl Catalog {
    /// Reads `schema` (leaving out migration bookkeeping tables).
    pub async fn read(db: &impl ConnectionTrait, schema: &str) -> Result<Self, DbErr> {
        let mut catalog = Self {
            tables: tables(db, schema).await?,
            columns: columns(db, schema).await?,
            enums: enums(db, schema).await?,
            indexes: indexes(db, schema).await?,
            constraints: constraints(db, schema).await?,
        };
        catalog.tables.retain(|t| !BOOKKEEPING.contains(&t.as_str()));
        catalog.columns.retain(|c| !BOOKKEEPING.contains(&c.table.as_str()));
        catalog.indexes.retain(|i| !BOOKKEEPING.contains(&i.table.as_str()));
        catalog.constraints.retain(|c| !BOOKKEEPING.contains(&c.table.as_str()));
        catalog.columns.sort();
        Ok(catalog)
    }

    /// Keeps only what belongs to `tables` (and the enum types), so objects
    /// an application added beside the data model are not held against it.
    pub fn limited_to(mut self, tables: &[String]) -> Self {
        let keep = |t: &String| tables.contains(t);
        self.tables.retain(keep);
        self.columns.retain(|c| keep(&c.table));
        self.indexes.retain(|i| keep(&i.table));
        self.constraints.retain(|c| keep(&c.table));
        self
    }

    /// How `self` (a live schema) differs from `expected`, one readable line
    /// per missing, extra or different table, column, enum, index or constraint.
    pub fn differences(&self, expected: &Self) -> Vec<String> {
        let mut out = Vec::new();
        diff(&mut out, "table", &self.tables, &expected.tables, |t| format!("\"{t}\""), |_, _| None);
        diff(
            &mut out,
            "column",
            &self.columns,
            &expected.columns,
            |c| format!("\"{}\".\"{}\"", c.table, c.name),
            |live, want| {
                (live != want).then(|| format!("is {}, expected {}", describe_column(live), describe_column(want)))
            },
        );
        diff(
            &mut out,
            "enum",
            &self.enums,
            &expected.enums,
            |(name, _)| format!("\"{name}\""),
            |(_, live), (_, want)| (live != want).then(|| format!("has labels {live:?}, expected {want:?}")),
        );
        diff(
            &mut out,
            "index",
            &self.indexes,
            &expected.indexes,
            |i| format!("\"{}\"", i.name),
            |live, want| {
                (live != want).then(|| format!("is {}, expected {}", describe_index(live), describe_index(want)))
            },
        );
        diff(
            &mut out,
            "constraint",
            &self.constraints,
            &expected.constraints,
            |c| format!("\"{}\"", c.name),
            |live, want| {
                (live != want)
                    .then(|| format!("is {}, expected {}", describe_constraint(live), describe_constraint(want)))
            },
        );
        out
    }
}

/// Lines for items only on one side (by key) and for same-keyed items that differ.
fn diff<T>(
    out: &mut Vec<String>,
    kind: &str,
    live: &[T],
    expected: &[T],
    key: impl Fn(&T) -> String,
    compare: impl Fn(&T, &T) -> Option<String>,
) {
    for want in expected {
        match live.iter().find(|l| key(l) == key(want)) {
            None => out.push(format!("missing {kind} {}", key(want))),
            Some(found) => {
                if let Some(why) = compare(found, want) {
                    out.push(format!("different {kind} {}: {why}", key(want)));
                }
            }
        }
    }
    for extra in live.iter().filter(|l| !expected.iter().any(|e| key(e) == key(l))) {
        out.push(format!("extra {kind} {}", key(extra)));
    }
}

fn describe_column(c: &Column) -> String {
    let mut text = c.udt_name.clone();
    if let Some(p) = c.precision {
        text.push_str(&format!("({p})"));
    }
    text.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
    if let Some(d) = &c.default {
        text.push_str(&format!(" DEFAULT {d}"));
    }
    text
}

fn describe_index(i: &Index) -> String {
    let kind = if i.primary {
        "PRIMARY KEY "
    } else if i.unique {
        "UNIQUE "
    } else {
        ""
    };
    format!("{kind}{} ON \"{}\" ({})", i.method, i.table, i.columns)
}

fn describe_constraint(c: &Constraint) -> String {
    let mut text = format!("{} on \"{}\" ({})", c.kind, c.table, c.columns);
    if !c.references.is_empty() {
        text.push_str(&format!(" REFERENCES {} ON DELETE {} ON UPDATE {}", c.references, c.on_delete, c.on_update));
    }
    text
}

/// Runs a catalog query for `schema` (its `$1`) and builds one item per row.
async fn read<T>(
    db: &impl ConnectionTrait,
    schema: &str,
    sql: &str,
    item: impl Fn(&QueryResult) -> Result<T, DbErr>,
) -> Result<Vec<T>, DbErr> {
    let rows = db.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [schema.into()])).await?;
    rows.iter().map(item).collect()
}

fn get<T: TryGetable>(row: &QueryResult, idx: usize) -> Result<T, DbErr> {
    row.try_get_by_index(idx).map_err(|e| DbErr::Custom(format!("catalog column {idx}: {e}")))
}

/// Base tables of `schema`, sorted.
pub async fn tables(db: &impl ConnectionTrait, schema: &str) -> Result<Vec<String>, DbErr> {
    let sql = "SELECT table_name::text FROM information_schema.tables
               WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1";
    read(db, schema, sql, |r| get(r, 0)).await
}

/// Columns of `schema`'s tables, by table name then position.
pub async fn columns(db: &impl ConnectionTrait, schema: &str) -> Result<Vec<Column>, DbErr> {
    let sql = "SELECT table_name::text, column_name::text, data_type::text, udt_name::text,
                      datetime_precision::int4, is_nullable::text, column_default::text
               FROM information_schema.columns
               WHERE table_schema = $1
               ORDER BY table_name, ordinal_position";
    read(db, schema, sql, |r| {
        Ok(Column {
            table: get(r, 0)?,
            name: get(r, 1)?,
            data_type: get(r, 2)?,
            udt_name: get(r, 3)?,
            precision: get(r, 4)?,
            nullable: get::<String>(r, 5)? == "YES",
            default: get(r, 6)?,
        })
    })
    .await
}

/// Enum types of `schema` with their labels in declaration order, by type name.
pub async fn enums(db: &impl ConnectionTrait, schema: &str) -> Result<Vec<(String, Vec<String>)>, DbErr> {
    let sql = "SELECT t.typname::text, string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
               FROM pg_type t
               JOIN pg_namespace n ON n.oid = t.typnamespace
               JOIN pg_enum e ON e.enumtypid = t.oid
               WHERE n.nspname = $1 GROUP BY t.typname ORDER BY 1";
    read(db, schema, sql, |r| {
        let labels: String = get(r, 1)?;
        Ok((get(r, 0)?, labels.split(',').map(Into::into).collect()))
    })
    .await
}

/// Every index on `schema`'s tables, by name; a descending column reads `name DESC`.
pub async fn indexes(db: &impl ConnectionTrait, schema: &str) -> Result<Vec<Index>, DbErr> {
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
               WHERE n.nspname = $1
               ORDER BY 1";
    read(db, schema, sql, |r| {
        Ok(Index {
            name: get(r, 0)?,
            table: get(r, 1)?,
            columns: get(r, 2)?,
            unique: get(r, 3)?,
            primary: get(r, 4)?,
            method: get(r, 5)?,
        })
    })
    .await
}

/// Every table constraint on `schema`'s tables, by name.
pub async fn constraints(db: &impl ConnectionTrait, schema: &str) -> Result<Vec<Constraint>, DbErr> {
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
               WHERE n.nspname = $1
               ORDER BY 1";
    read(db, schema, sql, |r| {
        Ok(Constraint {
            name: get(r, 0)?,
            kind: get(r, 1)?,
            table: get(r, 2)?,
            columns: get(r, 3)?,
            references: get(r, 4)?,
            on_delete: get(r, 5)?,
            on_update: get(r, 6)?,
        })
    })
    .await
}
