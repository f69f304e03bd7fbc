//! `POST /api/v1/chat`: one turn of a conversation.
//!
//! The handler only translates: JSON in, a checked
//! [`TurnRequest`](accueil_service::conversation::TurnRequest), one call to
//! [`conversation::turn`], JSON out. The behaviour (clarify, steps, yes/no,
//! sessions) lives in [`accueil_service::conversation`], testable without HTTP.

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::error::{sized_json_response, ApiError, AppJson};

/// Room for a reply's JSON: most are 1 to 4 KB.
const REPLY_BYTES: usize = 4096;
use super::AppState;
use accueil_engine::matcher::Outcome;
use accueil_engine::reply::Reply;
use accueil_service::conversation::{RawTurn, TurnRequest};

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
    /// `fr` or `en`.
    pub lang: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChatResponse<'a> {
    session: &'a str,
    new_session: bool,
    outcome: Outcome,
    intent: Option<&'a str>,
    confidence: f32,
    reply: &'a Reply,
    /// The guided journey this turn walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    journey: Option<&'a accueil_service::journey_walk::JourneyView>,
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
        lang: body.lang.as_deref(),
    };
    let request = TurnRequest::parse(&engine.content, raw)?;
    let now = state.now();
    let notices = state.notices().snapshot();
    let mut out = accueil_service::chat::turn(
        &engine,
        &notices,
        state.store(),
        &state.settings().policy,
        request,
        now,
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;

    // The reply promises to pass the question on: durable first.
    if out.recorded {
        if let Err(e) = super::review::durable(&state).await {
            tracing::error!(error = %e, "cannot make a recorded question durable");
            out.store_errors += 1;
        }
    }
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
        journey: out.journey.as_ref(),
    };
    let mut response = sized_json_response(&body, REPLY_BYTES)?;
    response.extensions_mut().insert(TurnLog {
        outcome: out.outcome.as_str(),
        intent: out.intent.clone(),
    });
    Ok(response)
}
