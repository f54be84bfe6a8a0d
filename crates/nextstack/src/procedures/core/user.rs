//! `core.user.*`.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, list_input};
use crate::rpc::auth::{Admin, Authed};
use crate::services::account::{self, Reauth};
use crate::services::pagination::{Page, search_term};
use crate::services::session as sessions;
use crate::services::user::{self as users, NewUser, UserChanges};
use crate::storage::removal::remove_queued;
use crate::wire::patch::double_option;
use crate::wire::user::{Role, UserBasic, UserWithCounts};

/// `core.user.create` input.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct CreateInput {
    /// Email (stored lower-cased).
    #[garde(email, length(utf16, max = 255))]
    pub email: String,
    /// Display name.
    #[garde(inner(length(utf16, min = 1, max = 100)))]
    #[ts(optional = nullable)]
    pub name: Option<String>,
    /// Role (USER by default).
    #[garde(skip)]
    #[ts(optional)]
    pub role: Option<Role>,
}

/// `core.user.update` input: only the fields sent change; `null` clears.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct UpdateInput {
    /// The user to change.
    #[garde(custom(cuid))]
    pub id: String,
    /// New email (stored lower-cased).
    #[garde(inner(email, length(utf16, max = 255)))]
    #[ts(optional)]
    pub email: Option<String>,
    /// New name, or `null` to clear it.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, min = 1, max = 100))))]
    #[ts(optional, type = "string | null")]
    pub name: Option<Option<String>>,
    /// New image URL, or `null` to clear it.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(url)))]
    #[ts(optional, type = "string | null")]
    pub image: Option<Option<String>>,
    /// New role (admins only).
    #[garde(skip)]
    #[ts(optional)]
    pub role: Option<Role>,
}

/// `core.user.delete` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[ts(rename = "UserDeleteInput")]
pub struct DeleteInput {
    /// The user to delete.
    #[garde(custom(cuid))]
    pub id: String,
    /// The account's password: deleting one's own account needs it, unless the
    /// session is less than an hour old (decision 19).
    #[garde(inner(length(max = 128)))]
    #[ts(optional)]
    pub password: Option<String>,
}

list_input! {
    /// `core.user.list` input: pagination plus a search on name and email.
    #[ts(rename = "UserListInput")]
    pub struct ListInput {
        /// Case-insensitive substring of name or email.
        #[garde(inner(length(utf16, max = 100)))]
        #[ts(optional)]
        pub search: Option<String>,
    }
}

/// `core.user.create` (admin): a user without credentials; a taken email is `CONFLICT`.
pub async fn create(ctx: Admin, input: CreateInput) -> Result<UserWithCounts, AppError> {
    let new = NewUser { email: input.email, name: input.name, role: input.role.unwrap_or(Role::User) };
    let user = users::create(&ctx.state.db, new).await?;
    Ok(UserWithCounts { user: user.into(), count: Default::default() })
}

/// `core.user.update` (owner: the user itself, or an admin; roles and emails: admins only).
pub async fn update(ctx: Authed, input: UpdateInput) -> Result<UserWithCounts, AppError> {
    if !ctx.owns_or_admin(&input.id) {
        return Err(AppError::Forbidden("You can only change your own account".into()));
    }
    let is_admin = ctx.caller.role == Role::Admin;
    if input.role.is_some() && !is_admin {
        return Err(AppError::Forbidden("Only an admin can change roles".into()));
    }
    if let Some(email) = &input.email
        && !is_admin
    {
        // Decision 19: a stolen session must not be able to move the account to the thief's mailbox.
        let current = users::find(&ctx.state.db, &input.id).await?.ok_or(AppError::not_found("User"))?;
        if users::normalize_email(email) != current.email {
            return Err(AppError::Forbidden(
                "Change your email through POST /api/auth/change-email: a link is mailed to the new address".into(),
            ));
        }
    }
    let changes = UserChanges { email: input.email, name: input.name, image: input.image, role: input.role };
    let role_changed = changes.role.is_some();
    users::update(&ctx.state.db, &input.id, changes).await?;
    if role_changed {
        ctx.state.sessions.revoke_user(&input.id);
    }
    users::find_with_counts(&ctx.state.db, &input.id).await?.ok_or(AppError::not_found("User"))
}

/// `core.user.delete` (owner): the user and, by the schema's cascades, everything
/// they own, in one transaction; their stored objects are removed after it commits. The owner proves it is them
/// (password or a fresh session, decision 19); an admin deleting someone else need not.
pub async fn delete(ctx: Authed, input: DeleteInput) -> Result<UserBasic, AppError> {
    if !ctx.owns_or_admin(&input.id) {
        return Err(AppError::Forbidden("You can only delete your own account".into()));
    }
    if input.id == ctx.caller.user_id {
        confirm_owner(&ctx, input.password).await?;
    }
    let deleted = account::delete_account(&ctx.state.db, &input.id).await?;
    ctx.state.sessions.revoke_user(&input.id);
    remove_queued(&ctx.state.db, &ctx.state.storage, &deleted.storage_keys, Some(ctx.request_id.as_str())).await;
    Ok(deleted.user.into())
}

async fn confirm_owner(ctx: &Authed, password: Option<String>) -> Result<(), AppError> {
    let db = &ctx.state.db;
    let created = match &ctx.caller.session_id {
        Some(id) => sessions::created_at(db, id).await?,
        None => None,
    };
    // No session to date (another identity): only the password can prove it.
    let created = created.unwrap_or(chrono::NaiveDateTime::MIN);
    match account::confirm_identity(db, &ctx.state.hasher, &ctx.caller.user_id, created, password).await {
        Ok(()) => Ok(()),
        Err(Reauth::InvalidPassword) => {
            Err(AppError::InvalidField { field: "password", message: "Invalid password".into() })
        }
        Err(Reauth::NoCredential) => Err(AppError::InvalidField {
            field: "password",
            message: "This account has no password; sign in again and delete it within the hour".into(),
        }),
        Err(Reauth::NotFresh) => Err(AppError::Forbidden(
            "Deleting your account needs your password, or a session less than an hour old: sign in again".into(),
        )),
        Err(Reauth::Failed(err)) => Err(err),
    }
}

/// `core.user.get` (user): one user with counts.
pub async fn get(ctx: Authed, input: IdInput) -> Result<UserWithCounts, AppError> {
    users::find_with_counts(&ctx.state.db, &input.id).await?.ok_or(AppError::not_found("User"))
}

/// `core.user.list` (user): newest first, optionally filtered.
pub async fn list(ctx: Authed, input: Option<ListInput>) -> Result<Page<UserBasic>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    let search = search_term(input.search);
    users::list(&ctx.state.db, page, search.as_deref()).await
}
