//! Moving a real app over: a PostgreSQL database the TypeScript stack made
//! (`prisma migrate`'s DDL, rows written by BetterAuth) is adopted by
//! `migrate` and served: its users sign in with their existing password
//! hashes, and their existing session cookies are accepted.

use std::process::Command;

use serde_json::json;

use crate::auth_compat::better_auth_produces;
use crate::helpers::{TestApp, TestDb, data};

/// `prisma migrate`'s DDL for the data model (the shared fixture's copy).
const PRISMA_DDL: &str = include_str!("../../../nextstack-migration/tests/fixtures/prisma_schema.sql");
/// The test server's `BETTER_AUTH_SECRET` (see `TestAppBuilder::spawn`).
const SECRET: &str = "test-secret-that-is-long-enough-0123456789";
const PASSWORD: &str = "the old stack's password";
const TOKEN: &str = "OldStackSessionToken0123456789ab";

/// Rows as the TypeScript stack writes them: a user, BetterAuth's credential
/// account (its own scrypt hash), a live session, a published post.
fn typescript_stack_rows(hash: &str) -> String {
    format!(
        r#"INSERT INTO "User" ("id", "email", "name", "emailVerified", "updatedAt")
             VALUES ('cold0000000000000000user1', 'old@example.com', 'Old User', true, now());
           INSERT INTO "Account" ("id", "accountId", "providerId", "userId", "password", "updatedAt")
             VALUES ('cold00000000000000account', 'cold0000000000000000user1', 'credential', 'cold0000000000000000user1', '{hash}', now());
           INSERT INTO "Session" ("id", "token", "userId", "expiresAt", "updatedAt")
             VALUES ('cold00000000000000session', '{TOKEN}', 'cold0000000000000000user1', now() + interval '7 days', now());
           INSERT INTO "Post" ("id", "authorId", "title", "status", "publishedAt", "updatedAt")
             VALUES ('cold00000000000000000post', 'cold0000000000000000user1', 'Written with Prisma', 'PUBLISHED', now(), now());"#
    )
}

#[tokio::test]
async fn a_database_the_typescript_stack_made_is_adopted_and_served() {
    let produced = better_auth_produces(SECRET, PASSWORD, TOKEN);
    let setup = format!("{PRISMA_DDL}\n{}", typescript_stack_rows(produced["hash"].as_str().unwrap()));
    let app = TestApp::builder().on_postgres().before_migrate(setup).spawn().await;

    // The session cookie BetterAuth signed is accepted as it is.
    let cookie = format!("better-auth.session_token={}", produced["cookie"].as_str().unwrap());
    let res = app.client.get(app.url("/api/auth/get-session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let session: serde_json::Value = res.json().await.unwrap();
    assert_eq!(session["user"]["email"], "old@example.com", "{session}");
    // The password BetterAuth hashed signs in.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .json(&json!({ "email": "old@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // Prisma's rows are served.
    let (status, feed) = app.query("main.post.feed", Some(&json!({})), None).await;
    assert_eq!(status, 200);
    assert_eq!(data(&feed)["items"][0]["title"], "Written with Prisma");
}

/// `nextstack migrate` on a database whose tables differ changes nothing and
/// exits non-zero with one line per difference.
#[tokio::test]
async fn migrate_refuses_a_database_that_differs_and_names_the_difference() {
    let test_db = TestDb::postgres().await;
    let schema = test_db.schema().unwrap();
    let url = format!("{}?options=-c%20search_path%3D{schema}", test_db.url());
    let db = sea_orm::Database::connect(&url).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(PRISMA_DDL).await.unwrap();
    db.execute_unprepared(r#"ALTER TABLE "Order" ALTER COLUMN "quantity" TYPE BIGINT"#).await.unwrap();
    let migrate = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nextstack"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = migrate(&["migrate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.starts_with("error: the database already holds tables that differ"), "{stderr}");
    assert!(
        stderr.contains(r#"different column "Order"."quantity": is int8 NOT NULL, expected int4 NOT NULL"#),
        "{stderr}"
    );
    let status = String::from_utf8_lossy(&migrate(&["migrate", "--status"]).stdout).into_owned();
    assert!(status.lines().all(|l| l.starts_with("pending ")), "nothing was recorded: {status}");

    // Put right, the same command adopts the database and applies the rest.
    db.execute_unprepared(r#"ALTER TABLE "Order" ALTER COLUMN "quantity" TYPE INTEGER"#).await.unwrap();
    let out = migrate(&["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("adopted the existing tables")), "{stdout}");
    assert!(lines.all(|l| l.starts_with("applied ")), "{stdout}");
}
