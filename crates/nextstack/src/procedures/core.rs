//! `core.*`: CRUD procedures.

pub mod file;
pub mod user;
