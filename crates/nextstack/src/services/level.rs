//! Levels: the ladder users climb with points.

use nextstack_entity::{level, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, SqlErr,
};

use crate::db::begin_write;
use crate::error::AppError;
use crate::services::pagination::{self, Page, PageRequest};
use crate::wire::level::Level;

/// A new level.
#[derive(Debug, Clone)]
pub struct NewLevel {
    /// Unique name.
    pub name: String,
    /// Unique rank.
    pub rank: i32,
    /// Points needed.
    pub min_points: i32,
    /// Description.
    pub description: Option<String>,
}

/// What `update` may change.
#[derive(Debug, Clone, Default)]
pub struct LevelChanges {
    /// New name.
    pub name: Option<String>,
    /// New rank.
    pub rank: Option<i32>,
    /// New threshold.
    pub min_points: Option<i32>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
}

/// Names the taken value: both `name` and `rank` are unique.
fn conflict(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) if detail.contains("rank") => {
            AppError::Conflict("A level with this rank already exists".into())
        }
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("A level with this name already exists".into())
        }
        _ => err.into(),
    }
}

/// Inserts a level.
pub async fn create(db: &impl ConnectionTrait, new: NewLevel) -> Result<level::Model, AppError> {
    let row = level::ActiveModel {
        name: Set(new.name),
        rank: Set(new.rank),
        min_points: Set(new.min_points),
        description: Set(new.description),
        ..Default::default()
    };
    row.insert(db).await.map_err(conflict)
}

/// A level by id, if it exists.
pub async fn find_optional(db: &impl ConnectionTrait, id: &str) -> Result<Option<level::Model>, AppError> {
    Ok(level::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// A level by id (`NOT_FOUND` when there is none).
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<level::Model, AppError> {
    level::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::not_found("Level"))
}

/// Changes a level.
pub async fn update(db: &impl ConnectionTrait, id: &str, changes: LevelChanges) -> Result<level::Model, AppError> {
    let mut row: level::ActiveModel = find(db, id).await?.into();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(rank) = changes.rank {
        row.rank = Set(rank);
    }
    if let Some(min_points) = changes.min_points {
        row.min_points = Set(min_points);
    }
    if let Some(description) = changes.description {
        row.description = Set(description);
    }
    row.update(db).await.map_err(conflict) // `updatedAt` by the entity's hook
}

/// Deletes a level; its users fall back to the next lower level (or none), in one transaction.
pub async fn delete(db: &DatabaseConnection, id: &str) -> Result<level::Model, AppError> {
    let txn = begin_write(db).await?;
    let doomed = find(&txn, id).await?;
    let lower = level::Entity::find()
        .filter(level::Column::Rank.lt(doomed.rank))
        .order_by_desc(level::Column::Rank)
        .one(&txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::LevelId, Expr::value(lower.map(|l| l.id)))
        .col_expr(user::Column::UpdatedAt, Expr::value(nextstack_entity::now()))
        .filter(user::Column::LevelId.eq(id))
        .exec(&txn)
        .await?;
    level::Entity::delete_by_id(id.to_string()).exec(&txn).await?;
    txn.commit().await?;
    Ok(doomed)
}

/// A page of levels by rank, lowest first.
pub async fn list(db: &impl ConnectionTrait, page: PageRequest) -> Result<Page<Level>, AppError> {
    let ordered = level::Entity::find().order_by_asc(level::Column::Rank);
    pagination::fetch(db, ordered, page, Level::from).await
}

/// The highest-ranked level whose `minPoints` `points` reach.
pub async fn for_points(db: &impl ConnectionTrait, points: i32) -> Result<Option<level::Model>, AppError> {
    Ok(level::Entity::find()
        .filter(level::Column::MinPoints.lte(points))
        .order_by_desc(level::Column::Rank)
        .one(db)
        .await?)
}
