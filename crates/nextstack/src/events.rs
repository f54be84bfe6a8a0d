//! Order change events for `main.order.onChange`: published after each order
//! write, kept for five minutes so a reconnecting subscriber resumes after its
//! last event id without missing any.
//!
//! In-process for now: subscribers on this process see changes made through
//! this process. (Fan-out across processes through PostgreSQL LISTEN/NOTIFY or
//! Redis pub/sub plugs in behind `publish` and is not built yet.)

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::wire::order::OrderStatus;
use crate::wire::time::IsoTime;

/// How long events stay available for resuming.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Live events a slow subscriber may fall behind by before it is told to reconnect (and replay).
const CHANNEL_CAPACITY: usize = 1024;

/// `{id, status, buyerId, sellerId, updatedAt}`: one change of an order.
#[derive(Debug, Clone, Serialize, TS)]
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
#[derive(Debug, Clone)]
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
}

impl Default for OrderEvents {
    fn default() -> Self {
        Self { live: broadcast::channel(CHANNEL_CAPACITY).0, history: Mutex::default(), sequence: AtomicU64::new(0) }
    }
}

impl OrderEvents {
    /// Records and broadcasts a change.
    pub fn publish(&self, change: OrderChange) {
        let millis = chrono::Utc::now().timestamp_millis().max(0);
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) % 1_000_000_000;
        let event = OrderEvent { event_id: format!("{millis:013}-{seq:09}"), change };
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
            Some(last) => history.iter().filter(|(_, e)| e.event_id.as_str() > last).map(|(_, e)| e.clone()).collect(),
        };
        (replay, self.live.subscribe())
    }

    /// True when someone is listening (placing an order then looks up the seller for the event).
    pub fn has_subscribers(&self) -> bool {
        self.live.receiver_count() > 0
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

    #[test]
    fn resume_replays_only_what_came_after() {
        let events = OrderEvents::default();
        events.publish(change("o1"));
        let (replay, _) = events.subscribe(None);
        assert!(replay.is_empty(), "a fresh subscriber starts live");
        let (_, mut live) = events.subscribe(None);
        events.publish(change("o2"));
        events.publish(change("o3"));
        let first = live.try_recv().unwrap();
        assert_eq!(first.change.id, "o2");
        let (replay, _) = events.subscribe(Some(&first.event_id));
        assert_eq!(replay.iter().map(|e| e.change.id.as_str()).collect::<Vec<_>>(), ["o3"]);
    }
}
