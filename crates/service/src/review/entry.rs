//! Inbox entries: one per distinct question the assistant could not
//! answer, however often it is asked.
//!
//! A question is recorded already masked ([`accueil_engine::mask`]); its identity
//! is the SHA-256 of its normalised form (the matcher's normalisation and
//! lexicon, so "rdv" and "rendez-vous", or accents and case, do not make
//! two entries). The first 16 bytes of the hash are the entry's key in the
//! store and, in hex, its id in the API. Every occurrence updates the one
//! entry inside a store transaction: count, first and last seen, sites,
//! channels, outcomes, a per-day histogram (for statistics over a window
//! and for retention), the latest best guesses.
//!
//! Stored, an entry is a small binary [`Summary`] (count, times, status,
//! sites) followed by the whole entry as JSON: listing the inbox reads
//! only the summaries to filter and sort, and decodes the JSON of the
//! page it returns (10,000 entries list in milliseconds, not a tenth of
//! a second).
//!
//! An entry's status (`new`, `attached`, `dismissed`, `to_write`) is set
//! by agents and kept across occurrences: a dismissed question asked again
//! counts, but does not come back as new. When retention removes an old
//! entry that an agent acted on, a tombstone without any text keeps the
//! status, so the decision outlives the data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::time::day_of;
use crate::events::{Channel, Guess};
use crate::store::{Keyspace, Millis, Txn, TxnError};

/// Bytes of an entry key (a SHA-256 prefix: collisions are out of reach).
pub const ID_BYTES: usize = 16;

/// Actions kept in an entry's history, the latest last.
const HISTORY: usize = 20;

/// Reasons given with "not useful" feedback kept per entry, the latest last.
const REASONS: usize = 5;

/// Best guesses kept per entry.
pub const GUESSES: usize = 3;

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
    /// Agents' actions, oldest first (the latest [`HISTORY`] ones).
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

    /// An entry from its stored bytes (summary, then JSON).
    pub fn decode(bytes: &[u8]) -> Option<Entry> {
        let (_, body) = Summary::decode(bytes)?;
        serde_json::from_slice(bytes.get(body..)?).ok()
    }

    /// The stored bytes: the summary, then the entry as JSON.
    pub fn encode(&self) -> Result<Vec<u8>, TxnError> {
        let mut out = self.summary().encode();
        serde_json::to_writer(&mut out, self)
            .map_err(|e| TxnError::abort(format!("encoding an entry: {e}")))?;
        Ok(out)
    }

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

    /// Count one more occurrence.
    pub fn add(&mut self, occ: &Occurrence<'_>) {
        if self.count == 0 || self.purged {
            // New, or a tombstone coming back: the text is the new one.
            self.text = occ.text.to_owned();
            self.normalized = occ.normalized.to_owned();
            self.purged = false;
        }
        self.first_seen = if self.count == 0 {
            occ.at
        } else {
            self.first_seen.min(occ.at)
        };
        self.count = self.count.saturating_add(1);
        self.since_action = self.since_action.saturating_add(1);
        self.last_seen = self.last_seen.max(occ.at);
        if let Some(site) = occ.site {
            *self.sites.entry(site.to_owned()).or_default() += 1;
        }
        *self
            .channels
            .entry(occ.channel.as_str().to_owned())
            .or_default() += 1;
        *self
            .outcomes
            .entry(occ.kind.as_str().to_owned())
            .or_default() += 1;
        *self.days.entry(day_of(occ.at)).or_default() += 1;
        if !occ.guesses.is_empty() {
            self.candidates = occ.guesses.iter().take(GUESSES).cloned().collect();
        }
        if !occ.content_version.is_empty() {
            self.content_version = occ.content_version.to_owned();
        }
        if let Some(reason) = occ.reason.filter(|r| !r.is_empty()) {
            self.reasons.push(reason.to_owned());
            let extra = self.reasons.len().saturating_sub(REASONS);
            self.reasons.drain(..extra);
        }
    }

    /// Record an agent's action.
    pub fn act(&mut self, status: Status, action: Action) {
        self.status = status;
        self.since_action = 0;
        self.actions.push(action);
        let extra = self.actions.len().saturating_sub(HISTORY);
        self.actions.drain(..extra);
    }

    /// Occurrences on the days `from..=to`.
    pub fn count_between(&self, from: u32, to: u32) -> u64 {
        self.days.range(from..=to).map(|(_, n)| n).sum()
    }
}

