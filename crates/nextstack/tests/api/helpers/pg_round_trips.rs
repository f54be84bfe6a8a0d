//! A TCP proxy in front of PostgreSQL that counts round trips: every message
//! after which the client waits for `ReadyForQuery` — a simple `Query` (`Q`,
//! which is how `BEGIN`/`COMMIT` travel) or the `Sync` (`S`) that ends an
//! extended-protocol exchange. A `Sync` with nothing before it is sqlx's
//! ping, which it sends whenever a connection goes back to its pool (from a
//! background task, off the request's path): those are counted apart. It
//! refuses TLS (answering `N` to the client's `SSLRequest`, as a server
//! without TLS would), so it can read the stream.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `SSLRequest`'s code (protocol 1234.5679).
const SSL_REQUEST: u32 = 80_877_103;
/// `GSSENCRequest`'s code (1234.5680).
const GSS_REQUEST: u32 = 80_877_104;

/// The proxy and its count.
pub struct RoundTripCounter {
    /// The port to connect to instead of PostgreSQL's.
    pub port: u16,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    statements: AtomicU64,
    pings: AtomicU64,
}

impl RoundTripCounter {
    /// Starts forwarding to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind counter");
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let counted = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    if let Ok(upstream) = TcpStream::connect(target).await {
                        let _ = forward(client, upstream, counted).await;
                    }
                });
            }
        });
        Self { port, counts }
    }

    /// Round trips for statements so far (pings not included), on every connection.
    pub fn statements(&self) -> u64 {
        self.counts.statements.load(Ordering::Acquire)
    }

    /// sqlx's release pings so far.
    pub fn pings(&self) -> u64 {
        self.counts.pings.load(Ordering::Acquire)
    }
}

async fn forward(mut client: TcpStream, upstream: TcpStream, counts: Arc<Counts>) -> std::io::Result<()> {
    // Startup: untyped, length-prefixed messages until the real StartupMessage.
    let startup = loop {
        let len = client.read_u32().await?;
        let mut body = vec![0; (len as usize).saturating_sub(4)];
        client.read_exact(&mut body).await?;
        let code = body.get(..4).map_or(0, |c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
        if code == SSL_REQUEST || code == GSS_REQUEST {
            client.write_all(b"N").await?;
            continue;
        }
        let mut message = len.to_be_bytes().to_vec();
        message.extend(body);
        break message;
    };
    let (mut from_server, mut to_server) = upstream.into_split();
    let (mut from_client, mut to_client) = client.into_split();
    to_server.write_all(&startup).await?;
    let replies = tokio::spawn(async move { tokio::io::copy(&mut from_server, &mut to_client).await });
    // Whether anything was sent since the last Sync or Query (else a Sync is a ping).
    let mut exchange_open = false;
    // Until the client hangs up.
    while let Ok(kind) = from_client.read_u8().await {
        let len = from_client.read_u32().await?;
        let mut body = vec![0; (len as usize).saturating_sub(4)];
        from_client.read_exact(&mut body).await?;
        match kind {
            b'Q' => {
                counts.statements.fetch_add(1, Ordering::AcqRel);
                exchange_open = false;
            }
            b'S' if exchange_open => {
                counts.statements.fetch_add(1, Ordering::AcqRel);
                exchange_open = false;
            }
            b'S' => {
                counts.pings.fetch_add(1, Ordering::AcqRel);
            }
            _ => exchange_open = true,
        }
        to_server.write_all(&[kind]).await?;
        to_server.write_all(&len.to_be_bytes()).await?;
        to_server.write_all(&body).await?;
    }
    replies.abort();
    Ok(())
}
