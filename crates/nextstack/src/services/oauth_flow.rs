//! Social sign-in flows in progress, in BetterAuth's `Verification` table:
//! `value` is BetterAuth's state JSON (`callbackURL`, `codeVerifier`,
//! `errorURL`, `newUserURL`, `link`, `expiresAt`, `requestSignUp`) plus the
//! OIDC `nonce`, the provider and whether a native app started it. As for
//! mailed tokens, only a SHA-256 of the state is stored (`identifier` is
//! `oauth-state:<hex>`), so a database leak gives no usable state.
//!
//! Also here: the record of ID tokens already used for `idToken` sign-in, so
//! one cannot be replayed while it is valid.

use chrono::Duration;
use nextstack_entity::{now, verification};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// A flow lives ten minutes, as BetterAuth's state.
pub const LIFETIME: Duration = Duration::minutes(10);

/// The signed-in user a `link-social` flow adds an account to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkTarget {
    /// The user's email when the flow started.
    pub email: String,
    /// The user.
    pub user_id: String,
}

/// One flow's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Where to send the browser after success.
    #[serde(rename = "callbackURL")]
    pub callback_url: String,
    /// The PKCE verifier.
    pub code_verifier: String,
    /// Where to send the browser on failure.
    #[serde(rename = "errorURL", default, skip_serializing_if = "Option::is_none")]
    pub error_url: Option<String>,
    /// Where to send a user who was just created.
    #[serde(rename = "newUserURL", default, skip_serializing_if = "Option::is_none")]
    pub new_user_url: Option<String>,
    /// Set for `link-social`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkTarget>,
    /// Expiry, in milliseconds since the epoch (BetterAuth's `expiresAt`).
    pub expires_at: i64,
    /// `requestSignUp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sign_up: Option<bool>,
    /// The OIDC nonce the ID token must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The provider the flow is for (a callback naming another is refused).
    pub provider: String,
    /// Started by a native app (`expo-origin`): only such a flow may be bound
    /// to a browser by the Expo authorization proxy.
    #[serde(default)]
    pub native: bool,
    /// Set once the Expo authorization proxy has bound the flow to a browser
    /// (it binds a flow once).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bound: bool,
}

/// A random string of `len` alphanumerics (states, verifiers, nonces).
pub fn random(len: usize) -> String {
    rand::rng().sample_iter(Alphanumeric).take(len).map(char::from).collect()
}

fn identifier(state: &str) -> String {
    format!("oauth-state:{}", hex::encode(Sha256::digest(state.as_bytes())))
}

/// Stores `flow` under a new random state; returns the state. Flows and
/// used-token records past their expiry are removed first (BetterAuth removes
/// an expired verification row when it meets it; abandoned flows would stay).
pub async fn start(db: &impl ConnectionTrait, flow: &Flow) -> Result<String, AppError> {
    verification::Entity::delete_many()
        .filter(verification::Column::ExpiresAt.lt(now()))
        .filter(
            verification::Column::Identifier
                .starts_with("oauth-state:")
                .or(verification::Column::Identifier.starts_with("id-token:")),
        )
        .exec(db)
        .await?;
    let state = random(32);
    verification::ActiveModel {
        identifier: Set(identifier(&state)),
        value: Set(serde_json::to_string(flow).map_err(|e| AppError::Internal(e.into()))?),
        expires_at: Set(now() + LIFETIME),
        ..Default::default() // id and timestamps by the entity's hook
    }
    .insert(db)
    .await?;
    Ok(state)
}

/// A stored flow and its row.
#[derive(Debug)]
pub struct Stored {
    row_id: String,
    /// The flow.
    pub flow: Flow,
    /// False once its ten minutes are over.
    pub live: bool,
}

