//! Taking objects out of storage once their `File` rows are soft-deleted.

use nextstack_entity::file;
use sea_orm::DatabaseConnection;

use super::Storage;
use crate::error::AppError;
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

/// Before a user is deleted: soft-deletes all their files and removes the
/// objects, so the cascade that drops the rows leaves nothing behind in
/// storage. When storage does not remove every object the account stays
/// (SERVICE_UNAVAILABLE; the caller may retry, the sweep retries too).
pub async fn purge_user_files(
    db: &DatabaseConnection,
    storage: &Storage,
    user_id: &str,
    request_id: Option<&str>,
) -> Result<(), AppError> {
    let live = files::live_of_user(db, user_id).await?;
    files::soft_delete(db, live, |key| storage.public_url(key)).await?;
    let awaiting = files::awaiting_removal(db, Some(user_id), None).await?;
    let (_, failed) = remove_objects(db, storage, &awaiting, request_id).await;
    if failed > 0 {
        return Err(AppError::Unavailable(anyhow::anyhow!("{failed} stored files of the user could not be removed")));
    }
    Ok(())
}
