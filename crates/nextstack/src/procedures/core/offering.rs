//! `core.offering.*`: what sellers put on sale; DRAFT and ARCHIVED offerings
//! are visible to their seller and admins only.

use garde::Validate;
use nextstack_entity::OfferingStatus as DbOfferingStatus;
use nextstack_trpc::validation::{Issue, cuid};
use serde::Deserialize;
use serde_json::json;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, list_input};
use crate::rpc::auth::{Authed, MaybeUser};
use crate::services::offering::{self as offerings, OfferingFields, OfferingQuery};
use crate::services::pagination::Page;
use crate::wire::offering::{Offering, OfferingStatus, OfferingWithSeller};
use crate::wire::patch::double_option;

/// Highest price: 1 000 000.00 in minor units.
const MAX_PRICE_CENTS: i32 = 100_000_000;

/// ISO 4217: three upper-case letters.
fn valid_currency(value: &str, _: &()) -> garde::Result {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        let message = "Currency must be an ISO 4217 code of three upper-case letters";
        Err(Issue::new("invalid_string", message, json!({"validation": "regex"})).into_garde())
    }
}

/// Statuses an offering may be created with.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum NewOfferingStatus {
    /// Not on sale yet.
    Draft,
    /// On sale.
    Active,
}

/// `core.offering.create` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateInput {
    /// 1..200.
    #[garde(length(utf16, min = 1, max = 200))]
    pub title: String,
    /// Up to 5000 characters.
    #[garde(inner(length(utf16, max = 5000)))]
    #[ts(optional = nullable)]
    pub description: Option<String>,
    /// 0..100 000 000 minor units.
    #[garde(range(min = 0, max = MAX_PRICE_CENTS))]
    pub price_cents: i32,
    /// ISO 4217 (USD).
    #[garde(inner(custom(valid_currency)))]
    #[ts(optional)]
    pub currency: Option<String>,
    /// DRAFT (default) or ACTIVE.
    #[garde(skip)]
    #[ts(optional)]
    pub status: Option<NewOfferingStatus>,
    /// Lowest level rank allowed to buy.
    #[garde(inner(range(min = 0)))]
    #[ts(optional = nullable)]
    pub min_level_rank: Option<i32>,
}

/// `core.offering.update` input: `{id}` plus any create field; status may be ARCHIVED.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// The offering.
    #[garde(custom(cuid))]
    pub id: String,
    /// New title.
    #[garde(inner(length(utf16, min = 1, max = 200)))]
    #[ts(optional)]
    pub title: Option<String>,
    /// New description, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, max = 5000))))]
    #[ts(optional, type = "string | null")]
    pub description: Option<Option<String>>,
    /// New price.
    #[garde(inner(range(min = 0, max = MAX_PRICE_CENTS)))]
    #[ts(optional)]
    pub price_cents: Option<i32>,
    /// New currency.
    #[garde(inner(custom(valid_currency)))]
    #[ts(optional)]
    pub currency: Option<String>,
    /// New status.
    #[garde(skip)]
    #[ts(optional)]
    pub status: Option<OfferingStatus>,
    /// New lowest level rank, or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(range(min = 0))))]
    #[ts(optional, type = "number | null")]
    pub min_level_rank: Option<Option<i32>>,
}

list_input! {
    /// `core.offering.list` input.
    #[ts(rename = "OfferingListInput")]
    pub struct ListInput {
        /// Only this seller's.
        #[garde(inner(custom(cuid)))]
        #[ts(optional)]
        pub seller_id: Option<String>,
        /// Only this status (other than ACTIVE: the caller's own; admins: all).
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<OfferingStatus>,
        /// Price at least.
        #[garde(inner(range(min = 0)))]
        #[ts(optional)]
        pub min_price_cents: Option<i32>,
        /// Price at most.
        #[garde(inner(range(min = 0)))]
        #[ts(optional)]
        pub max_price_cents: Option<i32>,
    }
}

/// `core.offering.create` (user): the caller is the seller.
pub async fn create(ctx: Authed, input: CreateInput) -> Result<Offering, AppError> {
    let status = match input.status {
        Some(NewOfferingStatus::Active) => DbOfferingStatus::Active,
        Some(NewOfferingStatus::Draft) | None => DbOfferingStatus::Draft,
    };
    let fields = OfferingFields {
        title: Some(input.title),
        description: Some(input.description),
        price_cents: Some(input.price_cents),
        currency: input.currency,
        status: Some(status),
        min_level_rank: Some(input.min_level_rank),
    };
    Ok(offerings::create(&ctx.state.db, &ctx.caller.user_id, fields).await?.into())
}

async fn owned(ctx: &Authed, id: &str) -> Result<nextstack_entity::offering::Model, AppError> {
    let row = offerings::find(&ctx.state.db, id).await?.ok_or(AppError::not_found("Offering"))?;
    ctx.ensure_owns(&row.seller_id, "offering")?;
    Ok(row)
}

/// `core.offering.update` (owner).
pub async fn update(ctx: Authed, input: UpdateInput) -> Result<Offering, AppError> {
    let row = owned(&ctx, &input.id).await?;
    let fields = OfferingFields {
        title: input.title,
        description: input.description,
        price_cents: input.price_cents,
        currency: input.currency,
        status: input.status,
        min_level_rank: input.min_level_rank,
    };
    Ok(offerings::update(&ctx.state.db, row, fields).await?.into())
}

/// `core.offering.delete` (owner): refused with `PRECONDITION_FAILED` once it has orders.
pub async fn delete(ctx: Authed, input: IdInput) -> Result<Offering, AppError> {
    let row = owned(&ctx, &input.id).await?;
    offerings::delete(&ctx.state.db, &row.id).await?;
    Ok(row.into())
}

/// `core.offering.get` (optional): DRAFT/ARCHIVED are `NOT_FOUND` except to the seller and admins.
pub async fn get(ctx: MaybeUser, input: IdInput) -> Result<OfferingWithSeller, AppError> {
    match offerings::find_with_seller(&ctx.state.db, &input.id).await? {
        Some(o)
            if o.offering.status == OfferingStatus::Active || ctx.viewer().sees_private_of(&o.offering.seller_id) =>
        {
            Ok(o)
        }
        _ => Err(AppError::not_found("Offering")),
    }
}

/// `core.offering.list` (optional): ACTIVE offerings plus the caller's own (admins: all), newest first.
pub async fn list(ctx: MaybeUser, input: Option<ListInput>) -> Result<Page<OfferingWithSeller>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    let query = OfferingQuery {
        page,
        seller_id: input.seller_id,
        status: input.status,
        min_price_cents: input.min_price_cents,
        max_price_cents: input.max_price_cents,
    };
    offerings::list(&ctx.state.db, ctx.viewer(), &query).await
}
