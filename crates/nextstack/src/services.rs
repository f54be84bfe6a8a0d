//! Domain logic. Services take a connection (or transaction), never HTTP types,
//! so procedures, CLI commands and tests call them alike.

pub mod account;
pub mod admin;
pub mod file;
pub mod level;
pub mod merged;
pub mod oauth_flow;
pub mod offering;
pub mod order;
pub mod overview;
pub mod pagination;
pub mod post;
pub mod profile;
pub mod session;
pub mod social;
pub mod stats;
pub mod user;
pub mod verification;
pub mod viewer;
