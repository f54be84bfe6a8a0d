//! What a social sign-in does to the database, with BetterAuth's rules
//! (`handleOAuthUserInfo`, the callback's linking branch, `unlink-account`):
//! which user a provider account belongs to, when it may be linked to an
//! existing user, the `Account` rows as BetterAuth writes them, and the session.

use nextstack_entity::{account, now, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::error::AppError;
use crate::services::session::{self as sessions, NewSession};
use crate::services::{account as accounts, user as users};
use crate::social::{Profile, Tokens};

/// Why a provider account could not sign in or link; `code()` is BetterAuth's
/// `error` query value on the redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A user has this email, the provider does not vouch for it and is not trusted.
    AccountNotLinked,
    /// Linking: the provider does not vouch for the email and is not trusted.
    UnableToLinkAccount,
    /// Linking: the provider account's email is not the signed-in user's.
    EmailDoesntMatch,
    /// Linking: the provider account belongs to another user.
    LinkedToDifferentUser,
    /// The user is banned (BetterAuth's admin plugin).
    Banned,
}

impl Refusal {
    /// BetterAuth's error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::AccountNotLinked => "account_not_linked",
            Self::UnableToLinkAccount => "unable_to_link_account",
            Self::EmailDoesntMatch => "email_doesn't_match",
            Self::LinkedToDifferentUser => "account_already_linked_to_different_user",
            Self::Banned => "banned",
        }
    }
}

/// Who signed in.
#[derive(Debug)]
pub struct SignedIn {
    /// The user, as stored afterwards.
    pub user: user::Model,
    /// The new session.
    pub session: nextstack_entity::session::Model,
    /// True when the user was created by this sign-in (`newUserCallbackURL` applies).
    pub is_register: bool,
}

/// The rules a sign-in follows.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The provider is in `ACCOUNT_LINKING_TRUSTED_PROVIDERS`.
    pub trusted: bool,
    /// `ADMIN_EMAILS`.
    pub admin_emails: &'a [String],
    /// Production (decision 16: a listed address is an admin only once verified).
    pub production: bool,
}

fn token_columns(row: &mut account::ActiveModel, tokens: &Tokens) {
    // As BetterAuth's update: only what the provider sent this time is written.
    if let Some(v) = &tokens.access_token {
        row.access_token = Set(Some(v.clone()));
    }
    if let Some(v) = &tokens.refresh_token {
        row.refresh_token = Set(Some(v.clone()));
    }
    if let Some(v) = &tokens.id_token {
        row.id_token = Set(Some(v.clone()));
    }
    if let Some(v) = tokens.access_token_expires_at {
        row.access_token_expires_at = Set(Some(v));
    }
    if let Some(v) = tokens.refresh_token_expires_at {
        row.refresh_token_expires_at = Set(Some(v));
    }
    if let Some(v) = tokens.scope() {
        row.scope = Set(Some(v));
    }
}

async fn insert_account(
    db: &impl ConnectionTrait,
    user_id: &str,
    provider_id: &str,
    account_id: &str,
    tokens: &Tokens,
) -> Result<account::Model, AppError> {
    let mut row = accounts::blank_row(user_id, provider_id, account_id);
    token_columns(&mut row, tokens);
    Ok(row.insert(db).await?)
}

async fn update_tokens(db: &impl ConnectionTrait, existing: account::Model, tokens: &Tokens) -> Result<(), AppError> {
    let mut row: account::ActiveModel = existing.into();
    token_columns(&mut row, tokens);
    row.updated_at = Set(now());
    row.update(db).await?;
    Ok(())
}

/// The account row of a provider account, if linked to anyone.
async fn find_account(
    db: &impl ConnectionTrait,
    provider_id: &str,
    account_id: &str,
) -> Result<Option<account::Model>, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::ProviderId.eq(provider_id))
        .filter(account::Column::AccountId.eq(account_id))
        .one(db)
        .await?)
}

