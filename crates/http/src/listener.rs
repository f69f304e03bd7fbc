//! The connection loop: what a slow or greedy client may hold.
//!
//! axum's own `serve` reads headers with no deadline and accepts every
//! connection: 300 half-sent requests held the server until the process ran
//! out of file descriptors and `/healthz` stopped answering. Here, over
//! hyper's HTTP/1 server:
//! - **a header-read deadline** (`--header-timeout`): a request's headers
//!   must arrive within it, and so must the next request on an idle
//!   keep-alive connection, else the connection is closed;
//! - **a cap on open connections** (`--max-connections`): past it, a new
//!   connection gets a `503 busy` JSON answer and is closed at once, so the
//!   listener never waits on descriptors it does not have;
//! - **a header size bound**: hyper closes a connection whose headers pass
//!   [`HARD_HEADER_BYTES`] (with its own bare 431); below that,
//!   [`super::ops::header_budget`] answers a JSON 431 past
//!   [`super::error::MAX_HEADER_BYTES`].
//!
//! Each connection's requests carry the peer address (`ConnectInfo`), which
//! the rate limit counts by. Shutdown stops accepting, then lets each
//! connection finish its request in flight (hyper's graceful shutdown).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::error::ApiError;
use super::AppState;

/// Largest request head hyper reads before closing the connection.
pub const HARD_HEADER_BYTES: usize = 64 * 1024;

/// Most headers hyper parses (our JSON budget refuses past 100).
const HARD_HEADER_COUNT: usize = 400;

/// What one client may hold, from the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a refused connection is drained before it is closed, so the
/// client reads the 503 instead of a reset.
const REFUSED_DRAIN: Duration = Duration::from_millis(500);

/// Accept connections on `listener` and serve `app` on each until
/// `stop` completes; then wait for the connections to finish their
/// request in flight (the caller bounds that wait).
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    state: AppState,
    stop: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(HARD_HEADER_BYTES.max(8192))
        .max_headers(HARD_HEADER_COUNT)
        .keep_alive(true);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors or a transient error: wait a little
                    // rather than spin.
                    tracing::warn!(error = %e, "accept error");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            state.metrics().connection_refused();
            tokio::spawn(refuse(tcp));
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move { app.oneshot(req.map(axum::body::Body::new)).await }
        });
        let conn = http.serve_connection(TokioIo::new(tcp), service);
        let conn = graceful.watch(conn);
        let state = state.clone();
        tokio::spawn(async move {
            state.metrics().connection(true);
            if let Err(e) = conn.await {
                // Timeouts, resets, malformed requests: the client's doing.
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            state.metrics().connection(false);
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Answer `503 busy` in the JSON shape and close.
async fn refuse(mut tcp: TcpStream) {
    let err = ApiError::Busy;
    let body = format!(
        r#"{{"error":{{"code":"{}","message":"{}"}}}}"#,
        err.code(),
        err.message()
    );
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = tcp.write_all(head.as_bytes()).await;
    let _ = tcp.write_all(body.as_bytes()).await;
    let _ = tcp.shutdown().await;
    // Read what the client sent, briefly: closing with unread bytes would
    // reset the connection before it reads the answer.
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(REFUSED_DRAIN, async {
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}
