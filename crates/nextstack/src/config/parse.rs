//! Parsing and validating each variable, with one clear message per bad value.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::time::Duration;

use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::SecretString;

use super::{
    Config, ConfigError, DatabaseConfig, DatabaseKind, Environment, LogFormat, RateLimitConfig, SessionCacheConfig,
};

const DEFAULT_DATABASE_URL: &str = "sqlite://data/nextstack.db?mode=rwc";
const PLACEHOLDERS: [&str; 2] = ["change-this", "generate-with"];

/// The raw variables; empty values count as unset, as dotenv files often leave them.
pub(super) struct Vars(HashMap<String, String>);

impl Vars {
    pub(super) fn new(vars: HashMap<String, String>) -> Self {
        Self(vars)
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The names of the variables that are set.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, _)| k.as_str())
    }

    fn parsed<T: FromStr>(&self, name: &'static str, default: T, what: &str) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| invalid(name, format!("must be {what}, got {v:?}"))),
        }
    }

    fn positive(&self, name: &'static str, default: u64) -> Result<u64, ConfigError> {
        let value: u64 = self.parsed(name, default, "a positive integer")?;
        if value == 0 {
            return Err(invalid(name, "must be greater than 0".into()));
        }
        Ok(value)
    }

    /// The first of `names` that is set (a new name, then the original server's aliases).
    pub(super) fn first_of(&self, names: &[&'static str]) -> Option<(&'static str, &str)> {
        names.iter().find_map(|name| self.get(name).map(|v| (*name, v)))
    }

    /// An optional http(s) base URL, without a trailing slash.
    pub(super) fn http_url(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let Some(value) = self.get(name) else { return Ok(None) };
        match url::Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Ok(Some(value.trim_end_matches('/').to_string()))
            }
            _ => Err(invalid(name, format!("{value:?} is not an http(s) URL"))),
        }
    }

    pub(super) fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(invalid(name, format!("must be true or false, got {other:?}"))),
        }
    }
}

pub(super) fn invalid(variable: &'static str, problem: String) -> ConfigError {
    ConfigError { variable, problem }
}

