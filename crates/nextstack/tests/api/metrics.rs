//! `GET /metrics` (issue 11, decision 18): valid OpenMetrics for the reference
//! parser, counters that move by exactly the calls made, labels that stay
//! bounded whatever paths clients send, and `METRICS_TOKEN`.

use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Every sample, as the strict parser read them (panics on a format error).
fn parse(text: &str) -> Vec<Value> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/helpers/openmetrics_check.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test installs prometheus-client)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "not valid OpenMetrics: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn scrape(app: &TestApp) -> Vec<Value> {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    parse(&res.text().await.unwrap())
}

/// The value of the sample `name` whose labels include `labels`.
fn value(samples: &[Value], name: &str, labels: Value) -> f64 {
    samples
        .iter()
        .filter(|s| s["name"] == name)
        .find(|s| labels.as_object().unwrap().iter().all(|(k, v)| s["labels"][k] == *v))
        .and_then(|s| s["value"].as_f64())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_parse_strictly_and_count_exactly() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    let calls = json!({"procedure": "_meta.health", "type": "query", "code": "OK"});
    let http = json!({"method": "GET", "route": "/trpc", "status": "200"});
    // A batch of three is one HTTP request and three calls.
    let res = app.get("/trpc/_meta.health,_meta.health,_meta.health?batch=1").await;
    assert_eq!(res.status(), 200);
    let (status, _) = app.query("core.user.get", Some(&json!({"id": "cnotarealuserid0000000000"})), None).await;
    assert_eq!(status, 401);
    let after = scrape(&app).await;
    let moved = |name: &str, labels: Value| value(&after, name, labels.clone()) - value(&before, name, labels);
    assert_eq!(moved("nextstack_trpc_calls_total", calls), 3.0);
    assert_eq!(moved("nextstack_trpc_calls_total", json!({"procedure": "core.user.get", "code": "UNAUTHORIZED"})), 1.0);
    assert_eq!(moved("nextstack_http_requests_total", http), 1.0);
    assert_eq!(moved("nextstack_http_requests_total", json!({"route": "/trpc", "status": "401"})), 1.0);
    let latency = json!({"procedure": "_meta.health", "type": "query"});
    assert_eq!(moved("nextstack_trpc_call_duration_seconds_count", latency), 3.0);
    // Process and pool figures are there.
    for name in ["process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"] {
        assert!(value(&after, name, json!({})) > 0.0, "{name}");
    }
    assert!(after.iter().any(|s| s["name"] == "process_cpu_seconds_total"));
    assert_eq!(value(&after, "nextstack_db_pool_max_connections", json!({})), 3.0);
    assert!(after.iter().any(|s| s["name"] == "nextstack_db_pool_connections" && s["labels"]["state"] == "idle"));
    assert!(after.iter().any(|s| s["name"] == "nextstack_db_pool_acquire_wait_seconds_count"));
}

#[tokio::test]
async fn labels_stay_bounded_whatever_paths_clients_send() {
    let app = TestApp::spawn().await;
    for i in 0..500 {
        app.get(&format!("/nowhere/{i}")).await;
        app.get(&format!("/trpc/made.up{i}")).await;
    }
    let samples = scrape(&app).await;
    let routes: HashSet<String> = samples
        .iter()
        .filter(|s| s["name"] == "nextstack_http_requests_total")
        .map(|s| s["labels"]["route"].as_str().unwrap().to_string())
        .collect();
    assert!(routes.len() <= 3, "route labels: {routes:?}");
    assert!(routes.contains("unmatched"));
    let procedures: HashSet<String> = samples
        .iter()
        .filter(|s| s["name"] == "nextstack_trpc_calls_total")
        .map(|s| s["labels"]["procedure"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(procedures, HashSet::from(["unknown".to_string()]), "made-up procedures fold into one value");
    assert_eq!(
        value(&samples, "nextstack_trpc_calls_total", json!({"procedure": "unknown", "code": "NOT_FOUND"})),
        500.0
    );
}

#[tokio::test]
async fn a_metrics_token_is_required_when_set() {
    let app = TestApp::builder().env("METRICS_TOKEN", "scrape-secret").spawn().await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let wrong = app.client.get(app.url("/metrics")).header("authorization", "Bearer nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let right =
        app.client.get(app.url("/metrics")).header("authorization", "Bearer scrape-secret").send().await.unwrap();
    assert_eq!(right.status(), 200);
    let off = TestApp::builder().env("METRICS_ENABLED", "false").spawn().await;
    assert_eq!(off.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn rate_limit_rejections_and_sign_ins_are_counted() {
    let app = TestApp::builder().env("RATE_LIMIT_MAX_REQUESTS", "1").spawn().await;
    app.get("/trpc/_meta.health").await;
    assert_eq!(app.get("/trpc/_meta.health").await.status(), 429);
    let res =
        crate::auth::post(&app, "/sign-in/email", json!({"email": "no@example.com", "password": "whatever1"}), None);
    assert_eq!(res.await.status(), 401);
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "nextstack_rate_limit_rejections_total", json!({"limiter": "trpc"})), 1.0);
    assert_eq!(value(&samples, "nextstack_sign_ins_total", json!({"result": "invalid_credentials"})), 1.0);
}
