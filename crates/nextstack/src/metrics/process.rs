//! The conventional `process_*` metrics (resident memory, CPU seconds, open
//! file descriptors, start time, threads), read from the OS at scrape time by
//! `metrics-process`'s collector (the Go client's definitions, ported).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

/// Adds the `process_*` family to `registry` (unprefixed, as every exporter names them).
pub fn register(registry: &mut Registry) {
    registry.register_collector(Box::new(ProcessCollector));
}

#[derive(Debug)]
struct ProcessCollector;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let now = metrics_process::collector::collect();
        if let Some(seconds) = now.cpu_seconds_total {
            let counter = ConstCounter::new(seconds);
            let metric = encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds.",
                None,
                counter.metric_type(),
            )?;
            counter.encode(metric)?;
        }
        let gauges: [(&str, &str, Option<f64>); 6] = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                now.resident_memory_bytes.map(|v| v as f64),
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                now.virtual_memory_bytes.map(|v| v as f64),
            ),
            ("process_open_fds", "Number of open file descriptors.", now.open_fds.map(|v| v as f64)),
            ("process_max_fds", "Maximum number of open file descriptors.", now.max_fds.map(|v| v as f64)),
            (
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch in seconds.",
                now.start_time_seconds.map(|v| v as f64),
            ),
            ("process_threads", "Number of OS threads in the process.", now.threads.map(|v| v as f64)),
        ];
        for (name, help, value) in gauges {
            let Some(value) = value else { continue };
            let gauge = ConstGauge::new(value);
            let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
            gauge.encode(metric)?;
        }
        Ok(())
    }
}
