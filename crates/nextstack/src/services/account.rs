//! Credential accounts (`Account` with `providerId = "credential"`), where BetterAuth keeps password hashes.

use nextstack_entity::{account, new_id, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::AppError;

/// BetterAuth's provider id for email + password.
pub const CREDENTIAL: &str = "credential";

/// Stores a user's password hash (`accountId` is the user id, as BetterAuth does).
pub async fn create_credential(db: &impl ConnectionTrait, user_id: &str, hash: String) -> Result<(), AppError> {
    let at = now();
    account::ActiveModel {
        id: Set(new_id()),
        account_id: Set(user_id.to_string()),
        provider_id: Set(CREDENTIAL.to_string()),
        user_id: Set(user_id.to_string()),
        access_token: Set(None),
        refresh_token: Set(None),
        id_token: Set(None),
        access_token_expires_at: Set(None),
        refresh_token_expires_at: Set(None),
        scope: Set(None),
        password: Set(Some(hash)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The stored password hash of a user, if they have a credential account.
pub async fn password_hash(db: &impl ConnectionTrait, user_id: &str) -> Result<Option<String>, AppError> {
    let found = account::Entity::find()
        .filter(account::Column::UserId.eq(user_id))
        .filter(account::Column::ProviderId.eq(CREDENTIAL))
        .one(db)
        .await?;
    Ok(found.and_then(|a| a.password))
}

/// Replaces the password hash of a user's credential account; false when there is none.
pub async fn set_password_hash(db: &impl ConnectionTrait, user_id: &str, hash: String) -> Result<bool, AppError> {
    use sea_orm::sea_query::Expr;
    let result = account::Entity::update_many()
        .col_expr(account::Column::Password, Expr::value(hash))
        .col_expr(account::Column::UpdatedAt, Expr::value(now()))
        .filter(account::Column::UserId.eq(user_id))
        .filter(account::Column::ProviderId.eq(CREDENTIAL))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
