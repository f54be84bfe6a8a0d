//! `Profile`: a user's public profile page.

use sea_orm::entity::prelude::*;

/// One row of `"Profile"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Profile", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// → `User.id`, cascade; indexed (`Profile_userId_idx`), not unique.
    #[sea_orm(indexed)]
    pub user_id: String,
    /// URL handle; unique (`Profile_handle_key`).
    #[sea_orm(unique)]
    pub handle: String,
    /// Name shown on the profile.
    pub display_name: String,
    /// Free text.
    pub bio: Option<String>,
    /// The user's website URL.
    pub website: Option<String>,
    /// Free-text location.
    pub location: Option<String>,
    /// Database default true.
    pub is_public: bool,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Profile`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The profile's owner (`Profile_userId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Profile_userId_fkey"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

crate::prisma_defaults!();
