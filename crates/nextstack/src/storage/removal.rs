//! Taking objects out of storage once their `File` rows are soft-deleted.

use nextstack_entity::file;
use sea_orm::DatabaseConnection;

use super::Storage;
use crate::services::file as files;

/// Removes the objects of soft-deleted files and records each success.
/// Failures are logged (with the request id, when there is one) and left for
/// the sweep. Returns `(removed, failed)`.
pub async fn remove_objects(
    db: &DatabaseConnection,
    storage: &Storage,
    deleted: &[file::Model],
    request_id: Option<&str>,
) -> (usize, usize) {
    let (mut removed, mut failed) = (0, 0);
    for row in deleted {
        let outcome = match storage.delete(&row.storage_key).await {
            Ok(()) => files::mark_removed(db, &row.id).await.map_err(|e| e.to_string()),
            Err(err) => {
                Err(format!("{err}: {}", std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default()))
            }
        };
        match outcome {
            Ok(()) => removed += 1,
            Err(error) => {
                failed += 1;
                tracing::warn!(
                    request_id = request_id.unwrap_or("-"),
                    file_id = %row.id,
                    key = %row.storage_key,
                    %error,
                    "storage removal failed; the sweep will retry"
                );
            }
        }
    }
    (removed, failed)
}

/// Removes queued objects (`StorageRemoval`, e.g. those of a deleted account)
/// and clears each one storage confirms. Failures are logged and left for the
/// sweep. Returns `(removed, failed)`.
pub async fn remove_queued(
    db: &DatabaseConnection,
    storage: &Storage,
    keys: &[String],
    request_id: Option<&str>,
) -> (usize, usize) {
    let (mut removed, mut failed) = (0, 0);
    for key in keys {
        let outcome = match storage.delete(key).await {
            Ok(()) => files::unqueue_removal(db, key).await.map_err(|e| e.to_string()),
            Err(err) => Err(err.to_string()),
        };
        match outcome {
            Ok(()) => removed += 1,
            Err(error) => {
                failed += 1;
                tracing::warn!(request_id = request_id.unwrap_or("-"), %key, %error, "storage removal failed; the sweep will retry");
            }
        }
    }
    (removed, failed)
}
