//! Day counters: how many questions, answers, clarifications, fallbacks
//! and feedbacks each UTC day, and per intent.
//!
//! A counter is a [`CounterKey`] (the day's turns, or one intent that
//! day) and a sequence of `u64` added element by element by the store
//! ([`crate::store::Counters::add`]), so a chat turn costs one or two
//! atomic additions and no read. The positions in the sequences are here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::{CounterKey, Store, StoreError};

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
pub async fn read(store: &dyn Store, from: u32, to: u32) -> Result<Counts, StoreError> {
    let to = to.min(from.saturating_add(MAX_SPAN - 1));
    let mut days: BTreeMap<u32, Day> = (from..=to).map(|d| (d, Day::default())).collect();
    let mut intents: BTreeMap<String, IntentCounts> = BTreeMap::new();
    for (key, v) in store.counters().read(from, to).await? {
        match key {
            CounterKey::Turns { day } => {
                days.entry(day).or_default().add(&Day::from_values(&v));
            }
            CounterKey::Intent { intent: id, .. } => {
                let c = intents.entry(id).or_default();
                c.answers += v.get(intent::ANSWERS).copied().unwrap_or(0);
                c.feedback_useful += v.get(intent::FEEDBACK_USEFUL).copied().unwrap_or(0);
                c.feedback_not_useful += v.get(intent::FEEDBACK_NOT_USEFUL).copied().unwrap_or(0);
            }
        }
    }
    Ok(Counts { days, intents })
}

/// Remove the counters of the days before `day`; returns how many.
pub async fn purge_before(store: &dyn Store, day: u32) -> Result<usize, StoreError> {
    store.counters().purge_before(day).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    fn turns(day: u32) -> CounterKey {
        CounterKey::Turns { day }
    }

    fn intent(day: u32) -> CounterKey {
        CounterKey::Intent {
            day,
            intent: "sejour.recepisse".into(),
        }
    }

    #[tokio::test]
    async fn days_and_intents_add_up_and_purge_by_day() {
        let s = SledStore::temporary().unwrap();
        let c = s.counters();
        let q = one_at::<{ turn::LEN }>(turn::QUESTIONS);
        let a = one_at::<{ turn::LEN }>(turn::ANSWERED);
        c.add(&[(turns(10), &q), (turns(10), &a)]).await.unwrap();
        c.add(&[(turns(12), &q)]).await.unwrap();
        c.add(&[(intent(10), &[1, 0, 1])]).await.unwrap();
        c.add(&[(intent(11), &[2, 1, 0])]).await.unwrap();
        c.add(&[(intent(13), &[5, 5, 5])]).await.unwrap();
        let Counts { days, intents } = read(&s, 10, 12).await.unwrap();
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
        assert_eq!(purge_before(&s, 12).await.unwrap(), 3);
        let Counts { days, intents } = read(&s, 0, 20).await.unwrap();
        assert_eq!(days[&12].questions, 1);
        assert_eq!(days[&10], Day::default());
        assert_eq!(intents["sejour.recepisse"].answers, 5);
    }
}
