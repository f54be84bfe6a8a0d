//! Social sign-in providers (`GOOGLE_*`, `GITHUB_*`, `DISCORD_*`, and any
//! number of `OIDC_<NAME>_*` OpenID Connect providers), and BetterAuth's
//! `accountLinking.trustedProviders` (`ACCOUNT_LINKING_TRUSTED_PROVIDERS`).

use secrecy::SecretString;

use super::ConfigError;
use super::parse::{Vars, invalid};

/// What protocol a provider speaks, and so how the server talks to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// Google: OpenID Connect at `https://accounts.google.com`.
    Google,
    /// GitHub: OAuth 2.0 plus its REST API for the profile and verified emails.
    GitHub,
    /// Discord: OAuth 2.0 plus its `users/@me` API.
    Discord,
    /// Any OpenID Connect provider, found by discovery at its issuer.
    Oidc {
        /// The issuer URL (`/.well-known/openid-configuration` is read below it).
        issuer: String,
    },
}

/// One configured provider.
#[derive(Clone)]
pub struct ProviderConfig {
    /// The id clients name (`google`, `github`, `discord`, or the lower-cased `<NAME>` of `OIDC_<NAME>_*`).
    pub id: String,
    /// The protocol.
    pub kind: ProviderKind,
    /// Client ids: the first is the web client's; all are accepted as the
    /// audience of an ID token sent to `idToken` sign-in (native apps have
    /// their own client ids, as BetterAuth's `clientId` array allows).
    pub client_ids: Vec<String>,
    /// The client secret (never logged).
    pub client_secret: SecretString,
    /// Scopes requested besides the provider's defaults (`<P>_SCOPES`, space- or comma-separated).
    pub extra_scopes: Vec<String>,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("client_ids", &self.client_ids)
            .field("client_secret", &"[redacted]")
            .field("extra_scopes", &self.extra_scopes)
            .finish()
    }
}

/// Social sign-in settings.
#[derive(Debug, Clone, Default)]
pub struct SocialConfig {
    /// The configured providers, in a stable order.
    pub providers: Vec<ProviderConfig>,
    /// `ACCOUNT_LINKING_TRUSTED_PROVIDERS`: provider ids whose accounts link to
    /// an existing user with the same email even when the provider does not
    /// say the email is verified.
    pub trusted_providers: Vec<String>,
}

