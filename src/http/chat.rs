//! `POST /api/v1/chat`: one turn of a conversation.
//!
//! The handler only translates: JSON in, a checked
//! [`TurnRequest`](crate::conversation::TurnRequest), one call to
//! [`conversation::turn`], JSON out. The behaviour (clarify, steps, yes/no,
//! sessions) lives in [`crate::conversation`], testable without HTTP.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, AppJson};
use super::AppState;
use crate::conversation::{self, RawTurn, TurnRequest};
use crate::matcher::Outcome;
use crate::reply::Reply;
use crate::store::now_millis;

/// The request body. Unknown fields are refused (`invalid_body`) so a
/// misspelt field is caught at once rather than silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    pub session: Option<String>,
    pub message: Option<String>,
    pub choice: Option<String>,
    pub channel: Option<String>,
    pub site: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChatResponse<'a> {
    session: &'a str,
    new_session: bool,
    outcome: Outcome,
    intent: Option<&'a str>,
    confidence: f32,
    reply: &'a Reply,
}

/// What the request log line shows of a chat turn (never the text).
#[derive(Debug, Clone)]
pub(crate) struct TurnLog {
    pub outcome: &'static str,
    pub intent: Option<String>,
}

pub(crate) async fn chat(
    State(state): State<AppState>,
    AppJson(body): AppJson<ChatRequest>,
) -> Result<Response, ApiError> {
    let engine = state.engine();
    let raw = RawTurn {
        session: body.session.as_deref(),
        message: body.message.as_deref(),
        choice: body.choice.as_deref(),
        channel: body.channel.as_deref(),
        site: body.site.as_deref(),
    };
    let request = TurnRequest::parse(&engine.content, raw)?;
    let out = conversation::turn(
        &engine,
        state.store(),
        &state.settings().policy,
        request,
        now_millis(),
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;

    let metrics = state.metrics();
    metrics.outcome(out.outcome);
    metrics.store_errors(out.store_errors);
    if out.new_session {
        metrics.new_session();
    }
    let body = ChatResponse {
        session: &out.session,
        new_session: out.new_session,
        outcome: out.outcome,
        intent: out.intent.as_deref(),
        confidence: out.confidence,
        reply: &out.reply,
    };
    let mut response = Json(body).into_response();
    response.extensions_mut().insert(TurnLog {
        outcome: out.outcome.as_str(),
        intent: out.intent.clone(),
    });
    Ok(response)
}
