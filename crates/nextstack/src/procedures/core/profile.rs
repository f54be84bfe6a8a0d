//! `core.profile.*`: public pages under a unique handle; private ones are visible
//! only to their owner and admins.

use garde::Validate;
use nextstack_trpc::validation::{Issue, cuid};
use serde::Deserialize;
use serde_json::json;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, list_input};
use crate::rpc::auth::{Authed, MaybeUser};
use crate::services::pagination::Page;
use crate::services::profile::{self as profiles, ProfileFields};
use crate::wire::patch::double_option;
use crate::wire::profile::Profile;

/// `^[a-z0-9_]{3,30}$`.
fn valid_handle(value: &str, _: &()) -> garde::Result {
    let ok = (3..=30).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        let message = "Handle must be 3-30 lowercase letters, digits or underscores";
        Err(Issue::new("invalid_string", message, json!({"validation": "regex"})).into_garde())
    }
}

/// `core.profile.create` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateInput {
    /// `^[a-z0-9_]{3,30}$`, unique.
    #[garde(custom(valid_handle))]
    pub handle: String,
    /// 1..100.
    #[garde(length(utf16, min = 1, max = 100))]
    pub display_name: String,
    /// Up to 1000 characters.
    #[garde(inner(length(utf16, max = 1000)))]
    #[ts(optional = nullable)]
    pub bio: Option<String>,
    /// A URL.
    #[garde(inner(url, length(max = 2048)))]
    #[ts(optional = nullable)]
    pub website: Option<String>,
    /// Up to 100 characters.
    #[garde(inner(length(utf16, max = 100)))]
    #[ts(optional = nullable)]
    pub location: Option<String>,
    /// Visible to everyone (true).
    #[garde(skip)]
    #[ts(optional)]
    pub is_public: Option<bool>,
}

/// `core.profile.update` input: `{id}` plus any create field (`null` clears optional ones).
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// The profile.
    #[garde(custom(cuid))]
    pub id: String,
    /// New handle.
    #[garde(inner(custom(valid_handle)))]
    #[ts(optional)]
    pub handle: Option<String>,
    /// New display name.
    #[garde(inner(length(utf16, min = 1, max = 100)))]
    #[ts(optional)]
    pub display_name: Option<String>,
    /// New bio, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, max = 1000))))]
    #[ts(optional, type = "string | null")]
    pub bio: Option<Option<String>>,
    /// New website, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(url, length(max = 2048))))]
    #[ts(optional, type = "string | null")]
    pub website: Option<Option<String>>,
    /// New location, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, max = 100))))]
    #[ts(optional, type = "string | null")]
    pub location: Option<Option<String>>,
    /// New visibility.
    #[garde(skip)]
    #[ts(optional)]
    pub is_public: Option<bool>,
}

/// `core.profile.get` input: `{id}` or `{handle}`.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct GetInput {
    /// A profile's CUID.
    #[garde(inner(custom(cuid)))]
    #[ts(optional)]
    pub id: Option<String>,
    /// A handle.
    #[garde(inner(length(max = 30)))]
    #[ts(optional)]
    pub handle: Option<String>,
}

list_input! {
    /// `core.profile.list` input.
    #[ts(rename = "ProfileListInput")]
    pub struct ListInput {
        /// Only this user's profiles.
        #[garde(inner(custom(cuid)))]
        #[ts(optional)]
        pub user_id: Option<String>,
    }
}

/// `core.profile.create` (user): a profile of the caller; a taken handle is `CONFLICT`.
pub async fn create(ctx: Authed, input: CreateInput) -> Result<Profile, AppError> {
    let fields = ProfileFields {
        handle: Some(input.handle),
        display_name: Some(input.display_name),
        bio: Some(input.bio),
        website: Some(input.website),
        location: Some(input.location),
        is_public: input.is_public,
    };
    Ok(profiles::create(&ctx.state.db, &ctx.caller.user_id, fields).await?.into())
}

/// The profile, when the caller owns it or is an admin.
async fn owned(ctx: &Authed, id: &str) -> Result<nextstack_entity::profile::Model, AppError> {
    let row = profiles::find(&ctx.state.db, id).await?.ok_or(AppError::not_found("Profile"))?;
    ctx.ensure_owns(&row.user_id, "profile")?;
    Ok(row)
}

/// `core.profile.update` (owner).
pub async fn update(ctx: Authed, input: UpdateInput) -> Result<Profile, AppError> {
    let row = owned(&ctx, &input.id).await?;
    let fields = ProfileFields {
        handle: input.handle,
        display_name: input.display_name,
        bio: input.bio,
        website: input.website,
        location: input.location,
        is_public: input.is_public,
    };
    Ok(profiles::update(&ctx.state.db, row, fields).await?.into())
}

/// `core.profile.delete` (owner).
pub async fn delete(ctx: Authed, input: IdInput) -> Result<Profile, AppError> {
    let row = owned(&ctx, &input.id).await?;
    profiles::delete(&ctx.state.db, &row.id).await?;
    Ok(row.into())
}

/// `core.profile.get` (optional): a private profile is `NOT_FOUND` to all but its owner and admins.
pub async fn get(ctx: MaybeUser, input: GetInput) -> Result<Profile, AppError> {
    let db = &ctx.state.db;
    let row = match (&input.id, &input.handle) {
        (Some(id), _) => profiles::find(db, id).await?,
        (None, Some(handle)) => profiles::find_by_handle(db, handle).await?,
        (None, None) => return Err(AppError::BadRequest("Give the profile's id or handle".into())),
    };
    match row {
        Some(row) if row.is_public || ctx.viewer().sees_private_of(&row.user_id) => Ok(row.into()),
        _ => Err(AppError::not_found("Profile")),
    }
}

/// `core.profile.list` (optional): public profiles plus the caller's own (admins: all), newest first.
pub async fn list(ctx: MaybeUser, input: Option<ListInput>) -> Result<Page<Profile>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    profiles::list(&ctx.state.db, ctx.viewer(), input.user_id.as_deref(), page).await
}
