//! `main.admin.*`: what the admin console needs that the rest of the API
//! answers only for the caller: the overview, every order, every file, a
//! user's sign-in accounts.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppError;
use crate::http::ready::{self, ReadyChecks};
use crate::procedures::input::list_input;
use crate::rpc::auth::Admin;
use crate::services::file::{self as files, FileQuery};
use crate::services::order::{self as orders, Side};
use crate::services::pagination::{Page, search_term};
use crate::services::{overview, social};
use crate::wire::file::{File, FileStatus};
use crate::wire::order::{OrderStatus, OrderWithOffering};
use crate::wire::time::IsoTime;

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

list_input! {
    /// `main.admin.orders` input.
    #[ts(rename = "AdminOrderListInput")]
    pub struct OrdersInput {
        /// Only this status.
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<OrderStatus>,
    }
}

/// `main.admin.orders` (admin): every order, newest first, with its offering.
pub async fn orders(ctx: Admin, input: Option<OrdersInput>) -> Result<Page<OrderWithOffering>, AppError> {
    let input = input.unwrap_or_default();
    orders::list(&ctx.state.db, "", Side::Everyone, input.status, input.page_request()).await
}

list_input! {
    /// `main.admin.files` input.
    #[ts(rename = "AdminFileListInput")]
    pub struct FilesInput {
        /// Only this user's files.
        #[garde(inner(custom(cuid)))]
        #[ts(optional)]
        pub user_id: Option<String>,
        /// Only files in this state (DELETED lists nothing).
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<FileStatus>,
        /// MIME type prefix, e.g. `image/`.
        #[garde(inner(length(utf16, min = 1, max = 100)))]
        #[ts(optional)]
        pub mime_type_prefix: Option<String>,
        /// Case-insensitive substring of the original name.
        #[garde(inner(length(utf16, max = 100)))]
        #[ts(optional)]
        pub search: Option<String>,
    }
}

/// `main.admin.files` (admin): every user's files (or one user's), newest first, never DELETED ones.
pub async fn files(ctx: Admin, input: Option<FilesInput>) -> Result<Page<File>, AppError> {
    let input = input.unwrap_or_default();
    let query = FileQuery {
        page: input.page_request(),
        status: input.status,
        mime_type_prefix: input.mime_type_prefix,
        search: search_term(input.search),
    };
    files::list(&ctx.state.db, input.user_id.as_deref(), &query).await
}

/// `main.admin.accounts` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AdminAccountsInput")]
pub struct AccountsInput {
    /// The user.
    #[garde(custom(cuid))]
    pub user_id: String,
}

/// One way a user signs in (never its tokens or password).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AdminAccount {
    /// Row id.
    pub id: String,
    /// `credential`, `google`, `github`, … .
    pub provider_id: String,
    /// The provider's user id (the user id for `credential`).
    pub account_id: String,
    /// Granted scopes.
    pub scope: Option<String>,
    /// Linked at.
    pub created_at: IsoTime,
}

/// `main.admin.accounts` (admin): a user's sign-in accounts, oldest first.
pub async fn accounts(ctx: Admin, input: AccountsInput) -> Result<Vec<AdminAccount>, AppError> {
    let rows = social::list(&ctx.state.db, &input.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|a| AdminAccount {
            id: a.id,
            provider_id: a.provider_id,
            account_id: a.account_id,
            scope: a.scope,
            created_at: a.created_at.into(),
        })
        .collect())
}
