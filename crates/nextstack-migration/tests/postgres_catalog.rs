//! The migration creates exactly Prisma's PostgreSQL schema, and `down`
//! removes it. Needs a reachable PostgreSQL (`TEST_DATABASE_URL`, else the
//! local trust-auth server); it fails rather than skips without one.

// A test crate root looks for modules next to itself; keep the helpers in a
// folder so Cargo does not build them as test targets of their own.
#[path = "postgres_catalog/adoption.rs"]
mod adoption;
#[path = "postgres_catalog/expected.rs"]
mod expected;
#[path = "postgres_catalog/pg.rs"]
mod pg;
#[path = "postgres_catalog/round_trip.rs"]
mod round_trip;

use expected::{COLUMNS, CONSTRAINTS, ENUMS, INDEXES, TRIGGERS};
use nextstack_migration::{Migrator, MigratorTrait};
use pg::{TestSchema, assert_same};

#[tokio::test]
async fn migration_creates_exactly_the_prisma_schema_and_down_removes_it() {
    let schema = TestSchema::create().await;
    let db = schema.connect().await;
    Migrator::up(&db, None).await.expect("migrate up");

    let mut tables: Vec<String> = COLUMNS.iter().map(|(t, _)| t.to_string()).collect();
    tables.push("seaql_migrations".into());
    tables.sort_unstable();
    assert_same("tables", &schema.tables(&db).await, &tables);

    let expected_columns: Vec<pg::Column> = COLUMNS
        .iter()
        .flat_map(|(table, cols)| {
            cols.iter().map(|&(name, udt, nullable, default)| pg::expected_column(table, name, udt, nullable, default))
        })
        .collect();
    assert_same("columns", &schema.columns(&db).await, &expected_columns);

    let expected_enums: Vec<(String, Vec<String>)> =
        ENUMS.iter().map(|(name, labels)| (name.to_string(), labels.iter().map(|l| l.to_string()).collect())).collect();
    assert_same("enums", &schema.enums(&db).await, &expected_enums);

    let expected_indexes: Vec<pg::Index> = INDEXES
        .iter()
        .map(|&(name, table, cols, unique, primary)| pg::Index {
            name: name.into(),
            table: table.into(),
            columns: cols.into(),
            unique,
            primary,
            method: "btree".into(),
        })
        .collect();
    assert_same("indexes", &schema.indexes(&db).await, &expected_indexes);

    let expected_constraints: Vec<pg::Constraint> = CONSTRAINTS
        .iter()
        .map(|&(name, kind, table, cols, target, on_delete, on_update)| pg::Constraint {
            name: name.into(),
            kind: kind.into(),
            table: table.into(),
            columns: cols.into(),
            references: target.into(),
            on_delete: on_delete.into(),
            on_update: on_update.into(),
        })
        .collect();
    assert_same("constraints", &schema.constraints(&db).await, &expected_constraints);

    let expected_triggers: Vec<(String, String, String)> =
        TRIGGERS.iter().map(|&(t, g, f)| (t.to_string(), g.to_string(), f.to_string())).collect();
    assert_same("triggers", &schema.triggers(&db).await, &expected_triggers);

    let every_migration: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
    assert_eq!(schema.applied_migrations(&db).await, every_migration);

    Migrator::down(&db, None).await.expect("migrate down");
    assert_eq!(schema.tables(&db).await, ["seaql_migrations"]);
    assert!(schema.enums(&db).await.is_empty());
    assert_eq!(
        schema.relations(&db).await,
        ["seaql_migrations", "seaql_migrations_pkey"],
        "only the migration table (and its key) survive down"
    );
    assert_eq!(schema.types(&db).await, ["_seaql_migrations", "seaql_migrations"]);
    assert!(schema.applied_migrations(&db).await.is_empty());
    assert!(schema.triggers(&db).await.is_empty());

    db.close().await.expect("close");
    schema.cleanup().await;
}
