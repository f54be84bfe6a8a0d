//! `GET /ready`: readiness (API.md). 200 `ready` when every dependency answers;
//! 200 `degraded` when Redis or storage does not (every replica shares them:
//! failing all of them would take the whole fleet out of the load balancer,
//! and each still serves — per-process rate limits, storage calls fail alone);
//! 503 when the database does not (nothing can be served), or from the
//! shutdown signal on (`draining`). Every probe has its own short deadline, so
//! the answer comes within a second.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::app::AppState;

/// Each dependency's check gets this long.
const PROBE_TIMEOUT: Duration = Duration::from_millis(800);

/// What each dependency answered: `ok`, `down`, or `disabled` (Redis unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct ReadyChecks {
    /// The database.
    pub database: &'static str,
    /// File storage.
    pub storage: &'static str,
    /// Redis (rate limits).
    pub redis: &'static str,
}

/// ReadyChecks the database, storage and Redis concurrently, each within its deadline.
pub async fn checks(state: &AppState) -> ReadyChecks {
    let database = async {
        match tokio::time::timeout(PROBE_TIMEOUT, state.db.ping()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "readiness: database check failed");
                "down"
            }
            Err(_) => "down",
        }
    };
    let storage = async {
        match tokio::time::timeout(PROBE_TIMEOUT, state.storage.check()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(err)) => {
                tracing::warn!(error = %err, cause = ?std::error::Error::source(&err), "readiness: storage check failed");
                "down"
            }
            Err(_) => "down",
        }
    };
    let redis = async {
        match &state.redis {
            None => "disabled",
            Some(redis) if redis.ping().await => "ok",
            Some(_) => "down",
        }
    };
    let (database, storage, redis) = tokio::join!(database, storage, redis);
    ReadyChecks { database, storage, redis }
}

/// `GET /ready`.
pub async fn ready(State(state): State<AppState>) -> Response {
    if *state.stopping.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" }))).into_response();
    }
    let checks = checks(&state).await;
    if checks.database != "ok" {
        let body = json!({ "status": "not ready", "checks": checks });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    let status = if checks.storage == "ok" && checks.redis != "down" { "ready" } else { "degraded" };
    (StatusCode::OK, Json(json!({ "status": status, "checks": checks }))).into_response()
}
