//! The migration on the embedded SQLite default: tables and index names,
//! enum CHECKs, foreign-key actions, uniqueness, idempotent re-runs, `down`.

use nextstack_entity::{OfferingStatus, offering, order, session, user};
use nextstack_migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, Set, SqlErr, Statement,
};
use tempfile::TempDir;

// The same tables and index names as the PostgreSQL catalog: one list of what
// the migrations create, for both backends.
#[path = "postgres_catalog/expected.rs"]
#[expect(dead_code, reason = "only the names are compared on SQLite")]
mod expected;

/// Every table, by name, and sea-orm-migration's own.
fn expected_tables() -> Vec<String> {
    let mut names: Vec<String> = expected::COLUMNS.iter().map(|(table, _)| table.to_string()).collect();
    names.push("seaql_migrations".into());
    names.sort();
    names
}

/// Every named index: all but the primary keys (SQLite's are implicit).
fn expected_indexes() -> Vec<String> {
    let mut names: Vec<String> =
        expected::INDEXES.iter().filter(|(.., primary)| !primary).map(|(name, ..)| name.to_string()).collect();
    names.sort();
    names
}

/// A migrated database in a temp dir, on one connection with foreign keys on
/// (a PRAGMA is per connection, so a pool of one makes it hold for every query).
async fn migrated() -> (TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
    let mut options = ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await.expect("connect");
    db.execute_unprepared("PRAGMA foreign_keys = ON").await.expect("foreign keys on");
    assert_eq!(strings(&db, "PRAGMA foreign_keys").await, ["1"]);
    Migrator::up(&db, None).await.expect("migrate up");
    (dir, db)
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.expect(sql);
    rows.iter()
        .map(|row| {
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .expect("text or integer column")
        })
        .collect()
}

async fn schema_sql(db: &DatabaseConnection) -> Vec<String> {
    strings(db, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name").await
}

async fn new_user(db: &DatabaseConnection, email: &str) -> user::Model {
    user::ActiveModel { email: Set(email.into()), ..Default::default() }.insert(db).await.expect("insert user")
}

#[tokio::test]
async fn creates_every_table_and_named_index() {
    let (_dir, db) = migrated().await;
    let tables = strings(&db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").await;
    assert_eq!(tables, expected_tables());
    let indexes = strings(
        &db,
        "SELECT name FROM sqlite_master
         WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
    )
    .await;
    assert_eq!(indexes, expected_indexes());
}

#[tokio::test]
async fn enum_check_rejects_an_unknown_label() {
    let (_dir, db) = migrated().await;
    let insert = |role: &str| {
        format!(
            "INSERT INTO \"User\" (id, email, role, \"createdAt\", \"updatedAt\")
             VALUES ('{role}', '{role}@example.com', '{role}', '2025-10-01 12:00:00.000', '2025-10-01 12:00:00.000')"
        )
    };
    db.execute_unprepared(&insert("ADMIN")).await.expect("a known label");
    let err = db.execute_unprepared(&insert("ROOT")).await.expect_err("an unknown label");
    assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
}

#[tokio::test]
async fn entities_round_trip_and_defaults_apply() {
    let (_dir, db) = migrated().await;
    let alice = new_user(&db, "alice@example.com").await;
    assert_eq!(alice.role, nextstack_entity::Role::User);
    assert_eq!((alice.points, alice.email_verified), (0, false));
    let read = user::Entity::find_by_id(alice.id.clone()).one(&db).await.expect("find");
    assert_eq!(read, Some(alice));
}

#[tokio::test]
async fn timestamps_are_text_that_sorts_chronologically() {
    let (_dir, db) = migrated().await;
    let t0 = chrono::NaiveDate::from_ymd_opt(2025, 10, 1)
        .and_then(|d| d.and_hms_milli_opt(12, 0, 0, 0))
        .expect("valid date");
    let ms = chrono::Duration::milliseconds;
    // Inserted out of order, including a whole second (no fraction digits).
    for (email, at) in [("c", t0 + ms(999)), ("a", t0), ("d", t0 + ms(1000)), ("b", t0 + ms(1))] {
        user::ActiveModel { email: Set(email.into()), created_at: Set(at), ..Default::default() }
            .insert(&db)
            .await
            .expect("insert user");
    }
    let by_text = strings(&db, "SELECT email FROM \"User\" ORDER BY \"createdAt\"").await;
    assert_eq!(by_text, ["a", "b", "c", "d"]);
    let types = strings(&db, "SELECT DISTINCT typeof(\"createdAt\") FROM \"User\"").await;
    assert_eq!(types, ["text"]);
    let later = user::Entity::find().filter(user::Column::CreatedAt.gt(t0)).count(&db).await.expect("count");
    assert_eq!(later, 3);
    let a = user::Entity::find().filter(user::Column::Email.eq("a")).one(&db).await.expect("find").expect("a exists");
    assert_eq!(a.created_at, t0);
}

#[tokio::test]
async fn deleting_a_user_cascades_to_their_sessions() {
    let (_dir, db) = migrated().await;
    let alice = new_user(&db, "alice@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    for (owner, token) in [(&alice, "a1"), (&alice, "a2"), (&bob, "b1")] {
        session::ActiveModel {
            user_id: Set(owner.id.clone()),
            token: Set(token.into()),
            expires_at: Set(nextstack_entity::now()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("insert session");
    }
    alice.delete(&db).await.expect("delete user");
    let left = session::Entity::find().all(&db).await.expect("sessions");
    assert_eq!(left.iter().map(|s| s.token.as_str()).collect::<Vec<_>>(), ["b1"]);
}

#[tokio::test]
async fn an_offering_with_orders_cannot_be_deleted() {
    let (_dir, db) = migrated().await;
    let seller = new_user(&db, "seller@example.com").await;
    let thing = offering::ActiveModel {
        seller_id: Set(seller.id.clone()),
        title: Set("Thing".into()),
        price_cents: Set(500),
        status: Set(OfferingStatus::Active),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("insert offering");
    assert_eq!(thing.currency, "USD");
    order::ActiveModel {
        buyer_id: Set(seller.id.clone()),
        offering_id: Set(thing.id.clone()),
        quantity: Set(2),
        unit_price_cents: Set(500),
        total_cents: Set(1000),
        currency: Set("USD".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("insert order");
    thing.delete(&db).await.expect_err("RESTRICT");
    assert_eq!(order::Entity::find().count(&db).await.expect("count"), 1);
}

#[tokio::test]
async fn email_is_unique() {
    let (_dir, db) = migrated().await;
    new_user(&db, "alice@example.com").await;
    let err = user::ActiveModel { email: Set("alice@example.com".into()), ..Default::default() }
        .insert(&db)
        .await
        .expect_err("duplicate email");
    assert!(matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))), "{err:?}");
}

#[tokio::test]
async fn running_up_again_changes_nothing_and_down_removes_everything() {
    let (_dir, db) = migrated().await;
    let before = schema_sql(&db).await;
    Migrator::up(&db, None).await.expect("second up");
    assert_eq!(schema_sql(&db).await, before);
    let applied = strings(&db, "SELECT version FROM seaql_migrations ORDER BY version").await;
    let every_migration: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
    assert_eq!(applied, every_migration);

    Migrator::down(&db, None).await.expect("migrate down");
    let left = strings(&db, "SELECT name FROM sqlite_master ORDER BY name").await;
    assert_eq!(left, ["seaql_migrations", "sqlite_autoindex_seaql_migrations_1"]);
    assert!(strings(&db, "SELECT version FROM seaql_migrations").await.is_empty());
}
