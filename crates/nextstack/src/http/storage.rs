//! `/storage/*`, mounted only with local storage: the server side of the
//! presigned URLs that stand in for S3's. Uploads stream to a temporary file
//! and are renamed into place only when complete; downloads stream from disk
//! with `Range`, `ETag` and `Last-Modified` support.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Path as UrlPath, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use nextstack_entity::{FileStatus, file, user};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use std::io::Write;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::app::AppState;
use crate::error::http_error_body;
use crate::middleware::request_id::RequestId;
use crate::storage::local::{LocalUrls, Op, Signed, UrlProblem};

/// The routes; empty when files are not on the local disk.
pub fn router(state: &AppState) -> Router<AppState> {
    if state.storage.local().is_none() {
        return Router::new();
    }
    Router::new().route("/storage/upload/{*key}", put(upload)).route("/storage/files/{*key}", get(download))
}

fn refuse(status: StatusCode, error: &str, message: &str, request_id: &RequestId) -> Response {
    (status, Json(http_error_body(error, message, request_id.as_str()))).into_response()
}

fn refuse_url(problem: UrlProblem, request_id: &RequestId) -> Response {
    let message = match problem {
        UrlProblem::BadSignature => "The URL's signature is invalid",
        UrlProblem::Expired => "The URL has expired",
    };
    refuse(StatusCode::FORBIDDEN, "Forbidden", message, request_id)
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `PUT /storage/upload/<key>?expires&size&type&sig`: the body, at most `size`
/// bytes, with `Content-Type: type`.
async fn upload(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    UrlPath(key): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(urls) = state.storage.local() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(signed) = query.as_deref().and_then(Signed::from_query).filter(|s| s.size.is_some()) else {
        return refuse_url(UrlProblem::BadSignature, &request_id);
    };
    if let Err(problem) = urls.verify(Op::Upload, &key, &signed, unix_now()) {
        return refuse_url(problem, &request_id);
    }
    let max = signed.size.unwrap_or(0);
    let sent_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !sent_type.eq_ignore_ascii_case(&signed.content_type) {
        let message = format!("Content-Type must be {}, as signed", signed.content_type);
        return refuse(StatusCode::FORBIDDEN, "Forbidden", &message, &request_id);
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    if declared.is_some_and(|len: u64| len > max) {
        return too_large(max, &request_id);
    }
    let Some(target) = urls.path_of(&key) else { return refuse_url(UrlProblem::BadSignature, &request_id) };
    match store_body(urls, &target, body, max).await {
        Ok(Stored::Done) => match etag_of(&target).await {
            Some(etag) => (StatusCode::OK, [(header::ETAG, etag)]).into_response(),
            None => StatusCode::OK.into_response(),
        },
        Ok(Stored::TooLarge) => too_large(max, &request_id),
        Err(err) => {
            tracing::error!(error = %err, key, "local upload failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "Upload failed", "The file could not be stored", &request_id)
        }
    }
}

fn too_large(max: u64, request_id: &RequestId) -> Response {
    let message = format!("The body is larger than the {max} bytes this URL allows");
    refuse(StatusCode::PAYLOAD_TOO_LARGE, "Payload too large", &message, request_id)
}

enum Stored {
    Done,
    TooLarge,
}

/// Removes a temporary upload unless it was renamed into place (also when the client disconnects mid-body).
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn store_body(urls: &LocalUrls, target: &Path, body: Body, max: u64) -> std::io::Result<Stored> {
    let tmp_dir = urls.tmp_dir();
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let tmp = TempFile(Some(tmp_dir.join(uuid::Uuid::new_v4().to_string())));
    let tmp_path = tmp.0.clone().unwrap_or_default();
    let mut out = Some(
        blocking({
            let path = tmp_path.clone();
            move || std::fs::File::create(path)
        })
        .await?,
    );
    let mut stream = body.into_data_stream();
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(std::io::Error::other)?;
        written += chunk.len() as u64;
        if written > max {
            return Ok(Stored::TooLarge);
        }
        // The chunk moves to the blocking thread as it is: no copy into an
        // intermediate buffer (tokio's `fs::File` copies every write), so memory
        // per upload stays at what hyper has read and not yet written.
        let mut file = out.take().ok_or_else(|| std::io::Error::other("upload file lost"))?;
        out = Some(
            blocking(move || {
                file.write_all(&chunk)?;
                Ok(file)
            })
            .await?,
        );
    }
    let file = out.take().ok_or_else(|| std::io::Error::other("upload file lost"))?;
    // Durable before it becomes visible: a crash never leaves a truncated object under the key.
    blocking(move || file.sync_all()).await?;
    if let Some(parent) = target.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    tokio::fs::rename(&tmp_path, target).await?;
    let mut tmp = tmp;
    tmp.0 = None;
    Ok(Stored::Done)
}

/// Runs file I/O on the blocking pool.
async fn blocking<T: Send + 'static>(job: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> std::io::Result<T> {
    tokio::task::spawn_blocking(job).await.map_err(std::io::Error::other)?
}

/// A strong validator from size and modification time (as object_store's local ETag).
async fn etag_of(path: &Path) -> Option<HeaderValue> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_micros();
    HeaderValue::from_str(&format!("\"{:x}-{mtime:x}\"", meta.len())).ok()
}

