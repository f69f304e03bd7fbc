//! The server under a hostile client, on real sockets where it matters.
//!
//! Properties checked: one client past its bucket gets `429 rate_limited`
//! with `Retry-After` while another client (another forwarded address) is
//! served, and a conversation at a person's pace is never refused; 300
//! half-sent requests do not stop `/healthz` from answering, and the server
//! closes them after the header timeout, as it closes an idle keep-alive
//! connection; past the connection cap a new connection gets `503 busy` in
//! the JSON shape; oversized headers get `431 headers_too_large`; past
//! `--max-sessions` the longest idle conversation ends and is counted;
//! waves of sessions through expiry leave the data folder's size level.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use accueil::clock::ManualClock;
use accueil::store::{SledStore, Store};
use serde_json::{json, Value};

async fn metrics_of(addr: SocketAddr) -> String {
    let req = format!(
        "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {METRICS_SECRET}\r\n\r\n"
    );
    let r = send_raw(addr, req.as_bytes()).await.expect("metrics");
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

fn turn(message: &str) -> String {
    json!({"message": message, "channel": "web"}).to_string()
}

fn limited(burst: u32) -> impl FnOnce(&mut accueil::http::Settings) {
    move |s| {
        // One turn a minute past the burst: the bucket cannot refill while
        // a slow machine sends the burst (a refill every second did, under
        // load).
        s.rate_limit =
            accueil::http::RateLimit::new(1, burst, Some("X-Forwarded-For")).expect("valid")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_past_its_bucket_waits_and_the_others_do_not() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, limited(5)).await;
    let from = |ip: &str| format!("X-Forwarded-For: 10.9.9.9, {ip}\r\n");
    for _ in 0..5 {
        let r = http_post(
            server.addr,
            "/api/v1/chat",
            &from("203.0.113.1"),
            &turn("rdv"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let refused = http_post(
        server.addr,
        "/api/v1/chat",
        &from("203.0.113.1"),
        &turn("rdv"),
    )
    .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "rate_limited");
    let retry: u64 = refused
        .head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(retry > 10, "a turn a minute: {retry}");
    // Feedback counts in the same bucket.
    let fb = http_post(
        server.addr,
        "/api/v1/feedback",
        &from("203.0.113.1"),
        r#"{"session":"x","intent":"y","useful":true}"#,
    )
    .await;
    assert_eq!(fb.status, 429, "{}", fb.body);
    // Another client, and what is not a public write, are served.
    let other = http_post(
        server.addr,
        "/api/v1/chat",
        &from("203.0.113.2"),
        &turn("rdv"),
    )
    .await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(http_get(server.addr, "/healthz").await.status, 200);
    assert_eq!(http_get(server.addr, "/api/v1/topics").await.status, 200);
    let metrics = metrics_of(server.addr).await;
    assert!(
        metrics.contains("accueil_rate_limited_total 2"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_at_a_persons_pace_is_never_refused() {
    // The defaults (120 a minute, bursts of 40): a whole conversation sent
    // as fast as the socket goes still passes, so a person never sees it.
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |_| {}).await;
    let mut session = Value::Null;
    for k in 0..40 {
        let body = json!({"session": session, "message": if k % 2 == 0 { "rdv" } else { "permis bateau" }, "channel": "kiosk"});
        let r = http_post(server.addr, "/api/v1/chat", "", &body.to_string()).await;
        assert_eq!(r.status, 200, "turn {k}: {}", r.body);
        session = r.json()["session"].clone();
    }
    server.stop().await;
}

/// Connect and send the start of a request, never its end.
fn half_request(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
        .expect("write");
    s
}

/// Whether the server closed `s` within `within` (EOF or reset).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            // A bare 408 may come first: then the close.
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_do_not_hold_the_server() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |s| {
        s.connections.header_timeout = Duration::from_secs(2);
    })
    .await;
    let addr = server.addr;
    let mut slow = tokio::task::spawn_blocking(move || {
        (0..300).map(|_| half_request(addr)).collect::<Vec<_>>()
    })
    .await
    .expect("connections");
    // While the 300 hang, the probe is answered.
    let probe = tokio::time::timeout(Duration::from_secs(5), http_get(addr, "/healthz"))
        .await
        .expect("/healthz answers while 300 slow clients hang");
    assert_eq!(probe.status, 200);
    // And the server lets go of them after the header timeout.
    let closed = tokio::task::spawn_blocking(move || {
        slow.iter_mut()
            .take(20)
            .all(|s| closed_within(s, Duration::from_secs(10)))
    })
    .await
    .expect("join");
    assert!(
        closed,
        "slow connections are closed after the header timeout"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |s| {
        s.connections.header_timeout = Duration::from_secs(1);
    })
    .await;
    let addr = server.addr;
    let closed = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
            .expect("write");
        // The answer comes, then nothing: the connection stays idle.
        let mut buf = [0u8; 1024];
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let n = s.read(&mut buf).expect("an answer");
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        closed_within(&mut s, Duration::from_secs(10))
    })
    .await
    .expect("join");
    assert!(closed, "an idle keep-alive connection is closed");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_a_new_connection_is_told_busy() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |s| {
        s.connections.max_connections = 4;
    })
    .await;
    let addr = server.addr;
    let held =
        tokio::task::spawn_blocking(move || (0..4).map(|_| half_request(addr)).collect::<Vec<_>>())
            .await
            .expect("connections");
    // The four are accepted in order before the fifth; wait until they are.
    let mut busy = None;
    for _ in 0..50 {
        let r = http_get(addr, "/healthz").await;
        if r.status == 503 {
            busy = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let busy = busy.expect("a fifth connection is refused");
    assert_eq!(busy.json()["error"]["code"], "busy");
    assert!(busy.head.to_ascii_lowercase().contains("retry-after: 1"));
    drop(held);
    // Slots come back when connections close.
    let mut served = false;
    for _ in 0..100 {
        if http_get(addr, "/healthz").await.status == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served);
    let metrics = metrics_of(server.addr).await;
    assert!(
        !metrics.contains("accueil_connections_refused_total 0"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_get_the_json_error_shape() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |_| {}).await;
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    let r = send_raw(server.addr, big.as_bytes()).await.expect("answer");
    assert_eq!(r.status, 431, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "headers_too_large");
    let many: String = (0..150).map(|k| format!("X-H{k}: v\r\n")).collect();
    let req = format!("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{many}\r\n");
    let r = send_raw(server.addr, req.as_bytes()).await.expect("answer");
    assert_eq!(r.status, 431, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "headers_too_large");
    server.stop().await;
}

#[tokio::test]
async fn past_max_sessions_the_longest_idle_conversation_ends_and_is_counted() {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary_bounded(2).expect("store"));
    let app = TestApp::with_store(store, |_| {}).await;
    let first = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    let second = app.chat(json!({"message": "rdv", "channel": "web"})).await;
    // `first` takes a turn: `second` is now the longest idle.
    let again = app
        .chat(json!({"session": first["session"], "message": "permis bateau", "channel": "web"}))
        .await;
    assert_eq!(again["new_session"], false);
    app.chat(json!({"message": "pêche", "channel": "web"}))
        .await;
    let evicted = app
        .chat(json!({"session": second["session"], "message": "rdv", "channel": "web"}))
        .await;
    assert_eq!(evicted["new_session"], true, "{evicted}");
    let metrics = app.metrics().await.text();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("accueil_sessions_evicted_total ")
                && l != "accueil_sessions_evicted_total 0"),
        "{metrics}"
    );
    assert!(metrics.contains("accueil_sessions_alive 2"), "{metrics}");
}

fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() {
                folder_bytes(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

#[tokio::test]
async fn waves_of_sessions_through_expiry_leave_the_folder_level() {
    let data = temp_dir("waves");
    let store = Arc::new(SledStore::open(data.path()).expect("store"));
    let clock = Arc::new(ManualClock::starting_now());
    let app = {
        let clock = clock.clone();
        let store: Arc<dyn Store> = store.clone();
        TestApp::with_store(store, move |s| s.clock = clock).await
    };
    // Answers, clarifications and questions nobody can answer: every kind
    // of turn a flood without session ids makes.
    let messages = [
        "permis bateau",
        "rdv",
        "pêche",
        "renouveler mon titre de séjour",
        "recette de la blanquette",
        "zorglub vroum",
    ];
    let mut sizes = Vec::new();
    for _wave in 0..12 {
        for k in 0..1200 {
            let m = messages[k % messages.len()];
            let channel = if k % 3 == 0 { "kiosk" } else { "web" };
            let r = app
                .post_json("/api/v1/chat", &json!({"message": m, "channel": channel}))
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
        clock.advance(Duration::from_secs(31 * 60));
        app.state.purge_sessions().await.expect("purge");
        assert_eq!(store.sessions().alive(), 0);
        store.flush().await.expect("flush");
        sizes.push(folder_bytes(data.path()));
    }
    // Sessions and waiting questions never reach the disk; what does (the
    // inbox entries, the day counters) is rewritten in place, and sled's
    // log reclaims its old segments once they fill (measured: ~370 bytes a
    // turn for the first waves, then flat at ~2.6 MB). The second half of
    // the waves stays within the first half's peak.
    let (early, late) = sizes.split_at(sizes.len() / 2);
    let peak = early.iter().copied().max().unwrap_or(0);
    assert!(
        late.iter().all(|&s| s <= peak + peak / 4),
        "the data folder keeps growing: {sizes:?}"
    );
}
