//! The matcher: a question → `answer`, `clarify` or `fallback`.
//!
//! Scoring is by ordered, explainable parts rather than one magic float:
//! for each intent, the best paraphrase is the one that covers most of the
//! question's weight (`question_coverage`) while leaving little of its own
//! weight unmatched (`paraphrase_coverage`); the intent's whole vocabulary
//! also counts (`intent_coverage`), so a question that mixes words of two
//! paraphrases of one intent still scores. Unknown words lower the
//! question coverage: a question made of words the content never uses is
//! out of scope. A wrong answer is the worst outcome, so the decision asks
//! for a high score *and* a margin over the runner-up; otherwise it
//! clarifies between close intents, or falls back.

use crate::decision::{Calibration, Features};
use crate::index::{DocKind, Found, Index, Query, QueryTerm};

/// Tuned on the development set (see `accueil eval`); changing them is a
/// product decision measured by the evaluation, not a guess.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Params {
    /// Exponent of question coverage in a paraphrase's score.
    pub question_exp: f32,
    /// Exponent of paraphrase coverage in a paraphrase's score.
    pub paraphrase_exp: f32,
    /// Share of the intent-wide coverage in the final score.
    pub intent_mix: f32,
    /// Below this score: fallback.
    pub clarify_min: f32,
    /// From this score, with the margin: answer.
    pub answer_min: f32,
    /// Lead over the runner-up needed to answer.
    pub margin: f32,
    /// Candidates within this distance of the best are offered in clarify.
    pub clarify_band: f32,
    /// Scale of the weight of words the content never uses.
    pub unknown_factor: f32,
    /// A long message rarely reaches `answer_min` (its story has words no
    /// paraphrase has); it is answered when the best intent scores at
    /// least this...
    pub dominance_min: f32,
    /// ...this many times more than the runner-up...
    pub dominance_ratio: f32,
    /// ...and matches at least this many informative words of it.
    pub dominance_terms: u32,
    /// When two intents cover the whole question, the best one must cover
    /// this much of its own paraphrase, or the question is too vague to
    /// answer without asking.
    pub vague_paraphrase: f32,
    /// In a message of several sentences of which some ask, the words of
    /// the others (the story) weigh this much (1: measured on half A, 0.5
    /// cost a point; ranking each sentence alone cost 40 points on long
    /// messages, so sentences alone only feed the `asked_agree` signal).
    pub story_weight: f32,
    /// A keyword document's score counts this much (keywords point to
    /// their intent; one matched alone is weaker evidence than a paraphrase).
    pub keyword_factor: f32,
}

/// Question coverage counted as whole.
const FULL_COVERAGE: f32 = 0.95;

impl Params {
    /// Set one parameter by name (`accueil eval --set name=value`, for
    /// tuning on one half of a set).
    pub fn set(&mut self, name: &str, value: f32) -> Result<(), String> {
        let slot = match name {
            "question_exp" => &mut self.question_exp,
            "paraphrase_exp" => &mut self.paraphrase_exp,
            "intent_mix" => &mut self.intent_mix,
            "clarify_min" => &mut self.clarify_min,
            "answer_min" => &mut self.answer_min,
            "margin" => &mut self.margin,
            "clarify_band" => &mut self.clarify_band,
            "unknown_factor" => &mut self.unknown_factor,
            "dominance_min" => &mut self.dominance_min,
            "dominance_ratio" => &mut self.dominance_ratio,
            "vague_paraphrase" => &mut self.vague_paraphrase,
            "story_weight" => &mut self.story_weight,
            "keyword_factor" => &mut self.keyword_factor,
            "dominance_terms" => {
                self.dominance_terms = value as u32;
                return Ok(());
            }
            _ => return Err(format!("unknown parameter `{name}`")),
        };
        *slot = value;
        Ok(())
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            question_exp: 1.0,
            paraphrase_exp: 0.8,
            intent_mix: 0.25,
            clarify_min: 0.45,
            answer_min: 0.50,
            margin: 0.06,
            clarify_band: 0.12,
            unknown_factor: 1.3,
            dominance_min: 0.30,
            dominance_ratio: 1.5,
            dominance_terms: 4,
            vague_paraphrase: 0.6,
            story_weight: 1.0,
            keyword_factor: 0.7,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answer,
    Clarify,
    Fallback,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::Clarify => "clarify",
            Outcome::Fallback => "fallback",
        }
    }
}

