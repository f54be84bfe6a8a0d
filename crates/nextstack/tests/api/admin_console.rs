//! The `/admin` console: served from the binary (SPA fallback, caching,
//! its own CSP), its committed bundle rebuilt from source and compared byte
//! for byte, and an operator's session in a real browser (Playwright driving
//! Debian's Chromium) against the real server.

use std::path::{Path, PathBuf};
use std::process::Command;

use nextstack_entity::{file, level, session, user};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::auth::{PASSWORD, sign_up};
use crate::helpers::{TestApp, send_json};
use crate::storage_form_upload::{form_body, form_content_type};

fn console_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/admin")
}

/// The script and stylesheet paths `index.html` loads.
fn asset_paths(index: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r#"(?:src|href)="(/admin/assets/[^"]+)""#).unwrap();
    pattern.captures_iter(index).map(|c| c[1].to_string()).collect()
}

#[tokio::test]
async fn the_console_is_served_from_the_binary_with_its_routes_falling_back_to_the_app() {
    let app = TestApp::spawn().await;

    let bare = app.get("/admin").await;
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/admin/");

    let index = app.get("/admin/").await;
    assert_eq!(index.status(), 200);
    assert!(index.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let csp = index.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("upgrade-insecure-requests"), "{csp}");
    let html = index.text().await.unwrap();

    // The app's own routes are the app, so a reload on /admin/users/… works.
    for route in ["/admin/users/some-user-id", "/admin/users/%E0"] {
        let deep = app.get(route).await;
        assert_eq!(deep.status(), 200, "{route}");
        assert_eq!(deep.text().await.unwrap(), html, "{route}");
    }

    let assets = asset_paths(&html);
    assert!(assets.iter().any(|a| a.ends_with(".js")), "index.html loads a script: {html}");
    for path in &assets {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable", "{path}");
        let kind = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.contains("javascript") || kind.contains("css"), "{path}: {kind}");
        let etag = res.headers()["etag"].clone();
        let again = app.client.get(app.url(path)).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }

    // A missing file is not answered with the app's HTML.
    assert_eq!(app.get("/admin/assets/index-missing.js").await.status(), 404);
}

/// Every file under `root`, as relative paths, sorted.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_committed_bundle_is_what_its_sources_build() {
    let dir = console_dir();
    assert!(dir.join("node_modules/vite").is_dir(), "run `npm ci` in web/admin first (scripts/test does)");
    let out = tempfile::tempdir().unwrap();
    let built = Command::new("npx")
        .args(["vite", "build", "--logLevel", "warn", "--emptyOutDir", "--outDir"])
        .arg(out.path())
        .current_dir(&dir)
        .output()
        .expect("npx is installed");
    assert!(
        built.status.success(),
        "vite build failed:\n{}\n{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let committed = dir.join("dist");
    let (want, got) = (files_under(out.path()), files_under(&committed));
    assert_eq!(got, want, "web/admin/dist lists other files than a fresh build: run `npm run build` in web/admin");
    for path in want {
        let fresh = std::fs::read(out.path().join(&path)).unwrap();
        let kept = std::fs::read(committed.join(&path)).unwrap();
        assert!(
            fresh == kept,
            "web/admin/dist/{} differs from a fresh build: run `npm run build` in web/admin",
            path.display()
        );
    }
}

#[test]
fn the_console_type_checks_against_the_generated_router() {
    // Vite strips types without checking them: this is what ties the console's
    // calls to `clients/ts/src/router.ts`, which `nextstack gen-types` writes.
    let dir = console_dir();
    assert!(dir.join("node_modules/typescript").is_dir(), "run `npm ci` in web/admin first (scripts/test does)");
    let checked = Command::new("npx").args(["tsc", "--noEmit"]).current_dir(&dir).output().expect("npx is installed");
    assert!(
        checked.status.success(),
        "the console does not type-check:\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// A 4×4 red PNG, so the console has a real image to preview.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x06, 0x00, 0x00, 0x00, 0xa9, 0xf1, 0x9e, 0x7e, 0x00, 0x00, 0x00, 0x12, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x21, 0x27, 0xf7, 0x1f, 0x19, 0x33, 0x90, 0x2e, 0x00, 0x00, 0x41, 0xb8,
    0x20, 0x31, 0xfb, 0x35, 0x7b, 0x66, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn trpc_as(app: &TestApp, bearer: &str, path: &str, input: Value) -> Value {
    let req = app
        .client
        .post(app.url(&format!("/trpc/{path}")))
        .header("authorization", format!("Bearer {bearer}"))
        .json(&input);
    let (status, body) = send_json(req).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["result"]["data"].clone()
}

#[tokio::test]
async fn an_admin_runs_the_console_in_a_real_browser() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: install Debian's chromium (scripts/test does)");
    let dir = console_dir();
    assert!(dir.join("node_modules/playwright-core").is_dir(), "run `npm ci` in web/admin first (scripts/test does)");

    let app = TestApp::builder().env("ADMIN_EMAILS", "operator@example.com").spawn().await;
    let (_, admin_token, _) = sign_up(&app, "operator@example.com").await;
    let (_, user_token, user_body) = sign_up(&app, "member@example.com").await;
    let user_id = user_body["user"]["id"].as_str().unwrap().to_string();

    let level =
        trpc_as(&app, &admin_token, "core.level.create", json!({"name": "Bronze", "rank": 1, "minPoints": 10})).await;
    let level_id = level["id"].as_str().unwrap().to_string();
    let upload = app
        .client
        .post(app.url("/trpc/main.storage.upload"))
        .header("authorization", format!("Bearer {user_token}"))
        .header("content-type", form_content_type())
        .body(form_body(&[("file", Some(("red-square.png", Some("image/png"))), PNG)]));
    let (status, uploaded) = send_json(upload).await;
    assert_eq!(status, 200, "{uploaded}");
    let file_id = uploaded["result"]["data"]["id"].as_str().unwrap().to_string();

    let screenshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/admin");
    std::fs::create_dir_all(&screenshots).unwrap();
    let env = [
        ("BASE_URL", app.base_url.clone()),
        ("ADMIN_EMAIL", "operator@example.com".to_string()),
        ("ADMIN_PASSWORD", PASSWORD.to_string()),
        ("USER_EMAIL", "member@example.com".to_string()),
        ("USER_PASSWORD", PASSWORD.to_string()),
        ("CHROMIUM", chromium),
        ("SCREENSHOT_DIR", screenshots.display().to_string()),
        ("LEVEL_ID", level_id.clone()),
        ("FILE_ID", file_id.clone()),
        ("FILE_NAME", "red-square.png".to_string()),
    ];
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg("e2e/console.mjs").current_dir(&dir).envs(env).output().expect("node is installed")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser session failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(r#""ok":true"#), "{stdout}");

    // What the browser did is in the database.
    let member = user::Entity::find_by_id(user_id.clone()).one(&app.db).await.unwrap().unwrap();
    assert!(!member.banned, "banned, then unbanned through the console");
    // The ban ended every session the member had (the API sign-up's and their
    // browser's), and the impersonation's ended when the admin stopped.
    let left = session::Entity::find().filter(session::Column::UserId.eq(user_id)).count(&app.db).await.unwrap();
    assert_eq!(left, 0, "the member's sessions outlived the ban");
    let edited = level::Entity::find_by_id(level_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(edited.name, "Edited by console");
    let removed = file::Entity::find_by_id(file_id).one(&app.db).await.unwrap().unwrap();
    assert!(removed.deleted_at.is_some(), "the file was deleted through the console");
}
