//! The tRPC 11 HTTP wire protocol for axum, knowing nothing of any application:
//! a procedure registry whose procedures are plain async functions, GET/POST
//! rules, batching, `httpBatchStreamLink` JSON lines, tRPC's error shape with
//! JSON-RPC codes, and zod-compatible validation errors.
//!
//! ```ignore
//! let router = Router::new().query("greet", greet);
//! let trpc = Trpc::new(router, TrpcConfig::default(), |_parts| async { Ok(MyCtx) });
//! let app = axum::Router::new().nest("/trpc", trpc.into_axum());
//! ```

mod budget;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod jsonl;
mod output;
mod procedure;
mod request;
mod router;
mod service;
pub mod subscription;
pub mod superjson;
pub mod typegen;
pub mod validation;

pub use error::{ErrorCode, ErrorSource, TrpcError};
pub use output::Serialized;
pub use procedure::{
    CallOutput, Declaration, FromCtx, Handler, Input, Output, Procedure, ProcedureKind, ProcedureTypes, RawInput,
    TypeDesc,
};
pub use request::calls_in;
pub use router::Router;
pub use service::{CallFailure, CallReport, StreamingBody, Trpc, TrpcConfig};
pub use subscription::{SseConfig, Tracked};
pub use superjson::Transformer;
