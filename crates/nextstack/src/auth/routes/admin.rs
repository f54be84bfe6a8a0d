//! BetterAuth 1.3's `admin` plugin endpoints (`/api/auth/admin/*`), so
//! `better-auth/client` with `adminClient()` works unchanged: users (list,
//! get, create, update, role, ban, password, remove), their sessions, and
//! impersonation. Only an ADMIN may call them (401 without a session, 403 with
//! the plugin's message otherwise); every call is logged with the acting
//! admin's id. Roles travel as the plugin's lowercase `user`/`admin`.

use axum::Json;
use axum::extract::{RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use http::{HeaderMap, StatusCode};
use nextstack_entity::{session as session_row, user};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::manage::require_session;
use super::{check_name, check_password_length, new_session, parse, split};
use crate::app::AppState;
use crate::auth::error::{AuthError, messages};
use crate::auth::session as http_session;
use crate::auth::wire::{AuthSession, AuthUser};
use crate::error::AppError;
use crate::services::admin::{self, Compare, Field, FilterValue, TextMatch, UserQuery, UserUpdate};
use crate::services::{account, session as sessions, user as users};
use crate::wire::user::Role;

/// The acting admin: their session and user.
struct Acting {
    session: session_row::Model,
    user: user::Model,
}

/// The plugin's check: a session (else 401, empty), and the admin role (else
/// 403 with the endpoint's "You are not allowed to …" message).
async fn require_admin(state: &AppState, headers: &HeaderMap, denied: &'static str) -> Result<Acting, AuthError> {
    let (session, user) = require_session(state, headers).await?;
    // An impersonation session acts as its user, never with admin rights.
    if user.role != Role::Admin || session.impersonated_by.is_some() {
        return Err(AuthError::api(StatusCode::FORBIDDEN, denied));
    }
    Ok(Acting { session, user })
}

/// An admin POST: the body read, the caller checked (before the body is
/// parsed, so a non-admin learns nothing from validation), the body parsed.
async fn admin_call<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: Request,
    denied: &'static str,
) -> Result<(Acting, http::request::Parts, T), AuthError> {
    let (parts, bytes) = split(state, req).await?;
    let acting = require_admin(state, &parts.headers, denied).await?;
    let body = parse(&bytes)?;
    Ok((acting, parts, body))
}

fn audit(acting: &Acting, action: &'static str, target: &str) {
    tracing::info!(admin_id = %acting.user.id, action, target_user_id = %target, "admin action");
}

/// Ends the impersonations `user_id` is part of, in the database and the cache.
async fn end_impersonations(state: &AppState, user_id: &str) -> Result<(), AuthError> {
    for id in admin::end_impersonations(&state.db, user_id).await? {
        state.sessions.revoke_session(&id);
    }
    Ok(())
}

/// An admin may not change their own role (the way to lock every admin out).
fn not_self(acting: &Acting, target: &str) -> Result<(), AuthError> {
    if acting.user.id == target {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "You cannot change your own role"));
    }
    Ok(())
}

fn user_not_found() -> AuthError {
    AuthError::api(StatusCode::NOT_FOUND, "User not found")
}

async fn find_user(state: &AppState, id: &str) -> Result<user::Model, AuthError> {
    users::find(&state.db, id).await?.ok_or_else(user_not_found)
}

/// A role as the plugin takes it: a name, or a list of names (one, here: the schema has one role per user).
fn role_from(value: &Value) -> Result<Role, AuthError> {
    let invalid = AuthError::api(StatusCode::BAD_REQUEST, "You are not allowed to set a non-existent role value");
    let name = match value {
        Value::String(name) => name.as_str(),
        Value::Array(names) if names.len() == 1 => names[0].as_str().ok_or(messages::VALIDATION)?,
        Value::Array(_) => return Err(invalid),
        _ => return Err(messages::VALIDATION),
    };
    admin::parse_role(name).ok_or(invalid)
}

