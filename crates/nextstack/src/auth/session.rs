//! Reading and writing the session on HTTP: the signed cookie or an
//! `Authorization: Bearer` token in, `Set-Cookie` and `set-auth-token` out,
//! and the identity resolver that makes the session the tRPC caller.

use futures::future::BoxFuture;
use http::header::{AUTHORIZATION, COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue};
use secrecy::ExposeSecret;

use crate::app::AppState;
use crate::auth::cookie;
use crate::config::{Config, Environment};
use crate::error::AppError;
use crate::rpc::identity::{Caller, IdentityResolver};
use crate::services::session::{self, SessionHolder};

const BASE_NAME: &str = "better-auth.session_token";

/// True when cookies get the `__Secure-` prefix and `Secure` (production, or an https auth URL).
pub fn secure_cookies(config: &Config) -> bool {
    config.environment == Environment::Production || config.auth_url.starts_with("https://")
}

/// The session cookie's name.
pub fn cookie_name(config: &Config) -> &'static str {
    if secure_cookies(config) { "__Secure-better-auth.session_token" } else { BASE_NAME }
}

/// The session token a request carries: the signed cookie, else a bearer token
/// (raw, as the JSON `token`, or signed, as `set-auth-token`). A bad signature is no token.
pub fn token_from_headers(config: &Config, headers: &HeaderMap) -> Option<String> {
    let from_cookie = signed_cookie(config, headers, cookie_name(config));
    if from_cookie.is_some() {
        return from_cookie;
    }
    let bearer = headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")?;
    token_from_bearer(config, bearer)
}

/// The value of the signed cookie `name`, if present and its signature holds.
fn signed_cookie(config: &Config, headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| cookie::verify(v, config.auth_secret.expose_secret().as_bytes()))
}

/// A bearer token as clients hold it: raw (the JSON `token`) or signed (as
/// `set-auth-token` sends it). A bad signature is no token.
pub fn token_from_bearer(config: &Config, bearer: &str) -> Option<String> {
    let bearer = bearer.trim();
    if bearer.contains('.') {
        cookie::verify(bearer, config.auth_secret.expose_secret().as_bytes())
    } else {
        Some(bearer.to_string()).filter(|t| !t.is_empty())
    }
}

/// `Set-Cookie` for a new or refreshed session (`remember: false` → a browser-session cookie).
pub fn set_cookie(config: &Config, token: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let value = cookie::cookie_value(token, config.auth_secret.expose_secret().as_bytes());
    let mut text = format!("{}={value}", cookie_name(config));
    if let Some(age) = max_age_secs {
        text.push_str(&format!("; Max-Age={age}"));
    }
    text.push_str("; Path=/; HttpOnly; SameSite=Lax");
    if secure_cookies(config) {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).expect("cookie text is ASCII")
}

fn dont_remember_name(config: &Config) -> &'static str {
    if secure_cookies(config) { "__Secure-better-auth.dont_remember" } else { "better-auth.dont_remember" }
}

/// `Set-Cookie` marking a `rememberMe: false` session (signed `true`, browser-session lifetime):
/// such a session is never refreshed.
pub fn dont_remember_cookie(config: &Config) -> HeaderValue {
    let value = cookie::cookie_value("true", config.auth_secret.expose_secret().as_bytes());
    let secure = if secure_cookies(config) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}", dont_remember_name(config)))
        .expect("cookie text is ASCII")
}

/// True when the request carries a valid `dont_remember` cookie.
pub fn dont_remember(config: &Config, headers: &HeaderMap) -> bool {
    signed_cookie(config, headers, dont_remember_name(config)).as_deref() == Some("true")
}

fn state_cookie_name(config: &Config) -> &'static str {
    if secure_cookies(config) { "__Secure-better-auth.state" } else { "better-auth.state" }
}

/// `Set-Cookie` for a signed cookie `name` holding `value` for `max_age` seconds.
fn signed_cookie_header(config: &Config, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let signed = cookie::cookie_value(value, config.auth_secret.expose_secret().as_bytes());
    let secure = if secure_cookies(config) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={signed}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .expect("cookie text is ASCII")
}

/// `Set-Cookie` removing the cookie `name`.
fn removal_header(config: &Config, name: &str) -> HeaderValue {
    let secure = if secure_cookies(config) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .expect("cookie text is ASCII")
}

/// `Set-Cookie` binding a social sign-in's state to this browser (signed, as
/// BetterAuth's `state` cookie, for as long as the flow lives).
pub fn state_cookie(config: &Config, state: &str) -> HeaderValue {
    let max_age = crate::services::oauth_flow::LIFETIME.num_seconds();
    signed_cookie_header(config, state_cookie_name(config), state, max_age)
}

/// `Set-Cookie` removing the state cookie once the flow is over.
pub fn clear_state_cookie(config: &Config) -> HeaderValue {
    removal_header(config, state_cookie_name(config))
}

