//! Load shedding: at most `MAX_IN_FLIGHT_REQUESTS` requests run their
//! handlers at once; one more is answered 503 with `Retry-After` at once,
//! instead of queueing until memory or the database pool runs out. A request
//! holds its slot until its response head exists — a JSON-lines stream until
//! its last line, since its calls run on behind the head; event streams and
//! downloads then run on without one, bounded by the connection cap and their
//! own limits. `/health` is never shed (liveness must not fail under load).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use tokio::sync::Semaphore;

use crate::app::AppState;
use crate::error::HttpError;
use crate::guarded_body::Guarded;
use crate::middleware::request_id::RequestId;

/// Slots for running handlers.
#[derive(Clone)]
pub struct Capacity(Arc<Semaphore>);

impl Capacity {
    /// `max` handlers at once.
    pub fn new(max: usize) -> Self {
        Self(Arc::new(Semaphore::new(max)))
    }
}

/// Runs the request if a slot is free, else answers 503.
pub async fn shed(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/health" {
        return next.run(req).await;
    }
    let Ok(slot) = state.capacity.0.clone().try_acquire_owned() else {
        tracing::warn!("request shed: MAX_IN_FLIGHT_REQUESTS reached");
        let request_id = RequestId::of(req.extensions());
        let shed = HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            "The server is at capacity; retry shortly",
        );
        let mut response = shed.render(request_id.as_str());
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let response = next.run(req).await;
    // A JSON-lines stream's calls keep working after its head is sent: the slot
    // stays taken until the stream ends. (Event streams live for hours and are
    // bounded per user instead.)
    let streaming = response.extensions().get::<nextstack_trpc::StreamingBody>().is_some();
    let events = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"text/event-stream");
    if streaming && !events {
        return response.map(|body| Guarded::wrap(body, slot));
    }
    response
}
