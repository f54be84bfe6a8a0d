//! The real `@trpc/client` (npm, `clients/ts`) against the running server:
//! `httpLink`, `httpBatchLink` and `httpBatchStreamLink`.

use nextstack::wire::user::Role;

use crate::helpers::{TestApp, run_node_checks};

#[tokio::test]
async fn trpc_client_links_work_against_the_server() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("client-admin@example.com", Role::Admin).await;
    let env = vec![
        ("TRPC_URL", format!("{}/trpc", app.base_url)),
        ("TRPC_TEST_HEADER", format!("authorization: {}", app.bearer(&admin))),
    ];
    run_node_checks("ts", "@trpc/client", "test/trpc-client.mjs", env, "21 passed, 0 failed").await;
}
