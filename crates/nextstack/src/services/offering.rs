//! Offerings: what sellers put on sale.

use nextstack_entity::{OfferingStatus, offering, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::error::{AppError, is_foreign_key_violation};
use crate::services::merged;
use crate::services::pagination::{Page, PageRequest};
use crate::services::viewer::Viewer;
use crate::wire::offering::OfferingWithSeller;

/// Fields of an offering; on update `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OfferingFields {
    /// Title.
    pub title: Option<String>,
    /// Description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Price in minor units.
    pub price_cents: Option<i32>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Status.
    pub status: Option<OfferingStatus>,
    /// Lowest level rank allowed to buy (`Some(None)` clears it).
    pub min_level_rank: Option<Option<i32>>,
}

/// Inserts an offering of `seller_id` (title and price required; USD and DRAFT by default).
pub async fn create(
    db: &impl ConnectionTrait,
    seller_id: &str,
    fields: OfferingFields,
) -> Result<offering::Model, AppError> {
    let row = offering::ActiveModel {
        seller_id: Set(seller_id.to_string()),
        title: Set(fields.title.unwrap_or_default()),
        description: Set(fields.description.flatten()),
        price_cents: Set(fields.price_cents.unwrap_or_default()),
        currency: Set(fields.currency.unwrap_or_else(|| "USD".into())),
        status: Set(fields.status.unwrap_or(OfferingStatus::Draft)),
        min_level_rank: Set(fields.min_level_rank.flatten()),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// An offering by id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<offering::Model>, AppError> {
    Ok(offering::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// An offering with its seller, in one query.
pub async fn find_with_seller(db: &impl ConnectionTrait, id: &str) -> Result<Option<OfferingWithSeller>, AppError> {
    let row = offering::Entity::find_by_id(id.to_string()).find_also_related(user::Entity).one(db).await?;
    Ok(row.and_then(with_seller))
}

fn with_seller((offering, seller): (offering::Model, Option<user::Model>)) -> Option<OfferingWithSeller> {
    Some(OfferingWithSeller { offering: offering.into(), seller: seller?.into() })
}

/// Applies changes.
pub async fn update(
    db: &impl ConnectionTrait,
    row: offering::Model,
    fields: OfferingFields,
) -> Result<offering::Model, AppError> {
    let mut row: offering::ActiveModel = row.into();
    if let Some(title) = fields.title {
        row.title = Set(title);
    }
    if let Some(description) = fields.description {
        row.description = Set(description);
    }
    if let Some(price) = fields.price_cents {
        row.price_cents = Set(price);
    }
    if let Some(currency) = fields.currency {
        row.currency = Set(currency);
    }
    if let Some(status) = fields.status {
        row.status = Set(status);
    }
    if let Some(rank) = fields.min_level_rank {
        row.min_level_rank = Set(rank);
    }
    Ok(row.update(db).await?) // `updatedAt` by the entity's hook
}

/// Deletes an offering; one with orders is refused (the schema restricts it).
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    offering::Entity::delete_by_id(id.to_string()).exec(db).await.map_err(|err: DbErr| {
        if is_foreign_key_violation(&err) {
            AppError::PreconditionFailed("This offering has orders; archive it instead".into())
        } else {
            err.into()
        }
    })?;
    Ok(())
}

/// Filters of `core.offering.list`.
#[derive(Debug, Default)]
pub struct OfferingQuery {
    /// Which page.
    pub page: PageRequest,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this status.
    pub status: Option<OfferingStatus>,
    /// Price at least.
    pub min_price_cents: Option<i32>,
    /// Price at most.
    pub max_price_cents: Option<i32>,
}

/// ACTIVE offerings plus the viewer's own in any status (admins: all), newest
/// first, with sellers; the two sides run as separate indexed queries (see [`merged`]).
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    query: &OfferingQuery,
) -> Result<Page<OfferingWithSeller>, AppError> {
    let active = Condition::all().add(offering::Column::Status.eq(OfferingStatus::Active));
    let branches = match viewer {
        Viewer::Admin => vec![Condition::all()],
        Viewer::Anonymous => vec![active],
        Viewer::User(me) => vec![
            active,
            Condition::all()
                .add(offering::Column::SellerId.eq(me))
                .add(offering::Column::Status.ne(OfferingStatus::Active)),
        ],
    };
    let mut filters = Condition::all();
    if let Some(seller) = &query.seller_id {
        filters = filters.add(offering::Column::SellerId.eq(seller.as_str()));
    }
    if let Some(status) = query.status {
        filters = filters.add(offering::Column::Status.eq(status));
    }
    if let Some(min) = query.min_price_cents {
        filters = filters.add(offering::Column::PriceCents.gte(min));
    }
    if let Some(max) = query.max_price_cents {
        filters = filters.add(offering::Column::PriceCents.lte(max));
    }
    let order = (offering::Column::CreatedAt, offering::Column::Id);
    let (rows, total) = merged::page::<offering::Entity>(db, branches, filters, order, query.page).await?;
    Ok(query.page.page_of(rows.into_iter().filter_map(with_seller).collect(), total))
}
