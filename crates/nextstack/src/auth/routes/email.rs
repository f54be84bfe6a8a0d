//! Password reset by mail (decision 9: on, through SMTP or the log), and the
//! background sending every mail flow shares.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use tracing::Instrument;

use super::{check_password_length, parse, split};
use crate::app::AppState;
use crate::auth::callback;
use crate::auth::error::{AuthError, messages};
use crate::error::AppError;
use crate::mail::Mail;
use crate::services::verification::{self, Grant, Purpose};
use crate::services::{account, session as sessions, user as users};

pub(super) fn api_base(state: &AppState) -> String {
    format!("{}/api/auth", state.config.auth_url.trim_end_matches('/'))
}

pub(super) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Runs `job` — the look-ups, the token, the message — after the answer is
/// sent, so the answer takes the same time and says the same whether or not
/// the account exists or the mail server is up (a timing or status difference
/// would tell who has an account). Failures are logged.
pub(super) fn in_background(
    state: &AppState,
    what: &'static str,
    job: impl Future<Output = Result<Option<Mail>, AppError>> + Send + 'static,
) {
    let mailer = state.mailer.clone();
    let task = async move {
        match job.await {
            Ok(Some(mail)) => {
                if let Err(err) = mailer.send(mail).await {
                    tracing::error!(error = %err, what, "mail not sent");
                }
            }
            Ok(None) => {}
            Err(err) => tracing::error!(error = %err, what, "mail not prepared"),
        }
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
}

#[derive(Debug, Deserialize)]
struct ResetRequestBody {
    email: String,
    #[serde(default, rename = "redirectTo")]
    redirect_to: Option<String>,
}

/// `POST /request-password-reset` (and the deprecated `/forget-password`):
/// mails a reset link when the account exists; answers the same either way.
/// A newer request voids the earlier links.
pub(super) async fn request_password_reset(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (_, bytes) = split(&state, req).await?;
    let body: ResetRequestBody = parse(&bytes)?;
    callback::check(&state.config, body.redirect_to.as_deref())?;
    let job_state = state.clone();
    in_background(&state, "password reset", async move {
        let state = job_state;
        let Some(user) = users::find_by_email(&state.db, &body.email).await? else { return Ok(None) };
        let grant = Grant::for_address(&user.id, &user.email);
        let token = verification::issue(&state.db, Purpose::ResetPassword, &grant).await?;
        let callback = body.redirect_to.as_deref().unwrap_or("/");
        let link = format!("{}/reset-password/{token}?callbackURL={}", api_base(&state), encode(callback));
        let text = format!("Reset your password with this link (valid for one hour):\n\n{link}\n");
        Ok(Some(Mail { to: user.email, subject: "Reset your password".into(), text, link }))
    });
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
pub(super) fn found(location: &str) -> Response {
    match http::HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(http::header::LOCATION, value)]).into_response(),
        Err(_) => messages::INVALID_CALLBACK_URL.into_response(),
    }
}

pub(super) fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", encode(value))
}

/// The user a reset grant is for, if the address it was mailed to is still theirs.
async fn holder_of(state: &AppState, grant: Grant) -> Result<Option<String>, AuthError> {
    let user = users::find(&state.db, &grant.user_id).await?;
    Ok(user.filter(|u| u.email == grant.email).map(|u| u.id))
}

/// `GET /reset-password/:token?callbackURL=`: redirects to the app's reset page with the token, or with an error.
pub(super) async fn reset_password_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AuthError> {
    let Some(callback) = query.callback_url else { return Err(messages::VALIDATION) };
    callback::check(&state.config, Some(&callback))?;
    let live = match verification::peek(&state.db, Purpose::ResetPassword, &token).await? {
        Some(grant) => holder_of(&state, grant).await?.is_some(),
        None => false,
    };
    let target =
        if live { with_query(&callback, "token", &token) } else { with_query(&callback, "error", "INVALID_TOKEN") };
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
    pub(super) token: Option<String>,
    #[serde(default, rename = "callbackURL")]
    pub(super) callback_url: Option<String>,
}

/// `POST /reset-password {newPassword, token}`: sets the password; the token is single-use.
pub(super) async fn reset_password(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let query = req.uri().query().map(token_query).unwrap_or_default();
    let (_, bytes) = split(&state, req).await?;
    let body: ResetBody = parse(&bytes)?;
    check_password_length(&body.new_password)?;
    let token = body.token.or(query.token).ok_or(messages::VALIDATION)?;
    let invalid = AuthError::api(StatusCode::BAD_REQUEST, "Invalid token");
    let Some(grant) = verification::consume(&state.db, Purpose::ResetPassword, &token).await? else {
        return Err(invalid);
    };
    let Some(user_id) = holder_of(&state, grant).await? else { return Err(invalid) };
    let hash = state.hasher.hash(body.new_password).await?;
    if !account::set_password_hash(&state.db, &user_id, hash.clone()).await? {
        account::create_credential(&state.db, &user_id, hash).await?;
    }
    // Whoever made the reset necessary may hold a session or another link: end them all.
    sessions::delete_for_user(&state.db, &user_id, None).await?;
    state.sessions.revoke_user(&user_id);
    verification::revoke(&state.db, Purpose::ResetPassword, &user_id).await?;
    Ok(Json(json!({ "status": true })).into_response())
}

pub(super) fn token_query(query: &str) -> TokenQuery {
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
