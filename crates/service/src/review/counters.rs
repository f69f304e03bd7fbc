//! Day counters: how many questions, answers, clarifications, fallbacks
//! and feedbacks each UTC day, and per intent.
//!
//! Keys are the day number in big-endian (so a range of days is a range
//! of keys, and retention removes a prefix), then a tag: `t` for the day's
//! turns, `i` + intent id for one intent. Values are sequences of `u64`
//! added element by element by the store ([`Store::add_counters`]), so a
//! chat turn costs one or two atomic merges and no read.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::{Keyspace, Store, StoreError};

/// Positions in a day's turn counters.
pub mod turn {
    /// Typed messages.
    pub const QUESTIONS: usize = 0;
    /// Typed messages answered.
    pub const ANSWERED: usize = 1;
    /// Typed messages that got "A or B?".
    pub const CLARIFIED: usize = 2;
    /// Typed messages the assistant could not answer.
    pub const FALLBACK: usize = 3;
    /// Quick replies and menu choices.
    pub const CHOICES: usize = 4;
    /// Clarifications answered by choosing one of the options.
    pub const CLARIFY_RESOLVED: usize = 5;
    /// Clarifications left unanswered (recorded for agents).
    pub const CLARIFY_UNRESOLVED: usize = 6;
    pub const FEEDBACK_USEFUL: usize = 7;
    pub const FEEDBACK_NOT_USEFUL: usize = 8;
    pub const LEN: usize = 9;
}

/// Positions in an intent's day counters.
pub mod intent {
    /// Answers shown (typed or chosen).
    pub const ANSWERS: usize = 0;
    pub const FEEDBACK_USEFUL: usize = 1;
    pub const FEEDBACK_NOT_USEFUL: usize = 2;
    pub const LEN: usize = 3;
}

const TURNS: u8 = b't';
const INTENT: u8 = b'i';

pub fn turns_key(day: u32) -> Vec<u8> {
    let mut key = day.to_be_bytes().to_vec();
    key.push(TURNS);
    key
}

pub fn intent_key(day: u32, intent: &str) -> Vec<u8> {
    let mut key = day.to_be_bytes().to_vec();
    key.push(INTENT);
    key.extend_from_slice(intent.as_bytes());
    key
}

/// A vector of zeros with a one at `k`.
pub fn one_at<const N: usize>(k: usize) -> [u64; N] {
    let mut v = [0; N];
    if let Some(slot) = v.get_mut(k) {
        *slot = 1;
    }
    v
}

/// One day's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Day {
    pub questions: u64,
    pub answered: u64,
    pub clarified: u64,
    pub fallback: u64,
    pub choices: u64,
    pub clarify_resolved: u64,
    pub clarify_unresolved: u64,
    pub feedback_useful: u64,
    pub feedback_not_useful: u64,
}

impl Day {
    fn from_values(v: &[u64]) -> Day {
        let at = |k: usize| v.get(k).copied().unwrap_or(0);
        Day {
            questions: at(turn::QUESTIONS),
            answered: at(turn::ANSWERED),
            clarified: at(turn::CLARIFIED),
            fallback: at(turn::FALLBACK),
            choices: at(turn::CHOICES),
            clarify_resolved: at(turn::CLARIFY_RESOLVED),
            clarify_unresolved: at(turn::CLARIFY_UNRESOLVED),
            feedback_useful: at(turn::FEEDBACK_USEFUL),
            feedback_not_useful: at(turn::FEEDBACK_NOT_USEFUL),
        }
    }

    pub fn add(&mut self, o: &Day) {
        self.questions += o.questions;
        self.answered += o.answered;
        self.clarified += o.clarified;
        self.fallback += o.fallback;
        self.choices += o.choices;
        self.clarify_resolved += o.clarify_resolved;
        self.clarify_unresolved += o.clarify_unresolved;
        self.feedback_useful += o.feedback_useful;
        self.feedback_not_useful += o.feedback_not_useful;
    }

    /// Typed questions answered at once, in [0, 1]; `None` without questions.
    pub fn match_rate(&self) -> Option<f64> {
        (self.questions > 0).then(|| self.answered as f64 / self.questions as f64)
    }
}

/// An intent's counters over some days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntentCounts {
    pub answers: u64,
    pub feedback_useful: u64,
    pub feedback_not_useful: u64,
}

