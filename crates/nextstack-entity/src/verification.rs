//! `Verification`: BetterAuth's one-time values (email verification, password
//! reset), found by `(identifier, value)`.

use sea_orm::entity::prelude::*;

/// One row of `"Verification"`; `(identifier, value)` is unique
/// (`Verification_identifier_value_key`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Verification", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// What is being verified, e.g. an email address or `reset-password:<token>`.
    pub identifier: String,
    /// The secret or payload.
    pub value: String,
    /// After this instant (UTC) the value is void.
    pub expires_at: DateTime,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// `Verification` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::prisma_defaults!();
