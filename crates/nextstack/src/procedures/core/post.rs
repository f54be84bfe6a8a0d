//! `core.post.*`: drafts and published posts; only PUBLISHED ones are public.

use garde::Validate;
use nextstack_entity::PostStatus as DbPostStatus;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, list_input};
use crate::rpc::auth::{Authed, MaybeUser};
use crate::services::pagination::Page;
use crate::services::post::{self as posts, PostChanges, PostQuery};
use crate::wire::patch::double_option;
use crate::wire::post::{Post, PostStatus, PostWithAuthor};

/// Statuses a post may be created with.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum NewPostStatus {
    /// Not visible to others yet.
    Draft,
    /// Visible to everyone.
    Published,
}

/// `core.post.create` input.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct CreateInput {
    /// 1..255.
    #[garde(length(utf16, min = 1, max = 255))]
    pub title: String,
    /// Up to 100 000 characters.
    #[garde(inner(length(utf16, max = 100_000)))]
    #[ts(optional = nullable)]
    pub content: Option<String>,
    /// DRAFT (default) or PUBLISHED.
    #[garde(skip)]
    #[ts(optional)]
    pub status: Option<NewPostStatus>,
}

/// `core.post.update` input.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct UpdateInput {
    /// The post.
    #[garde(custom(cuid))]
    pub id: String,
    /// New title.
    #[garde(inner(length(utf16, min = 1, max = 255)))]
    #[ts(optional)]
    pub title: Option<String>,
    /// New content, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, max = 100_000))))]
    #[ts(optional, type = "string | null")]
    pub content: Option<Option<String>>,
    /// New status.
    #[garde(skip)]
    #[ts(optional)]
    pub status: Option<PostStatus>,
}

list_input! {
    /// `core.post.list` input.
    #[ts(rename = "PostListInput")]
    pub struct ListInput {
        /// Only this author's posts.
        #[garde(inner(custom(cuid)))]
        #[ts(optional)]
        pub author_id: Option<String>,
        /// Only this status (other than PUBLISHED: the caller's own, admins: all).
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<PostStatus>,
    }
}

/// `core.post.create` (user): the caller is the author.
pub async fn create(ctx: Authed, input: CreateInput) -> Result<Post, AppError> {
    let status = match input.status {
        Some(NewPostStatus::Published) => DbPostStatus::Published,
        Some(NewPostStatus::Draft) | None => DbPostStatus::Draft,
    };
    Ok(posts::create(&ctx.state.db, &ctx.caller.user_id, input.title, input.content, status).await?.into())
}

async fn owned(ctx: &Authed, id: &str) -> Result<nextstack_entity::post::Model, AppError> {
    let row = posts::find(&ctx.state.db, id).await?.ok_or(AppError::not_found("Post"))?;
    ctx.ensure_owns(&row.author_id, "post")?;
    Ok(row)
}

/// `core.post.update` (owner): the first move to PUBLISHED sets `publishedAt`.
pub async fn update(ctx: Authed, input: UpdateInput) -> Result<Post, AppError> {
    let row = owned(&ctx, &input.id).await?;
    let changes = PostChanges { title: input.title, content: input.content, status: input.status };
    Ok(posts::update(&ctx.state.db, row, changes).await?.into())
}

/// `core.post.delete` (owner).
pub async fn delete(ctx: Authed, input: IdInput) -> Result<Post, AppError> {
    let row = owned(&ctx, &input.id).await?;
    posts::delete(&ctx.state.db, &row.id).await?;
    Ok(row.into())
}

/// `core.post.get` (optional): a post that is not PUBLISHED is `NOT_FOUND` except to its author and admins.
pub async fn get(ctx: MaybeUser, input: IdInput) -> Result<PostWithAuthor, AppError> {
    match posts::find_with_author(&ctx.state.db, &input.id).await? {
        Some(p) if p.post.status == PostStatus::Published || ctx.viewer().sees_private_of(&p.post.author_id) => Ok(p),
        _ => Err(AppError::not_found("Post")),
    }
}

/// `core.post.list` (optional): PUBLISHED posts plus the caller's own (admins: all), newest first.
pub async fn list(ctx: MaybeUser, input: Option<ListInput>) -> Result<Page<PostWithAuthor>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    let query = PostQuery { page, author_id: input.author_id, status: input.status };
    posts::list(&ctx.state.db, ctx.viewer(), &query).await
}
