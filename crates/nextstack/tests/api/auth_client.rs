//! The real BetterAuth client (`better-auth/client` from the npm `better-auth`
//! 1.3 package, `clients/better-auth/client-run.mjs`) against the running
//! server: sign-up, get-session, update-user, change-password, sign-out,
//! sign-in and a duplicate sign-up, with browser-like cookie handling.

use crate::helpers::{TestApp, run_node_checks};

#[tokio::test]
async fn better_auth_client_flow_works_against_the_server() {
    let app = TestApp::spawn().await;
    let env = vec![("AUTH_BASE_URL", app.base_url.clone())];
    run_node_checks("better-auth", "better-auth", "client-run.mjs", env, "7 passed, 0 failed").await;
}
