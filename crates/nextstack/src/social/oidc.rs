//! OpenID Connect providers (Google and any `OIDC_<NAME>_*`), through the
//! `openidconnect` crate: discovery, the authorization URL with PKCE and a
//! nonce, the code exchange, and ID-token validation — signature against the
//! provider's JWKS, issuer, audience, expiry and nonce. BetterAuth 1.3 only
//! decodes the ID token it gets from the token endpoint; this is stricter.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreIdToken, CoreIdTokenClaims, CoreIdTokenVerifier,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::RwLock;

use super::profile::{Profile, Tokens};
use super::{AuthorizationRequest, SocialError};

/// Provider metadata (and its keys) is read again after this long, so key rotations are picked up.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// A token signed by a key we do not have triggers a re-read, at most this often.
const REFRESH_FLOOR: Duration = Duration::from_secs(30);

/// Google's issuer; its ID tokens may name it without the scheme.
const GOOGLE_ISSUER: &str = "https://accounts.google.com";

struct Cached {
    metadata: CoreProviderMetadata,
    fetched: Instant,
}

/// One OpenID Connect provider.
pub struct OidcProvider {
    id: String,
    issuer: String,
    client_ids: Vec<String>,
    secret: SecretString,
    scopes: Vec<String>,
    google: bool,
    metadata: RwLock<Option<Cached>>,
}

impl OidcProvider {
    /// A provider found at `issuer` by discovery (on first use, so the server starts while it is down).
    pub fn new(id: String, issuer: String, client_ids: Vec<String>, secret: SecretString, extra: Vec<String>) -> Self {
        let google = issuer == GOOGLE_ISSUER;
        let mut scopes: Vec<String> = ["openid", "email", "profile"].map(String::from).to_vec();
        scopes.extend(extra.into_iter().filter(|s| !["openid", "email", "profile"].contains(&s.as_str())));
        Self { id, issuer, client_ids, secret, scopes, google, metadata: RwLock::new(None) }
    }

    /// Google (`GOOGLE_CLIENT_ID`/`_SECRET`), found at its public issuer.
    pub fn google(client_ids: Vec<String>, secret: SecretString, extra: Vec<String>) -> Self {
        Self::new("google".into(), GOOGLE_ISSUER.into(), client_ids, secret, extra)
    }