/// What listing needs of an entry, stored in front of it in binary.
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

/// The first byte of a stored entry: its format.
const FORMAT: u8 = 1;

impl Summary {
    /// Format byte, count, first and last seen (big-endian `u64`), status,
    /// tombstone flag, number of sites, then each site as a length byte
    /// and its bytes (ids longer than 255 bytes are cut; site ids are file
    /// names, far shorter).
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(FORMAT);
        out.extend_from_slice(&self.count.to_be_bytes());
        out.extend_from_slice(&self.first_seen.to_be_bytes());
        out.extend_from_slice(&self.last_seen.to_be_bytes());
        out.push(match self.status {
            Status::New => 0,
            Status::Attached => 1,
            Status::Dismissed => 2,
            Status::ToWrite => 3,
        });
        out.push(u8::from(self.purged));
        let sites: Vec<&[u8]> = self
            .sites
            .iter()
            .take(usize::from(u8::MAX))
            .map(|s| &s.as_bytes()[..s.len().min(usize::from(u8::MAX))])
            .collect();
        out.push(sites.len() as u8);
        for site in sites {
            out.push(site.len() as u8);
            out.extend_from_slice(site);
        }
        out
    }

    /// The summary of stored bytes, and where the JSON starts.
    pub fn decode(bytes: &[u8]) -> Option<(Summary, usize)> {
        if *bytes.first()? != FORMAT {
            return None;
        }
        let u64_at = |k: usize| -> Option<u64> {
            Some(u64::from_be_bytes(bytes.get(k..k + 8)?.try_into().ok()?))
        };
        let status = match *bytes.get(25)? {
            0 => Status::New,
            1 => Status::Attached,
            2 => Status::Dismissed,
            3 => Status::ToWrite,
            _ => return None,
        };
        let mut at = 28;
        let n = usize::from(*bytes.get(27)?);
        let mut sites = Vec::with_capacity(n);
        for _ in 0..n {
            let len = usize::from(*bytes.get(at)?);
            let site = bytes.get(at + 1..at + 1 + len)?;
            sites.push(String::from_utf8_lossy(site).into_owned());
            at += 1 + len;
        }
        Some((
            Summary {
                count: u64_at(1)?,
                first_seen: u64_at(9)?,
                last_seen: u64_at(17)?,
                status,
                purged: *bytes.get(26)? != 0,
                sites,
            },
            at,
        ))
    }
}

/// One occurrence of a question, masked, ready to be counted.
#[derive(Debug, Clone)]
pub struct Occurrence<'a> {
    /// The masked question.
    pub text: &'a str,
    /// The normalised masked question.
    pub normalized: &'a str,
    pub kind: Kind,
    pub channel: Channel,
    pub site: Option<&'a str>,
    pub at: Millis,
    pub guesses: &'a [Guess],
    pub content_version: &'a str,
    /// A masked reason, with "not useful" feedback.
    pub reason: Option<&'a str>,
}

