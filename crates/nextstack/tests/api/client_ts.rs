//! The real `@trpc/client` (npm, `clients/ts`) against the running server:
//! `httpLink`, `httpBatchLink` and `httpBatchStreamLink`.

use std::path::PathBuf;
use std::process::Command;

use nextstack::wire::user::Role;

use crate::helpers::TestApp;

#[tokio::test]
async fn trpc_client_links_work_against_the_server() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("client-admin@example.com", Role::Admin).await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/ts");
    assert!(dir.join("node_modules/@trpc/client").is_dir(), "run `npm ci` in clients/ts first (scripts/test does)");
    let url = format!("{}/trpc", app.base_url);
    let header = format!("authorization: {}", app.bearer(&admin));
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("test/trpc-client.mjs")
            .current_dir(&dir)
            .env("TRPC_URL", url)
            .env("TRPC_TEST_HEADER", header)
            .output()
            .expect("node is installed")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "client checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("21 passed, 0 failed"), "{stdout}");
}
