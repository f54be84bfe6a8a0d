//! Test scaffolding: `TestApp::spawn()` and friends.

mod test_app;
mod test_db;

pub use test_app::{TestApp, send_json, urlencode};
