//! The request's identity and trace: assigns the request id (one layer, not
//! two, as both run on every request), opens one span per request (method,
//! path, request id), and logs one line when it ends (status, latency). An
//! error cause travels in a response extension and is logged here, once.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::app::AppState;
use crate::middleware::request_id;

/// The internal cause of an error response, for the log only.
#[derive(Clone)]
pub struct ErrorCause(pub Arc<dyn std::error::Error + Send + Sync>);

/// Assigns the request id, runs the request inside its span, logs its outcome
/// and counts it (by route template: never the raw path a client chose).
pub async fn log(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    // A cheap handle (an `Arc<str>`), kept past the move of the request.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    // `/trpc` is a nested service: axum matches it without recording a template.
    let is_trpc = matched.is_none() && (req.uri().path() == "/trpc" || req.uri().path().starts_with("/trpc/"));
    let id = request_id::assign(&mut req);
    let request_id = id.as_str();
    // Field values are recorded now, borrowed: no allocation when the span is disabled.
    let span =
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %request_id);
    let mut response = async move {
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
    .await;
    request_id::echo(&mut response, id);
    let route = match &matched {
        Some(matched) => Some(route_label(matched.as_str())),
        None if is_trpc => Some("/trpc"),
        None => None,
    };
    state.metrics.http(&method, route, response.status().as_u16(), started.elapsed());
    response
}

/// A route template as a label: nested routers' catch-all tails (`/trpc/{*…}`) become their mount point.
fn route_label(template: &str) -> &str {
    match template.find("/{*") {
        Some(0) => "/",
        Some(at) => &template[..at],
        None => template,
    }
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
