//! Sessions in BetterAuth's `Session` table: 32-character tokens, 7-day expiry,
//! refreshed once a day of use, checked against the database on every request.

use chrono::{Duration, NaiveDateTime};
use nextstack_entity::{now, session, user};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::AppError;

/// A session lives this long (`session.expiresIn`, 7 days).
pub const EXPIRES_IN: Duration = Duration::days(7);
/// A `rememberMe: false` session lives one day and is never refreshed.
pub const SHORT_EXPIRES_IN: Duration = Duration::days(1);
/// A session is extended once it is this old (`session.updateAge`, 1 day).
pub const UPDATE_AGE: Duration = Duration::days(1);

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The user.
    pub user_id: String,
    /// Client address, as the server sees it.
    pub ip_address: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// `rememberMe` (true unless the client said false).
    pub remember: bool,
}

/// A random session token: 32 alphanumerics, as BetterAuth's `generateId(32)`.
pub fn new_token() -> String {
    rand::rng().sample_iter(Alphanumeric).take(32).map(char::from).collect()
}

/// Opens a session.
pub async fn create(db: &impl ConnectionTrait, new: NewSession) -> Result<session::Model, AppError> {
    let at = now();
    let lifetime = if new.remember { EXPIRES_IN } else { SHORT_EXPIRES_IN };
    let row = session::ActiveModel {
        expires_at: Set(at + lifetime),
        token: Set(new_token()),
        ip_address: Set(new.ip_address),
        user_agent: Set(new.user_agent),
        user_id: Set(new.user_id),
        // Set here, not by the hook: the refresh rule measures the lifetime from it.
        created_at: Set(at),
        ..Default::default() // id and `updatedAt` by the entity's hook
    };
    Ok(row.insert(db).await?)
}

