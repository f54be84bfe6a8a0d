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

/// `clients/ts/src/router.ts` is what `nextstack gen-types` makes from the
/// procedures as they are now (regenerate with `nextstack gen-types --out clients/ts/src`).
#[test]
fn the_committed_router_types_are_up_to_date() {
    use nextstack_trpc::Transformer;
    for (file, transformer) in [("router.ts", Transformer::None), ("router.superjson.ts", Transformer::Superjson)] {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/ts/src").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = nextstack::commands::router_ts(transformer).expect("types generate");
        assert!(
            committed == generated,
            "clients/ts/src/{file} is stale: run `cargo run -p nextstack -- gen-types --out clients/ts/src`"
        );
    }
}

/// `tsc` accepts correct use of the generated `AppRouter` with `createTRPCClient`
/// and rejects each mistake marked `@ts-expect-error` in `clients/ts/test/types.ts`.
#[test]
fn typescript_accepts_correct_calls_and_rejects_mistakes() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/ts");
    let tsc = dir.join("node_modules/.bin/tsc");
    assert!(tsc.exists(), "run `npm ci` in clients/ts first (scripts/test does)");
    let output = std::process::Command::new(tsc).args(["-p", "."]).current_dir(&dir).output().expect("tsc runs");
    assert!(
        output.status.success(),
        "tsc failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn trpc_client_with_superjson_works_against_the_server() {
    let app = TestApp::builder().env("TRPC_TRANSFORMER", "superjson").spawn().await;
    let admin = app.create_user("superjson-admin@example.com", Role::Admin).await;
    let env = vec![
        ("TRPC_URL", format!("{}/trpc", app.base_url)),
        ("TRPC_TEST_HEADER", format!("authorization: {}", app.bearer(&admin))),
    ];
    run_node_checks("ts", "superjson", "test/trpc-superjson.mjs", env, "9 passed, 0 failed").await;
}
