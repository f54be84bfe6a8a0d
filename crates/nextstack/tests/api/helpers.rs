//! Test scaffolding: `TestApp::spawn()` and friends.

mod node;
mod smtp;
mod test_app;
mod test_db;

pub use node::run_node_checks;
pub use smtp::SmtpSink;
pub use test_app::{TestApp, send_json, storage_is_s3, urlencode};
