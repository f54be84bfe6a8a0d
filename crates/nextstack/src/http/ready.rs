//! `GET /ready`: readiness. 200 when every dependency answers, 503 naming the one that does not.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::app::AppState;

/// Checks the database (one round trip) and storage (the folder, or a bucket listing).
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = match state.db.ping().await {
        Ok(()) => "ok",
        Err(err) => {
            tracing::error!(error = %err, "readiness: database check failed");
            "unavailable"
        }
    };
    let storage = match state.storage.check().await {
        Ok(()) => "ok",
        Err(err) => {
            tracing::error!(error = %err, cause = ?std::error::Error::source(&err), "readiness: storage check failed");
            "unavailable"
        }
    };
    let redis = if state.config.redis_url.is_some() { "unavailable" } else { "disabled" };
    let all_ok = database == "ok" && storage == "ok" && redis != "unavailable";
    let body = json!({
        "status": if all_ok { "ready" } else { "not ready" },
        "checks": { "database": database, "storage": storage, "redis": redis },
    });
    let status = if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}
