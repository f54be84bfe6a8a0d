//! `GET /ready`: readiness. 200 when every dependency answers, 503 naming the one that does not.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::app::AppState;

/// Checks the database (one round trip) and the storage folder.
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = match state.db.ping().await {
        Ok(()) => "ok",
        Err(err) => {
            tracing::error!(error = %err, "readiness: database check failed");
            "unavailable"
        }
    };
    let storage = if state.config.storage_local_dir.is_dir() { "ok" } else { "unavailable" };
    let redis = if state.config.redis_url.is_some() { "unavailable" } else { "disabled" };
    let all_ok = database == "ok" && storage == "ok" && redis != "unavailable";
    let body = json!({
        "status": if all_ok { "ready" } else { "not ready" },
        "checks": { "database": database, "storage": storage, "redis": redis },
    });
    let status = if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}
