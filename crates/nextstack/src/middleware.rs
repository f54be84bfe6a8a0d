//! The middleware stack, in one function and one documented order.

pub mod body_limit;
pub mod capacity;
pub mod client_ip;
pub mod cors;
pub mod drain;
pub mod logging;
pub mod panic_guard;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod timeout;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use tower::util::MapResponseLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};

use crate::app::AppState;

/// Wraps `router` in the stack. Outermost first:
///
/// 1. request id and logging span — every later layer and log line can name the request;
///    method, path, status, latency, and the one log line of an error cause;
/// 2. drain — a body left unread by an early refusal is read off (bounded) before
///    the answer, so the client receives it instead of a connection reset;
/// 3. security headers — on every response, the 504 and 413 included (helmet sets them
///    before Express's timeout fires, so the original's 504s carried them too);
/// 4. CORS — likewise on every response; answers preflights before the rate limit counts them;
/// 5. capacity — 503 at once beyond `MAX_IN_FLIGHT_REQUESTS` running handlers (load shedding);
/// 6. timeout — 504 JSON; cancels the handler; streams are exempt once their head is sent;
/// 7. compression — gzip/br for JSON, never for streams;
/// 8. body limit — 413 JSON beyond `MAX_BODY_BYTES`;
/// 9. rate limit — `/trpc` (per call) and storage uploads, with `RateLimit-*` headers;
/// 10. panic guard — a bug in a handler becomes a logged 500 JSON, never a dropped connection.
pub fn stack(router: Router, state: &AppState) -> Router {
    // axum applies the last `.layer` outermost, so this list runs bottom-up.
    router
        .layer(from_fn(panic_guard::guard))
        .layer(from_fn_with_state(state.clone(), rate_limit::limit_requests))
        .layer(from_fn_with_state(state.clone(), body_limit::limit))
        .layer(CompressionLayer::new().gzip(true).br(true).compress_when(DefaultPredicate::new().and(NotStreaming)))
        .layer(from_fn_with_state(state.clone(), timeout::timeout))
        .layer(from_fn_with_state(state.clone(), capacity::shed))
        .layer(cors::layer(&state.config))
        .layer(MapResponseLayer::new(security_headers::set))
        .layer(from_fn_with_state(state.clone(), drain::drain_refused))
        .layer(from_fn_with_state(state.clone(), logging::log))
}

/// Leaves live streams (JSONL) uncompressed: a compressor buffers, which would
/// hold back chunks the client is waiting for. Stored files are sent as they are.
#[derive(Clone, Copy)]
struct NotStreaming;

impl Predicate for NotStreaming {
    fn should_compress<B: http_body::Body>(&self, response: &http::Response<B>) -> bool {
        // Files served with byte ranges keep their exact bytes and length.
        response.extensions().get::<nextstack_trpc::StreamingBody>().is_none()
            && !response.headers().contains_key(http::header::ACCEPT_RANGES)
    }
}
