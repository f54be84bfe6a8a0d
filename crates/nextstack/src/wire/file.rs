//! `File` rows on the wire (API.md): `size` a JSON number, the storage key included, timestamps ISO.

use nextstack_entity::file;
use serde::Serialize;
use ts_rs::TS;

use super::time::IsoTime;

/// `FileStatus` on the wire is the database enum itself (upper-case strings).
pub use nextstack_entity::FileStatus;

/// `File = {id, userId, filename, originalName, mimeType, size, storageKey, url, status, metadata, deletedAt, createdAt, updatedAt}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// CUID.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// Sanitised name (as in the storage key).
    pub filename: String,
    /// The name the client uploaded.
    pub original_name: String,
    /// Declared MIME type.
    pub mime_type: String,
    /// Bytes.
    pub size: i64,
    /// Where the bytes are in storage.
    pub storage_key: String,
    /// Permanent unsigned URL once READY (public only where storage makes it so).
    pub url: Option<String>,
    /// Lifecycle state.
    pub status: FileStatus,
    /// Free-form JSON object set with `core.file.update`.
    #[ts(type = "Record<string, unknown> | null")]
    pub metadata: Option<serde_json::Value>,
    /// Soft-delete time.
    pub deleted_at: Option<IsoTime>,
    /// Creation time.
    pub created_at: IsoTime,
    /// Last update time.
    pub updated_at: IsoTime,
}

impl From<file::Model> for File {
    fn from(m: file::Model) -> Self {
        Self {
            id: m.id,
            user_id: m.user_id,
            filename: m.filename,
            original_name: m.original_name,
            mime_type: m.mime_type,
            size: m.size,
            storage_key: m.storage_key,
            url: m.url,
            status: m.status,
            metadata: m.metadata,
            deleted_at: m.deleted_at.map(IsoTime),
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
        }
    }
}
