//! Orders: placing, the status machine, and points and levels on completion.
//! Every write is one transaction that also publishes the order's change
//! event (`events::OrderEvents::publish_in`). Placing is one conditional
//! `INSERT … SELECT` in it; a transition locks what it reads (`FOR UPDATE` on
//! PostgreSQL; on SQLite, `BEGIN IMMEDIATE` serializes writers).

use nextstack_entity::{OfferingStatus, OrderStatus, level, now, offering, order, user};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, InsertStatement, LockType, Query};
use sea_orm::{
    ActiveEnum, ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Set,
};

use crate::db::begin_write;
use crate::error::AppError;
use crate::events::{OrderChange, OrderEvents};
use crate::services::level as levels;
use crate::services::pagination::{self, Page, PageRequest};
use crate::wire::order::OrderWithOffering;

/// A new order.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The caller.
    pub buyer_id: String,
    /// What to buy.
    pub offering_id: String,
    /// How many, 1..1000.
    pub quantity: i32,
    /// The buyer's note.
    pub note: Option<String>,
}

/// Places an order: the offering must be ACTIVE (`PRECONDITION_FAILED`), not
/// the buyer's own (`BAD_REQUEST`), and the buyer's level high enough
/// (`FORBIDDEN`); unit price and currency are copied from the offering. The
/// order and its change event are one transaction: `BEGIN`, one conditional
/// `INSERT … SELECT … RETURNING` (which also returns the seller, for the
/// event), the event, `COMMIT`.
pub async fn place(db: &DatabaseConnection, events: &OrderEvents, new: NewOrder) -> Result<order::Model, AppError> {
    // Id and timestamps come from the entity's own hook, as for every insert.
    let defaults = order::ActiveModel::new().before_save(db, true).await?;
    let (Set(id), Set(created_at), Set(updated_at)) = (defaults.id, defaults.created_at, defaults.updated_at) else {
        return Err(AppError::Internal(anyhow::anyhow!("the order hook left id or timestamps unset")));
    };
    let txn = begin_write(db).await?;
    let insert = insert_if_allowed(&new, &id, created_at, updated_at)?;
    let Some(row) = txn.query_one_raw(txn.get_database_backend().build(&insert)).await? else {
        return Err(why_not_placed(&txn, &new).await?);
    };
    let order = order::Model {
        id,
        buyer_id: new.buyer_id,
        offering_id: new.offering_id,
        quantity: new.quantity,
        unit_price_cents: row.try_get_by_index(0)?,
        total_cents: row.try_get_by_index(1)?,
        currency: row.try_get_by_index(2)?,
        status: OrderStatus::Pending,
        note: new.note,
        created_at,
        updated_at,
    };
    let seller_id: String = row.try_get_by_index(3)?;
    let staged = events.publish_in(&txn, OrderChange::of(&order, seller_id)).await?;
    txn.commit().await?;
    events.committed(staged);
    Ok(order)
}

