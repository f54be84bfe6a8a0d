//! Fixed-window rate limiting on `/trpc` (express-rate-limit's behaviour with
//! `standardHeaders: true`): `RateLimit-Policy`, `-Limit`, `-Remaining`, `-Reset`
//! on every response; 429 JSON with `Retry-After` beyond the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::json;

use crate::app::AppState;
use crate::config::RateLimitConfig;
use crate::middleware::client_ip::client_ip;
use crate::middleware::request_id::RequestId;
use crate::wire::time::now_iso;

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
    /// Counts one request for `key` in a window of `window`.
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> BoxFuture<'a, anyhow::Result<Hit>>;
}

/// Counters in this process's memory.
#[derive(Default)]
pub struct MemoryStore {
    windows: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    by_key: HashMap<String, (u64, Instant)>,
    /// Size at which expired windows are next swept; doubling it after each
    /// sweep keeps the cost amortised O(1) even when every window is live.
    sweep_at: usize,
}

impl MemoryStore {
    fn hit_now(&self, key: &str, window: Duration, now: Instant) -> Hit {
        let mut guard = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Windows { by_key: windows, sweep_at } = &mut *guard;
        // Forget expired windows now and then so the map cannot grow without bound.
        if windows.len() >= (*sweep_at).max(10_000) {
            windows.retain(|_, (_, start)| now.duration_since(*start) < window);
            *sweep_at = windows.len() * 2;
        }
        let count = |entry: &mut (u64, Instant)| {
            if now.duration_since(entry.1) >= window {
                *entry = (0, now);
            }
            entry.0 += 1;
            Hit { count: entry.0, reset_after: window.saturating_sub(now.duration_since(entry.1)) }
        };
        // Look up before inserting: the common case (a known client) allocates nothing.
        match windows.get_mut(key) {
            Some(entry) => count(entry),
            None => {
                let mut entry = (0, now);
                let hit = count(&mut entry);
                windows.insert(key.to_string(), entry);
                hit
            }
        }
    }
}

impl RateLimitStore for MemoryStore {
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> BoxFuture<'a, anyhow::Result<Hit>> {
        let hit = self.hit_now(key, window, Instant::now());
        Box::pin(async move { Ok(hit) })
    }
}

/// Limits `/trpc` requests per client address.
pub async fn limit_trpc(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path != "/trpc" && !path.starts_with("/trpc/") {
        return next.run(req).await;
    }
    let limit = state.config.rate_limit;
    let (parts, body) = req.into_parts();
    let key = match client_ip(&parts, state.config.trust_proxy) {
        Some(ip) => format!("trpc:{ip}"),
        None => "trpc:unknown".to_string(),
    };
    let req = Request::from_parts(parts, body);
    let hit = match state.rate_limits.hit(&key, limit.window).await {
        Ok(hit) => hit,
        Err(err) => {
            // A store outage must not take the API down: let the request through.
            tracing::error!(error = %err, "rate-limit store failed; request not counted");
            return next.run(req).await;
        }
    };
    if hit.count > limit.max_requests {
        let request_id = RequestId::of(req.extensions());
        let retry_after = hit.reset_after.as_secs_f64().ceil() as u64;
        let body = json!({
            "error": "Too many requests from this IP, please try again later.",
            "requestId": request_id.as_str(),
            "retryAfter": retry_after,
            "timestamp": now_iso(),
        });
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
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
    fn window_counts_then_resets() {
        let store = MemoryStore::default();
        let t0 = Instant::now();
        let w = Duration::from_secs(10);
        assert_eq!(store.hit_now("a", w, t0).count, 1);
        assert_eq!(store.hit_now("a", w, t0 + Duration::from_secs(1)).count, 2);
        assert_eq!(store.hit_now("b", w, t0).count, 1);
        let after = store.hit_now("a", w, t0 + Duration::from_secs(10));
        assert_eq!(after.count, 1);
        assert_eq!(after.reset_after, w);
    }
}
