//! `/api/auth`: BetterAuth 1.3's email + password endpoints (PROTOCOL.md 3.2).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use garde::Validate;
use http::header::{SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::{HeaderMap, HeaderName, StatusCode};
use nextstack_entity::session as session_row;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::error::{AuthError, messages};
use crate::auth::password::{MAX_LENGTH, MIN_LENGTH};
use crate::auth::wire::{AuthSession, AuthUser};
use crate::auth::{callback, session as http_session};
use crate::error::AppError;
use crate::middleware::client_ip::client_ip;
use crate::services::account;
use crate::services::session::{self as sessions, NewSession};
use crate::services::user as users;

mod admin;
mod email;
pub mod expo;
mod manage;
mod social;
mod verify;

static SET_AUTH_TOKEN: HeaderName = HeaderName::from_static("set-auth-token");

/// The `/api/auth` routes; anything else below it is a 404 with an empty body, as BetterAuth answers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-up/email", post(sign_up))
        .route("/sign-in/email", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/get-session", get(get_session))
        .route("/list-sessions", get(manage::list_sessions))
        .route("/revoke-session", post(manage::revoke_session))
        .route("/revoke-sessions", post(manage::revoke_sessions))
        .route("/revoke-other-sessions", post(manage::revoke_other_sessions))
        .route("/update-user", post(manage::update_user))
        .route("/change-password", post(manage::change_password))
        .route("/delete-user", post(manage::delete_user))
        .route("/request-password-reset", post(email::request_password_reset))
        .route("/forget-password", post(email::request_password_reset))
        .route("/reset-password/{token}", get(email::reset_password_link))
        .route("/reset-password", post(email::reset_password))
        .route("/send-verification-email", post(verify::send_verification_email))
        .route("/verify-email", get(verify::verify_email))
        .route("/change-email", post(verify::change_email))
        .route("/sign-in/social", post(social::sign_in_social))
        .route("/sign-in/oauth2", post(social::sign_in_social))
        .route("/callback/{id}", get(social::callback_get).post(social::callback_post))
        .route("/oauth2/callback/{id}", get(social::callback_get).post(social::callback_post))
        .route("/link-social", post(social::link_social))
        .route("/oauth2/link", post(social::link_social))
        .route("/list-accounts", get(social::list_accounts))
        .route("/unlink-account", post(social::unlink_account))
        .route("/expo-authorization-proxy", get(expo::authorization_proxy))
        .route("/error", get(social::error_page))
        .route("/admin/list-users", get(admin::list_users))
        .route("/admin/get-user", get(admin::get_user))
        .route("/admin/create-user", post(admin::create_user))
        .route("/admin/update-user", post(admin::update_user))
        .route("/admin/set-role", post(admin::set_role))
        .route("/admin/ban-user", post(admin::ban_user))
        .route("/admin/unban-user", post(admin::unban_user))
        .route("/admin/list-user-sessions", post(admin::list_user_sessions))
        .route("/admin/revoke-user-session", post(admin::revoke_user_session))
        .route("/admin/revoke-user-sessions", post(admin::revoke_user_sessions))
        .route("/admin/set-user-password", post(admin::set_user_password))
        .route("/admin/remove-user", post(admin::remove_user))
        .route("/admin/impersonate-user", post(admin::impersonate_user))
        .route("/admin/stop-impersonating", post(admin::stop_impersonating))
        .route("/admin/has-permission", post(admin::has_permission))
        .route("/ok", get(|| async { Json(json!({ "ok": true })) }))
        .fallback(|| async { StatusCode::NOT_FOUND })
        // BetterAuth answers a known path with the wrong method as an unknown path.
        .method_not_allowed_fallback(|| async { StatusCode::NOT_FOUND })
}

#[derive(Debug, Deserialize, Validate)]
struct EmailOnly {
    #[garde(email)]
    email: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignUpBody {
    name: String,
    email: String,
    password: String,
    #[serde(default)]
    image: Option<String>,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
    #[serde(default)]
    remember_me: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInBody {
    email: String,
    password: String,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
    #[serde(default)]
    remember_me: Option<bool>,
}

pub(super) async fn split(state: &AppState, req: Request) -> Result<(Parts, Bytes), AuthError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| AuthError::api(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"))?;
    Ok((parts, bytes))
}

pub(super) fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AuthError> {
    serde_json::from_slice(bytes).map_err(|_| messages::VALIDATION)
}

pub(super) fn check_email(email: &str) -> Result<(), AuthError> {
    EmailOnly { email: email.to_string() }.validate().map_err(|_| messages::INVALID_EMAIL)
}

/// The same limits as `core.user.update` (decision 10): a name is 1..100 UTF-16 units.
pub(super) fn check_name(name: &str) -> Result<&str, AuthError> {
    let units = name.encode_utf16().count();
    if units == 0 || units > 100 || name.contains('\0') {
        return Err(messages::NAME_LENGTH);
    }
    Ok(name)
}

/// An image is an http(s) URL of at most 2048 characters.
pub(super) fn check_image(image: &str) -> Result<&str, AuthError> {
    let ok = image.len() <= 2048
        && !image.contains('\0')
        && url::Url::parse(image).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        return Err(messages::INVALID_IMAGE);
    }
    Ok(image)
}

pub(super) fn check_password_length(password: &str) -> Result<(), AuthError> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(messages::PASSWORD_TOO_SHORT);
    }
    if len > MAX_LENGTH {
        return Err(messages::PASSWORD_TOO_LONG);
    }
    Ok(())
}