/// The live session with this token and its user. An expired session is
/// deleted on sight and treated as absent.
pub async fn find_valid(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(session::Model, user::Model)>, AppError> {
    let found = session::Entity::find()
        .filter(session::Column::Token.eq(token))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let Some((session, Some(user))) = found else { return Ok(None) };
    if session.expires_at <= now() {
        session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    Ok(Some((session, user)))
}

/// Who holds a live session: the few columns every authenticated request needs
/// (and the session cache keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHolder {
    /// The session's id.
    pub session_id: String,
    /// Its user.
    pub user_id: String,
    /// The user's role.
    pub role: nextstack_entity::Role,
    /// When the session expires.
    pub expires_at: NaiveDateTime,
    /// When it was created (the refresh rule measures its lifetime from here).
    pub created_at: NaiveDateTime,
}

impl SessionHolder {
    /// True when BetterAuth's refresh rule extends this session now: it has
    /// been in use for `updateAge` and is not a one-day `rememberMe: false` session.
    pub fn refresh_due(&self, at: NaiveDateTime) -> bool {
        !is_short(self.created_at, self.expires_at) && is_refresh_due(self.expires_at, at)
    }
}

/// The holder of the live session with this token, in one narrow query (the
/// per-request check of decision 7); an expired session is deleted on sight.
pub async fn find_holder(db: &impl ConnectionTrait, token: &str) -> Result<Option<SessionHolder>, AppError> {
    use sea_orm::{JoinType, QuerySelect, RelationTrait};
    type Row = (String, NaiveDateTime, NaiveDateTime, String, nextstack_entity::Role);
    let row: Option<Row> = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .column(session::Column::ExpiresAt)
        .column(session::Column::CreatedAt)
        .column(session::Column::UserId)
        .column_as(user::Column::Role, "role")
        .join(JoinType::InnerJoin, session::Relation::User.def())
        .filter(session::Column::Token.eq(token))
        .into_tuple()
        .one(db)
        .await?;
    let Some((session_id, expires_at, created_at, user_id, role)) = row else { return Ok(None) };
    if expires_at <= now() {
        session::Entity::delete_by_id(session_id).exec(db).await?;
        return Ok(None);
    }
    Ok(Some(SessionHolder { session_id, user_id, role, expires_at, created_at }))
}

/// Extends the session to a full lifetime from now, unless its expiry is no
/// longer `seen_expiry` (another request or process extended it first).
/// True when this call extended it.
pub async fn extend(db: &impl ConnectionTrait, id: &str, seen_expiry: NaiveDateTime) -> Result<bool, AppError> {
    use sea_orm::sea_query::Expr;
    let at = now();
    let result = session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(at + EXPIRES_IN))
        .col_expr(session::Column::UpdatedAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::ExpiresAt.eq(seen_expiry))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Extends a session that has been in use for a day (BetterAuth's refresh rule).
pub async fn refresh_if_due(db: &impl ConnectionTrait, session: session::Model) -> Result<session::Model, AppError> {
    let at = now();
    // A `rememberMe: false` session (one day long) is never extended, whatever
    // cookies the client keeps: bearer clients have no `dont_remember` cookie.
    if is_short(session.created_at, session.expires_at) || !is_refresh_due(session.expires_at, at) {
        return Ok(session);
    }
    let mut row: session::ActiveModel = session.into();
    row.expires_at = Set(at + EXPIRES_IN);
    Ok(row.update(db).await?)
}

/// A `rememberMe: false` session: one day long from its creation.
fn is_short(created_at: NaiveDateTime, expires_at: NaiveDateTime) -> bool {
    expires_at - created_at <= SHORT_EXPIRES_IN
}

fn is_refresh_due(expires_at: NaiveDateTime, at: NaiveDateTime) -> bool {
    expires_at - EXPIRES_IN + UPDATE_AGE <= at
}

/// A user's live sessions, newest first.
pub async fn list_live(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<session::Model>, AppError> {
    use sea_orm::QueryOrder;
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ExpiresAt.gt(now()))
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await?)
}

/// True while the session with this id exists and has not expired.
pub async fn is_live(db: &impl ConnectionTrait, id: &str) -> Result<bool, AppError> {
    use sea_orm::QuerySelect;
    let expires: Option<NaiveDateTime> = session::Entity::find_by_id(id.to_string())
        .select_only()
        .column(session::Column::ExpiresAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(expires.is_some_and(|at| at > now()))
}

/// When the session with this id was created (not refreshed), if it exists.
pub async fn created_at(db: &impl ConnectionTrait, id: &str) -> Result<Option<NaiveDateTime>, AppError> {
    use sea_orm::QuerySelect;
    Ok(session::Entity::find_by_id(id.to_string())
        .select_only()
        .column(session::Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?)
}

/// The session with this id (live or not) and its user, in one query.
pub async fn find_with_user(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<(session::Model, Option<user::Model>)>, AppError> {
    Ok(session::Entity::find_by_id(id.to_string()).find_also_related(user::Entity).one(db).await?)
}

/// The session with this id, live or not.
pub async fn find_by_id(db: &impl ConnectionTrait, id: &str) -> Result<Option<session::Model>, AppError> {
    Ok(session::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// The session with this token, live or not.
pub async fn find_by_token(db: &impl ConnectionTrait, token: &str) -> Result<Option<session::Model>, AppError> {
    Ok(session::Entity::find().filter(session::Column::Token.eq(token)).one(db).await?)
}

/// Ends all of a user's sessions, except the one with `keep` if given.
pub async fn delete_for_user(db: &impl ConnectionTrait, user_id: &str, keep: Option<&str>) -> Result<(), AppError> {
    let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(token) = keep {
        query = query.filter(session::Column::Token.ne(token));
    }
    query.exec(db).await?;
    Ok(())
}

/// Ends the session with this token (no error if it is already gone).
pub async fn delete_by_token(db: &impl ConnectionTrait, token: &str) -> Result<(), AppError> {
    session::Entity::delete_many().filter(session::Column::Token.eq(token)).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_alphanumerics() {
        let t = new_token();
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn refresh_is_due_after_a_day_of_use() {
        let t0 = now();
        let fresh = t0 + EXPIRES_IN;
        assert!(!is_refresh_due(fresh, t0 + Duration::hours(23)));
        assert!(is_refresh_due(fresh, t0 + Duration::hours(24)));
    }
}
