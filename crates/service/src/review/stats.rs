//! Statistics and clusters for agents: what was asked each day, how much
//! was answered, what people said of the answers, which intents are used
//! most, and the unanswered questions grouped by similarity.
//!
//! Clusters use the matcher's own analysis ([`accueil_engine::cluster`]), so
//! paraphrases of one request — spelling, accents, SMS style — land
//! together, and each cluster says which intents its questions came
//! closest to: where an agent will most likely attach them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::counters::{self, Day, IntentCounts};
use super::entry::{Entry, EntryId};
use super::time::format_day;
use crate::events::Guess;
use crate::store::{Store, StoreError};
use accueil_engine::cluster::{cluster, Item};
use accueil_engine::index::Index;

/// Intents a cluster lists as closest.
const CLOSEST: usize = 3;

/// A group of similar questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterView {
    /// Occurrences of its questions, all together.
    pub size: u64,
    /// Distinct questions (inbox entries) in it.
    pub questions: usize,
    /// Their ids, most asked first.
    pub ids: Vec<String>,
    /// Up to five of their texts, most asked first.
    pub examples: Vec<String>,
    /// The (normalised) words they share.
    pub words: Vec<String>,
    /// The intents they came closest to: the matcher's scores, averaged
    /// over the occurrences (an intent not guessed for a question counts 0).
    pub intents: Vec<Guess>,
}

/// Group `entries`, each weighing `weight(entry)` occurrences (entries
/// weighing 0 are left out); biggest clusters first.
pub fn clusters(
    index: &Index,
    entries: &[(EntryId, Entry)],
    weight: impl Fn(&Entry) -> u64,
) -> Vec<ClusterView> {
    let by_id: BTreeMap<String, (&Entry, u64)> = entries
        .iter()
        .map(|(id, e)| (id.hex(), (e, weight(e))))
        .filter(|(_, (_, w))| *w > 0)
        .collect();
    let items: Vec<Item> = by_id
        .iter()
        .map(|(id, (e, w))| Item {
            id: id.clone(),
            text: e.text.clone(),
            count: *w,
        })
        .collect();
    cluster(index, &items)
        .into_iter()
        .map(|c| {
            let mut scores: BTreeMap<&str, f64> = BTreeMap::new();
            for id in &c.ids {
                if let Some((e, w)) = by_id.get(id) {
                    for g in &e.candidates {
                        *scores.entry(g.intent.as_str()).or_default() +=
                            f64::from(g.score) * *w as f64;
                    }
                }
            }
            let mut intents: Vec<Guess> = scores
                .into_iter()
                .map(|(intent, s)| Guess {
                    intent: intent.to_owned(),
                    score: (s / c.size.max(1) as f64) as f32,
                })
                .collect();
            intents.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.intent.cmp(&b.intent))
            });
            intents.truncate(CLOSEST);
            ClusterView {
                size: c.size,
                questions: c.ids.len(),
                ids: c.ids,
                examples: c.examples,
                words: c.words,
                intents,
            }
        })
        .collect()
}

/// One day of statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayView {
    /// `2026-03-01` (UTC).
    pub day: String,
    #[serde(flatten)]
    pub counts: Day,
    /// Typed questions answered at once; `null` on a day without questions.
    pub match_rate: Option<f64>,
}

/// An intent's use over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentView {
    pub intent: String,
    #[serde(flatten)]
    pub counts: IntentCounts,
}

/// Statistics over the days `from..=to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub days: Vec<DayView>,
    pub totals: DayView,
    /// Most answered intents, with their feedback.
    pub top_intents: Vec<IntentView>,
    /// Biggest clusters of questions still waiting for an agent (`new`
    /// and `to_write`), counting the period's occurrences only.
    pub top_unanswered: Vec<ClusterView>,
}

/// Build the statistics of the days `from..=to`.
pub async fn stats(
    store: &dyn Store,
    index: &Index,
    entries: &[(EntryId, Entry)],
    from: u32,
    to: u32,
    top: usize,
) -> Result<Stats, StoreError> {
    let counters::Counts { days, intents } = counters::read(store, from, to).await?;
    let mut totals = Day::default();
    let days: Vec<DayView> = days
        .into_iter()
        .map(|(d, counts)| {
            totals.add(&counts);
            DayView {
                day: format_day(d),
                match_rate: counts.match_rate(),
                counts,
            }
        })
        .collect();
    let mut top_intents: Vec<IntentView> = intents
        .into_iter()
        .map(|(intent, counts)| IntentView { intent, counts })
        .collect();
    top_intents.sort_by(|a, b| {
        b.counts
            .answers
            .cmp(&a.counts.answers)
            .then_with(|| a.intent.cmp(&b.intent))
    });
    top_intents.truncate(top);
    let waiting: Vec<(EntryId, Entry)> = entries
        .iter()
        .filter(|(_, e)| {
            matches!(
                e.status,
                super::entry::Status::New | super::entry::Status::ToWrite
            )
        })
        .cloned()
        .collect();
    let mut top_unanswered = clusters(index, &waiting, |e| e.count_between(from, to));
    top_unanswered.truncate(top);
    Ok(Stats {
        from: format_day(from),
        to: format_day(to),
        days,
        totals: DayView {
            day: format!("{}/{}", format_day(from), format_day(to)),
            match_rate: totals.match_rate(),
            counts: totals,
        },
        top_intents,
        top_unanswered,
    })
}
