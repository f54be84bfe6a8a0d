//! Body limit: a declared `Content-Length` over the limit is refused at once
//! with 413 JSON; any other body is wrapped so reading past the limit fails
//! (the tRPC engine then answers `PAYLOAD_TOO_LARGE`).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{StatusCode, header};
use http_body_util::Limited;

use crate::app::AppState;
use crate::error::HttpError;
use crate::middleware::request_id::RequestId;

/// Room for a form's boundaries and part headers around the file itself.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

/// `MAX_BODY_BYTES`; a tRPC upload (a form or an octet stream) may be as large
/// as `MAX_UPLOAD_BYTES` plus its form's framing, the procedure itself holding
/// the file to `MAX_UPLOAD_BYTES` while it streams.
fn limit_for(state: &AppState, req: &Request) -> usize {
    let max = state.config.max_body_bytes;
    let is_upload = req.uri().path().starts_with("/trpc/") && nextstack_trpc::BodyKind::of(req.headers()).is_some();
    if !is_upload {
        return max;
    }
    let upload = usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX);
    max.max(upload.saturating_add(FORM_OVERHEAD_BYTES))
}

/// Enforces the body limit (see [`limit_for`]).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/storage/") {
        // Signed uploads carry their own limit (the signed size), enforced while streaming to disk.
        return next.run(req).await;
    }
    let max = limit_for(&state, &req);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        let request_id = RequestId::of(req.extensions());
        let message = format!("The request body exceeds the limit of {max} bytes");
        return HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "Payload too large", message).render(request_id.as_str());
    }
    if matches!(*req.method(), http::Method::GET | http::Method::HEAD | http::Method::OPTIONS) && declared.is_none() {
        // No handler reads a body on these methods; skip wrapping it.
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, Body::new(Limited::new(body, max)));
    next.run(req).await
}
