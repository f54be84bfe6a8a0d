//! Lists whose visibility is "public rows, or the viewer's own": one `OR`
//! cannot walk an index in order, so PostgreSQL would sort every visible row
//! for each page. For the first pages each side runs as its own indexed query
//! instead, fetching at most `offset + limit` rows newest first, merged here.
//! Deeper pages (and single-sided lists) use one query with SQL `OFFSET`, so
//! memory per request stays bounded whatever page is asked for.

use chrono::NaiveDateTime;
use nextstack_entity::user;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Related};

use crate::error::AppError;
use crate::services::pagination::{self, PageRequest};

/// Rows ordered newest first by (`createdAt`, `id`).
pub trait Timeline {
    /// The sort key.
    fn timeline_key(&self) -> (NaiveDateTime, &str);
}

impl Timeline for nextstack_entity::post::Model {
    fn timeline_key(&self) -> (NaiveDateTime, &str) {
        (self.created_at, &self.id)
    }
}

impl Timeline for nextstack_entity::offering::Model {
    fn timeline_key(&self) -> (NaiveDateTime, &str) {
        (self.created_at, &self.id)
    }
}

/// Deepest page start served by merging; beyond it rows would pile up in memory.
const MERGE_DEPTH: u64 = 1_000;

/// One page over the union of `branches` (disjoint row sets), each narrowed by
/// `filters`, newest first by (`created_at`, `id`), with each row's related
/// user. Returns the page and the total over all branches.
pub async fn page<E>(
    db: &impl ConnectionTrait,
    branches: Vec<Condition>,
    filters: Condition,
    (created_at, id): (E::Column, E::Column),
    page: PageRequest,
) -> Result<(Vec<(E::Model, Option<user::Model>)>, u64), AppError>
where
    E: EntityTrait + Related<user::Entity>,
    E::Model: Timeline + Sync,
    E::Column: ColumnTrait,
{
    let (skip, limit) = (page.offset(), page.limit);
    if branches.len() == 1 || skip > MERGE_DEPTH {
        let visible = branches.into_iter().fold(Condition::any(), Condition::add);
        let select = E::find().filter(visible).filter(filters);
        let ordered = select.order_by_desc(created_at).order_by_desc(id).find_also_related(user::Entity);
        return pagination::pairs_and_total(db, ordered, skip, limit).await;
    }
    // Each side's first `skip + limit` rows and its count, in one round trip per side.
    let (mut rows, mut total) = (Vec::new(), 0);
    for branch in branches {
        let ordered = E::find()
            .filter(branch)
            .filter(filters.clone())
            .order_by_desc(created_at)
            .order_by_desc(id)
            .find_also_related(user::Entity);
        let (part, count) = pagination::pairs_and_total(db, ordered, 0, skip.saturating_add(limit)).await?;
        total += count;
        rows.extend(part);
    }
    rows.sort_by(|(a, _), (b, _)| b.timeline_key().cmp(&a.timeline_key()));
    let page = rows
        .into_iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    Ok((page, total))
}
