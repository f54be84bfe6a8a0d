//! The email flows: password reset and email verification (decision 9: on,
//! through SMTP or the log).

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::{check_password_length, parse, split};
use crate::app::AppState;
use crate::auth::callback;
use crate::auth::error::{AuthError, messages};
use crate::auth::session as http_session;
use crate::mail::Mail;
use crate::services::verification::{self, Purpose};
use crate::services::{account, user as users};

fn api_base(state: &AppState) -> String {
    format!("{}/api/auth", state.config.auth_url.trim_end_matches('/'))
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Debug, Deserialize)]
struct ResetRequestBody {
    email: String,
    #[serde(default, rename = "redirectTo")]
    redirect_to: Option<String>,
}

/// `POST /request-password-reset` (and the deprecated `/forget-password`):
/// mails a reset link when the account exists; answers the same either way.
pub(super) async fn request_password_reset(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (_, bytes) = split(&state, req).await?;
    let body: ResetRequestBody = parse(&bytes)?;
    callback::check(&state.config, body.redirect_to.as_deref())?;
    if let Some(user) = users::find_by_email(&state.db, &body.email).await? {
        let token = verification::issue(&state.db, Purpose::ResetPassword, &user.id).await?;
        let callback = body.redirect_to.as_deref().unwrap_or("/");
        let link = format!("{}/reset-password/{token}?callbackURL={}", api_base(&state), encode(callback));
        let text = format!("Reset your password with this link (valid for one hour):\n\n{link}\n");
        state.mailer.send(Mail { to: user.email, subject: "Reset your password".into(), text, link }).await?;
    }
    // One answer whether or not the email exists, so the endpoint cannot be used to probe for accounts.
    Ok(Json(json!({
        "status": true,
        "message": "If this email exists in our system, check your email for the reset link",
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct CallbackQuery {
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// A 302, as BetterAuth redirects.
fn found(location: &str) -> Response {
    match http::HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(http::header::LOCATION, value)]).into_response(),
        Err(_) => messages::INVALID_CALLBACK_URL.into_response(),
    }
}

fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", encode(value))
}

/// `GET /reset-password/:token?callbackURL=`: redirects to the app's reset page with the token, or with an error.
pub(super) async fn reset_password_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AuthError> {
    let Some(callback) = query.callback_url else { return Err(messages::VALIDATION) };
    callback::check(&state.config, Some(&callback))?;
    let target = match verification::peek(&state.db, Purpose::ResetPassword, &token).await? {
        Some(_) => with_query(&callback, "token", &token),
        None => with_query(&callback, "error", "INVALID_TOKEN"),
    };
    Ok(found(&target))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResetBody {
    new_password: String,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct TokenQuery {
    #[serde(default)]
    token: Option<String>,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `POST /reset-password {newPassword, token}`: sets the password; the token is single-use.
pub(super) async fn reset_password(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let query = req.uri().query().map(token_query).unwrap_or_default();
    let (_, bytes) = split(&state, req).await?;
    let body: ResetBody = parse(&bytes)?;
    check_password_length(&body.new_password)?;
    let token = body.token.or(query.token).ok_or(messages::VALIDATION)?;
    let invalid = AuthError::api(StatusCode::BAD_REQUEST, "Invalid token");
    let Some(user_id) = verification::consume(&state.db, Purpose::ResetPassword, &token).await? else {
        return Err(invalid);
    };
    let hash = state.hasher.hash(body.new_password).await?;
    if !account::set_password_hash(&state.db, &user_id, hash.clone()).await? {
        account::create_credential(&state.db, &user_id, hash).await?;
    }
    // Whoever made the reset necessary may hold a session: end them all.
    crate::services::session::delete_for_user(&state.db, &user_id, None).await?;
    Ok(Json(json!({ "status": true })).into_response())
}

fn token_query(query: &str) -> TokenQuery {
    let mut out = TokenQuery::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "token" => out.token = Some(v.into_owned()),
            "callbackURL" => out.callback_url = Some(v.into_owned()),
            _ => {}
        }
    }
    out
}

#[derive(Debug, Deserialize)]
struct SendVerificationBody {
    email: String,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `POST /send-verification-email {email, callbackURL?}`: mails a verification
/// link; a signed-in caller may only ask for their own address.
pub(super) async fn send_verification_email(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let body: SendVerificationBody = parse(&bytes)?;
    callback::check(&state.config, body.callback_url.as_deref())?;
    let email = users::normalize_email(&body.email);
    if let Some(token) = http_session::token_from_headers(&state.config, &parts.headers)
        && let Some((_, me)) = crate::services::session::find_valid(&state.db, &token).await?
        && me.email != email
    {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Email mismatch"));
    }
    if let Some(user) = users::find_by_email(&state.db, &email).await?
        && !user.email_verified
    {
        let token = verification::issue(&state.db, Purpose::VerifyEmail, &user.id).await?;
        let mut link = format!("{}/verify-email?token={token}", api_base(&state));
        if let Some(callback) = &body.callback_url {
            link.push_str(&format!("&callbackURL={}", encode(callback)));
        }
        let text = format!("Confirm your email address with this link (valid for one hour):\n\n{link}\n");
        state.mailer.send(Mail { to: user.email, subject: "Verify your email".into(), text, link }).await?;
    }
    Ok(Json(json!({ "status": true })).into_response())
}

/// `GET /verify-email?token&callbackURL`: marks the email verified (single-use token).
pub(super) async fn verify_email(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, AuthError> {
    callback::check(&state.config, query.callback_url.as_deref())?;
    let user_id = match &query.token {
        Some(token) => verification::consume(&state.db, Purpose::VerifyEmail, token).await?,
        None => None,
    };
    let Some(user_id) = user_id else {
        return Ok(match &query.callback_url {
            Some(callback) => found(&with_query(callback, "error", "invalid_token")),
            None => (StatusCode::UNAUTHORIZED, Json(json!({ "code": "INVALID_TOKEN", "message": "invalid_token" })))
                .into_response(),
        });
    };
    users::mark_verified(&state.db, &user_id).await?;
    Ok(match &query.callback_url {
        Some(callback) => found(callback),
        None => Json(json!({ "status": true })).into_response(),
    })
}
