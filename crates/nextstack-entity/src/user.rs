//! `User`: a BetterAuth user plus NextStack's role, points, level and avatar.

use sea_orm::entity::prelude::*;

use crate::Role;

/// One row of `"User"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "User", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Unique (`User_email_key`); stored as given, normalised by the caller.
    #[sea_orm(unique)]
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Set once the address is verified; database default false.
    pub email_verified: bool,
    /// Avatar URL from an OAuth provider or set by the user.
    pub image: Option<String>,
    /// Database default `USER`.
    pub role: Role,
    /// Database default 0.
    pub points: i32,
    /// → `Level.id`, set null when the level is deleted.
    pub level_id: Option<String>,
    /// → `File.id`, unique (`User_avatarFileId_key`), set null when the file is deleted.
    #[sea_orm(unique)]
    pub avatar_file_id: Option<String>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
    /// BetterAuth admin plugin: the user may not sign in (until `ban_expires`, when set).
    pub banned: bool,
    /// Why, as the admin wrote it.
    pub ban_reason: Option<String>,
    /// When the ban lifts itself (UTC); none: until an admin lifts it.
    pub ban_expires: Option<DateTime>,
}

/// Relations of `User`.
///
/// `User` and `File` point at each other: `AvatarFile` is the user's avatar
/// (`User.avatarFileId`), `Files` are the files the user owns (`File.userId`).
/// `Related<file::Entity>` means the owned files; reach the avatar with
/// [`AvatarFile`] or `Relation::AvatarFile`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user's level (`User_levelId_fkey`).
    #[sea_orm(
        belongs_to = "super::level::Entity",
        from = "Column::LevelId",
        to = "super::level::Column::Id",
        on_update = "Cascade",
        on_delete = "SetNull",
        fk_name = "User_levelId_fkey"
    )]
    Level,
    /// The user's avatar (`User_avatarFileId_fkey`).
    #[sea_orm(
        belongs_to = "super::file::Entity",
        from = "Column::AvatarFileId",
        to = "super::file::Column::Id",
        on_update = "Cascade",
        on_delete = "SetNull",
        fk_name = "User_avatarFileId_fkey"
    )]
    AvatarFile,
    /// Files the user uploaded.
    #[sea_orm(has_many = "super::file::Entity")]
    Files,
    /// Login sessions.
    #[sea_orm(has_many = "super::session::Entity")]
    Sessions,
    /// Credential and OAuth accounts.
    #[sea_orm(has_many = "super::account::Entity")]
    Accounts,
    /// Public profiles.
    #[sea_orm(has_many = "super::profile::Entity")]
    Profiles,
    /// Posts written by the user.
    #[sea_orm(has_many = "super::post::Entity")]
    Posts,
    /// Offerings the user sells.
    #[sea_orm(has_many = "super::offering::Entity")]
    Offerings,
    /// Orders the user placed.
    #[sea_orm(has_many = "super::order::Entity")]
    Orders,
}

impl Related<super::level::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Level.def()
    }
}

impl Related<super::file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Files.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Accounts.def()
    }
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profiles.def()
    }
}

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Posts.def()
    }
}

impl Related<super::offering::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offerings.def()
    }
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Orders.def()
    }
}

/// Link from a user to their avatar file, for `user.find_linked(AvatarFile)`,
/// since `Related<file::Entity>` already means the owned files.
#[derive(Debug, Clone, Copy)]
pub struct AvatarFile;

impl Linked for AvatarFile {
    type FromEntity = Entity;
    type ToEntity = super::file::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::AvatarFile.def()]
    }
}

crate::prisma_defaults!();
