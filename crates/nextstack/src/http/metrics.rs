//! `GET /metrics`: the Prometheus scrape (decision 18). With `METRICS_TOKEN`
//! set it needs `Authorization: Bearer <token>`; without, it is open — put it
//! behind the load balancer's private side or set the token in production.

use axum::extract::{Extension, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::error::HttpError;
use crate::middleware::request_id::RequestId;

/// OpenMetrics text, which Prometheus reads natively.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The scrape.
pub async fn metrics(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    if !state.metrics.enabled {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(token) = &state.config.metrics_token {
        let sent =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let allowed = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(token.expose_secret().as_bytes())));
        if !allowed {
            let mut response = HttpError::new(StatusCode::UNAUTHORIZED, "Unauthorized", "A metrics token is required")
                .render(request_id.as_str());
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    let sessions = &state.sessions;
    state.metrics.session_cache_entries.set(i64::try_from(sessions.len()).unwrap_or(i64::MAX));
    state
        .metrics
        .session_cache_bypassed
        .set(i64::from(state.config.session_cache.ttl > std::time::Duration::ZERO && !sessions.is_serving()));
    match state.metrics.render(&state.db) {
        Ok(text) => ([(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], text).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "metrics could not be encoded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
