//! Test scaffolding: `TestApp::spawn()` and friends.

mod smtp;
mod test_app;
mod test_db;

pub use smtp::SmtpSink;
pub use test_app::{TestApp, send_json, urlencode};