/// `INSERT INTO "Order" … SELECT … FROM "Offering" WHERE <the rules> RETURNING
/// "unitPriceCents", "totalCents", "currency", <the seller>`: inserts only if
/// the offering is ACTIVE, not the buyer's own, and the buyer's level rank
/// reaches `minLevelRank`, copying price and currency as the statement sees them.
fn insert_if_allowed(
    new: &NewOrder,
    id: &str,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
) -> Result<InsertStatement, AppError> {
    use offering::Column as O;
    use order::Column as C;
    let buyer_rank = Query::select()
        .column((level::Entity, level::Column::Rank))
        .from(user::Entity)
        .inner_join(
            level::Entity,
            Expr::col((level::Entity, level::Column::Id)).equals((user::Entity, user::Column::LevelId)),
        )
        .and_where(Expr::col((user::Entity, user::Column::Id)).eq(new.buyer_id.as_str()))
        .to_owned();
    let rank_reached = Condition::any().add(O::MinLevelRank.is_null()).add(
        Expr::col(O::MinLevelRank)
            .lte(Func::coalesce([Expr::SubQuery(None, Box::new(buyer_rank.into())), Expr::val(-1)])),
    );
    let values = Query::select()
        .expr(Expr::val(id))
        .expr(Expr::val(new.buyer_id.as_str()))
        .column(O::Id)
        .expr(Expr::val(new.quantity))
        .column(O::PriceCents)
        .expr(Expr::col(O::PriceCents).cast_as("BIGINT").mul(new.quantity))
        .column(O::Currency)
        .expr(ActiveEnum::as_enum(&OrderStatus::Pending))
        .expr(Expr::val(new.note.clone()))
        .expr(Expr::val(created_at))
        .expr(Expr::val(updated_at))
        .from(offering::Entity)
        .and_where(O::Id.eq(new.offering_id.as_str()))
        .and_where(O::Status.eq(OfferingStatus::Active))
        .and_where(O::SellerId.ne(new.buyer_id.as_str()))
        .cond_where(rank_reached)
        .to_owned();
    let seller = Query::select()
        .column(O::SellerId)
        .from(offering::Entity)
        .and_where(O::Id.eq(new.offering_id.as_str()))
        .to_owned();
    let returning = [
        Expr::col(C::UnitPriceCents),
        Expr::col(C::TotalCents),
        Expr::col(C::Currency),
        Expr::SubQuery(None, Box::new(seller.into())),
    ];
    Ok(Query::insert()
        .into_table(order::Entity)
        .columns([
            C::Id,
            C::BuyerId,
            C::OfferingId,
            C::Quantity,
            C::UnitPriceCents,
            C::TotalCents,
            C::Currency,
            C::Status,
            C::Note,
            C::CreatedAt,
            C::UpdatedAt,
        ])
        .select_from(values)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("order insert: {e}")))?
        .returning(Query::returning().exprs(returning))
        .to_owned())
}

/// The reason `place` inserted nothing, read after the fact.
async fn why_not_placed(db: &impl ConnectionTrait, new: &NewOrder) -> Result<AppError, AppError> {
    let Some(offering) = offering::Entity::find_by_id(new.offering_id.clone()).one(db).await? else {
        return Ok(AppError::not_found("Offering"));
    };
    if offering.status != OfferingStatus::Active {
        return Ok(AppError::PreconditionFailed("This offering is not on sale".into()));
    }
    if offering.seller_id == new.buyer_id {
        return Ok(AppError::BadRequest("You cannot buy your own offering".into()));
    }
    if let Some(min_rank) = offering.min_level_rank
        && buyer_rank(db, &new.buyer_id).await?.is_none_or(|rank| rank < min_rank)
    {
        return Ok(AppError::Forbidden(format!("This offering needs level rank {min_rank} or higher").into()));
    }
    // The offering changed between the insert and this read.
    Ok(AppError::Conflict("The offering changed while the order was placed; please retry".into()))
}

/// The rank of the buyer's level (`None`: no level yet).
async fn buyer_rank(db: &impl ConnectionTrait, buyer_id: &str) -> Result<Option<i32>, AppError> {
    let rank: Option<Option<i32>> = user::Entity::find_by_id(buyer_id.to_string())
        .select_only()
        .column(level::Column::Rank)
        .join(JoinType::LeftJoin, user::Relation::Level.def())
        .into_tuple()
        .one(db)
        .await?;
    Ok(rank.flatten())
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The caller.
    pub user_id: &'a str,
    /// True for admins (may act for either side).
    pub is_admin: bool,
}

