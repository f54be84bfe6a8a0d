//! `main.storage.*`: the presigned upload flow (request → PUT to storage → confirm),
//! download URLs and bulk deletion.

use std::time::Duration;

use garde::Validate;
use nextstack_entity::{FileStatus, file};
use nextstack_trpc::BodyInput;
use nextstack_trpc::validation::{Issue, cuid};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Authed;
use crate::services::file::{self as files, Confirmation, NewFile};
use crate::storage::key::{filename_problem, is_mime_type, new_key, sanitize};
use crate::storage::removal::remove_objects;
use crate::wire::file::File;
use crate::wire::time::IsoTime;
use crate::wire::user::Role;

/// How long an upload URL works.
const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);

/// `main.storage.requestUpload` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestUploadInput {
    /// The client's file name: 1..255 bytes, no `..`, no leading `/`, no control characters.
    #[garde(custom(valid_filename))]
    pub filename: String,
    /// `type/subtype`; the upload must be sent with exactly this `Content-Type`.
    #[garde(custom(valid_mime_type))]
    pub mime_type: String,
    /// Bytes, 1..`MAX_UPLOAD_BYTES`.
    #[garde(range(min = 1))]
    pub size: i64,
}

fn valid_filename(value: &str, _: &()) -> garde::Result {
    match filename_problem(value) {
        None => Ok(()),
        Some(problem) => Err(Issue::new("custom", format!("Filename {problem}"), json!({})).into_garde()),
    }
}

fn valid_mime_type(value: &str, _: &()) -> garde::Result {
    if is_mime_type(value) {
        Ok(())
    } else {
        Err(Issue::new("custom", "MIME type must look like type/subtype", json!({})).into_garde())
    }
}

/// `main.storage.requestUpload` output.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    /// The PENDING file.
    pub file_id: String,
    /// `PUT` the bytes here with `Content-Type: <mimeType>`.
    pub upload_url: String,
    /// Where the object will live.
    pub storage_key: String,
    /// When the URL stops working.
    pub expires_at: IsoTime,
}

/// `main.storage.requestUpload` (user): a PENDING row and a presigned PUT URL valid 15 minutes.
pub async fn request_upload(ctx: Authed, input: RequestUploadInput) -> Result<UploadTicket, AppError> {
    let max = ctx.state.config.max_upload_bytes;
    let size = u64::try_from(input.size).unwrap_or(0);
    if size > max {
        let message = format!("File is too large: {size} bytes; the limit is {max} bytes");
        return Err(AppError::InvalidField { field: "size", message });
    }
    let mime_type = input.mime_type.to_ascii_lowercase();
    let storage_key = new_key(&ctx.caller.user_id, &input.filename);
    let presigned = ctx.state.storage.presign_upload(&storage_key, &mime_type, size, UPLOAD_URL_TTL).await?;
    let new = NewFile {
        user_id: ctx.caller.user_id.clone(),
        filename: sanitize(&input.filename),
        original_name: input.filename,
        mime_type,
        size: input.size,
        storage_key: storage_key.clone(),
    };
    let caps = ctx.state.config.upload_caps;
    let row = files::create_pending_within(&ctx.state.db, new, caps).await?;
    Ok(UploadTicket {
        file_id: row.id,
        upload_url: presigned.url,
        storage_key,
        expires_at: presigned.expires_at.into(),
    })
}

