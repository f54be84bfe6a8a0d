//! Credential accounts (`Account` with `providerId = "credential"`), where BetterAuth keeps password hashes.

use nextstack_entity::{account, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::AppError;
use crate::services::user as users;
use crate::wire::user::Role;

/// BetterAuth's provider id for email + password.
pub const CREDENTIAL: &str = "credential";

/// A new `Account` row with no credentials yet (id and timestamps by the entity's hook).
pub(crate) fn blank_row(user_id: &str, provider_id: &str, account_id: &str) -> account::ActiveModel {
    account::ActiveModel {
        account_id: Set(account_id.to_string()),
        provider_id: Set(provider_id.to_string()),
        user_id: Set(user_id.to_string()),
        access_token: Set(None),
        refresh_token: Set(None),
        id_token: Set(None),
        access_token_expires_at: Set(None),
        refresh_token_expires_at: Set(None),
        scope: Set(None),
        password: Set(None),
        ..Default::default()
    }
}

/// Stores a user's password hash (`accountId` is the user id, as BetterAuth does).
pub async fn create_credential(db: &impl ConnectionTrait, user_id: &str, hash: String) -> Result<(), AppError> {
    let mut row = blank_row(user_id, CREDENTIAL, user_id);
    row.password = Set(Some(hash));
    row.insert(db).await?;
    Ok(())
}

/// The stored password hash of a user, if they have a credential account.
pub async fn password_hash(db: &impl ConnectionTrait, user_id: &str) -> Result<Option<String>, AppError> {
    let found = account::Entity::find()
        .filter(account::Column::UserId.eq(user_id))
        .filter(account::Column::ProviderId.eq(CREDENTIAL))
        .one(db)
        .await?;
    Ok(found.and_then(|a| a.password))
}

/// Replaces the password hash of a user's credential account; false when there is none.
pub async fn set_password_hash(db: &impl ConnectionTrait, user_id: &str, hash: String) -> Result<bool, AppError> {
    use sea_orm::sea_query::Expr;
    let result = account::Entity::update_many()
        .col_expr(account::Column::Password, Expr::value(hash))
        .col_expr(account::Column::UpdatedAt, Expr::value(now()))
        .filter(account::Column::UserId.eq(user_id))
        .filter(account::Column::ProviderId.eq(CREDENTIAL))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Decision 16: a verified address listed in `ADMIN_EMAILS` makes its user an
/// admin (in production this is the only way the list grants the role: the
/// address must be proven first). Returns the user as stored.
pub async fn promote_if_listed(
    db: &impl ConnectionTrait,
    user: nextstack_entity::user::Model,
    admin_emails: &[String],
) -> Result<nextstack_entity::user::Model, AppError> {
    let listed = admin_emails.contains(&user.email);
    if !user.email_verified || !listed || user.role == Role::Admin {
        return Ok(user);
    }
    tracing::info!(user_id = %user.id, "verified address is in ADMIN_EMAILS: promoted to ADMIN");
    users::set_role(db, user, Role::Admin).await
}

/// A session younger than this may do what needs proof of identity without a
/// password (BetterAuth's `freshAge`, one hour in NextStack).
pub const FRESH_AGE: chrono::Duration = chrono::Duration::hours(1);

/// Why a step that needs proof of identity was refused.
#[derive(Debug)]
pub enum Reauth {
    /// A password was sent, but the user has none (social sign-in only).
    NoCredential,
    /// The password is wrong.
    InvalidPassword,
    /// No password, and the session is older than [`FRESH_AGE`].
    NotFresh,
    /// The check itself failed.
    Failed(AppError),
}

impl From<AppError> for Reauth {
    fn from(err: AppError) -> Self {
        Self::Failed(err)
    }
}

/// Decision 19: deleting one's account (or another step an attacker with a
/// stolen cookie must not take) needs the password, or a session created —
/// not merely refreshed — within the hour.
pub async fn confirm_identity(
    db: &impl ConnectionTrait,
    hasher: &crate::auth::password::PasswordHasher,
    user_id: &str,
    session_created_at: chrono::NaiveDateTime,
    password: Option<String>,
) -> Result<(), Reauth> {
    match password {
        Some(password) => {
            let stored = password_hash(db, user_id).await?;
            if stored.is_none() {
                return Err(Reauth::NoCredential);
            }
            if !hasher.verify(password, stored).await? {
                return Err(Reauth::InvalidPassword);
            }
            Ok(())
        }
        None if nextstack_entity::now() - session_created_at < FRESH_AGE => Ok(()),
        None => Err(Reauth::NotFresh),
    }
}

/// A deleted account: the user as it was, and the storage keys of its objects
/// (queued in `StorageRemoval`, to remove now that the deletion committed).
#[derive(Debug)]
pub struct DeletedAccount {
    /// The user row before deletion.
    pub user: nextstack_entity::user::Model,
    /// Objects to remove from storage.
    pub storage_keys: Vec<String>,
}

/// Deletes a user and, by the schema's cascades, everything they own — in one
/// transaction, so it happens entirely or not at all (issue 12). The user's
/// offerings are locked first: an order being placed on one waits, then finds
/// it gone; one placed before is seen here and refuses the deletion
/// (`PRECONDITION_FAILED`: the schema keeps orders). Storage is not touched
/// here: the keys of the user's objects are queued in `StorageRemoval` in the
/// same transaction, for the caller to remove after the commit and the sweep
/// to finish.
pub async fn delete_account(db: &sea_orm::DatabaseConnection, user_id: &str) -> Result<DeletedAccount, AppError> {
    use nextstack_entity::{FileStatus, file, offering, order, storage_removal, user};
    use sea_orm::{EntityTrait, ExprTrait, PaginatorTrait, QuerySelect};

    let txn = crate::db::begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id.to_string())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("User"))?;
    let offerings: Vec<String> = offering::Entity::find()
        .select_only()
        .column(offering::Column::Id)
        .filter(offering::Column::SellerId.eq(user_id))
        .lock_exclusive()
        .into_tuple()
        .all(&txn)
        .await?;
    if !offerings.is_empty() {
        let sold = order::Entity::find().filter(order::Column::OfferingId.is_in(offerings)).count(&txn).await?;
        if sold > 0 {
            return Err(AppError::PreconditionFailed(
                "This user's offerings have orders; they cannot be deleted with the account".into(),
            ));
        }
    }
    // Every object the user may have: live files, and deleted ones whose removal is still owed.
    let storage_keys: Vec<String> = file::Entity::find()
        .select_only()
        .column(file::Column::StorageKey)
        .filter(file::Column::UserId.eq(user_id))
        .filter(file::Column::Status.ne(FileStatus::Deleted).or(file::Column::Url.is_not_null()))
        .into_tuple()
        .all(&txn)
        .await?;
    if !storage_keys.is_empty() {
        let at = nextstack_entity::now();
        let queued = storage_keys
            .iter()
            .map(|key| storage_removal::ActiveModel { storage_key: Set(key.clone()), created_at: Set(at) });
        storage_removal::Entity::insert_many(queued).exec_without_returning(&txn).await?;
    }
    user::Entity::delete_by_id(user_id.to_string()).exec(&txn).await?;
    txn.commit().await?;
    Ok(DeletedAccount { user, storage_keys })
}

