//! `_meta.*`: system procedures.

use serde::Serialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::rpc::auth::Public;
use crate::wire::time::now_iso;

/// `_meta.health` output.
#[derive(Debug, Serialize, TS)]
pub struct HealthOutput {
    /// Always `"healthy"` when the server answers.
    pub status: &'static str,
    /// Server time, ISO 8601.
    pub timestamp: String,
}

/// `_meta.version` output.
#[derive(Debug, Serialize, TS)]
pub struct VersionOutput {
    /// The crate version.
    pub version: &'static str,
    /// `development`, `production` or `test`.
    pub environment: &'static str,
}

/// `_meta.health`: liveness over tRPC (no database access).
pub async fn health(_: Public) -> Result<HealthOutput, AppError> {
    Ok(HealthOutput { status: "healthy", timestamp: now_iso() })
}

/// `_meta.version`: the server version and environment.
pub async fn version(ctx: Public) -> Result<VersionOutput, AppError> {
    Ok(VersionOutput { version: env!("CARGO_PKG_VERSION"), environment: ctx.state.config.environment.as_str() })
}
