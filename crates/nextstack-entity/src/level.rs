//! `Level`: a tier users reach by collecting points.

use sea_orm::entity::prelude::*;

/// One row of `"Level"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Level", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Unique (`Level_name_key`).
    #[sea_orm(unique)]
    pub name: String,
    /// Order of levels, higher is better; unique (`Level_rank_key`).
    #[sea_orm(unique)]
    pub rank: i32,
    /// Points needed to reach the level.
    pub min_points: i32,
    /// Description.
    pub description: Option<String>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Level`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Users at this level.
    #[sea_orm(has_many = "super::user::Entity")]
    Users,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

crate::prisma_defaults!();
