//! The per-client rate limit of the public writes (`POST /api/v1/chat`,
//! `POST /api/v1/feedback`).
//!
//! One client sending turns as fast as it can must not crowd out the
//! others nor fill the store: each client (its IP address, or the one a
//! trusted proxy names in `--client-ip-header`) has a bucket of
//! `--rate-burst` requests refilled at `--rate-limit` a minute (governor's
//! GCRA). An empty bucket answers 429 `rate_limited` with `Retry-After`.
//! A person at a kiosk or on the widget types a turn every few seconds:
//! the defaults never refuse them, even several behind one address.
//!
//! IPv6 clients are counted by their /64, the block one subscriber gets:
//! counting single addresses would let one of them rotate through 2^64.
//! Requests from no network peer (in-process calls, tests through
//! `oneshot`) are not limited.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::{ApiError, MAX_BODY_BYTES};
use super::AppState;

/// The routes limited: the writes anyone may send.
const LIMITED: [&str; 2] = ["/api/v1/chat", "/api/v1/feedback"];

/// How clients are limited, checked from the flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
    /// A header set by the reverse proxy in front (`X-Forwarded-For`,
    /// `X-Real-IP`...): its last address is the client's.
    pub client_ip_header: Option<HeaderName>,
}

impl RateLimit {
    /// `per_minute` 0 turns the limit off.
    pub fn new(
        per_minute: u32,
        burst: u32,
        client_ip_header: Option<&str>,
    ) -> Result<Option<RateLimit>, String> {
        let Some(per_minute) = NonZeroU32::new(per_minute) else {
            return Ok(None);
        };
        let burst = NonZeroU32::new(burst).ok_or(
            "ACCUEIL_RATE_BURST must be 1 or more (turn the limit off with ACCUEIL_RATE_LIMIT=0)",
        )?;
        let client_ip_header = match client_ip_header.map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(HeaderName::try_from(name).map_err(|e| {
                format!("ACCUEIL_CLIENT_IP_HEADER: `{name}` is not a header name: {e}")
            })?),
        };
        Ok(Some(RateLimit {
            per_minute,
            burst,
            client_ip_header,
        }))
    }
}

/// The buckets of every client seen recently.
pub struct Limiter {
    config: RateLimit,
    buckets: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limiter {
    pub fn new(config: RateLimit) -> Limiter {
        let quota = Quota::per_minute(config.per_minute).allow_burst(config.burst);
        Limiter {
            buckets: DefaultKeyedRateLimiter::keyed(quota),
            config,
        }
    }

    /// The client a request counts for: the proxy's header when one is
    /// configured and readable, else the peer's address; `None` without a
    /// peer.
    fn client(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        let forwarded = self.config.client_ip_header.as_ref().and_then(|name| {
            // The last address: the one our proxy added (earlier ones are
            // whatever the client wrote).
            headers
                .get_all(name)
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        });
        forwarded.or(peer.map(|p| p.ip())).map(block)
    }

    /// Take one request from `client`'s bucket; `Err(seconds)` to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.buckets.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Round up: retrying at the floor would be refused again.
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forget clients whose bucket is full again (called with the purge).
    pub fn forget_idle(&self) {
        self.buckets.retain_recent();
        self.buckets.shrink_to_fit();
    }

    /// Clients with a bucket in memory.
    pub fn clients(&self) -> usize {
        self.buckets.len()
    }
}

/// IPv6 addresses by their /64; IPv4 (and IPv4-mapped IPv6) as they are.
fn block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The middleware: limited routes take from the client's bucket.
pub(crate) async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = state.limiter() else {
        return next.run(req).await;
    };
    if req.method() != Method::POST || !LIMITED.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(client) = limiter.client(req.headers(), peer) {
        if let Err(retry_after_secs) = limiter.check(client) {
            state.metrics().rate_limited();
            // Read the (bounded) body first: a response sent over an unread
            // body makes hyper close the connection, and a kiosk keeping
            // it alive would see a reset instead of the 429.
            let _ = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await;
            return ApiError::RateLimited { retry_after_secs }.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn limiter(header: Option<&str>) -> Limiter {
        Limiter::new(RateLimit::new(60, 3, header).unwrap().unwrap())
    }

    #[test]
    fn a_burst_then_a_wait_named_in_seconds() {
        let l = limiter(None);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check(a), Ok(()));
        }
        let wait = l.check(a).unwrap_err();
        assert!((1..=1).contains(&wait), "one a second refills: {wait}");
        assert_eq!(l.check(b), Ok(()), "another client has its own bucket");
        assert_eq!(l.clients(), 2);
    }

    #[test]
    fn clients_by_peer_or_the_proxys_last_address() {
        let peer: SocketAddr = "10.0.0.9:5000".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.7, 198.51.100.4"),
        );
        assert_eq!(
            limiter(None).client(&h, Some(peer)),
            Some("10.0.0.9".parse().unwrap()),
            "no header configured: the peer"
        );
        let l = limiter(Some("X-Forwarded-For"));
        assert_eq!(
            l.client(&h, Some(peer)),
            Some("198.51.100.4".parse().unwrap())
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(l.client(&h, Some(peer)), Some("10.0.0.9".parse().unwrap()));
        assert_eq!(
            l.client(&HeaderMap::new(), None),
            None,
            "no peer: not limited"
        );
    }

    #[test]
    fn ipv6_counts_by_its_64_block() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(block(one), block(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(block(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn flags_are_checked() {
        assert_eq!(RateLimit::new(0, 0, None), Ok(None));
        assert!(RateLimit::new(10, 0, None).is_err());
        assert!(RateLimit::new(10, 5, Some("bad header")).is_err());
        assert!(RateLimit::new(10, 5, Some("X-Real-IP")).unwrap().is_some());
    }
}
