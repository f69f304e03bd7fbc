//! The semantic layer: a sentence encoder's view of a question beside the
//! lexical matcher's, and the combined decision (see [`crate::fusion`]).
//!
//! Every intent's title and paraphrases are embedded once (cached on disk
//! per text, see [`accueil_encoder::SemanticIndex::build_cached`]); a
//! question the lexical decision answers with confidence never reaches the
//! encoder, any other is embedded (about 2 ms), scored against every text
//! and decided by the fitted [`Fusion`] model over both views.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use accueil_encoder::{BuildStats, Encoder, EncoderError, SemanticIndex};
use rustc_hash::FxHashMap;

use crate::calibrate::FOLDS;
use crate::content::Content;
use crate::fusion::{self, CandidateSignals, Fusion, FusionSample, Verdict};
use crate::index::Index;
use crate::matcher::{Candidate, Match, Matcher, Outcome, Params};
pub use crate::matcher::{Scored, SemanticView};

/// How many of the encoder's best intents become candidates.
const SEMANTIC_CANDIDATES: usize = 3;
/// How many of the lexical matcher's.
const LEXICAL_CANDIDATES: usize = 3;

/// The encoder, loaded once, and where embeddings are cached: what every
/// new engine (a reload, an agent's paraphrase) is given to build its own
/// [`Semantic`] with.
#[derive(Clone)]
pub struct Setup {
    pub encoder: Arc<Encoder>,
    pub cache_dir: Option<PathBuf>,
    /// The model folder, for the log and `/healthz`.
    pub model_dir: PathBuf,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("model_dir", &self.model_dir)
            .field("cache_dir", &self.cache_dir)
            .finish()
    }
}

impl Setup {
    /// Load the model files of `model_dir` (`weights.npz`, `sp.model`).
    pub fn load(model_dir: &Path, cache_dir: Option<PathBuf>) -> Result<Setup, EncoderError> {
        Ok(Setup {
            encoder: Arc::new(Encoder::load(model_dir)?),
            cache_dir,
            model_dir: model_dir.to_owned(),
        })
    }

    /// Whether `model_dir` holds the model files (without loading them).
    pub fn present(model_dir: &Path) -> bool {
        ["weights.npz", "sp.model"]
            .iter()
            .all(|f| model_dir.join(f).is_file())
    }
}

/// The encoder and the embedded content.
pub struct Semantic {
    encoder: Arc<Encoder>,
    index: SemanticIndex,
    /// Position in `index.intents()` of each intent id.
    slot: FxHashMap<String, usize>,
    /// For each text of the index: its intent's position in the content
    /// and, for a paraphrase, its position among the intent's questions.
    rows: Vec<(usize, Option<usize>)>,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semantic")
            .field("texts", &self.index.len())
            .finish()
    }
}

/// Where an embedded text comes from: its intent, and its paraphrase
/// (`None` for the title).
type Row = (usize, Option<usize>);

impl Semantic {
    /// The texts embedded for `content`: each intent's title, then its
    /// paraphrases, with their positions.
    fn entries(content: &Content) -> (Vec<(String, String)>, Vec<Row>) {
        let mut entries = Vec::new();
        let mut rows = Vec::new();
        for (i, intent) in content.intents.iter().enumerate() {
            entries.push((intent.id.clone(), intent.title.clone()));
            rows.push((i, None));
            for (j, q) in intent.questions.iter().enumerate() {
                entries.push((intent.id.clone(), q.clone()));
                rows.push((i, Some(j)));
            }
        }
        (entries, rows)
    }

    /// Embed `content` (reusing the vectors cached in `cache_dir` when
    /// given). The result of writing the cache comes back for the log: a
    /// cache that cannot be written costs time at the next start, nothing
    /// else.
    pub fn build(
        encoder: Arc<Encoder>,
        content: &Content,
        cache_dir: Option<&Path>,
    ) -> (Semantic, BuildStats, Result<(), EncoderError>) {
        let (entries, rows) = Semantic::entries(content);
        let (index, stats, written) = match cache_dir {
            Some(dir) => SemanticIndex::build_cached(&encoder, &entries, dir),
            None => {
                let index = SemanticIndex::build(&encoder, &entries);
                let stats = BuildStats {
                    texts: entries.len(),
                    embedded: entries.len(),
                };
                (index, stats, Ok(()))
            }
        };
        let slot = index
            .intents()
            .iter()
            .enumerate()
            .map(|(k, id)| (id.clone(), k))
            .collect();
        let semantic = Semantic {
            encoder,
            index,
            slot,
            rows,
        };
        (semantic, stats, written)
    }

