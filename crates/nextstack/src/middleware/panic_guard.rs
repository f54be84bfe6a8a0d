//! A handler that panics answers 500 with the plain-HTTP error body (its
//! request id included) and the process keeps serving; the panic is logged
//! inside the request's span. (tower-http's `CatchPanicLayer` cannot see the
//! request, so its answer could not name the request id.)

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures::FutureExt;
use http::StatusCode;

use crate::error::HttpError;
use crate::middleware::request_id::RequestId;

/// Runs the rest of the stack, turning a panic into a logged 500.
pub async fn guard(req: Request, next: Next) -> Response {
    let request_id = RequestId::of(req.extensions());
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            tracing::error!(panic = detail, "handler panicked");
            HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error", "An unexpected error occurred")
                .render(request_id.as_str())
        }
    }
}
