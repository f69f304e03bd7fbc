//! Metrics in the Prometheus text format, written by hand.
//!
//! A handful of counters and one latency histogram per route, all atomics
//! in fixed arrays: recording a request is a few relaxed increments, no
//! lock and no allocation, so measuring does not slow what it measures.
//! Routes are the router's templates (`/api/v1/intents/{id}`), never raw
//! paths, so the label set stays small whatever clients send.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use accueil_engine::matcher::Outcome;

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

/// Upper bounds of the latency buckets, in microseconds (100 µs to 10 s).
const BUCKETS_MICROS: [u64; 16] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/// HTTP statuses are 100..=599: one counter each, indexed by status - 100.
const STATUS_SLOTS: usize = 500;

struct RouteStats {
    by_status: [AtomicU64; STATUS_SLOTS],
    /// Non-cumulative: `buckets[k]` counts latencies in (bound[k-1], bound[k]].
    buckets: [AtomicU64; BUCKETS_MICROS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl RouteStats {
    fn new() -> RouteStats {
        RouteStats {
            by_status: std::array::from_fn(|_| AtomicU64::new(0)),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }
}

/// The server's counters.
pub struct Metrics {
    routes: Vec<RouteStats>,
    outcomes: [AtomicU64; 3],
    new_sessions: AtomicU64,
    store_errors: AtomicU64,
    sessions_purged: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    /// Requests refused by the per-client rate limit.
    rate_limited: AtomicU64,
    /// Connections refused because the cap was reached.
    connections_refused: AtomicU64,
    /// Connections open now.
    connections_open: AtomicU64,
    started_unix_seconds: u64,
}

fn outcome_slot(o: Outcome) -> usize {
    match o {
        Outcome::Answer => 0,
        Outcome::Clarify => 1,
        Outcome::Fallback => 2,
    }
}

const OUTCOMES: [Outcome; 3] = [Outcome::Answer, Outcome::Clarify, Outcome::Fallback];

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

impl Metrics {
    /// Counters from zero, for a server started at `started` (Unix ms).
    pub fn new(started: accueil_service::store::Millis) -> Metrics {
        Metrics {
            routes: (0..=ROUTES.len()).map(|_| RouteStats::new()).collect(),
            outcomes: std::array::from_fn(|_| AtomicU64::new(0)),
            new_sessions: AtomicU64::new(0),
            store_errors: AtomicU64::new(0),
            sessions_purged: AtomicU64::new(0),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            connections_refused: AtomicU64::new(0),
            connections_open: AtomicU64::new(0),
            started_unix_seconds: started / 1000,
        }
    }

    /// One finished request.
    pub fn observe(&self, route: usize, status: u16, latency: Duration) {
        let Some(stats) = self.routes.get(route) else {
            return;
        };
        if let Some(c) = usize::from(status)
            .checked_sub(100)
            .and_then(|k| stats.by_status.get(k))
        {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        if let Some(k) = BUCKETS_MICROS.iter().position(|b| micros <= *b) {
            stats.buckets[k].fetch_add(1, Ordering::Relaxed);
        }
        stats.count.fetch_add(1, Ordering::Relaxed);
        stats.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn outcome(&self, o: Outcome) {
        self.outcomes[outcome_slot(o)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn new_session(&self) {
        self.new_sessions.fetch_add(1, Ordering::Relaxed);
    }

    pub fn store_errors(&self, n: u32) {
        if n > 0 {
            self.store_errors.fetch_add(u64::from(n), Ordering::Relaxed);
        }
    }

    pub fn purged(&self, n: usize) {
        self.sessions_purged
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub fn reload(&self, ok: bool) {
        let c = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection opened (`true`) or closed.
    pub fn connection(&self, opened: bool) {
        if opened {
            self.connections_open.fetch_add(1, Ordering::Relaxed);
        } else {
            let _ = self
                .connections_open
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    Some(n.saturating_sub(1))
                });
        }
    }

    /// Connections open now.
    pub fn connections_open(&self) -> u64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    /// Requests counted for a route and status (for tests and health).
    pub fn requests(&self, route: usize, status: u16) -> u64 {
        self.routes
            .get(route)
            .and_then(|s| {
                usize::from(status)
                    .checked_sub(100)
                    .and_then(|k| s.by_status.get(k))
            })
            .map(|c| c.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self, gauges: &Gauges<'_>) -> String {
        let mut out = String::with_capacity(4096);
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);

        header(
            &mut out,
            "accueil_http_requests_total",
            "counter",
            "HTTP requests by route and status.",
        );
        for (k, stats) in self.routes.iter().enumerate() {
            for (slot, c) in stats.by_status.iter().enumerate() {
                let n = load(c);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "accueil_http_requests_total{{route=\"{}\",status=\"{}\"}} {n}",
                        route_label(k),
                        slot + 100
                    );
                }
            }
        }

        header(
            &mut out,
            "accueil_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by route.",
        );
        for (k, stats) in self.routes.iter().enumerate() {
            let count = load(&stats.count);
            if count == 0 {
                continue;
            }
            let route = route_label(k);
            let mut cumulative = 0;
            for (bound, c) in BUCKETS_MICROS.iter().zip(&stats.buckets) {
                cumulative += load(c);
                let le = *bound as f64 / 1e6;
                let _ = writeln!(
                    out,
                    "accueil_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(out, "accueil_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}");
            let sum = load(&stats.sum_micros) as f64 / 1e6;
            let _ = writeln!(
                out,
                "accueil_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "accueil_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }

        header(
            &mut out,
            "accueil_chat_outcomes_total",
            "counter",
            "Chat turns by outcome.",
        );
        for o in OUTCOMES {
            let _ = writeln!(
                out,
                "accueil_chat_outcomes_total{{outcome=\"{}\"}} {}",
                o.as_str(),
                load(&self.outcomes[outcome_slot(o)])
            );
        }

        let counters = [
            (
                "accueil_sessions_created_total",
                "Sessions started (none sent, or unknown or expired).",
                &self.new_sessions,
            ),
            (
                "accueil_sessions_purged_total",
                "Expired sessions removed by the purge task.",
                &self.sessions_purged,
            ),
            (
                "accueil_store_errors_total",
                "Store operations that failed during chat turns.",
                &self.store_errors,
            ),
            (
                "accueil_rate_limited_total",
                "Requests refused by the per-client rate limit (429).",
                &self.rate_limited,
            ),
            (
                "accueil_connections_refused_total",
                "Connections refused because --max-connections were open (503).",
                &self.connections_refused,
            ),
        ];
        for (name, help, c) in counters {
            header(&mut out, name, "counter", help);
            let _ = writeln!(out, "{name} {}", load(c));
        }

        header(
            &mut out,
            "accueil_content_reloads_total",
            "counter",
            "Content reloads by result.",
        );
        let _ = writeln!(
            out,
            "accueil_content_reloads_total{{result=\"ok\"}} {}",
            load(&self.reloads_ok)
        );
        let _ = writeln!(
            out,
            "accueil_content_reloads_total{{result=\"error\"}} {}",
            load(&self.reloads_failed)
        );

        header(
            &mut out,
            "accueil_sessions_alive",
            "gauge",
            "Sessions in the store.",
        );
        let _ = writeln!(out, "accueil_sessions_alive {}", gauges.sessions_alive);
        header(
            &mut out,
            "accueil_sessions_evicted_total",
            "counter",
            "Sessions and pending questions evicted, the longest idle first, because --max-sessions were alive.",
        );
        let _ = writeln!(
            out,
            "accueil_sessions_evicted_total {}",
            gauges.sessions_evicted
        );
        header(
            &mut out,
            "accueil_connections_open",
            "gauge",
            "HTTP connections open now.",
        );
        let _ = writeln!(out, "accueil_connections_open {}", self.connections_open());
        header(
            &mut out,
            "accueil_rate_limit_clients",
            "gauge",
            "Clients the rate limit keeps a bucket for (forgotten once full again).",
        );
        let _ = writeln!(
            out,
            "accueil_rate_limit_clients {}",
            gauges.rate_limit_clients
        );

        header(
            &mut out,
            "accueil_content_info",
            "gauge",
            "The content being served (version = fingerprint of the files).",
        );
        let _ = writeln!(
            out,
            "accueil_content_info{{version=\"{}\"}} 1",
            escape(gauges.content_version)
        );
        header(
            &mut out,
            "accueil_content_intents",
            "gauge",
            "Intents in the content being served.",
        );
        let _ = writeln!(out, "accueil_content_intents {}", gauges.content_intents);

        header(
            &mut out,
            "accueil_start_time_seconds",
            "gauge",
            "When the server started (Unix time).",
        );
        let _ = writeln!(
            out,
            "accueil_start_time_seconds {}",
            self.started_unix_seconds
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and line breaks escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
