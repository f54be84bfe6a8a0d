//! Auth levels as procedure argument types: a procedure that takes [`Authed`]
//! cannot run without a signed-in caller, one that takes [`Admin`] without an
//! admin — the check lives in the type, not in each procedure.

use nextstack_trpc::{FromCtx, TrpcError};

use crate::app::AppState;
use crate::error::AppError;
use crate::middleware::request_id::RequestId;
use crate::rpc::ctx::Ctx;
use crate::rpc::identity::Caller;
use crate::services::viewer::Viewer;
use crate::wire::user::Role;

/// Anyone may call.
pub struct Public {
    /// The application.
    pub state: AppState,
}

/// Anyone may call; the caller is known when signed in.
pub struct MaybeUser {
    /// The application.
    pub state: AppState,
    /// The caller, if signed in.
    pub caller: Option<Caller>,
}

/// Only a signed-in caller (else `UNAUTHORIZED`).
pub struct Authed {
    /// The application.
    pub state: AppState,
    /// The caller.
    pub caller: Caller,
    /// The request id (for log lines about work that outlives an error, like storage removal).
    pub request_id: RequestId,
}

/// Only an admin (`UNAUTHORIZED` when anonymous, `FORBIDDEN` otherwise).
pub struct Admin {
    /// The application.
    pub state: AppState,
    /// The admin.
    pub caller: Caller,
}

impl Authed {
    /// True when the caller owns the row or is an admin (API.md `owner`).
    pub fn owns_or_admin(&self, owner_id: &str) -> bool {
        self.caller.user_id == owner_id || self.caller.role == Role::Admin
    }

    /// `FORBIDDEN` ("This {what} belongs to another user") unless [`Self::owns_or_admin`].
    pub fn ensure_owns(&self, owner_id: &str, what: &str) -> Result<(), AppError> {
        if self.owns_or_admin(owner_id) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("This {what} belongs to another user").into()))
        }
    }
}

fn signed_in(ctx: &Ctx) -> Result<Caller, TrpcError> {
    ctx.caller.clone().ok_or_else(|| AppError::Unauthorized("You must be signed in to do this".into()).into())
}

impl FromCtx<Ctx> for Public {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        Ok(Self { state: ctx.state.clone() })
    }
}

impl FromCtx<Ctx> for MaybeUser {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        Ok(Self { state: ctx.state.clone(), caller: ctx.caller.clone() })
    }
}

impl FromCtx<Ctx> for Authed {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        Ok(Self { state: ctx.state.clone(), caller: signed_in(ctx)?, request_id: ctx.request_id.clone() })
    }
}

impl FromCtx<Ctx> for Admin {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        let caller = signed_in(ctx)?;
        if caller.role != Role::Admin {
            return Err(AppError::Forbidden("Admin access required".into()).into());
        }
        Ok(Self { state: ctx.state.clone(), caller })
    }
}

impl MaybeUser {
    /// The caller as a [`Viewer`] of rows with visibility rules.
    pub fn viewer(&self) -> Viewer<'_> {
        match &self.caller {
            None => Viewer::Anonymous,
            Some(c) if c.role == Role::Admin => Viewer::Admin,
            Some(c) => Viewer::User(&c.user_id),
        }
    }
}
