//! A TCP proxy the test controls, in front of PostgreSQL or Redis: `cut()`
//! drops every connection and refuses new ones (what a dependency outage
//! looks like from the server), `restore()` lets them through again. The
//! machine's own services are never stopped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// The proxy: listens on `127.0.0.1:port`, forwards to its target.
pub struct TcpProxy {
    /// The port to connect to instead of the target's.
    pub port: u16,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    down: AtomicBool,
    connections: Mutex<Vec<AbortHandle>>,
}

impl TcpProxy {
    /// Starts forwarding to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let state = shared.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if state.down.load(Ordering::Acquire) {
                    drop(client); // refused: closed at once
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut upstream) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
                state.connections.lock().unwrap().push(task.abort_handle());
            }
        });
        Self { port, shared }
    }

    /// The outage: every open connection is dropped, new ones are closed at once.
    pub fn cut(&self) {
        self.shared.down.store(true, Ordering::Release);
        for connection in self.shared.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    /// The dependency is back.
    pub fn restore(&self) {
        self.shared.down.store(false, Ordering::Release);
    }
}
