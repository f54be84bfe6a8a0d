//! One span per request (method, path, request id) and one line when it ends
//! (status, latency). An error cause travels in a response extension and is
//! logged here, once, inside the span.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::middleware::request_id::RequestId;

/// The internal cause of an error response, for the log only.
#[derive(Clone)]
pub struct ErrorCause(pub Arc<dyn std::error::Error + Send + Sync>);

/// Runs the request inside its span and logs its outcome.
pub async fn log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_else(|| "-".into());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("request", %method, %path, request_id = %request_id);
    async move {
        let response = next.run(req).await;
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Some(ErrorCause(cause)) = response.extensions().get::<ErrorCause>() {
            tracing::error!(error = %error_chain(cause.as_ref()), "request failed");
        }
        if status >= 500 {
            tracing::warn!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
        response
    }
    .instrument(span)
    .await
}

/// `outer: inner: innermost`, for one log field.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        text.push_str(": ");
        text.push_str(&e.to_string());
        next = e.source();
    }
    text
}
