//! A response body that carries a guard until the body ends or is dropped
//! (a request counted as in flight, a load-shedding slot), and tells the guard
//! which of the two happened.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// What a [`Guarded`] body holds.
pub trait BodyGuard: Send + Unpin + 'static {
    /// The body is gone: sent to its end (`completed`), or dropped before (the client went away).
    fn finished(&mut self, _completed: bool) {}
}

impl BodyGuard for tokio::sync::OwnedSemaphorePermit {}

/// `body`, holding `guard` while it lives.
pub struct Guarded<G: BodyGuard> {
    body: Body,
    guard: G,
    ended: bool,
}

impl<G: BodyGuard> Guarded<G> {
    /// Wraps `body` (as an axum `Body` again).
    pub fn wrap(body: Body, guard: G) -> Body {
        Body::new(Self { body, guard, ended: false })
    }
}

impl<G: BodyGuard> http_body::Body for Guarded<G> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            this.ended = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl<G: BodyGuard> Drop for Guarded<G> {
    fn drop(&mut self) {
        let completed = self.ended || http_body::Body::is_end_stream(&self.body);
        self.guard.finished(completed);
    }
}
