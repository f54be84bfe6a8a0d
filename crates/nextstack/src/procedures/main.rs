//! `main.*`: business-logic procedures.

pub mod auth;
pub mod post;
pub mod storage;
pub mod user;
