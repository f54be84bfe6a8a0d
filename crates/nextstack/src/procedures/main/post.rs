//! `main.post.feed`: the public feed with cursor pagination (`useInfiniteQuery`).

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Public;
use crate::services::post as posts;
use crate::wire::post::PostWithAuthor;

/// `main.post.feed` input.
#[derive(Debug, Default, Deserialize, Validate, TS)]
pub struct FeedInput {
    /// The `nextCursor` of the previous page.
    #[garde(inner(custom(cuid)))]
    #[ts(optional = nullable)]
    pub cursor: Option<String>,
    /// Page size, 1..50 (20).
    #[garde(inner(range(min = 1, max = 50)))]
    #[ts(optional)]
    pub limit: Option<i64>,
}

/// `main.post.feed` output.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FeedPage {
    /// PUBLISHED posts, newest first, with their authors.
    pub items: Vec<PostWithAuthor>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// `main.post.feed` (public).
pub async fn feed(ctx: Public, input: Option<FeedInput>) -> Result<FeedPage, AppError> {
    let input = input.unwrap_or_default();
    let limit = input.limit.and_then(|l| u64::try_from(l).ok()).unwrap_or(20);
    let db = &ctx.state.db;
    let cursor = match &input.cursor {
        None => None,
        Some(id) => Some(
            posts::cursor_of(db, id)
                .await?
                .ok_or_else(|| AppError::BadRequest("The cursor does not name a post".into()))?,
        ),
    };
    // One row more than asked tells whether there is a next page.
    let mut items = posts::feed(db, cursor.as_ref(), limit + 1).await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|p| p.post.id.clone())
    } else {
        None
    };
    Ok(FeedPage { items, next_cursor })
}
