//! Order change events for `main.order.onChange`: published by each order
//! write inside its own transaction, kept for five minutes so a reconnecting
//! subscriber resumes after its last event id without missing any.
//!
//! One path for every write ([`OrderEvents::publish_in`], then
//! [`OrderEvents::committed`]): the service builds the change, the hub stamps
//! it with an event id and serializes it once with serde. On PostgreSQL the
//! JSON goes out with `NOTIFY` inside the write's transaction, so it is
//! delivered at commit, to every process (each `LISTEN`s and feeds its own
//! hub), and never for a write that rolled back; PostgreSQL delivers in commit
//! order, so all processes hold the same history in the same order. On SQLite
//! (one process) the event waits for the commit and then goes to this
//! process's subscribers.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::wire::order::OrderStatus;
use crate::wire::time::IsoTime;

/// How long events stay available for resuming.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The most events kept for resuming, whatever their age: the replay window
/// is also bounded in memory when writes are many (10 000 events are about
/// 3 MB). A subscriber resuming from an event no longer kept gets every kept
/// event after its id.
const REPLAY_CAPACITY: usize = 10_000;

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

impl OrderChange {
    /// The change an order write made, as its subscribers see it.
    pub fn of(order: &nextstack_entity::order::Model, seller_id: String) -> Self {
        Self {
            id: order.id.clone(),
            status: order.status,
            buyer_id: order.buyer_id.clone(),
            seller_id,
            updated_at: order.updated_at.into(),
        }
    }
}

/// A published change with its event id (ordered: later events sort after earlier ones).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderEvent {
    /// `<unix millis, 13 digits>-<sequence, 9 digits>`.
    pub event_id: String,
    /// The change.
    pub change: OrderChange,
}

/// An event published inside a transaction that has not committed yet; hand it
/// to [`OrderEvents::committed`] after the commit (dropping it drops the event,
/// as a rollback does).
#[must_use = "hand it to OrderEvents::committed once the transaction commits"]
#[derive(Debug)]
pub struct Staged(Option<OrderEvent>);

/// The publish/subscribe hub.
pub struct OrderEvents {
    live: broadcast::Sender<OrderEvent>,
    history: Mutex<VecDeque<(Instant, OrderEvent)>>,
    sequence: AtomicU64,
    /// Tells this process's event ids from other processes' (equal clocks, equal sequence numbers).
    origin: String,
    /// PostgreSQL fan-out: the NOTIFY channel.
    fanout: Option<String>,
}

impl Default for OrderEvents {
    fn default() -> Self {
        Self::new(None)
    }
}

impl OrderEvents {
    /// A hub; with `fanout`, events travel through PostgreSQL `NOTIFY` on that channel.
    pub fn new(fanout: Option<String>) -> Self {
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
        Self::new(Some(channel))
    }

    /// The PostgreSQL channel other processes' events arrive on (`None`: in process only).
    pub fn channel(&self) -> Option<&str> {
        self.fanout.as_deref()
    }

    /// Publishes `change` as part of the transaction `txn` is in. With fan-out
    /// the event leaves now, as a `NOTIFY` PostgreSQL holds until `txn` commits
    /// (and drops if it rolls back); without, it waits in the returned
    /// [`Staged`] for [`committed`](Self::committed).
    pub async fn publish_in(&self, txn: &impl ConnectionTrait, change: OrderChange) -> Result<Staged, DbErr> {
        let event = OrderEvent { event_id: self.next_event_id(), change };
        let Some(channel) = &self.fanout else { return Ok(Staged(Some(event))) };
        let payload = serde_json::to_string(&event).map_err(|e| DbErr::Custom(format!("order event: {e}")))?;
        let notify = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [channel.clone().into(), payload.into()],
        );
        txn.execute_raw(notify).await?;
        Ok(Staged(None)) // comes back through the listener, in commit order
    }

    /// After the commit of the transaction a [`Staged`] event was published in:
    /// an event kept in process now reaches this process's subscribers.
    pub fn committed(&self, staged: Staged) {
        if let Some(event) = staged.0 {
            self.receive(event);
        }
    }

    /// A new event id: `<unix millis>-<sequence>-<process>`, increasing within a process.
    fn next_event_id(&self) -> String {
        let millis = chrono::Utc::now().timestamp_millis().max(0);
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) % 1_000_000_000;
        format!("{millis:013}-{seq:09}-{}", self.origin)
    }

    /// Records and broadcasts an event (from this process or, with fan-out, from any).
    fn receive(&self, event: OrderEvent) {
        let now = Instant::now();
        let mut history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while history.front().is_some_and(|(at, _)| now.duration_since(*at) > REPLAY_WINDOW)
            || history.len() >= REPLAY_CAPACITY
        {
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
}

/// Other processes' events (and this one's, with fan-out), in commit order.
impl crate::notices::Listener for OrderEvents {
    fn notified(&self, payload: &str) {
        match serde_json::from_str::<OrderEvent>(payload) {
            Ok(event) => self.receive(event),
            Err(err) => tracing::warn!(error = %err, "unreadable order event notification"),
        }
    }

    fn disconnected(&self) {
        tracing::warn!("order events from the database are missed until the listener is back");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_bounded_in_count_as_well_as_age() {
        let events = OrderEvents::default();
        for i in 0..REPLAY_CAPACITY + 5 {
            events.receive(event(&events, &format!("o{i}")));
        }
        let history = events.history.lock().unwrap();
        assert_eq!(history.len(), REPLAY_CAPACITY);
        assert_eq!(history.front().unwrap().1.change.id, "o5", "the oldest go first");
    }

    fn event(events: &OrderEvents, id: &str) -> OrderEvent {
        let change = OrderChange {
            id: id.into(),
            status: OrderStatus::Pending,
            buyer_id: "b".into(),
            seller_id: "s".into(),
            updated_at: IsoTime(chrono::Utc::now().naive_utc()),
        };
        OrderEvent { event_id: events.next_event_id(), change }
    }

    #[test]
    fn resume_replays_only_what_came_after() {
        let events = OrderEvents::default();
        events.receive(event(&events, "o1"));
        let (replay, _) = events.subscribe(None);
        assert!(replay.is_empty(), "a fresh subscriber starts live");
        let (_, mut live) = events.subscribe(None);
        events.receive(event(&events, "o2"));
        events.receive(event(&events, "o3"));
        let first = live.try_recv().unwrap();
        assert_eq!(first.change.id, "o2");
        let (replay, _) = events.subscribe(Some(&first.event_id));
        assert_eq!(replay.iter().map(|e| e.change.id.as_str()).collect::<Vec<_>>(), ["o3"]);
    }
}
