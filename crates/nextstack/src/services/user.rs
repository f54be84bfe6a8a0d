//! Users: create, look up, list.

use nextstack_entity::{now, user};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, Select, Set, SqlErr,
};

use crate::error::AppError;
use crate::services::pagination::{self, Page, PageRequest, contains_pattern};
use crate::wire::user::{Role, UserBasic, UserCounts, UserWithCounts};

/// A user to create (no credentials: BetterAuth sign-up adds those).
#[derive(Debug)]
pub struct NewUser {
    /// Email; trimmed and lower-cased here, as BetterAuth stores it.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Role.
    pub role: Role,
}

/// Email as stored: trimmed and lower-cased, so lookups and the unique index agree.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Inserts a user; a taken email is `CONFLICT` (decided by the unique index, not a racy pre-check).
pub async fn create(db: &impl ConnectionTrait, new: NewUser) -> Result<user::Model, AppError> {
    let row = user::ActiveModel {
        email: Set(normalize_email(&new.email)),
        name: Set(new.name),
        email_verified: Set(false),
        image: Set(None),
        role: Set(new.role),
        points: Set(0),
        level_id: Set(None),
        avatar_file_id: Set(None),
        ..Default::default() // id and timestamps by the entity's hook
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("A user with this email already exists".into())
        }
        _ => e.into(),
    })
}

/// What `update` may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    /// New email.
    pub email: Option<String>,
    /// New name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// New image (`Some(None)` clears it).
    pub image: Option<Option<String>>,
    /// New role.
    pub role: Option<Role>,
}

/// A user and their level, in one query.
pub async fn find_with_level(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<(user::Model, Option<nextstack_entity::level::Model>)>, AppError> {
    Ok(user::Entity::find_by_id(id.to_string()).find_also_related(nextstack_entity::level::Entity).one(db).await?)
}

/// Applies changes to a user; a taken email is `CONFLICT`, an unknown id `NOT_FOUND`.
/// A new email is unverified (decision 19), and the links mailed to the old one are void.
/// Without an email, one `UPDATE` (no read first).
pub async fn update(db: &impl ConnectionTrait, id: &str, changes: UserChanges) -> Result<(), AppError> {
    let mut update = user::Entity::update_many().filter(user::Column::Id.eq(id));
    if let Some(email) = changes.email.as_deref().map(normalize_email) {
        let current = user::Entity::find_by_id(id.to_string()).one(db).await?.ok_or(AppError::not_found("User"))?;
        if email != current.email {
            update = update
                .col_expr(user::Column::Email, Expr::value(email))
                .col_expr(user::Column::EmailVerified, Expr::value(false));
            revoke_address_links(db, id).await?;
        }
    }
    if let Some(name) = changes.name {
        update = update.col_expr(user::Column::Name, Expr::value(name));
    }
    if let Some(image) = changes.image {
        update = update.col_expr(user::Column::Image, Expr::value(image));
    }
    if let Some(role) = changes.role {
        update = update.col_expr(user::Column::Role, sea_orm::ActiveEnum::as_enum(&role));
    }
    let result =
        update.col_expr(user::Column::UpdatedAt, Expr::value(now())).exec(db).await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("A user with this email already exists".into())
            }
            _ => e.into(),
        })?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found("User"));
    }
    Ok(())
}

/// Changes a user's name and/or image (BetterAuth `update-user`).
pub async fn update_profile(
    db: &impl ConnectionTrait,
    user: user::Model,
    name: Option<String>,
    image: Option<Option<String>>,
) -> Result<user::Model, AppError> {
    let mut row: user::ActiveModel = user.into();
    if let Some(name) = name {
        row.name = Set(Some(name));
    }
    if let Some(image) = image {
        row.image = Set(image);
    }
    Ok(row.update(db).await?)
}

/// Voids every link mailed about a user's address (verification, email change, password reset).
async fn revoke_address_links(db: &impl ConnectionTrait, id: &str) -> Result<(), AppError> {
    use crate::services::verification::{Purpose, revoke};
    revoke(db, Purpose::VerifyEmail, id).await?;
    revoke(db, Purpose::ResetPassword, id).await
}

