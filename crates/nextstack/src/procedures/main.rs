//! `main.*`: business-logic procedures.

pub mod auth;
pub mod storage;
pub mod user;
