//! BetterAuth's JSON shapes for users and sessions.

use nextstack_entity::{session, user};
use serde::Serialize;

use crate::wire::session::SessionInfo;
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

/// BetterAuth's session object: the tRPC `SessionInfo` plus the token
/// (`/get-session` and `/list-sessions` return it, as the client expects).
#[derive(Debug, Serialize)]
pub struct AuthSession {
    #[serde(flatten)]
    info: SessionInfo,
    token: String,
}

impl From<session::Model> for AuthSession {
    fn from(mut s: session::Model) -> Self {
        let token = std::mem::take(&mut s.token);
        Self { info: s.into(), token }
    }
}