pub(super) fn build(vars: &Vars) -> Result<Config, ConfigError> {
    let environment = match vars.get("NODE_ENV") {
        None | Some("development") => Environment::Development,
        Some("production") => Environment::Production,
        Some("test") => Environment::Test,
        Some(other) => {
            return Err(invalid("NODE_ENV", format!("must be development, production or test, got {other:?}")));
        }
    };
    let default_host = match environment {
        Environment::Production => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let host = vars.parsed("HOST", default_host, "an IP address")?;
    let port: u16 = vars.parsed("PORT", 3001, "a port number (0-65535)")?;
    let database = database(vars)?;
    let (auth_secret, generated_secret) = secret(vars, environment)?;
    let auth_url = vars.get("BETTER_AUTH_URL").unwrap_or("http://localhost:3000").to_string();
    let auth_origin = origin_of("BETTER_AUTH_URL", &auth_url)?;
    let mut cors_origins = Vec::new();
    for item in vars.get("CORS_ORIGINS").unwrap_or("http://localhost:3000,http://localhost:5173").split(',') {
        let item = item.trim();
        if !item.is_empty() {
            cors_origins.push(origin_of("CORS_ORIGINS", item)?);
        }
    }
    if !cors_origins.contains(&auth_origin) {
        cors_origins.push(auth_origin);
    }
    let mut cors_allowed_headers = Vec::new();
    for item in vars.get("CORS_ALLOWED_HEADERS").unwrap_or_default().split(',') {
        let item = item.trim().to_ascii_lowercase();
        if item.is_empty() {
            continue;
        }
        if http::HeaderName::from_bytes(item.as_bytes()).is_err() {
            return Err(invalid("CORS_ALLOWED_HEADERS", format!("{item:?} is not a header name")));
        }
        cors_allowed_headers.push(item);
    }
    let mut trusted_origins = cors_origins.clone();
    // `@better-auth/expo` trusts Expo Go's `exp://` in development.
    let mut trusted_app_schemes: Vec<String> =
        if environment == Environment::Development { vec!["exp://".into()] } else { Vec::new() };
    for item in vars.get("BETTER_AUTH_TRUSTED_ORIGINS").unwrap_or_default().split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if let Some(prefix) = app_scheme_prefix(item)? {
            if !trusted_app_schemes.contains(&prefix) {
                trusted_app_schemes.push(prefix);
            }
            continue;
        }
        let origin = origin_of("BETTER_AUTH_TRUSTED_ORIGINS", item)?;
        if !trusted_origins.contains(&origin) {
            trusted_origins.push(origin);
        }
    }
    let admin_emails = vars
        .get("ADMIN_EMAILS")
        .unwrap_or_default()
        .split(',')
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let log_format = match vars.get("LOG_FORMAT") {
        None if environment == Environment::Production => LogFormat::Json,
        None => LogFormat::Pretty,
        Some("json") => LogFormat::Json,
        Some("pretty") => LogFormat::Pretty,
        Some(other) => return Err(invalid("LOG_FORMAT", format!("must be pretty or json, got {other:?}"))),
    };
    Ok(Config {
        environment,
        host,
        port,
        database,
        auth_secret,
        auth_url,
        cors_origins,
        cors_allowed_headers,
        trusted_origins,
        trusted_app_schemes,
        social: super::social::social(vars)?,
        admin_emails,
        rate_limit: RateLimitConfig {
            window: Duration::from_millis(vars.positive("RATE_LIMIT_WINDOW_MS", 900_000)?),
            max_requests: vars.positive("RATE_LIMIT_MAX_REQUESTS", 100)?,
        },
        auth_rate_limit: RateLimitConfig {
            window: Duration::from_millis(vars.positive("AUTH_RATE_LIMIT_WINDOW_MS", 60_000)?),
            max_requests: vars.positive("AUTH_RATE_LIMIT_MAX_REQUESTS", 10)?,
        },
        trust_proxy: proxy_hops(vars)?,
        request_timeout: Duration::from_millis(vars.positive("REQUEST_TIMEOUT_MS", 30_000)?),
        shutdown_timeout: Duration::from_millis(vars.positive("SHUTDOWN_TIMEOUT_MS", 30_000)?),
        redis_url: redis_url(vars)?,
        rate_limit_prefix: vars.get("RATE_LIMIT_PREFIX").unwrap_or("nextstack:rl:").to_string(),
        metrics_enabled: vars.flag("METRICS_ENABLED", true)?,
        metrics_token: vars.get("METRICS_TOKEN").map(|t| SecretString::from(t.to_string())),
        smtp_url: smtp_url(vars)?,
        mail_from: mail_from(vars)?,
        storage: super::storage::storage(vars)?,
        storage_public_url: vars.http_url("STORAGE_PUBLIC_URL")?,
        public_url: vars.http_url("PUBLIC_URL")?,
        max_upload_bytes: vars.positive("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)?,
        upload_caps: crate::services::file::UploadCaps {
            max_pending: vars.positive("MAX_PENDING_UPLOADS_PER_USER", 20)?,
            quota_bytes: vars.positive("STORAGE_QUOTA_BYTES_PER_USER", 1024 * 1024 * 1024)?,
        },
        upload_rate_limit: RateLimitConfig {
            window: Duration::from_millis(vars.positive("UPLOAD_RATE_LIMIT_WINDOW_MS", 900_000)?),
            max_requests: vars.positive("UPLOAD_RATE_LIMIT_MAX_REQUESTS", 100)?,
        },
        storage_sweep_interval: Duration::from_millis(vars.positive("STORAGE_SWEEP_INTERVAL_MS", 600_000)?),
        max_body_bytes: usize::try_from(vars.positive("MAX_BODY_BYTES", 10 * 1024 * 1024)?)
            .map_err(|_| invalid("MAX_BODY_BYTES", "is too large".into()))?,
        max_in_flight_requests: usize::try_from(vars.positive("MAX_IN_FLIGHT_REQUESTS", 1024)?)
            .map_err(|_| invalid("MAX_IN_FLIGHT_REQUESTS", "is too large".into()))?,
        connections: connections(vars)?,
        body_drain: crate::middleware::drain::DrainConfig {
            max_bytes: vars.positive("BODY_DRAIN_MAX_BYTES", 256 * 1024 * 1024)?,
            timeout: Duration::from_millis(vars.positive("BODY_DRAIN_TIMEOUT_MS", 30_000)?),
        },
        trpc_max_batch_size: usize::try_from(vars.positive("TRPC_MAX_BATCH_SIZE", 100)?)
            .map_err(|_| invalid("TRPC_MAX_BATCH_SIZE", "is too large".into()))?,
        trpc_max_response_bytes: usize::try_from(vars.positive("TRPC_MAX_RESPONSE_BYTES", 32 * 1024 * 1024)?)
            .map_err(|_| invalid("TRPC_MAX_RESPONSE_BYTES", "is too large".into()))?,
        sse_ping_interval: Duration::from_millis(vars.positive("SSE_PING_INTERVAL_MS", 10_000)?),
        sse_max_per_user: usize::try_from(vars.positive("SSE_MAX_PER_USER", 10)?)
            .map_err(|_| invalid("SSE_MAX_PER_USER", "is too large".into()))?,
        sse_session_check: Duration::from_millis(vars.positive("SSE_SESSION_CHECK_INTERVAL_MS", 5_000)?),
        session_cache: SessionCacheConfig {
            ttl: Duration::from_millis(vars.parsed(
                "SESSION_CACHE_TTL_MS",
                60_000,
                "a number of milliseconds (0: off)",
            )?),
            capacity: vars.positive("SESSION_CACHE_CAPACITY", 50_000)?,
        },
        trpc_transformer: match vars.get("TRPC_TRANSFORMER").map(str::to_ascii_lowercase).as_deref() {
            None | Some("none" | "json") => nextstack_trpc::Transformer::None,
            Some("superjson") => nextstack_trpc::Transformer::Superjson,
            Some(other) => {
                return Err(invalid("TRPC_TRANSFORMER", format!("must be none or superjson, got {other:?}")));
            }
        },
        trpc_allow_method_override: vars.flag("TRPC_ALLOW_METHOD_OVERRIDE", true)?,
        log_format,
        log_filter: vars.get("RUST_LOG").unwrap_or("info").to_string(),
        generated_secret,
    })
}

fn database(vars: &Vars) -> Result<DatabaseConfig, ConfigError> {
    let url = vars.get("DATABASE_URL").unwrap_or(DEFAULT_DATABASE_URL);
    // Messages never echo the URL: it may hold a password.
    let parsed = url::Url::parse(url).map_err(|e| invalid("DATABASE_URL", format!("is not a valid URL ({e})")))?;
    let kind = match parsed.scheme() {
        "sqlite" => DatabaseKind::Sqlite,
        "postgres" | "postgresql" => {
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(invalid("DATABASE_URL", "a PostgreSQL URL needs a host".into()));
            }
            DatabaseKind::Postgres
        }
        other => {
            return Err(invalid("DATABASE_URL", format!("must start with sqlite: or postgres://, not {other}:")));
        }
    };
    let cores = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(2);
    let max_connections = vars.positive("DATABASE_MAX_CONNECTIONS", (2 * cores).max(4))?;
    Ok(DatabaseConfig {
        url: SecretString::from(url.to_string()),
        kind,
        max_connections: u32::try_from(max_connections)
            .map_err(|_| invalid("DATABASE_MAX_CONNECTIONS", "is too large".into()))?,
        auto_migrate: vars.flag("AUTO_MIGRATE", kind == DatabaseKind::Sqlite)?,
        acquire_timeout: Duration::from_millis(vars.positive("DATABASE_ACQUIRE_TIMEOUT_MS", 5_000)?),
        schema: None,
    })
}

