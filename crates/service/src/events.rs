//! What a conversation tells the rest of the service: the events of a
//! turn, and the few values they carry. A leaf, so the conversation emits
//! and the review consumes without either knowing the other.

use serde::{Deserialize, Serialize};

use accueil_engine::matcher::{Match, Outcome};
use accueil_engine::notices::Millis;

/// Where the person talks to the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The widget on a website: every step at once, 30-minute sessions.
    Web,
    /// A touch kiosk in a hall: steps one at a time, short sessions.
    Kiosk,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "web" => Some(Channel::Web),
            "kiosk" => Some(Channel::Kiosk),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Kiosk => "kiosk",
        }
    }
}

/// One of the matcher's guesses, as kept for agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    pub intent: String,
    pub score: f32,
}

/// What waits for the person's next move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// "A or B?" was asked.
    Clarify,
    /// An answer was given to a typed question (feedback may follow).
    Answer,
}

/// The review's part of a session: an id and a kind, never text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub kind: TicketKind,
}

/// One chat turn, as the conversation played it: emitted once per turn,
/// for whoever keeps track (the agents' review).
#[derive(Debug, Clone, Copy)]
pub struct TurnEvent<'a> {
    /// The session's ticket from its previous turn.
    pub ticket: Option<&'a Ticket>,
    /// The typed message and the matcher's verdict on it.
    pub typed: Option<(&'a str, &'a Match)>,
    /// The intent chosen (a quick reply or a menu entry).
    pub choice: Option<&'a str>,
    /// What the conversation replied.
    pub outcome: Outcome,
    pub intent: Option<&'a str>,
    /// The reply asks "A or B?" again by itself (a "oui" to "A or B?"):
    /// not a new question, and the last one is not answered yet.
    pub clarified_again: bool,
    pub channel: Channel,
    pub site: Option<&'a str>,
    pub now: Millis,
    /// When the session expires if nothing else happens.
    pub expires_at: Millis,
}

/// What the review did with a turn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Noted {
    /// The ticket for the session to keep.
    pub ticket: Option<Ticket>,
    /// A question was recorded that the reply promises to pass on: make
    /// the store durable before replying.
    pub recorded: bool,
    /// Store operations that failed (logged; the turn goes on).
    pub store_errors: u32,
}

/// Whoever takes note of turns. The conversation calls it once per turn,
/// before saving the session, and keeps the ticket it returns.
#[async_trait::async_trait]
pub trait TurnListener: Sync {
    async fn turned(&self, event: &TurnEvent<'_>) -> Noted;
}

/// Takes no note: a conversation nobody reviews.
pub struct Unheard;

#[async_trait::async_trait]
impl TurnListener for Unheard {
    async fn turned(&self, event: &TurnEvent<'_>) -> Noted {
        Noted {
            ticket: event.ticket.cloned(),
            ..Noted::default()
        }
    }
}