    pub fn encoder(&self) -> &Arc<Encoder> {
        &self.encoder
    }

    /// Number of texts embedded.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The encoder's best intents for a question, with their cosine.
    pub fn nearest(&self, question: &str, k: usize) -> Vec<Scored> {
        let v = self.encoder.embed(question);
        self.index
            .nearest(&v, k)
            .into_iter()
            .map(|(intent, score)| Scored {
                intent: intent.to_owned(),
                score: round3(score),
            })
            .collect()
    }
}

/// The question's best intents by cosine, best first.
fn top(scores: &[f32], intents: &[String], k: usize) -> Vec<(String, f32)> {
    let mut r: Vec<(usize, f32)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, s)| s.is_finite())
        .collect();
    r.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    r.truncate(k);
    r.into_iter()
        .map(|(i, s)| (intents[i].clone(), s))
        .collect()
}

/// The lexical side of a question, as the combined decision reads it.
struct Lexical<'a> {
    ranking: &'a [(String, f32)],
    answer: f32,
    offer: f32,
    unknown_share: f32,
}

/// The candidates of a question (the lexical first three, then the
/// encoder's first three not already there) with their signals.
fn candidates(
    lex: &Lexical,
    scores: &[f32],
    semantic: &Semantic,
    foreign: bool,
) -> Vec<(String, CandidateSignals)> {
    let intents = semantic.index.intents();
    let sem_top = top(scores, intents, SEMANTIC_CANDIDATES);
    let mut ids: Vec<&str> = lex
        .ranking
        .iter()
        .take(LEXICAL_CANDIDATES)
        .map(|(id, _)| id.as_str())
        .collect();
    for (id, _) in &sem_top {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    let cos = |id: &str| {
        semantic
            .slot
            .get(id)
            .and_then(|&k| scores.get(k).copied())
            .filter(|s| s.is_finite())
            .unwrap_or(0.0)
    };
    let lex_of = |id: &str| {
        lex.ranking
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, s)| *s)
            .unwrap_or(0.0)
    };
    let lex_first = lex.ranking.first().map(|(id, _)| id.as_str());
    let sem_first = sem_top.first().map(|(id, _)| id.as_str());
    let foreign = f32::from(u8::from(foreign));
    ids.iter()
        .map(|&id| {
            let l = lex_of(id);
            let others_lex = lex
                .ranking
                .iter()
                .filter(|(c, _)| c != id)
                .map(|(_, s)| *s)
                .fold(0.0f32, f32::max);
            let s = cos(id);
            let others_sem = scores
                .iter()
                .enumerate()
                .filter(|(k, v)| v.is_finite() && semantic.slot.get(id) != Some(k))
                .map(|(_, v)| *v)
                .fold(f32::NEG_INFINITY, f32::max);
            let rank = scores.iter().filter(|v| **v > s).count();
            let is_lex_top = lex_first == Some(id);
            let is_sem_top = sem_first == Some(id);
            let in_lex3 = lex
                .ranking
                .iter()
                .take(LEXICAL_CANDIDATES)
                .any(|(c, _)| c == id);
            let signals = CandidateSignals {
                lex: l,
                lex_top: f32::from(u8::from(is_lex_top)),
                lex_gap: l - others_lex,
                lex_answer: if is_lex_top { lex.answer } else { 0.0 },
                lex_offer: if in_lex3 { lex.offer } else { 0.0 },
                sem: s,
                sem_gap: if others_sem.is_finite() {
                    s - others_sem
                } else {
                    0.0
                },
                sem_top: f32::from(u8::from(is_sem_top)),
                sem_rank: 1.0 / (1.0 + rank as f32),
                both_top: f32::from(u8::from(is_lex_top && is_sem_top)),
                unknown_sem: lex.unknown_share * s,
                unknown_lex: lex.unknown_share * l,
                foreign_sem: foreign * s,
                foreign_lex: foreign * l,
            };
            (id.to_owned(), signals)
        })
        .collect()
}

fn lexical_of<'a>(m: &Match, ranking: &'a [(String, f32)]) -> Lexical<'a> {
    let signals = m.signals.as_ref();
    Lexical {
        ranking,
        answer: signals.and_then(|s| s.answer).unwrap_or(m.confidence),
        offer: signals.and_then(|s| s.offer).unwrap_or(0.0),
        unknown_share: signals.map(|s| s.features.unknown_share).unwrap_or(0.0),
    }
}

