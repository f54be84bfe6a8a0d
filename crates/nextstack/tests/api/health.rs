//! `/health`, `/ready` and the `_meta` procedures.

use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn health_reports_liveness_without_the_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/health").await;
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["service"], "nextstack-api");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["environment"], "test");
    assert_eq!(body["requestId"], id.as_str());
    assert!(body["uptime"].as_f64().unwrap() >= 0.0);
    assert!(body["memory"]["rss"].as_u64().unwrap() > 0);
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn ready_checks_the_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["redis"], "disabled");
}

#[tokio::test]
async fn ready_is_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.clone().close().await.unwrap();
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "down");
    let (status, body) = crate::helpers::send_json(
        app.query_request("core.user.list", None).header("authorization", "Bearer aSessionTokenThatNeedsTheDatabase"),
    )
    .await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["data"]["code"], "SERVICE_UNAVAILABLE");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.to_lowercase().contains("pool") && !message.contains("sql"), "no internals: {message}");
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200, "liveness does not depend on the database");
}
