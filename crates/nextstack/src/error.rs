//! The one error type of the request path, its one mapping to tRPC codes, and
//! its rendering for plain HTTP routes.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use nextstack_trpc::validation::{Issue, issues_error};
use nextstack_trpc::{ErrorCode, TrpcError};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong in a way the input types could not catch.
    #[error("{0}")]
    BadRequest(Cow<'static, str>),
    /// No valid session.
    #[error("{0}")]
    Unauthorized(Cow<'static, str>),
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(Cow<'static, str>),
    /// The named thing does not exist (or is hidden from the caller).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for (`"User"`).
        entity: &'static str,
    },
    /// A uniqueness or state conflict.
    #[error("{0}")]
    Conflict(Cow<'static, str>),
    /// The row is not in a state that allows the operation.
    #[error("{0}")]
    PreconditionFailed(Cow<'static, str>),
    /// The caller has used up an allowance (uploads waiting, open streams).
    #[error("{0}")]
    TooManyRequests(Cow<'static, str>),
    /// A body the procedure reads itself went past the request body limit.
    #[error("{0}")]
    PayloadTooLarge(Cow<'static, str>),
    /// The database (or another dependency) cannot be reached.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything unexpected.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// One input field breaks a rule only the server can check (a configured limit):
    /// reported like a validation error, with `zodError.fieldErrors[field]`.
    #[error("{message}")]
    InvalidField {
        /// The input field (wire name).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An unexpected database error.
    #[error("database error")]
    Db(#[source] DbErr),
}

impl AppError {
    /// `NOT_FOUND` for an entity.
    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    /// The tRPC code (and so the HTTP status) of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) | Self::InvalidField { .. } => ErrorCode::BadRequest,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::PreconditionFailed(_) => ErrorCode::PreconditionFailed,
            Self::TooManyRequests(_) => ErrorCode::TooManyRequests,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) | Self::Db(_) => ErrorCode::InternalServerError,
        }
    }

    /// The message a client may see: never internals (decision 4).
    pub fn public_message(&self) -> Cow<'static, str> {
        match self {
            Self::Unavailable(_) => "The service is temporarily unavailable, please retry".into(),
            Self::Internal(_) | Self::Db(_) => "An unexpected error occurred".into(),
            other => other.to_string().into(),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::Conflict("A record with this value already exists".into());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::PreconditionFailed("Other records still depend on this one".into());
            }
            _ if is_foreign_key_violation(&err) => {
                return Self::PreconditionFailed("Other records still depend on this one".into());
            }
            _ => {}
        }
        match err {
            DbErr::RecordNotFound(_) => Self::NotFound { entity: "Record" },
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(err.into()),
            DbErr::Exec(RuntimeErr::SqlxError(ref e)) | DbErr::Query(RuntimeErr::SqlxError(ref e))
                if is_connection_error(e) =>
            {
                Self::Unavailable(err.into())
            }
            other => Self::Db(other),
        }
    }
}

/// A foreign key refused the write. sea-orm recognises SQLite's code 787 only;
/// an `ON DELETE RESTRICT` refusal arrives as 1811 (`SQLITE_CONSTRAINT_TRIGGER`).
pub fn is_foreign_key_violation(err: &DbErr) -> bool {
    if matches!(err.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) {
        return true;
    }
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            e.as_database_error().is_some_and(|db| matches!(db.code().as_deref(), Some("787" | "1811" | "23503")))
        }
        _ => false,
    }
}

fn is_connection_error(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as E;
    matches!(err, E::Io(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Tls(_))
}

impl From<AppError> for TrpcError {
    fn from(err: AppError) -> Self {
        if let AppError::InvalidField { field, message } = err {
            let mut issue = Issue::new("custom", message, serde_json::Value::Null);
            issue.path = vec![field.into()];
            return issues_error(vec![issue]);
        }
        let code = err.code();
        let message = err.public_message();
        let internal = matches!(err, AppError::Internal(_) | AppError::Db(_) | AppError::Unavailable(_));
        let trpc = TrpcError::new(code, message);
        if internal { trpc.with_source(Arc::new(err) as nextstack_trpc::ErrorSource) } else { trpc }
    }
}

/// The one error body of every plain HTTP answer (not tRPC, not BetterAuth):
/// `{error, message, requestId, timestamp}`, plus any named extra fields.
#[derive(Debug)]
pub struct HttpError {
    status: http::StatusCode,
    error: &'static str,
    message: Cow<'static, str>,
    extra: Vec<(&'static str, serde_json::Value)>,
}

impl HttpError {
    /// An error with its status, short name (`"Payload too large"`) and message.
    pub fn new(status: http::StatusCode, error: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, error, message: message.into(), extra: Vec::new() }
    }

    /// Adds a field after the four common ones (`retryAfter`, `availableEndpoints`).
    pub fn with(mut self, key: &'static str, value: serde_json::Value) -> Self {
        self.extra.push((key, value));
        self
    }

    /// The response, JSON, for the request with `request_id`.
    pub fn render(self, request_id: &str) -> Response {
        let mut body = serde_json::Map::with_capacity(4 + self.extra.len());
        body.insert("error".into(), self.error.into());
        body.insert("message".into(), self.message.into_owned().into());
        body.insert("requestId".into(), request_id.into());
        body.insert("timestamp".into(), crate::wire::time::now_iso().into());
        for (key, value) in self.extra {
            body.insert(key.into(), value);
        }
        (self.status, Json(serde_json::Value::Object(body))).into_response()
    }
}
