//! What BetterAuth's `admin` plugin does to the database: listing users with
//! its search, filter and sort options, roles, bans (which end the user's
//! sessions at once and lift themselves at `banExpires`), and impersonation
//! sessions. The HTTP side is `auth/routes/admin.rs`.

use chrono::NaiveDateTime;
use nextstack_entity::{now, session, user};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::error::AppError;
use crate::services::pagination::{contains_pattern, prefix_pattern, suffix_pattern};
use crate::services::session::{self as sessions, NewSession};
use crate::wire::user::Role;

/// Impersonation sessions last an hour (the plugin's `impersonationSessionDuration`).
pub const IMPERSONATION_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// The plugin's `bannedUserMessage`.
pub const BANNED_MESSAGE: &str =
    "You have been banned from this application. Please contact support if you believe this is an error.";

/// A role as BetterAuth's admin plugin spells it on the wire.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Admin => "admin",
    }
}

/// The role a wire name stands for (`user`, `admin`); none for anything else.
pub fn parse_role(name: &str) -> Option<Role> {
    match name {
        "user" => Some(Role::User),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

/// Whether a user may sign in now. An expired ban is lifted on the way
/// (BetterAuth lifts it when the user next signs in) — only if it is still
/// that expired ban, so a newer one another admin just set stands.
pub async fn may_sign_in(db: &impl ConnectionTrait, user: &user::Model) -> Result<bool, AppError> {
    if !user.banned {
        return Ok(true);
    }
    match user.ban_expires {
        Some(until) if until <= now() => {
            let lifted = user::Entity::update_many()
                .col_expr(user::Column::Banned, Expr::value(false))
                .col_expr(user::Column::BanReason, Expr::value(Option::<String>::None))
                .col_expr(user::Column::BanExpires, Expr::value(Option::<NaiveDateTime>::None))
                .col_expr(user::Column::UpdatedAt, Expr::value(now()))
                .filter(user::Column::Id.eq(user.id.clone()))
                .filter(user::Column::Banned.eq(true))
                .filter(user::Column::BanExpires.lte(now()))
                .exec(db)
                .await?;
            Ok(lifted.rows_affected == 1)
        }
        _ => Ok(false),
    }
}

/// Opens a session unless its user is banned (`None`), deciding on the user
/// row as it is now: the row is locked for the check and the insert, so a ban
/// committing meanwhile either is seen here or deletes the new session after.
/// `impersonated_by` marks an admin's one-hour impersonation session.
pub async fn open_session(
    db: &sea_orm::DatabaseConnection,
    new: NewSession,
    impersonated_by: Option<&str>,
) -> Result<Option<session::Model>, AppError> {
    let txn = crate::db::begin_write(db).await?;
    let found = user::Entity::find_by_id(new.user_id.clone())
        .lock_shared()
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("User"))?;
    if !may_sign_in(&txn, &found).await? {
        return Ok(None);
    }
    let mut opened = sessions::create(&txn, new).await?;
    if let Some(admin_id) = impersonated_by {
        let mut row: session::ActiveModel = opened.into();
        row.impersonated_by = Set(Some(admin_id.to_string()));
        row.expires_at = Set(now() + IMPERSONATION_LIFETIME);
        opened = row.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(Some(opened))
}

/// Ends every impersonation that involves `user_id`: the sessions they opened
/// as others (an admin being banned, demoted or removed keeps none), and the
/// sessions others opened as them (a user being promoted must not hand an
/// admin's rights to whoever is impersonating them). Returns the ended
/// sessions' ids, for the session cache.
pub async fn end_impersonations(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<String>, AppError> {
    let involved = session::Column::ImpersonatedBy
        .eq(user_id)
        .or(session::Column::UserId.eq(user_id).and(session::Column::ImpersonatedBy.is_not_null()));
    let ids: Vec<String> = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(involved.clone())
        .into_tuple()
        .all(db)
        .await?;
    if !ids.is_empty() {
        session::Entity::delete_many().filter(session::Column::Id.is_in(ids.clone())).exec(db).await?;
    }
    Ok(ids)
}

/// Bans a user (`until`: when it lifts itself) and deletes their sessions and
/// the impersonations they hold, in one transaction; returns the user and the
/// impersonation sessions ended. The caller evicts them from the cache.
pub async fn ban(
    db: &sea_orm::DatabaseConnection,
    user_id: &str,
    reason: &str,
    until: Option<NaiveDateTime>,
) -> Result<(user::Model, Vec<String>), AppError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let found = user::Entity::find_by_id(user_id.to_string()).one(&txn).await?.ok_or(AppError::not_found("User"))?;
    let mut row: user::ActiveModel = found.into();
    row.banned = Set(true);
    row.ban_reason = Set(Some(reason.to_string()));
    row.ban_expires = Set(until);
    row.updated_at = Set(now());
    let user = row.update(&txn).await?;
    let ended = end_impersonations(&txn, user_id).await?;
    sessions::delete_for_user(&txn, user_id, None).await?;
    txn.commit().await?;
    Ok((user, ended))
}

/// Lifts a ban.
pub async fn unban(db: &impl ConnectionTrait, user_id: &str) -> Result<user::Model, AppError> {
    let found = user::Entity::find_by_id(user_id.to_string()).one(db).await?.ok_or(AppError::not_found("User"))?;
    let mut row: user::ActiveModel = found.into();
    row.banned = Set(false);
    row.ban_reason = Set(None);
    row.ban_expires = Set(None);
    row.updated_at = Set(now());
    Ok(row.update(db).await?)
}

/// Fields `list-users` may search, filter and sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `id`.
    Id,
    /// `email`.
    Email,
    /// `name`.
    Name,
    /// `role` (`user`/`admin`).
    Role,
    /// `emailVerified`.
    EmailVerified,
    /// `banned`.
    Banned,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
}

impl Field {
    /// The field a wire name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "email" => Self::Email,
            "name" => Self::Name,
            "role" => Self::Role,
            "emailVerified" => Self::EmailVerified,
            "banned" => Self::Banned,
            "createdAt" => Self::CreatedAt,
            "updatedAt" => Self::UpdatedAt,
            _ => return None,
        })
    }

    fn column(self) -> user::Column {
        match self {
            Self::Id => user::Column::Id,
            Self::Email => user::Column::Email,
            Self::Name => user::Column::Name,
            Self::Role => user::Column::Role,
            Self::EmailVerified => user::Column::EmailVerified,
            Self::Banned => user::Column::Banned,
            Self::CreatedAt => user::Column::CreatedAt,
            Self::UpdatedAt => user::Column::UpdatedAt,
        }
    }
}

