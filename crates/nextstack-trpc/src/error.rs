//! tRPC error codes and the error value every procedure failure becomes.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::StatusCode;
use serde_json::{Map, Value};

/// A tRPC error code: its key (`"NOT_FOUND"`), JSON-RPC number and HTTP status,
/// as tRPC 11 defines them (`rpc/codes.ts`, `http/getHTTPStatusCode.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Malformed JSON in the request.
    ParseError,
    /// Invalid input or request.
    BadRequest,
    /// No (valid) session.
    Unauthorized,
    /// Payment required.
    PaymentRequired,
    /// Signed in but not allowed.
    Forbidden,
    /// Unknown procedure or row.
    NotFound,
    /// Wrong HTTP method for the procedure type.
    MethodNotSupported,
    /// The client took too long.
    Timeout,
    /// A uniqueness or state conflict.
    Conflict,
    /// The row is not in a state that allows the operation.
    PreconditionFailed,
    /// The body is too large.
    PayloadTooLarge,
    /// Unsupported or missing content type.
    UnsupportedMediaType,
    /// Semantically invalid content.
    UnprocessableContent,
    /// Rate limited.
    TooManyRequests,
    /// The client went away.
    ClientClosedRequest,
    /// Anything unexpected.
    InternalServerError,
    /// Not implemented.
    NotImplemented,
    /// An upstream failed.
    BadGateway,
    /// A dependency (database, storage) is unavailable.
    ServiceUnavailable,
    /// An upstream timed out.
    GatewayTimeout,
}

impl ErrorCode {
    /// The key sent as `data.code`.
    pub fn key(self) -> &'static str {
        match self {
            Self::ParseError => "PARSE_ERROR",
            Self::BadRequest => "BAD_REQUEST",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::PaymentRequired => "PAYMENT_REQUIRED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotSupported => "METHOD_NOT_SUPPORTED",
            Self::Timeout => "TIMEOUT",
            Self::Conflict => "CONFLICT",
            Self::PreconditionFailed => "PRECONDITION_FAILED",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::UnprocessableContent => "UNPROCESSABLE_CONTENT",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::ClientClosedRequest => "CLIENT_CLOSED_REQUEST",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
            Self::NotImplemented => "NOT_IMPLEMENTED",
            Self::BadGateway => "BAD_GATEWAY",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::GatewayTimeout => "GATEWAY_TIMEOUT",
        }
    }

    /// The JSON-RPC 2.0 number sent as the error's `code`. The 5xx keys share -32603.
    pub fn json_rpc(self) -> i32 {
        match self {
            Self::ParseError => -32700,
            Self::BadRequest => -32600,
            Self::Unauthorized => -32001,
            Self::PaymentRequired => -32002,
            Self::Forbidden => -32003,
            Self::NotFound => -32004,
            Self::MethodNotSupported => -32005,
            Self::Timeout => -32008,
            Self::Conflict => -32009,
            Self::PreconditionFailed => -32012,
            Self::PayloadTooLarge => -32013,
            Self::UnsupportedMediaType => -32015,
            Self::UnprocessableContent => -32022,
            Self::TooManyRequests => -32029,
            Self::ClientClosedRequest => -32099,
            Self::InternalServerError
            | Self::NotImplemented
            | Self::BadGateway
            | Self::ServiceUnavailable
            | Self::GatewayTimeout => -32603,
        }
    }

    /// The HTTP status of a response carrying this error.
    pub fn http_status(self) -> StatusCode {
        let code = match self {
            Self::ParseError | Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::PaymentRequired => 402,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotSupported => 405,
            Self::Timeout => 408,
            Self::Conflict => 409,
            Self::PreconditionFailed => 412,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::UnprocessableContent => 422,
            Self::TooManyRequests => 429,
            Self::ClientClosedRequest => 499,
            Self::InternalServerError => 500,
            Self::NotImplemented => 501,
            Self::BadGateway => 502,
            Self::ServiceUnavailable => 503,
            Self::GatewayTimeout => 504,
        };
        StatusCode::from_u16(code).expect("every tRPC status is a valid HTTP status")
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The internal cause of an error: logged on the server, shown (as `data.stack`)
/// only when the engine is configured for development.
pub type ErrorSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A failed call: what the client sees (code, message, zod details) plus the
/// internal cause, which never leaves the server outside development.
#[derive(Debug, Clone)]
pub struct TrpcError {
    /// The tRPC code.
    pub code: ErrorCode,
    /// The message the client sees.
    pub message: Cow<'static, str>,
    /// `data.zodError` (`{formErrors, fieldErrors}`) for validation failures.
    pub zod_error: Option<Value>,
    /// The internal cause, for the log (and `data.stack` in development).
    pub source: Option<ErrorSource>,
}

impl TrpcError {
    /// An error with a code and a client-facing message.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { code, message: message.into(), zod_error: None, source: None }
    }

    /// Attaches the internal cause (logged, never sent outside development).
    pub fn with_source(mut self, source: impl Into<ErrorSource>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// `BAD_REQUEST` with a message.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// `NOT_FOUND` with a message.
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// `INTERNAL_SERVER_ERROR` with a message.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InternalServerError, message)
    }

    /// The error chain as text, for `data.stack` and the log.
    pub fn chain(&self) -> String {
        let mut out = format!("TRPCError: {}", self.message);
        let mut next: Option<&(dyn std::error::Error + 'static)> =
            self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static));
        while let Some(err) = next {
            out.push_str("\n    caused by: ");
            out.push_str(&err.to_string());
            next = err.source();
        }
        out
    }

    /// The tRPC error shape (`getErrorShape`): `{message, code, data:{code, httpStatus, stack?, path?, zodError?}}`.
    pub fn shape(&self, path: Option<&str>, include_stack: bool) -> Value {
        let mut data = Map::new();
        data.insert("code".into(), self.code.key().into());
        data.insert("httpStatus".into(), self.code.http_status().as_u16().into());
        if include_stack {
            data.insert("stack".into(), self.chain().into());
        }
        if let Some(path) = path {
            data.insert("path".into(), path.into());
        }
        if let Some(zod) = &self.zod_error {
            data.insert("zodError".into(), zod.clone());
        }
        let mut shape = Map::new();
        shape.insert("message".into(), Value::String(self.message.to_string()));
        shape.insert("code".into(), self.code.json_rpc().into());
        shape.insert("data".into(), Value::Object(data));
        Value::Object(shape)
    }
}

impl fmt::Display for TrpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for TrpcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_orders_fields_like_trpc() {
        let err = TrpcError::not_found("nope");
        let shape = err.shape(Some("a.b"), false);
        assert_eq!(
            serde_json::to_string(&shape).unwrap(),
            r#"{"message":"nope","code":-32004,"data":{"code":"NOT_FOUND","httpStatus":404,"path":"a.b"}}"#
        );
    }

    #[test]
    fn server_errors_share_one_json_rpc_number() {
        for code in [ErrorCode::NotImplemented, ErrorCode::BadGateway, ErrorCode::GatewayTimeout] {
            assert_eq!(code.json_rpc(), -32603);
        }
        assert_eq!(ErrorCode::GatewayTimeout.http_status(), 504);
    }
}
