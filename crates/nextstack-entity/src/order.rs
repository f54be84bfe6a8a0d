//! `Order`: a purchase of an offering. Price and currency are copied from the
//! offering at order time, so later price changes do not rewrite history.

use sea_orm::entity::prelude::*;

use crate::OrderStatus;

/// One row of `"Order"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Order", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// → `User.id`, cascade; indexed (`Order_buyerId_idx`).
    #[sea_orm(indexed)]
    pub buyer_id: String,
    /// → `Offering.id`, restrict: an offering with orders cannot be deleted;
    /// indexed (`Order_offeringId_idx`).
    #[sea_orm(indexed)]
    pub offering_id: String,
    /// Number of units.
    pub quantity: i32,
    /// Unit price at order time, in minor units.
    pub unit_price_cents: i32,
    /// `quantity × unitPriceCents`; BIGINT so the product cannot overflow.
    pub total_cents: i64,
    /// ISO 4217 code at order time.
    pub currency: String,
    /// Database default `PENDING`.
    pub status: OrderStatus,
    /// Buyer's note.
    pub note: Option<String>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Order`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The buyer (`Order_buyerId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::BuyerId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Order_buyerId_fkey"
    )]
    Buyer,
    /// The offering bought (`Order_offeringId_fkey`).
    #[sea_orm(
        belongs_to = "super::offering::Entity",
        from = "Column::OfferingId",
        to = "super::offering::Column::Id",
        on_update = "Cascade",
        on_delete = "Restrict",
        fk_name = "Order_offeringId_fkey"
    )]
    Offering,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Buyer.def()
    }
}

impl Related<super::offering::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offering.def()
    }
}

crate::prisma_defaults!();
