//! Metrics in the Prometheus text format (0.0.4), by `prometheus-client`.
//!
//! The server's own counters, a latency histogram per route and the open
//! connections live in one registry; the values read from elsewhere when
//! scraped (sessions in the store, the rate limiter's clients, the content
//! served) are encoded beside it as constants, each scrape. Recording a
//! request is a label look-up under a read lock and a few atomic
//! increments. Routes are the router's templates (`/api/v1/intents/{id}`),
//! never raw paths, so the label set stays small whatever clients send.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use accueil_engine::matcher::Outcome;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// The `Content-Type` of what [`Metrics::render`] writes.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The routes of the API, as the router knows them; anything else is
/// counted as `unmatched`.
pub const ROUTES: &[&str] = &[
    "/api/v1/chat",
    "/api/v1/topics",
    "/api/v1/intents/{id}",
    "/api/v1/admin/reload",
    "/healthz",
    "/readyz",
    "/metrics",
    // The pages (src/http/pages.rs).
    "/",
    "/favicon.ico",
    "/widget/",
    "/widget/{*path}",
    "/kiosk/",
    "/kiosk/{*path}",
    "/console/",
    "/console/{*path}",
    "/assets/{*path}",
    "/fiche/{intent}",
    "/fiche/{intent}/qr.svg",
    // The agents' review and the feedback (src/http/review.rs, feedback.rs).
    "/api/v1/review/questions",
    "/api/v1/review/questions/{id}",
    "/api/v1/review/clusters",
    "/api/v1/review/stats",
    "/api/v1/review/export",
    "/api/v1/review/purge",
    "/api/v1/feedback",
];
const UNMATCHED: usize = ROUTES.len();

/// The label of a route index.
pub fn route_label(index: usize) -> &'static str {
    ROUTES.get(index).copied().unwrap_or("unmatched")
}

/// The index of a matched route template, or the `unmatched` slot.
pub fn route_index(template: Option<&str>) -> usize {
    template
        .and_then(|t| ROUTES.iter().position(|r| *r == t))
        .unwrap_or(UNMATCHED)
}

/// Upper bounds of the latency buckets, in seconds (100 µs to 10 s).
const BUCKETS_SECONDS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS_SECONDS)
}

/// The server's counters.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    durations: Family<RouteLabel, Histogram, fn() -> Histogram>,
    outcomes: Family<OutcomeLabel, Counter>,
    new_sessions: Counter,
    store_errors: Counter,
    sessions_purged: Counter,
    reloads: Family<ResultLabel, Counter>,
    /// Requests refused by the per-client rate limit.
    rate_limited: Counter,
    /// Connections refused because the cap was reached.
    connections_refused: Counter,
    /// Connections open now.
    connections_open: Gauge<i64, AtomicI64>,
}

/// Point-in-time values the metrics read from elsewhere when rendered.
pub struct Gauges<'a> {
    pub sessions_alive: u64,
    /// Sessions and pending questions evicted by the store's bound.
    pub sessions_evicted: u64,
    /// Clients the rate limit keeps a bucket for.
    pub rate_limit_clients: usize,
    pub content_version: &'a str,
    pub content_intents: usize,
}

