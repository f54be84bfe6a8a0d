//! `main.admin.*`: what the admin console needs in one call.

use serde::Serialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::http::ready::{self, ReadyChecks};
use crate::rpc::auth::Admin;
use crate::services::overview;

/// Users by kind.
#[derive(Debug, Serialize, TS)]
pub struct OverviewUsers {
    /// All users.
    pub total: i64,
    /// Admins.
    pub admins: i64,
    /// Banned now.
    pub banned: i64,
}

/// Posts by status.
#[derive(Debug, Serialize, TS)]
pub struct OverviewPosts {
    /// All posts.
    pub total: i64,
    /// `DRAFT`.
    #[serde(rename = "DRAFT")]
    pub draft: i64,
    /// `PUBLISHED`.
    #[serde(rename = "PUBLISHED")]
    pub published: i64,
    /// `ARCHIVED`.
    #[serde(rename = "ARCHIVED")]
    pub archived: i64,
}

/// Offerings by status.
#[derive(Debug, Serialize, TS)]
pub struct OverviewOfferings {
    /// All offerings.
    pub total: i64,
    /// `DRAFT`.
    #[serde(rename = "DRAFT")]
    pub draft: i64,
    /// `ACTIVE`.
    #[serde(rename = "ACTIVE")]
    pub active: i64,
    /// `ARCHIVED`.
    #[serde(rename = "ARCHIVED")]
    pub archived: i64,
}

/// Orders by status.
#[derive(Debug, Serialize, TS)]
pub struct OverviewOrders {
    /// `PENDING`.
    #[serde(rename = "PENDING")]
    pub pending: i64,
    /// `CONFIRMED`.
    #[serde(rename = "CONFIRMED")]
    pub confirmed: i64,
    /// `COMPLETED`.
    #[serde(rename = "COMPLETED")]
    pub completed: i64,
    /// `CANCELLED`.
    #[serde(rename = "CANCELLED")]
    pub cancelled: i64,
}

/// Files not deleted and their bytes.
#[derive(Debug, Serialize, TS)]
pub struct OverviewFiles {
    /// Files.
    pub count: i64,
    /// Bytes.
    pub bytes: i64,
}

/// `main.admin.overview` output.
#[derive(Debug, Serialize, TS)]
pub struct OverviewOutput {
    /// Users.
    pub users: OverviewUsers,
    /// Posts.
    pub posts: OverviewPosts,
    /// Offerings.
    pub offerings: OverviewOfferings,
    /// Orders by status.
    pub orders: OverviewOrders,
    /// Files.
    pub files: OverviewFiles,
    /// What `/ready` checks.
    pub checks: ReadyChecks,
    /// The server's version.
    pub version: &'static str,
    /// `NODE_ENV`.
    pub environment: &'static str,
}

/// `main.admin.overview` (admin): the console's first page in one round trip.
pub async fn overview(ctx: Admin) -> Result<OverviewOutput, AppError> {
    let (figures, checks) = tokio::join!(overview::figures(&ctx.state.db), ready::checks(&ctx.state));
    let f = figures?;
    Ok(OverviewOutput {
        users: OverviewUsers { total: f.users, admins: f.admins, banned: f.banned },
        posts: OverviewPosts {
            total: f.posts,
            draft: f.posts_draft,
            published: f.posts_published,
            archived: f.posts_archived,
        },
        offerings: OverviewOfferings {
            total: f.offerings,
            draft: f.offerings_draft,
            active: f.offerings_active,
            archived: f.offerings_archived,
        },
        orders: OverviewOrders {
            pending: f.orders_pending,
            confirmed: f.orders_confirmed,
            completed: f.orders_completed,
            cancelled: f.orders_cancelled,
        },
        files: OverviewFiles { count: f.files, bytes: f.file_bytes },
        checks,
        version: env!("CARGO_PKG_VERSION"),
        environment: ctx.state.config.environment.as_str(),
    })
}
