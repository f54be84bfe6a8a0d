//! `GET /health`: liveness, no database access.

use axum::Json;
use axum::extract::{Extension, State};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::middleware::request_id::RequestId;
use crate::wire::time::now_iso;

/// `{status, service, version, timestamp, uptime, memory: {rss}, environment, requestId}`.
pub async fn health(State(state): State<AppState>, Extension(request_id): Extension<RequestId>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "service": "nextstack-api",
        "version": env!("CARGO_PKG_VERSION"),
        "timestamp": now_iso(),
        "uptime": state.started.elapsed().as_secs_f64(),
        "memory": { "rss": resident_bytes() },
        "environment": state.config.environment.as_str(),
        "requestId": request_id.as_str(),
    }))
}

/// Resident set size in bytes (Linux `/proc/self/statm`; 0 elsewhere).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}
