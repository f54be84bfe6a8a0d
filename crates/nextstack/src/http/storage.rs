//! `/storage/*`, mounted only with local storage: the server side of the
//! presigned URLs that stand in for S3's. Uploads stream to a temporary file
//! and are renamed into place only when complete; downloads stream from disk
//! with `Range`, `ETag` and `Last-Modified` support.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Path as UrlPath, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use std::io::Write;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::app::AppState;
use crate::db::begin_write;
use crate::error::{AppError, HttpError};
use crate::middleware::request_id::RequestId;
use crate::services::file as files;
use crate::storage::key::is_inline_safe;
use crate::storage::local::{LocalUrls, Op, Signed, UrlProblem};

/// The routes; empty when files are not on the local disk.
pub fn router(state: &AppState) -> Router<AppState> {
    if state.storage.local().is_none() {
        return Router::new();
    }
    Router::new().route("/storage/upload/{*key}", put(upload)).route("/storage/files/{*key}", get(download))
}

fn refuse(status: StatusCode, error: &'static str, message: &str, request_id: &RequestId) -> Response {
    HttpError::new(status, error, message.to_string()).render(request_id.as_str())
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
    // A URL stays valid for its 15 minutes, but once the file is confirmed or deleted
    // its object must not change or come back.
    match files::is_pending_upload(&state.db, &key).await {
        Ok(true) => {}
        Ok(false) => return upload_closed(&request_id),
        Err(err) => return unavailable(&err, &request_id),
    }
    let idle = state.config.request_timeout;
    match store_body(urls, body, max, idle).await {
        Ok(Stored::Done(tmp)) => match move_into_place(&state, &key, tmp, &target).await {
            Ok(true) => match etag_of(&target).await {
                Some(etag) => (StatusCode::OK, [(header::ETAG, etag)]).into_response(),
                None => StatusCode::OK.into_response(),
            },
            Ok(false) => upload_closed(&request_id),
            Err(MoveError::Db(err)) => unavailable(&err, &request_id),
            Err(MoveError::Io(err)) => {
                tracing::error!(error = %err, key, "local upload failed");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "Upload failed", "The file could not be stored", &request_id)
            }
        },
        Ok(Stored::TooLarge) => too_large(max, &request_id),
        Ok(Stored::Stalled) => {
            let message = format!("No data arrived for {} ms", idle.as_millis());
            refuse(StatusCode::REQUEST_TIMEOUT, "Request timeout", &message, &request_id)
        }
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

fn upload_closed(request_id: &RequestId) -> Response {
    let message = "This upload is closed: the file was already confirmed or deleted";
    refuse(StatusCode::CONFLICT, "Conflict", message, request_id)
}

fn unavailable(err: &AppError, request_id: &RequestId) -> Response {
    tracing::error!(error = %err, "storage route: database unavailable");
    refuse(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable", "Please retry", request_id)
}

enum Stored {
    /// The whole body, durable in a temporary file.
    Done(TempFile),
    TooLarge,
    Stalled,
}

enum MoveError {
    Db(AppError),
    Io(std::io::Error),
}

/// Renames the finished upload into place while holding its row, if it is
/// still PENDING (issue 10, item 7: confirmation or deletion may have happened
/// while the bytes were arriving); false otherwise (the temporary file goes).
async fn move_into_place(state: &AppState, key: &str, tmp: TempFile, target: &Path) -> Result<bool, MoveError> {
    let txn = begin_write(&state.db).await.map_err(|e| MoveError::Db(e.into()))?;
    if !files::lock_pending_upload(&txn, key).await.map_err(MoveError::Db)? {
        return Ok(false);
    }
    if let Some(parent) = target.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(MoveError::Io)?;
    }
    let mut tmp = tmp;
    let path = tmp.0.take().unwrap_or_default();
    if let Err(err) = tokio::fs::rename(&path, target).await {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(MoveError::Io(err));
    }
    // The row is unchanged: should the commit fail, the upload stands as a plain PUT would.
    let _ = txn.commit().await;
    Ok(true)
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

async fn store_body(urls: &LocalUrls, body: Body, max: u64, idle: std::time::Duration) -> std::io::Result<Stored> {
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
    loop {
        let chunk = match tokio::time::timeout(idle, stream.next()).await {
            Err(_) => return Ok(Stored::Stalled),
            Ok(None) => break,
            Ok(Some(chunk)) => chunk.map_err(std::io::Error::other)?,
        };
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
    Ok(Stored::Done(tmp))
}

/// Runs file I/O on the blocking pool.
async fn blocking<T: Send + 'static>(job: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> std::io::Result<T> {
    tokio::task::spawn_blocking(job).await.map_err(std::io::Error::other)?
}

/// The ETag downloads carry: the same strong tag tower-http's `ServeFile` derives
/// from size and modification time, so a PUT's ETag matches the later GETs.
async fn etag_of(path: &Path) -> Option<HeaderValue> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    let tag = format!("\"{:x}.{:08x}-{:x}\"", modified.as_secs(), modified.subsec_nanos(), meta.len());
    HeaderValue::from_str(&tag).ok()
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
        None => match files::public_avatar_type(&state.db, &key).await {
            Ok(Some(mime)) => mime,
            Ok(None) => return refuse(StatusCode::FORBIDDEN, "Forbidden", "This file needs a signed URL", &request_id),
            // A database outage is not a refusal: the avatar may well be public.
            Err(err) => return unavailable(&err, &request_id),
        },
    };
    let Some(path) = urls.path_of(&key) else { return file_not_found(&request_id) };
    // ServeFile answers Range, If-None-Match/If-Match (its own ETag), If-Modified-Since and HEAD.
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
    // Files are user content served from the API's own origin: never let one run as a page
    // here (an uploaded HTML or SVG would otherwise script the API with the viewer's cookie).
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    let disposition = if is_inline_safe(&content_type) {
        HeaderValue::from_static("inline")
    } else {
        let name = key.rsplit('/').next().and_then(|last| last.split_once('-')).map_or("file", |(_, name)| name);
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment"))
    };
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    // Web apps on other origins show these (avatars in <img>); helmet's default would block that.
    headers.insert(
        http::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

fn file_not_found(request_id: &RequestId) -> Response {
    refuse(StatusCode::NOT_FOUND, "Not found", "No file is stored under this key", request_id)
}
