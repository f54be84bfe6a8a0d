//! A TCP stream with the deadlines an HTTP server needs and hyper does not
//! enforce the way we want them:
//!
//! - **keep-alive idle**: no request in flight and no byte received for
//!   `keep_alive` → the connection is closed;
//! - **header read** (HTTP/1): once the first byte of a request has arrived, its
//!   head must be complete within `header_read` (slowloris) — hyper's own
//!   header timer would also run while the connection is idle, so it could not
//!   be shorter than the keep-alive time;
//! - **write stall**: a write the client does not take for `write` (it stopped
//!   reading a stream, or vanished without a FIN) fails, which ends the
//!   connection and frees everything its response held.
//!
//! A request counts as in flight from the moment hyper hands it to the service
//! until its response body is finished or dropped ([`InFlight`]).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// The deadlines.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// `HEADER_READ_TIMEOUT_MS`: from a request's first byte to its complete head (HTTP/1).
    pub header_read: Duration,
    /// `KEEP_ALIVE_TIMEOUT_MS`: how long an idle connection stays open.
    pub keep_alive: Duration,
    /// `WRITE_TIMEOUT_MS`: how long one write may wait for the client to read.
    pub write: Duration,
}

/// What the connection's service and its IO share.
#[derive(Default)]
pub(crate) struct ConnectionState {
    in_flight: AtomicUsize,
    /// The pending read, woken when the last request ends so the idle deadline gets armed.
    reader: AtomicWaker,
}

/// Marks one request as in flight while it lives (moved into the response body).
pub(crate) struct InFlight(Arc<ConnectionState>);

impl InFlight {
    pub(crate) fn start(state: &Arc<ConnectionState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(state.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.reader.wake();
        }
    }
}

/// Where the connection is between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Serving at least one request: no read deadline.
    Busy,
    /// Waiting for a request since this instant.
    Idle(Instant),
    /// A request head has been arriving since this instant.
    ReadingHead(Instant),
}

/// The stream plus its deadlines.
pub(crate) struct GuardedIo {
    inner: TcpStream,
    state: Arc<ConnectionState>,
    timeouts: Timeouts,
    phase: Phase,
    /// HTTP/2 (seen by its preface): streams are multiplexed, there is no head to time.
    http2: bool,
    bytes_read: u64,
    read_timer: Option<(Instant, Pin<Box<Sleep>>)>,
    write_timer: Option<Pin<Box<Sleep>>>,
}

impl GuardedIo {
    pub(crate) fn new(inner: TcpStream, state: Arc<ConnectionState>, timeouts: Timeouts) -> Self {
        Self {
            inner,
            state,
            timeouts,
            // A new connection owes its first request head: it gets `header_read`, not `keep_alive`.
            phase: Phase::ReadingHead(Instant::now()),
            http2: false,
            bytes_read: 0,
            read_timer: None,
            write_timer: None,
        }
    }

    /// The read deadline of the current phase, if any.
    fn read_deadline(&mut self) -> Option<Instant> {
        let busy = self.state.in_flight.load(Ordering::Acquire) > 0;
        self.phase = match (busy, self.phase) {
            (true, _) => Phase::Busy,
            (false, Phase::Busy) => Phase::Idle(Instant::now()),
            (false, other) => other,
        };
        match self.phase {
            Phase::Busy => None,
            Phase::Idle(since) => Some(since + self.timeouts.keep_alive),
            Phase::ReadingHead(since) => Some(since + self.timeouts.header_read),
        }
    }

    /// True once `deadline` has passed (arming the timer to wake this task at it otherwise).
    fn read_expired(&mut self, deadline: Instant, cx: &mut Context<'_>) -> bool {
        let timer = match &mut self.read_timer {
            Some((at, sleep)) if *at == deadline => sleep,
            Some((at, sleep)) => {
                sleep.as_mut().reset(deadline);
                *at = deadline;
                sleep
            }
            None => &mut self.read_timer.insert((deadline, Box::pin(tokio::time::sleep_until(deadline)))).1,
        };
        timer.as_mut().poll(cx).is_ready()
    }

    fn on_bytes(&mut self, fresh: &[u8]) {
        if fresh.is_empty() {
            return;
        }
        if self.bytes_read == 0 {
            // The HTTP/2 connection preface, `PRI * HTTP/2.0\r\n…`, arrives in the first read.
            self.http2 = fresh.starts_with(b"PRI ");
        }
        self.bytes_read += fresh.len() as u64;
        if matches!(self.phase, Phase::Idle(_)) && !self.http2 {
            self.phase = Phase::ReadingHead(Instant::now());
        }
    }

    fn poll_write_with<T>(
        &mut self,
        cx: &mut Context<'_>,
        write: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match write(Pin::new(&mut self.inner), cx) {
            Poll::Ready(result) => {
                self.write_timer = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let limit = self.timeouts.write;
                let timer = self.write_timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                if timer.as_mut().poll(cx).is_ready() {
                    tracing::debug!("client stopped reading: connection cut");
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "write stalled")));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncRead for GuardedIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.state.reader.register(cx.waker());
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let _ = this.read_deadline();
                this.on_bytes(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => {
                let Some(deadline) = this.read_deadline() else { return Poll::Pending };
                if this.read_expired(deadline, cx) {
                    let what = if matches!(this.phase, Phase::ReadingHead(_)) { "request head" } else { "idle" };
                    tracing::debug!(what, "read deadline passed: connection closed");
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "read deadline passed")));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for GuardedIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |io, cx| io.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |io, cx| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_with(cx, AsyncWrite::poll_flush)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
