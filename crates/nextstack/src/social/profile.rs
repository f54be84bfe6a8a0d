//! What a provider tells us after sign-in: the tokens, as BetterAuth stores
//! them in `Account`, and the user's profile, as BetterAuth maps it to `User`.

use chrono::NaiveDateTime;

/// The tokens of one sign-in (BetterAuth's `OAuth2Tokens`).
#[derive(Clone, Default)]
pub struct Tokens {
    /// `accessToken`.
    pub access_token: Option<String>,
    /// `refreshToken`.
    pub refresh_token: Option<String>,
    /// `idToken`: the raw JWT, as the provider sent it.
    pub id_token: Option<String>,
    /// `accessTokenExpiresAt`: now + `expires_in`.
    pub access_token_expires_at: Option<NaiveDateTime>,
    /// `refreshTokenExpiresAt`: now + `refresh_token_expires_in` (GitHub apps send it).
    pub refresh_token_expires_at: Option<NaiveDateTime>,
    /// The granted scopes, when a token response said (`None` for `idToken`
    /// sign-in). `Account.scope` is them joined with `,` (BetterAuth's
    /// `scopes.join(",")`): an empty string when the response named none.
    pub scopes: Option<Vec<String>>,
}

// Tokens are credentials: never printed, not even in debug output.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token.as_ref().map(|_| "[redacted]"))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("access_token_expires_at", &self.access_token_expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// The tokens of an OAuth 2.0 token response (BetterAuth's `getOAuth2Tokens`).
    pub fn from_response<R: oauth2::TokenResponse>(response: &R) -> Self {
        Self {
            access_token: Some(response.access_token().secret().clone()),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
            id_token: None,
            access_token_expires_at: response.expires_in().and_then(|d| expires_after(d.as_secs())),
            refresh_token_expires_at: None,
            scopes: Some(response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()).unwrap_or_default()),
        }
    }

    /// `Account.scope` as BetterAuth writes it.
    pub fn scope(&self) -> Option<String> {
        self.scopes.as_ref().map(|s| s.join(","))
    }
}

/// `now + seconds`, as BetterAuth's `getDate(expires_in)`.
pub fn expires_after(seconds: u64) -> Option<NaiveDateTime> {
    let seconds = i64::try_from(seconds).ok()?;
    nextstack_entity::now().checked_add_signed(chrono::Duration::try_seconds(seconds)?)
}

/// The user as the provider describes them (BetterAuth's `userInfo.user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The provider's user id (`Account.accountId`), as a string.
    pub id: String,
    /// The email, if the provider shared one.
    pub email: Option<String>,
    /// True only when the provider asserts the email is verified.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}
