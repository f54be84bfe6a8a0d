//! Validated sessions kept in process, so an authenticated request needs no
//! database round trip to know its caller (PROTOCOL.md decision 7).
//!
//! The database decides when an entry is void. On PostgreSQL every change that
//! can end a session (a `"Session"` row deleted or given a new expiry or
//! token, a `"User"` deleted or given another role) fires a trigger that
//! `NOTIFY`s every process ([`crate::notices`]); on SQLite this server is the
//! only writer and evicts on its own writes. Either way the process that makes
//! a change evicts before it answers, so its next request already sees it.
//! While the PostgreSQL listener is down the cache is bypassed, and it is
//! emptied when the listener is back (what happened in between was missed).
//! Entries also expire after `SESSION_CACHE_TTL_MS` and by the session's own
//! `expiresAt`.
//!
//! Eviction by session or user works through tombstones rather than an index
//! from ids to cache keys: every lookup that starts a database read takes a
//! [`Ticket`] (a tick of a logical clock), the entry it stores remembers that
//! tick, and a revocation records the tick at which it happened. An entry born
//! before a revocation of its session or user is void. This also closes the
//! race of a read that started before a revocation and stores its (stale)
//! result after the revocation was seen.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use moka::sync::Cache;
use sha2::{Digest, Sha256};

use crate::notices::Listener;
use crate::services::session::SessionHolder;

/// A read that started before this long ago stores nothing: it may have raced
/// a revocation whose tombstone is gone by the time it would store.
const MAX_READ_AGE: Duration = Duration::from_secs(10);

/// Revocations remembered at once; beyond, the whole cache is emptied instead
/// (a mass sign-out is rare, and correct either way).
const MAX_TOMBSTONES: usize = 100_000;

/// The PostgreSQL channel the triggers notify for tables in `schema`.
pub fn channel(schema: &str) -> String {
    format!("nextstack_sessions_{schema}")
}

/// When a database read began, in the cache's logical time.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    tick: u64,
    at: Instant,
}

#[derive(Debug)]
struct Entry {
    session: SessionHolder,
    born: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Session(String),
    User(String),
}

/// When each session or user was last revoked, oldest first in `order`.
#[derive(Debug, Default)]
struct Tombstones {
    sessions: HashMap<String, u64>,
    users: HashMap<String, u64>,
    order: VecDeque<(Instant, Subject)>,
}

impl Tombstones {
    fn len(&self) -> usize {
        self.sessions.len() + self.users.len()
    }

    fn remove(&mut self, subject: &Subject) {
        match subject {
            Subject::Session(id) => self.sessions.remove(id),
            Subject::User(id) => self.users.remove(id),
        };
    }
}

/// The cache (one per process).
pub struct SessionCache {
    /// `None` with `SESSION_CACHE_TTL_MS=0`: every request asks the database.
    entries: Option<Cache<[u8; 32], Arc<Entry>>>,
    /// How long tombstones must outlive the entries they void.
    keep_tombstones: Duration,
    tombstones: Mutex<Tombstones>,
    clock: AtomicU64,
    /// Entries born before this tick are void (the cache was emptied then).
    valid_from: AtomicU64,
    /// False while changes may go unseen (the PostgreSQL listener is down): bypass.
    trusted: AtomicBool,
    /// Sessions whose extension is under way (at most one each).
    refreshing: Mutex<HashSet<String>>,
}

impl SessionCache {
    /// A cache of at most `capacity` sessions, each kept at most `ttl`
    /// (`Duration::ZERO`: no cache). `trusted` is false for a process that
    /// learns of others' changes only through a listener not yet connected.
    pub fn new(ttl: Duration, capacity: u64, trusted: bool) -> Self {
        let entries = (!ttl.is_zero()).then(|| Cache::builder().max_capacity(capacity).time_to_live(ttl).build());
        Self {
            entries,
            keep_tombstones: ttl + MAX_READ_AGE,
            tombstones: Mutex::default(),
            clock: AtomicU64::new(1),
            valid_from: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
            refreshing: Mutex::default(),
        }
    }

    /// False when every request must ask the database (no cache, or bypassed).
    pub fn is_serving(&self) -> bool {
        self.entries.is_some() && self.trusted.load(Ordering::Acquire)
    }

