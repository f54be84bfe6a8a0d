//! Procedures, one file per group, mirroring the wire paths.

pub mod core;
pub mod main;
pub mod meta;
