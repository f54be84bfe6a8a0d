//! Order change events for `main.order.onChange`: published after each order
//! write, kept for five minutes so a reconnecting subscriber resumes after its
//! last event id without missing any.
//!
//! On SQLite (one process) events stay in process. On PostgreSQL every event
//! goes through `NOTIFY`, and every process `LISTEN`s and feeds its own hub, so
//! a subscriber on any process sees changes made through any other. PostgreSQL
//! delivers notifications in commit order to every listener, so all processes
//! hold the same history in the same order; a resume replays what follows the
//! last event id in that order.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::wire::order::OrderStatus;
use crate::wire::time::IsoTime;

/// A listener on `channel`.
async fn listen(pool: &sea_orm::sqlx::PgPool, channel: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

/// How long events stay available for resuming.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Live events a slow subscriber may fall behind by before it is told to reconnect (and replay).
const CHANNEL_CAPACITY: usize = 1024;

/// `{id, status, buyerId, sellerId, updatedAt}`: one change of an order.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderChange {
    /// The order.
    pub id: String,
    /// Its status after the change.
    pub status: OrderStatus,
    /// The buyer.
    pub buyer_id: String,
    /// The seller.
    pub seller_id: String,
    /// When it changed.
    pub updated_at: IsoTime,
}

/// A published change with its event id (ordered: later events sort after earlier ones).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderEvent {
    /// `<unix millis, 13 digits>-<sequence, 9 digits>`.
    pub event_id: String,
    /// The change.
    pub change: OrderChange,
}

/// The publish/subscribe hub.
pub struct OrderEvents {
    live: broadcast::Sender<OrderEvent>,
    history: Mutex<VecDeque<(Instant, OrderEvent)>>,
    sequence: AtomicU64,
    /// Tells this process's event ids from other processes' (equal clocks, equal sequence numbers).
    origin: String,
    /// PostgreSQL fan-out: the pool and the NOTIFY channel.
    fanout: Option<(DatabaseConnection, String)>,
}

impl Default for OrderEvents {
    fn default() -> Self {
        Self::new(None)
    }
}

impl OrderEvents {
    /// A hub; with `fanout`, events travel through PostgreSQL `NOTIFY` on that channel.
    pub fn new(fanout: Option<(DatabaseConnection, String)>) -> Self {
        let origin = format!("{:08x}", rand::random::<u32>());
        Self {
            live: broadcast::channel(CHANNEL_CAPACITY).0,
            history: Mutex::default(),
            sequence: AtomicU64::new(0),
            origin,
            fanout,
        }
    }

    /// The hub for a database: fan-out through PostgreSQL when on PostgreSQL, one
    /// channel per schema (tests run side by side on one database).
    pub fn for_database(db: &DatabaseConnection, schema: Option<&str>) -> Self {
        if db.get_database_backend() != DbBackend::Postgres {
            return Self::new(None);
        }
        let channel = match schema {
            Some(schema) => format!("nextstack_order_events_{schema}"),
            None => "nextstack_order_events".to_string(),
        };
        Self::new(Some((db.clone(), channel)))
    }