fn list(value: &str) -> Vec<String> {
    value.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// Reads one provider from `<prefix>_CLIENT_ID` / `_CLIENT_SECRET` / `_SCOPES`;
/// none when neither id nor secret is set, an error when only one is.
fn provider(
    vars: &Vars,
    prefix: &str,
    id: String,
    kind: ProviderKind,
    names: [&'static str; 2],
) -> Result<Option<ProviderConfig>, ConfigError> {
    let [id_var, secret_var] = names;
    let client_id = vars.get(&format!("{prefix}_CLIENT_ID")).map(list);
    let secret = vars.get(&format!("{prefix}_CLIENT_SECRET")).map(String::from);
    match (client_id, secret) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(invalid(secret_var, "is required when the client id is set".into())),
        (None, Some(_)) => Err(invalid(id_var, "is required when the client secret is set".into())),
        (Some(ids), Some(_)) if ids.is_empty() => Err(invalid(id_var, "names no client id".into())),
        (Some(client_ids), Some(secret)) => Ok(Some(ProviderConfig {
            id,
            kind,
            client_ids,
            client_secret: SecretString::from(secret),
            extra_scopes: vars.get(&format!("{prefix}_SCOPES")).map(list).unwrap_or_default(),
        })),
    }
}

/// A variable name with a `'static` lifetime, for error messages about `OIDC_<NAME>_*`.
fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

pub(super) fn social(vars: &Vars) -> Result<SocialConfig, ConfigError> {
    let mut providers = Vec::new();
    let builtin = [
        ("GOOGLE", "google", ProviderKind::Google),
        ("GITHUB", "github", ProviderKind::GitHub),
        ("DISCORD", "discord", ProviderKind::Discord),
    ];
    for (prefix, id, kind) in builtin {
        let names = [leak(format!("{prefix}_CLIENT_ID")), leak(format!("{prefix}_CLIENT_SECRET"))];
        providers.extend(provider(vars, prefix, id.to_string(), kind, names)?);
    }
    // Every `OIDC_<NAME>_ISSUER` names one generic provider, as genericOAuth's `config` entries.
    let mut names: Vec<String> = vars
        .names()
        .filter_map(|k| k.strip_prefix("OIDC_")?.strip_suffix("_ISSUER").map(String::from))
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    for name in names {
        let prefix = format!("OIDC_{name}");
        let issuer_var = leak(format!("{prefix}_ISSUER"));
        let id = name.to_ascii_lowercase().replace('_', "-");
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(invalid(issuer_var, "the provider name may hold only letters, digits and _".into()));
        }
        if ["google", "github", "discord"].contains(&id.as_str()) {
            return Err(invalid(issuer_var, format!("{id:?} is a built-in provider's id; choose another name")));
        }
        // Kept exactly as given: discovery compares the issuer string, and
        // Auth0's and Authentik's end in `/`.
        let issuer = vars.get(issuer_var).unwrap_or_default().to_string();
        if !url::Url::parse(&issuer).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some()) {
            return Err(invalid(issuer_var, format!("{issuer:?} is not an http(s) URL")));
        }
        let names = [leak(format!("{prefix}_CLIENT_ID")), leak(format!("{prefix}_CLIENT_SECRET"))];
        match provider(vars, &prefix, id, ProviderKind::Oidc { issuer }, names)? {
            Some(p) => providers.push(p),
            None => return Err(invalid(names[0], "is required when the issuer is set".into())),
        }
    }
    let trusted_providers = vars.get("ACCOUNT_LINKING_TRUSTED_PROVIDERS").map(list).unwrap_or_default();
    Ok(SocialConfig { providers, trusted_providers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<SocialConfig, ConfigError> {
        social(&Vars::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
    }

    #[test]
    fn built_in_and_generic_providers_are_read() {
        let config = read(&[
            ("GOOGLE_CLIENT_ID", "web.apps.googleusercontent.com, ios.apps.googleusercontent.com"),
            ("GOOGLE_CLIENT_SECRET", "s"),
            ("OIDC_MY_IDP_ISSUER", "https://idp.example.com/realms/x/"),
            ("OIDC_MY_IDP_CLIENT_ID", "nextstack"),
            ("OIDC_MY_IDP_CLIENT_SECRET", "s2"),
            ("OIDC_MY_IDP_SCOPES", "offline_access groups"),
            ("ACCOUNT_LINKING_TRUSTED_PROVIDERS", "google,my-idp"),
        ])
        .unwrap();
        let ids: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["google", "my-idp"]);
        assert_eq!(config.providers[0].client_ids.len(), 2);
        assert_eq!(
            config.providers[1].kind,
            ProviderKind::Oidc { issuer: "https://idp.example.com/realms/x/".into() },
            "the issuer exactly as given (discovery compares it)"
        );
        assert_eq!(config.providers[1].extra_scopes, ["offline_access", "groups"]);
        assert_eq!(config.trusted_providers, ["google", "my-idp"]);
        assert!(!format!("{:?}", config.providers[0]).contains("\"s\""), "the secret is never printed");
    }

    #[test]
    fn half_configured_providers_are_refused_by_name() {
        let err = read(&[("GITHUB_CLIENT_ID", "x")]).err().unwrap();
        assert_eq!(err.variable, "GITHUB_CLIENT_SECRET");
        let err = read(&[("OIDC_A_ISSUER", "https://a.example")]).err().unwrap();
        assert_eq!(err.variable, "OIDC_A_CLIENT_ID");
        let err = read(&[("OIDC_A_ISSUER", "ftp://a"), ("OIDC_A_CLIENT_ID", "x"), ("OIDC_A_CLIENT_SECRET", "y")]);
        assert_eq!(err.err().unwrap().variable, "OIDC_A_ISSUER");
        let err = read(&[("GITHUB_CLIENT_ID", " , "), ("GITHUB_CLIENT_SECRET", "s")]).err().unwrap();
        assert_eq!(err.variable, "GITHUB_CLIENT_ID");
        let err = read(&[("OIDC_GOOGLE_ISSUER", "https://a.example")]).err().unwrap();
        assert!(err.problem.contains("built-in"));
    }
}