    /// The live cached session for `token`, if any.
    pub fn get(&self, token: &str, now: NaiveDateTime) -> Option<SessionHolder> {
        if !self.is_serving() {
            return None;
        }
        let entries = self.entries.as_ref()?;
        let key = key(token);
        let entry = entries.get(&key)?;
        if entry.session.expires_at <= now || self.is_void(&entry) {
            entries.invalidate(&key);
            return None;
        }
        Some(entry.session.clone())
    }

    /// Call before reading a session from the database; hand the ticket to [`insert`](Self::insert).
    pub fn ticket(&self) -> Ticket {
        Ticket { tick: self.clock.load(Ordering::Acquire), at: Instant::now() }
    }

    /// Keeps what a database read that began at `ticket` found for `token`
    /// (unless a revocation since then voids it, or the cache is bypassed).
    pub fn insert(&self, token: &str, session: SessionHolder, ticket: Ticket) {
        let Some(entries) = &self.entries else { return };
        if !self.trusted.load(Ordering::Acquire) || ticket.at.elapsed() > MAX_READ_AGE {
            return;
        }
        let entry = Arc::new(Entry { session, born: ticket.tick });
        if !self.is_void(&entry) {
            entries.insert(key(token), entry);
        }
    }

    /// Forgets `token` at once (its holder signed out here).
    pub fn forget_token(&self, token: &str) {
        if let Some(entries) = &self.entries {
            entries.invalidate(&key(token));
        }
    }

    /// Voids every entry of this session.
    pub fn revoke_session(&self, session_id: &str) {
        self.revoke(Subject::Session(session_id.to_string()));
    }

    /// Voids every entry of this user's sessions (deleted, or their role changed).
    pub fn revoke_user(&self, user_id: &str) {
        self.revoke(Subject::User(user_id.to_string()));
    }

    /// Voids every entry.
    pub fn revoke_all(&self) {
        let tick = self.clock.fetch_add(1, Ordering::AcqRel) + 1;
        self.valid_from.store(tick, Ordering::Release);
        let mut tombstones = self.tombstones.lock().unwrap_or_else(|p| p.into_inner());
        *tombstones = Tombstones::default();
        drop(tombstones);
        if let Some(entries) = &self.entries {
            entries.invalidate_all();
        }
    }

    /// Entries held now (after pending evictions ran), for `/metrics`.
    pub fn len(&self) -> u64 {
        self.entries.as_ref().map_or(0, |entries| {
            entries.run_pending_tasks();
            entries.entry_count()
        })
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Claims the extension of `session_id`; `false` when one is already under way.
    pub fn start_refresh(&self, session_id: &str) -> bool {
        self.refreshing.lock().unwrap_or_else(|p| p.into_inner()).insert(session_id.to_string())
    }

    /// Releases the claim of [`start_refresh`](Self::start_refresh).
    pub fn end_refresh(&self, session_id: &str) {
        self.refreshing.lock().unwrap_or_else(|p| p.into_inner()).remove(session_id);
    }

    fn revoke(&self, subject: Subject) {
        let tick = self.clock.fetch_add(1, Ordering::AcqRel) + 1;
        let mut tombstones = self.tombstones.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while tombstones.order.front().is_some_and(|(at, _)| now.duration_since(*at) > self.keep_tombstones) {
            if let Some((_, old)) = tombstones.order.pop_front() {
                tombstones.remove(&old);
            }
        }
        if tombstones.len() >= MAX_TOMBSTONES {
            drop(tombstones);
            self.revoke_all();
            return;
        }
        match &subject {
            Subject::Session(id) => tombstones.sessions.insert(id.clone(), tick),
            Subject::User(id) => tombstones.users.insert(id.clone(), tick),
        };
        tombstones.order.push_back((now, subject));
    }

    fn is_void(&self, entry: &Entry) -> bool {
        if entry.born < self.valid_from.load(Ordering::Acquire) {
            return true;
        }
        let tombstones = self.tombstones.lock().unwrap_or_else(|p| p.into_inner());
        let revoked_since = |at: Option<&u64>| at.is_some_and(|&tick| tick > entry.born);
        revoked_since(tombstones.sessions.get(&entry.session.session_id))
            || revoked_since(tombstones.users.get(&entry.session.user_id))
    }
}

impl Listener for SessionCache {
    fn notified(&self, payload: &str) {
        match payload.split_once(':') {
            Some(("s", id)) => self.revoke_session(id),
            Some(("u", id)) => self.revoke_user(id),
            // Not ours to read: be safe.
            _ => self.revoke_all(),
        }
    }

