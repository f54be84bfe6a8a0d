//! `core.order.*`: reading orders (they are written by `main.order.*`).

use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, list_input};
use crate::rpc::auth::Authed;
use crate::services::order::{self as orders, Side};
use crate::services::pagination::Page;
use crate::wire::order::{OrderStatus, OrderWithOffering};
use crate::wire::user::Role;

/// `core.order.get` (user): visible to its buyer, its seller and admins; `NOT_FOUND` to anyone else.
pub async fn get(ctx: Authed, input: IdInput) -> Result<OrderWithOffering, AppError> {
    let found = orders::find_with_offering(&ctx.state.db, &input.id).await?;
    let me = ctx.caller.user_id.as_str();
    match found {
        Some(o) if ctx.caller.role == Role::Admin || o.order.buyer_id == me || o.offering.seller_id == me => Ok(o),
        _ => Err(AppError::not_found("Order")),
    }
}

/// Which of the caller's orders to list.
#[derive(Debug, Clone, Copy, Default, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OrderRole {
    /// Orders the caller placed (default).
    #[default]
    Buyer,
    /// Orders for the caller's offerings.
    Seller,
}

list_input! {
    /// `core.order.list` input.
    #[ts(rename = "OrderListInput")]
    pub struct ListInput {
        /// `buyer` (default) or `seller`.
        #[garde(skip)]
        #[ts(optional)]
        pub role: Option<OrderRole>,
        /// Only this status.
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<OrderStatus>,
    }
}

/// `core.order.list` (user): the caller's orders as buyer or as seller, newest first.
pub async fn list(ctx: Authed, input: Option<ListInput>) -> Result<Page<OrderWithOffering>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    let side = match input.role.unwrap_or_default() {
        OrderRole::Buyer => Side::Buyer,
        OrderRole::Seller => Side::Seller,
    };
    let status = input.status;
    orders::list(&ctx.state.db, &ctx.caller.user_id, side, status, page).await
}