/// The flow stored under `state`, without using it up.
pub async fn find(db: &impl ConnectionTrait, state: &str) -> Result<Option<Stored>, AppError> {
    let row =
        verification::Entity::find().filter(verification::Column::Identifier.eq(identifier(state))).one(db).await?;
    let Some(row) = row else { return Ok(None) };
    // A value that does not parse (written by something else) is no flow.
    let Ok(flow) = serde_json::from_str::<Flow>(&row.value) else { return Ok(None) };
    let live = row.expires_at > now() && flow.expires_at > chrono::Utc::now().timestamp_millis();
    Ok(Some(Stored { row_id: row.id, flow, live }))
}

/// Marks a live flow as bound to a browser by the Expo proxy; false when it
/// was bound before (or is gone): the compare-and-set on `value` lets one
/// request win.
pub async fn bind_once(db: &impl ConnectionTrait, stored: &Stored) -> Result<bool, AppError> {
    if stored.flow.bound {
        return Ok(false);
    }
    let before = serde_json::to_string(&stored.flow).map_err(|e| AppError::Internal(e.into()))?;
    let after = serde_json::to_string(&Flow { bound: true, ..stored.flow.clone() })
        .map_err(|e| AppError::Internal(e.into()))?;
    let updated = verification::Entity::update_many()
        .col_expr(verification::Column::Value, sea_orm::sea_query::Expr::value(after))
        .filter(verification::Column::Id.eq(stored.row_id.clone()))
        .filter(verification::Column::Value.eq(before))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Uses a flow up. False when another request used it first.
pub async fn finish(db: &impl ConnectionTrait, stored: &Stored) -> Result<bool, AppError> {
    let deleted = verification::Entity::delete_by_id(stored.row_id.clone()).exec(db).await?;
    Ok(deleted.rows_affected == 1)
}

/// Records the use of an ID token until it expires; false when it was used
/// before. `key` names the token (its issuer, subject and nonce — or the
/// token itself when it has no nonce), so nobody can block another person's
/// sign-in by using a nonce first. The table's unique `(identifier, value)`
/// decides between racing uses; a record past its expiry gives way.
pub async fn first_use_of_id_token(
    db: &impl ConnectionTrait,
    key: &str,
    expires_at: chrono::NaiveDateTime,
) -> Result<bool, AppError> {
    let identifier = format!("id-token:{}", hex::encode(Sha256::digest(key.as_bytes())));
    for _ in 0..2 {
        let inserted = verification::ActiveModel {
            identifier: Set(identifier.clone()),
            value: Set(String::new()),
            expires_at: Set(Ord::max(expires_at, now() + Duration::minutes(1))),
            ..Default::default() // id and timestamps by the entity's hook
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => return Ok(true),
            Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                let expired = verification::Entity::delete_many()
                    .filter(verification::Column::Identifier.eq(identifier.clone()))
                    .filter(verification::Column::ExpiresAt.lt(now()))
                    .exec(db)
                    .await?;
                if expired.rows_affected == 0 {
                    return Ok(false);
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_better_auths_state_json() {
        let flow = Flow {
            callback_url: "/dashboard".into(),
            code_verifier: "v".into(),
            error_url: None,
            new_user_url: Some("/welcome".into()),
            link: Some(LinkTarget { email: "a@example.com".into(), user_id: "u1".into() }),
            expires_at: 1,
            request_sign_up: None,
            nonce: Some("n".into()),
            provider: "google".into(),
            native: false,
            bound: false,
        };
        let json: serde_json::Value = serde_json::to_value(&flow).unwrap();
        assert_eq!(json["callbackURL"], "/dashboard");
        assert_eq!(json["newUserURL"], "/welcome");
        assert_eq!(json["codeVerifier"], "v");
        assert_eq!(json["link"]["userId"], "u1");
        assert_eq!(json["expiresAt"], 1);
        assert!(json.get("errorURL").is_none());
        assert_eq!(serde_json::from_value::<Flow>(json).unwrap(), flow);
        assert!(identifier("xyz-state").starts_with("oauth-state:") && !identifier("xyz-state").contains("xyz"));
    }
}
