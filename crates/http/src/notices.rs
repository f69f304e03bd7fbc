//! `/api/v1/admin/notices`: service notices, managed by admins.
//!
//! `POST` creates a notice, or replaces the one with the same `id`;
//! `GET` lists them (the content's too, read-only) or shows one; `DELETE`
//! removes one. Every endpoint needs an `admin` token. The rules live in
//! [`accueil_engine::notices`]; the handlers translate JSON and map refusals to
//! their stable codes. The chat handler adds the notices to its replies.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::auth::AdminToken;
use super::error::{json_response, ApiError, AppJson};
use super::AppState;
use accueil_engine::content::Content;
use accueil_engine::notice_rules::NoticeInput;
use accueil_engine::notices::{format_datetime, Notice, NoticeError, NoticeLink, Origin};
use accueil_service::notice_board::{new_id, Board};
use accueil_service::store::Store;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/notices", get(list).post(create))
        .route("/api/v1/admin/notices/{id}", get(one).delete(remove))
}

/// The board of the admins' notices, read from the store at startup. A
/// store that cannot be read leaves it empty (and says so in the log):
/// the server still answers, without those notices.
pub(crate) async fn load_board(store: &dyn Store) -> Board {
    match Board::load(store).await {
        Ok((board, skipped)) => {
            for name in skipped {
                tracing::warn!(overlay = %name, "unreadable notice in the store: ignored");
            }
            board
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the notices from the store");
            Board::default()
        }
    }
}

/// A notice as the admin API shows it: times in UTC, where it comes from,
/// and whether it is shown now.
#[derive(Debug, Serialize)]
struct NoticeOut<'a> {
    id: &'a str,
    /// `null`: every site (national).
    site: Option<&'a str>,
    starts_at: String,
    ends_at: String,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a NoticeLink>,
    intents: &'a [String],
    domains: &'a [String],
    active: bool,
    /// `admin` (this API) or `content` (a site file).
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    /// `faq/sites/<site>.toml:<line>` for a notice of the content.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

fn out<'a>(content: &Content, n: &'a Notice, now: u64) -> NoticeOut<'a> {
    let (source, created_by, created_at, file) = match &n.origin {
        Origin::Admin { by, at } => ("admin", Some(by.as_str()), Some(format_datetime(*at)), None),
        Origin::Content { path, line } => {
            let shown = path.strip_prefix(&content.root).unwrap_or(path);
            (
                "content",
                None,
                None,
                Some(format!("{}:{line}", shown.display())),
            )
        }
    };
    NoticeOut {
        id: &n.id,
        site: n.site.as_deref(),
        starts_at: format_datetime(n.starts_at),
        ends_at: format_datetime(n.ends_at),
        text: &n.text,
        link: n.link.as_ref(),
        intents: &n.intents,
        domains: &n.domains,
        active: n.is_active(now),
        source,
        created_by,
        created_at,
        file,
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    AdminToken(who): AdminToken,
    AppJson(input): AppJson<NoticeInput>,
) -> Result<Response, ApiError> {
    let engine = state.engine();
    let content = &engine.content;
    let now = state.now();
    let id = match &input.id {
        Some(_) => String::new(),
        None => {
            new_id().map_err(|e| ApiError::Internal(format!("no randomness for an id: {e}")))?
        }
    };
    let notice = input.into_notice(content, id, &who, now)?;
    if let Some(file) = content.notices.iter().find(|n| n.id == notice.id) {
        return Err(in_content(content, file).into());
    }
    let created = state
        .notices()
        .put(state.store(), notice.clone())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(
        token = %who,
        id = %notice.id,
        site = notice.site.as_deref().unwrap_or("*"),
        created,
        "notice saved"
    );
    let mut response = json_response(&out(content, &notice, now))?;
    *response.status_mut() = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/admin/notices/{}", notice.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

fn in_content(content: &Content, n: &Notice) -> NoticeError {
    let path = match &n.origin {
        Origin::Content { path, line } => {
            let shown = path.strip_prefix(&content.root).unwrap_or(path);
            format!("{}:{line}", shown.display())
        }
        Origin::Admin { .. } => "the store".to_owned(),
    };
    NoticeError::InContent {
        id: n.id.clone(),
        path,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Only the notices a reply on this site may carry (its own and the
    /// national ones).
    site: Option<String>,
    /// Only the notices shown now (`true`) or not shown now (`false`).
    active: Option<bool>,
}

#[derive(Debug, Serialize)]
struct List<'a> {
    notices: Vec<NoticeOut<'a>>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    AdminToken(_): AdminToken,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
    let engine = state.engine();
    let content = &engine.content;
    let site = query
        .site
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(site) = site {
        if !content.sites.contains_key(site) {
            let known: Vec<&str> = content.sites.keys().map(String::as_str).collect();
            return Err(NoticeError::UnknownSite {
                id: site.chars().take(64).collect(),
                known: known.join(", "),
            }
            .into());
        }
    }
    let now = state.now();
    let admin = state.notices().snapshot();
    let mut all: Vec<&Notice> = content
        .notices
        .iter()
        .chain(admin.iter())
        .filter(|n| site.is_none() || n.site.is_none() || n.site.as_deref() == site)
        .filter(|n| query.active.is_none_or(|a| n.is_active(now) == a))
        .collect();
    all.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
    json_response(&List {
        notices: all.into_iter().map(|n| out(content, n, now)).collect(),
    })
}

pub(crate) async fn one(
    State(state): State<AppState>,
    AdminToken(_): AdminToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
    let engine = state.engine();
    let content = &engine.content;
    let now = state.now();
    if let Some(n) = state.notices().get(&id) {
        return json_response(&out(content, &n, now));
    }
    match content.notices.iter().find(|n| n.id == id) {
        Some(n) => json_response(&out(content, n, now)),
        None => Err(not_found(&id)),
    }
}

fn not_found(id: &str) -> ApiError {
    NoticeError::NotFound(id.chars().filter(|c| !c.is_control()).take(64).collect()).into()
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    AdminToken(who): AdminToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
    let engine = state.engine();
    if state.notices().get(&id).is_none() {
        if let Some(file) = engine.content.notices.iter().find(|n| n.id == id) {
            return Err(in_content(&engine.content, file).into());
        }
    }
    let existed = state
        .notices()
        .remove(state.store(), &id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !existed {
        return Err(not_found(&id));
    }
    tracing::info!(token = %who, id = %id, "notice removed");
    Ok(StatusCode::NO_CONTENT.into_response())
}
