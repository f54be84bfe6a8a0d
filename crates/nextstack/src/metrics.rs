//! Prometheus metrics (decision 18), through `prometheus-client`: each `App`
//! owns its registry (no process-global state, so two servers in one test
//! process count apart). Label values are bounded: route templates, known
//! procedure paths, fixed words — never a path or string a client chose.
//! Pool and process figures are read when `/metrics` is scraped.

mod process;

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::DatabaseConnection;

/// `{method, route, status}` of an HTTP response.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

/// `{method, route}` for latency.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

/// `{procedure, type, code}` of one tRPC call.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    procedure: &'static str,
    r#type: &'static str,
    code: &'static str,
}

/// `{procedure, type}` for latency.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProcedureLabels {
    procedure: &'static str,
    r#type: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimiterLabels {
    limiter: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StorageLabels {
    operation: &'static str,
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// Label values come from a small, fixed set (route templates, procedure
/// paths): each is stored once and handed out as `&'static str`, so counting a
/// request allocates nothing. Capped, should a bug ever feed it open-ended values.
#[derive(Debug, Default)]
struct Interned(std::sync::RwLock<std::collections::HashSet<&'static str>>);

impl Interned {
    const MAX: usize = 4096;

    fn get(&self, value: &str) -> &'static str {
        if let Some(known) = self.0.read().unwrap_or_else(|p| p.into_inner()).get(value) {
            return known;
        }
        let mut values = self.0.write().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = values.get(value) {
            return known;
        }
        if values.len() >= Self::MAX {
            return "other";
        }
        let stored: &'static str = Box::leak(value.into());
        values.insert(stored);
        stored
    }
}

/// Seconds from 0.5 ms to ~16 s.
fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.0005, 2.0, 16)
}

/// Time spent waiting for a pooled database connection. sqlx reports it as a
/// tracing event (`sqlx::pool::acquire`), which [`crate::telemetry`] turns into
/// this one process-wide histogram; every registry shows it.
pub static DB_ACQUIRE_WAIT: LazyLock<Histogram> = LazyLock::new(|| Histogram::new(latency_buckets()));

/// Every metric the server keeps.
#[derive(Debug)]
pub struct Metrics {
    /// False with `METRICS_ENABLED=false`: nothing is recorded and `/metrics` is 404.
    pub enabled: bool,
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram>,
    trpc_calls: Family<CallLabels, Counter>,
    trpc_duration: Family<ProcedureLabels, Histogram>,
    rate_limited: Family<LimiterLabels, Counter>,
    /// 1 while rate limits use in-process counters because Redis is unreachable.
    pub redis_fallback: Gauge,
    /// Redis outages seen (each logged once).
    pub redis_outages: Counter,
    sign_ins: Family<ResultLabels, Counter>,
    session_lookups: Family<ResultLabels, Counter>,
    /// Sessions in the session cache (read at scrape time).
    pub session_cache_entries: Gauge,
    /// 1 while the session cache is bypassed (its PostgreSQL listener is down).
    pub session_cache_bypassed: Gauge,
    /// Open subscriptions (SSE streams).
    pub open_subscriptions: Gauge,
    storage_ops: Family<StorageLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    labels: Interned,
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new(enabled: bool, pool_max: u32) -> Self {
        let mut registry = Registry::default();
        let new_histograms = || Histogram::new(latency_buckets());
        let metrics = Self {
            enabled,
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(new_histograms),
            trpc_calls: Family::default(),
            trpc_duration: Family::new_with_constructor(new_histograms),
            rate_limited: Family::default(),
            redis_fallback: Gauge::default(),
            redis_outages: Counter::default(),
            sign_ins: Family::default(),
            session_lookups: Family::default(),
            session_cache_entries: Gauge::default(),
            session_cache_bypassed: Gauge::default(),
            open_subscriptions: Gauge::default(),
            storage_ops: Family::default(),
            pool_connections: Family::default(),
            pool_max: Gauge::default(),
            labels: Interned::default(),
            registry: Registry::default(),
        };
        metrics.pool_max.set(i64::from(pool_max));
        {
            let app = registry.sub_registry_with_prefix("nextstack");
            app.register(
                "http_requests",
                "HTTP responses by method, route template and status",
                metrics.http_requests.clone(),
            );
            app.register("http_request_duration_seconds", "HTTP request latency", metrics.http_duration.clone());
            app.register("trpc_calls", "tRPC calls by procedure, type and result code", metrics.trpc_calls.clone());
            app.register("trpc_call_duration_seconds", "tRPC call latency", metrics.trpc_duration.clone());
            app.register("rate_limit_rejections", "Requests refused by a rate limiter", metrics.rate_limited.clone());
            app.register(
                "rate_limit_redis_fallback",
                "1 while rate limits count in process because Redis is unreachable",
                metrics.redis_fallback.clone(),
            );
            app.register("rate_limit_redis_outages", "Redis outages seen", metrics.redis_outages.clone());
            app.register("sign_ins", "Email sign-in attempts by result", metrics.sign_ins.clone());
            app.register(
                "session_lookups",
                "Sessions looked up for tRPC calls: hit (cache), miss (database, then kept), bypass (database, cache not in use)",
                metrics.session_lookups.clone(),
            );
            app.register(
                "session_cache_entries",
                "Sessions in the session cache",
                metrics.session_cache_entries.clone(),
            );
            app.register(
                "session_cache_bypassed",
                "1 while the session cache is bypassed because its PostgreSQL listener is down",
                metrics.session_cache_bypassed.clone(),
            );
            app.register("sse_open_subscriptions", "Open subscriptions (SSE)", metrics.open_subscriptions.clone());
            app.register("storage_operations", "Storage operations by kind and result", metrics.storage_ops.clone());
            app.register("db_pool_connections", "Database pool connections by state", metrics.pool_connections.clone());
            app.register("db_pool_max_connections", "Largest size of the database pool", metrics.pool_max.clone());
            app.register(
                "db_pool_acquire_wait_seconds",
                "Time spent waiting for a pooled database connection",
                DB_ACQUIRE_WAIT.clone(),
            );
        }
        process::register(&mut registry);
        Self { registry, ..metrics }
    }

