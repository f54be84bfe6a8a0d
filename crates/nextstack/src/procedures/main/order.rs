//! `main.order.*`: placing orders and moving them through their states.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use futures::stream::{self, Stream, StreamExt};
use nextstack_trpc::Tracked;
use tokio::sync::broadcast;

use crate::error::AppError;
use crate::events::OrderChange;
use crate::rpc::auth::Authed;
use crate::rpc::streams;
use crate::services::order::{self as orders, Actor, NewOrder};
use crate::wire::order::{Order, OrderStatus};
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

/// `main.order.place` (user): one transaction with its change event; price and currency copied from the offering.
pub async fn place(ctx: Authed, input: PlaceInput) -> Result<Order, AppError> {
    let new = NewOrder {
        buyer_id: ctx.caller.user_id.clone(),
        offering_id: input.offering_id,
        quantity: input.quantity.unwrap_or(1),
        note: input.note,
    };
    Ok(orders::place(&ctx.state.db, &ctx.state.order_events, new).await?.into())
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
pub async fn transition(ctx: Authed, input: TransitionInput) -> Result<Order, AppError> {
    let to = match input.to {
        TransitionTarget::Confirmed => OrderStatus::Confirmed,
        TransitionTarget::Completed => OrderStatus::Completed,
        TransitionTarget::Cancelled => OrderStatus::Cancelled,
    };
    let actor = Actor { user_id: &ctx.caller.user_id, is_admin: ctx.caller.role == Role::Admin };
    Ok(orders::transition(&ctx.state.db, &ctx.state.order_events, &input.id, to, actor).await?.into())
}

/// `main.order.onChange` input.
#[derive(Debug, Default, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct OnChangeInput {
    /// Resume after this event (the link fills it in when it reconnects).
    #[garde(inner(length(max = 64)))]
    #[ts(optional = nullable)]
    pub last_event_id: Option<String>,
}

/// `main.order.onChange` (user, subscription): every change of an order the
/// caller buys or sells, each tracked by its event id; a reconnect with the
/// last id replays what happened since (within five minutes).
pub async fn on_change(
    ctx: Authed,
    input: OnChangeInput,
) -> Result<impl Stream<Item = Result<Tracked<OrderChange>, AppError>> + Send + 'static, AppError> {
    let me = ctx.caller.user_id.clone();
    let (replay, live) = ctx.state.order_events.subscribe(input.last_event_id.as_deref());
    let live = stream::unfold(live, |mut rx| async move {
        match rx.recv().await {
            Ok(event) => Some((Ok(event), rx)),
            // Fell behind the live feed: end with a retryable error; the client
            // reconnects with its last event id and the replay fills the gap.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Some((Err(AppError::Internal(anyhow::anyhow!("subscriber lagged behind"))), rx))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    let events = stream::iter(replay.into_iter().map(Ok)).chain(live).filter_map(move |item| {
        let mine = match item {
            Ok(event) if event.change.buyer_id == me || event.change.seller_id == me => {
                Some(Ok(Tracked::new(event.event_id, event.change)))
            }
            Ok(_) => None,
            Err(err) => Some(Err(err)),
        };
        std::future::ready(mine)
    });
    streams::guard(&ctx, events)
}