/// A count as a gauge's value (counts this large do not happen).
fn gauge_value(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

impl Metrics {
    /// Counters from zero, for a server started at `started` (Unix ms).
    pub fn new(started: accueil_service::store::Millis) -> Metrics {
        let mut m = Metrics {
            registry: Registry::default(),
            requests: Family::default(),
            durations: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            outcomes: Family::default(),
            new_sessions: Counter::default(),
            store_errors: Counter::default(),
            sessions_purged: Counter::default(),
            reloads: Family::default(),
            rate_limited: Counter::default(),
            connections_refused: Counter::default(),
            connections_open: Gauge::default(),
        };
        // Shown at zero before the first one.
        for o in [Outcome::Answer, Outcome::Clarify, Outcome::Fallback] {
            drop(m.outcomes.get_or_create(&OutcomeLabel {
                outcome: o.as_str(),
            }));
        }
        for result in ["ok", "error"] {
            drop(m.reloads.get_or_create(&ResultLabel { result }));
        }
        let registry = &mut m.registry;
        // `_total` is added to a counter's name; help texts get their
        // final period.
        registry.register(
            "accueil_http_requests",
            "HTTP requests by route and status",
            m.requests.clone(),
        );
        registry.register(
            "accueil_http_request_duration_seconds",
            "Time to answer a request, by route",
            m.durations.clone(),
        );
        registry.register(
            "accueil_chat_outcomes",
            "Chat turns by outcome",
            m.outcomes.clone(),
        );
        registry.register(
            "accueil_sessions_created",
            "Sessions started (none sent, or unknown or expired)",
            m.new_sessions.clone(),
        );
        registry.register(
            "accueil_sessions_purged",
            "Expired sessions removed by the purge task",
            m.sessions_purged.clone(),
        );
        registry.register(
            "accueil_store_errors",
            "Store operations that failed during chat turns",
            m.store_errors.clone(),
        );
        registry.register(
            "accueil_rate_limited",
            "Requests refused by the per-client rate limit (429)",
            m.rate_limited.clone(),
        );
        registry.register(
            "accueil_connections_refused",
            "Connections refused because --max-connections were open (503)",
            m.connections_refused.clone(),
        );
        registry.register(
            "accueil_content_reloads",
            "Content reloads by result",
            m.reloads.clone(),
        );
        registry.register(
            "accueil_connections_open",
            "HTTP connections open now",
            m.connections_open.clone(),
        );
        registry.register(
            "accueil_start_time_seconds",
            "When the server started (Unix time)",
            ConstGauge::new(gauge_value(started / 1000)),
        );
        m
    }

    /// One finished request.
    pub fn observe(&self, route: usize, status: u16, latency: Duration) {
        if route > ROUTES.len() {
            return;
        }
        let route = route_label(route);
        if (100..=599).contains(&status) {
            self.requests
                .get_or_create(&RouteStatus { route, status })
                .inc();
        }
        self.durations
            .get_or_create(&RouteLabel { route })
            .observe(latency.as_secs_f64());
    }

    pub fn outcome(&self, o: Outcome) {
        self.outcomes
            .get_or_create(&OutcomeLabel {
                outcome: o.as_str(),
            })
            .inc();
    }

    pub fn new_session(&self) {
        self.new_sessions.inc();
    }

    pub fn store_errors(&self, n: u32) {
        if n > 0 {
            self.store_errors.inc_by(u64::from(n));
        }
    }

    pub fn purged(&self, n: usize) {
        self.sessions_purged
            .inc_by(u64::try_from(n).unwrap_or(u64::MAX));
    }

    pub fn reload(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    /// A connection opened (`true`) or closed.
    pub fn connection(&self, opened: bool) {
        if opened {
            self.connections_open.inc();
        } else {
            let _ = self.connections_open.inner().fetch_update(
                Ordering::Relaxed,
                Ordering::Relaxed,
                |n| Some(n.saturating_sub(1).max(0)),
            );
        }
    }

    /// Connections open now.
    pub fn connections_open(&self) -> u64 {
        u64::try_from(self.connections_open.get()).unwrap_or(0)
    }

    /// Requests counted for a route and status (for tests and health).
    pub fn requests(&self, route: usize, status: u16) -> u64 {
        if route > ROUTES.len() {
            return 0;
        }
        let labels = RouteStatus {
            route: route_label(route),
            status,
        };
        self.requests.get(&labels).map_or(0, |c| c.get())
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self, gauges: &Gauges<'_>) -> String {
        let mut scraped = Registry::default();
        scraped.register(
            "accueil_sessions_alive",
            "Sessions in the store",
            ConstGauge::new(gauge_value(gauges.sessions_alive)),
        );
        scraped.register(
            "accueil_sessions_evicted",
            "Sessions and pending questions evicted, the longest idle first, because --max-sessions were alive",
            ConstCounter::new(gauges.sessions_evicted),
        );
        scraped.register(
            "accueil_rate_limit_clients",
            "Clients the rate limit keeps a bucket for (forgotten once full again)",
            ConstGauge::new(gauge_value(gauges.rate_limit_clients)),
        );
        // An info metric: `accueil_content_info{version="..."} 1`.
        scraped.register(
            "accueil_content",
            "The content being served (version = fingerprint of the files)",
            Info::new(vec![("version", gauges.content_version.to_owned())]),
        );
        scraped.register(
            "accueil_content_intents",
            "Intents in the content being served",
            ConstGauge::new(gauge_value(gauges.content_intents)),
        );
        let mut out = String::with_capacity(4096);
        // Writing into a String cannot fail.
        let _ = prometheus_text::encode(&mut out, &self.registry);
        let _ = prometheus_text::encode(&mut out, &scraped);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauges() -> Gauges<'static> {
        Gauges {
            sessions_alive: 7,
            sessions_evicted: 3,
            rate_limit_clients: 2,
            content_version: "ab\"c",
            content_intents: 42,
        }
    }

    #[test]
    fn counts_by_route_and_status() {
        let m = Metrics::new(1_700_000_000_000);
        let chat = route_index(Some("/api/v1/chat"));
        m.observe(chat, 200, Duration::from_micros(80));
        m.observe(chat, 200, Duration::from_millis(3));
        m.observe(chat, 400, Duration::from_millis(20));
        m.observe(route_index(Some("/nope")), 404, Duration::from_micros(5));
        m.observe(route_index(None), 999, Duration::from_micros(5));
        assert_eq!(m.requests(chat, 200), 2);
        let text = m.render(&gauges());
        assert!(
            text.contains("accueil_http_requests_total{route=\"/api/v1/chat\",status=\"200\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("accueil_http_requests_total{route=\"/api/v1/chat\",status=\"400\"} 1\n")
        );
        assert!(
            text.contains("accueil_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n")
        );
        assert!(text.contains("accueil_http_request_duration_seconds_bucket{route=\"/api/v1/chat\",le=\"0.0001\"} 1\n"));
        assert!(text.contains(
            "accueil_http_request_duration_seconds_bucket{route=\"/api/v1/chat\",le=\"0.005\"} 2\n"
        ));
        assert!(text.contains(
            "accueil_http_request_duration_seconds_bucket{route=\"/api/v1/chat\",le=\"+Inf\"} 3\n"
        ));
        assert!(text
            .contains("accueil_http_request_duration_seconds_count{route=\"/api/v1/chat\"} 3\n"));
        assert!(!text.contains("status=\"999\""));
    }

    #[test]
    fn outcomes_gauges_and_escaping() {
        let m = Metrics::new(1_700_000_000_000);
        m.outcome(Outcome::Clarify);
        m.outcome(Outcome::Clarify);
        m.reload(false);
        let text = m.render(&gauges());
        assert!(text.contains("accueil_chat_outcomes_total{outcome=\"clarify\"} 2\n"));
        assert!(text.contains("accueil_chat_outcomes_total{outcome=\"answer\"} 0\n"));
        assert!(text.contains("accueil_content_reloads_total{result=\"error\"} 1\n"));
        assert!(text.contains("accueil_sessions_alive 7\n"));
        assert!(text.contains("accueil_content_info{version=\"ab\\\"c\"} 1\n"));
        assert!(text.contains("accueil_content_intents 42\n"));
    }

    #[test]
    fn every_family_has_help_and_type() {
        let m = Metrics::new(1_700_000_000_000);
        m.observe(0, 200, Duration::from_micros(1));
        let text = m.render(&gauges());
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or("");
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "no TYPE for {name}"
            );
        }
    }
}
