//! The application state: built once at start-up, shared by every request.

use std::sync::Arc;
use std::time::Instant;

use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::auth::password::PasswordHasher;
use crate::auth::session::SessionIdentity;
use crate::auth::session_cache::SessionCache;
use crate::config::Config;
use crate::events::OrderEvents;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::middleware::rate_limit::{MemoryStore, RateLimitStore, SharedStore};
use crate::rpc::identity::IdentityResolver;
use crate::storage::{Storage, StorageError};

/// Everything a request may need.
pub struct App {
    /// Validated configuration.
    pub config: Config,
    /// The database pool.
    pub db: DatabaseConnection,
    /// Slots for running handlers (`MAX_IN_FLIGHT_REQUESTS`).
    pub capacity: crate::middleware::capacity::Capacity,
    /// Rate-limit counters: in process, or in Redis with `REDIS_URL`.
    pub rate_limits: Arc<dyn RateLimitStore>,
    /// The Redis store behind `rate_limits`, when `REDIS_URL` is set (for `/ready`).
    pub redis: Option<Arc<SharedStore>>,
    /// Prometheus metrics (`/metrics`).
    pub metrics: Arc<Metrics>,
    /// Who is calling: the session (tests may plug in their own).
    pub identity: Arc<dyn IdentityResolver>,
    /// Password hashing on the bounded blocking pool.
    pub hasher: PasswordHasher,
    /// Outgoing mail (verification, password reset).
    pub mailer: Mailer,
    /// File storage (local disk or S3).
    pub storage: Arc<Storage>,
    /// Open subscriptions per user (`SSE_MAX_PER_USER`).
    pub streams: Arc<crate::rpc::streams::StreamSlots>,
    /// Validated sessions (decision 7).
    pub sessions: Arc<SessionCache>,
    /// Social sign-in providers.
    pub social: Arc<crate::social::Providers>,
    /// Order changes for `main.order.onChange`.
    pub order_events: Arc<OrderEvents>,
    /// Flips to `true` when the server shuts down (open subscriptions end).
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// When the server started (for `/health` uptime).
    pub started: Instant,
}

/// Cheap-to-clone handle on [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    /// State whose callers are identified by their BetterAuth session. Fails
    /// only when storage cannot be set up (local folder not creatable, S3 settings rejected).
    pub fn new(config: Config, db: DatabaseConnection) -> Result<Self, StorageError> {
        Self::with_identity(config, db, Arc::new(SessionIdentity))
    }

    /// State with a given identity resolver (tests act as users through this).
    pub fn with_identity(
        config: Config,
        db: DatabaseConnection,
        identity: Arc<dyn IdentityResolver>,
    ) -> Result<Self, StorageError> {
        // Several TLS users (SMTP, S3, Redis) link rustls with both of its crypto
        // backends, so rustls cannot pick one by itself: choose ring for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let metrics = Arc::new(Metrics::new(config.metrics_enabled, config.database.max_connections));
        let storage = Arc::new(Storage::from_config(&config)?.with_metrics(metrics.clone()));
        let redis = config.redis_url.as_ref().map(|url| {
            SharedStore::start(url.expose_secret().to_string(), config.rate_limit_prefix.clone(), metrics.clone())
        });
        let rate_limits: Arc<dyn RateLimitStore> = match &redis {
            Some(shared) => shared.clone(),
            None => Arc::new(MemoryStore::default()),
        };
        // SMTP_URL was validated at start-up; should the transport still not build, say so and log mail instead.
        let mailer = Mailer::from_config(&config).unwrap_or_else(|err| {
            tracing::error!(error = %err, "mail transport unavailable; messages go to the log");
            Mailer::Log
        });
        let order_events = Arc::new(OrderEvents::for_database(&db, config.database.schema.as_deref()));
        // On PostgreSQL other processes change sessions too: untrusted until the listener is in place.
        let on_postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let cache = config.session_cache;
        let sessions = Arc::new(SessionCache::new(cache.ttl, cache.capacity, !on_postgres));
        let social = Arc::new(crate::social::Providers::from_config(&config.social));
        Ok(Self(Arc::new(App {
            capacity: crate::middleware::capacity::Capacity::new(config.max_in_flight_requests),
            config,
            db,
            rate_limits,
            redis,
            metrics,
            identity,
            hasher: PasswordHasher::default(),
            mailer,
            storage,
            order_events,
            social,
            sessions,
            streams: Arc::default(),
            stopping: tokio::sync::watch::Sender::new(false),
            started: Instant::now(),
        })))
    }
}