/// An account to open with a password (BetterAuth sign-up, `nextstack create-admin`).
#[derive(Debug)]
pub struct Registration {
    /// Email (stored trimmed and lower-cased).
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Image URL.
    pub image: Option<String>,
    /// The password, already hashed (BetterAuth's scrypt format).
    pub password_hash: String,
    /// Role.
    pub role: Role,
}

/// The role an address gets at sign-up (decision 16): outside production a
/// listed `ADMIN_EMAILS` address is an admin at once, so a local setup needs no
/// mail; in production only once verified ([`promote_if_listed`]).
pub fn role_at_sign_up(email: &str, admin_emails: &[String], production: bool) -> Role {
    let listed = admin_emails.iter().any(|listed| *listed == users::normalize_email(email));
    if listed && !production { Role::Admin } else { Role::User }
}

/// Opens an account in one transaction: the user, its credential account and,
/// when `session` is given, a session (its `user_id` is set to the new user's). A taken email is `CONFLICT` (decided by
/// the unique index, so two sign-ups racing for one address cannot both win).
pub async fn register(
    db: &sea_orm::DatabaseConnection,
    registration: Registration,
    session: Option<crate::services::session::NewSession>,
) -> Result<(nextstack_entity::user::Model, Option<nextstack_entity::session::Model>), AppError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let new = users::NewUser { email: registration.email, name: registration.name, role: registration.role };
    let mut user = users::create(&txn, new).await?;
    if let Some(image) = registration.image {
        user = users::set_image(&txn, user, image).await?;
    }
    create_credential(&txn, &user.id, registration.password_hash).await?;
    let session = match session {
        Some(mut new) => {
            new.user_id = user.id.clone();
            Some(crate::services::session::create(&txn, new).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok((user, session))
}

/// What [`make_admin`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminChange {
    /// A new admin account.
    Created(String),
    /// An existing user, now admin with the new password.
    Promoted(String),
}

/// `nextstack create-admin`: makes `email` an admin with this password,
/// creating the account or promoting the existing one, in one transaction.
pub async fn make_admin(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    password_hash: String,
) -> Result<AdminChange, AppError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let change = match users::find_by_email(&txn, email).await? {
        Some(user) => {
            let email = user.email.clone();
            let id = user.id.clone();
            let mut row: nextstack_entity::user::ActiveModel = users::set_role(&txn, user, Role::Admin).await?.into();
            // The recovery path: a banned admin is let back in.
            row.banned = Set(false);
            row.ban_reason = Set(None);
            row.ban_expires = Set(None);
            row.update(&txn).await?;
            if !set_password_hash(&txn, &id, password_hash.clone()).await? {
                create_credential(&txn, &id, password_hash).await?;
            }
            AdminChange::Promoted(email)
        }
        None => {
            let new = users::NewUser { email: email.to_string(), name: None, role: Role::Admin };
            let user = users::create(&txn, new).await?;
            create_credential(&txn, &user.id, password_hash).await?;
            AdminChange::Created(user.email)
        }
    };
    txn.commit().await?;
    Ok(change)
}
