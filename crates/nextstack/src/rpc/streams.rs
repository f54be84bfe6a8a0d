//! What every subscription of a signed-in caller is held to (issue 10, item 8):
//! it ends when its session does (signed out, revoked, expired — checked every
//! `SSE_SESSION_CHECK_INTERVAL_MS`, so a change made by any process or writer
//! is seen), and one user holds at most `SSE_MAX_PER_USER` open streams on a
//! process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::{self, Stream, StreamExt};

use crate::error::AppError;
use crate::rpc::auth::Authed;
use crate::services::session as sessions;

/// Open streams per user on this process.
#[derive(Default)]
pub struct StreamSlots {
    open: Mutex<HashMap<String, usize>>,
}

/// One open stream; gives its slot back when dropped (the client went away, or the stream ended).
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    user_id: String,
    open_gauge: prometheus_client::metrics::gauge::Gauge,
}

impl StreamSlots {
    /// Takes a slot for `user_id`, or refuses past `max`.
    pub fn take(
        self: &Arc<Self>,
        user_id: &str,
        max: usize,
        open_gauge: &prometheus_client::metrics::gauge::Gauge,
    ) -> Result<StreamSlot, AppError> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(user_id.to_string()).or_default();
        if *count >= max {
            return Err(AppError::TooManyRequests(
                format!("You already have {max} open subscriptions; close one first").into(),
            ));
        }
        *count += 1;
        open_gauge.inc();
        Ok(StreamSlot { slots: self.clone(), user_id: user_id.to_string(), open_gauge: open_gauge.clone() })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.open_gauge.dec();
        let mut open = self.slots.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

/// `events`, held to the caller's session and stream allowance.
pub fn guard<T, S>(
    ctx: &Authed,
    events: S,
) -> Result<impl Stream<Item = Result<T, AppError>> + Send + 'static + use<T, S>, AppError>
where
    T: Send + 'static,
    S: Stream<Item = Result<T, AppError>> + Send + 'static,
{
    let config = &ctx.state.config;
    let slot =
        ctx.state.streams.take(&ctx.caller.user_id, config.sse_max_per_user, &ctx.state.metrics.open_subscriptions)?;
    let watchdog = match ctx.caller.session_id.clone() {
        Some(session_id) => session_ended(ctx.state.db.clone(), session_id, ctx.state.config.sse_session_check).boxed(),
        None => stream::pending().boxed(),
    };
    // The stream ends when `events` ends or the watchdog yields (its only item is the error that ends it).
    let events = events.map(Some).chain(stream::once(std::future::ready(None)));
    let guarded = stream::select(events, watchdog.map(Some))
        .take_while(|item| std::future::ready(item.is_some()))
        .filter_map(move |item| {
            let _held = &slot;
            std::future::ready(item)
        });
    Ok(guarded)
}

/// Yields `UNAUTHORIZED` once the session is gone or expired (a database
/// hiccup is not an ending: the next check decides).
fn session_ended<T: Send + 'static>(
    db: sea_orm::DatabaseConnection,
    session_id: String,
    every: std::time::Duration,
) -> impl Stream<Item = Result<T, AppError>> + Send + 'static {
    stream::unfold((db, session_id), move |(db, session_id)| async move {
        loop {
            tokio::time::sleep(every).await;
            match sessions::is_live(&db, &session_id).await {
                Ok(false) => {
                    let ended = AppError::Unauthorized("Your session has ended; sign in again".into());
                    return Some((Err(ended), (db, session_id)));
                }
                Ok(true) => {}
                Err(err) => tracing::warn!(error = %err, "subscription session check failed; retrying"),
            }
        }
    })
}
