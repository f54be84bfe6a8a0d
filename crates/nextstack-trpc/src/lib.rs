//! The tRPC 11 HTTP wire protocol for axum, knowing nothing of any application:
//! a procedure registry whose procedures are plain async functions, GET/POST
//! rules, batching, `httpBatchStreamLink` JSON lines, `httpSubscriptionLink`
//! server-sent events, the superjson transformer, tRPC's error shape with
//! JSON-RPC codes, and zod-compatible validation errors.
//!
#![cfg_attr(all(feature = "garde", feature = "typegen"), doc = include_str!("../README.md"))]
#![warn(missing_docs)]

mod body_input;
mod budget;
mod error;
#[cfg(feature = "fuzzing")]
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
#[cfg(feature = "typegen")]
pub mod typegen;
mod types;
pub mod validation;

pub use body_input::{BodyHandler, BodyInput, BodyKind};
pub use error::{ErrorCode, ErrorSource, TrpcError};
/// The multipart parser [`BodyInput::into_form`] returns.
pub use multer;
pub use output::Serialized;
pub use procedure::{CallOutput, FromCtx, Handler, Input, Output, Procedure, ProcedureKind, ProcedureTypes, RawInput};
pub use request::{ConnectionParams, calls_in};
pub use router::Router;
pub use service::{CallFailure, CallReport, StreamingBody, Trpc, TrpcConfig};
pub use subscription::{SseConfig, Tracked};
pub use superjson::Transformer;
#[cfg(feature = "typegen")]
pub use types::Declaration;
pub use types::{Described, TypeDesc};
