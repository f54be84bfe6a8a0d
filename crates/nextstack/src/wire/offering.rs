//! `Offering` on the wire, alone or with its seller.

use nextstack_entity::offering;
use serde::Serialize;
use ts_rs::TS;

use super::post::UserSummary;
use super::time::IsoTime;

/// `OfferingStatus` on the wire is the database enum itself (upper-case strings).
pub use nextstack_entity::OfferingStatus;

/// `{id, sellerId, title, description, priceCents, currency, status, minLevelRank, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Offering {
    /// CUID.
    pub id: String,
    /// The seller.
    pub seller_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Price in minor units.
    pub price_cents: i32,
    /// ISO 4217 code.
    pub currency: String,
    /// Status.
    pub status: OfferingStatus,
    /// Lowest level rank allowed to buy.
    pub min_level_rank: Option<i32>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<offering::Model> for Offering {
    fn from(o: offering::Model) -> Self {
        Self {
            id: o.id,
            seller_id: o.seller_id,
            title: o.title,
            description: o.description,
            price_cents: o.price_cents,
            currency: o.currency,
            status: o.status,
            min_level_rank: o.min_level_rank,
            created_at: o.created_at.into(),
            updated_at: o.updated_at.into(),
        }
    }
}

/// `Offering & {seller: {id, name, image}}`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OfferingWithSeller {
    /// The offering.
    #[serde(flatten)]
    #[ts(flatten)]
    pub offering: Offering,
    /// Its seller.
    pub seller: UserSummary,
}
