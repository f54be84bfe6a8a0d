//! `main.*`: business-logic procedures.

pub mod auth;
pub mod user;
