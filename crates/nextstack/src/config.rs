//! Typed configuration from environment variables (and `.env`), validated at
//! start-up. The names are the original server's, so deployments keep their settings.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

mod parse;
mod social;
mod storage;

pub use social::{ProviderConfig, ProviderKind, SocialConfig};

use parse::Vars;

/// `NODE_ENV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local work: pretty logs, stacks in errors, generated secret allowed.
    Development,
    /// Deployed: JSON logs, no internals in responses, strict secrets.
    Production,
    /// Automated tests.
    Test,
}

impl Environment {
    /// The `NODE_ENV` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
            Self::Test => "test",
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Which database backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// The embedded default.
    Sqlite,
    /// Production.
    Postgres,
}

/// Database settings.
#[derive(Clone)]
pub struct DatabaseConfig {
    /// `DATABASE_URL` (may hold a password: never logged as is).
    pub url: SecretString,
    /// The backend the URL names.
    pub kind: DatabaseKind,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub max_connections: u32,
    /// `AUTO_MIGRATE`.
    pub auto_migrate: bool,
    /// `DATABASE_ACQUIRE_TIMEOUT_MS` (5000): how long a request waits for a pooled connection before 503.
    pub acquire_timeout: Duration,
    /// PostgreSQL schema to use instead of `public` (tests use one per test).
    pub schema: Option<String>,
}

/// A fixed-window rate limit.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitConfig {
    /// Window length.
    pub window: Duration,
    /// Requests allowed per window and client.
    pub max_requests: u64,
}

