//! `File` rows: uploads from PENDING to READY, soft deletion, listing.
//!
//! Bookkeeping of storage removal without a column of its own: a DELETED row
//! whose `url` is still set may still have its object in storage; `url` is
//! cleared once the object is known to be gone. The sweep retries the rest.

use chrono::NaiveDateTime;
use nextstack_entity::{FileStatus, file, now, user};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::db::begin_write;
use crate::error::AppError;
use crate::services::pagination::{self, Page, PageRequest, contains_pattern, prefix_pattern};
use crate::storage::key::is_raster_image;
use crate::wire::file::File;

/// A file about to be uploaded.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// The owner.
    pub user_id: String,
    /// Sanitised name.
    pub filename: String,
    /// The client's name.
    pub original_name: String,
    /// Declared MIME type.
    pub mime_type: String,
    /// Declared size in bytes.
    pub size: i64,
    /// Server-made object key.
    pub storage_key: String,
}

/// What one user may hold (decision 21).
#[derive(Debug, Clone, Copy)]
pub struct UploadCaps {
    /// `MAX_PENDING_UPLOADS_PER_USER`: uploads requested and not yet confirmed.
    pub max_pending: u64,
    /// `STORAGE_QUOTA_BYTES_PER_USER`: bytes of every file not deleted, pending ones included.
    pub quota_bytes: u64,
}