/// Maps a not-found from the services to the plugin's 404.
fn or_not_found(err: AppError) -> AuthError {
    match err {
        AppError::NotFound { .. } => user_not_found(),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListUsersQuery {
    search_value: Option<String>,
    search_field: Option<String>,
    search_operator: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    sort_by: Option<String>,
    sort_direction: Option<String>,
    filter_field: Option<String>,
    filter_value: Option<String>,
    filter_operator: Option<String>,
}

/// A GET endpoint's query, read after the caller is checked (an extractor
/// would answer a malformed query before the 401/403); bad input is
/// `VALIDATION_ERROR`.
fn query_of<T: serde::de::DeserializeOwned>(raw: Option<String>) -> Result<T, AuthError> {
    let pairs: Map<String, Value> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    serde_json::from_value(Value::Object(pairs)).map_err(|_| messages::VALIDATION)
}

fn user_query(q: ListUsersQuery) -> Result<UserQuery, AuthError> {
    let bad =
        |message: &'static str| AuthError::Coded { status: StatusCode::BAD_REQUEST, code: "VALIDATION_ERROR", message };
    let number = |v: Option<String>| -> Result<Option<u64>, AuthError> {
        match v.filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| bad("limit and offset must be whole numbers")),
        }
    };
    let mut query = UserQuery {
        // At most 1000 users a page, whatever the client asks.
        // 0 is no limit, as BetterAuth's `Number(limit) || undefined`; at most 1000 users a page.
        limit: number(q.limit)?.filter(|l| *l > 0).map(|l| l.min(1000)),
        offset: number(q.offset)?,
        ..UserQuery::default()
    };
    if let Some(text) = q.search_value.filter(|v| !v.is_empty()) {
        let field = match q.search_field.as_deref() {
            None | Some("email") => Field::Email,
            Some("name") => Field::Name,
            Some(_) => return Err(bad("searchField must be email or name")),
        };
        let how = match q.search_operator.as_deref() {
            None | Some("contains") => TextMatch::Contains,
            Some("starts_with") => TextMatch::StartsWith,
            Some("ends_with") => TextMatch::EndsWith,
            Some(_) => return Err(bad("searchOperator must be contains, starts_with or ends_with")),
        };
        query.search = Some((field, how, text));
    }
    if let Some(raw) = q.filter_value.filter(|v| !v.is_empty()) {
        let field = Field::parse(q.filter_field.as_deref().unwrap_or("email")).ok_or(bad("Unknown filterField"))?;
        let compare = match q.filter_operator.as_deref().unwrap_or("eq") {
            "eq" => Compare::Eq,
            "ne" => Compare::Ne,
            "lt" => Compare::Lt,
            "lte" => Compare::Lte,
            "gt" => Compare::Gt,
            "gte" => Compare::Gte,
            "contains" => Compare::Contains,
            _ => return Err(bad("filterOperator must be eq, ne, lt, lte, gt, gte or contains")),
        };
        let value = match field {
            Field::Role => FilterValue::Role(admin::parse_role(&raw).ok_or(bad("A role is user or admin"))?),
            Field::Banned | Field::EmailVerified => {
                FilterValue::Flag(raw.parse().map_err(|_| bad("This filter takes true or false"))?)
            }
            Field::CreatedAt | Field::UpdatedAt => FilterValue::Time(
                chrono::DateTime::parse_from_rfc3339(&raw)
                    .map_err(|_| bad("This filter takes an ISO 8601 date-time"))?
                    .naive_utc(),
            ),
            Field::Email => FilterValue::Text(users::normalize_email(&raw)),
            Field::Id | Field::Name => FilterValue::Text(raw),
        };
        query.filter = Some((field, compare, value));
    }
    if let Some(name) = q.sort_by.filter(|v| !v.is_empty()) {
        let field = Field::parse(&name).ok_or(bad("Unknown sortBy field"))?;
        let ascending = match q.sort_direction.as_deref() {
            None | Some("asc") => true,
            Some("desc") => false,
            Some(_) => return Err(bad("sortDirection must be asc or desc")),
        };
        query.sort = Some((field, ascending));
    }
    Ok(query)
}

