//! `Order` on the wire, with the offering it was placed for.

use nextstack_entity::{offering, order};
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `OrderStatus` on the wire is the database enum itself (upper-case strings).
pub use nextstack_entity::OrderStatus;

/// `{id, buyerId, offeringId, quantity, unitPriceCents, totalCents, currency, status, note, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// CUID.
    pub id: String,
    /// The buyer.
    pub buyer_id: String,
    /// What was bought.
    pub offering_id: String,
    /// How many.
    pub quantity: i32,
    /// Price of one, copied from the offering when placed.
    pub unit_price_cents: i32,
    /// `unitPriceCents × quantity` (a JSON number).
    pub total_cents: i64,
    /// ISO 4217, copied from the offering.
    pub currency: String,
    /// Where in its life it is.
    pub status: OrderStatus,
    /// The buyer's note.
    pub note: Option<String>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<order::Model> for Order {
    fn from(o: order::Model) -> Self {
        Self {
            id: o.id,
            buyer_id: o.buyer_id,
            offering_id: o.offering_id,
            quantity: o.quantity,
            unit_price_cents: o.unit_price_cents,
            total_cents: o.total_cents,
            currency: o.currency,
            status: o.status,
            note: o.note,
            created_at: o.created_at.into(),
            updated_at: o.updated_at.into(),
        }
    }
}

/// `{id, title, sellerId}` of an order's offering.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OfferingSummary {
    /// CUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// The seller.
    pub seller_id: String,
}

impl From<offering::Model> for OfferingSummary {
    fn from(o: offering::Model) -> Self {
        Self { id: o.id, title: o.title, seller_id: o.seller_id }
    }
}

/// `Order & {offering: {id, title, sellerId}}`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrderWithOffering {
    /// The order.
    #[serde(flatten)]
    #[ts(flatten)]
    pub order: Order,
    /// Its offering.
    pub offering: OfferingSummary,
}
