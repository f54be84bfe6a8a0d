//! PostgreSQL notifications for the whole process on one connection: order
//! events for subscribers ([`crate::events`]) and session changes for the
//! session cache ([`crate::auth::session_cache`]) each `LISTEN` on their own
//! channel, and one task reads them all (a listener holds a pooled
//! connection for good, so one is the most it should take).
//!
//! A lost connection is never hidden: listeners hear `disconnected` at once
//! (notifications from then on are lost), the hub opens a new connection and
//! `LISTEN`s again, and listeners hear `reconnected` once it is in place.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sea_orm::sqlx::PgPool;
use sea_orm::sqlx::postgres::PgListener;

/// Longest pause between two attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Something that wants the notifications of one channel.
pub trait Listener: Send + Sync + 'static {
    /// A notification's payload.
    fn notified(&self, payload: &str);
    /// The connection is lost: notifications may be missed until [`reconnected`](Self::reconnected).
    fn disconnected(&self) {}
    /// `LISTEN` is in place (first connection included); anything sent while
    /// nobody listened was missed.
    fn reconnected(&self) {}
}

/// Starts the hub: `LISTEN`s on every channel and returns once that is in
/// place (or failed: then it keeps trying in the background, and listeners
/// hear `reconnected` when it succeeds). The task ends when every listener is
/// dropped or the pool closes.
pub async fn start(pool: PgPool, subscriptions: Vec<(String, Arc<dyn Listener>)>) {
    if subscriptions.is_empty() {
        return;
    }
    let channels: Vec<String> = subscriptions.iter().map(|(c, _)| c.clone()).collect();
    let listeners: Vec<(String, Weak<dyn Listener>)> =
        subscriptions.iter().map(|(c, l)| (c.clone(), Arc::downgrade(l))).collect();
    drop(subscriptions);
    let first = match listen(&pool, &channels).await {
        Ok(listener) => {
            each(&listeners, |l| l.reconnected());
            Some(listener)
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot LISTEN for notifications; retrying in the background");
            None
        }
    };
    tokio::spawn(run(pool, channels, listeners, first));
}

async fn run(
    pool: PgPool,
    channels: Vec<String>,
    listeners: Vec<(String, Weak<dyn Listener>)>,
    mut listener: Option<PgListener>,
) {
    loop {
        let Some(active) = listener.as_mut() else {
            listener = reconnect(&pool, &channels, &listeners).await;
            if listener.is_none() {
                return;
            }
            each(&listeners, |l| l.reconnected());
            tracing::info!("notification listener connected");
            continue;
        };
        match active.try_recv().await {
            Ok(Some(notification)) => {
                let mut alive = false;
                for (channel, weak) in &listeners {
                    if let Some(l) = weak.upgrade() {
                        alive = true;
                        if channel == notification.channel() {
                            l.notified(notification.payload());
                        }
                    }
                }
                if !alive {
                    return;
                }
            }
            // `Ok(None)`: the connection was lost (eager reconnection is off, so this is seen).
            Ok(None) | Err(_) if pool.is_closed() => return,
            other => {
                if let Err(err) = other {
                    tracing::warn!(error = %err, "notification listener failed");
                }
                tracing::warn!("notification listener lost its connection; reconnecting");
                each(&listeners, |l| l.disconnected());
                listener = None;
            }
        }
    }
}

/// A new listener on every channel, retried with backoff; `None` once nobody needs it.
async fn reconnect(
    pool: &PgPool,
    channels: &[String],
    listeners: &[(String, Weak<dyn Listener>)],
) -> Option<PgListener> {
    let mut pause = Duration::from_millis(100);
    loop {
        if pool.is_closed() || listeners.iter().all(|(_, l)| l.strong_count() == 0) {
            return None;
        }
        match listen(pool, channels).await {
            Ok(listener) => return Some(listener),
            Err(err) => tracing::debug!(error = %err, "notification listener: still no connection"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_BACKOFF);
    }
}

async fn listen(pool: &PgPool, channels: &[String]) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Report a lost connection (`Ok(None)`) instead of reconnecting behind our back.
    listener.eager_reconnect(false);
    listener.listen_all(channels.iter().map(String::as_str)).await?;
    Ok(listener)
}

fn each(listeners: &[(String, Weak<dyn Listener>)], f: impl Fn(&dyn Listener)) {
    for (_, weak) in listeners {
        if let Some(l) = weak.upgrade() {
            f(l.as_ref());
        }
    }
}