    fn disconnected(&self) {
        self.trusted.store(false, Ordering::Release);
        tracing::warn!("session cache bypassed: changes by other processes cannot be seen until the listener is back");
    }

    fn reconnected(&self) {
        // Whatever changed while nobody listened is unknown: start empty.
        self.revoke_all();
        self.trusted.store(true, Ordering::Release);
        tracing::info!("session cache in use (listening for session changes)");
    }
}

/// Sessions are keyed by a hash of their token, so the cache never holds a token.
fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::user::Role;

    fn session(id: &str, user: &str) -> SessionHolder {
        let now = nextstack_entity::now();
        SessionHolder {
            session_id: id.into(),
            user_id: user.into(),
            role: Role::User,
            expires_at: now + chrono::Duration::days(7),
            created_at: now,
        }
    }

    fn cache() -> SessionCache {
        SessionCache::new(Duration::from_secs(60), 100, true)
    }

    #[test]
    fn a_revocation_voids_the_session_and_the_user_sessions() {
        let cache = cache();
        let now = nextstack_entity::now();
        cache.insert("t1", session("s1", "u1"), cache.ticket());
        cache.insert("t2", session("s2", "u1"), cache.ticket());
        cache.insert("t3", session("s3", "u2"), cache.ticket());
        assert!(cache.get("t1", now).is_some());
        cache.revoke_session("s1");
        assert!(cache.get("t1", now).is_none());
        assert!(cache.get("t2", now).is_some());
        cache.revoke_user("u1");
        assert!(cache.get("t2", now).is_none());
        assert!(cache.get("t3", now).is_some());
        // A read after the revocation may be kept again.
        cache.insert("t2", session("s2", "u1"), cache.ticket());
        assert!(cache.get("t2", now).is_some());
    }

    #[test]
    fn a_read_that_raced_a_revocation_is_not_kept() {
        let cache = cache();
        let ticket = cache.ticket();
        cache.revoke_session("s1"); // committed while the read was under way
        cache.insert("t1", session("s1", "u1"), ticket);
        assert!(cache.get("t1", nextstack_entity::now()).is_none());
    }

    #[test]
    fn bypassed_until_trusted_and_emptied_on_reconnect() {
        let cache = SessionCache::new(Duration::from_secs(60), 100, false);
        cache.insert("t1", session("s1", "u1"), cache.ticket());
        assert!(cache.get("t1", nextstack_entity::now()).is_none(), "nothing kept while untrusted");
        cache.reconnected();
        cache.insert("t1", session("s1", "u1"), cache.ticket());
        assert!(cache.get("t1", nextstack_entity::now()).is_some());
        cache.disconnected();
        assert!(cache.get("t1", nextstack_entity::now()).is_none(), "bypassed while the listener is down");
        cache.reconnected();
        assert!(cache.get("t1", nextstack_entity::now()).is_none(), "emptied on reconnect");
    }

    #[test]
    fn expired_sessions_and_a_zero_ttl_are_never_served() {
        let cache = cache();
        let mut expired = session("s1", "u1");
        expired.expires_at = nextstack_entity::now() - chrono::Duration::seconds(1);
        cache.insert("t1", expired, cache.ticket());
        assert!(cache.get("t1", nextstack_entity::now()).is_none());
        let off = SessionCache::new(Duration::ZERO, 100, true);
        off.insert("t1", session("s1", "u1"), off.ticket());
        assert!(!off.is_serving() && off.get("t1", nextstack_entity::now()).is_none());
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = SessionCache::new(Duration::from_secs(60), 10, true);
        for i in 0..100 {
            cache.insert(&format!("t{i}"), session(&format!("s{i}"), "u"), cache.ticket());
        }
        assert!(cache.len() <= 10, "{}", cache.len());
    }

    #[test]
    fn notices_name_what_changed() {
        let cache = cache();
        let now = nextstack_entity::now();
        cache.insert("t1", session("s1", "u1"), cache.ticket());
        cache.notified("u:u1");
        assert!(cache.get("t1", now).is_none());
        cache.insert("t1", session("s1", "u1"), cache.ticket());
        cache.notified("garbage");
        assert!(cache.get("t1", now).is_none(), "an unreadable notice empties the cache");
    }
}
