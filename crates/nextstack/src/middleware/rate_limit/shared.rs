//! The store with `REDIS_URL` set: Redis while it answers, this process's own
//! counters while it does not (still protective, per process). An outage is
//! logged once when it starts and once when it ends, and shown by the
//! `nextstack_rate_limit_redis_fallback` gauge and `/ready`; a background
//! probe notices Redis is back and shared counting resumes without a restart.
//! No request ever fails or waits long because of Redis.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use super::redis::{COMMAND_TIMEOUT, RedisStore};
use super::{Hit, MemoryStore, RateLimitStore};
use crate::metrics::Metrics;

/// How long a first connection (TCP, TLS, handshake) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How often an unreachable Redis is tried again.
const PROBE_EVERY: Duration = Duration::from_millis(500);

/// Redis, or the in-process fallback.
pub struct SharedStore {
    redis: OnceCell<RedisStore>,
    local: MemoryStore,
    /// True while Redis is unreachable (requests use `local`).
    down: AtomicBool,
    metrics: Arc<Metrics>,
}

impl SharedStore {
    /// Starts connecting to `url` in the background (the server starts without
    /// waiting: until Redis answers, the fallback counts) and keeps probing it.
    pub fn start(url: String, prefix: String, metrics: Arc<Metrics>) -> Arc<Self> {
        let store = Arc::new(Self {
            redis: OnceCell::new(),
            local: MemoryStore::default(),
            down: AtomicBool::new(true),
            metrics,
        });
        store.metrics.redis_fallback.set(1);
        let weak = Arc::downgrade(&store);
        tokio::spawn(async move {
            let mut first = true;
            loop {
                let Some(store) = weak.upgrade() else { return };
                let reachable = match store.redis.get() {
                    Some(_) => store.ping().await,
                    None => match tokio::time::timeout(CONNECT_TIMEOUT, RedisStore::connect(&url, &prefix)).await {
                        Ok(Ok(redis)) => store.redis.set(redis).is_ok(),
                        Ok(Err(err)) => {
                            tracing::debug!(error = %err, "Redis connection failed");
                            false
                        }
                        Err(_) => false,
                    },
                };
                if reachable {
                    if store.down.swap(false, Ordering::AcqRel) {
                        store.metrics.redis_fallback.set(0);
                        if !first {
                            tracing::warn!("Redis is reachable again: rate limits are shared again");
                        }
                    }
                } else if first || !store.down.swap(true, Ordering::AcqRel) {
                    store.went_down();
                }
                first = false;
                drop(store);
                tokio::time::sleep(PROBE_EVERY).await;
            }
        });
        store
    }

    /// True while requests are counted in process.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    /// Redis answers `PING` now (for `/ready`).
    pub async fn ping(&self) -> bool {
        match self.redis.get() {
            Some(redis) => tokio::time::timeout(COMMAND_TIMEOUT, redis.ping()).await.is_ok_and(|r| r.is_ok()),
            None => false,
        }
    }

    fn went_down(&self) {
        self.metrics.redis_fallback.set(1);
        self.metrics.redis_outages.inc();
        tracing::warn!("Redis is unreachable: rate limits use this process's counters until it answers");
    }
}

impl RateLimitStore for SharedStore {
    fn hit<'a>(&'a self, key: &'a str, window: Duration, cost: u64) -> BoxFuture<'a, anyhow::Result<Hit>> {
        Box::pin(async move {
            if let (false, Some(redis)) = (self.is_down(), self.redis.get()) {
                match tokio::time::timeout(COMMAND_TIMEOUT, redis.hit(key, window, cost)).await {
                    Ok(Ok(hit)) => return Ok(hit),
                    // First failure of an outage: say so once; the probe brings Redis back.
                    _ => {
                        if !self.down.swap(true, Ordering::AcqRel) {
                            self.went_down();
                        }
                    }
                }
            }
            self.local.hit(key, window, cost).await
        })
    }
}
