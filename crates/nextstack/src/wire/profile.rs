//! `Profile` on the wire.

use nextstack_entity::profile;
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `{id, userId, handle, displayName, bio, website, location, isPublic, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// CUID.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// Unique handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// Bio.
    pub bio: Option<String>,
    /// Website URL.
    pub website: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Visible to everyone (else only to its owner and admins).
    pub is_public: bool,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<profile::Model> for Profile {
    fn from(p: profile::Model) -> Self {
        Self {
            id: p.id,
            user_id: p.user_id,
            handle: p.handle,
            display_name: p.display_name,
            bio: p.bio,
            website: p.website,
            location: p.location,
            is_public: p.is_public,
            created_at: p.created_at.into(),
            updated_at: p.updated_at.into(),
        }
    }
}
