//! Domain logic. Services take a connection (or transaction), never HTTP types,
//! so procedures, CLI commands and tests call them alike.

pub mod account;
pub mod file;
pub mod session;
pub mod stats;
pub mod user;
pub mod verification;
