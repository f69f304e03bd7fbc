//! Shared helpers of the HTTP tests: a [`TestApp`] over a private copy of
//! the fixture content (so reload tests can edit it) and a temporary
//! store, requests through the router with `oneshot`, and a tiny HTTP/1.1
//! client for the tests that use a real socket.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use accueil::http::{app, serve, AppState, Settings, Tokens};
use accueil::store::{SledStore, Store};
use accueil::Engine;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tokio::sync::oneshot;
use tower::ServiceExt;

pub const ADMIN_SECRET: &str = "admin-secret-0123456789";
pub const AGENT_SECRET: &str = "agent-secret-0123456789";
pub const METRICS_SECRET: &str = "metrics-secret-0123456789";

pub use tempfile::TempDir;

/// A fresh folder under the system temp dir, named after `label`,
/// removed when dropped (also when the test fails and unwinds).
pub fn temp_dir(label: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("accueil-{label}-"))
        .tempdir()
        .expect("create temp dir")
}

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A private, editable copy of the fixture content.
pub fn content_copy() -> TempDir {
    let dir = temp_dir("content");
    copy_dir(&fixture(), dir.path());
    dir
}

/// The settings of the tests: defaults plus an admin and an agent token.
pub fn settings(root: &Path) -> Settings {
    let mut s = Settings::new(root);
    s.tokens = Tokens::parse(&format!(
        "root:admin:{ADMIN_SECRET},alice:agent:{AGENT_SECRET},prom:metrics:{METRICS_SECRET}"
    ))
    .expect("tokens");
    s
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub content: TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
        TestApp::with_store(store, configure).await
    }

    pub async fn with_store(
        store: Arc<dyn Store>,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let content = content_copy();
        let mut s = settings(content.path());
        configure(&mut s);
        let engine = Engine::load(content.path()).expect("fixture content loads");
        let state = AppState::new(engine, store, s).await;
        TestApp {
            router: app(state.clone()),
            state,
            content,
        }
    }

    pub async fn request(&self, req: Request<Body>) -> Resp {
        let response = self.router.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// `/metrics`, with a `metrics` token (it is closed without one).
    pub async fn metrics(&self) -> Resp {
        self.request(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {METRICS_SECRET}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> Resp {
        let req = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.request(req).await
    }

    pub async fn post_raw(
        &self,
        uri: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> Resp {
        let mut req = Request::post(uri);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.request(req.body(body.into()).expect("request")).await
    }

    /// A chat turn that must succeed; returns the response JSON.
    pub async fn chat(&self, body: Value) -> Value {
        let r = self.post_json("/api/v1/chat", &body).await;
        assert_eq!(r.status, StatusCode::OK, "{body} → {}", r.text());
        r.json()
    }

    pub async fn reload(&self, secret: Option<&str>) -> Resp {
        let mut req = Request::post("/api/v1/admin/reload");
        if let Some(s) = secret {
            req = req.header("authorization", format!("Bearer {s}"));
        }
        self.request(req.body(Body::empty()).expect("request"))
            .await
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error.code` of an error response, checking the error shape.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let error = v
            .get("error")
            .unwrap_or_else(|| panic!("no `error` in {v}"));
        let message = error["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {v}"));
        assert!(!message.is_empty(), "{v}");
        error["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code in {v}"))
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Quick-reply payloads of a chat response.
pub fn payloads(v: &Value) -> Vec<String> {
    v["reply"]["quick_replies"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|q| q["payload"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `accueil --content ROOT check ARGS...`: its exit code and its output.
pub fn run_check(root: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accueil"))
        .arg("--content")
        .arg(root)
        .arg("check")
        .args(args)
        .env_remove("ACCUEIL_CONTENT")
        .output()
        .expect("run accueil check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Add an intent file to a content folder.
pub fn write_intent(root: &Path, folder: &str, name: &str, toml: &str) {
    std::fs::write(root.join(folder).join(format!("{name}.toml")), toml).expect("write intent");
}

/// An intent the fixture does not have, for reload tests.
pub const NEW_INTENT: &str = r#"id = "ddtm.peche"
title = "La pêche en eau douce"
questions = [
  "Faut-il une carte de pêche ?",
  "carte de peche en riviere",
  "acheter une carte de peche",
  "pecher dans un etang",
  "la peche a la truite",
  "permis de peche",
]
answer = """
Pour pêcher en rivière, il faut une carte de pêche.
"""
pictos = ["bateau"]
"#;

/// A server running in this process until `stop` is called.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn start(
        root: &std::path::Path,
        store: Arc<dyn Store>,
        configure: impl FnOnce(&mut Settings),
    ) -> Running {
        let mut s = settings(root);
        configure(&mut s);
        let engine = Engine::load(root).expect("content");
        let state = AppState::new(engine, store, s).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Running {
            addr,
            state,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let ended = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        ended
            .expect("stops in time")
            .expect("task")
            .expect("serve ok");
    }

    pub async fn chat(&self, body: Value) -> Value {
        let r = http_post(self.addr, "/api/v1/chat", "", &body.to_string()).await;
        assert_eq!(r.status, 200, "{body} → {}", r.body);
        r.json()
    }
}

/// A minimal HTTP/1.1 response read from a socket.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Send raw bytes to `addr` (with `Connection: close` in them) and read
/// the whole response. Blocking sockets on the blocking pool: simple, and
/// the tests need no async I/O helpers.
pub async fn send_raw(addr: std::net::SocketAddr, request: &[u8]) -> std::io::Result<Raw> {
    let request = request.to_vec();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
        stream.write_all(&request)?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf)?;
        parse_response(&buf).ok_or_else(|| {
            std::io::Error::other(format!("bad response: {}", String::from_utf8_lossy(&buf)))
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

fn parse_response(buf: &[u8]) -> Option<Raw> {
    let text = String::from_utf8_lossy(buf);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_owned()
    };
    Some(Raw {
        status,
        head: head.to_owned(),
        body,
    })
}

fn dechunk(mut rest: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n")?;
        let n = usize::from_str_radix(size.trim(), 16).ok()?;
        if n == 0 {
            return Some(out);
        }
        out.push_str(after.get(..n)?);
        rest = after.get(n + 2..)?;
    }
}

pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> Raw {
    let req = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    send_raw(addr, req.as_bytes()).await.expect("GET")
}

pub async fn http_post(addr: std::net::SocketAddr, path: &str, headers: &str, body: &str) -> Raw {
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    send_raw(addr, req.as_bytes()).await.expect("POST")
}

/// `accueil --content CONTENT serve` on a free 127.0.0.1 port with the
/// store in DATA and these tokens, in an environment cleared of the
/// tester's own `ACCUEIL_*` variables; its log (stderr) is piped for
/// [`LogLines::read`].
pub fn serve_command(content: &Path, data: &Path, tokens: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_accueil"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ACCUEIL_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.arg("--content")
        .arg(content)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("ACCUEIL_TOKENS", tokens)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// The log lines of a spawned `accueil serve`, read by a thread from its
/// standard error, and kept for assertions and failure messages.
pub struct LogLines {
    lines: std::sync::mpsc::Receiver<String>,
    pub log: Vec<String>,
}

impl LogLines {
    pub fn read(stderr: impl std::io::Read + Send + 'static) -> LogLines {
        use std::io::BufRead;
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                // Keep reading even when nobody listens any more: a full
                // pipe would block the server on its next log line.
                let _ = tx.send(line);
            }
        });
        LogLines {
            lines,
            log: Vec::new(),
        }
    }

    /// Wait for a log line containing `needle`; returns it.
    pub fn wait_for(&mut self, needle: &str, within: std::time::Duration) -> String {
        let deadline = std::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no `{needle}` in the log within {within:?}:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Collect what the process still writes (it has stopped or is stopping).
    pub fn drain(&mut self) {
        while let Ok(line) = self
            .lines
            .recv_timeout(std::time::Duration::from_millis(200))
        {
            self.log.push(line);
        }
    }
}
