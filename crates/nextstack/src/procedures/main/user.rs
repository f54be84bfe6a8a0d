//! `main.user.*`.

use garde::Validate;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Authed;
use crate::services::user as users;
use crate::wire::user::UserWithCounts;

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
