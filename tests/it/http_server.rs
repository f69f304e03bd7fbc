//! The server on a real socket (127.0.0.1, port 0), in process through
//! `accueil::http::serve` and as the `accueil serve` binary.
//!
//! Properties checked: a conversation over TCP (question → clarify →
//! choice → answer); a stalled request body ends in a `timeout` error;
//! reloads, valid and invalid, while requests are being served, lose no
//! request and swap the content whole; shutdown lets the server finish,
//! flushes the store and releases it; the binary logs its bound address,
//! one line per request without the message text, reloads on SIGHUP,
//! stops cleanly on SIGTERM, and refuses to start (exit 2) with invalid
//! content, bad tokens or an address in use.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::*;
use accueil::store::{SledStore, Store};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_over_a_real_socket_and_a_clean_stop() {
    let content = content_copy();
    let data = temp_dir("data");
    let store: Arc<dyn Store> = Arc::new(SledStore::open(data.path()).expect("store"));
    let server = Running::start(content.path(), store, |_| {}).await;
    let addr = server.addr;

    let health = http_get(addr, "/healthz").await;
    assert_eq!(health.status, 200);
    assert!(health
        .head
        .to_ascii_lowercase()
        .contains("content-type: application/json"));

    let first = server
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    assert_eq!(first["outcome"], "clarify");
    let chosen = payloads(&first)[0].clone();
    let second = server
        .chat(json!({"session": first["session"], "choice": chosen, "channel": "web"}))
        .await;
    assert_eq!(second["outcome"], "answer");
    assert_eq!(second["intent"], "ddtm.permis_bateau_duplicata");
    assert_eq!(second["session"], first["session"]);

    let bad = http_post(addr, "/api/v1/chat", "", "{oops").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "malformed_json");

    let session = first["session"].as_str().unwrap_or_default().to_owned();
    drop(server.state.clone());
    let state = server.state.clone();
    server.stop().await;
    assert!(state.is_stopping());
    drop(state);
    // Stopped: the store was flushed and released. Sessions live in
    // memory only: the conversation ends with the process.
    let reopened = SledStore::open(data.path()).expect("the store is released after a stop");
    assert_eq!(reopened.sessions().alive(), 0);
    assert_eq!(
        reopened
            .sessions()
            .get(&session, accueil::store::now_millis())
            .await
            .expect("read"),
        accueil::store::SessionLookup::Missing
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_body_times_out() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |s| {
        s.request_timeout = Duration::from_millis(300)
    })
    .await;
    let addr = server.addr;
    let (text, elapsed) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let head = "POST /api/v1/chat HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"message\":";
        stream.write_all(head.as_bytes()).expect("write");
        let started = Instant::now();
        let mut buf = vec![0u8; 4096];
        let n = stream.read(&mut buf).expect("answered before the read timeout");
        (String::from_utf8_lossy(&buf[..n]).into_owned(), started.elapsed())
    })
    .await
    .expect("client");
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\":\"timeout\""), "{text}");
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_while_requests_are_served_lose_nothing() {
    let content = content_copy();
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let server = Running::start(content.path(), store, |s| s.rate_limit = None).await;
    let addr = server.addr;
    let done = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for k in 0..4 {
        let done = done.clone();
        let served = served.clone();
        clients.push(tokio::spawn(async move {
            let questions = [
                "permis bateau",
                "Comment renouveler mon titre de séjour ?",
                "bonjour",
                "recette de cuisine",
            ];
            let mut failures = Vec::new();
            let mut n = k;
            while !done.load(Ordering::Relaxed) {
                let body = json!({"message": questions[n % questions.len()], "channel": "kiosk"})
                    .to_string();
                let r = http_post(addr, "/api/v1/chat", "", &body).await;
                if r.status != 200 {
                    failures.push(format!("{}: {}", r.status, r.body));
                }
                served.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
            failures
        }));
    }
    let admin = format!("Authorization: Bearer {ADMIN_SECRET}\r\n");
    tokio::time::sleep(Duration::from_millis(100)).await;

    write_intent(content.path(), "faq/ddtm", "peche", NEW_INTENT);
    let ok = http_post(addr, "/api/v1/admin/reload", &admin, "").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let version = ok.json()["version"].as_str().unwrap_or_default().to_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;

    write_intent(content.path(), "faq/ddtm", "casse", "id = \"ddtm.casse\"\n");
    let refused = http_post(addr, "/api/v1/admin/reload", &admin, "").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "invalid_content");
    tokio::time::sleep(Duration::from_millis(100)).await;

    done.store(true, Ordering::Relaxed);
    for c in clients {
        let failures = c.await.expect("client");
        assert!(failures.is_empty(), "{failures:?}");
    }
    assert!(
        served.load(Ordering::Relaxed) >= 8,
        "requests were served during the reloads"
    );
    assert_eq!(
        server.state.engine().content.version,
        version,
        "the valid content stays in service"
    );
    let fish = server
        .chat(json!({"message": "carte de peche en riviere", "channel": "web"}))
        .await;
    assert_eq!(fish["intent"], "ddtm.peche");
    let ready = http_get(addr, "/readyz").await;
    assert_eq!(ready.json()["content_version"], version.as_str());
    server.stop().await;
}

