//! `POST /api/v1/admin/reload`: re-read the content without a restart.
//!
//! The new content is loaded and validated off the request threads, then
//! swapped in as a whole; requests in flight finish on the engine they
//! started with. Invalid content changes nothing: the server keeps serving
//! the previous content and the admin gets every error, `file:line` each.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::auth::AdminToken;
use super::error::{json_response, ApiError};
use super::AppState;
use accueil_engine::content::Severity;

#[derive(Debug, Serialize)]
struct Reloaded<'a> {
    status: &'static str,
    version: &'a str,
    previous_version: &'a str,
    changed: bool,
    intents: usize,
    warnings: usize,
    millis: u64,
}

pub(crate) async fn reload(
    State(state): State<AppState>,
    AdminToken(who): AdminToken,
) -> Result<Response, ApiError> {
    tracing::info!(token = %who, "content reload requested");
    match state.reload().await {
        Ok(r) => json_response(&Reloaded {
            status: "reloaded",
            version: &r.version,
            previous_version: &r.previous_version,
            changed: r.version != r.previous_version,
            intents: r.intents,
            warnings: r.warnings,
            millis: r.millis,
        }),
        Err(err) => {
            let errors: Vec<String> = err
                .0
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.to_string())
                .collect();
            let version = state.engine().content.version.clone();
            Err(ApiError::InvalidContent {
                message: format!(
                    "the content has {} error(s); the previous content (version {version}) is still served",
                    errors.len()
                ),
                diagnostics: errors,
            })
        }
    }
}
