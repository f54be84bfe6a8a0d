//! BetterAuth's error responses (better-call `APIError`): `{code, message}`
//! with the code derived from the message, or an empty body.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::error::AppError;

/// An `/api/auth` failure.
#[derive(Debug)]
pub enum AuthError {
    /// `{code, message}` with a status.
    Api {
        /// HTTP status.
        status: StatusCode,
        /// The message; the code is derived from it.
        message: &'static str,
    },
    /// `{code, message}` with an explicit code (better-call's schema errors).
    Coded {
        /// HTTP status.
        status: StatusCode,
        /// The code.
        code: &'static str,
        /// The message.
        message: &'static str,
    },
    /// `{code, message}` with a message made at run time (the code derived from it).
    Dynamic {
        /// HTTP status.
        status: StatusCode,
        /// The message.
        message: String,
    },
    /// A status with an empty body (better-call's `APIError` without a body).
    Empty(StatusCode),
    /// A server-side failure (logged once by the logging layer).
    Internal(AppError),
}

impl AuthError {
    /// `{code, message}` with the code derived from the message.
    pub const fn api(status: StatusCode, message: &'static str) -> Self {
        Self::Api { status, message }
    }
}

/// better-call's rule: upper-case, spaces to `_`, drop everything else.
pub fn code_of(message: &str) -> String {
    message.to_uppercase().replace(' ', "_").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

impl From<AppError> for AuthError {
    fn from(err: AppError) -> Self {
        Self::Internal(err)
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        match self {
            Self::Api { status, message } => {
                (status, Json(json!({ "code": code_of(message), "message": message }))).into_response()
            }
            Self::Dynamic { status, message } => {
                (status, Json(json!({ "code": code_of(&message), "message": message }))).into_response()
            }
            Self::Coded { status, code, message } => {
                (status, Json(json!({ "code": code, "message": message }))).into_response()
            }
            Self::Empty(status) => status.into_response(),
            // better-call's shape for a thrown APIError: `{code, message}`; never the cause.
            Self::Internal(err) => {
                let status = err.code().http_status();
                let body = json!({ "code": err.code().key(), "message": err.public_message() });
                let mut response = (status, Json(body)).into_response();
                if status.is_server_error() {
                    // The logging middleware records the cause once, with the request id.
                    response.extensions_mut().insert(crate::middleware::logging::ErrorCause(std::sync::Arc::new(err)));
                }
                response
            }
        }
    }
}

/// The messages (and so codes) BetterAuth 1.3 uses.
pub mod messages {
    use super::AuthError;
    use http::StatusCode;

    /// 400 `VALIDATION_ERROR`.
    pub const VALIDATION: AuthError = AuthError::Coded {
        status: StatusCode::BAD_REQUEST,
        code: "VALIDATION_ERROR",
        message: "Invalid body parameters",
    };
    /// 400 `INVALID_EMAIL`.
    pub const INVALID_EMAIL: AuthError = AuthError::Api { status: StatusCode::BAD_REQUEST, message: "Invalid email" };
    /// 400 `PASSWORD_TOO_SHORT`.
    pub const PASSWORD_TOO_SHORT: AuthError =
        AuthError::Api { status: StatusCode::BAD_REQUEST, message: "Password too short" };
    /// 400 `PASSWORD_TOO_LONG`.
    pub const PASSWORD_TOO_LONG: AuthError =
        AuthError::Api { status: StatusCode::BAD_REQUEST, message: "Password too long" };
    /// 422 `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`.
    pub const USER_EXISTS: AuthError =
        AuthError::Api { status: StatusCode::UNPROCESSABLE_ENTITY, message: "User already exists. Use another email." };
    /// 401 `INVALID_EMAIL_OR_PASSWORD`.
    pub const INVALID_CREDENTIALS: AuthError =
        AuthError::Api { status: StatusCode::UNAUTHORIZED, message: "Invalid email or password" };
    /// 400 `FAILED_TO_GET_SESSION`.
    pub const NO_SESSION: AuthError =
        AuthError::Api { status: StatusCode::BAD_REQUEST, message: "Failed to get session" };
    /// 403 `INVALID_ORIGIN`.
    pub const INVALID_ORIGIN: AuthError = AuthError::Api { status: StatusCode::FORBIDDEN, message: "Invalid origin" };
    /// 415: `/api/auth` takes JSON bodies only (a cross-site form can send `text/plain` unpreflighted).
    pub const UNSUPPORTED_MEDIA_TYPE: AuthError = AuthError::Coded {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "Content-Type must be application/json",
    };
    /// 400: a name outside 1..100 characters (the limit `core.user.update` has).
    pub const NAME_LENGTH: AuthError = AuthError::Coded {
        status: StatusCode::BAD_REQUEST,
        code: "VALIDATION_ERROR",
        message: "Name must be between 1 and 100 characters",
    };
    /// 400: an image that is not an http(s) URL of at most 2048 characters.
    pub const INVALID_IMAGE: AuthError = AuthError::Coded {
        status: StatusCode::BAD_REQUEST,
        code: "VALIDATION_ERROR",
        message: "Image must be an http(s) URL of at most 2048 characters",
    };
    /// 404 `PROVIDER_NOT_FOUND`.
    pub const PROVIDER_NOT_FOUND: AuthError =
        AuthError::Api { status: StatusCode::NOT_FOUND, message: "Provider not found" };
    /// 404 `ID_TOKEN_NOT_SUPPORTED`.
    pub const ID_TOKEN_NOT_SUPPORTED: AuthError =
        AuthError::Api { status: StatusCode::NOT_FOUND, message: "id_token not supported" };
    /// 401 `INVALID_TOKEN`.
    pub const INVALID_TOKEN: AuthError = AuthError::Api { status: StatusCode::UNAUTHORIZED, message: "Invalid token" };
    /// 401 `USER_EMAIL_NOT_FOUND`.
    pub const USER_EMAIL_NOT_FOUND: AuthError =
        AuthError::Api { status: StatusCode::UNAUTHORIZED, message: "User email not found" };
    /// 400 `YOU_CANT_UNLINK_YOUR_LAST_ACCOUNT` (BetterAuth's `FAILED_TO_UNLINK_LAST_ACCOUNT`; better-call derives the code from the message).
    pub const UNLINK_LAST_ACCOUNT: AuthError =
        AuthError::Api { status: StatusCode::BAD_REQUEST, message: "You can't unlink your last account" };
    /// 400 `ACCOUNT_NOT_FOUND`.
    pub const ACCOUNT_NOT_FOUND: AuthError =
        AuthError::Api { status: StatusCode::BAD_REQUEST, message: "Account not found" };
    /// 403 `SESSION_IS_NOT_FRESH`.
    pub const SESSION_NOT_FRESH: AuthError =
        AuthError::Api { status: StatusCode::FORBIDDEN, message: "Session is not fresh" };
    /// 403 `BANNED_USER` (BetterAuth's admin plugin, with its default message).
    pub const BANNED_USER: AuthError = AuthError::Coded {
        status: StatusCode::FORBIDDEN,
        code: "BANNED_USER",
        message: crate::services::admin::BANNED_MESSAGE,
    };
    /// 403 `INVALID_CALLBACKURL`.
    pub const INVALID_CALLBACK_URL: AuthError =
        AuthError::Api { status: StatusCode::FORBIDDEN, message: "Invalid callbackURL" };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_derive_from_messages_like_better_call() {
        assert_eq!(code_of("User already exists. Use another email."), "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
        assert_eq!(code_of("Invalid email or password"), "INVALID_EMAIL_OR_PASSWORD");
        assert_eq!(code_of("Invalid callbackURL"), "INVALID_CALLBACKURL");
    }
}
