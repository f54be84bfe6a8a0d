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

/// `clients/better-auth/flow.mjs`: a web app's whole flow with the real packages
/// (better-auth sign-up, then `createTRPCClient` with `splitLink` routing the
/// subscription to `httpSubscriptionLink`), in plain JSON over `httpBatchStreamLink`.
#[tokio::test]
async fn a_web_app_flow_with_a_live_order_subscription() {
    let app = TestApp::builder().env("SSE_PING_INTERVAL_MS", "500").spawn().await;
    let env = vec![("SERVER_URL", app.base_url.clone()), ("BATCH_LINK", "stream".to_string())];
    run_node_checks("better-auth", "@trpc/client", "flow.mjs", env, "4 passed, 0 failed").await;
}

/// The same flow with superjson (create-t3-app's setup) over `httpBatchLink`.
#[tokio::test]
async fn the_same_flow_with_superjson() {
    let app = TestApp::builder().env("TRPC_TRANSFORMER", "superjson").spawn().await;
    let env = vec![
        ("SERVER_URL", app.base_url.clone()),
        ("TRANSFORMER", "superjson".to_string()),
        ("BATCH_LINK", "batch".to_string()),
    ];
    run_node_checks("better-auth", "@trpc/client", "flow.mjs", env, "4 passed, 0 failed").await;
}

/// `clients/better-auth/trpc11-options.mjs`: `methodOverride: 'POST'` on every
/// HTTP link, `httpSubscriptionLink({ connectionParams: { token } })` signing an
/// EventSource in without headers, a preflight with `x-trpc-source`, and a
/// `FormData` upload over `httpLink` (`splitLink` + `isNonJsonSerializable`).
#[tokio::test]
async fn trpc_11_client_options_real_apps_use() {
    let origin = "http://localhost:5173";
    let app = TestApp::builder()
        .env("CORS_ORIGINS", origin)
        .env("SSE_PING_INTERVAL_MS", "500")
        .env("MAX_UPLOAD_BYTES", "65536")
        .spawn()
        .await;
    let env = vec![
        ("SERVER_URL", app.base_url.clone()),
        ("ORIGIN", origin.to_string()),
        ("MAX_UPLOAD_BYTES", "65536".to_string()),
    ];
    run_node_checks("better-auth", "@trpc/client", "trpc11-options.mjs", env, "8 passed, 0 failed").await;
}
