//! `POST /api/v1/feedback`: a person says whether an answer was useful.
//!
//! Public, like the chat, so it is bounded: the session must be a live
//! one (a feedback belongs to a conversation), a session rates an intent
//! once, and at most [`MAX_PER_SESSION`] times per [`WINDOW`]. The limits
//! are kept in memory: a restart forgets them, which costs nothing but a
//! few extra votes. Feedback is counted per intent and day; an answer to
//! a typed question marked not useful also sends that question (masked,
//! with the reason, masked too) to the agents' inbox. The response says
//! nothing of what was recorded.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::error::{json_response, ApiError, AppJson};
use super::AppState;
use accueil_service::conversation::{clean_text, is_session_id, SessionState};
use accueil_service::review::{note_feedback, FeedbackNote, Refusal, MAX_REASON_CHARS};
use accueil_service::store::{Millis, SessionLookup};

/// Feedbacks one session may give per window.
pub const MAX_PER_SESSION: u32 = 10;

/// The window of the per-session limit (a web session's idle time).
pub const WINDOW: Duration = Duration::from_secs(30 * 60);

/// Sessions tracked at most; past that, old windows are dropped first,
/// and if none is old the feedback waits (the server is being flooded).
const MAX_SESSIONS: usize = 100_000;

#[derive(Debug)]
struct Window {
    opened: Millis,
    count: u32,
    intents: Vec<String>,
}

/// Time from `then` to `now`, zero if the clock went back.
fn since(then: Millis, now: Millis) -> Duration {
    Duration::from_millis(now.saturating_sub(then))
}

/// The per-session limits.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    sessions: Mutex<HashMap<String, Window>>,
}

impl Limiter {
    /// Count a feedback of `session` on `intent` at `now`, or refuse it.
    pub(crate) fn admit(&self, session: &str, intent: &str, now: Millis) -> Result<(), Refusal> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if sessions.len() >= MAX_SESSIONS && !sessions.contains_key(session) {
            sessions.retain(|_, w| since(w.opened, now) < WINDOW);
            if sessions.len() >= MAX_SESSIONS {
                tracing::warn!("feedback limiter full: refusing feedback from new sessions");
                return Err(Refusal::TooManyFeedbacks {
                    retry_after_secs: 60,
                });
            }
        }
        let window = sessions
            .entry(session.to_owned())
            .or_insert_with(|| Window {
                opened: now,
                count: 0,
                intents: Vec::new(),
            });
        if since(window.opened, now) >= WINDOW {
            *window = Window {
                opened: now,
                count: 0,
                intents: Vec::new(),
            };
        }
        if window.intents.iter().any(|i| i == intent) {
            return Err(Refusal::FeedbackAlreadyGiven(intent.to_owned()));
        }
        if window.count >= MAX_PER_SESSION {
            let left = WINDOW.saturating_sub(since(window.opened, now));
            return Err(Refusal::TooManyFeedbacks {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        window.count += 1;
        window.intents.push(intent.to_owned());
        Ok(())
    }

    /// Drop the windows that are over.
    pub(crate) fn forget_old(&self, now: Millis) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, w| since(w.opened, now) < WINDOW);
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeedbackRequest {
    session: String,
    intent: String,
    useful: bool,
    reason: Option<String>,
}

#[derive(Serialize)]
struct Recorded {
    status: &'static str,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/feedback", post(feedback))
}

async fn feedback(
    State(state): State<AppState>,
    AppJson(body): AppJson<FeedbackRequest>,
) -> Result<Response, ApiError> {
    let reason = body
        .reason
        .as_deref()
        .map(|r| clean_text(r).trim().to_owned());
    if let Some(r) = &reason {
        let chars = r.chars().count();
        if chars > MAX_REASON_CHARS {
            return Err(Refusal::ReasonTooLong { chars }.into());
        }
    }
    let session = body.session.trim();
    let unknown = || {
        let shown: String = session
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect();
        ApiError::from(Refusal::UnknownSession(shown))
    };
    if !is_session_id(session) {
        return Err(unknown());
    }
    let now = state.now();
    let found = state
        .store()
        .sessions()
        .get(session, now)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let SessionLookup::Found(bytes) = found else {
        return Err(unknown());
    };
    // A session written by another version still counts; only its ticket
    // is lost.
    let ticket = serde_json::from_slice::<SessionState>(&bytes)
        .ok()
        .and_then(|s| s.review);
    let engine = state.engine();
    let Some(intent) = engine.content.intent(body.intent.trim()) else {
        let shown: String = body
            .intent
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect();
        return Err(ApiError::UnknownIntent(shown));
    };
    state
        .inner
        .review
        .feedback
        .admit(session, &intent.id, now)?;
    let intent = intent.id.clone();
    let useful = body.useful;
    let store = state.store();
    note_feedback(
        store,
        FeedbackNote {
            ticket: ticket.as_ref(),
            intent: &intent,
            useful,
            reason: reason.as_deref(),
            now,
        },
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    // Acknowledged once durable.
    store
        .flush()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    json_response(&Recorded { status: "recorded" })
}

#[cfg(test)]
mod tests {
    //! Properties: a session rates an intent once, at most
    //! `MAX_PER_SESSION` times per window, and gets a fresh window after
    //! it; the refusal says when to retry; old windows are forgotten.
    use super::*;

    #[test]
    fn limits_per_session() {
        let l = Limiter::default();
        let t0: Millis = 1_700_000_000_000;
        l.admit("s", "a", t0).unwrap();
        assert_eq!(
            l.admit("s", "a", t0),
            Err(Refusal::FeedbackAlreadyGiven("a".into()))
        );
        l.admit("other", "a", t0).expect("another session");
        for k in 1..MAX_PER_SESSION {
            l.admit("s", &format!("i{k}"), t0).unwrap();
        }
        let later = t0 + 60_000;
        match l.admit("s", "one-more", later) {
            Err(Refusal::TooManyFeedbacks { retry_after_secs }) => {
                assert_eq!(retry_after_secs, WINDOW.as_secs() - 60)
            }
            other => panic!("{other:?}"),
        }
        let next_window = t0 + WINDOW.as_millis() as Millis;
        l.admit("s", "a", next_window).expect("a new window");
        l.forget_old(next_window + 1_000);
        assert_eq!(l.sessions.lock().unwrap().len(), 1, "`other` is forgotten");
    }
}
