//! Procedures, one file per group, mirroring the wire paths.

pub mod core;
pub mod input;
pub mod main;
pub mod meta;