/// Whether the lexical decision is sure enough to skip the encoder.
fn lexically_sure(m: &Match, model: &Fusion) -> bool {
    m.signals.is_none()
        || (m.outcome == Outcome::Answer
            && m.signals.and_then(|s| s.answer).unwrap_or(m.confidence) >= model.skip_min)
}

/// Decide a question with both views. Without a fitted model the lexical
/// decision stands and the encoder's view is only reported.
pub fn decide(
    matcher: &Matcher,
    semantic: &Semantic,
    model: Option<&Fusion>,
    question: &str,
    explain: bool,
) -> Match {
    let language = crate::language::foreign(question);
    let (mut m, ranking) = matcher.decide_ranked(question, explain);
    m.language = language.map(str::to_owned);
    let lexical_view = |m: &Match, consulted: bool, nearest: Vec<Scored>| SemanticView {
        consulted,
        nearest,
        lexical_outcome: m.outcome,
        lexical_intent: m.intent.clone(),
        lexical_confidence: m.confidence,
        combined: Vec::new(),
    };
    let Some(model) = model else {
        if explain {
            m.semantic = Some(lexical_view(&m, true, semantic.nearest(question, 3)));
        }
        return m;
    };
    if lexically_sure(&m, model) {
        m.semantic = Some(lexical_view(&m, false, Vec::new()));
        return m;
    }
    let v = semantic.encoder.embed(question);
    let scores = semantic.index.scores(&v);
    let nearest: Vec<Scored> = top(&scores, semantic.index.intents(), 3)
        .into_iter()
        .map(|(intent, score)| Scored {
            intent,
            score: round3(score),
        })
        .collect();
    let lex = lexical_of(&m, &ranking);
    let cands = candidates(&lex, &scores, semantic, language.is_some());
    let signals: Vec<CandidateSignals> = cands.iter().map(|(_, s)| *s).collect();
    let ranked = fusion::ranked(model, &signals);
    let lexical = match (&m.outcome, &m.intent) {
        (Outcome::Answer, Some(id)) => cands.iter().position(|(c, _)| c == id),
        _ => None,
    };
    let verdict = fusion::verdict(model, &ranked, lexical);
    let mut view = lexical_view(&m, true, nearest);
    view.combined = ranked
        .iter()
        .map(|(i, p)| Scored {
            intent: cands[*i].0.clone(),
            score: round3(*p),
        })
        .collect();
    // Candidates in the combined order, keeping the lexical explanation
    // where there is one.
    let mut previous = std::mem::take(&mut m.candidates);
    let mut ordered: Vec<Candidate> = ranked
        .iter()
        .map(|(i, p)| {
            let id = &cands[*i].0;
            let explanation = previous
                .iter_mut()
                .find(|c| &c.intent == id)
                .and_then(|c| c.explanation.take());
            Candidate {
                intent: id.clone(),
                score: round3(*p),
                explanation,
            }
        })
        .collect();
    ordered.truncate(fusion::OFFERED);
    let best = ranked.first().map(|(_, p)| *p).unwrap_or(0.0);
    match verdict {
        Verdict::Answer(i) => {
            m.outcome = Outcome::Answer;
            m.intent = Some(cands[i].0.clone());
        }
        Verdict::Offer => {
            m.outcome = Outcome::Clarify;
            m.intent = None;
            // Two at least; a third when it is not far behind.
            let keep = ordered
                .iter()
                .enumerate()
                .filter(|(k, c)| *k < 2 || c.score >= best / 3.0)
                .count();
            ordered.truncate(keep);
        }
        Verdict::Fallback => {
            m.outcome = Outcome::Fallback;
            m.intent = None;
        }
    }
    m.candidates = ordered;
    m.confidence = round3(best);
    m.semantic = Some(view);
    m
}

/// A question for fitting: both views' candidates, and how the lexical
/// decision alone did.
#[derive(Debug, Clone)]
pub struct FitSample {
    pub sample: FusionSample,
    /// P(answer) of the lexical decision when it answered.
    pub lexical_answer: Option<f32>,
    pub lexical_right: bool,
}