fn secret(vars: &Vars, env: Environment) -> Result<(SecretString, bool), ConfigError> {
    const NAME: &str = "BETTER_AUTH_SECRET";
    let Some(value) = vars.get(NAME) else {
        if env == Environment::Production {
            return Err(invalid(NAME, "is required in production (at least 32 random characters)".into()));
        }
        let generated: String = rand::rng().sample_iter(Alphanumeric).take(48).map(char::from).collect();
        return Ok((SecretString::from(generated), true));
    };
    let strict = env != Environment::Development;
    let min = if strict { 32 } else { 8 };
    if value.chars().count() < min {
        return Err(invalid(NAME, format!("must be at least {min} characters long")));
    }
    if strict && PLACEHOLDERS.iter().any(|p| value.contains(p)) {
        return Err(invalid(NAME, "still holds the example placeholder; generate a random secret".into()));
    }
    Ok((SecretString::from(value.to_string()), false))
}

fn connections(vars: &Vars) -> Result<crate::server::ConnectionLimits, ConfigError> {
    let defaults = crate::server::ConnectionLimits::default();
    let millis = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(vars.positive(name, default.as_millis() as u64)?))
    };
    let max_header_bytes = vars.positive("MAX_HEADER_BYTES", defaults.max_header_bytes as u64)?;
    if !(8192..=1024 * 1024).contains(&max_header_bytes) {
        return Err(invalid("MAX_HEADER_BYTES", "must be between 8192 and 1048576".into()));
    }
    Ok(crate::server::ConnectionLimits {
        max_connections: usize::try_from(vars.positive("MAX_CONNECTIONS", defaults.max_connections as u64)?)
            .map_err(|_| invalid("MAX_CONNECTIONS", "is too large".into()))?,
        max_header_bytes: max_header_bytes as usize,
        timeouts: crate::server::Timeouts {
            header_read: millis("HEADER_READ_TIMEOUT_MS", defaults.timeouts.header_read)?,
            keep_alive: millis("KEEP_ALIVE_TIMEOUT_MS", defaults.timeouts.keep_alive)?,
            write: millis("WRITE_TIMEOUT_MS", defaults.timeouts.write)?,
        },
    })
}