    async fn metadata(&self, http: &reqwest::Client, force: bool) -> Result<CoreProviderMetadata, SocialError> {
        if let Some(cached) = self.metadata.read().await.as_ref() {
            let age = cached.fetched.elapsed();
            if age < METADATA_TTL && !(force && age >= REFRESH_FLOOR) {
                return Ok(cached.metadata.clone());
            }
        }
        let mut slot = self.metadata.write().await;
        // Another request may have read it while this one waited.
        if let Some(cached) = slot.as_ref() {
            let age = cached.fetched.elapsed();
            if age < REFRESH_FLOOR || (!force && age < METADATA_TTL) {
                return Ok(cached.metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(self.issuer.clone()).map_err(|e| SocialError::unavailable(&self.id, e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| SocialError::unavailable(&self.id, e))?;
        *slot = Some(Cached { metadata: metadata.clone(), fetched: Instant::now() });
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SocialError,
    > {
        // Basic is the spec's default; use the body only when the provider supports nothing else.
        let auth_type = match metadata.token_endpoint_auth_methods_supported() {
            Some(methods)
                if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| SocialError::unavailable(&self.id, e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.client_ids[0].clone()),
            Some(ClientSecret::new(self.secret.expose_secret().to_string())),
        )
        .set_auth_type(auth_type)
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL (PKCE S256 and a nonce, always).
    pub async fn authorization_url(
        &self,
        http: &reqwest::Client,
        request: &AuthorizationRequest<'_>,
    ) -> Result<url::Url, SocialError> {
        let client = self.client(self.metadata(http, false).await?, request.redirect_uri)?;
        let state = request.state.to_string();
        let nonce = request.nonce.unwrap_or_default().to_string();
        let challenge =
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(request.code_verifier.to_string()));
        let mut builder = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes.iter().chain(request.scopes).filter(|s| s.as_str() != "openid") {
            builder = builder.add_scope(Scope::new(scope.clone()));
        }
        if let Some(hint) = request.login_hint {
            builder = builder.set_login_hint(openidconnect::LoginHint::new(hint.to_string()));
        }
        if self.google {
            // As BetterAuth's Google provider: keep scopes granted before.
            builder = builder.add_extra_param("include_granted_scopes", "true");
        }
        Ok(builder.url().0)
    }

    /// Exchanges the code (with the PKCE verifier) and validates the ID token
    /// against the flow's nonce; the profile comes from the validated claims,
    /// or from the userinfo endpoint when the ID token carries no email.
    pub async fn exchange(
        &self,
        http: &reqwest::Client,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> Result<(Tokens, Profile), SocialError> {
        let metadata = self.metadata(http, false).await?;
        let client = self.client(metadata, redirect_uri)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SocialError::unavailable(&self.id, e))?
            .set_pkce_verifier(PkceCodeVerifier::new(code_verifier.to_string()))
            .request_async(http)
            .await
            .map_err(|e| SocialError::invalid_code(&self.id, e))?;
        let id_token = response.id_token().ok_or_else(|| SocialError::invalid_id_token(&self.id, "no id_token"))?;
        let raw = id_token.to_string();
        let expected = Nonce::new(nonce.to_string());
        let claims = self.verified(http, &raw, |v, t| t.claims(v, &expected).cloned(), &self.client_ids[..1]).await?;
        let mut profile = profile_of(&claims);
        if profile.email.is_none()
            && let Ok(request) = client.user_info(response.access_token().clone(), Some(claims.subject().clone()))
        {
            // The userinfo answer must be about the same subject (the crate checks `sub`).
            let answer: Result<CoreUserInfoClaims, _> = request.request_async(http).await;
            match answer {
                Ok(info) => {
                    profile.email = info.email().map(|e| e.as_str().to_string());
                    profile.email_verified = info.email_verified().unwrap_or(false);
                    profile.name =
                        profile.name.or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
                }
                Err(err) => tracing::warn!(provider = %self.id, error = %err, "userinfo request failed"),
            }
        }
        let tokens = Tokens { id_token: Some(raw), ..Tokens::from_response(&response) };
        Ok((tokens, profile))
    }

    /// Validates an ID token a native app obtained itself (`idToken` sign-in):
    /// any configured client id may be its audience; `nonce`, when the app
    /// sent one, must match the token's, and a token that carries a nonce
    /// needs the app to send it.
    pub async fn verify_id_token(
        &self,
        http: &reqwest::Client,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<(Profile, Option<String>, i64), SocialError> {
        let claims = self
            .verified(
                http,
                token,
                |v, t| {
                    t.claims(v, |found: Option<&Nonce>| match (found, nonce) {
                        (None, None) => Ok(()),
                        (Some(found), Some(sent)) if found.secret() == sent => Ok(()),
                        _ => Err("nonce mismatch".to_string()),
                    })
                    .cloned()
                },
                &self.client_ids,
            )
            .await?;
        let nonce = claims.nonce().map(|n| n.secret().clone());
        Ok((profile_of(&claims), nonce, claims.expiration().timestamp()))
    }

    /// Runs `check` with a verifier per accepted audience; on a signature
    /// failure the keys are read again once (the provider may have rotated them).
    async fn verified<F>(
        &self,
        http: &reqwest::Client,
        raw: &str,
        check: F,
        audiences: &[String],
    ) -> Result<CoreIdTokenClaims, SocialError>
    where
        F: Fn(
            &CoreIdTokenVerifier<'_>,
            &CoreIdToken,
        ) -> Result<CoreIdTokenClaims, openidconnect::ClaimsVerificationError>,
    {
        let token: CoreIdToken =
            raw.parse().map_err(|_| SocialError::invalid_id_token(&self.id, "not a signed JWT"))?;
        let mut last = None;
        for force in [false, true] {
            let metadata = self.metadata(http, force).await?;
            let issuer = metadata.issuer().clone();
            // Asymmetric algorithms only, as the provider lists them: an HMAC
            // "signature" would be checked with the client secret, which a
            // native app's audience does not share.
            let algs: Vec<CoreJwsSigningAlgorithm> = metadata
                .id_token_signing_alg_values_supported()
                .iter()
                .filter(|alg| {
                    !matches!(
                        alg,
                        CoreJwsSigningAlgorithm::HmacSha256
                            | CoreJwsSigningAlgorithm::HmacSha384
                            | CoreJwsSigningAlgorithm::HmacSha512
                            | CoreJwsSigningAlgorithm::None
                    )
                })
                .cloned()
                .collect();
            for audience in audiences {
                let verifier = CoreIdTokenVerifier::new_public_client(
                    ClientId::new(audience.clone()),
                    issuer.clone(),
                    metadata.jwks().clone(),
                )
                .set_allowed_algs(algs.clone())
                // Google's older tokens say `accounts.google.com`; checked below instead.
                .require_issuer_match(!self.google);
                match check(&verifier, &token) {
                    Ok(claims) => {
                        let iss = claims.issuer().as_str();
                        if self.google && iss != GOOGLE_ISSUER && iss != "accounts.google.com" {
                            return Err(SocialError::invalid_id_token(&self.id, "issuer mismatch"));
                        }
                        return Ok(claims);
                    }
                    Err(err) => last = Some(err),
                }
            }
            // Only a key we do not have is worth reading the provider's keys again for.
            let unknown_key = matches!(
                last,
                Some(openidconnect::ClaimsVerificationError::SignatureVerification(
                    openidconnect::SignatureVerificationError::NoMatchingKey
                ))
            );
            if !unknown_key {
                break;
            }
        }
        let reason = last.map(|e| e.to_string()).unwrap_or_else(|| "no audience configured".into());
        Err(SocialError::invalid_id_token(&self.id, &reason))
    }

    /// The authorization endpoint discovery named.
    pub async fn authorization_endpoint(&self, http: &reqwest::Client) -> Result<url::Url, SocialError> {
        Ok(self.metadata(http, false).await?.authorization_endpoint().url().clone())
    }

    /// The id clients name.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn profile_of(claims: &CoreIdTokenClaims) -> Profile {
    Profile {
        id: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        image: claims.picture().and_then(|p| p.get(None)).map(|p| p.to_string()),
    }
}
