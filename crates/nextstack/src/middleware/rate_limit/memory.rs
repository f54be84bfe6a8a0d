//! Counters in this process's memory: the store without `REDIS_URL`, and the
//! fallback while Redis is unreachable.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::{Hit, RateLimitStore};

/// Keys tracked at most. Past this (after expired windows are dropped), new
/// clients share one window: they are limited together rather than the map
/// growing without bound, and no live window is ever forgotten (forgetting one
/// would reset that client's count).
const MAX_TRACKED_KEYS: usize = 100_000;
const OVERFLOW_KEY: &str = "\0overflow";

/// Counters in this process's memory.
#[derive(Default)]
pub struct MemoryStore {
    windows: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    by_key: HashMap<String, (u64, Instant)>,
    /// Size at which expired windows are next swept; doubling it after each
    /// sweep keeps the cost amortised O(1) even when every window is live.
    sweep_at: usize,
    /// When the map is full of live windows, it is swept again once a window has passed.
    swept: Option<Instant>,
}

impl MemoryStore {
    fn hit_now(&self, key: &str, window: Duration, cost: u64, now: Instant) -> Hit {
        let mut guard = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Windows { by_key: windows, sweep_at, swept } = &mut *guard;
        let full_and_stale =
            windows.len() >= MAX_TRACKED_KEYS && swept.is_none_or(|at| now.duration_since(at) >= window);
        if windows.len() >= (*sweep_at).max(10_000) || full_and_stale {
            windows.retain(|_, (_, start)| now.duration_since(*start) < window);
            *sweep_at = windows.len() * 2;
            *swept = Some(now);
        }
        let count = |entry: &mut (u64, Instant)| {
            if now.duration_since(entry.1) >= window {
                *entry = (0, now);
            }
            entry.0 = entry.0.saturating_add(cost);
            Hit { count: entry.0, reset_after: window.saturating_sub(now.duration_since(entry.1)) }
        };
        // Look up before inserting: the common case (a known client) allocates nothing.
        if let Some(entry) = windows.get_mut(key) {
            return count(entry);
        }
        let key = if windows.len() >= MAX_TRACKED_KEYS { OVERFLOW_KEY } else { key };
        count(windows.entry(key.to_string()).or_insert((0, now)))
    }
}

impl RateLimitStore for MemoryStore {
    fn hit<'a>(&'a self, key: &'a str, window: Duration, cost: u64) -> BoxFuture<'a, anyhow::Result<Hit>> {
        let hit = self.hit_now(key, window, cost, Instant::now());
        Box::pin(async move { Ok(hit) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_then_resets() {
        let store = MemoryStore::default();
        let t0 = Instant::now();
        let w = Duration::from_secs(10);
        assert_eq!(store.hit_now("a", w, 1, t0).count, 1);
        assert_eq!(store.hit_now("a", w, 3, t0 + Duration::from_secs(1)).count, 4, "a batch costs its calls");
        assert_eq!(store.hit_now("b", w, 1, t0).count, 1);
        let after = store.hit_now("a", w, 1, t0 + Duration::from_secs(10));
        assert_eq!(after.count, 1);
        assert_eq!(after.reset_after, w);
    }

    #[test]
    fn the_map_is_bounded_and_expired_windows_are_dropped() {
        let store = MemoryStore::default();
        let t0 = Instant::now();
        let w = Duration::from_secs(10);
        for i in 0..MAX_TRACKED_KEYS + 500 {
            store.hit_now(&format!("k{i}"), w, 1, t0);
        }
        let tracked = store.windows.lock().unwrap().by_key.len();
        assert!(tracked <= MAX_TRACKED_KEYS + 1, "bounded: {tracked}");
        // Newcomers past the cap are counted together.
        assert!(store.hit_now("late-1", w, 1, t0).count > 1);
        // Once the windows expire they are swept and newcomers get their own again.
        let later = t0 + Duration::from_secs(11);
        store.hit_now("fresh", w, 1, later);
        assert_eq!(store.hit_now("fresh-2", w, 1, later).count, 1);
        assert!(store.windows.lock().unwrap().by_key.len() < 10);
    }
}
