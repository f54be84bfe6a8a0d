//! Counters in this process's memory: the store without `REDIS_URL`, and the
//! fallback while Redis is unreachable.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::{Hit, RateLimitStore};

/// Keys tracked at most. Past this, once expired windows are dropped, the
/// oldest tenth of the live ones go: the map stays bounded, newcomers are
/// counted on their own (one flooding client cannot make every newcomer share
/// a window), and resetting one's own count takes ~10 000 fresh keys first.
const MAX_TRACKED_KEYS: usize = 100_000;

/// Counters in this process's memory.
#[derive(Default)]
pub struct MemoryStore {
    windows: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    /// Count, window start, window length (limiters with different windows share the map).
    by_key: HashMap<String, (u64, Instant, Duration)>,
    /// Size at which expired windows are next swept; doubling it after each
    /// sweep keeps the cost amortised O(1) even when every window is live.
    sweep_at: usize,
    /// When a large map was last swept (it is swept again once a window has passed).
    swept: Option<Instant>,
}

impl MemoryStore {
    fn hit_now(&self, key: &str, window: Duration, cost: u64, now: Instant) -> Hit {
        let mut guard = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Windows { by_key: windows, sweep_at, swept } = &mut *guard;
        // A large map is also swept once per window, so expired entries do not linger until it doubles.
        let large_and_stale = windows.len() >= 10_000 && swept.is_none_or(|at| now.duration_since(at) >= window);
        if windows.len() >= (*sweep_at).max(10_000) || large_and_stale {
            windows.retain(|_, (_, start, length)| now.duration_since(*start) < *length);
            *sweep_at = windows.len() * 2;
            *swept = Some(now);
        }
        if windows.len() >= MAX_TRACKED_KEYS && !windows.contains_key(key) {
            evict_oldest(windows, MAX_TRACKED_KEYS / 10);
        }
        let count = |entry: &mut (u64, Instant, Duration)| {
            if now.duration_since(entry.1) >= window {
                *entry = (0, now, window);
            }
            entry.0 = entry.0.saturating_add(cost);
            Hit { count: entry.0, reset_after: window.saturating_sub(now.duration_since(entry.1)) }
        };
        // Look up before inserting: the common case (a known client) allocates nothing.
        if let Some(entry) = windows.get_mut(key) {
            return count(entry);
        }
        count(windows.entry(key.to_string()).or_insert((0, now, window)))
    }
}

/// Drops the `n` windows that started first (one O(n) pass, every `n` inserts).
fn evict_oldest(windows: &mut HashMap<String, (u64, Instant, Duration)>, n: usize) {
    let mut starts: Vec<Instant> = windows.values().map(|(_, start, _)| *start).collect();
    let n = n.min(starts.len().saturating_sub(1));
    let (_, cutoff, _) = starts.select_nth_unstable(n);
    let cutoff = *cutoff;
    let mut left = n;
    windows.retain(|_, (_, start, _)| {
        if left > 0 && *start <= cutoff {
            left -= 1;
            return false;
        }
        true
    });
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
    fn a_sweep_keeps_live_windows_of_longer_limiters() {
        let store = MemoryStore::default();
        let t0 = Instant::now();
        let (short, long) = (Duration::from_secs(60), Duration::from_secs(900));
        store.hit_now("trpc:a", long, 5, t0);
        for i in 0..10_000 {
            store.hit_now(&format!("auth:{i}"), short, 1, t0);
        }
        // Two minutes on, an auth hit sweeps: the auth windows are gone, the /trpc one is not.
        store.hit_now("auth:new", short, 1, t0 + Duration::from_secs(120));
        assert_eq!(store.hit_now("trpc:a", long, 1, t0 + Duration::from_secs(121)).count, 6);
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
        assert!(tracked <= MAX_TRACKED_KEYS, "bounded: {tracked}");
        // Newcomers past the cap are still counted on their own.
        assert_eq!(store.hit_now("late-1", w, 1, t0).count, 1);
        assert_eq!(store.hit_now("late-1", w, 1, t0).count, 2);
        // Once the windows expire they are swept and newcomers get their own again.
        let later = t0 + Duration::from_secs(11);
        store.hit_now("fresh", w, 1, later);
        assert_eq!(store.hit_now("fresh-2", w, 1, later).count, 1);
        assert!(store.windows.lock().unwrap().by_key.len() < 10);
    }
}
