//! `main.*`: business-logic procedures.

pub mod user;