/// Everything the server reads from its environment.
#[derive(Clone)]
pub struct Config {
    /// `NODE_ENV`.
    pub environment: Environment,
    /// `HOST`.
    pub host: IpAddr,
    /// `PORT` (0 picks a free port).
    pub port: u16,
    /// Database settings.
    pub database: DatabaseConfig,
    /// `BETTER_AUTH_SECRET` (generated per run in development when unset).
    pub auth_secret: SecretString,
    /// `BETTER_AUTH_URL`.
    pub auth_url: String,
    /// `CORS_ORIGINS` plus the origin of `BETTER_AUTH_URL`.
    pub cors_origins: Vec<String>,
    /// `CORS_ALLOWED_HEADERS`: request headers browsers may send cross-origin,
    /// besides the built-in list (lowercase, validated header names).
    pub cors_allowed_headers: Vec<String>,
    /// Origins `/api/auth` trusts for cookie POSTs and callback URLs: the CORS
    /// origins plus `BETTER_AUTH_TRUSTED_ORIGINS` (BetterAuth's `trustedOrigins`).
    pub trusted_origins: Vec<String>,
    /// Mobile app schemes (`myapp://`) from `BETTER_AUTH_TRUSTED_ORIGINS`
    /// (plus `exp://` in development, as `@better-auth/expo` adds): a URL is
    /// trusted when it starts with one, as BetterAuth matches non-http origins.
    pub trusted_app_schemes: Vec<String>,
    /// Social sign-in providers and account-linking rules.
    pub social: SocialConfig,
    /// `ADMIN_EMAILS`, lower-cased.
    pub admin_emails: Vec<String>,
    /// `/trpc` limit (`RATE_LIMIT_WINDOW_MS` / `RATE_LIMIT_MAX_REQUESTS`).
    pub rate_limit: RateLimitConfig,
    /// `/api/auth` limit (`AUTH_RATE_LIMIT_*`).
    pub auth_rate_limit: RateLimitConfig,
    /// `TRUST_PROXY`: how many proxies in front of the server write `X-Forwarded-For`
    /// (`true` = 1, `false` = 0: the peer address is the client).
    pub trust_proxy: u8,
    /// `REQUEST_TIMEOUT_MS`.
    pub request_timeout: Duration,
    /// `SHUTDOWN_TIMEOUT_MS`.
    pub shutdown_timeout: Duration,
    /// `REDIS_URL`: rate-limit counters shared by every process (`redis://` or `rediss://`).
    pub redis_url: Option<SecretString>,
    /// `RATE_LIMIT_PREFIX` (`nextstack:rl:`): the Redis key prefix, so deployments can share one Redis.
    pub rate_limit_prefix: String,
    /// `METRICS_ENABLED` (true): record metrics and serve `/metrics`.
    pub metrics_enabled: bool,
    /// `METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// `SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…`); unset: mail goes to the log.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// Where uploaded files live (`STORAGE_TYPE` and its variables).
    pub storage: StorageConfig,
    /// `STORAGE_PUBLIC_URL`: base of `File.url` (`<base>/<key>`), e.g. a CDN in front of the bucket.
    pub storage_public_url: Option<String>,
    /// `PUBLIC_URL`: how clients reach this server (local signed storage URLs are built on it).
    /// Unset: `http://<host>:<bound port>`, filled in once the listener is bound.
    pub public_url: Option<String>,
    /// `MAX_UPLOAD_BYTES` (10 MiB): the largest file `requestUpload` accepts.
    pub max_upload_bytes: u64,
    /// `MAX_PENDING_UPLOADS_PER_USER` (20) and `STORAGE_QUOTA_BYTES_PER_USER` (1 GiB).
    pub upload_caps: crate::services::file::UploadCaps,
    /// `PUT /storage/upload/*` per client (`UPLOAD_RATE_LIMIT_WINDOW_MS` / `_MAX_REQUESTS`).
    pub upload_rate_limit: RateLimitConfig,
    /// `STORAGE_SWEEP_INTERVAL_MS` (10 min): how often deleted and abandoned uploads are cleaned up.
    pub storage_sweep_interval: Duration,
    /// `MAX_BODY_BYTES` (10 MiB).
    pub max_body_bytes: usize,
    /// `MAX_IN_FLIGHT_REQUESTS` (1024): handlers running at once; beyond, 503 at once.
    pub max_in_flight_requests: usize,
    /// Connection caps and deadlines (`MAX_CONNECTIONS`, `MAX_HEADER_BYTES`, `*_TIMEOUT_MS`).
    pub connections: crate::server::ConnectionLimits,
    /// How much of a refused request's body is read off before the answer (decision 17).
    pub body_drain: crate::middleware::drain::DrainConfig,
    /// `TRPC_MAX_BATCH_SIZE`.
    pub trpc_max_batch_size: usize,
    /// `TRPC_MAX_RESPONSE_BYTES` (32 MiB): calls past it fail with `PAYLOAD_TOO_LARGE` (decision 21).
    pub trpc_max_response_bytes: usize,
    /// `SSE_PING_INTERVAL_MS` (10 s): `event: ping` on open subscriptions.
    pub sse_ping_interval: Duration,
    /// `SSE_MAX_PER_USER` (10): open subscriptions one user may hold on a process.
    pub sse_max_per_user: usize,
    /// `SSE_SESSION_CHECK_INTERVAL_MS` (5 s): how often an open subscription re-checks its session.
    pub sse_session_check: Duration,
    /// `SESSION_CACHE_TTL_MS` (60 s; 0: off) and `SESSION_CACHE_CAPACITY` (50 000 sessions).
    pub session_cache: SessionCacheConfig,
    /// `TRPC_TRANSFORMER`: `none` (plain JSON) or `superjson`.
    pub trpc_transformer: nextstack_trpc::Transformer,
    /// `TRPC_ALLOW_METHOD_OVERRIDE` (true): queries may come as POST (clients
    /// with `methodOverride: 'POST'`).
    pub trpc_allow_method_override: bool,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `RUST_LOG`.
    pub log_filter: String,
    /// True when the secret was generated for this run (logged as a warning).
    pub generated_secret: bool,
}

/// The per-process session cache (decision 7).
#[derive(Debug, Clone, Copy)]
pub struct SessionCacheConfig {
    /// How long a validated session is kept; zero: every request asks the database.
    pub ttl: Duration,
    /// The most sessions kept.
    pub capacity: u64,
}

