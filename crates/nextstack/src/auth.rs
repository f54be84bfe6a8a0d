//! BetterAuth-compatible authentication building blocks: password hashes and
//! signed session cookies in exactly BetterAuth 1.3's formats (PROTOCOL.md 3.3,
//! 3.7), so a database or cookie written by the TypeScript stack works here
//! and the other way round.

pub mod cookie;
pub mod password;
