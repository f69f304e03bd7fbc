//! What the store keeps, as types: inbox entries and their summaries,
//! questions waiting for the person's next move, paraphrases taught by
//! agents, day counter keys. Each backend chooses how to encode them (the
//! sled one in [`super::sled`]); the review's logic on them (counting an
//! occurrence, an agent's action) lives in `crate::review`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::{Channel, Guess, TicketKind};
use accueil_engine::notices::Millis;

/// Bytes of an entry key (a SHA-256 prefix: collisions are out of reach).
pub const ID_BYTES: usize = 16;

/// An entry's key: the hash prefix of its normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub [u8; ID_BYTES]);

impl EntryId {
    /// The id of a normalised question.
    pub fn of(normalized: &str) -> EntryId {
        let digest = Sha256::digest(normalized.as_bytes());
        let mut id = [0u8; ID_BYTES];
        id.copy_from_slice(&digest[..ID_BYTES]);
        EntryId(id)
    }

    /// From its 32 lowercase hex characters (ids are written lowercase,
    /// so one id has one spelling).
    pub fn parse(hex: &str) -> Option<EntryId> {
        if !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let mut id = [0u8; ID_BYTES];
        hex::decode_to_slice(hex, &mut id).ok()?;
        Some(EntryId(id))
    }

    pub fn from_key(key: &[u8]) -> Option<EntryId> {
        <[u8; ID_BYTES]>::try_from(key).ok().map(EntryId)
    }

    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Where an entry stands with agents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody acted on it yet.
    #[default]
    New,
    /// Became a paraphrase of an intent.
    Attached,
    /// Out of scope for this service.
    Dismissed,
    /// Needs a new answer.
    ToWrite,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::New,
        Status::Attached,
        Status::Dismissed,
        Status::ToWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Attached => "attached",
            Status::Dismissed => "dismissed",
            Status::ToWrite => "to_write",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Why a question was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The assistant said it does not know.
    Fallback,
    /// The assistant asked "A or B?" and the person chose neither.
    Clarify,
    /// The person said the answer was not useful.
    NotUseful,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fallback => "fallback",
            Kind::Clarify => "clarify",
            Kind::NotUseful => "not_useful",
        }
    }
}

/// One agent's action on an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// `attach`, `dismiss` or `to_write`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The name of the token that did it.
    pub by: String,
    pub at: Millis,
}

/// An inbox entry as stored (JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The question as first recorded, masked. Empty in a tombstone.
    pub text: String,
    /// Its normalised form (the entry's identity). Empty in a tombstone.
    pub normalized: String,
    pub count: u64,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// Occurrences per site id (those asked without a site are not listed).
    #[serde(default)]
    pub sites: BTreeMap<String, u64>,
    /// Occurrences per channel (`web`, `kiosk`).
    #[serde(default)]
    pub channels: BTreeMap<String, u64>,
    /// Occurrences per [`Kind`].
    #[serde(default)]
    pub outcomes: BTreeMap<String, u64>,
    /// Occurrences per UTC day number, trimmed by retention.
    #[serde(default)]
    pub days: BTreeMap<u32, u64>,
    /// The matcher's best guesses at the latest occurrence, best first.
    #[serde(default)]
    pub candidates: Vec<Guess>,
    /// The content version of the latest occurrence.
    #[serde(default)]
    pub content_version: String,
    #[serde(default)]
    pub status: Status,
    /// Agents' actions, oldest first (the latest few, see `crate::review`).
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Occurrences since the latest action: a question attached or
    /// dismissed that keeps coming is worth a second look.
    #[serde(default)]
    pub since_action: u64,
    /// Masked reasons given with "not useful" feedback, latest last.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// A tombstone: retention removed the text, the decision stays.
    #[serde(default)]
    pub purged: bool,
}

impl Entry {
    /// The latest action, if any.
    pub fn last_action(&self) -> Option<&Action> {
        self.actions.last()
    }

    /// The intent of an attached entry.
    pub fn attached_to(&self) -> Option<&str> {
        match self.status {
            Status::Attached => self.last_action().and_then(|a| a.intent.as_deref()),
            _ => None,
        }
    }

    /// What listing needs of it.
    pub fn summary(&self) -> Summary {
        Summary {
            count: self.count,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            status: self.status,
            purged: self.purged,
            sites: self.sites.keys().cloned().collect(),
        }
    }

    /// Occurrences on the days `from..=to`.
    pub fn count_between(&self, from: u32, to: u32) -> u64 {
        self.days.range(from..=to).map(|(_, n)| n).sum()
    }
}

/// What listing needs of an entry: a backend can read it without the
/// whole entry (sled keeps it in binary in front of the JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub status: Status,
    pub purged: bool,
    /// Site ids, sorted.
    pub sites: Vec<String>,
}

/// A question waiting for what the person does next (masked), under a
/// random ticket: a clarification to resolve, an answer feedback may
/// follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub kind: TicketKind,
    pub text: String,
    pub normalized: String,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub at: Millis,
    /// When the session would expire: then the sweep decides.
    pub expires_at: Millis,
    /// The options offered (clarify) or the best guesses (answer).
    pub guesses: Vec<Guess>,
    /// The intent answered (answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    pub content_version: String,
}

impl Pending {
    /// The inbox entry this question counts on when recorded.
    pub fn entry_id(&self) -> EntryId {
        EntryId::of(&self.normalized)
    }
}

/// One paraphrase added by an agent: kept with its inbox entry's status
/// (see [`super::Inbox::update`]) and laid over the content files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paraphrase {
    pub intent: String,
    /// The text added to the intent's questions: the masked question
    /// without its masking labels.
    pub text: String,
    /// The inbox entry it comes from (hex id).
    pub question: String,
    pub by: String,
    pub at: Millis,
}

/// A day counter: the day's turns, or one intent's answers and feedback
/// that day. Days are UTC day numbers since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CounterKey {
    Turns { day: u32 },
    Intent { day: u32, intent: String },
}

impl CounterKey {
    pub fn day(&self) -> u32 {
        match self {
            CounterKey::Turns { day } | CounterKey::Intent { day, .. } => *day,
        }
    }
}
