//! The test-only way to act as a user: the `x-test-user-id` header names the
//! caller, whose role is read from the database; without the header the real
//! session (cookie or bearer) decides. It exists only in this test binary
//! (plugged in through `AppState::with_identity`); the server binary never
//! installs it, so it cannot be reached from outside.

use futures::future::BoxFuture;
use http::request::Parts;
use nextstack::app::AppState;
use nextstack::auth::session::SessionIdentity;
use nextstack::error::AppError;
use nextstack::rpc::identity::{Caller, IdentityResolver};
use nextstack_entity::user;
use sea_orm::EntityTrait;

/// Header naming the acting user in tests.
pub const TEST_USER_HEADER: &str = "x-test-user-id";

/// Resolves the caller from [`TEST_USER_HEADER`].
pub struct HeaderIdentity;

impl IdentityResolver for HeaderIdentity {
    fn resolve(&self, app: &AppState, parts: &Parts) -> BoxFuture<'static, Result<Option<Caller>, AppError>> {
        let id = parts.headers.get(TEST_USER_HEADER).and_then(|v| v.to_str().ok()).map(String::from);
        let Some(id) = id else { return SessionIdentity.resolve(app, parts) };
        let db = app.db.clone();
        Box::pin(async move {
            let found = user::Entity::find_by_id(id).one(&db).await?;
            Ok(found.map(|u| Caller { user_id: u.id, role: u.role.into(), session_id: None }))
        })
    }
}
