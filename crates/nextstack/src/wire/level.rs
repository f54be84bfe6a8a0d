//! `Level` on the wire.

use nextstack_entity::level;
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `{id, name, rank, minPoints, description, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    /// CUID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Unique rank (higher is better).
    pub rank: i32,
    /// Points needed to reach it.
    pub min_points: i32,
    /// Description.
    pub description: Option<String>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<level::Model> for Level {
    fn from(l: level::Model) -> Self {
        Self {
            id: l.id,
            name: l.name,
            rank: l.rank,
            min_points: l.min_points,
            description: l.description,
            created_at: l.created_at.into(),
            updated_at: l.updated_at.into(),
        }
    }
}
