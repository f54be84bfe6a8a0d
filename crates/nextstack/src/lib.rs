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
pub mod notices;
pub mod procedures;
pub mod router;
pub mod rpc;
pub mod server;
pub mod services;
pub mod shutdown;
pub mod social;
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
    start_notices(&state).await;
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        // Subscriptions would otherwise hold their connections open until the watchdog fires.
        let _ = stopping.send(true);
    };
    let limits = state.config.connections;
    serve_router(listener, router::build(state), limits, shutdown).await
}

/// On PostgreSQL, one listener for other processes' order events and for
/// session changes (whoever made them); returns once it listens (or failed to,
/// and keeps trying in the background). [`serve`] calls it.
pub async fn start_notices(state: &AppState) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if state.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let mut subscriptions: Vec<(String, std::sync::Arc<dyn notices::Listener>)> = Vec::new();
    if let Some(channel) = state.order_events.channel() {
        subscriptions.push((channel.to_string(), state.order_events.clone()));
    }
    // The triggers notify per schema: the one unqualified table names resolve to
    // (asked of the database; if it cannot answer now, the configured one).
    let asked = state
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT current_schema()::text"))
        .await
        .map(|row| row.and_then(|row| row.try_get_by_index::<String>(0).ok()));
    let schema = match asked {
        Ok(Some(schema)) => schema,
        other => {
            if let Err(err) = other {
                tracing::warn!(error = %err, "cannot ask the database for its schema; assuming the configured one");
            }
            state.config.database.schema.clone().unwrap_or_else(|| "public".to_string())
        }
    };
    subscriptions.push((auth::session_cache::channel(&schema), state.sessions.clone()));
    notices::start(state.db.get_postgres_connection_pool().clone(), subscriptions).await;
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
