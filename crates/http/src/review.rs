//! The agents' review over HTTP (`/api/v1/review/...`): the inbox of
//! questions the assistant could not answer, clusters, one-request
//! actions, statistics, exports and the retention purge.
//!
//! Every endpoint needs a token: `agent` to read the inbox and act on it,
//! `admin` for the exports and the purge. The behaviour lives in
//! [`accueil_service::review`]; this module translates, runs the store work off the
//! async threads, and owns the live side of teaching: an `attach` is
//! written durably (transaction, then flush) before it is acknowledged,
//! and the served engine is rebuilt with the agents' paraphrases and
//! swapped in like a reload, so the next request is answered with it.
//!
//! The library ([`accueil_service::library`]) keeps the engine built from
//! the files alone, so that paraphrases are always laid over the files (at
//! startup, after a reload, after an action), never over a previous mix.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::auth::{AdminToken, AgentToken};
use super::error::{json_response, ApiError, AppJson};
use super::feedback::Limiter;
use super::{AppState, Settings};
use accueil_service::events::Guess;
use accueil_service::review::entry::{Action, Entry, EntryId, Status};
use accueil_service::review::inbox::{self, Act, Acted, Cursor, Filter, Sort};
use accueil_service::review::paraphrases::{self, fit, Fit};
use accueil_service::review::time::{day_of, format_time, parse_time};
use accueil_service::review::{export, stats, Refusal};
use accueil_service::store::{Millis, StoreError};

/// How often the retention purge runs (the pending sweep runs at every
/// tick of the session purge).
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Longest period of the statistics, in days.
const MAX_STATS_DAYS: u32 = 366;

/// Intents and clusters listed by the statistics.
const STATS_TOP: usize = 10;

/// Clusters listed by default, and at most.
const DEFAULT_CLUSTERS: usize = 50;
const MAX_CLUSTERS: usize = 500;

/// The review's part of the server state.
pub(crate) struct ReviewState {
    pub(crate) feedback: Limiter,
    retention_days: u32,
    last_retention: Mutex<Option<Millis>>,
    /// Group commit of recorded questions (see [`durable`]).
    flush: GroupFlush,
}

/// Group commit: requests that need their writes durable share flushes.
/// Each takes a ticket; one of them at a time (the leader) flushes
/// everything written so far and marks every ticket up to then as done.
/// A flush (an fsync) takes a few hundred microseconds: one per request
/// serialised the chat endpoint under load, one per group does not.
#[derive(Default)]
pub(crate) struct GroupFlush {
    requested: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    leader: tokio::sync::Mutex<()>,
}

impl ReviewState {
    pub(crate) fn new(settings: &Settings) -> ReviewState {
        ReviewState {
            feedback: Limiter::default(),
            retention_days: settings.retention_days,
            last_retention: Mutex::new(None),
            flush: GroupFlush::default(),
        }
    }
}

/// Rebuild the served engine from the files and the stored paraphrases
/// (the library swaps it in, one change at a time with reloads).
pub(crate) async fn relay(state: &AppState) -> Result<(), ApiError> {
    let listed = state.library().list(state.store()).await;
    let state = state.clone();
    tokio::task::spawn_blocking(move || state.library().relay(listed))
        .await
        .map_err(|e| ApiError::Internal(format!("rebuilding the engine: {e}")))?;
    Ok(())
}

fn internal(e: StoreError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Run computing work (clustering thousands of questions) off the async
/// threads.
async fn computing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("computing task failed: {e}")))
}

/// Make every write so far durable (fsync): called before acknowledging
/// what must survive a crash.
pub(crate) async fn durable(state: &AppState) -> Result<(), StoreError> {
    use std::sync::atomic::Ordering::SeqCst;
    let group = &state.inner.review.flush;
    // Our write is complete before we take the ticket, so any flush that
    // starts after this point covers it.
    let ticket = group.requested.fetch_add(1, SeqCst) + 1;
    if group.done.load(SeqCst) >= ticket {
        return Ok(());
    }
    let _leader = group.leader.lock().await;
    // While we waited, the previous leader may have flushed for us.
    if group.done.load(SeqCst) >= ticket {
        return Ok(());
    }
    let covered = group.requested.load(SeqCst);
    state.store().flush().await?;
    group.done.fetch_max(covered, SeqCst);
    Ok(())
}

