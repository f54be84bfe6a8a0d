//! `GET /metrics`: the Prometheus scrape (decision 18). With `METRICS_TOKEN`
//! set it needs `Authorization: Bearer <token>`; without, it is open — put it
//! behind the load balancer's private side or set the token in production.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use secrecy::ExposeSecret;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::app::AppState;

/// OpenMetrics text, which Prometheus reads natively.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The scrape.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.metrics.enabled {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(token) = &state.config.metrics_token {
        let sent =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let allowed = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(token.expose_secret().as_bytes())));
        if !allowed {
            let mut response = (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": "Unauthorized", "message": "A metrics token is required" })),
            )
                .into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    match state.metrics.render(&state.db) {
        Ok(text) => ([(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], text).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "metrics could not be encoded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
