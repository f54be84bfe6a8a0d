//! `main.user.*`.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Authed;
use crate::services::{file as files, stats, user as users};
use crate::wire::level::Level;
use crate::wire::time::IsoTime;
use crate::wire::user::{UserBasic, UserWithCounts};

/// `main.user.getByEmail` input.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct GetByEmailInput {
    /// The email to look up (case-insensitive).
    #[garde(email, length(utf16, max = 255))]
    pub email: String,
}

/// `main.user.getByEmail` (user): a user by email, with counts.
pub async fn get_by_email(ctx: Authed, input: GetByEmailInput) -> Result<UserWithCounts, AppError> {
    let id = users::find_id_by_email(&ctx.state.db, &input.email).await?.ok_or(AppError::not_found("User"))?;
    users::find_with_counts(&ctx.state.db, &id).await?.ok_or(AppError::not_found("User"))
}

/// `main.user.stats` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatsInput {
    /// Whose figures.
    #[garde(custom(cuid))]
    pub user_id: String,
}

/// Post counts.
#[derive(Debug, Serialize, TS)]
pub struct PostStats {
    /// All posts.
    pub total: i64,
    /// Published.
    pub published: i64,
    /// Drafts.
    pub drafts: i64,
}

/// Order figures.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderStats {
    /// Placed as buyer.
    pub placed: i64,
    /// Received as seller.
    pub sold: i64,
    /// Completed as buyer.
    pub completed: i64,
    /// Spent on completed orders (minor units).
    pub spent_cents: i64,
    /// Earned from completed sales (minor units).
    pub earned_cents: i64,
}

/// File figures.
#[derive(Debug, Serialize, TS)]
pub struct FileStats {
    /// Files not deleted.
    pub count: i64,
    /// Their total size in bytes.
    pub bytes: i64,
}

/// `main.user.stats` output.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatsOutput {
    /// The user.
    pub user_id: String,
    /// Posts.
    pub posts: PostStats,
    /// Orders.
    pub orders: OrderStats,
    /// Profiles.
    pub profiles: i64,
    /// Files.
    pub files: FileStats,
    /// Points earned.
    pub points: i32,
    /// Current level, if any.
    pub level: Option<Level>,
    /// Sign-up time.
    pub member_since: IsoTime,
}

/// `main.user.stats` (user): activity figures of a user.
pub async fn stats(ctx: Authed, input: StatsInput) -> Result<StatsOutput, AppError> {
    let db = &ctx.state.db;
    let (user, level) = users::find_with_level(db, &input.user_id).await?.ok_or(AppError::not_found("User"))?;
    let level = level.map(Level::from);
    let f = stats::user_figures(db, &user.id).await?;
    Ok(StatsOutput {
        user_id: user.id,
        posts: PostStats { total: f.posts_total, published: f.posts_published, drafts: f.posts_drafts },
        orders: OrderStats {
            placed: f.orders_placed,
            sold: f.orders_sold,
            completed: f.orders_completed,
            spent_cents: f.spent_cents,
            earned_cents: f.earned_cents,
        },
        profiles: f.profiles,
        files: FileStats { count: f.files_count, bytes: f.files_bytes },
        points: user.points,
        level,
        member_since: user.created_at.into(),
    })
}

/// `main.user.setAvatar` input: a file id, or `null` to remove the avatar.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetAvatarInput {
    /// A READY image file of the caller, or `null`.
    #[garde(inner(custom(cuid)))]
    pub file_id: Option<String>,
}

/// `main.user.setAvatar` (user): `image` becomes the file's URL; `null` clears both.
pub async fn set_avatar(ctx: Authed, input: SetAvatarInput) -> Result<UserBasic, AppError> {
    let db = &ctx.state.db;
    let avatar = match &input.file_id {
        None => None,
        Some(id) => {
            let file = files::find(db, id).await?.ok_or(AppError::not_found("File"))?;
            files::check_avatar(&file, &ctx.caller.user_id)?;
            Some(file)
        }
    };
    Ok(files::set_avatar(db, &ctx.caller.user_id, avatar.as_ref()).await?.into())
}
