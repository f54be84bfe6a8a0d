//! `core.*`: CRUD procedures.

pub mod user;
