//! Graceful shutdown (decision 14): SIGTERM or SIGINT stops accepting, lets
//! in-flight requests finish, and a watchdog forces exit 1 after `SHUTDOWN_TIMEOUT_MS`.

use std::future::Future;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

/// Registers the SIGTERM and SIGINT handlers now (so a signal that arrives
/// before serving starts is not lost to the default action) and returns a
/// future that completes on the first of them, arming the forced-exit watchdog.
pub fn on_signal(grace: Duration) -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM received: shutting down"),
            _ = interrupt.recv() => tracing::info!("SIGINT received: shutting down"),
        }
        std::thread::spawn(move || {
            std::thread::sleep(grace);
            eprintln!("shutdown did not finish within {} ms; forcing exit", grace.as_millis());
            std::process::exit(1);
        });
    })
}
