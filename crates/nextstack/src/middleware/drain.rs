//! Early refusals reach the client (decision 17). A handler that answers
//! before reading the request body (413 over `MAX_BODY_BYTES`, 401, 403, 415,
//! 429, an upload over its signed size) leaves unread bytes on the socket;
//! closing a socket with unread data makes the kernel send a TCP reset, which
//! destroys the answer in flight, and a client that is still sending (Node's
//! `fetch`, browsers) reports a broken pipe instead of the status. nginx
//! "lingers" and Express reads the body to its end; this layer reads and
//! discards the rest of the body up to a bound, then sends the answer with
//! `Connection: close`. Past the bound the connection is closed unread.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Version, header};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::sync::oneshot;

use crate::app::AppState;

/// How much of a refused body is read before the answer, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct DrainConfig {
    /// `BODY_DRAIN_MAX_BYTES`: bytes read and discarded at most.
    pub max_bytes: u64,
    /// `BODY_DRAIN_TIMEOUT_MS`: time spent reading them at most.
    pub timeout: Duration,
}

/// A client that sends nothing for this long while its body is drained is not waited for
/// (nginx's `lingering_timeout`).
const IDLE: Duration = Duration::from_secs(5);

/// Wraps the request body so that, should the handler answer without reading
/// it to the end, the rest is drained before the answer goes out.
pub async fn drain_refused(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // HTTP/2 ends one stream without touching the connection; only HTTP/1 needs this.
    if req.version() > Version::HTTP_11 || !has_body(&req) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let (parts, body) = req.into_parts();
    let (watched, mut returned) = Watched::new(body);
    let mut response = next.run(Request::from_parts(parts, Body::new(watched))).await;
    // The body comes back only when the handler dropped it unfinished.
    let Ok(Unread { body, polled }) = returned.try_recv() else { return response };
    let config = state.config.body_drain;
    let within_bound = declared.is_none_or(|len| len <= config.max_bytes);
    // A client waiting for `100 Continue` has sent nothing yet and sends nothing now: no drain.
    if within_bound && (polled || !expects_continue) {
        let outcome = discard(body, config).await;
        if outcome != Drained::Complete {
            tracing::debug!(?outcome, "refused body not drained; closing the connection");
        }
    }
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn has_body(req: &Request) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers.get(header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0")
}

/// How a drain ended.
#[derive(Debug, PartialEq, Eq)]
enum Drained {
    /// The body was read to its end.
    Complete,
    /// More than `max_bytes`.
    TooLong,
    /// Past the deadline, or the client went quiet.
    TooSlow,
    /// The connection failed.
    Broken,
}

async fn discard(mut body: Body, config: DrainConfig) -> Drained {
    let deadline = tokio::time::Instant::now() + config.timeout;
    let mut read = 0u64;
    loop {
        let wait = deadline.saturating_duration_since(tokio::time::Instant::now()).min(IDLE);
        match tokio::time::timeout(wait, body.frame()).await {
            Err(_) => return Drained::TooSlow,
            Ok(None) => return Drained::Complete,
            Ok(Some(Err(_))) => return Drained::Broken,
            Ok(Some(Ok(frame))) => {
                read += frame.data_ref().map_or(0, |d| d.len() as u64);
                if read > config.max_bytes {
                    return Drained::TooLong;
                }
            }
        }
    }
}

/// What the handler left: the rest of the body, and whether it read any of it.
struct Unread {
    body: Body,
    polled: bool,
}

/// A request body that hands itself back on drop unless it was read to the end.
struct Watched {
    inner: Option<Body>,
    polled: bool,
    finished: bool,
    give_back: Option<oneshot::Sender<Unread>>,
}

impl Watched {
    fn new(body: Body) -> (Self, oneshot::Receiver<Unread>) {
        let (tx, rx) = oneshot::channel();
        (Self { inner: Some(body), polled: false, finished: false, give_back: Some(tx) }, rx)
    }
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
        this.polled = true;
        let polled = Pin::new(inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            // The end, or a broken connection: nothing left worth draining.
            this.finished = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.as_ref().map(HttpBody::size_hint).unwrap_or_default()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if self.finished || self.is_end_stream() {
            return;
        }
        if let (Some(body), Some(tx)) = (self.inner.take(), self.give_back.take()) {
            let _ = tx.send(Unread { body, polled: self.polled });
        }
    }
}
