//! The accept loop: HTTP/1.1 and h2c through hyper-util, with the connection
//! hygiene an open port needs (what `axum::serve` leaves out):
//!
//! - at most `MAX_CONNECTIONS` open; one more gets a canned 503 and is closed,
//!   instead of the process running out of file descriptors;
//! - request headers within `MAX_HEADER_BYTES` (431 beyond) and
//!   `HEADER_READ_TIMEOUT_MS` (slowloris), idle keep-alive connections closed
//!   after `KEEP_ALIVE_TIMEOUT_MS`, and a response the client stops reading cut
//!   after `WRITE_TIMEOUT_MS` — see [`guarded_io`];
//! - graceful shutdown: stop accepting, let every connection finish its
//!   in-flight requests, then return.

mod guarded_io;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::guarded_body::{BodyGuard, Guarded};
use tower::service_fn;

pub use guarded_io::Timeouts;
use guarded_io::{ConnectionState, GuardedIo, InFlight};

/// Limits on connections (all configurable; see the README's table).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// `MAX_CONNECTIONS`: open connections at most.
    pub max_connections: usize,
    /// `MAX_HEADER_BYTES`: request line plus headers at most (431 beyond); also the
    /// largest read buffer of a connection.
    pub max_header_bytes: usize,
    /// Read and write deadlines.
    pub timeouts: Timeouts,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            max_header_bytes: 32 * 1024,
            timeouts: Timeouts {
                header_read: Duration::from_secs(10),
                keep_alive: Duration::from_secs(75),
                write: Duration::from_secs(30),
            },
        }
    }
}

/// The body a connection past `MAX_CONNECTIONS` receives before it is closed.
const AT_CAPACITY_BODY: &str =
    r#"{"error":"Service unavailable","message":"Too many open connections; retry shortly"}"#;

/// Serves `app` on `listener` until `shutdown` completes, then waits for open
/// connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // Our own timers in `GuardedIo` bound header reads (hyper's would also end idle
        // keep-alive connections at the same moment, which must be longer).
        .header_read_timeout(None)
        // Headers that do not fit the read buffer are answered 431; a smaller buffer
        // also keeps each connection's memory down (hyper's default is ~400 KiB).
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder.http2().timer(TokioTimer::new()).max_header_list_size(limits.max_header_bytes as u32);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let stats = Arc::new(Stats::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // EMFILE and friends: wait for descriptors to free up instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse_at_capacity(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::new(ConnectionState::default());
        let io = TokioIo::new(GuardedIo::new(stream, state.clone(), limits.timeouts));
        let app = app.clone();
        let stats = stats.clone();
        let service = service_fn(move |req: Request<Incoming>| {
            // Counted from now until the response body is done or dropped.
            let in_flight = InFlight::start(&state);
            stats.accepted.fetch_add(1, Ordering::Relaxed);
            let stats = stats.clone();
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(remote));
            let response = app.clone().oneshot(req);
            async move {
                let response = response.await?;
                let counted = Counted { stats, _in_flight: in_flight };
                Ok::<_, Infallible>(response.map(|body| Guarded::wrap(body, counted)))
            }
        });
        let connection = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service)).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    let (accepted, answered) = (stats.accepted.load(Ordering::Relaxed), stats.answered.load(Ordering::Relaxed));
    let cut = stats.cut.load(Ordering::Relaxed);
    tracing::info!(
        accepted,
        answered,
        cut,
        "connections closed: every accepted request was answered or its client went away"
    );
    Ok(())
}

/// Requests over the server's life (logged when it stops, for the shutdown harness).
#[derive(Default)]
struct Stats {
    /// Handed to the application.
    accepted: AtomicU64,
    /// Whose response body was sent to its end.
    answered: AtomicU64,
    /// Whose response was dropped before its end (the client went away, or a stalled write was cut).
    cut: AtomicU64,
}

/// A connection over the cap: a short 503, then close — after reading off what
/// the client already sent (for at most a second), since closing with unread
/// bytes would reset the connection and destroy the answer.
async fn refuse_at_capacity(mut stream: TcpStream) {
    use tokio::io::AsyncReadExt;
    tracing::warn!("connection refused: MAX_CONNECTIONS reached");
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{AT_CAPACITY_BODY}",
        AT_CAPACITY_BODY.len()
    );
    let linger = async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), linger).await;
}

/// Keeps a request counted as in flight while its response body lives, and
/// counts it answered or cut when the body goes.
struct Counted {
    stats: Arc<Stats>,
    _in_flight: InFlight,
}

impl BodyGuard for Counted {
    fn finished(&mut self, completed: bool) {
        let counter = if completed { &self.stats.answered } else { &self.stats.cut };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