/// At every tick of the purge task: settle the pending questions of
/// expired sessions, forget old feedback limits, and once an hour purge
/// what is older than the retention period.
pub(crate) async fn tick(state: &AppState) {
    let now = state.now();
    let retention = {
        let mut last = state
            .inner
            .review
            .last_retention
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let due =
            last.is_none_or(|t| now.saturating_sub(t) >= RETENTION_EVERY.as_millis() as Millis);
        if due {
            *last = Some(now);
        }
        due.then_some(state.inner.review.retention_days)
    };
    state.inner.review.feedback.forget_old(now);
    let store = state.store();
    let result = match retention {
        Some(days) => inbox::purge(store, now, days)
            .await
            .map(|p| (p.pending, Some(p))),
        None => accueil_service::review::record::sweep_pending(store, now)
            .await
            .map(|s| (s, None)),
    };
    match result {
        Ok((swept, purged)) => {
            if swept.recorded + swept.dropped > 0 {
                tracing::debug!(
                    recorded = swept.recorded,
                    dropped = swept.dropped,
                    "pending questions of expired sessions settled"
                );
            }
            if let Some(p) = purged {
                tracing::info!(
                    removed = p.removed,
                    emptied = p.emptied,
                    trimmed = p.trimmed,
                    counters = p.counters,
                    "review retention purge"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "review purge failed"),
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/review/questions", get(list))
        .route("/api/v1/review/questions/{id}", get(show).post(act))
        .route("/api/v1/review/clusters", get(clusters))
        .route("/api/v1/review/stats", get(stats))
        .route("/api/v1/review/export", get(export))
        .route("/api/v1/review/purge", post(purge))
}

// ---- views -----------------------------------------------------------------

#[derive(Debug, Serialize)]
struct ActionView<'a> {
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    intent: Option<&'a str>,
    by: &'a str,
    at: String,
}

impl<'a> ActionView<'a> {
    fn of(a: &'a Action) -> ActionView<'a> {
        ActionView {
            action: &a.action,
            intent: a.intent.as_deref(),
            by: &a.by,
            at: format_time(a.at),
        }
    }
}

/// An inbox entry as agents see it.
#[derive(Debug, Serialize)]
struct Item<'a> {
    id: String,
    text: &'a str,
    count: u64,
    first_seen: String,
    last_seen: String,
    status: &'static str,
    /// Sites it was asked on, most first.
    sites: Vec<&'a str>,
    /// Channels it was asked on, most first.
    channels: Vec<&'a str>,
    /// The matcher's best guesses at its latest occurrence.
    candidates: &'a [Guess],
    /// Occurrences per kind: `fallback`, `clarify`, `not_useful`.
    outcomes: &'a std::collections::BTreeMap<String, u64>,
    /// Occurrences since the latest action.
    since_action: u64,
    /// The intent it is attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    intent: Option<&'a str>,
    /// The latest action.
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<ActionView<'a>>,
}

fn by_count(map: &std::collections::BTreeMap<String, u64>) -> Vec<&str> {
    let mut v: Vec<(&str, u64)> = map.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().map(|(k, _)| k).collect()
}

impl<'a> Item<'a> {
    fn of(id: EntryId, e: &'a Entry) -> Item<'a> {
        Item {
            id: id.hex(),
            text: &e.text,
            count: e.count,
            first_seen: format_time(e.first_seen),
            last_seen: format_time(e.last_seen),
            status: e.status.as_str(),
            sites: by_count(&e.sites),
            channels: by_count(&e.channels),
            candidates: &e.candidates,
            outcomes: &e.outcomes,
            since_action: e.since_action,
            intent: e.attached_to(),
            action: e.last_action().map(ActionView::of),
        }
    }
}

/// One entry in full: the item, its history and the reasons given.
#[derive(Debug, Serialize)]
struct Detail<'a> {
    #[serde(flatten)]
    item: Item<'a>,
    actions: Vec<ActionView<'a>>,
    reasons: &'a [String],
}

impl<'a> Detail<'a> {
    fn of(id: EntryId, e: &'a Entry) -> Detail<'a> {
        Detail {
            item: Item::of(id, e),
            actions: e.actions.iter().map(ActionView::of).collect(),
            reasons: &e.reasons,
        }
    }
}

// ---- query parsing ---------------------------------------------------------

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::InvalidQuery(e.body_text()))
}

/// `status=`: one status, or `all`; `default` when absent.
fn status_filter(value: Option<&str>, default: Option<Status>) -> Result<Option<Status>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some("all") => Ok(None),
        Some(s) => Status::parse(s).map(Some).ok_or_else(|| {
            ApiError::InvalidQuery(format!(
                "unknown status `{}`: use new, attached, dismissed, to_write or all",
                s.chars().take(32).collect::<String>()
            ))
        }),
    }
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    name: &str,
    value: Option<&str>,
    default: T,
    min: T,
    max: T,
) -> Result<T, ApiError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match v.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(ApiError::InvalidQuery(format!(
            "`{name}` must be a number from {min} to {max}"
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    status: Option<String>,
    site: Option<String>,
    since: Option<String>,
    sort: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

fn entry_id(path: Result<Path<String>, PathRejection>) -> Result<EntryId, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
    EntryId::parse(&id).ok_or_else(|| {
        let shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
        Refusal::UnknownQuestion(shown).into()
    })
}

// ---- handlers --------------------------------------------------------------

#[derive(Serialize)]
struct ListView<'a> {
    items: Vec<Item<'a>>,
    next_cursor: Option<String>,
    /// Questions matching the filters, all pages together.
    total: usize,
}

/// `GET /api/v1/review/questions`: the inbox, filtered, sorted, paged.
async fn list(
    State(state): State<AppState>,
    AgentToken(_who): AgentToken,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let filter = Filter {
        status: status_filter(q.status.as_deref(), Some(Status::New))?,
        site: q
            .site
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        since: match q.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(parse_time(s).map_err(ApiError::InvalidQuery)?),
            None => None,
        },
    };
    let sort = match q.sort.as_deref().map(str::trim) {
        None | Some("") => Sort::Count,
        Some(s) => Sort::parse(s)
            .ok_or_else(|| ApiError::InvalidQuery("`sort` is `count` or `recent`".into()))?,
    };
    let limit = number(
        "limit",
        q.limit.as_deref(),
        inbox::DEFAULT_LIMIT,
        1,
        inbox::MAX_LIMIT,
    )?;
    let cursor = match q.cursor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => Some(Cursor::parse(sort, c).map_err(ApiError::InvalidQuery)?),
        None => None,
    };
    let page = inbox::list(state.store(), &filter, sort, limit, cursor.as_ref())
        .await
        .map_err(internal)?;
    json_response(&ListView {
        items: page.items.iter().map(|(id, e)| Item::of(*id, e)).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// `GET /api/v1/review/questions/{id}`: one question with its history.
async fn show(
    State(state): State<AppState>,
    AgentToken(_who): AgentToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = entry_id(path)?;
    let found = inbox::entry(state.store(), id).await.map_err(internal)?;
    match found {
        Some(e) if !e.purged => json_response(&Detail::of(id, &e)),
        _ => Err(Refusal::UnknownQuestion(id.hex()).into()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    action: String,
    intent: Option<String>,
}

/// `POST /api/v1/review/questions/{id}`: attach, dismiss or to_write.
/// Acknowledged once durable; an attach is in service when this returns.
async fn act(
    State(state): State<AppState>,
    AgentToken(who): AgentToken,
    path: Result<Path<String>, PathRejection>,
    AppJson(body): AppJson<ActionBody>,
) -> Result<Response, ApiError> {
    let id = entry_id(path)?;
    let current = inbox::entry(state.store(), id)
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::from(Refusal::UnknownQuestion(id.hex())))?;
    let action = match body.action.trim() {
        "attach" => {
            let intent = body
                .intent
                .as_deref()
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .ok_or(Refusal::MissingIntent)?;
            if current.purged {
                return Err(Refusal::NothingToAttach.into());
            }
            let paraphrase = accueil_engine::mask::without_labels(&current.text);
            if paraphrase.is_empty() {
                return Err(Refusal::NothingToAttach.into());
            }
            let files = state.library().files();
            match fit(&files, intent, &paraphrase) {
                Fit::UnknownIntent => {
                    let shown: String = intent.chars().take(64).collect();
                    return Err(ApiError::UnknownIntent(shown));
                }
                Fit::Conflict(other) => return Err(Refusal::ParaphraseConflict(other).into()),
                Fit::Added | Fit::InFiles => {}
            }
            Act::Attach {
                intent: intent.to_owned(),
                paraphrase,
            }
        }
        "dismiss" => Act::Dismiss,
        "to_write" => Act::ToWrite,
        other => {
            let shown: String = other.chars().take(32).collect();
            return Err(Refusal::UnknownAction(shown).into());
        }
    };
    let was_attached = current.status == Status::Attached;
    let changes_engine = matches!(action, Act::Attach { .. }) || was_attached;
    let by = who.clone();
    let name = action.name();
    let intent = match &action {
        Act::Attach { intent, .. } => Some(intent.clone()),
        _ => None,
    };
    let now = state.now();
    let store = state.store();
    let acted = inbox::act(store, id, &action, &by, now)
        .await
        .map_err(internal)?;
    // Durable before it is acknowledged.
    store.flush().await.map_err(internal)?;
    let entry = match acted {
        Acted::Done(e) => e,
        Acted::Unknown => return Err(Refusal::UnknownQuestion(id.hex()).into()),
        Acted::Purged => return Err(Refusal::NothingToAttach.into()),
    };
    if changes_engine {
        relay(&state).await?;
    }
    tracing::info!(
        token = %who,
        question = %id.hex(),
        action = name,
        intent = intent.as_deref(),
        "review action"
    );
    json_response(&Detail::of(id, &entry))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClustersQuery {
    status: Option<String>,
    days: Option<String>,
    limit: Option<String>,
}

#[derive(Serialize)]
struct ClustersView {
    /// Questions grouped (distinct inbox entries).
    questions: usize,
    clusters: Vec<stats::ClusterView>,
}

/// `GET /api/v1/review/clusters`: similar questions grouped.
async fn clusters(
    State(state): State<AppState>,
    AgentToken(_who): AgentToken,
    q: Result<Query<ClustersQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let status = status_filter(q.status.as_deref(), Some(Status::New))?;
    let days: Option<u32> = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Some(number("days", Some(d), 1, 1, MAX_STATS_DAYS)?),
        None => None,
    };
    let limit = number(
        "limit",
        q.limit.as_deref(),
        DEFAULT_CLUSTERS,
        1,
        MAX_CLUSTERS,
    )?;
    let engine = state.engine();
    let today = day_of(state.now());
    let filter = Filter {
        status,
        ..Filter::default()
    };
    let entries = inbox::sorted(state.store(), &filter, Sort::Count)
        .await
        .map_err(internal)?;
    let view = computing(move || {
        let mut clusters = stats::clusters(engine.matcher.index(), &entries, |e| match days {
            Some(d) => e.count_between(today.saturating_sub(d - 1), today),
            None => e.count,
        });
        let questions = clusters.iter().map(|c| c.questions).sum();
        clusters.truncate(limit);
        ClustersView {
            questions,
            clusters,
        }
    })
    .await?;
    json_response(&view)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatsQuery {
    days: Option<String>,
}

/// `GET /api/v1/review/stats?days=`: per day, top intents, top clusters.
async fn stats(
    State(state): State<AppState>,
    AgentToken(_who): AgentToken,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let days: u32 = number("days", q.days.as_deref(), 7, 1, MAX_STATS_DAYS)?;
    let engine = state.engine();
    let to = day_of(state.now());
    let from = to.saturating_sub(days - 1);
    let store = state.store();
    let entries = inbox::entries(store).await.map_err(internal)?;
    let view = stats::stats(store, engine.matcher.index(), &entries, from, to, STATS_TOP)
        .await
        .map_err(internal)?;
    json_response(&view)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    format: Option<String>,
    status: Option<String>,
}

/// `GET /api/v1/review/export?format=toml|csv` (admin): the agents'
/// paraphrases as TOML snippets per intent, or the inbox as CSV.
async fn export(
    State(state): State<AppState>,
    AdminToken(who): AdminToken,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let now = state.now();
    let today = accueil_service::review::time::format_day(day_of(now));
    let response = match q.format.as_deref().map(str::trim) {
        Some("toml") => {
            let files = state.library().files();
            let stored = paraphrases::stored(state.store()).await.map_err(internal)?;
            let text = export::toml(&files, &stored, now);
            (
                [(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/toml; charset=utf-8"),
                )],
                text,
            )
                .into_response()
        }
        Some("csv") => {
            let status = status_filter(q.status.as_deref(), None)?;
            let filter = Filter {
                status,
                ..Filter::default()
            };
            let entries = inbox::sorted(state.store(), &filter, Sort::Count)
                .await
                .map_err(internal)?;
            let text = export::csv(&entries);
            let disposition = format!("attachment; filename=\"accueil-questions-{today}.csv\"");
            (
                [
                    (
                        CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (
                        CONTENT_DISPOSITION,
                        HeaderValue::from_str(&disposition)
                            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
                    ),
                ],
                text,
            )
                .into_response()
        }
        _ => {
            return Err(ApiError::InvalidQuery(
                "`format` is `toml` (the agents' paraphrases) or `csv` (the inbox)".into(),
            ))
        }
    };
    tracing::info!(token = %who, "review export");
    Ok(response)
}

/// `POST /api/v1/review/purge` (admin): the retention purge, now.
async fn purge(
    State(state): State<AppState>,
    AdminToken(who): AdminToken,
) -> Result<Response, ApiError> {
    let days = state.inner.review.retention_days;
    let now = state.now();
    let store = state.store();
    let purged = inbox::purge(store, now, days).await.map_err(internal)?;
    store.flush().await.map_err(internal)?;
    tracing::info!(token = %who, removed = purged.removed, emptied = purged.emptied, "review purge requested");
    #[derive(Serialize)]
    struct View {
        retention_days: u32,
        #[serde(flatten)]
        purged: inbox::Purged,
    }
    json_response(&View {
        retention_days: days,
        purged,
    })
}

#[cfg(test)]
mod tests {
    //! Properties: the retention flag has its default and its bounds; a
    //! tokens file adds its tokens (comments and blank lines ignored) to
    //! those of `--tokens`, and an unreadable one stops the start.
    use super::super::config::ServeArgs;
    use super::*;
    use clap::Parser;
    use std::path::PathBuf;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn settings(args: &[&str]) -> Result<Settings, String> {
        let mut argv = vec!["accueil"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        Settings::from_args(PathBuf::from("."), &cli.serve)
    }

    #[test]
    fn retention_days() {
        assert_eq!(
            settings(&[]).map(|s| s.retention_days),
            Ok(accueil_service::review::DEFAULT_RETENTION_DAYS)
        );
        assert_eq!(
            settings(&["--retention-days", "30"]).map(|s| s.retention_days),
            Ok(30)
        );
        for bad in ["0", "3651", "-1", "trois"] {
            assert!(settings(&["--retention-days", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_tokens_file_adds_tokens() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("tokens");
        std::fs::write(
            &path,
            "# agents of the préfecture\nalice:agent:alice-secret-0123456789\n\n  bob:admin:bob-secret-0123456789  \n",
        )
        .unwrap();
        let file = path.display().to_string();
        let s = settings(&[
            "--tokens",
            "ops:admin:ops-secret-0123456789",
            "--tokens-file",
            &file,
        ])
        .unwrap();
        assert_eq!(s.tokens.len(), 3);
        let alice = s
            .tokens
            .find(b"alice-secret-0123456789")
            .map(|t| (t.name.clone(), t.role));
        assert_eq!(alice, Some(("alice".into(), super::super::Role::Agent)));
        assert!(s.tokens.find(b"bob-secret-0123456789").is_some());
        std::fs::write(&path, "alice:agent:short\n").unwrap();
        let err = settings(&["--tokens-file", &file]).unwrap_err();
        assert!(err.contains("ACCUEIL_TOKENS"), "{err}");
        std::fs::remove_file(&path).unwrap();
        let err = settings(&["--tokens-file", &file]).unwrap_err();
        assert!(err.contains("ACCUEIL_TOKENS_FILE"), "{err}");
    }
}
