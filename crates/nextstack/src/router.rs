//! The one place every path is mounted.

use axum::Router;
use axum::routing::get;
use nextstack_trpc::{SseConfig, Trpc, TrpcConfig};

use crate::app::AppState;
use crate::auth;
use crate::http::{admin_console, health, metrics, not_found, ready, storage};
use crate::middleware;
use crate::rpc::{ctx, registry};

/// The whole HTTP application: routes plus the middleware stack.
pub fn build(state: AppState) -> Router {
    build_with(state, registry::procedures())
}

/// The application with a given procedure registry (tests add test-only procedures this way).
pub fn build_with(state: AppState, procedures: nextstack_trpc::Router<ctx::Ctx>) -> Router {
    let config = TrpcConfig {
        max_batch_size: state.config.trpc_max_batch_size,
        include_stack: state.config.is_development(),
        max_body_bytes: state.config.max_body_bytes,
        max_response_bytes: state.config.trpc_max_response_bytes,
        stream_call_timeout: state.config.request_timeout,
        transformer: state.config.trpc_transformer,
        sse: SseConfig { ping_interval: state.config.sse_ping_interval, shutdown: Some(state.stopping.subscribe()) },
        allow_method_override: state.config.trpc_allow_method_override,
    };
    let ctx_state = state.clone();
    let call_metrics = state.metrics.clone();
    let trpc = Trpc::new(procedures, config, move |parts| ctx::create(&ctx_state, parts))
        .on_call(move |call| {
            let kind = call.kind.map_or("unknown", |k| k.as_str());
            let code = call.code.map_or("OK", |c| c.key());
            call_metrics.trpc_call(call.path, kind, code, call.elapsed);
        })
        .on_error(|failure| {
            // tRPC's onError: the one log line of a failed call, inside the request span.
            let code = failure.error.code;
            if code.http_status().is_server_error() {
                tracing::error!(path = failure.path, %code, error = %failure.error.chain(), "procedure failed");
            } else {
                tracing::debug!(path = failure.path, %code, message = %failure.error.message, "procedure refused");
            }
        });
    let routes = Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(ready::ready))
        .route("/metrics", get(metrics::metrics))
        .nest_service("/trpc", trpc.into_axum())
        .merge(storage::router(&state))
        .merge(admin_console::router())
        .nest(
            "/api/auth",
            auth::routes::router().layer(axum::middleware::from_fn_with_state(state.clone(), auth::guard::guard)),
        )
        .fallback(not_found::not_found)
        .with_state(state.clone());
    middleware::stack(routes, &state)
}
