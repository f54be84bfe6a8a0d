//! Wire types: what clients see, never entities (STYLE.md rule 10). Each derives
//! serde and ts-rs so the TypeScript client types come from the same definitions.

pub mod file;
pub mod level;
pub mod offering;
pub mod order;
pub mod page;
pub mod patch;
pub mod post;
pub mod profile;
pub mod session;
pub mod time;
pub mod user;