/// Inserts a PENDING row if the owner stays within `caps`. The check and the
/// insert run in one transaction holding the owner's row (`FOR UPDATE`; on
/// SQLite, `BEGIN IMMEDIATE`), so a batch of concurrent requests cannot all
/// pass the check before any of them is counted.
pub async fn create_pending_within(
    db: &DatabaseConnection,
    new: NewFile,
    caps: UploadCaps,
) -> Result<file::Model, AppError> {
    let txn = begin_write(db).await?;
    lock_owner(&txn, &new.user_id).await?;
    // Both figures in one pass over the owner's live files (this runs under the owner's lock).
    let (pending, used): (i64, i64) = live_files_of(&new.user_id)
        .column_as(Expr::cust(r#"COUNT(CASE WHEN "File"."status" = 'PENDING' THEN 1 END)"#), "pending")
        .column_as(Expr::cust(USED_BYTES), "used")
        .into_tuple()
        .one(&txn)
        .await?
        .unwrap_or((0, 0));
    let pending = u64::try_from(pending).unwrap_or(0);
    if pending >= caps.max_pending {
        return Err(AppError::TooManyRequests(
            format!(
                "You have {pending} uploads waiting to be confirmed (the limit is {}); confirm or delete them first",
                caps.max_pending
            )
            .into(),
        ));
    }
    if let Some(message) = over_quota(used, u64::try_from(new.size).unwrap_or(0), caps) {
        return Err(AppError::InvalidField { field: "size", message });
    }
    let row = create_pending(&txn, new).await?;
    txn.commit().await?;
    Ok(row)
}

/// Holds the owner's row (`FOR UPDATE`; on SQLite the write transaction
/// already serializes) so their uploads are counted one at a time.
async fn lock_owner(txn: &DatabaseTransaction, owner: &str) -> Result<(), AppError> {
    user::Entity::find_by_id(owner.to_string())
        .select_only()
        .column(user::Column::Id)
        .lock_exclusive()
        .into_tuple::<String>()
        .one(txn)
        .await?
        .ok_or(AppError::not_found("User"))?;
    Ok(())
}

/// The owner's files that count against their caps (every one not deleted), selecting nothing yet.
fn live_files_of(owner: &str) -> sea_orm::Select<file::Entity> {
    file::Entity::find()
        .select_only()
        .filter(file::Column::UserId.eq(owner))
        .filter(file::Column::Status.ne(FileStatus::Deleted))
}

/// Their bytes. PostgreSQL's SUM of a BIGINT is NUMERIC: cast back to read it as an integer.
const USED_BYTES: &str = r#"CAST(COALESCE(SUM("File"."size"), 0) AS BIGINT)"#;

/// Why `size` more bytes do not fit next to `used` (as summed), if they do not.
fn over_quota(used: i64, size: u64, caps: UploadCaps) -> Option<String> {
    let used = u64::try_from(used).unwrap_or(0);
    (used.saturating_add(size) > caps.quota_bytes).then(|| {
        format!(
            "This file ({size} bytes) would take your storage past its quota of {} bytes ({used} bytes in use); delete files first",
            caps.quota_bytes
        )
    })
}

/// Inserts a PENDING row.
pub async fn create_pending(db: &impl ConnectionTrait, new: NewFile) -> Result<file::Model, AppError> {
    let row = file::ActiveModel {
        user_id: Set(new.user_id),
        filename: Set(new.filename),
        original_name: Set(new.original_name),
        mime_type: Set(new.mime_type),
        size: Set(new.size),
        storage_key: Set(new.storage_key),
        url: Set(None),
        status: Set(FileStatus::Pending),
        metadata: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// A file by id, whatever its state.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<file::Model>, AppError> {
    Ok(file::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// Locks the row of the upload stored under `key` (`FOR UPDATE`; on SQLite the
/// write transaction itself) and tells whether it is still PENDING. A local
/// upload holds this lock while it moves its bytes into place, and confirmation
/// and deletion take the same row, so a slow PUT can never replace an object
/// that was already confirmed, or bring back one that was deleted.
pub async fn lock_pending_upload(txn: &DatabaseTransaction, key: &str) -> Result<bool, AppError> {
    let status: Option<FileStatus> = file::Entity::find()
        .select_only()
        .column(file::Column::Status)
        .filter(file::Column::StorageKey.eq(key))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await?;
    Ok(status == Some(FileStatus::Pending))
}

/// True while the upload stored under `key` is PENDING (a cheap check before its bytes are read).
pub async fn is_pending_upload(db: &impl ConnectionTrait, key: &str) -> Result<bool, AppError> {
    let status: Option<FileStatus> = file::Entity::find()
        .select_only()
        .column(file::Column::Status)
        .filter(file::Column::StorageKey.eq(key))
        .into_tuple()
        .one(db)
        .await?;
    Ok(status == Some(FileStatus::Pending))
}

/// The MIME type of the READY file stored under `key` if it is some user's avatar
/// (avatars are public, like `User.image`).
pub async fn public_avatar_type(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, AppError> {
    use sea_orm::{JoinType, RelationTrait};
    Ok(file::Entity::find()
        .select_only()
        .column(file::Column::MimeType)
        .join(JoinType::InnerJoin, file::Relation::AvatarOf.def())
        .filter(file::Column::StorageKey.eq(key))
        .filter(file::Column::Status.eq(FileStatus::Ready))
        .filter(user::Column::AvatarFileId.is_not_null())
        .into_tuple::<String>()
        .one(db)
        .await?)
}

/// How a confirmation went.
#[derive(Debug)]
pub enum Confirmation {
    /// Now READY (or it already was).
    Ready(Box<file::Model>),
    /// No object stored under the key yet.
    NotUploaded,
    /// The stored object has `stored` bytes, not the declared size (it was removed).
    WrongSize {
        /// What storage holds.
        stored: u64,
    },
    /// Deleted meanwhile.
    Gone,
}

/// PENDING → READY once storage holds exactly the declared bytes. Runs under
/// the row lock uploads take (see [`lock_pending_upload`]): what is checked is
/// what stays.
pub async fn confirm(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
    id: &str,
) -> Result<Confirmation, AppError> {
    let txn = begin_write(db).await?;
    let Some(row) = file::Entity::find_by_id(id.to_string()).lock_exclusive().one(&txn).await? else {
        return Ok(Confirmation::Gone);
    };
    match row.status {
        FileStatus::Pending => {}
        FileStatus::Deleted => return Ok(Confirmation::Gone),
        _ => return Ok(Confirmation::Ready(Box::new(row))), // confirming twice is harmless
    }
    let declared = u64::try_from(row.size).unwrap_or(0);
    match storage.size_of(&row.storage_key).await? {
        None => Ok(Confirmation::NotUploaded),
        Some(stored) if stored != declared => {
            storage.delete(&row.storage_key).await?;
            Ok(Confirmation::WrongSize { stored })
        }
        Some(_) => {
            let url = storage.public_url(&row.storage_key);
            let ready = mark_ready(&txn, &row.id, url).await?;
            txn.commit().await?;
            Ok(ready.map_or(Confirmation::Gone, |row| Confirmation::Ready(Box::new(row))))
        }
    }
}

/// PENDING → READY for a file streamed through the server (`main.storage.upload`),
/// now that its size is known: under the owner's lock, the quota is checked
/// again with the real size, as [`create_pending_within`] checks a declared one.
/// Over the quota, the row is removed and the caller removes the object.
pub async fn finish_streamed(
    db: &DatabaseConnection,
    id: &str,
    owner: &str,
    size: u64,
    url: String,
    caps: UploadCaps,
) -> Result<Option<file::Model>, AppError> {
    let txn = begin_write(db).await?;
    lock_owner(&txn, owner).await?;
    let used: i64 = live_files_of(owner)
        .column_as(Expr::cust(USED_BYTES), "used")
        .filter(file::Column::Id.ne(id))
        .into_tuple()
        .one(&txn)
        .await?
        .unwrap_or(0);
    if let Some(message) = over_quota(used, size, caps) {
        discard_pending(&txn, id).await?;
        txn.commit().await?;
        return Err(AppError::InvalidField { field: "file", message });
    }
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    file::Entity::update_many()
        .col_expr(file::Column::Size, Expr::value(size))
        .filter(file::Column::Id.eq(id))
        .filter(file::Column::Status.eq(FileStatus::Pending))
        .exec(&txn)
        .await?;
    let ready = mark_ready(&txn, id, url).await?;
    txn.commit().await?;
    Ok(ready)
}

/// Removes a PENDING row whose upload failed (its object never completed).
pub async fn discard_pending(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    file::Entity::delete_many()
        .filter(file::Column::Id.eq(id))
        .filter(file::Column::Status.eq(FileStatus::Pending))
        .exec(db)
        .await?;
    Ok(())
}

/// PENDING → READY with its URL; `None` when the row was no longer PENDING (deleted meanwhile).
pub async fn mark_ready(db: &impl ConnectionTrait, id: &str, url: String) -> Result<Option<file::Model>, AppError> {
    let result = file::Entity::update_many()
        .col_expr(file::Column::Status, Expr::value(FileStatus::Ready))
        .col_expr(file::Column::Url, Expr::value(url))
        .col_expr(file::Column::UpdatedAt, Expr::value(now()))
        .filter(file::Column::Id.eq(id))
        .filter(file::Column::Status.eq(FileStatus::Pending))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find(db, id).await
}

/// Replaces a file's metadata.
pub async fn set_metadata(
    db: &impl ConnectionTrait,
    file: file::Model,
    metadata: serde_json::Value,
) -> Result<file::Model, AppError> {
    let mut row: file::ActiveModel = file.into();
    row.metadata = Set(Some(metadata));
    Ok(row.update(db).await?)
}

/// Filters of `core.file.list`.
#[derive(Debug, Default)]
pub struct FileQuery {
    /// Which page.
    pub page: PageRequest,
    /// Only this state.
    pub status: Option<FileStatus>,
    /// MIME type starts with this (`image/`).
    pub mime_type_prefix: Option<String>,
    /// Case-insensitive substring of the original name.
    pub search: Option<String>,
}

/// A page of the owner's files (everyone's for `None`: the admin console),
/// newest first, never DELETED ones.
pub async fn list(db: &impl ConnectionTrait, owner: Option<&str>, query: &FileQuery) -> Result<Page<File>, AppError> {
    let mut select = file::Entity::find().filter(file::Column::Status.ne(FileStatus::Deleted));
    if let Some(owner) = owner {
        select = select.filter(file::Column::UserId.eq(owner));
    }
    if let Some(status) = query.status {
        select = select.filter(file::Column::Status.eq(status));
    }
    if let Some(prefix) = &query.mime_type_prefix {
        let pattern = prefix_pattern(prefix);
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((file::Entity, file::Column::MimeType))))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    if let Some(search) = &query.search {
        let pattern = contains_pattern(search);
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((file::Entity, file::Column::OriginalName))))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    let ordered = select.order_by_desc(file::Column::CreatedAt).order_by_desc(file::Column::Id);
    pagination::fetch(db, ordered, query.page, File::from).await
}

/// Live (not DELETED) files among `ids`, limited to `owner`'s unless `None` (admins).
pub async fn find_live(
    db: &impl ConnectionTrait,
    ids: &[String],
    owner: Option<&str>,
) -> Result<Vec<file::Model>, AppError> {
    let mut select = file::Entity::find()
        .filter(file::Column::Id.is_in(ids.iter().cloned()))
        .filter(file::Column::Status.ne(FileStatus::Deleted));
    if let Some(owner) = owner {
        select = select.filter(file::Column::UserId.eq(owner));
    }
    Ok(select.all(db).await?)
}

/// Soft-deletes `files` in one transaction and unlinks any of them used as an
/// avatar. `url_of` gives each row a URL when it has none, which marks its
/// object as still to be removed (see the module docs). Returns the rows as
/// now stored, skipping any deleted concurrently.
pub async fn soft_delete(
    db: &DatabaseConnection,
    files: Vec<file::Model>,
    url_of: impl Fn(&str) -> String,
) -> Result<Vec<file::Model>, AppError> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    let txn = db.begin().await?;
    let mut deleted = Vec::with_capacity(files.len());
    for mut row in files {
        let url = row.url.clone().unwrap_or_else(|| url_of(&row.storage_key));
        let result = file::Entity::update_many()
            .col_expr(file::Column::Status, Expr::value(FileStatus::Deleted))
            .col_expr(file::Column::DeletedAt, Expr::value(at))
            .col_expr(file::Column::UpdatedAt, Expr::value(at))
            .col_expr(file::Column::Url, Expr::value(url.clone()))
            .filter(file::Column::Id.eq(&row.id))
            .filter(file::Column::Status.ne(FileStatus::Deleted))
            .exec(&txn)
            .await?;
        if result.rows_affected == 1 {
            (row.status, row.deleted_at, row.updated_at, row.url) = (FileStatus::Deleted, Some(at), at, Some(url));
            deleted.push(row);
        }
    }
    if !deleted.is_empty() {
        user::Entity::update_many()
            .col_expr(user::Column::AvatarFileId, Expr::value(Option::<String>::None))
            .col_expr(user::Column::Image, Expr::value(Option::<String>::None))
            .col_expr(user::Column::UpdatedAt, Expr::value(at))
            .filter(user::Column::AvatarFileId.is_in(deleted.iter().map(|f| f.id.clone())))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(deleted)
}

/// Storage keys queued for removal (`StorageRemoval`), oldest first.
pub async fn queued_removals(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<String>, AppError> {
    use nextstack_entity::storage_removal;
    Ok(storage_removal::Entity::find()
        .select_only()
        .column(storage_removal::Column::StorageKey)
        .order_by_asc(storage_removal::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Clears a queued removal once storage confirmed it.
pub async fn unqueue_removal(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    use nextstack_entity::storage_removal;
    storage_removal::Entity::delete_by_id(key.to_string()).exec(db).await?;
    Ok(())
}

/// Records that a DELETED file's object is gone from storage.
pub async fn mark_removed(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    file::Entity::update_many()
        .col_expr(file::Column::Url, Expr::value(Option::<String>::None))
        .filter(file::Column::Id.eq(id))
        .filter(file::Column::Status.eq(FileStatus::Deleted))
        .exec(db)
        .await?;
    Ok(())
}

/// All of a user's files that are not DELETED.
pub async fn live_of_user(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<file::Model>, AppError> {
    Ok(file::Entity::find()
        .filter(file::Column::UserId.eq(user_id))
        .filter(file::Column::Status.ne(FileStatus::Deleted))
        .all(db)
        .await?)
}

/// DELETED files (of one user, or anyone's) whose objects may still be in storage,
/// oldest deletion first; at most `limit` (`None`: all).
pub async fn awaiting_removal(
    db: &impl ConnectionTrait,
    user_id: Option<&str>,
    limit: Option<u64>,
) -> Result<Vec<file::Model>, AppError> {
    let mut select = file::Entity::find();
    if let Some(user_id) = user_id {
        select = select.filter(file::Column::UserId.eq(user_id));
    }
    Ok(select
        .filter(file::Column::Status.eq(FileStatus::Deleted))
        .filter(file::Column::Url.is_not_null())
        .order_by_asc(file::Column::DeletedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// DELETED files whose objects are recorded as removed, deleted after `since`.
pub async fn deleted_since(
    db: &impl ConnectionTrait,
    since: NaiveDateTime,
    limit: u64,
) -> Result<Vec<file::Model>, AppError> {
    Ok(file::Entity::find()
        .filter(file::Column::Status.eq(FileStatus::Deleted))
        .filter(file::Column::Url.is_null())
        .filter(file::Column::DeletedAt.gt(since))
        .limit(limit)
        .all(db)
        .await?)
}

/// PENDING uploads created before `before` (abandoned).
pub async fn abandoned(
    db: &impl ConnectionTrait,
    before: NaiveDateTime,
    limit: u64,
) -> Result<Vec<file::Model>, AppError> {
    Ok(file::Entity::find()
        .filter(file::Column::Status.eq(FileStatus::Pending))
        .filter(file::Column::CreatedAt.lt(before))
        .order_by_asc(file::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// READY image file of `owner` usable as an avatar; the error says what is wrong.
pub fn check_avatar(file: &file::Model, owner: &str) -> Result<(), AppError> {
    if file.user_id != owner {
        return Err(AppError::Forbidden("You can only use your own files as an avatar".into()));
    }
    if file.status == FileStatus::Deleted {
        return Err(AppError::not_found("File"));
    }
    if file.status != FileStatus::Ready {
        return Err(AppError::BadRequest("The file is not ready; confirm the upload first".into()));
    }
    if !is_raster_image(&file.mime_type) {
        return Err(AppError::BadRequest(
            format!("An avatar must be a PNG, JPEG, GIF, WebP, AVIF, BMP or ICO image, not {}", file.mime_type).into(),
        ));
    }
    Ok(())
}

/// Sets (or with `None` clears) a user's avatar: `avatarFileId` and `image` together.
pub async fn set_avatar(
    db: &impl ConnectionTrait,
    user_id: &str,
    avatar: Option<&file::Model>,
) -> Result<user::Model, AppError> {
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::AvatarFileId, Expr::value(avatar.map(|f| f.id.clone())))
        .col_expr(user::Column::Image, Expr::value(avatar.and_then(|f| f.url.clone())))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(user_id));
    if let Some(file) = avatar {
        // Checked again in the same statement: a delete between the caller's check and
        // this update must not leave the user pointing at a removed file.
        update = update.filter(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(file::Entity)
                .and_where(file::Column::Id.eq(file.id.as_str()))
                .and_where(file::Column::Status.eq(FileStatus::Ready))
                .to_owned(),
        ));
    }
    let result = update.exec(db).await?;
    if result.rows_affected == 0 {
        return Err(if avatar.is_some() { AppError::not_found("File") } else { AppError::not_found("User") });
    }
    user::Entity::find_by_id(user_id.to_string()).one(db).await?.ok_or(AppError::not_found("User"))
}
