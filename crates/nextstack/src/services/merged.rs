//! Lists whose visibility is "public rows, or the viewer's own": one `OR`
//! cannot walk an index in order, so PostgreSQL would sort every visible row
//! for each page. For the first pages each side is its own indexed scan of at
//! most `offset + limit` rows newest first, the sides merged by `UNION ALL`
//! and paged in the same statement. Deeper pages (and single-sided lists) use
//! one query with SQL `OFFSET`, so work per request stays bounded whatever
//! page is asked for.

use nextstack_entity::user;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IdenStatic, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Related, SelectA,
};

use crate::error::AppError;
use crate::services::pagination::{self, PageRequest};

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
    E::Model: Sync,
    E::Column: ColumnTrait,
{
    let (skip, limit) = (page.offset(), page.limit);
    if branches.len() == 1 || skip > MERGE_DEPTH {
        let visible = branches.into_iter().fold(Condition::any(), Condition::add);
        let select = E::find().filter(visible).filter(filters);
        let ordered = select.order_by_desc(created_at).order_by_desc(id).find_also_related(user::Entity);
        return pagination::pairs_and_total(db, ordered, skip, limit).await;
    }
    // One statement: each side's first `skip + limit` rows, newest first (an
    // indexed scan each), merged by UNION ALL and paged; the total rides along
    // as the sum of each side's count.
    let deepest = skip.saturating_add(limit);
    let side = |branch: &Condition| E::find().filter(branch.clone()).filter(filters.clone());
    let mut union: Option<SelectStatement> = None;
    let mut total_expr: Option<Expr> = None;
    for (i, branch) in branches.iter().enumerate() {
        let rows = side(branch)
            .order_by_desc(created_at)
            .order_by_desc(id)
            .limit(deepest)
            .find_also_related(user::Entity)
            .into_query();
        // Wrapped: SQLite allows ORDER BY and LIMIT only on a compound's last part.
        let part = Query::select().column(Asterisk).from_subquery(rows, Alias::new(format!("side{i}"))).take();
        match &mut union {
            None => union = Some(part),
            Some(union) => {
                union.union(UnionType::All, part);
            }
        }
        let count = Expr::SubQuery(None, Box::new(pagination::count_of(side(branch).into_query()).into()));
        total_expr = Some(match total_expr {
            None => count,
            Some(sum) => sum.add(count),
        });
    }
    let (Some(union), Some(total_expr)) = (union, total_expr) else { return Ok((Vec::new(), 0)) };
    let page = Query::select()
        .column(Asterisk)
        .expr_as(total_expr, pagination::TOTAL)
        .from_subquery(union, Alias::new("merged"))
        .order_by(Alias::new(format!("{}{}", SelectA.as_str(), created_at.as_str())), Order::Desc)
        .order_by(Alias::new(format!("{}{}", SelectA.as_str(), id.as_str())), Order::Desc)
        .take();
    let rows = db.query_all_raw(pagination::paged(db.get_database_backend(), &page, skip, limit)).await?;
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("", pagination::TOTAL)?,
        None => {
            let mut total = 0;
            for branch in &branches {
                total += side(branch).count(db).await?;
            }
            i64::try_from(total).unwrap_or(i64::MAX)
        }
    };
    let rows = rows.iter().map(pagination::pair::<E, user::Entity>).collect::<Result<Vec<_>, DbErr>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}
