//! Test scaffolding: `TestApp::spawn()` and friends.

mod node;
mod pg_round_trips;
mod proxy;
mod smtp;
mod test_app;
mod test_db;

pub use node::{NodeSession, run_node_checks};
pub use pg_round_trips::RoundTripCounter;
pub use proxy::TcpProxy;
pub use smtp::SmtpSink;
pub use test_app::{TestApp, send_json, storage_is_s3, urlencode};
pub use test_db::TestDb;

/// `result.data` of a tRPC success body.
pub fn data(body: &serde_json::Value) -> &serde_json::Value {
    &body["result"]["data"]
}

/// `error.data.code` of a tRPC error body (`""` when absent).
pub fn error_code(body: &serde_json::Value) -> &str {
    body["error"]["data"]["code"].as_str().unwrap_or_default()
}
