//! `nextstack create-admin`: creates or promotes an admin from the command line.

use std::io::Write;
use std::process::{Command, Stdio};

use nextstack::auth::password::verify_blocking;
use nextstack_entity::{account, enums::Role, user};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, Statement};

fn create_admin(url: &str, email: &str, password: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nextstack"))
        .args(["create-admin", "--email", email, "--password-stdin"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn create_admin_creates_then_promotes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db?mode=rwc", dir.path().display());
    let (ok, out) = create_admin(&url, "Root@example.com", "first password");
    assert!(ok && out.contains("created admin root@example.com"), "{out}");
    let (ok, out) = create_admin(&url, "root@example.com", "short");
    assert!(!ok && out.contains("8 to 128"), "{out}");
    let (ok, out) = create_admin(&url, "root@example.com", "second password");
    assert!(ok && out.contains("promoted root@example.com"), "{out}");

    let db = Database::connect(&url).await.unwrap();
    let admin =
        user::Entity::find().filter(user::Column::Email.eq("root@example.com")).one(&db).await.unwrap().unwrap();
    assert_eq!(admin.role, Role::Admin);
    let accounts = account::Entity::find().filter(account::Column::UserId.eq(admin.id)).all(&db).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert!(verify_blocking("second password", accounts[0].password.as_deref().unwrap()));
}

/// Issue 13: transport code (HTTP handlers, tRPC procedures, auth routes) never
/// queries entities itself; services own the database.
#[test]
fn transport_code_never_queries_the_database() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden =
        ["EntityTrait", "QueryFilter", "QuerySelect", "TransactionTrait", "ConnectionTrait", "::Entity::", "sea_orm::"];
    let mut offenders = Vec::new();
    let mut stack = vec![src.join("http"), src.join("procedures"), src.join("auth/routes"), src.join("auth/routes.rs")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) && !line.trim_start().starts_with("//") {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "database access outside services:\n{}", offenders.join("\n"));
}

/// `nextstack migrate --status` only reads: on a database never migrated it
/// lists every migration as pending and leaves no table behind (sea-orm's
/// own status would create `seaql_migrations`); after `migrate` all are applied.
#[tokio::test]
async fn migrate_status_only_reads() {
    for test_db in [crate::helpers::TestDb::create().await, crate::helpers::TestDb::postgres().await] {
        let url = match test_db.schema() {
            // The binary reaches the test's schema through the connection's search_path.
            Some(schema) => format!("{}?options=-c%20search_path%3D{schema}", test_db.url()),
            None => test_db.url(),
        };
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_nextstack"))
                .args(args)
                .env("DATABASE_URL", &url)
                .env("RUST_LOG", "warn")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let tables = || async {
            let db = Database::connect(&url).await.unwrap();
            let sql = match test_db.schema() {
                Some(schema) => {
                    format!("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '{schema}'")
                }
                None => "SELECT name FROM sqlite_master WHERE type = 'table'".to_string(),
            };
            let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
            rows.iter().map(|r| r.try_get::<String>("", "name").unwrap()).collect::<Vec<_>>()
        };
        let status = run(&["migrate", "--status"]);
        assert!(status.lines().count() >= 4 && status.lines().all(|l| l.starts_with("pending ")), "{status}");
        assert_eq!(tables().await, Vec::<String>::new(), "--status created tables");
        run(&["migrate"]);
        let status = run(&["migrate", "--status"]);
        assert!(status.lines().all(|l| l.starts_with("applied ")), "{status}");
        assert!(tables().await.contains(&"seaql_migrations".to_string()));
    }
}
