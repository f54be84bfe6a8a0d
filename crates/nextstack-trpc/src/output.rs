//! A call's output, serialized once: the JSON text and, when the call answers
//! in superjson, the paths of the dates in it (found during that one pass).

use std::sync::Arc;

use serde::Serialize;

use crate::error::TrpcError;
use crate::superjson::{self, Transformer};

/// A serialized value, ready to be spliced into a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serialized {
    json: String,
    /// superjson paths of the dates in `json`; empty under plain JSON.
    dates: Vec<String>,
}

impl Serialized {
    /// Serializes `value` for `transformer`. Decision 6: a value that fails to
    /// serialize fails its own call only.
    pub fn new<T: Serialize + ?Sized>(value: &T, transformer: Transformer) -> Result<Self, TrpcError> {
        let result = match transformer {
            Transformer::None => serde_json::to_string(value).map(|json| Self { json, dates: Vec::new() }),
            Transformer::Superjson => superjson::to_json_with_dates(value).map(|(json, dates)| Self { json, dates }),
        };
        result.map_err(|e| {
            TrpcError::internal("Output serialization failed").with_source(Arc::new(e) as crate::ErrorSource)
        })
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The superjson paths of the dates in the value (`""`: the value is one).
    pub fn dates(&self) -> &[String] {
        &self.dates
    }
}
