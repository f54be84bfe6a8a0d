//! Callback URL validation (PROTOCOL.md 3.6): a relative path of safe
//! characters, or an absolute URL on a trusted origin (or starting with a
//! trusted mobile app scheme); anything else is 403.

use http::StatusCode;

use crate::auth::error::{AuthError, messages};
use crate::config::Config;

/// Accepts `None`, a safe relative path, or a URL whose origin is trusted.
pub fn check(config: &Config, url: Option<&str>) -> Result<(), AuthError> {
    check_labeled(config, url, Label::CallbackUrl)
}

/// Which field a URL came in, for BetterAuth's `Invalid <field>` message.
#[derive(Debug, Clone, Copy)]
pub enum Label {
    /// `callbackURL`.
    CallbackUrl,
    /// `errorCallbackURL`.
    ErrorCallbackUrl,
    /// `newUserCallbackURL`.
    NewUserCallbackUrl,
}

/// [`check`] for any of the URL fields, refused with BetterAuth's message for that field.
pub fn check_labeled(config: &Config, url: Option<&str>, label: Label) -> Result<(), AuthError> {
    let Some(url) = url else { return Ok(()) };
    if is_safe_relative(url) || is_trusted_absolute(config, url) {
        return Ok(());
    }
    Err(match label {
        Label::CallbackUrl => messages::INVALID_CALLBACK_URL,
        Label::ErrorCallbackUrl => AuthError::api(StatusCode::FORBIDDEN, "Invalid errorCallbackURL"),
        Label::NewUserCallbackUrl => AuthError::api(StatusCode::FORBIDDEN, "Invalid newUserCallbackURL"),
    })
}

/// True when `value` (an `Origin`, `Referer` or `expo-origin` header) names a
/// trusted origin: an http(s) origin on the list, or a trusted app scheme.
pub fn is_trusted_origin(config: &Config, value: &str) -> bool {
    is_trusted_absolute(config, value)
}

/// True when `url` starts with a trusted app scheme (`myapp://`): where the
/// Expo hand-off puts the session cookie into the deep link.
pub fn is_app_url(config: &Config, url: &str) -> bool {
    config.trusted_app_schemes.iter().any(|prefix| url.starts_with(prefix.as_str()))
}

/// `^\/(?!\/|\\|%2f|%5c)[\w\-.\+/@]*(?:\?[\w\-.\+/=&%@]*)?$`, BetterAuth's pattern.
fn is_safe_relative(url: &str) -> bool {
    let Some(rest) = url.strip_prefix('/') else { return false };
    let lower = rest.to_ascii_lowercase();
    if rest.starts_with('/') || rest.starts_with('\\') || lower.starts_with("%2f") || lower.starts_with("%5c") {
        return false;
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let path_ok = path.chars().all(|c| c.is_alphanumeric() || c == '_' || "-.+/@".contains(c));
    let query_ok = query.is_none_or(|q| q.chars().all(|c| c.is_alphanumeric() || c == '_' || "-.+/=&%@".contains(c)));
    path_ok && query_ok
}

fn is_trusted_absolute(config: &Config, url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            config.trusted_origins.contains(&u.origin().ascii_serialization())
        }
        // BetterAuth compares non-http URLs by prefix with the trusted entry.
        Ok(_) => is_app_url(config, url),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let vars = [
            ("NODE_ENV", "test"),
            ("BETTER_AUTH_SECRET", "a-test-secret-that-is-long-enough-0123"),
            ("CORS_ORIGINS", "https://app.example.com"),
            ("BETTER_AUTH_TRUSTED_ORIGINS", "myapp://"),
        ];
        Config::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap()
    }

    #[test]
    fn app_schemes_match_by_prefix_web_origins_exactly() {
        let c = config();
        for good in ["myapp://home", "myapp://", "https://app.example.com/x?y=1", "/done"] {
            assert!(check(&c, Some(good)).is_ok(), "{good}");
        }
        for bad in ["myapp2://home", "otherapp://home", "https://app.example.com.evil.net/", "javascript:alert(1)"] {
            assert!(check(&c, Some(bad)).is_err(), "{bad}");
        }
        assert!(is_trusted_origin(&c, "myapp://") && !is_trusted_origin(&c, "null"));
        assert!(is_app_url(&c, "myapp://home") && !is_app_url(&c, "https://app.example.com/"));
    }

    #[test]
    fn relative_paths_follow_better_auth_pattern() {
        assert!(is_safe_relative("/dashboard"));
        assert!(is_safe_relative("/a/b?x=1&y=%20"));
        assert!(!is_safe_relative("//evil.example"));
        assert!(!is_safe_relative("/\\evil"));
        assert!(!is_safe_relative("/%2Fevil"));
        assert!(!is_safe_relative("https://evil.example"));
        assert!(!is_safe_relative("/a b"));
    }
}
