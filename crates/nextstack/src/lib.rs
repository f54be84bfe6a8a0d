//! NextStack in Rust: the tRPC 11 + BetterAuth-compatible backend server.
//!
//! `main` loads the [`config::Config`], opens the database and calls [`serve`];
//! the integration tests call the same [`serve`] on a port-0 listener.

pub mod app;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod guarded_body;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod procedures;
pub mod router;
pub mod rpc;
pub mod server;
pub mod services;
pub mod shutdown;
pub mod storage;
pub mod telemetry;
pub mod wire;

use std::future::Future;
use tokio::net::TcpListener;

use crate::app::AppState;

/// Serves the application on `listener` until `shutdown` completes, then
/// finishes in-flight requests (graceful shutdown) and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Err(err) = state.order_events.start_fanout().await {
        tracing::error!(error = %err, "cannot LISTEN for order events: subscribers see this process's changes only");
    }
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        // Subscriptions would otherwise hold their connections open until the watchdog fires.
        let _ = stopping.send(true);
    };
    let limits = state.config.connections;
    serve_router(listener, router::build(state), limits, shutdown).await
}

/// [`serve`] for an already built router (tests add test-only procedures).
pub async fn serve_router(
    listener: TcpListener,
    app: axum::Router,
    limits: server::ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, app, limits, shutdown).await
}
