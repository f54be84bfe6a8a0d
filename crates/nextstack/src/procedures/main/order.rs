//! `main.order.*`: placing orders and moving them through their states.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Authed;
use crate::services::order::{self as orders, Actor, NewOrder};
use crate::wire::order::{OrderOutput, OrderStatus};
use crate::wire::user::Role;

/// `main.order.place` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaceInput {
    /// The offering to buy.
    #[garde(custom(cuid))]
    pub offering_id: String,
    /// 1..1000 (1).
    #[garde(inner(range(min = 1, max = 1000)))]
    #[ts(optional)]
    pub quantity: Option<i32>,
    /// Up to 1000 characters.
    #[garde(inner(length(utf16, max = 1000)))]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

/// `main.order.place` (user): one transaction; price and currency copied from the offering.
pub async fn place(ctx: Authed, input: PlaceInput) -> Result<OrderOutput, AppError> {
    let new = NewOrder {
        buyer_id: ctx.caller.user_id.clone(),
        offering_id: input.offering_id,
        quantity: input.quantity.unwrap_or(1),
        note: input.note,
    };
    Ok(orders::place(&ctx.state.db, new).await?.into())
}

/// Where an order may be moved.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum TransitionTarget {
    /// By the seller, from PENDING.
    Confirmed,
    /// By the seller, from CONFIRMED; credits the buyer's points.
    Completed,
    /// By the buyer or the seller, from PENDING or CONFIRMED.
    Cancelled,
}

/// `main.order.transition` input.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct TransitionInput {
    /// The order.
    #[garde(custom(cuid))]
    pub id: String,
    /// The new status.
    #[garde(skip)]
    pub to: TransitionTarget,
}

/// `main.order.transition` (buyer, seller or admin): any move the state machine does not allow is `PRECONDITION_FAILED`.
pub async fn transition(ctx: Authed, input: TransitionInput) -> Result<OrderOutput, AppError> {
    let to = match input.to {
        TransitionTarget::Confirmed => OrderStatus::Confirmed,
        TransitionTarget::Completed => OrderStatus::Completed,
        TransitionTarget::Cancelled => OrderStatus::Cancelled,
    };
    let actor = Actor { user_id: &ctx.caller.user_id, is_admin: ctx.caller.role == Role::Admin };
    let done = orders::transition(&ctx.state.db, &input.id, to.into(), actor).await?;
    Ok(done.order.into())
}
