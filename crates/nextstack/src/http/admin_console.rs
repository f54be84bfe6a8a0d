//! `/admin`: the operators' console, a single-page app built from `web/admin/`.
//!
//! Its committed build (`web/admin/dist/`) is compiled into the binary, so a
//! release build serves the console with no Node installed. Files under
//! `assets/` carry a content hash in their names and are cached for a year;
//! every other path under `/admin/` that names no file is the app's own route
//! and gets `index.html`, which is never cached, so a new deployment is picked
//! up on the next load. A path whose last segment has a dot is taken for a
//! file, so the app's routes never end in one.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use rust_embed::Embed;

use crate::app::AppState;

/// The built console.
#[derive(Embed)]
#[folder = "../../web/admin/dist/"]
struct ConsoleBuild;

/// Where the console lives.
pub const MOUNT: &str = "/admin";

/// The console's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(MOUNT, get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(serve))
        .route("/admin/{*path}", get(serve))
}

/// Looks the raw path up (built names are plain ASCII, never percent-encoded),
/// so a path that does not decode, e.g. `/admin/users/%E0`, still reaches the
/// app, which shows its own "Not found".
async fn serve(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path().strip_prefix("/admin/").unwrap_or_default();
    if let Some(file) = (!path.is_empty()).then(|| ConsoleBuild::get(path)).flatten() {
        let immutable = path.starts_with("assets/");
        return respond(&headers, &file, immutable, &state);
    }
    // A missing file is a 404, not the app: a stale hashed asset must not be
    // answered with HTML the browser would refuse to run as a script.
    if path.rsplit('/').next().is_some_and(|name| name.contains('.')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ConsoleBuild::get("index.html") {
        Some(index) => respond(&headers, &index, false, &state),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn respond(headers: &HeaderMap, file: &rust_embed::EmbeddedFile, immutable: bool, state: &AppState) -> Response {
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = if headers.get(IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Response::new(Body::from(file.data.clone()));
        let mime = HeaderValue::from_str(file.metadata.mimetype())
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        response.headers_mut().insert(CONTENT_TYPE, mime);
        response
    };
    let out = response.headers_mut();
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(ETAG, etag);
    }
    out.insert(CONTENT_SECURITY_POLICY, content_security_policy(state));
    response
}

/// helmet's policy, narrowed to what the console does: scripts and API calls
/// on this origin only, never framed. Image previews come from signed storage
/// URLs, which are https in production and may be plain http (MinIO, the
/// local disk) elsewhere; and without `upgrade-insecure-requests`, which
/// would send a console on http://localhost to an https port nothing serves.
fn content_security_policy(state: &AppState) -> HeaderValue {
    HeaderValue::from_static(if state.config.is_production() { POLICY_PRODUCTION } else { POLICY_ELSEWHERE })
}

/// The policy but for its image sources.
macro_rules! policy_with_images {
    ($images:literal) => {
        concat!(
            "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data: blob: ",
            $images,
            ";connect-src 'self';base-uri 'self';form-action 'self';frame-ancestors 'none';object-src 'none';script-src-attr 'none'"
        )
    };
}
const POLICY_PRODUCTION: &str = policy_with_images!("https:");
const POLICY_ELSEWHERE: &str = policy_with_images!("https: http:");
