//! Fixed-window rate limiting on `/trpc` and signed uploads (express-rate-limit's
//! behaviour with `standardHeaders: true`): `RateLimit-Policy`, `-Limit`,
//! `-Remaining`, `-Reset` on every response; 429 JSON with `Retry-After` beyond
//! the limit. Each call of a `/trpc` batch counts (decision 21).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::app::AppState;
use crate::config::RateLimitConfig;
use crate::error::HttpError;
use crate::middleware::client_ip::{client_ip_of, limit_key};
use crate::middleware::request_id::RequestId;

mod memory;
mod redis;
mod shared;

pub use memory::MemoryStore;
pub use shared::SharedStore;

/// The state of one client's window after counting a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Requests in the current window, this one included.
    pub count: u64,
    /// Time until the window resets.
    pub reset_after: Duration,
}

/// Where counters live: in process here; a Redis store shares them between processes.
pub trait RateLimitStore: Send + Sync + 'static {
    /// Counts `cost` requests for `key` in a window of `window`.
    fn hit<'a>(&'a self, key: &'a str, window: Duration, cost: u64) -> BoxFuture<'a, anyhow::Result<Hit>>;
}

/// Calls a `/trpc` request makes: each call of a batch counts (decision 21),
/// decoded as the engine decodes them. Capped one past the batch limit: a
/// bigger batch is refused whole anyway.
fn calls_in(req: &Request, max_batch: usize) -> u64 {
    let path = req.uri().path().trim_start_matches("/trpc");
    nextstack_trpc::calls_in(path, req.uri().query()).min(max_batch + 1) as u64
}

/// Limits `/trpc` calls (`RATE_LIMIT_*`) and signed storage uploads
/// (`UPLOAD_RATE_LIMIT_*`) per client address.
pub async fn limit_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let (scope, limit, cost) = if path == "/trpc" || path.starts_with("/trpc/") {
        ("trpc", state.config.rate_limit, calls_in(&req, state.config.trpc_max_batch_size))
    } else if path.starts_with("/storage/upload/") && req.method() == http::Method::PUT {
        ("upload", state.config.upload_rate_limit, 1)
    } else {
        return next.run(req).await;
    };
    let key = format!("{scope}:{}", limit_key(client_ip_of(&req, state.config.trust_proxy)));
    let hit = match state.rate_limits.hit(&key, limit.window, cost).await {
        Ok(hit) => hit,
        Err(err) => {
            // A store outage must not take the API down: let the request through.
            tracing::error!(error = %err, "rate-limit store failed; request not counted");
            return next.run(req).await;
        }
    };
    if hit.count > limit.max_requests {
        state.metrics.rate_limited(scope);
        let request_id = RequestId::of(req.extensions());
        let retry_after = hit.reset_after.as_secs_f64().ceil() as u64;
        let limited = HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests from this IP, please try again later.",
            format!("Retry in {retry_after} s"),
        );
        let mut response = limited.with("retryAfter", retry_after.into()).render(request_id.as_str());
        set_headers(response.headers_mut(), limit, hit);
        response.headers_mut().insert("retry-after", HeaderValue::from(retry_after));
        return response;
    }
    let mut response = next.run(req).await;
    set_headers(response.headers_mut(), limit, hit);
    response
}

static POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

fn set_headers(headers: &mut HeaderMap, limit: RateLimitConfig, hit: Hit) {
    headers.reserve(24);
    let window_secs = limit.window.as_secs_f64().ceil() as u64;
    let policy = format!("{};w={}", limit.max_requests, window_secs);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(POLICY.clone(), value);
    }
    headers.insert(LIMIT.clone(), HeaderValue::from(limit.max_requests));
    headers.insert(REMAINING.clone(), HeaderValue::from(limit.max_requests.saturating_sub(hit.count)));
    headers.insert(RESET.clone(), HeaderValue::from(hit.reset_after.as_secs_f64().ceil() as u64));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_of_a_batch_counts() {
        let req = |uri: &str| Request::builder().uri(uri).body(axum::body::Body::empty()).unwrap();
        assert_eq!(calls_in(&req("/trpc/a.b"), 100), 1);
        assert_eq!(calls_in(&req("/trpc/a,b,c?batch=1&input=%7B%7D"), 100), 3);
        assert_eq!(calls_in(&req(&format!("/trpc/{}?batch=1", vec!["x"; 500].join(","))), 100), 101);
        assert_eq!(calls_in(&req("/trpc/a%2Cb%2Cc?batch=%31"), 100), 3, "encoding does not hide calls");
    }
}