/// `GET /admin/list-users`: `{users, total, limit, offset}`.
pub(super) async fn list_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AuthError> {
    let acting = require_admin(&state, &headers, "You are not allowed to list users").await?;
    let query = user_query(query_of(raw)?)?;
    let (found, total) = admin::list_users(&state.db, &query).await?;
    audit(&acting, "list-users", "*");
    let list: Vec<AuthUser> = found.into_iter().map(Into::into).collect();
    let mut out = json!({ "users": list, "total": total });
    if let Some(limit) = query.limit {
        out["limit"] = json!(limit);
    }
    if let Some(offset) = query.offset.filter(|o| *o > 0) {
        out["offset"] = json!(offset);
    }
    Ok(Json(out).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct IdQuery {
    id: String,
}

/// `GET /admin/get-user?id=`: the user object itself.
pub(super) async fn get_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AuthError> {
    let acting = require_admin(&state, &headers, "You are not allowed to get user").await?;
    let query: IdQuery = query_of(raw)?;
    let found = find_user(&state, &query.id).await?;
    audit(&acting, "get-user", &found.id);
    Ok(Json(AuthUser::from(found)).into_response())
}

#[derive(Debug, Deserialize)]
struct CreateUserBody {
    email: String,
    password: String,
    name: String,
    #[serde(default)]
    role: Option<Value>,
    #[serde(default)]
    data: Option<Map<String, Value>>,
}

/// `POST /admin/create-user`: a user with a password, `{user}`.
pub(super) async fn create_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, CreateUserBody) =
        admin_call(&state, req, "You are not allowed to create users").await?;
    super::check_email(&body.email)?;
    check_password_length(&body.password)?;
    check_name(&body.name)?;
    let role = match &body.role {
        Some(value) => role_from(value)?,
        None => Role::User,
    };
    // `data` sets the other fields this schema has (not the email, which is the body's).
    let extra = match &body.data {
        Some(data) if data.contains_key("email") => {
            return Err(AuthError::Coded {
                status: StatusCode::BAD_REQUEST,
                code: "VALIDATION_ERROR",
                message: "The email goes in the body, not in data",
            });
        }
        Some(data) if !data.is_empty() => Some(update_from(data)?),
        _ => None,
    };
    if users::find_id_by_email(&state.db, &body.email).await?.is_some() {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "User already exists. Use another email."));
    }
    let password_hash = state.hasher.hash(body.password).await?;
    let registration =
        account::Registration { email: body.email, name: Some(body.name), image: None, password_hash, role };
    let created = match account::register(&state.db, registration, None).await {
        Ok((created, _)) => created,
        Err(AppError::Conflict(_)) => {
            return Err(AuthError::api(StatusCode::BAD_REQUEST, "User already exists. Use another email."));
        }
        Err(other) => return Err(other.into()),
    };
    let created = match extra {
        Some(update) => admin::update_user(&state.db, &created.id, update).await?,
        None => created,
    };
    audit(&acting, "create-user", &created.id);
    Ok(Json(json!({ "user": AuthUser::from(created) })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateUserBody {
    user_id: String,
    data: Map<String, Value>,
}

fn update_from(data: &Map<String, Value>) -> Result<UserUpdate, AuthError> {
    let bad = AuthError::Coded {
        status: StatusCode::BAD_REQUEST,
        code: "VALIDATION_ERROR",
        message: "data may set name, email, image, emailVerified and role",
    };
    let mut update = UserUpdate::default();
    for (key, value) in data {
        match (key.as_str(), value) {
            ("name", Value::String(name)) => update.name = Some(Some(check_name(name)?.to_string())),
            ("name", Value::Null) => update.name = Some(None),
            ("email", Value::String(email)) => {
                super::check_email(email)?;
                update.email = Some(email.clone());
            }
            ("image", Value::String(image)) => update.image = Some(Some(super::check_image(image)?.to_string())),
            ("image", Value::Null) => update.image = Some(None),
            ("emailVerified", Value::Bool(verified)) => update.email_verified = Some(*verified),
            ("role", value) => update.role = Some(role_from(value)?),
            _ => return Err(bad),
        }
    }
    Ok(update)
}

/// `POST /admin/update-user {userId, data}`: the updated user object itself.
pub(super) async fn update_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, UpdateUserBody) =
        admin_call(&state, req, "You are not allowed to update users").await?;
    if body.data.is_empty() {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "No data to update"));
    }
    let update = update_from(&body.data)?;
    let role_changes = update.role.is_some();
    if role_changes {
        not_self(&acting, &body.user_id)?;
    }
    let updated = match admin::update_user(&state.db, &body.user_id, update).await {
        Ok(updated) => updated,
        Err(AppError::Conflict(_)) => {
            return Err(AuthError::api(StatusCode::BAD_REQUEST, "User already exists. Use another email."));
        }
        Err(other) => return Err(or_not_found(other)),
    };
    // The role (or address) sessions carry may have changed.
    if role_changes {
        end_impersonations(&state, &updated.id).await?;
    }
    state.sessions.revoke_user(&updated.id);
    audit(&acting, "update-user", &updated.id);
    Ok(Json(AuthUser::from(updated)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetRoleBody {
    user_id: String,
    role: Value,
}

/// `POST /admin/set-role {userId, role}`: `{user}`.
pub(super) async fn set_role(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, SetRoleBody) =
        admin_call(&state, req, "You are not allowed to change users role").await?;
    let role = role_from(&body.role)?;
    not_self(&acting, &body.user_id)?;
    let update = UserUpdate { role: Some(role), ..UserUpdate::default() };
    let updated = admin::update_user(&state.db, &body.user_id, update).await.map_err(or_not_found)?;
    end_impersonations(&state, &updated.id).await?;
    state.sessions.revoke_user(&updated.id);
    audit(&acting, "set-role", &updated.id);
    Ok(Json(json!({ "user": AuthUser::from(updated) })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BanBody {
    user_id: String,
    #[serde(default)]
    ban_reason: Option<String>,
    /// Seconds from now.
    #[serde(default)]
    ban_expires_in: Option<f64>,
}

/// `POST /admin/ban-user {userId, banReason?, banExpiresIn?}`: bans and ends
/// every session of the user at once; `{user}`.
pub(super) async fn ban_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, BanBody) = admin_call(&state, req, "You are not allowed to ban users").await?;
    let target = find_user(&state, &body.user_id).await?;
    if target.id == acting.user.id {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "You cannot ban yourself"));
    }
    let until = match body.ban_expires_in {
        None => None,
        // As BetterAuth's `banExpiresIn ? … : undefined`: 0 is no expiry.
        Some(0.0) => None,
        Some(seconds) if seconds.is_finite() && seconds > 0.0 && seconds < 1e11 => {
            Some(nextstack_entity::now() + chrono::Duration::milliseconds((seconds * 1000.0) as i64))
        }
        Some(_) => {
            return Err(AuthError::Coded {
                status: StatusCode::BAD_REQUEST,
                code: "VALIDATION_ERROR",
                message: "banExpiresIn must be a positive number of seconds",
            });
        }
    };
    let reason = body.ban_reason.filter(|r| !r.trim().is_empty()).unwrap_or_else(|| "No reason".into());
    if reason.chars().count() > 1000 {
        return Err(AuthError::Coded {
            status: StatusCode::BAD_REQUEST,
            code: "VALIDATION_ERROR",
            message: "banReason is at most 1000 characters",
        });
    }
    let (banned, ended) = admin::ban(&state.db, &target.id, &reason, until).await.map_err(or_not_found)?;
    state.sessions.revoke_user(&banned.id);
    for id in ended {
        state.sessions.revoke_session(&id);
    }
    audit(&acting, "ban-user", &banned.id);
    Ok(Json(json!({ "user": AuthUser::from(banned) })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIdBody {
    user_id: String,
}

/// `POST /admin/unban-user {userId}`: `{user}`.
pub(super) async fn unban_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, UserIdBody) = admin_call(&state, req, "You are not allowed to ban users").await?;
    let user = admin::unban(&state.db, &body.user_id).await.map_err(or_not_found)?;
    audit(&acting, "unban-user", &user.id);
    Ok(Json(json!({ "user": AuthUser::from(user) })).into_response())
}

/// `POST /admin/list-user-sessions {userId}`: `{sessions}`.
pub(super) async fn list_user_sessions(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, UserIdBody) =
        admin_call(&state, req, "You are not allowed to list users sessions").await?;
    let list: Vec<AuthSession> =
        admin::user_sessions(&state.db, &body.user_id).await?.into_iter().map(Into::into).collect();
    audit(&acting, "list-user-sessions", &body.user_id);
    Ok(Json(json!({ "sessions": list })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionTokenBody {
    session_token: String,
}

/// `POST /admin/revoke-user-session {sessionToken}`: `{success: true}`.
pub(super) async fn revoke_user_session(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, SessionTokenBody) =
        admin_call(&state, req, "You are not allowed to revoke users sessions").await?;
    let found = sessions::find_by_token(&state.db, &body.session_token).await?;
    sessions::delete_by_token(&state.db, &body.session_token).await?;
    state.sessions.forget_token(&body.session_token);
    if let Some(found) = &found {
        state.sessions.revoke_session(&found.id);
    }
    audit(&acting, "revoke-user-session", found.as_ref().map_or("-", |s| s.user_id.as_str()));
    Ok(Json(json!({ "success": true })).into_response())
}

/// `POST /admin/revoke-user-sessions {userId}`: `{success: true}`.
pub(super) async fn revoke_user_sessions(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, UserIdBody) =
        admin_call(&state, req, "You are not allowed to revoke users sessions").await?;
    end_impersonations(&state, &body.user_id).await?;
    sessions::delete_for_user(&state.db, &body.user_id, None).await?;
    state.sessions.revoke_user(&body.user_id);
    audit(&acting, "revoke-user-sessions", &body.user_id);
    Ok(Json(json!({ "success": true })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetPasswordBody {
    new_password: String,
    user_id: String,
}

/// `POST /admin/set-user-password {newPassword, userId}`: `{status: true}`.
pub(super) async fn set_user_password(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (acting, _, body): (_, _, SetPasswordBody) =
        admin_call(&state, req, "You are not allowed to set users password").await?;
    check_password_length(&body.new_password)?;
    let target = find_user(&state, &body.user_id).await?;
    let hash = state.hasher.hash(body.new_password).await?;
    if !account::set_password_hash(&state.db, &target.id, hash.clone()).await? {
        account::create_credential(&state.db, &target.id, hash).await?;
    }
    audit(&acting, "set-user-password", &target.id);
    Ok(Json(json!({ "status": true })).into_response())
}

/// `POST /admin/remove-user {userId}`: deletes the user and what they own; `{success: true}`.
pub(super) async fn remove_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let request_id = req.extensions().get::<crate::middleware::request_id::RequestId>().cloned();
    let (acting, _, body): (_, _, UserIdBody) = admin_call(&state, req, "You are not allowed to delete users").await?;
    if body.user_id == acting.user.id {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "You cannot remove yourself"));
    }
    end_impersonations(&state, &body.user_id).await?;
    let deleted = account::delete_account(&state.db, &body.user_id).await.map_err(or_not_found)?;
    state.sessions.revoke_user(&deleted.user.id);
    let request_id = request_id.as_ref().map(|id| id.as_str());
    crate::storage::removal::remove_queued(&state.db, &state.storage, &deleted.storage_keys, request_id).await;
    audit(&acting, "remove-user", &deleted.user.id);
    Ok(Json(json!({ "success": true })).into_response())
}

/// `POST /admin/impersonate-user {userId}`: a one-hour session as the user,
/// marked with the admin's id; the admin's own session is kept in the signed
/// `admin_session` cookie for `stop-impersonating`. An admin cannot be
/// impersonated, and an impersonation session cannot impersonate further.
pub(super) async fn impersonate_user(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let acting = require_admin(&state, &parts.headers, "You are not allowed to impersonate users").await?;
    if acting.session.impersonated_by.is_some() {
        return Err(AuthError::api(StatusCode::FORBIDDEN, "You cannot impersonate while impersonating"));
    }
    let body: UserIdBody = parse(&bytes)?;
    let target = find_user(&state, &body.user_id).await?;
    if target.role == Role::Admin {
        return Err(AuthError::api(StatusCode::FORBIDDEN, "You cannot impersonate admins"));
    }
    let new = new_session(&state, &parts, &target.id, true);
    let Some(opened) = admin::open_session(&state.db, new, Some(&acting.user.id)).await? else {
        return Err(messages::BANNED_USER);
    };
    audit(&acting, "impersonate-user", &target.id);
    let dont_remember = if http_session::dont_remember(&state.config, &parts.headers) { "true" } else { "" };
    let admin_value = format!("{}:{dont_remember}", acting.session.token);
    let lifetime = admin::IMPERSONATION_LIFETIME.num_seconds();
    let body = json!({ "session": AuthSession::from(opened.clone()), "user": AuthUser::from(target) });
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, http_session::admin_session_cookie(&state.config, &admin_value));
    headers.append(SET_COOKIE, http_session::set_cookie(&state.config, &opened.token, Some(lifetime)));
    headers.insert(super::SET_AUTH_TOKEN.clone(), http_session::auth_token_header(&state.config, &opened.token));
    Ok(response)
}