fn values(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .filter_map(|c| <[u8; 8]>::try_from(c).ok())
        .map(u64::from_be_bytes)
        .collect()
}

/// Longest period read at once, in days: every day of a period gets a
/// row, so the period is bounded (ten years is far beyond any retention).
pub const MAX_SPAN: u32 = 3660;

/// The counters of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every day of the period, zeros included.
    pub days: BTreeMap<u32, Day>,
    /// Every intent seen in the period.
    pub intents: BTreeMap<String, IntentCounts>,
}

/// The counters of the days `from..=to` (at most [`MAX_SPAN`] days from
/// `from`).
pub fn read(store: &dyn Store, from: u32, to: u32) -> Result<Counts, StoreError> {
    let to = to.min(from.saturating_add(MAX_SPAN - 1));
    let mut days: BTreeMap<u32, Day> = (from..=to).map(|d| (d, Day::default())).collect();
    let mut intents: BTreeMap<String, IntentCounts> = BTreeMap::new();
    let end = to.checked_add(1).map(u32::to_be_bytes);
    for (key, value) in store.scan(
        Keyspace::Counters,
        &from.to_be_bytes(),
        end.as_ref().map(|e| &e[..]),
    )? {
        let Some(day) = key.get(..4).and_then(|d| <[u8; 4]>::try_from(d).ok()) else {
            continue;
        };
        let day = u32::from_be_bytes(day);
        let v = values(&value);
        match key.get(4) {
            Some(&TURNS) => {
                days.entry(day).or_default().add(&Day::from_values(&v));
            }
            Some(&INTENT) => {
                let id = String::from_utf8_lossy(&key[5..]).into_owned();
                let c = intents.entry(id).or_default();
                c.answers += v.get(intent::ANSWERS).copied().unwrap_or(0);
                c.feedback_useful += v.get(intent::FEEDBACK_USEFUL).copied().unwrap_or(0);
                c.feedback_not_useful += v.get(intent::FEEDBACK_NOT_USEFUL).copied().unwrap_or(0);
            }
            _ => {}
        }
    }
    Ok(Counts { days, intents })
}

/// Remove the counters of the days before `day`; returns how many keys.
pub fn purge_before(store: &dyn Store, day: u32) -> Result<usize, StoreError> {
    let old = store.scan(Keyspace::Counters, &[], Some(&day.to_be_bytes()))?;
    for (key, _) in &old {
        store.remove(Keyspace::Counters, key)?;
    }
    Ok(old.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    #[test]
    fn days_and_intents_add_up_and_purge_by_prefix() {
        let s = SledStore::temporary().unwrap();
        let q = one_at::<{ turn::LEN }>(turn::QUESTIONS);
        let a = one_at::<{ turn::LEN }>(turn::ANSWERED);
        s.add_counters(&[(&turns_key(10), &q), (&turns_key(10), &a)])
            .unwrap();
        s.add_counters(&[(&turns_key(12), &q)]).unwrap();
        s.add_counters(&[(&intent_key(10, "sejour.recepisse"), &[1, 0, 1])])
            .unwrap();
        s.add_counters(&[(&intent_key(11, "sejour.recepisse"), &[2, 1, 0])])
            .unwrap();
        s.add_counters(&[(&intent_key(13, "sejour.recepisse"), &[5, 5, 5])])
            .unwrap();
        let Counts { days, intents } = read(&s, 10, 12).unwrap();
        assert_eq!(days.len(), 3, "every day, zeros included");
        assert_eq!(days[&10].questions, 1);
        assert_eq!(days[&10].answered, 1);
        assert_eq!(days[&10].match_rate(), Some(1.0));
        assert_eq!(days[&11], Day::default());
        assert_eq!(days[&11].match_rate(), None);
        assert_eq!(
            intents["sejour.recepisse"],
            IntentCounts {
                answers: 3,
                feedback_useful: 1,
                feedback_not_useful: 1
            }
        );
        assert_eq!(purge_before(&s, 12).unwrap(), 3);
        let Counts { days, intents } = read(&s, 0, 20).unwrap();
        assert_eq!(days[&12].questions, 1);
        assert_eq!(days[&10], Day::default());
        assert_eq!(intents["sejour.recepisse"].answers, 5);
    }
}
