//! `Offering`: something a user sells; listed by `(status, createdAt)`.

use sea_orm::entity::prelude::*;

use crate::OfferingStatus;

/// One row of `"Offering"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Offering", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// → `User.id`, cascade; indexed (`Offering_sellerId_idx`).
    #[sea_orm(indexed)]
    pub seller_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Unit price in the currency's minor unit.
    pub price_cents: i32,
    /// ISO 4217 code; database default `USD`.
    pub currency: String,
    /// Database default `DRAFT`.
    pub status: OfferingStatus,
    /// Lowest `Level.rank` allowed to buy, if restricted.
    pub min_level_rank: Option<i32>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Offering`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The seller (`Offering_sellerId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::SellerId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Offering_sellerId_fkey"
    )]
    Seller,
    /// Orders placed for this offering.
    #[sea_orm(has_many = "super::order::Entity")]
    Orders,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seller.def()
    }
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Orders.def()
    }
}

crate::prisma_defaults!();