/// Marks the address verified when the provider vouches for this very address.
async fn adopt_verification(
    db: &impl ConnectionTrait,
    user: user::Model,
    profile_email: &str,
    rules: &Rules<'_>,
) -> Result<user::Model, AppError> {
    if user.email_verified || users::normalize_email(profile_email) != user.email {
        return Ok(user);
    }
    let Some(user) = users::mark_verified(db, &user.id, &user.email).await? else {
        return Err(AppError::not_found("User"));
    };
    accounts::promote_if_listed(db, user, rules.admin_emails).await
}

/// A provider's name and picture, held to the rules `update-user` applies:
/// a name of at most 100 UTF-16 units without NUL, an http(s) image URL of at
/// most 2048 characters (anything else is dropped).
fn cleaned(profile: &Profile) -> (Option<String>, Option<String>) {
    let name = profile.name.as_ref().map(|name| {
        let mut units = 0;
        name.chars()
            .filter(|c| *c != '\0')
            .take_while(|c| {
                units += c.len_utf16();
                units <= 100
            })
            .collect::<String>()
    });
    let image = profile.image.clone().filter(|image| {
        image.len() <= 2048 && url::Url::parse(image).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    });
    (name, image)
}

/// Signs a provider account in (BetterAuth's `handleOAuthUserInfo`): its
/// user, else the user with its email, else a new user; then a session. One
/// transaction: nothing is written when the sign-in is refused. Two first
/// sign-ins racing for one account or address: the loser's transaction hits
/// the unique index, and it tries once more, finding what the winner wrote.
///
/// Stricter than BetterAuth: a provider account joins an existing user only
/// when the provider vouches for the email (or is trusted) *and* that user has
/// proven the address. Otherwise whoever signed up first with someone else's
/// address and a password would share the account with its real owner once
/// the owner signs in with their provider (pre-account takeover).
pub async fn sign_in(
    db: &sea_orm::DatabaseConnection,
    provider_id: &str,
    profile: &Profile,
    email: &str,
    tokens: &Tokens,
    rules: Rules<'_>,
    session: NewSession,
) -> Result<Result<SignedIn, Refusal>, AppError> {
    let retry = NewSession { user_id: String::new(), ..session.clone() };
    match sign_in_once(db, provider_id, profile, email, tokens, &rules, session).await {
        Err(AppError::Conflict(_)) => sign_in_once(db, provider_id, profile, email, tokens, &rules, retry).await,
        other => other,
    }
}

async fn sign_in_once(
    db: &sea_orm::DatabaseConnection,
    provider_id: &str,
    profile: &Profile,
    email: &str,
    tokens: &Tokens,
    rules: &Rules<'_>,
    mut session: NewSession,
) -> Result<Result<SignedIn, Refusal>, AppError> {
    let txn = db.begin().await?;
    let linked = find_account(&txn, provider_id, &profile.id).await?;
    let (user, is_register) = match linked {
        Some(existing) => {
            let user = users::find(&txn, &existing.user_id).await?.ok_or(AppError::not_found("User"))?;
            update_tokens(&txn, existing, tokens).await?;
            let user = if profile.email_verified { adopt_verification(&txn, user, email, rules).await? } else { user };
            (user, false)
        }
        None => match users::find_by_email(&txn, email).await? {
            Some(user) => {
                let vouched = rules.trusted || profile.email_verified;
                if !vouched || !user.email_verified {
                    return Ok(Err(Refusal::AccountNotLinked));
                }
                insert_account(&txn, &user.id, provider_id, &profile.id, tokens).await?;
                (user, false)
            }
            None => {
                let (name, image) = cleaned(profile);
                let role = accounts::role_at_sign_up(email, rules.admin_emails, rules.production);
                let new = users::NewUser { email: email.to_string(), name, role };
                let created = users::create(&txn, new).await?;
                let mut row: user::ActiveModel = created.into();
                row.image = Set(image);
                row.email_verified = Set(profile.email_verified);
                let user = row.update(&txn).await?;
                insert_account(&txn, &user.id, provider_id, &profile.id, tokens).await?;
                let user = if user.email_verified {
                    accounts::promote_if_listed(&txn, user, rules.admin_emails).await?
                } else {
                    user
                };
                (user, true)
            }
        },
    };
    // The row as it is now, locked until the session is in: a ban landing meanwhile is seen or ends it.
    let current = user::Entity::find_by_id(user.id.clone()).lock_shared().one(&txn).await?;
    let current = current.ok_or(AppError::not_found("User"))?;
    if !crate::services::admin::may_sign_in(&txn, &current).await? {
        return Ok(Err(Refusal::Banned));
    }
    session.user_id = user.id.clone();
    let session = sessions::create(&txn, session).await?;
    txn.commit().await?;
    Ok(Ok(SignedIn { user, session, is_register }))
}

