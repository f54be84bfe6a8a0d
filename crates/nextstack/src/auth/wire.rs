//! BetterAuth's JSON shapes for users and sessions.

use nextstack_entity::{session, user};
use serde::Serialize;

use crate::wire::time::IsoTime;

/// BetterAuth's user object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthUser {
    id: String,
    email: String,
    name: Option<String>,
    image: Option<String>,
    email_verified: bool,
    created_at: IsoTime,
    updated_at: IsoTime,
}

impl From<user::Model> for AuthUser {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            image: u.image,
            email_verified: u.email_verified,
            created_at: u.created_at.into(),
            updated_at: u.updated_at.into(),
        }
    }
}

/// BetterAuth's session object (with its token: `/get-session` returns it, as the client expects).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthSession {
    id: String,
    token: String,
    user_id: String,
    expires_at: IsoTime,
    ip_address: Option<String>,
    user_agent: Option<String>,
    created_at: IsoTime,
    updated_at: IsoTime,
}

impl From<session::Model> for AuthSession {
    fn from(s: session::Model) -> Self {
        Self {
            id: s.id,
            token: s.token,
            user_id: s.user_id,
            expires_at: s.expires_at.into(),
            ip_address: s.ip_address,
            user_agent: s.user_agent,
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
        }
    }
}