/// `GET|HEAD /storage/files/<key>?expires&type&sig`, or without a signature for
/// files that are someone's avatar (avatars are shown to everyone, like `User.image`).
async fn download(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    UrlPath(key): UrlPath<String>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Response {
    let Some(urls) = state.storage.local() else { return StatusCode::NOT_FOUND.into_response() };
    let content_type = match query.as_deref().and_then(Signed::from_query) {
        Some(signed) => match urls.verify(Op::Download, &key, &signed, unix_now()) {
            Ok(()) => signed.content_type,
            Err(problem) => return refuse_url(problem, &request_id),
        },
        None => match public_avatar_type(&state, &key).await {
            Some(mime) => mime,
            None => return refuse(StatusCode::FORBIDDEN, "Forbidden", "This file needs a signed URL", &request_id),
        },
    };
    let Some(path) = urls.path_of(&key) else { return file_not_found(&request_id) };
    let etag = etag_of(&path).await;
    if etag.is_none() {
        return file_not_found(&request_id);
    }
    if let (Some(etag), Some(given)) = (&etag, req.headers().get(header::IF_NONE_MATCH))
        && matches_etag(given, etag)
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag.clone())]).into_response();
    }
    let mut response = match ServeFile::new(&path).oneshot(req).await {
        Ok(response) => response.map(Body::new),
        Err(err) => match err {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return file_not_found(&request_id);
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    // Web apps on other origins show these (avatars in <img>); helmet's default would block that.
    headers.insert(
        http::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// `If-None-Match`: a comma list of tags, or `*`.
fn matches_etag(given: &HeaderValue, etag: &HeaderValue) -> bool {
    given.as_bytes().split(|b| *b == b',').map(<[u8]>::trim_ascii).any(|t| t == etag.as_bytes() || t == b"*")
}

fn file_not_found(request_id: &RequestId) -> Response {
    refuse(StatusCode::NOT_FOUND, "Not found", "No file is stored under this key", request_id)
}

/// The MIME type of the READY file stored under `key` if it is a user's avatar.
async fn public_avatar_type(state: &AppState, key: &str) -> Option<String> {
    file::Entity::find()
        .select_only()
        .column(file::Column::MimeType)
        .join(JoinType::InnerJoin, file::Relation::AvatarOf.def())
        .filter(file::Column::StorageKey.eq(key))
        .filter(file::Column::Status.eq(FileStatus::Ready))
        .filter(user::Column::AvatarFileId.is_not_null())
        .into_tuple::<String>()
        .one(&state.db)
        .await
        .ok()
        .flatten()
}
