//! `main.*`: business-logic procedures.

pub mod admin;
pub mod auth;
pub mod order;
pub mod post;
pub mod storage;
pub mod user;