    /// One HTTP response.
    pub fn http(&self, method: &http::Method, route: Option<&str>, status: u16, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        let method = method_label(method);
        let route = route.map_or("unmatched", |r| self.labels.get(r));
        self.http_duration.get_or_create(&RouteLabels { method, route }).observe(elapsed.as_secs_f64());
        self.http_requests.get_or_create(&HttpLabels { method, route, status }).inc();
    }

    /// One tRPC call (`procedure` is `None` for a path no procedure has).
    pub fn trpc_call(&self, procedure: Option<&str>, kind: &'static str, code: &'static str, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        let procedure = procedure.map_or("unknown", |p| self.labels.get(p));
        let timing = ProcedureLabels { procedure, r#type: kind };
        self.trpc_duration.get_or_create(&timing).observe(elapsed.as_secs_f64());
        self.trpc_calls.get_or_create(&CallLabels { procedure, r#type: kind, code }).inc();
    }

    /// A request refused by `limiter` (`trpc`, `auth`, `upload`).
    pub fn rate_limited(&self, limiter: &'static str) {
        if self.enabled {
            self.rate_limited.get_or_create(&LimiterLabels { limiter }).inc();
        }
    }

    /// An email sign-in: `success`, `invalid_credentials`, …
    pub fn sign_in(&self, result: &'static str) {
        if self.enabled {
            self.sign_ins.get_or_create(&ResultLabels { result }).inc();
        }
    }

    /// A session looked up for a tRPC call: `hit`, `miss` or `bypass`.
    pub fn session_lookup(&self, result: &'static str) {
        if self.enabled {
            self.session_lookups.get_or_create(&ResultLabels { result }).inc();
        }
    }

    /// A storage operation and whether it worked.
    pub fn storage(&self, operation: &'static str, ok: bool) {
        if self.enabled {
            let result = if ok { "ok" } else { "error" };
            self.storage_ops.get_or_create(&StorageLabels { operation, result }).inc();
        }
    }

    /// The text exposition (OpenMetrics), with pool and process figures read now.
    pub fn render(&self, db: &DatabaseConnection) -> Result<String, std::fmt::Error> {
        let (size, idle) = pool_size(db);
        self.pool_connections.get_or_create(&PoolLabels { state: "in_use" }).set(i64::from(size.saturating_sub(idle)));
        self.pool_connections.get_or_create(&PoolLabels { state: "idle" }).set(i64::from(idle));
        let mut out = String::with_capacity(16 * 1024);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Open and idle connections of the pool.
fn pool_size(db: &DatabaseConnection) -> (u32, u32) {
    use sea_orm::DbBackend;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
        _ => (0, 0),
    }
}

fn method_label(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        http::Method::PATCH => "PATCH",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
