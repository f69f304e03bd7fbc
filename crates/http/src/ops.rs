//! Operations: health probes, metrics, and what every request passes
//! through: tower-http's trace, catch-panic and timeout layers, given our
//! access log line and our JSON errors here, and the counting by route.

use std::any::Any;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tracing::Span;

use super::auth::MetricsReader;
use super::chat::TurnLog;
use super::error::{json_response, ApiError, MAX_HEADERS, MAX_HEADER_BYTES};
use super::metrics::{route_index, route_label, Gauges};
use super::AppState;

/// Liveness: the process answers. No work, no lock: the bare ceiling the
/// benchmark compares the chat with.
/// Liveness, with no work: the process answers, and says whether the
/// semantic layer is on (a server without model files still serves,
/// lexically).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    if !state.store_up() {
        return ApiError::NotReady(format!(
            "the {} store does not answer",
            state.store().backend()
        ))
        .into_response();
    }
    let semantic = if state.library().semantic().is_some() {
        "on"
    } else {
        "off"
    };
    let body = format!(
        r#"{{"status":"ok","semantic":"{semantic}","store":"{}"}}"#,
        state.store().backend()
    );
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

#[derive(Serialize)]
struct Ready<'a> {
    status: &'static str,
    content_version: &'a str,
    intents: usize,
    sites: usize,
    sessions_alive: u64,
}

/// Readiness: content loaded (always, once serving) and the store answers;
/// not ready while stopping, so a load balancer drains this instance.
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    if state.is_stopping() {
        return Err(ApiError::NotReady("the server is stopping".into()));
    }
    state
        .store()
        .check()
        .await
        .map_err(|e| ApiError::NotReady(e.to_string()))?;
    let engine = state.engine();
    json_response(&Ready {
        status: "ready",
        content_version: &engine.content.version,
        intents: engine.content.intents.len(),
        sites: engine.content.sites.len(),
        sessions_alive: state.store().sessions().alive(),
    })
}

pub(crate) async fn metrics(_reader: MetricsReader, State(state): State<AppState>) -> Response {
    let engine = state.engine();
    let text = state.metrics().render(&Gauges {
        sessions_alive: state.store().sessions().alive(),
        sessions_evicted: state.store().sessions().evicted(),
        rate_limit_clients: state.limiter().map_or(0, |l| l.clients()),
        content_version: &engine.content.version,
        content_intents: engine.content.intents.len(),
    });
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static(super::metrics::CONTENT_TYPE),
        )],
        text,
    )
        .into_response()
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The response of tower-http's `TimeoutLayer` (a bare 408, set in
/// `app`) in our JSON shape: past the request timeout, reading its body
/// included, the handler is dropped and the client gets `timeout`. Our own
/// 408s already carry their content type.
pub(crate) async fn timeout_as_json(response: Response) -> Response {
    if response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(CONTENT_TYPE)
    {
        return ApiError::Timeout.into_response();
    }
    response
}

/// Refuse, in the JSON shape, a request whose line and headers pass
/// [`MAX_HEADER_BYTES`] or [`MAX_HEADERS`] (hyper refuses beyond
/// [`super::listener::HARD_HEADER_BYTES`] on its own, with a bare 431).
pub(crate) async fn header_budget(req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + req.uri().path().len()
        + req.uri().query().map_or(0, str::len);
    if bytes > MAX_HEADER_BYTES || headers.len() > MAX_HEADERS {
        return ApiError::HeadersTooLarge.into_response();
    }
    next.run(req).await
}

/// The log target of the per-request lines, so operators can route or
/// silence them apart from the rest (`ACCUEIL_LOG=info,accueil::access=off`).
pub const ACCESS_LOG: &str = "accueil::access";

/// The request's span for tower-http's `TraceLayer`: method and route
/// template (never the raw path, which may carry anything). Everything
/// logged while answering, the access line included, is inside it.
pub(crate) fn request_span(req: &Request) -> Span {
    let route = route_label(route_index(
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    ));
    tracing::info_span!(target: ACCESS_LOG, "request", method = %req.method(), route)
}

/// The access line, when the response is ready: status, latency, and for
/// chat turns the outcome and intent (never the message).
pub(crate) fn log_response<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    let turn = response.extensions().get::<TurnLog>();
    tracing::info!(
        target: ACCESS_LOG,
        status = response.status().as_u16(),
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        outcome = turn.map(|t| t.outcome),
        intent = turn.and_then(|t| t.intent.as_deref()),
    );
}

/// Count the request by route template and status, with its latency.
pub(crate) async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_index(
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let response = next.run(req).await;
    state
        .metrics()
        .observe(route, response.status().as_u16(), started.elapsed());
    response
}

/// The response to a panicking handler, for tower-http's
/// `CatchPanicLayer`: the client gets an `internal_error` and the request
/// its log line (the cause is logged, not sent), instead of a connection
/// closed without a word.
pub(crate) fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    ApiError::Internal(format!("the handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppState, Settings};
    use accueil_service::store::SledStore;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use std::sync::Arc;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_internal_error() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        let engine = accueil_engine::engine::Engine::load(&root).expect("fixture");
        let state = AppState::new(
            engine,
            Arc::new(SledStore::temporary().expect("store")),
            Settings::new(&root),
        )
        .await;
        let app = crate::observed(Router::new().route("/boom", get(boom)), state.clone());
        let req = Request::get("/boom").body(Body::empty()).expect("request");
        let response = app.oneshot(req).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("body");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["error"]["code"], "internal_error");
        assert!(
            !v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("boom"),
            "the cause stays in the log"
        );
        assert_eq!(state.metrics().requests(route_index(None), 500), 1);
    }
}
