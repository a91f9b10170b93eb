//! Prometheus metrics: one recorder per server, so that two servers in one process (as in the
//! tests) never share counters, and no global recorder is installed behind anyone's back.
//!
//! Labels are bounded sets: the route is the matched route template (never the raw path), the
//! method one of the standard ones, the refusal code and the role come from closed enums.

use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, Recorder as _, SharedString, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Requests answered, by route, method and status.
pub const REQUESTS_TOTAL: &str = "corridor_http_requests_total";
/// Request latency in seconds, by route, method and status.
pub const REQUEST_DURATION_SECONDS: &str = "corridor_http_request_duration_seconds";
/// Events appended to the store.
pub const EVENTS_APPENDED_TOTAL: &str = "corridor_events_appended_total";
/// Leaves in the log, as last seen.
pub const LOG_LEAVES: &str = "corridor_log_leaves";
/// Leaves covered by the latest signed checkpoint.
pub const LOG_CHECKPOINT_LEAVES: &str = "corridor_log_checkpoint_leaves";
/// Commands a safeguard refused, by refusal code.
pub const SAFEGUARD_REFUSALS_TOTAL: &str = "corridor_safeguard_refusals_total";
/// Authorization denials, by role.
pub const AUTHORIZATION_DENIALS_TOTAL: &str = "corridor_authorization_denials_total";

/// Histogram buckets for request latency, in seconds: 1 ms to 30 s (the request timeout).
const LATENCY_BUCKETS_SECONDS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The server's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh recorder with every metric described, and the unlabelled ones at zero.
    pub fn new() -> Self {
        // The bucket list is a non-empty constant, so this cannot fail; if it ever did, the
        // latency would render as a summary instead, which is still correct.
        let builder = match PrometheusBuilder::new().set_buckets_for_metric(
            Matcher::Full(REQUEST_DURATION_SECONDS.to_owned()),
            &LATENCY_BUCKETS_SECONDS,
        ) {
            Ok(builder) => builder,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let metrics = Self { recorder, handle };
        metrics.describe();
        metrics
            .counter(EVENTS_APPENDED_TOTAL, Vec::new())
            .absolute(0);
        metrics.gauge(LOG_LEAVES).set(0.0);
        metrics.gauge(LOG_CHECKPOINT_LEAVES).set(0.0);
        metrics
    }

    fn describe(&self) {
        let describe_counter = |name: &'static str, text: &'static str| {
            self.recorder
                .describe_counter(name.into(), None, SharedString::const_str(text));
        };
        describe_counter(
            REQUESTS_TOTAL,
            "HTTP requests answered, by route, method and status.",
        );
        describe_counter(EVENTS_APPENDED_TOTAL, "Events appended to the store.");
        describe_counter(
            SAFEGUARD_REFUSALS_TOTAL,
            "Commands a safeguard refused, by refusal code.",
        );
        describe_counter(
            AUTHORIZATION_DENIALS_TOTAL,
            "Authorization denials, by role.",
        );
        self.recorder.describe_histogram(
            REQUEST_DURATION_SECONDS.into(),
            Some(Unit::Seconds),
            SharedString::const_str("HTTP request latency, by route, method and status."),
        );
        self.recorder.describe_gauge(
            LOG_LEAVES.into(),
            None,
            SharedString::const_str("Leaves in the log."),
        );
        self.recorder.describe_gauge(
            LOG_CHECKPOINT_LEAVES.into(),
            None,
            SharedString::const_str("Leaves covered by the latest signed checkpoint."),
        );
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str) -> metrics::Gauge {
        self.recorder
            .register_gauge(&Key::from_static_name(name), &METADATA)
    }

    /// Records one answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, latency: Duration) {
        let labels = vec![
            Label::new("route", route.to_owned()),
            Label::new("method", method.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.counter(REQUESTS_TOTAL, labels.clone()).increment(1);
        self.recorder
            .register_histogram(
                &Key::from_parts(REQUEST_DURATION_SECONDS, labels),
                &METADATA,
            )
            .record(latency.as_secs_f64());
    }

    /// Records events appended by a command.
    pub fn events_appended(&self, count: u64) {
        self.counter(EVENTS_APPENDED_TOTAL, Vec::new())
            .increment(count);
    }

    /// Records the log's size and the latest checkpoint's.
    pub fn log_size(&self, leaves: u64, checkpoint_leaves: u64) {
        // Gauges are f64; a log of 2^53 leaves is far beyond any agreement's lifetime.
        self.gauge(LOG_LEAVES).set(leaves as f64);
        self.gauge(LOG_CHECKPOINT_LEAVES)
            .set(checkpoint_leaves as f64);
    }

    /// Records a command a safeguard refused.
    pub fn safeguard_refused(&self, code: &'static str) {
        self.counter(SAFEGUARD_REFUSALS_TOTAL, vec![Label::new("code", code)])
            .increment(1);
    }

    /// Records an authorization denial of a user in `role`.
    pub fn authorization_denied(&self, role: &'static str) {
        self.counter(AUTHORIZATION_DENIALS_TOTAL, vec![Label::new("role", role)])
            .increment(1);
    }

    /// Everything recorded, in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

impl corridor_app::Counters for Metrics {
    fn events_appended(&self, count: u64) {
        Metrics::events_appended(self, count);
    }

    fn safeguard_refused(&self, code: &'static str) {
        Metrics::safeguard_refused(self, code);
    }

    fn authorization_denied(&self, role: &'static str) {
        Metrics::authorization_denied(self, role);
    }
}
