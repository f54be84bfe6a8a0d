//! Single-use, expiring tokens in BetterAuth's `Verification` table. Only a
//! SHA-256 of each token is stored, so a database leak reveals no usable token.

use chrono::Duration;
use nextstack_entity::{new_id, now, verification};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// What a token is for (the identifier prefix, as BetterAuth's `reset-password:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Password reset (1 hour).
    ResetPassword,
    /// Email verification (1 hour).
    VerifyEmail,
}

impl Purpose {
    fn prefix(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset-password",
            Self::VerifyEmail => "email-verification",
        }
    }
}

/// Tokens live one hour.
pub const LIFETIME: Duration = Duration::hours(1);

fn identifier(purpose: Purpose, token: &str) -> String {
    format!("{}:{}", purpose.prefix(), hex::encode(Sha256::digest(token.as_bytes())))
}

/// Issues a token for `user_id`; returns the token (only its hash is stored).
pub async fn issue(db: &impl ConnectionTrait, purpose: Purpose, user_id: &str) -> Result<String, AppError> {
    let token: String = rand::rng().sample_iter(Alphanumeric).take(32).map(char::from).collect();
    let at = now();
    verification::ActiveModel {
        id: Set(new_id()),
        identifier: Set(identifier(purpose, &token)),
        value: Set(user_id.to_string()),
        expires_at: Set(at + LIFETIME),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The user a live token was issued to, without using it up.
pub async fn peek(db: &impl ConnectionTrait, purpose: Purpose, token: &str) -> Result<Option<String>, AppError> {
    let row = verification::Entity::find()
        .filter(verification::Column::Identifier.eq(identifier(purpose, token)))
        .one(db)
        .await?;
    Ok(row.filter(|r| r.expires_at > now()).map(|r| r.value))
}

/// Uses a token up: deletes it and returns its user if it was live.
pub async fn consume(db: &impl ConnectionTrait, purpose: Purpose, token: &str) -> Result<Option<String>, AppError> {
    let id = identifier(purpose, token);
    let row = verification::Entity::find().filter(verification::Column::Identifier.eq(&id)).one(db).await?;
    let Some(row) = row else { return Ok(None) };
    // Delete by id and check the count, so two concurrent uses cannot both win.
    let deleted = verification::Entity::delete_by_id(row.id.clone()).exec(db).await?;
    if deleted.rows_affected == 0 || row.expires_at <= now() {
        return Ok(None);
    }
    Ok(Some(row.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_hold_a_hash_not_the_token() {
        let id = identifier(Purpose::ResetPassword, "secret-token");
        assert!(id.starts_with("reset-password:"));
        assert!(!id.contains("secret-token"));
        assert_eq!(id.len(), "reset-password:".len() + 64);
    }
}
