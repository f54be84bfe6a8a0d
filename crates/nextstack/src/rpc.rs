//! The app side of tRPC: the request context, auth levels as types, and the
//! registry that names every procedure.

pub mod auth;
pub mod ctx;
pub mod identity;
pub mod registry;
pub mod streams;