/// The state this browser's signed state cookie holds, if any (a bad signature is none).
pub fn state_from_cookie(config: &Config, headers: &HeaderMap) -> Option<String> {
    signed_cookie(config, headers, state_cookie_name(config))
}

fn admin_session_cookie_name(config: &Config) -> &'static str {
    if secure_cookies(config) { "__Secure-better-auth.admin_session" } else { "better-auth.admin_session" }
}

/// `Set-Cookie` keeping an impersonating admin's own session (`token:dontRemember`),
/// signed, as the admin plugin's `admin_session` cookie.
pub fn admin_session_cookie(config: &Config, value: &str) -> HeaderValue {
    let max_age = crate::services::session::EXPIRES_IN.num_seconds();
    signed_cookie_header(config, admin_session_cookie_name(config), value, max_age)
}

/// The impersonating admin's saved session, if the signed cookie holds.
pub fn admin_session_from_cookie(config: &Config, headers: &HeaderMap) -> Option<String> {
    signed_cookie(config, headers, admin_session_cookie_name(config))
}

/// `Set-Cookie` removing the saved admin session.
pub fn clear_admin_session_cookie(config: &Config) -> HeaderValue {
    removal_header(config, admin_session_cookie_name(config))
}

/// `Set-Cookie` headers that clear the session cookies (sign-out, invalid session).
pub fn clear_cookies(config: &Config) -> Vec<HeaderValue> {
    let prefix = if secure_cookies(config) { "__Secure-" } else { "" };
    let secure = if secure_cookies(config) { "; Secure" } else { "" };
    ["better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"]
        .iter()
        .map(|name| {
            HeaderValue::from_str(&format!("{prefix}{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax{secure}"))
                .expect("cookie text is ASCII")
        })
        .collect()
}

/// The `set-auth-token` header value (the signed token, URL-encoded), for bearer clients.
pub fn auth_token_header(config: &Config, token: &str) -> HeaderValue {
    HeaderValue::from_str(&cookie::cookie_value(token, config.auth_secret.expose_secret().as_bytes()))
        .expect("an encoded cookie is ASCII")
}

/// Resolves the tRPC caller from the session: from the session cache when it
/// holds the token, else from the database (then kept). Either way a session
/// due for BetterAuth's refresh is extended in the background, as the
/// original's context extends it through `getSession`.
pub struct SessionIdentity;

impl IdentityResolver for SessionIdentity {
    fn resolve(&self, app: &AppState, parts: &Parts) -> BoxFuture<'static, Result<Option<Caller>, AppError>> {
        // Headers first; a client that cannot set them (EventSource, React
        // Native's SSE) sends its bearer token as `connectionParams.token`.
        let token = token_from_headers(&app.config, &parts.headers).or_else(|| {
            let params = parts.extensions.get::<nextstack_trpc::ConnectionParams>()?;
            token_from_bearer(&app.config, params.get("token")?)
        });
        let app = app.clone();
        Box::pin(async move {
            let Some(token) = token else { return Ok(None) };
            let Some(holder) = live_session(&app, &token).await? else { return Ok(None) };
            extend_if_due(&app, &holder);
            Ok(Some(Caller { user_id: holder.user_id, role: holder.role, session_id: Some(holder.session_id) }))
        })
    }
}

/// The live session of `token`: cached, or read (and kept).
pub async fn live_session(app: &AppState, token: &str) -> Result<Option<SessionHolder>, AppError> {
    let now = nextstack_entity::now();
    if let Some(holder) = app.sessions.get(token, now) {
        app.metrics.session_lookup("hit");
        return Ok(Some(holder));
    }
    app.metrics.session_lookup(if app.sessions.is_serving() { "miss" } else { "bypass" });
    let ticket = app.sessions.ticket();
    let found = session::find_holder(&app.db, token).await?;
    if let Some(holder) = &found {
        app.sessions.insert(token, holder.clone(), ticket);
    }
    Ok(found)
}

/// Extends `holder`'s session when the refresh rule says so, off the request's
/// path and at most once at a time per session; the cached copy is dropped
/// after the attempt, so the next request reads the new expiry (and does not
/// try again for another `updateAge`).
fn extend_if_due(app: &AppState, holder: &SessionHolder) {
    if !holder.refresh_due(nextstack_entity::now()) || !app.sessions.start_refresh(&holder.session_id) {
        return;
    }
    let app = app.clone();
    let (id, seen_expiry) = (holder.session_id.clone(), holder.expires_at);
    tokio::spawn(async move {
        if let Err(err) = session::extend(&app.db, &id, seen_expiry).await {
            tracing::warn!(error = %err, "could not extend a session; the next request tries again");
        }
        app.sessions.revoke_session(&id);
        app.sessions.end_refresh(&id);
    });
}
