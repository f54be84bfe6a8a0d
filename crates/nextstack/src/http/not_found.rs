//! The JSON 404 for every path nothing else answers.

use axum::extract::{Extension, OriginalUri};
use axum::response::Response;
use http::{Method, StatusCode};
use serde_json::json;

use crate::error::HttpError;
use crate::middleware::request_id::RequestId;

/// `404 {error, message, requestId, timestamp, availableEndpoints}`.
pub async fn not_found(
    method: Method,
    OriginalUri(uri): OriginalUri,
    Extension(request_id): Extension<RequestId>,
) -> Response {
    let message = format!("The requested endpoint {method} {uri} does not exist");
    HttpError::new(StatusCode::NOT_FOUND, "Route not found", message)
        .with("availableEndpoints", json!(["/health", "/ready", "/metrics", "/api/auth", "/trpc"]))
        .render(request_id.as_str())
}