/// A provider account to add to a signed-in user.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    /// The user.
    pub user_id: &'a str,
    /// The user's email (when the flow started).
    pub user_email: &'a str,
    /// The provider.
    pub provider_id: &'a str,
    /// The provider account.
    pub profile: &'a Profile,
    /// Its tokens.
    pub tokens: &'a Tokens,
    /// The provider is in `ACCOUNT_LINKING_TRUSTED_PROVIDERS`.
    pub trusted: bool,
}

/// Links a provider account to the signed-in user who started `link-social`
/// (the callback's linking branch): the provider must vouch for the email or
/// be trusted, the email must be the user's (compared case-insensitively),
/// and the provider account must not belong to someone else. Linked again,
/// it just gets the new tokens.
pub async fn link(db: &sea_orm::DatabaseConnection, link: Link<'_>) -> Result<Result<(), Refusal>, AppError> {
    // A concurrent link of the same provider account: the second pass sees whose it is.
    match link_once(db, link).await {
        Err(AppError::Conflict(_)) => link_once(db, link).await,
        other => other,
    }
}

async fn link_once(db: &sea_orm::DatabaseConnection, link: Link<'_>) -> Result<Result<(), Refusal>, AppError> {
    let Link { user_id, user_email, provider_id, profile, tokens, trusted } = link;
    if !trusted && !profile.email_verified {
        return Ok(Err(Refusal::UnableToLinkAccount));
    }
    let same_email =
        profile.email.as_deref().is_some_and(|e| users::normalize_email(e) == users::normalize_email(user_email));
    if !same_email {
        return Ok(Err(Refusal::EmailDoesntMatch));
    }
    let txn = db.begin().await?;
    match find_account(&txn, provider_id, &profile.id).await? {
        Some(existing) if existing.user_id != user_id => return Ok(Err(Refusal::LinkedToDifferentUser)),
        Some(existing) => update_tokens(&txn, existing, tokens).await?,
        None => {
            if users::find(&txn, user_id).await?.is_none() {
                return Err(AppError::not_found("User"));
            }
            insert_account(&txn, user_id, provider_id, &profile.id, tokens).await?;
        }
    }
    txn.commit().await?;
    Ok(Ok(()))
}

/// A user's accounts, oldest first.
pub async fn list(db: &impl ConnectionTrait, user_id: &str) -> Result<Vec<account::Model>, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::UserId.eq(user_id))
        .order_by_asc(account::Column::CreatedAt)
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?)
}

/// Why an unlink was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum UnlinkRefusal {
    /// It is the user's only way to sign in.
    LastAccount,
    /// No such account.
    NotFound,
}

/// Removes one of a user's accounts (`providerId`, and `accountId` when
/// given), never the last: the user row is locked first, so two unlinks
/// racing for a user's last two accounts cannot both succeed.
pub async fn unlink(
    db: &sea_orm::DatabaseConnection,
    user_id: &str,
    provider_id: &str,
    account_id: Option<&str>,
) -> Result<Result<(), UnlinkRefusal>, AppError> {
    let txn = crate::db::begin_write(db).await?;
    let locked = user::Entity::find_by_id(user_id.to_string()).lock_exclusive().one(&txn).await?;
    if locked.is_none() {
        return Err(AppError::not_found("User"));
    }
    let all = list(&txn, user_id).await?;
    if all.len() <= 1 {
        return Ok(Err(UnlinkRefusal::LastAccount));
    }
    let Some(target) =
        all.iter().find(|a| a.provider_id == provider_id && account_id.is_none_or(|id| a.account_id == id))
    else {
        return Ok(Err(UnlinkRefusal::NotFound));
    };
    account::Entity::delete_many().filter(account::Column::Id.eq(target.id.clone())).exec(&txn).await?;
    txn.commit().await?;
    Ok(Ok(()))
}
