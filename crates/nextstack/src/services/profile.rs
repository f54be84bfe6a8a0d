//! Profiles: public pages of users under a unique handle.

use nextstack_entity::profile;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
};

use crate::error::AppError;
use crate::services::pagination::{self, Page, PageRequest};
use crate::services::viewer::Viewer;
use crate::wire::profile::Profile;

/// Fields of a profile; on update, `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileFields {
    /// Handle.
    pub handle: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Bio (`Some(None)` clears it).
    pub bio: Option<Option<String>>,
    /// Website (`Some(None)` clears it).
    pub website: Option<Option<String>>,
    /// Location (`Some(None)` clears it).
    pub location: Option<Option<String>>,
    /// Visibility.
    pub is_public: Option<bool>,
}

fn handle_conflict(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict("This handle is already taken".into()),
        _ => err.into(),
    }
}

/// Inserts a profile for `user_id` (`handle` and `display_name` required).
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: &str,
    fields: ProfileFields,
) -> Result<profile::Model, AppError> {
    let row = profile::ActiveModel {
        user_id: Set(user_id.to_string()),
        handle: Set(fields.handle.unwrap_or_default()),
        display_name: Set(fields.display_name.unwrap_or_default()),
        bio: Set(fields.bio.flatten()),
        website: Set(fields.website.flatten()),
        location: Set(fields.location.flatten()),
        is_public: Set(fields.is_public.unwrap_or(true)),
        ..Default::default()
    };
    row.insert(db).await.map_err(handle_conflict)
}

/// A profile by id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<profile::Model>, AppError> {
    Ok(profile::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// A profile by handle.
pub async fn find_by_handle(db: &impl ConnectionTrait, handle: &str) -> Result<Option<profile::Model>, AppError> {
    Ok(profile::Entity::find().filter(profile::Column::Handle.eq(handle)).one(db).await?)
}

/// Applies changes.
pub async fn update(
    db: &impl ConnectionTrait,
    row: profile::Model,
    fields: ProfileFields,
) -> Result<profile::Model, AppError> {
    let mut row: profile::ActiveModel = row.into();
    if let Some(handle) = fields.handle {
        row.handle = Set(handle);
    }
    if let Some(name) = fields.display_name {
        row.display_name = Set(name);
    }
    if let Some(bio) = fields.bio {
        row.bio = Set(bio);
    }
    if let Some(website) = fields.website {
        row.website = Set(website);
    }
    if let Some(location) = fields.location {
        row.location = Set(location);
    }
    if let Some(is_public) = fields.is_public {
        row.is_public = Set(is_public);
    }
    row.update(db).await.map_err(handle_conflict)
}

/// Deletes a profile.
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    profile::Entity::delete_by_id(id.to_string()).exec(db).await?;
    Ok(())
}

/// Public profiles plus the viewer's own (admins: all), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    user_id: Option<&str>,
    page: PageRequest,
) -> Result<Page<Profile>, AppError> {
    let mut select = profile::Entity::find();
    match viewer {
        Viewer::Admin => {}
        Viewer::Anonymous => select = select.filter(profile::Column::IsPublic.eq(true)),
        Viewer::User(me) => {
            select = select
                .filter(Condition::any().add(profile::Column::IsPublic.eq(true)).add(profile::Column::UserId.eq(me)));
        }
    }
    if let Some(user_id) = user_id {
        select = select.filter(profile::Column::UserId.eq(user_id));
    }
    let ordered = select.order_by_desc(profile::Column::CreatedAt).order_by_desc(profile::Column::Id);
    pagination::fetch(db, ordered, page, Profile::from).await
}
