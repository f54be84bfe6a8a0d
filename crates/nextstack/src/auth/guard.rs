//! What every `/api/auth` request passes first: the auth rate limit
//! (decision 10: per client address, on in every environment), BetterAuth's
//! origin check (PROTOCOL.md 3.6) on every POST that names an origin — with or
//! without a cookie, since a cross-site form can sign a victim into the
//! attacker's account (login CSRF; BetterAuth checks cookieless sign-in and
//! sign-up since PR #9973) — and JSON-only bodies: a `text/plain` body is what
//! a cross-site `<form>` can send without a CORS preflight.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, REFERER, TRANSFER_ENCODING};
use http::{HeaderValue, Method, StatusCode};
use serde_json::json;

use crate::app::AppState;
use crate::auth::callback;
use crate::auth::error::messages;
use crate::middleware::client_ip::{client_ip_of, limit_key};

/// Paths limited strictly: BetterAuth's (sign-in, sign-up, password and email
/// changes) plus the ones that send mail, so they cannot be used to flood inboxes.
fn sensitive_route(path: &str) -> Option<&'static str> {
    [
        "/sign-in",
        "/sign-up",
        "/change-password",
        "/change-email",
        "/request-password-reset",
        "/forget-password",
        "/send-verification-email",
        // Each costs a provider round trip (token exchange, discovery).
        "/callback",
        "/oauth2/callback",
        "/expo-authorization-proxy",
    ]
    .into_iter()
    .find(|p| path.starts_with(p))
    // The deprecated alias shares its limit.
    .map(|p| if p == "/forget-password" { "/request-password-reset" } else { p })
}

/// Applies the limit and the origin check, then the route.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Keyed on the route, not the raw path: `/sign-in/<anything>` must not open a new window each time.
    if let Some(route) = sensitive_route(req.uri().path()) {
        let ip = limit_key(client_ip_of(&req, state.config.trust_proxy));
        let limit = state.config.auth_rate_limit;
        let key = format!("auth:{ip}:{route}");
        match state.rate_limits.hit(&key, limit.window, 1).await {
            Ok(hit) if hit.count > limit.max_requests => {
                state.metrics.rate_limited("auth");
                let retry = hit.reset_after.as_secs_f64().ceil() as u64;
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({ "message": "Too many requests. Please try again later." })),
                )
                    .into_response();
                response.headers_mut().insert("x-retry-after", HeaderValue::from(retry));
                return response;
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "auth rate-limit store failed; request not counted"),
        }
        return check_origin(&state, req, next).await;
    }
    check_origin(&state, req, next).await
}

/// `@better-auth/expo`'s header: a native app has no `Origin`, so it names its scheme here.
static EXPO_ORIGIN: http::HeaderName = http::HeaderName::from_static("expo-origin");

/// The provider's `response_mode=form_post` callback is a cross-site form POST
/// by design; it is protected by the single-use state bound to the browser,
/// and answered by a redirect to the GET callback (routes/social.rs).
fn is_provider_callback(path: &str) -> bool {
    path.starts_with("/callback/") || path.starts_with("/oauth2/callback/")
}

async fn check_origin(state: &AppState, req: Request, next: Next) -> Response {
    if req.method() == Method::POST && !is_provider_callback(req.uri().path()) {
        // As `@better-auth/expo`'s server plugin: `expo-origin` stands in for a missing `Origin`.
        let header = req
            .headers()
            .get(ORIGIN)
            .or_else(|| req.headers().get(&EXPO_ORIGIN))
            .or_else(|| req.headers().get(REFERER));
        // Browsers always send Origin on cross-site POSTs; no Origin and no Referer
        // means a non-browser client, which CSRF cannot involve. Anything sent —
        // including `null` or garbage — must name a trusted origin.
        if let Some(value) = header {
            let trusted = value.to_str().ok().is_some_and(|v| callback::is_trusted_origin(&state.config, v));
            if !trusted {
                return messages::INVALID_ORIGIN.into_response();
            }
        }
        if has_body(&req) && !is_json(&req) {
            return messages::UNSUPPORTED_MEDIA_TYPE.into_response();
        }
    }
    next.run(req).await
}

fn has_body(req: &Request) -> bool {
    let headers = req.headers();
    headers.contains_key(TRANSFER_ENCODING) || headers.get(CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0")
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}
