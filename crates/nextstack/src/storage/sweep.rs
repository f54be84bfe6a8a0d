//! The storage sweep: removes objects of DELETED files whose removal failed at
//! delete time, objects queued by deleted accounts, and abandoned uploads
//! (PENDING for over a day). Safe to run in
//! several processes at once: every step is idempotent.

use std::time::Duration;

use nextstack_entity::now;
use sea_orm::DatabaseConnection;

use super::Storage;
use super::removal::{remove_objects, remove_queued};
use crate::error::AppError;
use crate::services::file as files;

/// PENDING uploads older than this are abandoned (their URLs expired long ago).
pub const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Rows handled per query, so one run never holds much in memory.
const BATCH: u64 = 100;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Objects of DELETED files removed now.
    pub removed: usize,
    /// Abandoned uploads deleted.
    pub abandoned: usize,
    /// Removals that failed again (left for the next run).
    pub failed: usize,
}

/// One pass over both kinds of leftovers.
pub async fn run_once(db: &DatabaseConnection, storage: &Storage) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    let cutoff = now() - chrono::Duration::from_std(ABANDONED_AFTER).unwrap_or(chrono::Duration::days(1));
    loop {
        let stale = files::abandoned(db, cutoff, BATCH).await?;
        if stale.is_empty() {
            break;
        }
        let deleted = files::soft_delete(db, stale, |key| storage.public_url(key)).await?;
        report.abandoned += deleted.len();
        if deleted.is_empty() {
            break;
        }
    }
    // Objects of files deleted in the last minutes are removed once more: an S3 upload URL
    // (valid 15 minutes, not revocable) may have put the object back after the delete.
    let recent = now() - chrono::Duration::minutes(20);
    for row in files::deleted_since(db, recent, 10 * BATCH).await? {
        if let Err(err) = storage.delete(&row.storage_key).await {
            tracing::debug!(error = %err, key = %row.storage_key, "re-removal of a recently deleted file failed");
        }
    }
    // One pass over what awaits removal; whatever fails stays for the next run.
    let mut seen = 0;
    while seen < 10 * BATCH {
        let pending = files::awaiting_removal(db, None, Some(BATCH)).await?;
        if pending.is_empty() {
            break;
        }
        seen += BATCH;
        let (removed, failed) = remove_objects(db, storage, &pending, None).await;
        report.removed += removed;
        report.failed += failed;
        if removed == 0 {
            break; // storage is failing; do not spin
        }
    }
    // Objects queued by deleted accounts.
    let queued = files::queued_removals(db, 10 * BATCH).await?;
    let (removed, failed) = remove_queued(db, storage, &queued, None).await;
    report.removed += removed;
    report.failed += failed;
    Ok(report)
}

/// Runs the sweep every `interval` until the process ends.
pub fn spawn(db: DatabaseConnection, storage: std::sync::Arc<Storage>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_once(&db, &storage).await {
                Ok(report) if report != SweepReport::default() => tracing::info!(?report, "storage sweep"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "storage sweep failed"),
            }
        }
    });
}
