//! BetterAuth-compatible authentication: password hashes and signed session
//! cookies in exactly BetterAuth 1.3's formats (PROTOCOL.md 3.3, 3.7), so a
//! database or cookie written by the TypeScript stack works here and the other
//! way round, and the `/api/auth` endpoints its clients call.

pub mod callback;
pub mod cookie;
pub mod error;
pub mod guard;
pub mod password;
pub mod routes;
pub mod session;
pub mod session_cache;
pub mod wire;