/// How a text search matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    /// `contains`.
    Contains,
    /// `starts_with`.
    StartsWith,
    /// `ends_with`.
    EndsWith,
}

/// A filter comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
    /// `contains` (text fields).
    Contains,
}

/// A filter's value, typed for its field.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// Text (ids, email, name).
    Text(String),
    /// A role.
    Role(Role),
    /// A flag.
    Flag(bool),
    /// An instant.
    Time(NaiveDateTime),
}

/// `list-users`' options, already validated.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Search: field (email or name), how, and the text.
    pub search: Option<(Field, TextMatch, String)>,
    /// Filter: field, comparison, value.
    pub filter: Option<(Field, Compare, FilterValue)>,
    /// Sort field and ascending?
    pub sort: Option<(Field, bool)>,
    /// Page size.
    pub limit: Option<u64>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

fn text_like(field: Field, pattern: String) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col((user::Entity, field.column())))).like(LikeExpr::new(pattern).escape('\\'))
}

fn condition(field: Field, compare: Compare, value: &FilterValue) -> Option<SimpleExpr> {
    let col = Expr::col((user::Entity, field.column()));
    let value: sea_orm::Value = match value {
        FilterValue::Text(text) if compare == Compare::Contains => {
            return Some(text_like(field, contains_pattern(text)));
        }
        FilterValue::Text(text) => text.clone().into(),
        FilterValue::Role(role) => return role_condition(field, compare, *role),
        FilterValue::Flag(flag) => (*flag).into(),
        FilterValue::Time(at) => (*at).into(),
    };
    Some(match compare {
        Compare::Eq => col.eq(value),
        Compare::Ne => col.ne(value),
        Compare::Lt => col.lt(value),
        Compare::Lte => col.lte(value),
        Compare::Gt => col.gt(value),
        Compare::Gte => col.gte(value),
        Compare::Contains => return None,
    })
}

fn role_condition(field: Field, compare: Compare, role: Role) -> Option<SimpleExpr> {
    let column = field.column();
    match compare {
        Compare::Eq => Some(column.eq(role)),
        Compare::Ne => Some(column.ne(role)),
        _ => None,
    }
}

/// One page of users and the number matching, as `list-users` answers.
pub async fn list_users(db: &impl ConnectionTrait, query: &UserQuery) -> Result<(Vec<user::Model>, u64), AppError> {
    let mut select = user::Entity::find();
    if let Some((field, how, text)) = &query.search {
        let pattern = match how {
            TextMatch::Contains => contains_pattern(text),
            TextMatch::StartsWith => prefix_pattern(text),
            TextMatch::EndsWith => suffix_pattern(text),
        };
        select = select.filter(text_like(*field, pattern));
    }
    if let Some((field, compare, value)) = &query.filter {
        let Some(expr) = condition(*field, *compare, value) else {
            return Err(AppError::BadRequest("This filter operator does not apply to this field".into()));
        };
        select = select.filter(expr);
    }
    let total = select.clone().count(db).await?;
    let ordered = match query.sort {
        Some((field, ascending)) => {
            let order = if ascending { Order::Asc } else { Order::Desc };
            select.order_by(field.column(), order.clone()).order_by(user::Column::Id, order)
        }
        None => select.order_by_asc(user::Column::CreatedAt).order_by_asc(user::Column::Id),
    };
    // No limit asked: at most 1000 all the same.
    let users = ordered.offset(query.offset).limit(query.limit.unwrap_or(1000)).all(db).await?;
    Ok((users, total))
}

/// What `update-user` may change.
#[derive(Debug, Default)]
pub struct UserUpdate {
    /// Name.
    pub name: Option<Option<String>>,
    /// Email (lower-cased).
    pub email: Option<String>,
    /// Image URL.
    pub image: Option<Option<String>>,
    /// Verified flag.
    pub email_verified: Option<bool>,
    /// Role.
    pub role: Option<Role>,
}

/// Applies an admin's update; a taken email is `CONFLICT`.
pub async fn update_user(
    db: &impl ConnectionTrait,
    user_id: &str,
    update: UserUpdate,
) -> Result<user::Model, AppError> {
    let found = user::Entity::find_by_id(user_id.to_string()).one(db).await?.ok_or(AppError::not_found("User"))?;
    let mut row: user::ActiveModel = found.into();
    if let Some(name) = update.name {
        row.name = Set(name);
    }
    if let Some(email) = update.email {
        row.email = Set(crate::services::user::normalize_email(&email));
    }
    if let Some(image) = update.image {
        row.image = Set(image);
    }
    if let Some(verified) = update.email_verified {
        row.email_verified = Set(verified);
    }
    if let Some(role) = update.role {
        row.role = Set(role);
    }
    row.updated_at = Set(now());
    Ok(row.update(db).await?)
}

/// Every session of a user (impersonation sessions included), newest first.
pub async fn user_sessions(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<session::Model>, AppError> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await?)
}