/// `main.storage.upload` (user): a `FormData` with one `file` field, stored in
/// one call for clients that cannot `PUT` to a presigned URL. The file is
/// streamed to storage as it arrives (one chunk in memory at a time) with the
/// rules of `requestUpload`: its name, its type (the part's `Content-Type`),
/// 1..`MAX_UPLOAD_BYTES` bytes, the pending-uploads cap and the quota. Answers
/// the READY file; a refused upload leaves neither a row nor an object.
pub async fn upload(ctx: Authed, input: BodyInput) -> Result<File, AppError> {
    let mut form = input.into_form().map_err(|err| AppError::BadRequest(err.message))?;
    let mut field = loop {
        match form.next_field().await.map_err(form_error)? {
            Some(field) if field.name() == Some("file") => break field,
            // Other fields are skipped (multer discards what is not read).
            Some(_) => continue,
            None => return Err(file_problem("Required: a `file` field with the file")),
        }
    };
    let Some(filename) = field.file_name().map(str::to_string) else {
        return Err(file_problem("Expected a file, got a text field"));
    };
    if let Some(problem) = filename_problem(&filename) {
        return Err(file_problem(&format!("Filename {problem}")));
    }
    // The part's own type as sent (parameters dropped); a part without one is octet-stream, as browsers send it.
    let mime_type = match field.headers().get(http::header::CONTENT_TYPE) {
        None => "application/octet-stream".to_string(),
        Some(value) => {
            let text = String::from_utf8_lossy(value.as_bytes());
            text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
        }
    };
    if !is_mime_type(&mime_type) {
        return Err(file_problem("MIME type must look like type/subtype"));
    }
    let state = &ctx.state;
    let owner = ctx.caller.user_id.clone();
    let storage_key = new_key(&owner, &filename);
    let new = NewFile {
        user_id: owner.clone(),
        filename: sanitize(&filename),
        original_name: filename,
        mime_type: mime_type.clone(),
        size: 0, // known once streamed; the quota is checked again then
        storage_key: storage_key.clone(),
    };
    let row = files::create_pending_within(&state.db, new, state.config.upload_caps).await?;
    let written = match stream_to_storage(&ctx, &mut field, &storage_key, &mime_type).await {
        Ok(size) => size,
        Err(err) => {
            files::discard_pending(&state.db, &row.id).await?;
            return Err(err);
        }
    };
    let url = state.storage.public_url(&storage_key);
    let caps = state.config.upload_caps;
    match files::finish_streamed(&state.db, &row.id, &owner, written, url, caps).await {
        Ok(Some(ready)) => Ok(ready.into()),
        Ok(None) => Err(AppError::not_found("File")),
        Err(err) => {
            state.storage.delete(&storage_key).await?;
            Err(err)
        }
    }
}

/// Copies the field into the object `key`, at most `MAX_UPLOAD_BYTES`; on any
/// failure the object is dropped.
async fn stream_to_storage(
    ctx: &Authed,
    field: &mut nextstack_trpc::multer::Field<'static>,
    key: &str,
    mime_type: &str,
) -> Result<u64, AppError> {
    let max = ctx.state.config.max_upload_bytes;
    let mut writer = ctx.state.storage.writer(key, mime_type).await?;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(err) => {
                writer.abort().await;
                return Err(form_error(err));
            }
        };
        if writer.written() + chunk.len() as u64 > max {
            writer.abort().await;
            return Err(file_problem(&format!("File is too large: the limit is {max} bytes")));
        }
        if let Err(err) = writer.write(chunk).await {
            writer.abort().await;
            return Err(err.into());
        }
    }
    if writer.written() == 0 {
        writer.abort().await;
        return Err(file_problem("File is empty"));
    }
    Ok(writer.finish().await?)
}

fn file_problem(message: &str) -> AppError {
    AppError::InvalidField { field: "file", message: message.to_string() }
}

/// A form that could not be read: too large (the body limit) or malformed.
fn form_error(err: nextstack_trpc::multer::Error) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return AppError::PayloadTooLarge("The upload exceeds the request body limit".into());
        }
        source = cause.source();
    }
    AppError::BadRequest(format!("Could not read the form: {err}").into())
}

/// `{fileId}`.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileIdInput {
    /// A file's CUID.
    #[garde(custom(cuid))]
    pub file_id: String,
}

/// The caller's (or, for admins, anyone's) live file: `NOT_FOUND` when missing
/// or deleted, `FORBIDDEN` when someone else's.
pub async fn owned_file(ctx: &Authed, id: &str) -> Result<file::Model, AppError> {
    let row = files::find(&ctx.state.db, id).await?.ok_or(AppError::not_found("File"))?;
    if row.status == FileStatus::Deleted {
        return Err(AppError::not_found("File"));
    }
    ctx.ensure_owns(&row.user_id, "file")?;
    Ok(row)
}

