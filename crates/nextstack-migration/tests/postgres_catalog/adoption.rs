//! Adopting a database `prisma migrate` made (the TypeScript stack's): its
//! tables match the initial migration, so that migration is recorded and the
//! later ones run, rows kept; a database that differs is refused untouched.

use nextstack_migration::adopt::{Adoption, adopt};
use nextstack_migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::pg::TestSchema;

/// The DDL Prisma emits for the data model (a copy of the shared fixture).
const PRISMA_DDL: &str = include_str!("../fixtures/prisma_schema.sql");

async fn prisma_made(schema: &TestSchema) -> DatabaseConnection {
    let db = schema.connect().await;
    db.execute_unprepared(PRISMA_DDL).await.expect("load Prisma's DDL");
    // What Prisma itself keeps; adoption must leave it alone.
    db.execute_unprepared(
        r#"CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY, "migration_name" VARCHAR(255) NOT NULL);
           INSERT INTO "_prisma_migrations" VALUES ('1', '20250101000000_init');
           INSERT INTO "User" ("id", "email", "name", "updatedAt") VALUES ('cuser0000000000000000001', 'kept@example.com', 'Kept', now());
           INSERT INTO "Post" ("id", "authorId", "title", "updatedAt") VALUES ('cpost0000000000000000001', 'cuser0000000000000000001', 'Kept post', now());"#,
    )
    .await
    .expect("rows");
    db
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let stmt = Statement::from_string(DbBackend::Postgres, sql);
    let row = db.query_one_raw(stmt).await.expect(sql).expect("a row");
    row.try_get_by_index(0).expect("a count")
}

#[tokio::test]
async fn a_prisma_made_database_is_adopted_and_migrated_with_its_rows() {
    let schema = TestSchema::create().await;
    let db = prisma_made(&schema).await;
    let initial = Migrator::migrations()[0].name().to_string();
    assert_eq!(adopt(&db).await.unwrap(), Adoption::Baselined { migration: initial.clone() });
    Migrator::up(&db, None).await.expect("the later migrations");

    let every: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
    assert_eq!(schema.applied_migrations(&db).await, every);
    let indexes: Vec<String> = schema.indexes(&db).await.into_iter().map(|i| i.name).collect();
    assert!(indexes.contains(&"User_createdAt_id_idx".to_string()), "{indexes:?}");
    assert_eq!(count(&db, r#"SELECT count(*) FROM "User" WHERE email = 'kept@example.com'"#).await, 1);
    assert_eq!(count(&db, r#"SELECT count(*) FROM "Post""#).await, 1);
    assert_eq!(count(&db, r#"SELECT count(*) FROM "_prisma_migrations""#).await, 1, "left as it was");
    // Adopting again is a no-op: the migrations are recorded now.
    assert_eq!(adopt(&db).await.unwrap(), Adoption::NotNeeded);
    schema.cleanup().await;
}

/// A TypeScript stack that ran BetterAuth's admin plugin: its columns are
/// there already (`banned` nullable, as the plugin's Prisma schema has it).
#[tokio::test]
async fn a_database_with_the_admin_plugins_columns_is_adopted_and_settled() {
    let schema = TestSchema::create().await;
    let db = prisma_made(&schema).await;
    db.execute_unprepared(
        r#"ALTER TABLE "User" ADD COLUMN "banned" BOOLEAN DEFAULT false, ADD COLUMN "banReason" TEXT, ADD COLUMN "banExpires" TIMESTAMP(3);
           ALTER TABLE "Session" ADD COLUMN "impersonatedBy" TEXT;
           UPDATE "User" SET "banned" = NULL, "banReason" = 'kept' WHERE email = 'kept@example.com';"#,
    )
    .await
    .expect("the plugin's columns");
    let initial = Migrator::migrations()[0].name().to_string();
    assert_eq!(adopt(&db).await.unwrap(), Adoption::Baselined { migration: initial });
    Migrator::up(&db, None).await.expect("the later migrations");
    let columns = schema.columns(&db).await;
    let banned = columns.iter().find(|c| c.table == "User" && c.name == "banned").expect("banned");
    assert_eq!(banned, &crate::pg::expected_column("User", "banned", "bool", false, Some("false")));
    assert_eq!(count(&db, r#"SELECT count(*) FROM "User" WHERE "banned" = false AND "banReason" = 'kept'"#).await, 1);
    schema.cleanup().await;
}

#[tokio::test]
async fn a_database_that_differs_is_refused_with_the_difference_and_left_unchanged() {
    let schema = TestSchema::create().await;
    let db = prisma_made(&schema).await;
    db.execute_unprepared(r#"ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL; DROP INDEX "Post_authorId_idx";"#)
        .await
        .unwrap();
    let before = schema.catalog(&db).await;
    let Adoption::Refused { differences } = adopt(&db).await.unwrap() else { panic!("adopted a different schema") };
    assert_eq!(
        differences,
        [
            r#"different column "User"."name": is text NOT NULL, expected text NULL"#,
            r#"missing index "Post_authorId_idx""#,
        ],
    );
    assert_eq!(schema.catalog(&db).await, before, "nothing changed");
    assert!(!schema.tables(&db).await.contains(&"seaql_migrations".to_string()));
    schema.cleanup().await;
}

/// A fresh database is not "adopted": it has none of the tables.
#[tokio::test]
async fn an_empty_database_needs_no_adoption() {
    let schema = TestSchema::create().await;
    let db = schema.connect().await;
    assert_eq!(adopt(&db).await.unwrap(), Adoption::NotNeeded);
    assert!(schema.tables(&db).await.is_empty());
    schema.cleanup().await;
}

/// What `migrate` creates equals what Prisma creates plus this server's later
/// migrations, by the same comparison adoption uses.
#[tokio::test]
async fn migrate_creates_prismas_catalog_plus_the_new_indexes() {
    let ours = TestSchema::create().await;
    let ours_db = ours.connect().await;
    Migrator::up(&ours_db, None).await.unwrap();
    let theirs = TestSchema::create().await;
    let theirs_db = prisma_made(&theirs).await;
    adopt(&theirs_db).await.unwrap();
    Migrator::up(&theirs_db, None).await.unwrap();
    let differences = ours.catalog(&ours_db).await.differences(&theirs.catalog(&theirs_db).await);
    assert!(differences.is_empty(), "{differences:#?}");
    ours.cleanup().await;
    theirs.cleanup().await;
}

/// A database this server made before the initial migration set the
/// `createdAt` defaults gets them from the later migration.
#[tokio::test]
async fn older_databases_get_the_created_at_defaults() {
    let schema = TestSchema::create().await;
    let db = schema.connect().await;
    Migrator::up(&db, None).await.unwrap();
    db.execute_unprepared(
        r#"ALTER TABLE "User" ALTER COLUMN "createdAt" DROP DEFAULT;
           DELETE FROM seaql_migrations WHERE version = 'm20261203_000005_created_at_defaults';"#,
    )
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let columns = schema.columns(&db).await;
    let created = columns.iter().find(|c| c.table == "User" && c.name == "createdAt").unwrap();
    assert_eq!(created.default.as_deref(), Some("CURRENT_TIMESTAMP"));
    schema.cleanup().await;
}
