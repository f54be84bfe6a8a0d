//! `core.*`: CRUD procedures.

pub mod file;
pub mod level;
pub mod offering;
pub mod order;
pub mod post;
pub mod profile;
pub mod user;
