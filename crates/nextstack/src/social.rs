//! Social sign-in providers: building the authorization URL, exchanging the
//! code, and learning who signed in — Google and generic OpenID Connect
//! providers (ID tokens validated), GitHub and Discord (OAuth 2.0 plus their
//! APIs). What the server then does with a profile is `services::social`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::config::{ProviderKind, SocialConfig};

pub mod discord;
pub mod github;
pub mod oauth_app;
pub mod oidc;
pub mod profile;

pub use profile::{Profile, Tokens};

/// Why a provider step failed. The message is for the log (never a token);
/// the client sees BetterAuth's error code only.
#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    /// The provider could not be reached or described itself wrongly.
    #[error("provider {provider} unavailable: {reason}")]
    Unavailable {
        /// Provider id.
        provider: String,
        /// What went wrong.
        reason: String,
    },
    /// The token endpoint refused the code.
    #[error("provider {provider} refused the code: {reason}")]
    InvalidCode {
        /// Provider id.
        provider: String,
        /// What went wrong.
        reason: String,
    },
    /// The ID token failed validation.
    #[error("provider {provider} sent an invalid ID token: {reason}")]
    InvalidIdToken {
        /// Provider id.
        provider: String,
        /// What failed (signature, issuer, audience, expiry, nonce).
        reason: String,
    },
    /// The profile could not be read.
    #[error("provider {provider} profile unavailable: {reason}")]
    NoProfile {
        /// Provider id.
        provider: String,
        /// What went wrong.
        reason: String,
    },
}

impl SocialError {
    pub(crate) fn unavailable(provider: &str, reason: impl std::fmt::Display) -> Self {
        Self::Unavailable { provider: provider.into(), reason: reason.to_string() }
    }
    pub(crate) fn invalid_code(provider: &str, reason: impl std::fmt::Display) -> Self {
        Self::InvalidCode { provider: provider.into(), reason: reason.to_string() }
    }
    pub(crate) fn invalid_id_token(provider: &str, reason: &str) -> Self {
        Self::InvalidIdToken { provider: provider.into(), reason: reason.into() }
    }
    pub(crate) fn no_profile(provider: &str, reason: impl std::fmt::Display) -> Self {
        Self::NoProfile { provider: provider.into(), reason: reason.to_string() }
    }
}

/// Sends a provider API request and reads its JSON answer; any failure is `NoProfile`.
pub(crate) async fn fetch_json<T: serde::de::DeserializeOwned>(
    provider: &str,
    request: reqwest::RequestBuilder,
) -> Result<T, SocialError> {
    let failed = |e: reqwest::Error| SocialError::no_profile(provider, e);
    request.send().await.and_then(|r| r.error_for_status()).map_err(failed)?.json().await.map_err(failed)
}

/// What goes into an authorization URL.
#[derive(Debug)]
pub struct AuthorizationRequest<'a> {
    /// The state (also the `Verification` row's key).
    pub state: &'a str,
    /// The PKCE verifier (S256 challenge sent where the provider supports it).
    pub code_verifier: &'a str,
    /// The OIDC nonce (OpenID Connect providers only).
    pub nonce: Option<&'a str>,
    /// Scopes asked for on top of the provider's.
    pub scopes: &'a [String],
    /// `login_hint`.
    pub login_hint: Option<&'a str>,
    /// Where the provider sends the browser back.
    pub redirect_uri: &'a str,
}

/// One configured provider.
pub enum Provider {
    /// Google or a generic OpenID Connect provider.
    Oidc(Box<oidc::OidcProvider>),
    /// GitHub.
    GitHub(oauth_app::OAuthApp),
    /// Discord.
    Discord(oauth_app::OAuthApp),
}

impl Provider {
    /// True for generic OpenID Connect providers, whose callback is
    /// `/oauth2/callback/:id` as with BetterAuth's `genericOAuth` plugin (so
    /// redirect URIs registered for the TypeScript stack keep working).
    pub fn is_generic(&self) -> bool {
        matches!(self, Self::Oidc(p) if p.id() != "google")
    }

