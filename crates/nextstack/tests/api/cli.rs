//! `nextstack create-admin`: creates or promotes an admin from the command line.

use std::io::Write;
use std::process::{Command, Stdio};

use nextstack::auth::password::verify_blocking;
use nextstack_entity::{account, enums::Role, user};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};

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
