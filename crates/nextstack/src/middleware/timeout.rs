//! Request timeout (decision 13): after `REQUEST_TIMEOUT_MS` the handler future
//! is dropped (cancelled) and the client gets 504 JSON. A streaming response
//! (JSONL, SSE) is exempt once its head has been produced, and signed uploads
//! have an idle timeout of the same length instead.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;

use crate::app::AppState;
use crate::error::HttpError;
use crate::middleware::request_id::RequestId;

/// Runs the rest of the stack under the configured deadline.
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.request_timeout;
    if req.uri().path().starts_with("/storage/upload/") {
        // A large upload on a slow link may take longer than any fixed deadline; the
        // handler instead gives up when no bytes arrive for `REQUEST_TIMEOUT_MS`.
        return next.run(req).await;
    }
    let request_id = RequestId::of(req.extensions());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = limit.as_millis() as u64, "request timed out");
            let message = format!("Request exceeded {}ms timeout", limit.as_millis());
            HttpError::new(StatusCode::GATEWAY_TIMEOUT, "Request timeout", message).render(request_id.as_str())
        }
    }
}