pub(super) fn new_session(state: &AppState, parts: &Parts, user_id: &str, remember: bool) -> NewSession {
    NewSession {
        user_id: user_id.to_string(),
        ip_address: client_ip(parts, state.config.trust_proxy).map(|ip| ip.to_string()),
        user_agent: parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from),
        remember,
    }
}

/// The body plus the cookie and `set-auth-token` headers of a fresh session.
pub(super) fn with_session(state: &AppState, session: &session_row::Model, remember: bool, body: Value) -> Response {
    let max_age = remember.then(|| sessions::EXPIRES_IN.num_seconds());
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, http_session::set_cookie(&state.config, &session.token, max_age));
    if !remember {
        headers.append(SET_COOKIE, http_session::dont_remember_cookie(&state.config));
    }
    headers.insert(SET_AUTH_TOKEN.clone(), http_session::auth_token_header(&state.config, &session.token));
    response
}

/// `POST /sign-up/email`: creates the user, its credential account and a session.
async fn sign_up(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let body: SignUpBody = parse(&bytes)?;
    check_email(&body.email)?;
    check_password_length(&body.password)?;
    check_name(&body.name)?;
    if let Some(image) = &body.image {
        check_image(image)?;
    }
    callback::check(&state.config, body.callback_url.as_deref())?;
    // Checked before hashing (a hash costs tens of milliseconds); the unique index decides races.
    if users::find_id_by_email(&state.db, &body.email).await?.is_some() {
        return Err(messages::USER_EXISTS);
    }
    let password_hash = state.hasher.hash(body.password).await?;
    let role = account::role_at_sign_up(&body.email, &state.config.admin_emails, state.config.is_production());
    let registration =
        account::Registration { email: body.email, name: Some(body.name), image: body.image, password_hash, role };
    let remember = body.remember_me.unwrap_or(true);
    let session = new_session(&state, &parts, "", remember);
    let (user, session) = match account::register(&state.db, registration, Some(session)).await {
        Ok((user, Some(session))) => (user, session),
        Ok((_, None)) => return Err(AppError::Internal(anyhow::anyhow!("registration opened no session")).into()),
        Err(AppError::Conflict(_)) => return Err(messages::USER_EXISTS),
        Err(other) => return Err(other.into()),
    };
    let body = json!({ "token": session.token, "user": AuthUser::from(user) });
    Ok(with_session(&state, &session, remember, body))
}

/// `POST /sign-in/email`: checks the password (hashing even for an unknown email) and opens a session.
async fn sign_in(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let body: SignInBody = parse(&bytes)?;
    check_email(&body.email)?;
    callback::check(&state.config, body.callback_url.as_deref())?;
    let user = users::find_by_email(&state.db, &body.email).await?;
    let stored = match &user {
        Some(u) => account::password_hash(&state.db, &u.id).await?,
        None => None,
    };
    let matched = state.hasher.verify(body.password, stored).await?;
    let Some(user) = user.filter(|_| matched) else {
        state.metrics.sign_in("invalid_credentials");
        return Err(messages::INVALID_CREDENTIALS);
    };
    let remember = body.remember_me.unwrap_or(true);
    let new = new_session(&state, &parts, &user.id, remember);
    // Checked against the user row as it is when the session opens (a ban may land during the hash).
    let Some(session) = crate::services::admin::open_session(&state.db, new, None).await? else {
        state.metrics.sign_in("banned");
        return Err(messages::BANNED_USER);
    };
    state.metrics.sign_in("success");
    let mut out = json!({ "redirect": body.callback_url.is_some(), "token": session.token });
    if let Some(url) = body.callback_url {
        out["url"] = Value::String(url);
    }
    out["user"] = serde_json::to_value(AuthUser::from(user)).map_err(|e| AppError::Internal(e.into()))?;
    Ok(with_session(&state, &session, remember, out))
}

/// `POST /sign-out`: ends the session and clears the cookies.
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AuthError> {
    let Some(token) = http_session::token_from_headers(&state.config, &headers) else {
        return Err(messages::NO_SESSION);
    };
    sessions::delete_by_token(&state.db, &token).await?;
    state.sessions.forget_token(&token);
    let mut response = Json(json!({ "success": true })).into_response();
    for cookie in http_session::clear_cookies(&state.config) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GetSessionQuery {
    #[serde(default)]
    disable_refresh: Option<String>,
    // Accepted for compatibility; there is no cookie cache to bypass (decision 7).
    #[serde(default)]
    #[expect(dead_code, reason = "accepted and ignored")]
    disable_cookie_cache: Option<String>,
}

/// `GET /get-session`: the session and user, or `null` (clearing a dead cookie).
async fn get_session(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<GetSessionQuery>,
    headers: HeaderMap,
) -> Result<Response, AuthError> {
    let Some(token) = http_session::token_from_headers(&state.config, &headers) else {
        return Ok(Json(Value::Null).into_response());
    };
    let Some((session, user)) = sessions::find_valid(&state.db, &token).await? else {
        let mut response = Json(Value::Null).into_response();
        for cookie in http_session::clear_cookies(&state.config) {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        return Ok(response);
    };
    let skip_refresh = query.disable_refresh.as_deref().is_some_and(|v| v != "false")
        || http_session::dont_remember(&state.config, &headers);
    let before = session.expires_at;
    let session = if skip_refresh { session } else { sessions::refresh_if_due(&state.db, session).await? };
    let refreshed = session.expires_at != before;
    let body = json!({ "session": AuthSession::from(session.clone()), "user": AuthUser::from(user) });
    if refreshed {
        return Ok(with_session(&state, &session, true, body));
    }
    Ok(Json(body).into_response())
}
