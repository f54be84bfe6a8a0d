//! Plain HTTP handlers (not tRPC).

pub mod admin_console;
pub mod health;
pub mod metrics;
pub mod not_found;
pub mod ready;
pub mod storage;