// ---- the binary ----------------------------------------------------------------

/// `accueil serve` as a child process, its log lines collected.
#[cfg(unix)]
struct Child {
    child: std::process::Child,
    logs: LogLines,
}

#[cfg(unix)]
impl Child {
    fn spawn(content: &std::path::Path, data: &std::path::Path, extra: &[(&str, &str)]) -> Child {
        let mut cmd = serve_command(content, data, &format!("root:admin:{ADMIN_SECRET}"));
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn accueil");
        let stderr = child.stderr.take().expect("stderr");
        let logs = LogLines::read(stderr);
        Child { child, logs }
    }

    /// Wait for a log line containing `needle`; returns it.
    fn wait_for(&mut self, needle: &str, within: Duration) -> String {
        self.logs.wait_for(needle, within)
    }

    fn drain(&mut self) {
        self.logs.drain();
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
    }

    fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {within:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[cfg(unix)]
impl Drop for Child {
    fn drop(&mut self) {
        // Only our own child, by its id.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_its_address_reloads_on_sighup_and_stops_on_sigterm() {
    let content = content_copy();
    let data = temp_dir("bin-data");
    let mut child = Child::spawn(content.path(), &data.path().join("store"), &[]);
    let line = child.wait_for("listening on http://", Duration::from_secs(30));
    let addr: SocketAddr = line
        .split("listening on http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in `{line}`"));
    assert_ne!(addr.port(), 0);

    assert_eq!(http_get(addr, "/healthz").await.status, 200);
    let secret_words = "zorglub permis bateau";
    let r = http_post(
        addr,
        "/api/v1/chat",
        "",
        &json!({"message": secret_words, "channel": "web"}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let logged = child.wait_for("route=\"/api/v1/chat\"", Duration::from_secs(5));
    assert!(
        logged.contains("status=200")
            && logged.contains("outcome=")
            && logged.contains("latency_us="),
        "{logged}"
    );

    write_intent(content.path(), "faq/ddtm", "peche", NEW_INTENT);
    child.signal("HUP");
    child.wait_for("content reloaded", Duration::from_secs(10));
    let fish = http_post(
        addr,
        "/api/v1/chat",
        "",
        &json!({"message": "carte de peche en riviere", "channel": "web"}).to_string(),
    )
    .await;
    assert_eq!(fish.json()["intent"], "ddtm.peche");

    child.signal("TERM");
    let status = child.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    child.drain();
    let log = child.logs.log.join("\n");
    assert!(log.contains("store flushed"), "{log}");
    assert!(
        !log.contains("zorglub"),
        "a message text reached the log:\n{log}"
    );
    let reopened = SledStore::open(&data.path().join("store")).expect("store released");
    assert_eq!(
        reopened.sessions().alive(),
        0,
        "sessions are kept in memory only"
    );
}

#[cfg(unix)]
#[test]
fn the_binary_refuses_to_start_on_bad_content_tokens_or_address() {
    let content = content_copy();
    let data = temp_dir("bin-refuse");

    let mut bad_tokens = Child::spawn(
        content.path(),
        &data.path().join("a"),
        &[("ACCUEIL_TOKENS", "root:admin:short")],
    );
    assert_eq!(
        bad_tokens.wait_exit(Duration::from_secs(20)).code(),
        Some(2)
    );
    bad_tokens.drain();
    assert!(
        bad_tokens.logs.log.join("\n").contains("ACCUEIL_TOKENS"),
        "{:?}",
        bad_tokens.logs.log
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").to_string();
    let mut in_use = Child::spawn(
        content.path(),
        &data.path().join("b"),
        &[("ACCUEIL_ADDR", port.as_str())],
    );
    // The flag --addr 127.0.0.1:0 wins over the variable: this one starts.
    in_use.wait_for("listening on http://", Duration::from_secs(30));
    drop(in_use);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_accueil"));
    cmd.arg("--content")
        .arg(content.path())
        .args(["serve", "--addr", &port, "--data"])
        .arg(data.path().join("c"));
    cmd.env_remove("ACCUEIL_TOKENS");
    let out = cmd.output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));

    write_intent(
        content.path(),
        "faq/ddtm",
        "casse",
        "id = \"ddtm.casse\"\nquestions = [\n  oops\n]\n",
    );
    let mut broken = Child::spawn(content.path(), &data.path().join("d"), &[]);
    assert_eq!(broken.wait_exit(Duration::from_secs(20)).code(), Some(2));
    broken.drain();
    assert!(
        broken.logs.log.join("\n").contains("casse.toml:3: error"),
        "{:?}",
        broken.logs.log
    );
}