/// Moves an order along PENDING → CONFIRMED → COMPLETED (seller), or to
/// CANCELLED from PENDING or CONFIRMED (buyer or seller); admins act for
/// either. Completion credits `totalCents / 100` points to the buyer and
/// moves them to the highest level they reach; the change event is published
/// in the same transaction.
pub async fn transition(
    db: &DatabaseConnection,
    events: &OrderEvents,
    id: &str,
    to: OrderStatus,
    actor: Actor<'_>,
) -> Result<order::Model, AppError> {
    let txn = begin_write(db).await?;
    // The order with its offering (for the seller), in one query. FOR UPDATE OF
    // "Order": concurrent transitions of this order queue here and see the outcome
    // of the first, while other orders of the same offering go on.
    let mut locked = order::Entity::find_by_id(id.to_string()).find_also_related(offering::Entity);
    QueryTrait::query(&mut locked).lock_with_tables(LockType::Update, [order::Entity]);
    let (row, offering) = locked.one(&txn).await?.ok_or(AppError::not_found("Order"))?;
    let seller_id = offering.ok_or(AppError::not_found("Offering"))?.seller_id;
    let is_seller = actor.is_admin || actor.user_id == seller_id;
    let is_party = is_seller || actor.user_id == row.buyer_id;
    if !is_party {
        return Err(AppError::Forbidden("Only the buyer, the seller or an admin can change this order".into()));
    }
    use OrderStatus::{Cancelled, Completed, Confirmed, Pending};
    match (row.status, to) {
        (Pending, Confirmed) | (Confirmed, Completed) if !is_seller => {
            return Err(AppError::Forbidden("Only the seller can confirm or complete an order".into()));
        }
        (Pending, Confirmed) | (Confirmed, Completed) | (Pending | Confirmed, Cancelled) => {}
        (from, to) => {
            return Err(AppError::PreconditionFailed(
                format!("An order cannot move from {} to {}", status_name(from), status_name(to)).into(),
            ));
        }
    }
    let mut changed: order::ActiveModel = row.into();
    changed.status = Set(to);
    let order = changed.update(&txn).await?; // `updatedAt` by the entity's hook
    if to == Completed {
        credit_points(&txn, &order.buyer_id, order.total_cents).await?;
    }
    let staged = events.publish_in(&txn, OrderChange::of(&order, seller_id)).await?;
    txn.commit().await?;
    events.committed(staged);
    Ok(order)
}

/// Adds `total_cents / 100` points (saturating at the column's maximum) and
/// moves the buyer to the highest level those points reach.
async fn credit_points(txn: &DatabaseTransaction, buyer_id: &str, total_cents: i64) -> Result<(), AppError> {
    let buyer = user::Entity::find_by_id(buyer_id.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::not_found("User"))?;
    let earned = i32::try_from(total_cents / 100).unwrap_or(i32::MAX);
    let points = buyer.points.saturating_add(earned);
    let level_id = match levels::for_points(txn, points).await? {
        Some(level) => Some(level.id),
        None => buyer.level_id.clone(),
    };
    user::Entity::update_many()
        .col_expr(user::Column::Points, Expr::value(points))
        .col_expr(user::Column::LevelId, Expr::value(level_id))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(buyer_id))
        .exec(txn)
        .await?;
    Ok(())
}

fn status_name(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "PENDING",
        OrderStatus::Confirmed => "CONFIRMED",
        OrderStatus::Completed => "COMPLETED",
        OrderStatus::Cancelled => "CANCELLED",
    }
}

/// An order with its offering summary, in one query.
pub async fn find_with_offering(db: &impl ConnectionTrait, id: &str) -> Result<Option<OrderWithOffering>, AppError> {
    let row = order::Entity::find_by_id(id.to_string()).find_also_related(offering::Entity).one(db).await?;
    Ok(row.and_then(with_offering))
}

fn with_offering((order, offering): (order::Model, Option<offering::Model>)) -> Option<OrderWithOffering> {
    Some(OrderWithOffering { order: order.into(), offering: offering?.into() })
}

/// Which side of the caller's orders to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Orders the caller placed.
    Buyer,
    /// Orders for the caller's offerings.
    Seller,
    /// Every order (the admin console; `user_id` is not used).
    Everyone,
}

/// A page of the caller's orders on one side, newest first, with offerings.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: &str,
    side: Side,
    status: Option<OrderStatus>,
    page: PageRequest,
) -> Result<Page<OrderWithOffering>, AppError> {
    let mut select = order::Entity::find();
    select = match side {
        Side::Buyer => select.filter(order::Column::BuyerId.eq(user_id)),
        // A subquery, not a join: the page query joins the offering once more for its summary.
        Side::Seller => select.filter(
            order::Column::OfferingId.in_subquery(
                Query::select()
                    .column(offering::Column::Id)
                    .from(offering::Entity)
                    .and_where(offering::Column::SellerId.eq(user_id))
                    .to_owned(),
            ),
        ),
        Side::Everyone => select,
    };
    if let Some(status) = status {
        select = select.filter(order::Column::Status.eq(status));
    }
    let ordered = select
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .find_also_related(offering::Entity);
    let (rows, total) = pagination::pairs_and_total(db, ordered, page.offset(), page.limit).await?;
    Ok(page.page_of(rows.into_iter().filter_map(with_offering).collect(), total))
}
