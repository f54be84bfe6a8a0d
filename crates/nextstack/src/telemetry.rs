//! Logging: pretty lines in development, JSON lines in production; plus the
//! one metric that only exists as a tracing event (sqlx's pool acquire wait).

use tracing::field::{Field, Visit};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogFormat};

/// Installs the global subscriber (once per process).
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    let logs = match config.log_format {
        LogFormat::Json => fmt.json().flatten_event(true).with_current_span(true).with_span_list(false).boxed(),
        LogFormat::Pretty => fmt.compact().boxed(),
    };
    let acquire = AcquireWait.with_filter(Targets::new().with_target("sqlx::pool::acquire", tracing::Level::TRACE));
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(logs.with_filter(filter)).with(acquire).try_init();
}

/// Feeds `acquired_after_secs` of sqlx's "acquired connection" events into
/// [`crate::metrics::DB_ACQUIRE_WAIT`].
struct AcquireWait;

impl<S: tracing::Subscriber> Layer<S> for AcquireWait {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        struct Seconds(Option<f64>);
        impl Visit for Seconds {
            fn record_f64(&mut self, field: &Field, value: f64) {
                if field.name() == "acquired_after_secs" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
        }
        let mut seconds = Seconds(None);
        event.record(&mut seconds);
        if let Some(value) = seconds.0 {
            crate::metrics::DB_ACQUIRE_WAIT.observe(value);
        }
    }
}