/// Why an intent got its score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    pub score: f32,
    /// The paraphrase (or title, or keyword) that matched best.
    pub best_paraphrase: String,
    pub question_coverage: f32,
    pub paraphrase_coverage: f32,
    pub intent_coverage: f32,
    /// Question words found in that intent's vocabulary.
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub intent: String,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// The matcher's verdict on one question.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Match {
    pub outcome: Outcome,
    /// The chosen intent, for `answer` only.
    pub intent: Option<String>,
    pub confidence: f32,
    /// Best first: the options of `clarify`, the best guesses otherwise.
    pub candidates: Vec<Candidate>,
    /// The analysed question: words, how each was found, lexicon rewrites.
    pub query: Query,
    /// The signals the decision read, and the probabilities of the
    /// calibrated decision when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signals: Option<Signals>,
    /// The message's language when it is not French and the detector is
    /// sure (ISO 639-1: "en", "ar"...); see [`crate::language`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// What the sentence encoder saw and how the combined decision
    /// weighed it, when the semantic layer is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<SemanticView>,
}

/// What the decision saw.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Signals {
    pub features: Features,
    /// Probability that the best intent is right (calibrated decision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<f32>,
    /// Probability that the right intent is among the first three.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<f32>,
}

/// How many candidates a match reports, and at most how many `clarify` offers.
const MAX_CANDIDATES: usize = 3;

#[derive(Debug, Clone)]
pub struct Matcher {
    index: Index,
    params: Params,
    paraphrase_pow: Power,
    calibration: Option<Calibration>,
}

/// Scratch totals for one intent.
#[derive(Clone, Copy, Default)]
struct IntentScore {
    best: f32,
    best_doc: u32,
    best_q: f32,
    best_p: f32,
    bag: f32,
    /// Paraphrases of the intent that score close to its best one.
    support: u32,
    /// Informative (not weak) words of the question the intent knows.
    informative: u32,
}

/// Per-thread scratch space for scoring, sized to the index on use.
#[derive(Default)]
struct Scratch {
    doc_acc: Vec<f32>,
    /// A paraphrase's score, or minus its upper bound when not computed.
    doc_score: Vec<f32>,
    docs_touched: Vec<u32>,
    intents: Vec<IntentSlot>,
    intents_touched: Vec<u32>,
    /// Effective weights of the question's terms for the view being scored.
    eff: Vec<f32>,
}

#[derive(Clone, Copy, Default)]
struct IntentSlot {
    touched: bool,
    bag: f32,
    score: IntentScore,
}

impl Scratch {
    /// Clear what the last question touched (not the whole arrays).
    fn reset(&mut self, docs: usize, intents: usize) {
        if self.doc_acc.len() != docs {
            self.doc_acc = vec![0.0; docs];
            self.doc_score = vec![0.0; docs];
            self.docs_touched.clear();
        }
        if self.intents.len() != intents {
            self.intents = vec![IntentSlot::default(); intents];
            self.intents_touched.clear();
        }
        for &d in &self.docs_touched {
            self.doc_acc[d as usize] = 0.0;
            self.doc_score[d as usize] = 0.0;
        }
        for &i in &self.intents_touched {
            self.intents[i as usize] = IntentSlot::default();
        }
        self.docs_touched.clear();
        self.intents_touched.clear();
    }
}