    /// Starts listening for other processes' events; returns once `LISTEN` is in place,
    /// so nothing published after this returns is missed. A lost connection is re-opened.
    pub async fn start_fanout(self: &std::sync::Arc<Self>) -> Result<(), sea_orm::sqlx::Error> {
        let Some((db, channel)) = self.fanout.clone() else { return Ok(()) };
        let pool = db.get_postgres_connection_pool().clone();
        let mut listener = listen(&pool, &channel).await?;
        let hub = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => {
                        let Some(hub) = hub.upgrade() else { return };
                        match serde_json::from_str::<OrderEvent>(notification.payload()) {
                            Ok(event) => hub.receive(event),
                            Err(err) => tracing::warn!(error = %err, "unreadable order event notification"),
                        }
                    }
                    Err(err) => {
                        // The pool is closing (shutdown): give the connection back so `close` can finish.
                        if matches!(err, sea_orm::sqlx::Error::PoolClosed) || pool.is_closed() {
                            return;
                        }
                        tracing::warn!(error = %err, "order event listener lost its connection; reconnecting");
                        // sqlx re-opens a connection it knows to be dead, but keeps one that failed
                        // otherwise (a TLS stream cut mid-read): start over with a new listener.
                        listener = loop {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            if hub.strong_count() == 0 || pool.is_closed() {
                                return;
                            }
                            match listen(&pool, &channel).await {
                                Ok(fresh) => break fresh,
                                Err(err) => tracing::debug!(error = %err, "order event listener: still no connection"),
                            }
                        };
                        tracing::info!("order event listener reconnected");
                    }
                }
            }
        });
        Ok(())
    }

    /// Stamps a change with an event id and sends it to every subscriber (on every
    /// process, with fan-out). A failed NOTIFY still reaches this process's subscribers.
    pub async fn publish(&self, change: OrderChange) {
        let event = OrderEvent { event_id: self.next_event_id(), change };
        if let Some((db, channel)) = &self.fanout {
            let payload = serde_json::to_string(&event).unwrap_or_default();
            let notify = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [channel.clone().into(), payload.into()],
            );
            match db.execute_raw(notify).await {
                Ok(_) => return, // comes back through the listener, in commit order
                Err(err) => tracing::warn!(error = %err, "order event NOTIFY failed; delivering locally only"),
            }
        }
        self.receive(event);
    }

    /// A new event id: `<unix millis>-<sequence>-<process>`, increasing within a process.
    pub fn next_event_id(&self) -> String {
        let millis = chrono::Utc::now().timestamp_millis().max(0);
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) % 1_000_000_000;
        format!("{millis:013}-{seq:09}-{}", self.origin)
    }

    /// The PostgreSQL `NOTIFY` channel, when events fan out through PostgreSQL.
    pub fn fanout_channel(&self) -> Option<&str> {
        self.fanout.as_ref().map(|(_, channel)| channel.as_str())
    }

    /// Records and broadcasts an event (from this process or, with fan-out, from any).
    fn receive(&self, event: OrderEvent) {
        let now = Instant::now();
        let mut history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while history.front().is_some_and(|(at, _)| now.duration_since(*at) > REPLAY_WINDOW) {
            history.pop_front();
        }
        history.push_back((now, event.clone()));
        // Sent under the lock: a subscriber registering at the same time sees the event
        // either in its replay or live, never both, never neither.
        let _ = self.live.send(event);
    }

    /// Events after `last_event_id` still in the replay window, and the live feed from then on.
    pub fn subscribe(&self, last_event_id: Option<&str>) -> (Vec<OrderEvent>, broadcast::Receiver<OrderEvent>) {
        let history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let replay = match last_event_id {
            None => Vec::new(),
            // What followed the last seen event, in the order this hub received them;
            // an id no longer (or never) here falls back to comparing ids.
            Some(last) => match history.iter().position(|(_, e)| e.event_id == last) {
                Some(at) => history.iter().skip(at + 1).map(|(_, e)| e.clone()).collect(),
                None => history.iter().filter(|(_, e)| e.event_id.as_str() > last).map(|(_, e)| e.clone()).collect(),
            },
        };
        (replay, self.live.subscribe())
    }

    /// True when an event may have a subscriber: always with fan-out (other processes
    /// may listen), else when someone listens here. Placing an order looks up the
    /// seller for its event only then.
    pub fn wanted(&self) -> bool {
        self.fanout.is_some() || self.live.receiver_count() > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str) -> OrderChange {
        OrderChange {
            id: id.into(),
            status: OrderStatus::Pending,
            buyer_id: "b".into(),
            seller_id: "s".into(),
            updated_at: IsoTime(chrono::Utc::now().naive_utc()),
        }
    }

    #[tokio::test]
    async fn resume_replays_only_what_came_after() {
        let events = OrderEvents::default();
        events.publish(change("o1")).await;
        let (replay, _) = events.subscribe(None);
        assert!(replay.is_empty(), "a fresh subscriber starts live");
        let (_, mut live) = events.subscribe(None);
        events.publish(change("o2")).await;
        events.publish(change("o3")).await;
        let first = live.try_recv().unwrap();
        assert_eq!(first.change.id, "o2");
        let (replay, _) = events.subscribe(Some(&first.event_id));
        assert_eq!(replay.iter().map(|e| e.change.id.as_str()).collect::<Vec<_>>(), ["o3"]);
    }
}
