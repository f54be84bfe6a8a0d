//! Posts: drafts, publishing, listing with visibility rules, and the cursor feed.

use chrono::NaiveDateTime;
use nextstack_entity::{PostStatus, now, post, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait, Set,
};

use crate::error::AppError;
use crate::services::merged;
use crate::services::pagination::{self, Page, PageRequest};
use crate::services::viewer::Viewer;
use crate::wire::post::PostWithAuthor;

/// Inserts a post; a post created PUBLISHED gets `publishedAt` now.
pub async fn create(
    db: &impl ConnectionTrait,
    author_id: &str,
    title: String,
    content: Option<String>,
    status: PostStatus,
) -> Result<post::Model, AppError> {
    let row = post::ActiveModel {
        author_id: Set(author_id.to_string()),
        title: Set(title),
        content: Set(content),
        status: Set(status),
        published_at: Set((status == PostStatus::Published).then(now)),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// A post by id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<post::Model>, AppError> {
    Ok(post::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// A post with its author, in one query.
pub async fn find_with_author(db: &impl ConnectionTrait, id: &str) -> Result<Option<PostWithAuthor>, AppError> {
    let row = post::Entity::find_by_id(id.to_string()).find_also_related(user::Entity).one(db).await?;
    Ok(row.and_then(with_author))
}

fn with_author((post, author): (post::Model, Option<user::Model>)) -> Option<PostWithAuthor> {
    // The foreign key guarantees the author; a row without one was deleted mid-query.
    Some(PostWithAuthor { post: post.into(), author: author?.into() })
}

/// What `update` may change.
#[derive(Debug, Default)]
pub struct PostChanges {
    /// New title.
    pub title: Option<String>,
    /// New content (`Some(None)` clears it).
    pub content: Option<Option<String>>,
    /// New status; the first move to PUBLISHED sets `publishedAt`.
    pub status: Option<PostStatus>,
}

/// Applies changes.
pub async fn update(
    db: &impl ConnectionTrait,
    row: post::Model,
    changes: PostChanges,
) -> Result<post::Model, AppError> {
    let first_publish = changes.status == Some(PostStatus::Published) && row.published_at.is_none();
    let mut row: post::ActiveModel = row.into();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(content) = changes.content {
        row.content = Set(content);
    }
    if let Some(status) = changes.status {
        row.status = Set(status);
    }
    if first_publish {
        row.published_at = Set(Some(now()));
    }
    Ok(row.update(db).await?) // `updatedAt` by the entity's hook
}

/// Deletes a post.
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    post::Entity::delete_by_id(id.to_string()).exec(db).await?;
    Ok(())
}

/// Filters of `core.post.list`.
#[derive(Debug, Default)]
pub struct PostQuery {
    /// Which page.
    pub page: PageRequest,
    /// Only this author's posts.
    pub author_id: Option<String>,
    /// Only this status.
    pub status: Option<PostStatus>,
}

/// PUBLISHED posts plus the viewer's own in any status (admins: all), newest
/// first, each with its author; the two sides run as separate indexed queries
/// (see [`merged`]).
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    query: &PostQuery,
) -> Result<Page<PostWithAuthor>, AppError> {
    let mut branches: Vec<Condition> = Vec::with_capacity(2);
    let published = Condition::all().add(post::Column::Status.eq(PostStatus::Published));
    match viewer {
        Viewer::Admin => branches.push(Condition::all()),
        Viewer::Anonymous => branches.push(published),
        Viewer::User(me) => {
            branches.push(published);
            branches.push(
                Condition::all().add(post::Column::AuthorId.eq(me)).add(post::Column::Status.ne(PostStatus::Published)),
            );
        }
    }
    let mut filters = Condition::all();
    if let Some(author) = &query.author_id {
        filters = filters.add(post::Column::AuthorId.eq(author.as_str()));
    }
    if let Some(status) = query.status {
        filters = filters.add(post::Column::Status.eq(status));
    }
    let order = (post::Column::CreatedAt, post::Column::Id);
    let (rows, total) = merged::page::<post::Entity>(db, branches, filters, order, query.page).await?;
    Ok(query.page.page_of(rows.into_iter().filter_map(with_author).collect(), total))
}

/// Where a feed page starts: after this post in (`createdAt`, `id`) order.
#[derive(Debug, Clone)]
pub struct FeedCursor {
    /// The last seen post's creation time.
    pub created_at: NaiveDateTime,
    /// The last seen post's id (breaks ties between equal times).
    pub id: String,
}

/// The cursor position of a post id, whatever its status now.
pub async fn cursor_of(db: &impl ConnectionTrait, id: &str) -> Result<Option<FeedCursor>, AppError> {
    let row = post::Entity::find_by_id(id.to_string()).one(db).await?;
    Ok(row.map(|p| FeedCursor { created_at: p.created_at, id: p.id }))
}

/// Up to `limit` PUBLISHED posts strictly after `cursor`, newest first. Keyset
/// pagination: rows inserted meanwhile are newer than the cursor, so pages
/// never repeat or skip a row.
pub async fn feed(
    db: &impl ConnectionTrait,
    cursor: Option<&FeedCursor>,
    limit: u64,
) -> Result<Vec<PostWithAuthor>, AppError> {
    let mut select = post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published));
    if let Some(c) = cursor {
        select = select.filter(Condition::any().add(post::Column::CreatedAt.lt(c.created_at)).add(
            Condition::all().add(post::Column::CreatedAt.eq(c.created_at)).add(post::Column::Id.lt(c.id.as_str())),
        ));
    }
    let query = select
        .order_by_desc(post::Column::CreatedAt)
        .order_by_desc(post::Column::Id)
        .find_also_related(user::Entity)
        .into_query();
    let rows = db.query_all_raw(pagination::paged(db.get_database_backend(), &query, 0, limit)).await?;
    let rows = rows.iter().map(pagination::pair::<post::Entity, user::Entity>).collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter_map(with_author).collect())
}
