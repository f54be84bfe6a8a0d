//! Session and account management for a signed-in user: list and revoke
//! sessions, update the profile, change the password.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use nextstack_entity::{session as session_row, user};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{check_password_length, new_session, parse, split, with_session};
use crate::app::AppState;
use crate::auth::error::AuthError;
use crate::auth::session as http_session;
use crate::auth::wire::{AuthSession, AuthUser};
use crate::middleware::request_id::RequestId;
use crate::services::account::Reauth;
use crate::services::verification::{self, Purpose};
use crate::services::{account, session as sessions, user as users};
use crate::storage::removal::remove_queued;

/// The caller's live session, or BetterAuth's empty-body 401.
pub(super) async fn require_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(session_row::Model, user::Model), AuthError> {
    let token =
        http_session::token_from_headers(&state.config, headers).ok_or(AuthError::Empty(StatusCode::UNAUTHORIZED))?;
    sessions::find_valid(&state.db, &token).await?.ok_or(AuthError::Empty(StatusCode::UNAUTHORIZED))
}

fn status_true() -> Response {
    Json(json!({ "status": true })).into_response()
}

/// `GET /list-sessions`: the caller's live sessions, tokens included (as BetterAuth's client expects).
pub(super) async fn list_sessions(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AuthError> {
    let (_, user) = require_session(&state, &headers).await?;
    // As the admin plugin's hook: an admin's impersonation sessions are not the user's to see.
    let list: Vec<AuthSession> = sessions::list_live(&state.db, &user.id)
        .await?
        .into_iter()
        .filter(|s| s.impersonated_by.is_none())
        .map(Into::into)
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Debug, Deserialize)]
struct RevokeBody {
    token: String,
}

/// `POST /revoke-session {token}`: ends one of the caller's sessions.
pub(super) async fn revoke_session(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let (_, user) = require_session(&state, &parts.headers).await?;
    let body: RevokeBody = parse(&bytes)?;
    let Some(target) = sessions::find_by_token(&state.db, &body.token).await? else {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Session not found"));
    };
    if target.user_id != user.id {
        return Err(AuthError::Empty(StatusCode::UNAUTHORIZED));
    }
    sessions::delete_by_token(&state.db, &target.token).await?;
    state.sessions.forget_token(&target.token);
    Ok(status_true())
}

/// `POST /revoke-sessions`: ends all of the caller's sessions.
pub(super) async fn revoke_sessions(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AuthError> {
    let (_, user) = require_session(&state, &headers).await?;
    sessions::delete_for_user(&state.db, &user.id, None).await?;
    state.sessions.revoke_user(&user.id);
    Ok(status_true())
}

/// `POST /revoke-other-sessions`: ends every session but the current one.
pub(super) async fn revoke_other_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AuthError> {
    let (current, user) = require_session(&state, &headers).await?;
    sessions::delete_for_user(&state.db, &user.id, Some(&current.token)).await?;
    state.sessions.revoke_user(&user.id);
    Ok(status_true())
}

/// `POST /update-user {name?, image?}`; `email` cannot be changed here.
pub(super) async fn update_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let (_, user) = require_session(&state, &parts.headers).await?;
    let body: serde_json::Map<String, Value> = parse(&bytes)?;
    if body.contains_key("email") {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Email can not be updated"));
    }
    let name = match body.get("name") {
        None => None,
        Some(Value::String(n)) => Some(super::check_name(n)?.to_string()),
        Some(_) => return Err(crate::auth::error::messages::VALIDATION),
    };
    let image = match body.get("image") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(i)) => Some(Some(super::check_image(i)?.to_string())),
        Some(_) => return Err(crate::auth::error::messages::VALIDATION),
    };
    users::update_profile(&state.db, user, name, image).await?;
    Ok(status_true())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangePasswordBody {
    new_password: String,
    current_password: String,
    #[serde(default)]
    revoke_other_sessions: Option<bool>,
}

/// `POST /change-password`: checks the current password, stores the new one,
/// and with `revokeOtherSessions` replaces every session with a fresh one.
pub(super) async fn change_password(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let (_, user) = require_session(&state, &parts.headers).await?;
    let body: ChangePasswordBody = parse(&bytes)?;
    check_password_length(&body.new_password)?;
    let Some(stored) = account::password_hash(&state.db, &user.id).await? else {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Credential account not found"));
    };
    if !state.hasher.verify(body.current_password, Some(stored)).await? {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "Invalid password"));
    }
    let hash = state.hasher.hash(body.new_password).await?;
    account::set_password_hash(&state.db, &user.id, hash).await?;
    // A reset link mailed earlier would otherwise still set a password the user did not choose.
    verification::revoke(&state.db, Purpose::ResetPassword, &user.id).await?;
    if body.revoke_other_sessions.unwrap_or(false) {
        sessions::delete_for_user(&state.db, &user.id, None).await?;
        state.sessions.revoke_user(&user.id);
        let new = new_session(&state, &parts, &user.id, true);
        let Some(session) = crate::services::admin::open_session(&state.db, new, None).await? else {
            return Err(crate::auth::error::messages::BANNED_USER);
        };
        let out = json!({ "token": session.token, "user": AuthUser::from(user) });
        return Ok(with_session(&state, &session, true, out));
    }
    let out = json!({ "token": Value::Null, "user": AuthUser::from(user) });
    Ok(Json(out).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct DeleteUserBody {
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `POST /delete-user {password?}`: deletes the caller's account (and, by the
/// schema's cascades, all they own) when the password matches or the session is fresh.
pub(super) async fn delete_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let (session, user) = require_session(&state, &parts.headers).await?;
    let body: DeleteUserBody = if bytes.is_empty() { DeleteUserBody::default() } else { parse(&bytes)? };
    crate::auth::callback::check(&state.config, body.callback_url.as_deref())?;
    let proof = account::confirm_identity(&state.db, &state.hasher, &user.id, session.created_at, body.password);
    match proof.await {
        Ok(()) => {}
        Err(Reauth::NoCredential) => {
            return Err(AuthError::api(StatusCode::BAD_REQUEST, "Credential account not found"));
        }
        Err(Reauth::InvalidPassword) => return Err(AuthError::api(StatusCode::BAD_REQUEST, "Invalid password")),
        Err(Reauth::NotFresh) => {
            return Err(AuthError::api(
                StatusCode::FORBIDDEN,
                "Session expired. Re-authenticate to perform this action.",
            ));
        }
        Err(Reauth::Failed(err)) => return Err(err.into()),
    }
    let request_id = RequestId::of(&parts.extensions);
    let deleted = account::delete_account(&state.db, &user.id).await?;
    state.sessions.revoke_user(&user.id);
    remove_queued(&state.db, &state.storage, &deleted.storage_keys, Some(request_id.as_str())).await;
    let mut response = Json(json!({ "success": true, "message": "User deleted" })).into_response();
    for cookie in http_session::clear_cookies(&state.config) {
        response.headers_mut().append(http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}