/// Held-out paraphrases (each fold of [`FOLDS`] left out of both indexes
/// in turn) and out-of-scope messages, seen by both views.
pub fn samples(
    content: &Content,
    semantic: &Semantic,
    out_of_scope: &[String],
    params: Params,
) -> Vec<FitSample> {
    let calibration = content.calibration.clone();
    // Row of the index of each (intent, question) of the content.
    let mut row_of: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    for (r, (i, j)) in semantic.rows.iter().enumerate() {
        if let Some(j) = j {
            row_of.insert((*i, *j), r);
        }
    }
    let mut out = Vec::new();
    for fold in 0..FOLDS {
        let mut train = content.clone();
        let mut test: Vec<(usize, usize, String, String)> = Vec::new();
        for (i, intent) in train.intents.iter_mut().enumerate() {
            let mut kept = Vec::with_capacity(intent.questions.len());
            for (j, q) in intent.questions.drain(..).enumerate() {
                if j % FOLDS == fold {
                    test.push((i, j, q, intent.id.clone()));
                } else {
                    kept.push(q);
                }
            }
            intent.questions = kept;
        }
        let matcher = Matcher::with_params(Index::build(&train), params)
            .with_calibration(calibration.clone());
        let skip = |r: usize| semantic.rows[r].1.is_some_and(|j| j % FOLDS == fold);
        let fold_samples: Vec<FitSample> = std::thread::scope(|s| {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let chunk = test.len().div_ceil(threads).max(1);
            let handles: Vec<_> = test
                .chunks(chunk)
                .map(|part| {
                    let (matcher, row_of, skip) = (&matcher, &row_of, &skip);
                    s.spawn(move || {
                        part.iter()
                            .filter_map(|(i, j, q, id)| {
                                let r = *row_of.get(&(*i, *j))?;
                                let scores = semantic
                                    .index
                                    .scores_skipping(semantic.index.vector(r), skip);
                                fit_sample(matcher, semantic, q, Some(id), &scores)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        out.extend(fold_samples);
    }
    let matcher = Matcher::with_params(Index::build(content), params).with_calibration(calibration);
    let texts: Vec<&str> = out_of_scope.iter().map(String::as_str).collect();
    let vectors = accueil_encoder::embed_all(&semantic.encoder, &texts);
    for (q, v) in out_of_scope
        .iter()
        .zip(vectors.chunks_exact(accueil_encoder::DIM))
    {
        let scores = semantic.index.scores(v);
        if let Some(s) = fit_sample(&matcher, semantic, q, None, &scores) {
            out.push(s);
        }
    }
    out
}

/// One question seen by both views; `None` for an exact paraphrase (the
/// lexical matcher decides those alone).
fn fit_sample(
    matcher: &Matcher,
    semantic: &Semantic,
    question: &str,
    expected: Option<&str>,
    scores: &[f32],
) -> Option<FitSample> {
    let (m, ranking) = matcher.decide_ranked(question, false);
    m.signals?;
    let foreign = crate::language::foreign(question).is_some();
    let lex = lexical_of(&m, &ranking);
    let cands = candidates(&lex, scores, semantic, foreign);
    let right = expected.and_then(|e| cands.iter().position(|(id, _)| id == e));
    let lexical = match (&m.outcome, &m.intent) {
        (Outcome::Answer, Some(id)) => cands.iter().position(|(c, _)| c == id),
        _ => None,
    };
    let lexical_answer = (m.outcome == Outcome::Answer).then_some(lex.answer);
    let lexical_right = expected.is_some() && m.intent.as_deref() == expected;
    Some(FitSample {
        sample: FusionSample {
            candidates: cands.into_iter().map(|(_, s)| s).collect(),
            right,
            out_of_scope: expected.is_none(),
            lexical,
        },
        lexical_answer,
        lexical_right,
    })
}

/// The lowest lexical P(answer) from which the lexical decision is left
/// alone: where at most `max_wrong` of the held-out paraphrases it answers
/// are wrong and no out-of-scope message is answered.
pub fn skip_bar(samples: &[FitSample], floor: f32, max_wrong: f32) -> f32 {
    let mut bar = 0.99f32;
    let mut a = 0.99f32;
    while a >= floor {
        let (mut n, mut wrong, mut oos) = (0usize, 0usize, 0usize);
        for s in samples {
            if s.lexical_answer.is_some_and(|p| p >= a) {
                if s.sample.out_of_scope {
                    oos += 1;
                } else {
                    n += 1;
                    if !s.lexical_right {
                        wrong += 1;
                    }
                }
            }
        }
        if oos > 0 || (n > 0 && wrong as f32 / n as f32 > max_wrong) {
            break;
        }
        bar = a;
        a -= 0.01;
    }
    bar
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