/// `x^e` on [0, 1], by a table with linear interpolation for exponents
/// other than 1 and 0.5 (`powf` was a sixth of matching time; the error,
/// under 1e-3, is far below what separates two intents).
#[derive(Debug, Clone)]
enum Power {
    One,
    Half,
    Table(Vec<f32>),
}

const POWER_STEPS: usize = 1024;

impl Power {
    fn new(e: f32) -> Power {
        if e == 1.0 {
            Power::One
        } else if e == 0.5 {
            Power::Half
        } else {
            Power::Table(
                (0..=POWER_STEPS)
                    .map(|k| (k as f32 / POWER_STEPS as f32).powf(e))
                    .collect(),
            )
        }
    }

    fn of(&self, x: f32) -> f32 {
        match self {
            Power::One => x,
            Power::Half => x.sqrt(),
            Power::Table(t) => {
                let pos = x.clamp(0.0, 1.0) * POWER_STEPS as f32;
                let k = (pos as usize).min(POWER_STEPS - 1);
                let frac = pos - k as f32;
                t[k] + (t[k + 1] - t[k]) * frac
            }
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Bonus for an intent whose paraphrases often carry the question's words
/// (up to [`SUPPORT_DOCS`] of them): it breaks ties between an intent about
/// "point justice" and another that only mentions it once.
const SUPPORT_BONUS: f32 = 0.05;
const SUPPORT_DOCS: u32 = 4;
/// A paraphrase supports its intent when it scores this close to the best.
const SUPPORT_RATIO: f32 = 0.8;

impl Matcher {
    pub fn new(index: Index) -> Matcher {
        Matcher::with_params(index, Params::default())
    }

    pub fn with_params(index: Index, params: Params) -> Matcher {
        Matcher {
            index,
            paraphrase_pow: Power::new(params.paraphrase_exp),
            params,
            calibration: None,
        }
    }

    /// Decide with a fitted calibration (see [`crate::decision`]) rather
    /// than the hand-set rules.
    pub fn with_calibration(mut self, calibration: Option<Calibration>) -> Matcher {
        self.calibration = calibration;
        self
    }

    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn params(&self) -> Params {
        self.params
    }

    /// Score every intent that shares a word with the question, the story
    /// of a message of several sentences weighing `story_weight` against the
    /// sentences that ask. Best first.
    fn score(&self, query: &Query) -> Vec<(u32, IntentScore)> {
        let several = query.sentence_count >= 2;
        let story = if several && query.asking != 0 {
            self.params.story_weight
        } else {
            1.0
        };
        self.score_weighted(query, |t| {
            if t.asked || !several {
                t.weight
            } else {
                t.weight * story
            }
        })
    }

    /// The best intent of sentence `n` alone.
    fn sentence_top(&self, query: &Query, n: u32) -> Option<u32> {
        let bit = 1u32 << n;
        self.score_weighted(query, |t| {
            if t.sentences & bit != 0 {
                t.weight
            } else {
                0.0
            }
        })
        .first()
        .map(|(i, _)| *i)
    }

    /// Score with each term's effective weight given by `weight` (0: left
    /// out), in this thread's scratch space.
    fn score_weighted(
        &self,
        query: &Query,
        weight: impl Fn(&QueryTerm) -> f32,
    ) -> Vec<(u32, IntentScore)> {
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            let mut eff = std::mem::take(&mut sc.eff);
            eff.clear();
            eff.extend(query.terms.iter().map(&weight));
            let scored = self.score_with(query, &eff, &mut sc);
            sc.eff = eff;
            scored
        })
    }

    fn order(&self, a: &(u32, IntentScore), b: &(u32, IntentScore)) -> std::cmp::Ordering {
        let ix = &self.index;
        b.1.best
            .total_cmp(&a.1.best)
            .then_with(|| ix.intent_ids[a.0 as usize].cmp(&ix.intent_ids[b.0 as usize]))
    }

    /// Total weight of the question under effective weights `eff` (unknown
    /// words count `unknown_factor` times).
    fn total(&self, query: &Query, eff: &[f32]) -> f32 {
        query
            .terms
            .iter()
            .zip(eff)
            .map(|(t, &w)| {
                if t.term.is_some() {
                    w
                } else {
                    w * self.params.unknown_factor
                }
            })
            .sum()
    }

    /// Scoring with dense per-document and per-intent arrays, reused across
    /// calls on one thread: hashing every posting was most of the time.
    fn score_with(&self, query: &Query, eff: &[f32], sc: &mut Scratch) -> Vec<(u32, IntentScore)> {
        let ix = &self.index;
        let p = &self.params;
        let total = self.total(query, eff);
        if total <= 0.0 {
            return Vec::new();
        }
        sc.reset(ix.docs.len(), ix.intent_ids.len());
        for (qt, &w) in query.terms.iter().zip(eff) {
            let Some(t) = qt.term else { continue };
            if w <= 0.0 {
                continue;
            }
            let gain = w * qt.credit;
            for &d in &ix.postings[t as usize] {
                let acc = &mut sc.doc_acc[d as usize];
                if *acc == 0.0 {
                    sc.docs_touched.push(d);
                }
                *acc += gain;
            }
            for &i in &ix.intent_postings[t as usize] {
                let e = &mut sc.intents[i as usize];
                if !e.touched {
                    e.touched = true;
                    sc.intents_touched.push(i);
                }
                e.bag += gain;
                if qt.weight > crate::index::WEAK_MAX {
                    e.score.informative += 1;
                }
            }
        }
        let question_pow = Power::new(p.question_exp);
        let paraphrase_pow = &self.paraphrase_pow;
        // A keyword is a word or two: matching one whole says less than
        // matching a paraphrase whole.
        let kind_factor = |k: DocKind| {
            if k == DocKind::Keyword {
                p.keyword_factor
            } else {
                1.0
            }
        };
        // A paraphrase scores at most its question coverage (its own
        // coverage is ≤ 1): one that cannot beat its intent's best so far is
        // passed over without computing the second factor.
        for &d in &sc.docs_touched {
            let m = sc.doc_acc[d as usize];
            let doc = &ix.docs[d as usize];
            let q = (m / total).min(1.0);
            let bound = question_pow.of(q) * kind_factor(doc.kind);
            let e = &mut sc.intents[doc.intent as usize].score;
            if bound < e.best {
                sc.doc_score[d as usize] = -bound;
                continue;
            }
            let pc = (m / doc.weight.max(f32::EPSILON)).min(1.0);
            let s = bound * paraphrase_pow.of(pc);
            sc.doc_score[d as usize] = s;
            if s > e.best || (s == e.best && d < e.best_doc) {
                e.best = s;
                e.best_doc = d;
                e.best_q = q;
                e.best_p = pc;
            }
        }
        for &d in &sc.docs_touched {
            let doc = &ix.docs[d as usize];
            let e = &mut sc.intents[doc.intent as usize].score;
            let mut s = sc.doc_score[d as usize];
            if s < 0.0 {
                // Only its bound is known: finish it if it may count.
                if -s < SUPPORT_RATIO * e.best {
                    continue;
                }
                let m = sc.doc_acc[d as usize];
                s = -s * paraphrase_pow.of((m / doc.weight.max(f32::EPSILON)).min(1.0));
            }
            if s >= SUPPORT_RATIO * e.best {
                e.support += 1;
            }
        }
        let final_score = |s: &IntentScore| {
            let support = s.support.min(SUPPORT_DOCS) as f32 / SUPPORT_DOCS as f32;
            ((1.0 - p.intent_mix) * s.best + p.intent_mix * s.bag + SUPPORT_BONUS * support)
                .min(1.0)
        };
        let mut scored: Vec<(u32, IntentScore)> = sc
            .intents_touched
            .iter()
            .map(|&i| {
                let slot = &sc.intents[i as usize];
                let mut s = slot.score;
                s.bag = (slot.bag / total).min(1.0);
                s.best = final_score(&s);
                (i, s)
            })
            .collect();
        let order = |a: &(u32, IntentScore), b: &(u32, IntentScore)| self.order(a, b);
        // Only the best few are used: select them, then sort those.
        if scored.len() > MAX_CANDIDATES + 1 {
            scored.select_nth_unstable_by(MAX_CANDIDATES, order);
            scored.truncate(MAX_CANDIDATES + 1);
        }
        scored.sort_by(order);
        scored
    }

    fn explain(&self, query: &Query, intent: u32, s: &IntentScore) -> Explanation {
        let ix = &self.index;
        let matched = query
            .terms
            .iter()
            .filter(|qt| {
                qt.term.is_some_and(|t| {
                    ix.intent_postings[t as usize]
                        .binary_search(&intent)
                        .is_ok()
                })
            })
            .map(|qt| match &qt.found {
                Found::Typo { corrected, .. } => format!("{} (→ {corrected})", qt.word),
                Found::Prefix { completed } => format!("{} (→ {completed})", qt.word),
                _ => qt.word.clone(),
            })
            .collect();
        Explanation {
            score: s.best,
            best_paraphrase: ix.docs[s.best_doc as usize].text.clone(),
            question_coverage: s.best_q,
            paraphrase_coverage: s.best_p,
            intent_coverage: s.bag,
            matched,
        }
    }

    /// Match one question.
    pub fn decide(&self, question: &str) -> Match {
        self.decide_with(question, false).0
    }

    /// Match one question, with an explanation for each candidate.
    pub fn explain_question(&self, question: &str) -> Match {
        self.decide_with(question, true).0
    }

    /// Match one question, and give the lexical ranking before the decision
    /// trimmed it: the first few intents with their scores, best first
    /// (what the combined decision reads). Empty for an exact match.
    pub fn decide_ranked(&self, question: &str, explain: bool) -> (Match, Vec<(String, f32)>) {
        let (m, ranking) = self.decide_with(question, explain);
        let ranking = ranking
            .into_iter()
            .map(|(i, s)| (self.index.intent_ids[i as usize].clone(), s))
            .collect();
        (m, ranking)
    }

    /// The signals of a question's match and whether its best intent is
    /// `expected`: what `accueil fit` learns from. `None` when no intent
    /// shares a word with the question or it is exactly a paraphrase.
    pub fn signals(&self, question: &str) -> Option<(Features, Vec<String>)> {
        let query = self.index.analyze(question);
        if self.index.exact_intent(&query.normalized).is_some() {
            return None;
        }
        let scored = self.score(&query);
        if scored.is_empty() {
            return None;
        }
        let f = self.features(&query, &scored);
        let ids = scored
            .iter()
            .take(MAX_CANDIDATES)
            .map(|(i, _)| self.index.intent_ids[*i as usize].clone())
            .collect();
        Some((f, ids))
    }

    /// The signals of a scored question (see [`crate::decision`]).
    fn features(&self, query: &Query, scored: &[(u32, IntentScore)]) -> Features {
        let p = &self.params;
        let Some((top_i, a)) = scored.first() else {
            return Features::default();
        };
        let second = scored.get(1).map(|(_, s)| s.best).unwrap_or(0.0);
        let ix = &self.index;
        let (mut all, mut unknown, mut matched, mut forgiven) = (0f32, 0f32, 0f32, 0f32);
        let mut words = 0u32;
        for qt in &query.terms {
            words += 1;
            match qt.term {
                None => {
                    unknown += qt.weight * p.unknown_factor;
                    all += qt.weight * p.unknown_factor;
                }
                Some(t) => {
                    all += qt.weight;
                    if ix.intent_postings[t as usize].binary_search(top_i).is_ok() {
                        matched += qt.weight;
                        if matches!(qt.found, Found::Typo { .. } | Found::Prefix { .. }) {
                            forgiven += qt.weight;
                        }
                    }
                }
            }
        }
        let asked_agree = if query.sentence_count <= 1 || query.asking == 0 {
            1.0
        } else {
            // The whole, story down-weighted, already leans on the asking
            // sentences; agreement is whether an asking sentence alone
            // would pick the same intent.
            let agree = (0..query.sentence_count)
                .filter(|n| query.asking & (1 << n) != 0)
                .any(|n| self.sentence_top(query, n) == Some(*top_i));
            f32::from(u8::from(agree))
        };
        let vague = match scored.get(1) {
            Some((_, b)) => {
                a.best_q >= FULL_COVERAGE
                    && b.best_q >= FULL_COVERAGE
                    && a.best_p < p.vague_paraphrase
            }
            None => false,
        };
        let doc_kind = ix.docs[a.best_doc as usize].kind;
        Features {
            top: a.best,
            margin: a.best - second,
            ratio: if a.best > 0.0 { second / a.best } else { 0.0 },
            question_coverage: a.best_q,
            paraphrase_coverage: a.best_p,
            intent_coverage: a.bag,
            informative: (1.0 + a.informative as f32).ln(),
            unknown_share: if all > 0.0 { unknown / all } else { 0.0 },
            length: (1.0 + words as f32).ln(),
            asked_agree,
            keyword_only: f32::from(u8::from(doc_kind != DocKind::Paraphrase)),
            typo_share: if matched > 0.0 {
                forgiven / matched
            } else {
                0.0
            },
            vague: f32::from(u8::from(vague)),
        }
    }

    fn decide_with(&self, question: &str, explain: bool) -> (Match, Vec<(u32, f32)>) {
        let query = self.index.analyze(question);
        // Exactness first: a question typed exactly as one intent's
        // paraphrase (or attached to it by an agent) is that intent.
        if let Some(i) = self.index.exact_intent(&query.normalized) {
            let id = self.index.intent_ids[i as usize].clone();
            let explanation = explain.then(|| Explanation {
                score: 1.0,
                best_paraphrase: query.normalized.clone(),
                question_coverage: 1.0,
                paraphrase_coverage: 1.0,
                intent_coverage: 1.0,
                matched: query.terms.iter().map(|t| t.word.clone()).collect(),
            });
            let m = Match {
                outcome: Outcome::Answer,
                intent: Some(id.clone()),
                confidence: 1.0,
                candidates: vec![Candidate {
                    intent: id,
                    score: 1.0,
                    explanation,
                }],
                query,
                signals: None,
                language: None,
                semantic: None,
            };
            return (m, Vec::new());
        }
        let scored = self.score(&query);
        let p = &self.params;
        let candidates: Vec<Candidate> = scored
            .iter()
            .take(MAX_CANDIDATES)
            .map(|(i, s)| Candidate {
                intent: self.index.intent_ids[*i as usize].clone(),
                score: round3(s.best),
                explanation: explain.then(|| self.explain(&query, *i, s)),
            })
            .collect();
        let top = scored.first().map(|(_, s)| s.best).unwrap_or(0.0);
        let features = self.features(&query, &scored);
        let mut signals = Signals {
            features,
            answer: None,
            offer: None,
        };
        let outcome = if scored.is_empty() {
            Outcome::Fallback
        } else if let Some(cal) = &self.calibration {
            let v = cal.judge(&features);
            signals.answer = Some(v.answer);
            signals.offer = Some(v.offer);
            if features.vague > 0.5 {
                Outcome::Clarify
            } else if v.answer >= cal.answer_min {
                Outcome::Answer
            } else if v.offer >= cal.offer_min && scored.len() >= 2 {
                Outcome::Clarify
            } else {
                Outcome::Fallback
            }
        } else {
            self.rule_outcome(&scored, &features)
        };
        let (intent, candidates) = match outcome {
            Outcome::Answer => (candidates.first().map(|c| c.intent.clone()), candidates),
            Outcome::Clarify => {
                let calibrated = self.calibration.is_some();
                let kept: Vec<Candidate> = candidates
                    .into_iter()
                    .zip(&scored)
                    .enumerate()
                    .filter(|(k, (c, (_, s)))| {
                        // Two at least; a third when it is close, or when a
                        // vague question is covered by it too.
                        let close = top - c.score <= p.clarify_band + 0.001;
                        close
                            || (*k < 2 && calibrated)
                            || (features.vague > 0.5 && s.best_q >= FULL_COVERAGE)
                    })
                    .map(|(_, (c, _))| c)
                    .collect();
                (None, kept)
            }
            Outcome::Fallback => (None, candidates),
        };
        let m = Match {
            outcome,
            intent,
            confidence: round3(signals.answer.unwrap_or(top)),
            candidates,
            query,
            signals: Some(signals),
            language: None,
            semantic: None,
        };
        (m, scored.iter().map(|(i, s)| (*i, s.best)).collect())
    }

    /// The hand-set decision, used when no calibration is given: a high
    /// score and a margin, or a dominant intent in a long message; close
    /// intents are offered; otherwise fall back.
    fn rule_outcome(&self, scored: &[(u32, IntentScore)], f: &Features) -> Outcome {
        let p = &self.params;
        let top = f.top;
        let second = top - f.margin;
        let top_informative = scored.first().map(|(_, s)| s.informative).unwrap_or(0);
        let dominant = top >= p.dominance_min
            && top >= p.dominance_ratio * second
            && top_informative >= p.dominance_terms;
        if f.vague > 0.5 {
            Outcome::Clarify
        } else if (top >= p.answer_min && top - second >= p.margin) || dominant {
            Outcome::Answer
        } else if top < p.clarify_min {
            Outcome::Fallback
        } else {
            let close = scored
                .iter()
                .take(MAX_CANDIDATES)
                .filter(|(_, s)| top - s.best <= p.clarify_band)
                .count();
            if close >= 2 {
                Outcome::Clarify
            } else {
                Outcome::Fallback
            }
        }
    }
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// What the encoder saw and how the combined decision weighed it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SemanticView {
    /// False when the lexical decision was sure enough on its own (the
    /// encoder was not run).
    pub consulted: bool,
    /// The encoder's best intents, with their cosine.
    pub nearest: Vec<Scored>,
    /// The lexical matcher's own verdict, before combining.
    pub lexical_outcome: Outcome,
    pub lexical_intent: Option<String>,
    pub lexical_confidence: f32,
    /// Each candidate's probability of being right, best first (empty
    /// without a fitted combined decision).
    pub combined: Vec<Scored>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scored {
    pub intent: String,
    pub score: f32,
}

#[cfg(test)]
mod tests {
    //! Properties: never panics, scores in [0, 1], `answer` always names
    //! the first candidate, `clarify` offers 2 or 3, deterministic.
    use super::*;
    use crate::content::{Content, Intent};
    use proptest::prelude::*;

    fn intent(id: &str, title: &str, questions: &[&str]) -> Intent {
        Intent::for_tests(id, title, questions)
    }

    fn matcher() -> Matcher {
        let mut c = Content {
            intents: vec![
                intent(
                    "sejour.renouvellement",
                    "Renouveler mon titre",
                    &[
                        "Comment renouveler mon titre de séjour ?",
                        "renouvellement carte de sejour",
                    ],
                ),
                intent(
                    "sejour.perte_vol",
                    "Titre perdu ou volé",
                    &[
                        "J'ai perdu mon titre de séjour",
                        "on m'a volé ma carte de séjour",
                    ],
                ),
                intent(
                    "ddtm.permis_bateau",
                    "Le permis bateau",
                    &["Comment passer le permis bateau ?", "permis bateau cotier"],
                ),
                intent("conv.merci", "Merci", &["merci", "merci beaucoup"]),
            ],
            ..Content::default()
        };
        c.lexicon.insert("rdv", "rendez-vous").unwrap();
        c.lexicon
            .insert("carte de séjour", "titre de séjour")
            .unwrap();
        Matcher::new(Index::build(&c))
    }

    #[test]
    fn answers_a_clear_question_despite_typos_and_accents() {
        let m = matcher();
        let r = m.decide("comment renouvler mon titre de sejour");
        assert_eq!(r.outcome, Outcome::Answer, "{r:?}");
        assert_eq!(r.intent.as_deref(), Some("sejour.renouvellement"));
        assert!(r
            .query
            .terms
            .iter()
            .any(|t| matches!(t.found, Found::Typo { .. })));
    }

    #[test]
    fn falls_back_on_unknown_words() {
        let m = matcher();
        let r = m.decide("recette de la blanquette de veau");
        assert_eq!(r.outcome, Outcome::Fallback);
        assert_eq!(r.intent, None);
        assert_eq!(m.decide("").outcome, Outcome::Fallback);
        assert_eq!(m.decide("   ?!").outcome, Outcome::Fallback);
    }

    #[test]
    fn weak_words_alone_make_a_conversation_intent() {
        let m = matcher();
        assert_eq!(m.decide("merci bcp").intent.as_deref(), Some("conv.merci"));
        // but do not pull a real question away from its topic
        let r = m.explain_question("merci, j'ai perdu ma carte de séjour");
        assert_eq!(r.intent.as_deref(), Some("sejour.perte_vol"), "{r:#?}");
    }

    /// Regression: a vague question fully covered by two intents' longer
    /// paraphrases was answered with the first one.
    #[test]
    fn vague_question_covered_by_two_intents_is_clarified() {
        let c = Content {
            intents: vec![
                intent(
                    "sejour.etranger_malade",
                    "Titre pour soins",
                    &["je suis malade, comment rester en france avec des papiers pour me soigner"],
                ),
                intent(
                    "sejour.etudiant",
                    "Titre étudiant",
                    &["je viens étudier, quels papiers pour rester en france"],
                ),
            ],
            ..Content::default()
        };
        let m = Matcher::new(Index::build(&c));
        let r = m.decide("quels papiers pour rester en france");
        assert_eq!(r.outcome, Outcome::Clarify, "{r:?}");
        assert_eq!(r.candidates.len(), 2);
        // but a precise question is still answered
        assert_eq!(
            m.decide("je suis malade, papiers pour me soigner en france")
                .intent
                .as_deref(),
            Some("sejour.etranger_malade")
        );
    }

    #[test]
    fn explanation_names_matched_words() {
        let m = matcher();
        let r = m.explain_question("permis bato");
        let e = r.candidates[0].explanation.as_ref().unwrap();
        assert_eq!(r.candidates[0].intent, "ddtm.permis_bateau");
        assert!(e.matched.iter().any(|w| w.starts_with("permis")), "{e:?}");
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_in_bounds(q in "\\PC{0,200}") {
            let m = matcher();
            let r = m.decide(&q);
            prop_assert!((0.0..=1.0).contains(&r.confidence));
            for c in &r.candidates {
                prop_assert!((0.0..=1.0).contains(&c.score));
            }
            match r.outcome {
                Outcome::Answer => prop_assert_eq!(r.intent.as_deref(), r.candidates.first().map(|c| c.intent.as_str())),
                Outcome::Clarify => prop_assert!((2..=3).contains(&r.candidates.len())),
                Outcome::Fallback => prop_assert!(r.intent.is_none()),
            }
            let again = m.decide(&q);
            prop_assert_eq!(again.intent, r.intent);
        }
    }
}
