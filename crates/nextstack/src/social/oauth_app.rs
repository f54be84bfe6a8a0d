//! A plain OAuth 2.0 provider (GitHub, Discord) through the `oauth2` crate:
//! the authorization URL and the code exchange. What identifies the user is
//! read from the provider's API afterwards (github.rs, discord.rs).

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

use super::profile::Tokens;
use super::{AuthorizationRequest, SocialError};

/// One OAuth 2.0 application registered with a provider.
pub struct OAuthApp {
    pub(super) id: &'static str,
    client_id: String,
    secret: SecretString,
    auth_url: &'static str,
    token_url: &'static str,
    scopes: Vec<String>,
    /// Whether the provider supports PKCE (GitHub does since 2025; Discord documents none).
    pkce: bool,
    extra_params: &'static [(&'static str, &'static str)],
    login_param: Option<&'static str>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The endpoints and defaults of one provider.
pub struct Endpoints {
    /// The provider id.
    pub id: &'static str,
    /// Authorization endpoint.
    pub auth_url: &'static str,
    /// Token endpoint.
    pub token_url: &'static str,
    /// Scopes always requested (BetterAuth's defaults).
    pub scopes: &'static [&'static str],
    /// PKCE support.
    pub pkce: bool,
    /// Extra authorization parameters (BetterAuth's).
    pub extra_params: &'static [(&'static str, &'static str)],
    /// The parameter carrying `loginHint`, where the provider has one.
    pub login_param: Option<&'static str>,
}

impl OAuthApp {
    /// The application `client_id`/`secret` at `endpoints`, with `extra` scopes.
    pub fn new(endpoints: &Endpoints, client_id: String, secret: SecretString, extra: Vec<String>) -> Self {
        let mut scopes: Vec<String> = endpoints.scopes.iter().map(|s| s.to_string()).collect();
        scopes.extend(extra.into_iter().filter(|s| !endpoints.scopes.contains(&s.as_str())));
        Self {
            id: endpoints.id,
            client_id,
            secret,
            auth_url: endpoints.auth_url,
            token_url: endpoints.token_url,
            scopes,
            pkce: endpoints.pkce,
            extra_params: endpoints.extra_params,
            login_param: endpoints.login_param,
        }
    }

    fn client(&self, redirect_uri: &str) -> Result<Client, SocialError> {
        let bad = |e: oauth2::url::ParseError| SocialError::unavailable(self.id, e);
        Ok(BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.secret.expose_secret().to_string()))
            .set_auth_uri(AuthUrl::new(self.auth_url.to_string()).map_err(bad)?)
            .set_token_uri(TokenUrl::new(self.token_url.to_string()).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).map_err(bad)?)
            // As BetterAuth sends them: client id and secret in the form body.
            .set_auth_type(AuthType::RequestBody))
    }

    /// The provider's authorization URL.
    pub fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> Result<url::Url, SocialError> {
        let client = self.client(request.redirect_uri)?;
        let state = request.state.to_string();
        let mut builder = client.authorize_url(move || CsrfToken::new(state));
        for scope in self.scopes.iter().chain(request.scopes) {
            builder = builder.add_scope(Scope::new(scope.clone()));
        }
        if self.pkce {
            let verifier = PkceCodeVerifier::new(request.code_verifier.to_string());
            builder = builder.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
        }
        for (name, value) in self.extra_params {
            builder = builder.add_extra_param(*name, *value);
        }
        if let (Some(param), Some(hint)) = (self.login_param, request.login_hint) {
            builder = builder.add_extra_param(param, hint.to_string());
        }
        Ok(builder.url().0)
    }

    /// The authorization endpoint.
    pub fn authorization_endpoint(&self) -> Result<url::Url, SocialError> {
        url::Url::parse(self.auth_url).map_err(|e| SocialError::unavailable(self.id, e))
    }

    /// Exchanges the code for tokens.
    pub async fn exchange(
        &self,
        http: &reqwest::Client,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<Tokens, SocialError> {
        let client = self.client(redirect_uri)?;
        let mut request = client.exchange_code(AuthorizationCode::new(code.to_string()));
        if self.pkce {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(code_verifier.to_string()));
        }
        let response = request.request_async(http).await.map_err(|e| SocialError::invalid_code(self.id, e))?;
        Ok(Tokens::from_response(&response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::{discord, github};

    fn request<'a>(scopes: &'a [String]) -> AuthorizationRequest<'a> {
        AuthorizationRequest {
            state: "st4te",
            code_verifier: "0123456789012345678901234567890123456789abc",
            nonce: None,
            scopes,
            login_hint: None,
            redirect_uri: "https://api.example.com/api/auth/callback/github",
        }
    }

    fn params(url: &url::Url) -> std::collections::HashMap<String, String> {
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn github_authorization_urls_carry_better_auths_scopes_and_pkce() {
        let app = OAuthApp::new(&github::ENDPOINTS, "gh-id".into(), SecretString::from("s"), vec!["repo".into()]);
        let url = app.authorization_url(&request(&["gist".to_string()])).unwrap();
        assert_eq!(url.origin().ascii_serialization(), "https://github.com");
        assert_eq!(url.path(), "/login/oauth/authorize");
        let p = params(&url);
        assert_eq!(p["client_id"], "gh-id");
        assert_eq!(p["response_type"], "code");
        assert_eq!(p["state"], "st4te");
        assert_eq!(p["redirect_uri"], "https://api.example.com/api/auth/callback/github");
        assert_eq!(p["scope"], "read:user user:email repo gist");
        assert_eq!(p["code_challenge_method"], "S256");
        let expected = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            "0123456789012345678901234567890123456789abc".into(),
        ));
        assert_eq!(&p["code_challenge"], expected.as_str());
        assert!(!p.contains_key("client_secret"), "the secret never goes to the browser");
    }

    #[test]
    fn discord_authorization_urls_ask_no_consent_again_and_send_no_pkce() {
        let app = OAuthApp::new(&discord::ENDPOINTS, "dc-id".into(), SecretString::from("s"), vec![]);
        let url = app.authorization_url(&request(&[])).unwrap();
        assert_eq!(url.host_str(), Some("discord.com"));
        let p = params(&url);
        assert_eq!(p["scope"], "identify email");
        assert_eq!(p["prompt"], "none");
        assert!(!p.contains_key("code_challenge"));
    }
}
