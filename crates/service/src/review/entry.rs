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
//! The types are the store's ([`crate::store::model`]); this module holds
//! what the review does with them.
//!
//! An entry's status (`new`, `attached`, `dismissed`, `to_write`) is set
//! by agents and kept across occurrences: a dismissed question asked again
//! counts, but does not come back as new. When retention removes an old
//! entry that an agent acted on, a tombstone without any text keeps the
//! status, so the decision outlives the data.

use super::time::day_of;
use crate::events::{Channel, Guess};
pub use crate::store::{Action, Entry, EntryId, Kind, Status, Summary, ID_BYTES};
use crate::store::{Change, Millis, Taught};

/// Actions kept in an entry's history, the latest last.
const HISTORY: usize = 20;

/// Reasons given with "not useful" feedback kept per entry, the latest last.
const REASONS: usize = 5;

/// Best guesses kept per entry.
pub const GUESSES: usize = 3;

impl Entry {
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

/// What counting `occ` on its entry writes (given the entry as stored).
pub fn counted(old: Option<Entry>, occ: &Occurrence<'_>) -> Entry {
    // An entry that cannot be read (a newer version wrote it) is
    // started afresh rather than blocking every later occurrence.
    let mut entry = old.unwrap_or_default();
    entry.add(occ);
    entry
}

/// [`counted`] as an inbox change.
pub fn count(old: Option<Entry>, occ: &Occurrence<'_>) -> Change {
    Change::Put(Box::new(counted(old, occ)), Taught::Unchanged)
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
    fn summaries_agree_with_their_entries() {
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
        let summary = e.summary();
        assert_eq!(summary.sites, ["ddtm-exemple", "prefecture-guyane"]);
        assert_eq!(
            (summary.count, summary.first_seen, summary.last_seen),
            (2, 1_000, 2_000)
        );
        assert_eq!(summary.status, Status::ToWrite);
        assert!(!summary.purged);
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
