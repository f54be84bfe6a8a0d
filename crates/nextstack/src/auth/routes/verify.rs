//! Proving an address: email verification and BetterAuth's `changeEmail`
//! flow (decision 19). A new address replaces the old one only once a link
//! mailed to it is opened where the account is signed in; while the old
//! address is verified, its owner first approves the change from a link
//! mailed there (BetterAuth's `sendChangeEmailVerification`). Every link is
//! bound to the address it was sent about and is void once the user's email
//! differs. `ADMIN_EMAILS` promotes on verification only with the account's
//! own session too: link prefetchers must not make anyone an admin.

use axum::Json;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use garde::Validate;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::email::{TokenQuery, api_base, encode, found, in_background, with_query};
use super::{parse, split};
use crate::app::AppState;
use crate::auth::callback;
use crate::auth::error::{AuthError, code_of, messages};
use crate::auth::session as http_session;
use crate::error::AppError;
use crate::mail::Mail;
use crate::services::verification::{self, ChangeStep, Grant, Purpose};
use crate::services::{account, session as sessions, user as users};

#[derive(Debug, Deserialize, Validate)]
struct AddressBody {
    #[garde(email, length(max = 255))]
    email: String,
}

/// The verification link for `token`, with the app's callback.
fn link_for(state: &AppState, token: &str, callback: Option<&str>) -> String {
    let mut link = format!("{}/verify-email?token={token}", api_base(state));
    if let Some(callback) = callback {
        link.push_str(&format!("&callbackURL={}", encode(callback)));
    }
    link
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
        && let Some((_, me)) = sessions::find_valid(&state.db, &token).await?
        && me.email != email
    {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Email mismatch"));
    }
    let job_state = state.clone();
    in_background(&state, "email verification", async move {
        let state = job_state;
        let Some(user) = users::find_by_email(&state.db, &email).await? else { return Ok(None) };
        if user.email_verified {
            return Ok(None);
        }
        let token = verification::issue(&state.db, Purpose::VerifyEmail, &Grant::for_address(&user.id, &email)).await?;
        let link = link_for(&state, &token, body.callback_url.as_deref());
        let text = format!("Confirm your email address with this link (valid for one hour):\n\n{link}\n");
        Ok(Some(Mail { to: email, subject: "Verify your email".into(), text, link }))
    });
    Ok(Json(json!({ "status": true })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeEmailBody {
    new_email: String,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `POST /change-email {newEmail, callbackURL?}`: starts an email change. A
/// verified user gets an approval link at the current address; an unverified
/// one a confirmation link at the new address. Nothing changes until it is opened.
pub(super) async fn change_email(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let token = http_session::token_from_headers(&state.config, &parts.headers)
        .ok_or(AuthError::Empty(StatusCode::UNAUTHORIZED))?;
    let (_, user) = sessions::find_valid(&state.db, &token).await?.ok_or(AuthError::Empty(StatusCode::UNAUTHORIZED))?;
    let body: ChangeEmailBody = parse(&bytes)?;
    AddressBody { email: body.new_email.clone() }.validate().map_err(|_| messages::INVALID_EMAIL)?;
    callback::check(&state.config, body.callback_url.as_deref())?;
    let new_email = users::normalize_email(&body.new_email);
    if new_email == user.email {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Email is the same"));
    }
    if users::find_id_by_email(&state.db, &new_email).await?.is_some() {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Couldn't update your email"));
    }
    let (step, to) = if user.email_verified {
        (ChangeStep::Approve, user.email.clone())
    } else {
        (ChangeStep::Confirm, new_email.clone())
    };
    let grant = Grant { user_id: user.id.clone(), email: user.email.clone(), change: Some((new_email.clone(), step)) };
    let job_state = state.clone();
    in_background(&state, "email change", async move {
        let state = job_state;
        let token = verification::issue(&state.db, Purpose::VerifyEmail, &grant).await?;
        let link = link_for(&state, &token, body.callback_url.as_deref());
        Ok(Some(change_mail(to, &new_email, step, link)))
    });
    Ok(Json(json!({ "status": true })).into_response())
}

fn change_mail(to: String, new_email: &str, step: ChangeStep, link: String) -> Mail {
    let (subject, text) = match step {
        ChangeStep::Approve => (
            "Approve your email change",
            format!(
                "Someone signed in to your account asked to change its email to {new_email}.\n\
                 If that was you, approve it with this link (valid for one hour):\n\n{link}\n\n\
                 Otherwise ignore this message and change your password."
            ),
        ),
        ChangeStep::Confirm => {
            ("Confirm your new email", format!("Confirm this address with this link (valid for one hour):\n\n{link}\n"))
        }
    };
    Mail { to, subject: subject.into(), text, link }
}

/// BetterAuth's `redirectOnError`: to `callbackURL?error=…`, or 401 `{code, message}`.
fn refuse(query: &TokenQuery, error: &'static str) -> Response {
    match &query.callback_url {
        Some(callback) => found(&with_query(callback, "error", error)),
        None => (StatusCode::UNAUTHORIZED, Json(json!({ "code": code_of(error), "message": error }))).into_response(),
    }
}

fn done(query: &TokenQuery) -> Response {
    match &query.callback_url {
        Some(callback) => found(callback),
        None => Json(json!({ "status": true })).into_response(),
    }
}

/// `GET /verify-email?token&callbackURL`: uses a link (single-use): verifies
/// the address, approves an email change, or completes it.
pub(super) async fn verify_email(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Response, AuthError> {
    callback::check(&state.config, query.callback_url.as_deref())?;
    let Some(token) = query.token.as_deref() else { return Ok(refuse(&query, "invalid_token")) };
    // Looked at first and used up only once every check passed: an approval link
    // opened where the account is not signed in still works from where it is.
    let Some(grant) = verification::peek(&state.db, Purpose::VerifyEmail, token).await? else {
        return Ok(refuse(&query, "invalid_token"));
    };
    let Some(user) = users::find(&state.db, &grant.user_id).await? else { return Ok(refuse(&query, "user_not_found")) };
    if user.email != grant.email {
        // Mailed about an address the account no longer has.
        return Ok(refuse(&query, "invalid_token"));
    }
    // Who opened the link: a mail gateway that fetches every link (Safe Links and
    // the like) has no session. An email change — either step — needs the
    // account's own session, as BetterAuth's change step does, and so does the
    // admin promotion of decision 16: a link alone must never change whose
    // address an account holds, or make it an admin.
    let signed_in = match http_session::token_from_headers(&state.config, &headers) {
        Some(token) => sessions::find_valid(&state.db, &token).await?.is_some_and(|(_, me)| me.id == user.id),
        None => false,
    };
    if grant.change.is_some() && !signed_in {
        return Ok(refuse(&query, "unauthorized"));
    }
    if verification::consume(&state.db, Purpose::VerifyEmail, token).await?.is_none() {
        return Ok(refuse(&query, "invalid_token")); // used concurrently
    }
    let admin_emails = &state.config.admin_emails;
    match grant.change {
        None => {
            let verified = users::mark_verified(&state.db, &user.id, &grant.email).await?;
            if let Some(user) = verified.filter(|_| signed_in) {
                account::promote_if_listed(&state.db, user, admin_emails).await?;
                state.sessions.revoke_user(&grant.user_id);
            }
        }
        Some((new_email, ChangeStep::Approve)) => {
            let confirm = Grant { change: Some((new_email.clone(), ChangeStep::Confirm)), ..grant };
            let token = verification::issue(&state.db, Purpose::VerifyEmail, &confirm).await?;
            let link = link_for(&state, &token, query.callback_url.as_deref());
            let mail = change_mail(new_email, "", ChangeStep::Confirm, link);
            in_background(&state, "email change", async move { Ok::<_, AppError>(Some(mail)) });
        }
        Some((new_email, ChangeStep::Confirm)) => {
            match users::change_email(&state.db, &user.id, &grant.email, &new_email).await {
                Ok(Some(user)) => {
                    account::promote_if_listed(&state.db, user, admin_emails).await?;
                    state.sessions.revoke_user(&grant.user_id);
                }
                Ok(None) => return Ok(refuse(&query, "invalid_token")),
                Err(AppError::Conflict(_)) => return Ok(refuse(&query, "email_already_in_use")),
                Err(other) => return Err(other.into()),
            }
        }
    }
    Ok(done(&query))
}
