//! `core.file.*`: the caller's files (admins: anyone's), never soft-deleted ones.

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::list_input;
use crate::procedures::main::storage::{FileIdInput, delete_files, owned_file};
use crate::rpc::auth::Authed;
use crate::services::file::{self as files, FileQuery};
use crate::services::pagination::{Page, search_term};
use crate::wire::file::{File, FileStatus};

/// Largest `metadata`, as serialized JSON.
const MAX_METADATA_BYTES: usize = 16 * 1024;

/// `core.file.get` (owner).
pub async fn get(ctx: Authed, input: FileIdInput) -> Result<File, AppError> {
    Ok(owned_file(&ctx, &input.file_id).await?.into())
}

list_input! {
    /// `core.file.list` input: pagination plus filters.
    #[ts(rename = "FileListInput")]
    pub struct ListInput {
        /// Only files in this state (DELETED lists nothing).
        #[garde(skip)]
        #[ts(optional)]
        pub status: Option<FileStatus>,
        /// MIME type prefix, e.g. `image/`.
        #[garde(inner(length(utf16, min = 1, max = 100)))]
        #[ts(optional)]
        pub mime_type_prefix: Option<String>,
        /// Case-insensitive substring of the original name.
        #[garde(inner(length(utf16, max = 100)))]
        #[ts(optional)]
        pub search: Option<String>,
    }
}

/// `core.file.list` (user): the caller's files, newest first.
pub async fn list(ctx: Authed, input: Option<ListInput>) -> Result<Page<File>, AppError> {
    let input = input.unwrap_or_default();
    let page = input.page_request();
    let query = FileQuery {
        page,
        status: input.status,
        mime_type_prefix: input.mime_type_prefix,
        search: search_term(input.search),
    };
    files::list(&ctx.state.db, Some(&ctx.caller.user_id), &query).await
}

/// `core.file.update` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// A file's CUID.
    #[garde(custom(cuid))]
    pub file_id: String,
    /// Replaces the file's metadata: a JSON object of at most 16 KiB.
    #[garde(skip)]
    #[ts(type = "Record<string, unknown>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// `core.file.update` (owner): replaces `metadata`.
pub async fn update(ctx: Authed, input: UpdateInput) -> Result<File, AppError> {
    let metadata = serde_json::Value::Object(input.metadata);
    let size = serde_json::to_vec(&metadata).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_METADATA_BYTES {
        let message = format!("metadata is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES}");
        return Err(AppError::InvalidField { field: "metadata", message });
    }
    let row = owned_file(&ctx, &input.file_id).await?;
    Ok(files::set_metadata(&ctx.state.db, row, metadata).await?.into())
}

/// `core.file.delete` (owner): soft delete, and removal of the object from storage.
pub async fn delete(ctx: Authed, input: FileIdInput) -> Result<File, AppError> {
    let row = owned_file(&ctx, &input.file_id).await?;
    delete_files(&ctx, vec![row]).await?;
    // The row as stored now (`url` cleared once the object is gone).
    let row = files::find(&ctx.state.db, &input.file_id).await?.ok_or(AppError::not_found("File"))?;
    Ok(row.into())
}
