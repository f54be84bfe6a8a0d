//! `Account`: a BetterAuth credential (password) or OAuth account of a user.

use sea_orm::entity::prelude::*;

/// One row of `"Account"`; `(providerId, accountId)` is unique
/// (`Account_providerId_accountId_key`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Account", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The account's id at the provider (for `credential`, the user id).
    pub account_id: String,
    /// `credential` or an OAuth provider id such as `github`.
    pub provider_id: String,
    /// → `User.id`, cascade.
    pub user_id: String,
    /// OAuth access token.
    pub access_token: Option<String>,
    /// OAuth refresh token.
    pub refresh_token: Option<String>,
    /// OpenID Connect id token.
    pub id_token: Option<String>,
    /// Expiry of `accessToken` (UTC).
    pub access_token_expires_at: Option<DateTime>,
    /// Expiry of `refreshToken` (UTC).
    pub refresh_token_expires_at: Option<DateTime>,
    /// Granted OAuth scopes.
    pub scope: Option<String>,
    /// BetterAuth scrypt hash, for `credential` accounts only. Never leave
    /// the server with it: wire types are built field by field.
    pub password: Option<String>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Account`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account's user (`Account_userId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Account_userId_fkey"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

crate::prisma_defaults!();
