//! `Session`: a BetterAuth login session, looked up by its token.

use sea_orm::entity::prelude::*;

/// One row of `"Session"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Session", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// After this instant (UTC) the session is invalid.
    pub expires_at: DateTime,
    /// The secret carried by the session cookie; unique (`Session_token_key`).
    #[sea_orm(unique)]
    pub token: String,
    /// Client address at sign-in, if known.
    pub ip_address: Option<String>,
    /// Client `User-Agent` at sign-in, if sent.
    pub user_agent: Option<String>,
    /// → `User.id`, cascade.
    pub user_id: String,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
    /// BetterAuth admin plugin: the admin (user id) acting as this session's user.
    pub impersonated_by: Option<String>,
}

/// Relations of `Session`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The session's user (`Session_userId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Session_userId_fkey"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

crate::prisma_defaults!();
