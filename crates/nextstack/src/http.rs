//! Plain HTTP handlers (not tRPC).

pub mod health;
pub mod metrics;
pub mod not_found;
pub mod ready;
pub mod storage;
