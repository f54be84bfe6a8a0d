//! `main.auth.*`: who the caller is, over tRPC.

use nextstack_entity::{session, user};
use serde::Serialize;
use ts_rs::TS;

use crate::app::AppState;
use crate::error::AppError;
use crate::rpc::auth::{Authed, MaybeUser};
use crate::rpc::identity::Caller;
use crate::services::{session as sessions, user as users};
use crate::wire::session::SessionInfo;
use crate::wire::user::UserBasic;

/// `main.auth.getMe` output.
#[derive(Debug, Serialize, TS)]
pub struct MeOutput {
    /// The signed-in user.
    pub user: UserBasic,
    /// The session of this request (no token).
    pub session: SessionInfo,
}

/// `main.auth.getSession` output: nulls and false when anonymous.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionOutput {
    /// The user, if signed in.
    pub user: Option<UserBasic>,
    /// The session, if signed in.
    pub session: Option<SessionInfo>,
    /// Whether a valid session came with the request.
    pub is_authenticated: bool,
}

/// The caller's user and session, in one query.
async fn load(state: &AppState, caller: &Caller) -> Result<(Option<user::Model>, Option<session::Model>), AppError> {
    match &caller.session_id {
        Some(id) => match sessions::find_with_user(&state.db, id).await? {
            Some((session, user)) => Ok((user, Some(session))),
            None => Ok((None, None)),
        },
        None => Ok((users::find(&state.db, &caller.user_id).await?, None)),
    }
}

/// `main.auth.getMe` (user): the caller and their session.
pub async fn get_me(ctx: Authed) -> Result<MeOutput, AppError> {
    match load(&ctx.state, &ctx.caller).await? {
        (Some(user), Some(session)) => Ok(MeOutput { user: user.into(), session: session.into() }),
        _ => Err(AppError::Unauthorized("You must be signed in to do this".into())),
    }
}

/// `main.auth.getSession` (optional): the caller and session, or nulls.
pub async fn get_session(ctx: MaybeUser) -> Result<SessionOutput, AppError> {
    let Some(caller) = &ctx.caller else {
        return Ok(SessionOutput { user: None, session: None, is_authenticated: false });
    };
    let (user, session) = load(&ctx.state, caller).await?;
    let is_authenticated = user.is_some() && session.is_some();
    Ok(SessionOutput { user: user.map(Into::into), session: session.map(Into::into), is_authenticated })
}
