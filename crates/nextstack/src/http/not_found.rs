//! The JSON 404 for every path nothing else answers.

use axum::Json;
use axum::extract::{Extension, OriginalUri};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::middleware::request_id::RequestId;
use crate::wire::time::now_iso;

/// `404 {error, message, requestId, timestamp, availableEndpoints}`.
pub async fn not_found(
    method: Method,
    OriginalUri(uri): OriginalUri,
    Extension(request_id): Extension<RequestId>,
) -> (StatusCode, Json<Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "error": "Route not found",
            "message": format!("The requested endpoint {method} {uri} does not exist"),
            "requestId": request_id.as_str(),
            "timestamp": now_iso(),
            "availableEndpoints": ["/health", "/ready", "/metrics", "/api/auth", "/trpc"],
        })),
    )
}