/// Count an occurrence on its entry, inside a transaction; returns the id.
pub fn upsert(txn: &dyn Txn, occ: &Occurrence<'_>) -> Result<EntryId, TxnError> {
    let id = EntryId::of(occ.normalized);
    let mut entry = match txn.get(Keyspace::Inbox, &id.0)? {
        // An entry that cannot be read (a newer version wrote it) is
        // started afresh rather than blocking every later occurrence.
        Some(bytes) => Entry::decode(&bytes).unwrap_or_default(),
        None => Entry::default(),
    };
    entry.add(occ);
    txn.put(Keyspace::Inbox, &id.0, &entry.encode()?)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    //! Properties: ids are stable, hex round-trips and malformed ids are
    //! refused; occurrences add up on one entry (counts, times, sites,
    //! channels, kinds, days); a tombstone comes back with the new text
    //! and keeps its status; actions reset `since_action`; histories and
    //! reasons stay bounded.
    use super::*;

    fn occ<'a>(text: &'a str, at: Millis, site: Option<&'a str>, kind: Kind) -> Occurrence<'a> {
        Occurrence {
            text,
            normalized: text,
            kind,
            channel: Channel::Web,
            site,
            at,
            guesses: &[],
            content_version: "v1",
            reason: None,
        }
    }

    #[test]
    fn ids() {
        let a = EntryId::of("carte grise");
        assert_eq!(a, EntryId::of("carte grise"));
        assert_ne!(a, EntryId::of("carte grise perdue"));
        assert_eq!(a.hex().len(), 32);
        assert_eq!(EntryId::parse(&a.hex()), Some(a));
        for bad in [
            "",
            "xyz",
            &a.hex()[..31],
            &a.hex().to_uppercase(),
            &format!("{}0", a.hex()),
        ] {
            assert_eq!(EntryId::parse(bad), None, "{bad}");
        }
        assert_eq!(EntryId::from_key(&a.0), Some(a));
        assert_eq!(Status::parse("to_write"), Some(Status::ToWrite));
        assert_eq!(Status::parse("all"), None);
    }

    #[test]
    fn stored_entries_round_trip_and_summaries_agree() {
        let mut e = Entry::default();
        e.add(&occ("q", 1_000, Some("prefecture-guyane"), Kind::Fallback));
        e.add(&occ("q", 2_000, Some("ddtm-exemple"), Kind::Clarify));
        e.act(
            Status::ToWrite,
            Action {
                action: "to_write".into(),
                intent: None,
                by: "alice".into(),
                at: 3_000,
            },
        );
        let bytes = e.encode().unwrap();
        assert_eq!(Entry::decode(&bytes), Some(e.clone()));
        let (summary, body) = Summary::decode(&bytes).unwrap();
        assert_eq!(summary, e.summary());
        assert_eq!(summary.sites, ["ddtm-exemple", "prefecture-guyane"]);
        assert_eq!(bytes[body], b'{');
        // Truncated or foreign bytes are refused, never a panic.
        for cut in 0..body {
            assert_eq!(Summary::decode(&bytes[..cut]), None, "{cut}");
        }
        assert_eq!(Entry::decode(b"{\"text\":\"x\"}"), None);
    }

    #[test]
    fn occurrences_add_up() {
        let mut e = Entry::default();
        let day = 20_000 * super::super::time::DAY_MILLIS;
        e.add(&occ("q", day + 5_000, Some("guyane"), Kind::Fallback));
        e.add(&Occurrence {
            channel: Channel::Kiosk,
            ..occ("q", day + 1_000, None, Kind::Clarify)
        });
        e.add(&occ(
            "q",
            day + super::super::time::DAY_MILLIS,
            Some("guyane"),
            Kind::Fallback,
        ));
        assert_eq!(e.count, 3);
        assert_eq!(e.first_seen, day + 1_000);
        assert_eq!(e.last_seen, day + super::super::time::DAY_MILLIS);
        assert_eq!(e.sites.get("guyane"), Some(&2));
        assert_eq!(e.channels.get("kiosk"), Some(&1));
        assert_eq!(e.channels.get("web"), Some(&2));
        assert_eq!(e.outcomes.get("fallback"), Some(&2));
        assert_eq!(e.days.get(&20_000), Some(&2));
        assert_eq!(e.count_between(20_001, 20_010), 1);
        assert_eq!(e.status, Status::New);
    }

    #[test]
    fn actions_and_tombstones() {
        let mut e = Entry::default();
        e.add(&occ("q", 10, None, Kind::Fallback));
        e.add(&occ("q", 20, None, Kind::Fallback));
        for k in 0..30 {
            e.act(
                Status::Dismissed,
                Action {
                    action: "dismiss".into(),
                    intent: None,
                    by: format!("agent{k}"),
                    at: 100 + k,
                },
            );
        }
        assert_eq!(e.actions.len(), HISTORY);
        assert_eq!(e.last_action().map(|a| a.by.as_str()), Some("agent29"));
        assert_eq!(e.since_action, 0);
        e.add(&occ("q", 200, None, Kind::Fallback));
        assert_eq!(
            (e.count, e.since_action, e.status),
            (3, 1, Status::Dismissed)
        );
        // Retention empties it; the question comes back.
        e.text.clear();
        e.normalized.clear();
        e.purged = true;
        e.add(&occ("q again", 300, None, Kind::Fallback));
        assert!(!e.purged);
        assert_eq!(e.text, "q again");
        assert_eq!(
            e.status,
            Status::Dismissed,
            "the decision outlives the data"
        );
        for k in 0..8 {
            e.add(&Occurrence {
                reason: Some(if k % 2 == 0 { "faux" } else { "incomplet" }),
                ..occ("q", 400 + k, None, Kind::NotUseful)
            });
        }
        assert_eq!(e.reasons.len(), REASONS);
        assert_eq!(e.outcomes.get("not_useful"), Some(&8));
    }
}