/// `TRUST_PROXY`: `true`/`false` (Express's boolean) or the number of trusted hops.
fn proxy_hops(vars: &Vars) -> Result<u8, ConfigError> {
    const NAME: &str = "TRUST_PROXY";
    match vars.get(NAME) {
        None => Ok(0),
        Some(v) => match v.parse::<u8>() {
            Ok(hops) if hops <= 16 => Ok(hops),
            Ok(_) => Err(invalid(NAME, "must be at most 16 hops".into())),
            Err(_) => vars.flag(NAME, false).map(u8::from),
        },
    }
}

fn redis_url(vars: &Vars) -> Result<Option<SecretString>, ConfigError> {
    let Some(url) = vars.get("REDIS_URL") else { return Ok(None) };
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "redis" | "rediss") => Ok(Some(SecretString::from(url.to_string()))),
        _ => Err(invalid("REDIS_URL", "must be a redis:// or rediss:// URL".into())),
    }
}

fn smtp_url(vars: &Vars) -> Result<Option<SecretString>, ConfigError> {
    let Some(url) = vars.get("SMTP_URL") else { return Ok(None) };
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some() => {
            Ok(Some(SecretString::from(url.to_string())))
        }
        _ => Err(invalid("SMTP_URL", "must be an smtp:// or smtps:// URL with a host".into())),
    }
}

fn mail_from(vars: &Vars) -> Result<String, ConfigError> {
    let from = vars.get("MAIL_FROM").unwrap_or("NextStack <no-reply@localhost>");
    from.parse::<lettre::message::Mailbox>()
        .map(|_| from.to_string())
        .map_err(|_| invalid("MAIL_FROM", format!("{from:?} is not a mailbox like \"Name <a@b.c>\"")))
}

/// A mobile app's URL scheme (`myapp://`, `exp://`, `com.example.app://auth`),
/// trusted as a prefix the way BetterAuth matches non-http origins; `None`
/// for http(s) entries. Schemes a browser would run or render (`javascript:`,
/// `data:`, `file:`…) are refused: only `scheme://` forms are app schemes.
fn app_scheme_prefix(value: &str) -> Result<Option<String>, ConfigError> {
    let Some((scheme, _)) = value.split_once("://") else { return Ok(None) };
    let scheme = scheme.to_ascii_lowercase();
    if matches!(scheme.as_str(), "http" | "https") {
        return Ok(None);
    }
    let valid = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid || matches!(scheme.as_str(), "javascript" | "data" | "file" | "blob" | "vbscript" | "about") {
        return Err(invalid(
            "BETTER_AUTH_TRUSTED_ORIGINS",
            format!("{value:?} is not an http(s) URL or an app scheme"),
        ));
    }
    Ok(Some(value.to_string()))
}

