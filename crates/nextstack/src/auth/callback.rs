//! Callback URL validation (PROTOCOL.md 3.6): a relative path of safe
//! characters, or an absolute URL on a trusted origin; anything else is 403.

use crate::auth::error::{AuthError, messages};
use crate::config::Config;

/// Accepts `None`, a safe relative path, or a URL whose origin is trusted.
pub fn check(config: &Config, url: Option<&str>) -> Result<(), AuthError> {
    let Some(url) = url else { return Ok(()) };
    if is_safe_relative(url) || is_trusted_absolute(config, url) {
        return Ok(());
    }
    Err(messages::INVALID_CALLBACK_URL)
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
    url::Url::parse(url).is_ok_and(|u| config.trusted_origins.contains(&u.origin().ascii_serialization()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
