//! `File`: an uploaded object's metadata; the bytes live in storage under
//! `storageKey`.

use sea_orm::entity::prelude::*;

use crate::FileStatus;

/// One row of `"File"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "File", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The owner: → `User.id`, cascade; indexed (`File_userId_idx`).
    #[sea_orm(indexed)]
    pub user_id: String,
    /// Sanitised name used in storage and downloads.
    pub filename: String,
    /// Name as uploaded by the client.
    pub original_name: String,
    /// Declared MIME type.
    pub mime_type: String,
    /// Size in bytes (BIGINT).
    pub size: i64,
    /// Object key in storage; unique (`File_storageKey_key`).
    #[sea_orm(unique)]
    pub storage_key: String,
    /// Public URL, if the object is publicly served.
    pub url: Option<String>,
    /// Database default `PENDING`; indexed (`File_status_idx`).
    #[sea_orm(indexed)]
    pub status: FileStatus,
    /// Free-form JSON (JSONB on PostgreSQL, which reorders keys).
    #[sea_orm(column_type = "JsonBinary")]
    pub metadata: Option<Json>,
    /// Soft-delete time (UTC); indexed (`File_deletedAt_idx`).
    #[sea_orm(indexed)]
    pub deleted_at: Option<DateTime>,
    /// Set by the server (UTC, milliseconds); indexed (`File_createdAt_idx`).
    #[sea_orm(indexed)]
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `File`.
///
/// `Owner` is `File.userId`; the reverse of `User.avatarFileId` is
/// `AvatarOf` (at most one user, the avatar being unique).
#[derive(Copy, Clone, Debug, EnumIter)]
pub enum Relation {
    /// The owner (`File_userId_fkey`).
    Owner,
    /// The user whose avatar this file is, if any.
    AvatarOf,
}

impl RelationTrait for Relation {
    fn def(&self) -> RelationDef {
        match self {
            Self::Owner => Entity::belongs_to(super::user::Entity)
                .from(Column::UserId)
                .to(super::user::Column::Id)
                .on_update(ForeignKeyAction::Cascade)
                .on_delete(ForeignKeyAction::Cascade)
                .fk_name("File_userId_fkey")
                .into(),
            Self::AvatarOf => super::user::Relation::AvatarFile.def().rev(),
        }
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

crate::prisma_defaults!();
