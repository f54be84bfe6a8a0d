//! User shapes of API.md: `UserBasic` and `UserWithCounts`. Never a password or token.

use nextstack_entity::user;
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `Role` on the wire is the database enum itself (upper-case strings).
pub use nextstack_entity::Role;

/// `{id, email, name, emailVerified, image, role, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UserBasic {
    /// CUID.
    pub id: String,
    /// Lower-cased email.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Whether the email was verified.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Option<String>,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<user::Model> for UserBasic {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            email: m.email,
            name: m.name,
            email_verified: m.email_verified,
            image: m.image,
            role: m.role,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}

/// Counts of what a user owns (Prisma's `_count`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct UserCounts {
    /// Posts authored.
    pub posts: i64,
    /// Orders placed.
    pub orders: i64,
    /// Profiles.
    pub profiles: i64,
}

/// `UserBasic & {_count: {posts, orders, profiles}}`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UserWithCounts {
    /// The user.
    #[serde(flatten)]
    #[ts(flatten)]
    pub user: UserBasic,
    /// What the user owns.
    #[serde(rename = "_count")]
    #[ts(rename = "_count")]
    pub count: UserCounts,
}