/// Marks a user's email verified if it is still `email` (the address the link
/// was sent to); `None` when the user is gone or their address changed since.
pub async fn mark_verified(db: &impl ConnectionTrait, id: &str, email: &str) -> Result<Option<user::Model>, AppError> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::EmailVerified, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::Email.eq(email))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find(db, id).await
}

/// Replaces a user's email with `to`, proven by the link just opened: verified.
/// Only while the address is still `from`; a taken `to` is `CONFLICT`. Every
/// other outstanding link about the address is void afterwards.
pub async fn change_email(
    db: &impl ConnectionTrait,
    id: &str,
    from: &str,
    to: &str,
) -> Result<Option<user::Model>, AppError> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(normalize_email(to)))
        .col_expr(user::Column::EmailVerified, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::Email.eq(from))
        .exec(db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("A user with this email already exists".into())
            }
            _ => e.into(),
        })?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    revoke_address_links(db, id).await?;
    find(db, id).await
}

/// A user by id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find_by_id(id.to_string()).one(db).await?)
}

/// Sets a user's role.
pub async fn set_role(db: &impl ConnectionTrait, user: user::Model, role: Role) -> Result<user::Model, AppError> {
    let mut row: user::ActiveModel = user.into();
    row.role = Set(role);
    Ok(row.update(db).await?)
}

/// Sets a user's image URL.
pub async fn set_image(db: &impl ConnectionTrait, user: user::Model, image: String) -> Result<user::Model, AppError> {
    let mut row: user::ActiveModel = user.into();
    row.image = Set(Some(image));
    Ok(row.update(db).await?)
}

/// The user with this email, if any.
pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(normalize_email(email))).one(db).await?)
}

/// The id of the user with this email, if any.
pub async fn find_id_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<String>, AppError> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Email.eq(normalize_email(email)))
        .into_tuple::<String>()
        .one(db)
        .await?)
}

/// A user with the counts of what they own, in one query.
pub async fn find_with_counts(db: &impl ConnectionTrait, id: &str) -> Result<Option<UserWithCounts>, AppError> {
    let row = with_counts(user::Entity::find_by_id(id.to_string())).into_model::<UserWithCountsRow>().one(db).await?;
    Ok(row.map(|r| UserWithCounts { user: r.user.into(), count: r.counts }))
}

/// Adds correlated `COUNT(*)` columns for posts, orders and profiles.
fn with_counts(select: Select<user::Entity>) -> Select<user::Entity> {
    select
        .column_as(Expr::cust(r#"(SELECT COUNT(*) FROM "Post" WHERE "Post"."authorId" = "User"."id")"#), "_count_posts")
        .column_as(
            Expr::cust(r#"(SELECT COUNT(*) FROM "Order" WHERE "Order"."buyerId" = "User"."id")"#),
            "_count_orders",
        )
        .column_as(
            Expr::cust(r#"(SELECT COUNT(*) FROM "Profile" WHERE "Profile"."userId" = "User"."id")"#),
            "_count_profiles",
        )
}

struct UserWithCountsRow {
    user: user::Model,
    counts: UserCounts,
}

impl FromQueryResult for UserWithCountsRow {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            user: user::Model::from_query_result(res, pre)?,
            counts: UserCounts {
                posts: res.try_get(pre, "_count_posts")?,
                orders: res.try_get(pre, "_count_orders")?,
                profiles: res.try_get(pre, "_count_profiles")?,
            },
        })
    }
}

/// A page of users, newest first (`createdAt` desc, then `id` desc), optionally
/// those whose name or email contains `search` (case-insensitive).
pub async fn list(
    db: &impl ConnectionTrait,
    page: PageRequest,
    search: Option<&str>,
) -> Result<Page<UserBasic>, AppError> {
    let mut select = user::Entity::find();
    if let Some(search) = search {
        let pattern = contains_pattern(search);
        let matches = |col: user::Column| {
            Expr::expr(Func::lower(Expr::col((user::Entity, col)))).like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(matches(user::Column::Name).or(matches(user::Column::Email)));
    }
    let ordered = select.order_by_desc(user::Column::CreatedAt).order_by_desc(user::Column::Id);
    pagination::fetch(db, ordered, page, UserBasic::from).await
}
