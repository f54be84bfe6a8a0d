//! Orders: placing, the status machine, and points and levels on completion.
//! Placing is one `INSERT … SELECT` statement; a transition is one transaction
//! that locks what it reads (`FOR UPDATE` on PostgreSQL; on SQLite,
//! `BEGIN IMMEDIATE` serializes writers).

use nextstack_entity::{OfferingStatus, OrderStatus, level, now, offering, order, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, Statement,
};

use crate::db::begin_write;
use crate::error::AppError;
use crate::services::level as levels;
use crate::services::pagination::{Page, PageRequest};
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

/// One statement, so one round trip and atomic on both backends: the row is
/// inserted only if the offering is ACTIVE, not the buyer's own, and the
/// buyer's level rank reaches `minLevelRank`; price and currency are copied
/// from the offering as the statement sees it. `{n}` are parameters.
const PLACE_SQL: &str = r#"INSERT INTO "Order"
  ("id", "buyerId", "offeringId", "quantity", "unitPriceCents", "totalCents", "currency", "status", "note", "createdAt", "updatedAt")
SELECT {1}, {2}, o."id", {3}, o."priceCents", CAST(o."priceCents" AS BIGINT) * {3}, o."currency", 'PENDING', {4}, {5}, {5}
FROM "Offering" o
WHERE o."id" = {6} AND o."status" = 'ACTIVE' AND o."sellerId" <> {2}
  AND (o."minLevelRank" IS NULL OR o."minLevelRank" <= COALESCE(
        (SELECT l."rank" FROM "User" u JOIN "Level" l ON l."id" = u."levelId" WHERE u."id" = {2}), -1))
RETURNING "id", "buyerId", "offeringId", "quantity", "unitPriceCents", "totalCents", "currency",
  CAST("status" AS TEXT) AS "status", "note", "createdAt", "updatedAt""#;

/// PostgreSQL: the same insert, plus the order's change event (with its seller)
/// sent with `NOTIFY` in the same statement (delivered on commit, so never for a
/// row that did not land). `$7` is the channel, `$8` the event id.
const PLACE_NOTIFY_SQL_PG: &str = r#"WITH o AS (
  SELECT "id", "sellerId", "priceCents", "currency" FROM "Offering"
  WHERE "id" = $6 AND "status" = 'ACTIVE' AND "sellerId" <> $2
    AND ("minLevelRank" IS NULL OR "minLevelRank" <= COALESCE(
          (SELECT l."rank" FROM "User" u JOIN "Level" l ON l."id" = u."levelId" WHERE u."id" = $2), -1))
), ins AS (
  INSERT INTO "Order"
    ("id", "buyerId", "offeringId", "quantity", "unitPriceCents", "totalCents", "currency", "status", "note", "createdAt", "updatedAt")
  SELECT $1, $2, o."id", $3, o."priceCents", CAST(o."priceCents" AS BIGINT) * $3, o."currency", 'PENDING', $4, $5, $5 FROM o
  RETURNING *
), notified AS (
  SELECT pg_notify($7::text, json_build_object(
    'event_id', $8::text,
    'change', json_build_object('id', ins."id", 'status', 'PENDING', 'buyerId', ins."buyerId", 'sellerId', o."sellerId",
                                'updatedAt', to_char(ins."updatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text)
  FROM ins, o
)
SELECT ins."id", ins."buyerId", ins."offeringId", ins."quantity", ins."unitPriceCents", ins."totalCents", ins."currency",
  CAST(ins."status" AS TEXT) AS "status", ins."note", ins."createdAt", ins."updatedAt",
  (SELECT COUNT(*) FROM notified) AS "notified"
FROM ins, o"#;

/// Where a placed order's change event goes through PostgreSQL.
#[derive(Debug, Clone)]
pub struct Notify {
    /// The `NOTIFY` channel.
    pub channel: String,
    /// The event id to stamp.
    pub event_id: String,
}

/// A placed order.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The row.
    pub order: order::Model,
    /// True when its change event was already sent (PostgreSQL `NOTIFY`).
    pub notified: bool,
}

/// Places an order: the offering must be ACTIVE (`PRECONDITION_FAILED`), not
/// the buyer's own (`BAD_REQUEST`), and the buyer's level high enough
/// (`FORBIDDEN`); unit price and currency are copied from the offering. With
/// `notify` on PostgreSQL, the change event goes out in the same statement.
pub async fn place(db: &DatabaseConnection, new: NewOrder, notify: Option<Notify>) -> Result<Placed, AppError> {
    let backend = db.get_database_backend();
    let at = now();
    let mut values: Vec<sea_orm::Value> = vec![
        nextstack_entity::new_id().into(),
        new.buyer_id.clone().into(),
        new.quantity.into(),
        new.note.clone().into(),
        at.into(),
        new.offering_id.clone().into(),
    ];
    let (sql, notifies) = match (&notify, backend) {
        (Some(notify), DbBackend::Postgres) => {
            values.push(notify.channel.clone().into());
            values.push(notify.event_id.clone().into());
            (PLACE_NOTIFY_SQL_PG.to_string(), true)
        }
        _ => {
            let sql = (1..=6).fold(PLACE_SQL.to_string(), |sql, n| {
                let placeholder = if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") };
                sql.replace(&format!("{{{n}}}"), &placeholder)
            });
            (sql, false)
        }
    };
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let Some(row) = row else { return Err(why_not_placed(db, &new).await?) };
    let order = order::Model::from_query_result(&row, "")?;
    Ok(Placed { order, notified: notifies })
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

/// The seller of an offering.
pub async fn seller_of(db: &impl ConnectionTrait, offering_id: &str) -> Result<String, AppError> {
    offering::Entity::find_by_id(offering_id.to_string())
        .select_only()
        .column(offering::Column::SellerId)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(AppError::not_found("Offering"))
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

/// What changed, for the caller and for subscribers.
#[derive(Debug, Clone)]
pub struct Transitioned {
    /// The order as stored now.
    pub order: order::Model,
    /// The offering's seller.
    pub seller_id: String,
}

/// Moves an order along PENDING → CONFIRMED → COMPLETED (seller), or to
/// CANCELLED from PENDING or CONFIRMED (buyer or seller); admins act for
/// either. Completion credits `totalCents / 100` points to the buyer and
/// moves them to the highest level they reach, in the same transaction.
pub async fn transition(
    db: &DatabaseConnection,
    id: &str,
    to: OrderStatus,
    actor: Actor<'_>,
) -> Result<Transitioned, AppError> {
    let txn = begin_write(db).await?;
    // FOR UPDATE: concurrent transitions of this order queue here and see the outcome of the first.
    let row = order::Entity::find_by_id(id.to_string())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("Order"))?;
    let seller_id: String = offering::Entity::find_by_id(row.offering_id.clone())
        .select_only()
        .column(offering::Column::SellerId)
        .into_tuple()
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("Offering"))?;
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
    let at = now();
    let mut changed: order::ActiveModel = row.clone().into();
    changed.status = Set(to);
    changed.updated_at = Set(at);
    let order = changed.update(&txn).await?;
    if to == Completed {
        credit_points(&txn, &order.buyer_id, order.total_cents).await?;
    }
    txn.commit().await?;
    Ok(Transitioned { order, seller_id })
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
    };
    if let Some(status) = status {
        select = select.filter(order::Column::Status.eq(status));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .offset(page.offset())
        .limit(page.limit)
        .find_also_related(offering::Entity)
        .all(db)
        .await?;
    Ok(page.page_of(rows.into_iter().filter_map(with_offering).collect(), total))
}