    /// True when the provider issues ID tokens (`nonce` and `idToken` sign-in apply).
    pub fn is_oidc(&self) -> bool {
        matches!(self, Self::Oidc(_))
    }

    /// The callback path below `/api/auth`.
    pub fn callback_path(&self, id: &str) -> String {
        if self.is_generic() { format!("/oauth2/callback/{id}") } else { format!("/callback/{id}") }
    }

    /// The authorization URL for a new flow.
    pub async fn authorization_url(
        &self,
        http: &reqwest::Client,
        request: &AuthorizationRequest<'_>,
    ) -> Result<url::Url, SocialError> {
        match self {
            Self::Oidc(p) => p.authorization_url(http, request).await,
            Self::GitHub(app) | Self::Discord(app) => app.authorization_url(request),
        }
    }

    /// The provider's authorization endpoint (without query), for the Expo proxy's check.
    pub async fn authorization_endpoint(&self, http: &reqwest::Client) -> Result<url::Url, SocialError> {
        let mut url = match self {
            Self::Oidc(p) => p.authorization_endpoint(http).await?,
            Self::GitHub(app) | Self::Discord(app) => app.authorization_endpoint()?,
        };
        url.set_query(None);
        url.set_fragment(None);
        Ok(url)
    }

    /// Exchanges the code and reads the profile.
    pub async fn finish(
        &self,
        http: &reqwest::Client,
        code: &str,
        code_verifier: &str,
        nonce: Option<&str>,
        redirect_uri: &str,
    ) -> Result<(Tokens, Profile), SocialError> {
        match self {
            Self::Oidc(p) => {
                let nonce = nonce.ok_or_else(|| SocialError::invalid_id_token(p.id(), "the flow has no nonce"))?;
                p.exchange(http, code, code_verifier, nonce, redirect_uri).await
            }
            Self::GitHub(app) => {
                let tokens = app.exchange(http, code, code_verifier, redirect_uri).await?;
                let profile = github::fetch_profile(http, tokens.access_token.as_deref().unwrap_or_default()).await?;
                Ok((tokens, profile))
            }
            Self::Discord(app) => {
                let tokens = app.exchange(http, code, code_verifier, redirect_uri).await?;
                let profile = discord::fetch_profile(http, tokens.access_token.as_deref().unwrap_or_default()).await?;
                Ok((tokens, profile))
            }
        }
    }
}

/// The configured providers, by id, and the HTTP client that talks to them.
pub struct Providers {
    by_id: BTreeMap<String, Provider>,
    http: reqwest::Client,
}

impl Providers {
    /// The providers `config` names.
    pub fn from_config(config: &SocialConfig) -> Self {
        let mut by_id = BTreeMap::new();
        for p in &config.providers {
            let first = p.client_ids[0].clone();
            let provider = match &p.kind {
                ProviderKind::Google => Provider::Oidc(Box::new(oidc::OidcProvider::google(
                    p.client_ids.clone(),
                    p.client_secret.clone(),
                    p.extra_scopes.clone(),
                ))),
                ProviderKind::Oidc { issuer } => Provider::Oidc(Box::new(oidc::OidcProvider::new(
                    p.id.clone(),
                    issuer.clone(),
                    p.client_ids.clone(),
                    p.client_secret.clone(),
                    p.extra_scopes.clone(),
                ))),
                ProviderKind::GitHub => Provider::GitHub(oauth_app::OAuthApp::new(
                    &github::ENDPOINTS,
                    first,
                    p.client_secret.clone(),
                    p.extra_scopes.clone(),
                )),
                ProviderKind::Discord => Provider::Discord(oauth_app::OAuthApp::new(
                    &discord::ENDPOINTS,
                    first,
                    p.client_secret.clone(),
                    p.extra_scopes.clone(),
                )),
            };
            by_id.insert(p.id.clone(), provider);
        }
        // No redirects (a provider's endpoint must not bounce the server elsewhere), and bounded waits.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("nextstack/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { by_id, http }
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.by_id.get(id)
    }

    /// Every provider.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Provider)> {
        self.by_id.iter().map(|(id, p)| (id.as_str(), p))
    }

    /// The client for provider requests.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}
