//! `Post`: a user's post; listed by `(status, createdAt)`.

use sea_orm::entity::prelude::*;

use crate::PostStatus;

/// One row of `"Post"`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "Post", rename_all = "camelCase")]
pub struct Model {
    /// CUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// → `User.id`, cascade; indexed (`Post_authorId_idx`).
    #[sea_orm(indexed)]
    pub author_id: String,
    /// Title.
    pub title: String,
    /// Body text.
    pub content: Option<String>,
    /// Database default `DRAFT`.
    pub status: PostStatus,
    /// When the post was first published (UTC).
    pub published_at: Option<DateTime>,
    /// Set by the server (UTC, milliseconds).
    pub created_at: DateTime,
    /// Set by the server on every write (UTC, milliseconds).
    pub updated_at: DateTime,
}

/// Relations of `Post`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The author (`Post_authorId_fkey`).
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade",
        fk_name = "Post_authorId_fkey"
    )]
    Author,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

crate::prisma_defaults!();
