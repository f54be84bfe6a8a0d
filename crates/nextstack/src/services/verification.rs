//! Single-use, expiring tokens in BetterAuth's `Verification` table. Only a
//! SHA-256 of each token is stored, so a database leak reveals no usable token.
//!
//! A token is bound to the address it was mailed about (decision 19): `value`
//! holds `[userId, email, newEmail?, step?]` as a JSON array, and whoever uses
//! the token must check that the user's email is still `email` — a link sent
//! before an email change is void after it.

use chrono::Duration;
use nextstack_entity::{now, verification};
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
    /// Email verification and email change (1 hour).
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

/// Where an email change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStep {
    /// Mailed to the current (verified) address: its owner approves the change.
    Approve,
    /// Mailed to the new address: opening it proves the address and makes the change.
    Confirm,
}

/// What a token grants, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The user.
    pub user_id: String,
    /// The address the user had when the token was issued.
    pub email: String,
    /// For an email change: the address to change to, and the step.
    pub change: Option<(String, ChangeStep)>,
}

impl Grant {
    /// A grant about the user's current address.
    pub fn for_address(user_id: &str, email: &str) -> Self {
        Self { user_id: user_id.to_string(), email: email.to_string(), change: None }
    }

    fn encode(&self) -> String {
        let mut parts = vec![self.user_id.as_str(), self.email.as_str()];
        if let Some((to, step)) = &self.change {
            parts.push(to);
            parts.push(match step {
                ChangeStep::Approve => "approve",
                ChangeStep::Confirm => "confirm",
            });
        }
        serde_json::to_string(&parts).unwrap_or_default()
    }

    /// Tokens issued before addresses were bound (a bare user id) decode to nothing: void.
    fn decode(value: &str) -> Option<Self> {
        let parts: Vec<String> = serde_json::from_str(value).ok()?;
        let change = match parts.get(2..) {
            Some([]) => None,
            Some([to, step]) => Some((
                to.clone(),
                match step.as_str() {
                    "approve" => ChangeStep::Approve,
                    "confirm" => ChangeStep::Confirm,
                    _ => return None,
                },
            )),
            _ => return None,
        };
        Some(Self { user_id: parts.first()?.clone(), email: parts.get(1)?.clone(), change })
    }
}

/// Tokens live one hour.
pub const LIFETIME: Duration = Duration::hours(1);

fn identifier(purpose: Purpose, token: &str) -> String {
    format!("{}:{}", purpose.prefix(), hex::encode(Sha256::digest(token.as_bytes())))
}

/// The start of every `value` of `user_id`'s tokens (user ids are CUIDs: no LIKE wildcards).
fn value_prefix(user_id: &str) -> String {
    let mut prefix = serde_json::to_string(&[user_id]).unwrap_or_default();
    prefix.pop(); // `["id"]` → `["id"`
    prefix.push(',');
    prefix
}

/// Issues a token for `grant`; returns the token (only its hash is stored).
/// A new password reset voids the user's earlier ones.
pub async fn issue(db: &impl ConnectionTrait, purpose: Purpose, grant: &Grant) -> Result<String, AppError> {
    if purpose == Purpose::ResetPassword {
        revoke(db, Purpose::ResetPassword, &grant.user_id).await?;
    }
    let token: String = rand::rng().sample_iter(Alphanumeric).take(32).map(char::from).collect();
    verification::ActiveModel {
        identifier: Set(identifier(purpose, &token)),
        value: Set(grant.encode()),
        expires_at: Set(now() + LIFETIME),
        ..Default::default() // id and timestamps by the entity's hook
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Voids every outstanding `purpose` token of a user (a password change, an email change, a newer request).
pub async fn revoke(db: &impl ConnectionTrait, purpose: Purpose, user_id: &str) -> Result<(), AppError> {
    verification::Entity::delete_many()
        .filter(verification::Column::Identifier.starts_with(format!("{}:", purpose.prefix())))
        .filter(verification::Column::Value.starts_with(value_prefix(user_id)))
        .exec(db)
        .await?;
    Ok(())
}

/// What a live token grants, without using it up.
pub async fn peek(db: &impl ConnectionTrait, purpose: Purpose, token: &str) -> Result<Option<Grant>, AppError> {
    let row = verification::Entity::find()
        .filter(verification::Column::Identifier.eq(identifier(purpose, token)))
        .one(db)
        .await?;
    Ok(row.filter(|r| r.expires_at > now()).and_then(|r| Grant::decode(&r.value)))
}

/// Uses a token up: deletes it and returns its grant if it was live.
pub async fn consume(db: &impl ConnectionTrait, purpose: Purpose, token: &str) -> Result<Option<Grant>, AppError> {
    let id = identifier(purpose, token);
    let row = verification::Entity::find().filter(verification::Column::Identifier.eq(&id)).one(db).await?;
    let Some(row) = row else { return Ok(None) };
    // Delete by id and check the count, so two concurrent uses cannot both win.
    let deleted = verification::Entity::delete_by_id(row.id.clone()).exec(db).await?;
    if deleted.rows_affected == 0 || row.expires_at <= now() {
        return Ok(None);
    }
    Ok(Grant::decode(&row.value))
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

    #[test]
    fn grants_round_trip_and_old_values_are_void() {
        let plain = Grant::for_address("cuser1", "a@example.com");
        assert_eq!(Grant::decode(&plain.encode()), Some(plain.clone()));
        let change = Grant { change: Some(("b@example.com".into(), ChangeStep::Approve)), ..plain };
        assert_eq!(Grant::decode(&change.encode()), Some(change.clone()));
        assert!(change.encode().starts_with(&value_prefix("cuser1")));
        assert_eq!(Grant::decode("cuser1"), None, "a bare user id (older token) is void");
    }
}