/// `main.storage.confirmUpload` (owner): checks the stored object against the declared size and marks the file READY.
pub async fn confirm_upload(ctx: Authed, input: FileIdInput) -> Result<File, AppError> {
    let row = owned_file(&ctx, &input.file_id).await?;
    let declared = row.size;
    match files::confirm(&ctx.state.db, &ctx.state.storage, &row.id).await? {
        Confirmation::Ready(ready) => Ok((*ready).into()),
        Confirmation::NotUploaded => Err(AppError::BadRequest("The file has not been uploaded yet".into())),
        Confirmation::WrongSize { stored } => Err(AppError::BadRequest(
            format!("The uploaded file has {stored} bytes, not the declared {declared}; upload it again").into(),
        )),
        Confirmation::Gone => Err(AppError::not_found("File")),
    }
}

/// `main.storage.getDownloadUrl` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct DownloadInput {
    /// A file's CUID.
    #[garde(custom(cuid))]
    pub file_id: String,
    /// Seconds the URL works, 1..86400 (3600).
    #[garde(inner(range(min = 1, max = 86_400)))]
    #[ts(optional)]
    pub expires_in: Option<i64>,
}

/// `main.storage.getDownloadUrl` output.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DownloadTicket {
    /// `GET` the bytes here.
    pub download_url: String,
    /// The file's (sanitised) name.
    pub filename: String,
    /// Its MIME type.
    pub mime_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// When the URL stops working.
    pub expires_at: IsoTime,
}

/// `main.storage.getDownloadUrl` (owner): a presigned GET URL for a READY file.
pub async fn get_download_url(ctx: Authed, input: DownloadInput) -> Result<DownloadTicket, AppError> {
    let row = owned_file(&ctx, &input.file_id).await?;
    if row.status != FileStatus::Ready {
        return Err(AppError::BadRequest("The file is not ready; confirm the upload first".into()));
    }
    let ttl = Duration::from_secs(input.expires_in.and_then(|s| u64::try_from(s).ok()).unwrap_or(3600));
    let presigned = ctx.state.storage.presign_download(&row.storage_key, &row.mime_type, ttl).await?;
    Ok(DownloadTicket {
        download_url: presigned.url,
        filename: row.filename,
        mime_type: row.mime_type,
        size: row.size,
        expires_at: presigned.expires_at.into(),
    })
}

/// `main.storage.deleteMany` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeleteManyInput {
    /// 1..100 file ids.
    #[garde(length(min = 1, max = 100), inner(custom(cuid)))]
    pub file_ids: Vec<String>,
}

/// `main.storage.deleteMany` output.
#[derive(Debug, Serialize, TS)]
pub struct DeleteManyOutput {
    /// Files deleted now (others were not the caller's, or already gone).
    pub deleted: usize,
}

/// `main.storage.deleteMany` (user): soft-deletes the caller's files among the ids (admins: any) and removes their objects.
pub async fn delete_many(ctx: Authed, input: DeleteManyInput) -> Result<DeleteManyOutput, AppError> {
    let owner = (ctx.caller.role != Role::Admin).then_some(ctx.caller.user_id.as_str());
    let rows = files::find_live(&ctx.state.db, &input.file_ids, owner).await?;
    let deleted = delete_files(&ctx, rows).await?;
    Ok(DeleteManyOutput { deleted: deleted.len() })
}

/// Soft-deletes `rows`, then removes their objects (failures are left to the sweep).
pub async fn delete_files(ctx: &Authed, rows: Vec<file::Model>) -> Result<Vec<file::Model>, AppError> {
    let storage = &ctx.state.storage;
    let deleted = files::soft_delete(&ctx.state.db, rows, |key| storage.public_url(key)).await?;
    remove_objects(&ctx.state.db, storage, &deleted, Some(ctx.request_id.as_str())).await;
    Ok(deleted)
}
