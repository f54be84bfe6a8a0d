//! `Post` on the wire, alone or with its author.

use nextstack_entity::{post, user};
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `PostStatus` on the wire is the database enum itself (upper-case strings).
pub use nextstack_entity::PostStatus;

/// `{id, authorId, title, content, status, publishedAt, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    /// CUID.
    pub id: String,
    /// The author.
    pub author_id: String,
    /// Title.
    pub title: String,
    /// Body.
    pub content: Option<String>,
    /// Status.
    pub status: PostStatus,
    /// When it was first published.
    pub published_at: Option<IsoTime>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<post::Model> for Post {
    fn from(p: post::Model) -> Self {
        Self {
            id: p.id,
            author_id: p.author_id,
            title: p.title,
            content: p.content,
            status: p.status,
            published_at: p.published_at.map(IsoTime),
            created_at: p.created_at.into(),
            updated_at: p.updated_at.into(),
        }
    }
}

/// `{id, name, image}` of a related user (author, seller).
#[derive(Debug, Clone, Serialize, TS)]
pub struct UserSummary {
    /// CUID.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}

impl From<user::Model> for UserSummary {
    fn from(u: user::Model) -> Self {
        Self { id: u.id, name: u.name, image: u.image }
    }
}

/// `Post & {author: {id, name, image}}`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PostWithAuthor {
    /// The post.
    #[serde(flatten)]
    #[ts(flatten)]
    pub post: Post,
    /// Its author.
    pub author: UserSummary,
}
