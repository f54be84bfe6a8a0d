//! Who is calling: a seam between the tRPC context and whatever identifies
//! callers (BetterAuth sessions today, see `auth::session::SessionIdentity`).

use futures::future::BoxFuture;
use http::request::Parts;

use crate::app::AppState;
use crate::error::AppError;
use crate::wire::user::Role;

/// The signed-in caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: String,
    /// The user's role, read from the database for this request.
    pub role: Role,
    /// The session the request came with (`None` for identities without one).
    pub session_id: Option<String>,
}

/// Resolves the caller of a request, if any.
pub trait IdentityResolver: Send + Sync + 'static {
    /// `Ok(None)` for an anonymous request. Reads what it needs from `parts`
    /// before returning, so the future owns its data and the request head is
    /// never copied.
    fn resolve(&self, app: &AppState, parts: &Parts) -> BoxFuture<'static, Result<Option<Caller>, AppError>>;
}
