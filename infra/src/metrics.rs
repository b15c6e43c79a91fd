//! The process's Prometheus registry and the metrics every role shares.

use prometheus::{
    register_histogram_vec_with_registry, register_histogram_with_registry,
    register_int_counter_with_registry, register_int_gauge_vec_with_registry, Histogram,
    HistogramVec, IntCounter, IntGaugeVec, Registry,
};
use std::sync::LazyLock;

pub static REGISTRY: LazyLock<Registry> =
    LazyLock::new(|| Registry::new_custom(Some("keel".into()), None).expect("valid prefix"));

pub static EVENTS_APPENDED: LazyLock<IntCounter> = LazyLock::new(|| {
    register_int_counter_with_registry!(
        "events_appended_total",
        "Events committed to the log",
        REGISTRY
    )
    .expect("metric registers once")
});

pub static APPEND_BATCH_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    register_histogram_with_registry!(
        "append_batch_seconds",
        "Time to commit one group-commit batch",
        vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0],
        REGISTRY
    )
    .expect("metric registers once")
});

pub static HTTP_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    register_histogram_vec_with_registry!(
        "http_request_duration_seconds",
        "HTTP request latency by route and status",
        &["method", "route", "status"],
        vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
        REGISTRY
    )
    .expect("metric registers once")
});

/// Events committed to the log but not yet handled, per consumer (`relay`, `projector:<name>`).
pub static LAG_EVENTS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec_with_registry!(
        "lag_events",
        "Events behind the head of the log",
        &["consumer"],
        REGISTRY
    )
    .expect("metric registers once")
});

/// Requests refused at the edge, by reason (`rate_limited`, `quota_exceeded`).
pub static REQUESTS_LIMITED: LazyLock<prometheus::IntCounterVec> = LazyLock::new(|| {
    prometheus::register_int_counter_vec_with_registry!(
        "requests_limited_total",
        "Requests refused by the rate limiter or the daily quota",
        &["reason"],
        REGISTRY
    )
    .expect("metric registers once")
});

/// Decisions the in-process limiter took because Redis could not be reached.
pub static LIMITER_FALLBACKS: LazyLock<IntCounter> = LazyLock::new(|| {
    register_int_counter_with_registry!(
        "rate_limiter_fallbacks_total",
        "Rate-limit decisions made in process because Redis was unreachable",
        REGISTRY
    )
    .expect("metric registers once")
});

/// Renders the registry in the Prometheus text format.
pub fn render() -> String {
    use prometheus::Encoder;
    let mut buf = Vec::new();
    let _ = prometheus::TextEncoder::new().encode(&REGISTRY.gather(), &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Events a projector's feed had not delivered in time and the sweeper applied from the log.
pub static SWEEP_REPAIRED: LazyLock<prometheus::IntCounterVec> = LazyLock::new(|| {
    prometheus::register_int_counter_vec_with_registry!(
        "sweep_repaired_events_total",
        "Events applied from the log because the Kafka feed had not delivered them within the grace period",
        &["projection"],
        REGISTRY
    )
    .expect("metric registers once")
});

pub static DOMAIN_SCANS: LazyLock<prometheus::IntCounterVec> = LazyLock::new(|| {
    prometheus::register_int_counter_vec_with_registry!(
        "domain_scans_total",
        "Domain scans by outcome: ok, partial (some lookups failed), nxdomain, failed (nothing answered, or over the deadline), error (not recorded)",
        &["outcome"],
        REGISTRY
    )
    .expect("metric registers once")
});

pub static WEBHOOK_DELIVERIES: LazyLock<prometheus::IntCounterVec> = LazyLock::new(|| {
    prometheus::register_int_counter_vec_with_registry!(
        "webhook_deliveries_total",
        "Webhook deliveries: created (by the fan-out), success and failure (attempts), dropped (endpoint disabled or deleted)",
        &["outcome"],
        REGISTRY
    )
    .expect("metric registers")
});
