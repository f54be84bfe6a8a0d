//! Graceful shutdown (decision 14): SIGTERM or SIGINT stops accepting, lets
//! in-flight requests finish, and a watchdog forces exit 1 after `SHUTDOWN_TIMEOUT_MS`.

use std::time::Duration;

/// Completes on the first SIGTERM or SIGINT, and arms the forced-exit watchdog.
pub async fn signal(grace: Duration) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received: shutting down"),
        () = terminate => tracing::info!("SIGTERM received: shutting down"),
    }
    std::thread::spawn(move || {
        std::thread::sleep(grace);
        eprintln!("shutdown did not finish within {} ms; forcing exit", grace.as_millis());
        std::process::exit(1);
    });
}
