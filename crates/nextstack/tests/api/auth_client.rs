//! The real BetterAuth client (`better-auth/client` from the npm `better-auth`
//! 1.3 package, `clients/better-auth/client-run.mjs`) against the running
//! server: sign-up, get-session, update-user, change-password, sign-out,
//! sign-in and a duplicate sign-up, with browser-like cookie handling.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::TestApp;

#[tokio::test]
async fn better_auth_client_flow_works_against_the_server() {
    let app = TestApp::spawn().await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/better-auth");
    assert!(
        dir.join("node_modules/better-auth").is_dir(),
        "run `npm ci` in clients/better-auth first (scripts/test does)"
    );
    let base_url = app.base_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("client-run.mjs")
            .current_dir(&dir)
            .env("AUTH_BASE_URL", base_url)
            .output()
            .expect("node is installed")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "better-auth client checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("7 passed, 0 failed"), "{stdout}");
}