fn origin_of(variable: &'static str, value: &str) -> Result<String, ConfigError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(u.origin().ascii_serialization())
        }
        _ => Err(invalid(variable, format!("{value:?} is not an http(s) URL"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        build(&Vars::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
    }

    #[test]
    fn app_schemes_are_trusted_by_prefix_and_browser_schemes_refused() {
        let c =
            build_from(&[("NODE_ENV", "test"), ("BETTER_AUTH_TRUSTED_ORIGINS", "myapp://, https://app.example.com")])
                .unwrap();
        assert_eq!(c.trusted_app_schemes, ["myapp://"]);
        assert!(c.trusted_origins.contains(&"https://app.example.com".to_string()));
        let dev = build_from(&[("BETTER_AUTH_SECRET", "a-development-secret-0123456789abcdef")]).unwrap();
        assert_eq!(dev.trusted_app_schemes, ["exp://"], "Expo Go in development, as @better-auth/expo");
        for bad in ["javascript://alert(1)", "data://x", "1app://x"] {
            let err = build_from(&[("NODE_ENV", "test"), ("BETTER_AUTH_TRUSTED_ORIGINS", bad)]).err().unwrap();
            assert_eq!(err.variable, "BETTER_AUTH_TRUSTED_ORIGINS", "{bad}");
        }
    }

    #[test]
    fn the_server_trusts_its_own_origin_once_bound() {
        let mut dev = build_from(&[]).unwrap();
        dev.bound_to("127.0.0.1:3001".parse().unwrap());
        for own in ["http://localhost:3001", "http://127.0.0.1:3001"] {
            assert!(dev.trusted_origins.contains(&own.to_string()), "{own} in {:?}", dev.trusted_origins);
        }
        let mut public = build_from(&[("PUBLIC_URL", "https://api.example.com/base")]).unwrap();
        public.bound_to("0.0.0.0:8080".parse().unwrap());
        assert!(public.trusted_origins.contains(&"https://api.example.com".to_string()));
        // A set PUBLIC_URL is how clients reach the server: loopback names are not added.
        assert!(!public.trusted_origins.iter().any(|o| o.contains(":8080")), "{:?}", public.trusted_origins);
        // Nor in production on every interface: browsers arrive by a name only PUBLIC_URL knows.
        let secret = ("BETTER_AUTH_SECRET", "a-production-secret-that-is-long-enough-0123456789");
        let mut production = build_from(&[("NODE_ENV", "production"), secret]).unwrap();
        production.bound_to("0.0.0.0:8080".parse().unwrap());
        assert!(!production.trusted_origins.iter().any(|o| o.contains(":8080")), "{:?}", production.trusted_origins);
    }

    #[test]
    fn defaults_run_on_embedded_sqlite() {
        let c = build_from(&[]).unwrap();
        assert_eq!(c.port, 3001);
        assert_eq!(c.database.kind, DatabaseKind::Sqlite);
        assert!(c.database.auto_migrate);
        assert!(c.generated_secret);
        assert_eq!(c.cors_origins, vec!["http://localhost:3000", "http://localhost:5173"]);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("PORT", "abc")], "PORT"),
            (&[("NODE_ENV", "staging")], "NODE_ENV"),
            (&[("NODE_ENV", "production")], "BETTER_AUTH_SECRET"),
            (&[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", "short")], "BETTER_AUTH_SECRET"),
            (
                &[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", "change-this-to-a-very-long-secret-value-xx")],
                "BETTER_AUTH_SECRET",
            ),
            (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (&[("DATABASE_URL", "not a url")], "DATABASE_URL"),
            (&[("RATE_LIMIT_MAX_REQUESTS", "0")], "RATE_LIMIT_MAX_REQUESTS"),
            (&[("CORS_ORIGINS", "ftp://x")], "CORS_ORIGINS"),
            (&[("CORS_ALLOWED_HEADERS", "x-ok, bad header")], "CORS_ALLOWED_HEADERS"),
            (&[("TRPC_ALLOW_METHOD_OVERRIDE", "maybe")], "TRPC_ALLOW_METHOD_OVERRIDE"),
        ];
        for (vars, variable) in cases {
            let err = build_from(vars).unwrap_err();
            assert_eq!(err.variable, *variable, "{vars:?}");
        }
    }

    #[test]
    fn secret_never_appears_in_errors_or_debug() {
        let secret = "change-this-super-secret-value-1234567890";
        let err = build_from(&[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", secret)]).unwrap_err();
        assert!(!err.to_string().contains(secret));
        let ok = "x".repeat(40);
        let c = build_from(&[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", &ok)]).unwrap();
        assert!(!format!("{c:?}").contains(&ok));
    }
}
