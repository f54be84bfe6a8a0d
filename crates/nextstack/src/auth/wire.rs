//! BetterAuth's JSON shapes for users and sessions, with the fields the
//! `admin` plugin adds (`role`, `banned`, `banReason`, `banExpires`;
//! `impersonatedBy`), as a BetterAuth server with that plugin sends them.

use nextstack_entity::{session, user};
use serde::Serialize;

use crate::services::admin::role_name;
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
    role: &'static str,
    banned: bool,
    ban_reason: Option<String>,
    ban_expires: Option<IsoTime>,
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
            role: role_name(u.role),
            banned: u.banned,
            ban_reason: u.ban_reason,
            ban_expires: u.ban_expires.map(Into::into),
        }
    }
}

/// BetterAuth's session object: the tRPC `SessionInfo` plus the token
/// (`/get-session` and `/list-sessions` return it, as the client expects)
/// and the admin who is impersonating, if any.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthSession {
    #[serde(flatten)]
    info: SessionInfo,
    token: String,
    impersonated_by: Option<String>,
}

impl From<session::Model> for AuthSession {
    fn from(mut s: session::Model) -> Self {
        let token = std::mem::take(&mut s.token);
        let impersonated_by = s.impersonated_by.take();
        Self { info: s.into(), token, impersonated_by }
    }
}
