//! `Session` on the tRPC wire: never the token (decision 7).

use nextstack_entity::session;
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `{id, userId, expiresAt, ipAddress, userAgent, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Session id (not the token).
    pub id: String,
    /// Its user.
    pub user_id: String,
    /// When it ends unless refreshed.
    pub expires_at: IsoTime,
    /// Client address at sign-in.
    pub ip_address: Option<String>,
    /// Client `User-Agent` at sign-in.
    pub user_agent: Option<String>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last refresh.
    pub updated_at: IsoTime,
}

impl From<session::Model> for SessionInfo {
    fn from(s: session::Model) -> Self {
        Self {
            id: s.id,
            user_id: s.user_id,
            expires_at: s.expires_at.into(),
            ip_address: s.ip_address,
            user_agent: s.user_agent,
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
        }
    }
}
