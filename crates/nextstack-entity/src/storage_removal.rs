//! `StorageRemoval`: keys of storage objects still to remove after their
//! `File` rows went with a deleted account (written in the deleting
//! transaction, cleared once storage confirms the removal).

use sea_orm::entity::prelude::*;

/// One object still to remove.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "StorageRemoval", rename_all = "camelCase")]
pub struct Model {
    /// The object's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub storage_key: String,
    /// When it was queued (UTC, milliseconds).
    pub created_at: DateTime,
}

/// `StorageRemoval` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
