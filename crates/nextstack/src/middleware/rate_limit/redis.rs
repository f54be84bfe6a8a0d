//! Counters in Redis, shared by every process of a deployment: one round
//! trip per check (a Lua script: `INCRBY`, and `PEXPIRE` when the window is
//! new), keys under `RATE_LIMIT_PREFIX` so deployments can share one Redis.
//! `redis`'s `ConnectionManager` reconnects by itself; every command has a
//! short deadline, so an unreachable Redis costs a request milliseconds, not a hang.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::Hit;

/// How long one Redis command may take before the caller falls back.
pub const COMMAND_TIMEOUT: Duration = Duration::from_millis(250);

/// `INCRBY key cost`; a key without an expiry (a new window) gets `window` ms.
/// Returns the count and the milliseconds left in the window.
const HIT: &str = r"
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
";

/// A connection to Redis and the key prefix.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    script: redis::Script,
}

impl RedisStore {
    /// Connects (`redis://` or `rediss://`); fails when Redis cannot be reached now.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self { conn, prefix: prefix.to_string(), script: redis::Script::new(HIT) })
    }

    /// Counts `cost` for `key` in a window of `window`.
    pub async fn hit(&self, key: &str, window: Duration, cost: u64) -> redis::RedisResult<Hit> {
        let mut conn = self.conn.clone();
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        let (count, ttl_ms): (i64, i64) =
            self.script.key(format!("{}{key}", self.prefix)).arg(cost).arg(window_ms).invoke_async(&mut conn).await?;
        Ok(Hit {
            count: u64::try_from(count).unwrap_or(0),
            reset_after: Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)),
        })
    }

    /// `PING`: is Redis answering?
    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await.map(|_| ())
    }
}