/// `POST /admin/stop-impersonating`: ends the impersonation session and puts
/// the admin's own session back (from the `admin_session` cookie); answers it.
pub(super) async fn stop_impersonating(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AuthError> {
    let (session, _) = require_session(&state, &headers).await?;
    let Some(admin_id) = session.impersonated_by.clone() else {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "You are not impersonating anyone"));
    };
    // The impersonation ends whatever follows: the admin is never left signed in as the user.
    sessions::delete_by_token(&state.db, &session.token).await?;
    state.sessions.revoke_session(&session.id);
    tracing::info!(admin_id = %admin_id, action = "stop-impersonating", target_user_id = %session.user_id, "admin action");
    let lost = || {
        let mut response =
            AuthError::api(StatusCode::INTERNAL_SERVER_ERROR, "Failed to find admin session").into_response();
        for cookie in http_session::clear_cookies(&state.config) {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        response.headers_mut().append(SET_COOKIE, http_session::clear_admin_session_cookie(&state.config));
        response
    };
    let Some(saved) = http_session::admin_session_from_cookie(&state.config, &headers) else { return Ok(lost()) };
    let (admin_token, dont_remember) = saved.split_once(':').unwrap_or((saved.as_str(), ""));
    let Some((admin_session, admin_user)) = sessions::find_valid(&state.db, admin_token).await? else {
        return Ok(lost());
    };
    if admin_session.user_id != admin_id {
        return Ok(lost());
    }
    let remember = dont_remember.is_empty();
    let body = json!({ "session": AuthSession::from(admin_session.clone()), "user": AuthUser::from(admin_user) });
    let mut response = super::with_session(&state, &admin_session, remember, body);
    response.headers_mut().append(SET_COOKIE, http_session::clear_admin_session_cookie(&state.config));
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PermissionBody {
    #[serde(default)]
    permission: Option<Map<String, Value>>,
    #[serde(default)]
    permissions: Option<Map<String, Value>>,
}

/// What the default `admin` role may do (`defaultStatements`); `user` may do nothing.
const ADMIN_STATEMENTS: [(&str, &[&str]); 2] = [
    ("user", &["create", "list", "set-role", "ban", "impersonate", "delete", "set-password", "get", "update"]),
    ("session", &["list", "revoke", "delete"]),
];

/// `POST /admin/has-permission {permissions}`: whether the caller's role grants every listed action.
pub(super) async fn has_permission(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let body: PermissionBody = parse(&bytes)?;
    let Some(asked) = body.permissions.or(body.permission) else {
        return Err(AuthError::api(StatusCode::BAD_REQUEST, "invalid permission check. no permission(s) were passed."));
    };
    let (_, user) = require_session(&state, &parts.headers).await?;
    let granted = user.role == Role::Admin
        && asked.iter().all(|(resource, actions)| {
            let allowed = ADMIN_STATEMENTS.iter().find(|(r, _)| r == resource).map(|(_, a)| *a).unwrap_or(&[]);
            actions.as_array().is_some_and(|list| {
                list.iter().all(|action| action.as_str().is_some_and(|action| allowed.contains(&action)))
            })
        });
    Ok(Json(json!({ "error": null, "success": granted })).into_response())
}