/// Where files are stored.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// A folder on the local disk (`STORAGE_LOCAL_DIR`, default `data/uploads`).
    Local {
        /// The folder.
        dir: PathBuf,
    },
    /// An S3-compatible service (`STORAGE_TYPE=s3` or `minio`).
    S3(S3Config),
}

/// The S3 service: `S3_*` variables (or the original's `STORAGE_*` names).
#[derive(Debug, Clone)]
pub struct S3Config {
    /// `S3_ENDPOINT`: a custom endpoint (MinIO, R2, ...); unset means AWS.
    pub endpoint: Option<String>,
    /// `S3_BUCKET` (nextstack-dev).
    pub bucket: String,
    /// `S3_REGION` (us-east-1).
    pub region: String,
    /// `S3_ACCESS_KEY` and `S3_SECRET_KEY`; unset: the AWS credential chain (env, profile, instance role).
    pub credentials: Option<(SecretString, SecretString)>,
    /// `S3_FORCE_PATH_STYLE`: `endpoint/bucket/key` instead of `bucket.endpoint/key` (default: true with a custom endpoint).
    pub force_path_style: bool,
}

impl Config {
    /// Fills in the default `PUBLIC_URL` from the address the server actually listens on (port 0 included).
    pub fn bound_to(&mut self, addr: std::net::SocketAddr) {
        let defaulted = self.public_url.is_none();
        if defaulted {
            let host = if addr.ip().is_unspecified() { "localhost".to_string() } else { addr.ip().to_string() };
            let host = if addr.is_ipv6() && host != "localhost" { format!("[{host}]") } else { host };
            self.public_url = Some(format!("http://{host}:{}", addr.port()));
        }
        // The server's own pages (the `/admin` console) post to `/api/auth` from
        // the server's origin, which BETTER_AUTH_URL need not name (its default
        // is the TypeScript stack's port 3000), so that origin is trusted too.
        for origin in self.own_origins(addr, defaulted) {
            if !self.trusted_origins.contains(&origin) {
                self.trusted_origins.push(origin);
            }
        }
    }

    /// The origins this server is reached at: `PUBLIC_URL`'s, and when that is
    /// not set and the address is loopback (or unspecified, outside
    /// production), both `localhost` and `127.0.0.1`, which a developer uses
    /// interchangeably.
    fn own_origins(&self, addr: std::net::SocketAddr, defaulted: bool) -> Vec<String> {
        // On every interface in production, the address says nothing of how
        // browsers reach the server: only PUBLIC_URL can (serve warns when unset).
        if defaulted && addr.ip().is_unspecified() && self.is_production() {
            return Vec::new();
        }
        let mut origins = Vec::new();
        if let Some(url) = self.public_url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
            origins.push(url.origin().ascii_serialization());
        }
        if defaulted && (addr.ip().is_loopback() || addr.ip().is_unspecified()) {
            for host in ["localhost", "127.0.0.1"] {
                let origin = format!("http://{host}:{}", addr.port());
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        origins
    }
}

/// A bad configuration value: names the variable and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {problem}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong (never the secret value itself).
    pub problem: String,
}

impl Config {
    /// Reads `.env` (if present, without overriding the environment) and the
    /// process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(std::env::vars().collect())
    }

    /// Builds and validates a configuration from a variable map.
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Self, ConfigError> {
        parse::build(&Vars::new(vars))
    }

    /// True in production.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// True in development, where error stacks may be sent to clients.
    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }
}

impl fmt::Debug for Config {
    // Secrets and the database URL (which may hold a password) stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database.kind)
            .field("max_connections", &self.database.max_connections)
            .field("auto_migrate", &self.database.auto_migrate)
            .field("auth_url", &self.auth_url)
            .field("cors_origins", &self.cors_origins)
            .field("cors_allowed_headers", &self.cors_allowed_headers)
            .field("rate_limit", &self.rate_limit)
            .field("trust_proxy", &self.trust_proxy)
            .field("request_timeout", &self.request_timeout)
            .field("redis", &self.redis_url.as_ref().map(|_| "[set]"))
            .finish_non_exhaustive()
    }
}
