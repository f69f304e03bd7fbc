//! The agents' review: every question the assistant could not answer
//! reaches agents, grouped and counted, and what they do about it changes
//! the assistant at once.
//!
//! - [`record`] takes note of chat turns and feedback: fallbacks at once,
//!   clarifications left unresolved and answers marked not useful later
//!   (the question waits under a ticket the session keeps). Everything is
//!   masked ([`accueil_engine::mask`]) before it is written.
//! - [`entry`] is the inbox's unit: one entry per distinct normalised
//!   question, counted, with its sites, channels, days and status.
//! - [`inbox`] lists entries for agents and applies their actions
//!   (`attach`, `dismiss`, `to_write`, each with who and when), and purges
//!   what is older than the retention period.
//! - [`paraphrases`] lays the attached questions over the content files:
//!   the served engine is rebuilt with them, like a reload.
//! - [`stats`], [`counters`] and [`export`]: day statistics, clusters of
//!   similar questions, TOML and CSV exports.
//!
//! Nothing here knows HTTP (see `crate::http` for the endpoints); time is
//! a parameter, so tests drive retention and expiry without waiting.

pub mod counters;
pub mod entry;
pub mod export;
pub mod inbox;
pub mod paraphrases;
pub mod record;
pub mod stats;
pub mod time;

pub use entry::{Entry, EntryId, Kind, Status};
pub use record::{note_feedback, note_turn, FeedbackNote, Noted, Ticket, TicketKind, TurnEvent};

/// Retention of recorded questions and statistics, in days, by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Longest reason accepted with a feedback, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why an agent's or a person's request about the review was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no question `{0}` in the inbox")]
    UnknownQuestion(String),
    #[error("unknown action `{0}`: use \"attach\", \"dismiss\" or \"to_write\"")]
    UnknownAction(String),
    #[error("`attach` needs an `intent`: the id of the intent the question belongs to")]
    MissingIntent,
    #[error("nothing to attach: the question's text was removed by retention, or was only personal data")]
    NothingToAttach,
    #[error("the content files already give this question to `{0}`; attach it there, or change the files")]
    ParaphraseConflict(String),
    #[error("no live session `{0}`: feedback is given within a conversation")]
    UnknownSession(String),
    #[error("this session already gave feedback on `{0}`")]
    FeedbackAlreadyGiven(String),
    #[error("too many feedbacks from this session; retry in {retry_after_secs} s")]
    TooManyFeedbacks { retry_after_secs: u64 },
    #[error("the reason has {chars} characters; the limit is {MAX_REASON_CHARS}")]
    ReasonTooLong { chars: usize },
}

impl Refusal {
    /// The stable error code the API reports.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownQuestion(_) => "unknown_question",
            Refusal::UnknownAction(_) => "unknown_action",
            Refusal::MissingIntent => "missing_intent",
            Refusal::NothingToAttach => "nothing_to_attach",
            Refusal::ParaphraseConflict(_) => "paraphrase_conflict",
            Refusal::UnknownSession(_) => "unknown_session",
            Refusal::FeedbackAlreadyGiven(_) => "feedback_already_given",
            Refusal::TooManyFeedbacks { .. } => "too_many_requests",
            Refusal::ReasonTooLong { .. } => "reason_too_long",
        }
    }

    /// Every refusal, one of each kind (for the error table's tests).
    pub fn examples() -> Vec<Refusal> {
        vec![
            Refusal::UnknownQuestion(String::new()),
            Refusal::UnknownAction(String::new()),
            Refusal::MissingIntent,
            Refusal::NothingToAttach,
            Refusal::ParaphraseConflict(String::new()),
            Refusal::UnknownSession(String::new()),
            Refusal::FeedbackAlreadyGiven(String::new()),
            Refusal::TooManyFeedbacks {
                retry_after_secs: 1,
            },
            Refusal::ReasonTooLong { chars: 0 },
        ]
    }
}
