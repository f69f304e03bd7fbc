//! Fitting the decision (`accueil fit`): examples built from the content
//! itself, no evaluation set.
//!
//! The paraphrases of every intent are dealt into [`FOLDS`] folds; for each
//! fold an index is built without it, and each held-out paraphrase is
//! matched as an unseen question: its signals are an example, labelled by
//! whether its own intent came first (`answer`) or among the first three
//! (`offer`). Out-of-scope messages written for the purpose
//! (`calibration/out_of_scope.txt`) are matched against the whole content
//! and labelled wrong for both. Two logistic models are fitted; their bars
//! are chosen on the same examples, where a wrong answer costs
//! [`WRONG_COST`] right ones.

use crate::content::Content;
use crate::decision::{fit_logistic, Calibration, Example, Features};
use crate::index::Index;
use crate::matcher::{Matcher, Params};

pub const FOLDS: usize = 10;
/// A wrong answer (in scope or not) costs this many right answers.
pub const WRONG_COST: f32 = 3.0;
/// A clarification that offers the right intent is worth this much of a
/// right answer...
pub const OFFER_VALUE: f32 = 0.3;
/// ...one that does not costs this much...
pub const OFFER_MISS_COST: f32 = 0.2;
/// ...and offering intents for an out-of-scope message costs this much (it
/// is not rejected).
pub const OUT_OF_SCOPE_CLARIFY_COST: f32 = 3.0;
/// Out-of-scope examples weigh this much more than a held-out paraphrase:
/// there are ten times fewer of them.
pub const OUT_OF_SCOPE_WEIGHT: usize = 4;
const L2: f32 = 1e-3;
const ROUNDS: usize = 1500;

/// One matched example: its signals, and where the right intent stood
/// (`Some(0)` first, `Some(1..3)` offered, `None` not among the three or
/// out of scope).
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub features: Features,
    pub rank: Option<usize>,
}

/// The costs the bars are chosen by (defaults: the constants above).
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub wrong: f32,
    pub offer_value: f32,
    pub offer_miss: f32,
    pub oos_clarify: f32,
    pub oos_weight: usize,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            wrong: WRONG_COST,
            offer_value: OFFER_VALUE,
            offer_miss: OFFER_MISS_COST,
            oos_clarify: OUT_OF_SCOPE_CLARIFY_COST,
            oos_weight: OUT_OF_SCOPE_WEIGHT,
        }
    }
}

/// What fitting saw and chose, for the report.
#[derive(Debug, Clone)]
pub struct FitReport {
    pub calibration: Calibration,
    pub held_out: usize,
    pub out_of_scope: usize,
    /// Among held-out paraphrases: answered right, answered wrong,
    /// clarified with the right intent offered, fallback.
    pub right: usize,
    pub wrong: usize,
    pub offered: usize,
    /// Out-of-scope messages answered.
    pub oos_answered: usize,
}

/// Held-out paraphrases and out-of-scope messages, matched.
pub fn samples(
    content: &Content,
    out_of_scope: &[String],
    params: Params,
) -> (Vec<Sample>, Vec<Sample>) {
    let mut held = Vec::new();
    for fold in 0..FOLDS {
        let mut train = content.clone();
        let mut test: Vec<(String, String)> = Vec::new();
        for intent in &mut train.intents {
            let mut kept = Vec::with_capacity(intent.questions.len());
            for (j, q) in intent.questions.drain(..).enumerate() {
                if j % FOLDS == fold {
                    test.push((q, intent.id.clone()));
                } else {
                    kept.push(q);
                }
            }
            intent.questions = kept;
        }
        let m = Matcher::with_params(Index::build(&train), params);
        for (q, id) in &test {
            if let Some((features, ids)) = m.signals(q) {
                let rank = ids.iter().position(|c| c == id);
                held.push(Sample { features, rank });
            }
        }
    }
    let m = Matcher::with_params(Index::build(content), params);
    let oos = out_of_scope
        .iter()
        .filter_map(|q| m.signals(q))
        .map(|(features, _)| Sample {
            features,
            rank: None,
        })
        .collect();
    (held, oos)
}

/// Fit both models and choose their bars.
pub fn fit(held: &[Sample], oos: &[Sample], costs: Costs, provenance: String) -> FitReport {
    let examples = |pred: &dyn Fn(&Sample) -> bool| -> Vec<Example> {
        let mut v: Vec<Example> = held
            .iter()
            .map(|s| Example {
                features: s.features,
                label: pred(s),
            })
            .collect();
        for _ in 0..costs.oos_weight {
            v.extend(oos.iter().map(|s| Example {
                features: s.features,
                label: false,
            }));
        }
        v
    };
    let answer = fit_logistic(&examples(&|s| s.rank == Some(0)), L2, ROUNDS);
    let offer = fit_logistic(&examples(&|s| s.rank.is_some()), L2, ROUNDS);
    let mut cal = Calibration {
        answer,
        offer,
        answer_min: 0.5,
        offer_min: 0.5,
        provenance,
    };
    // Bars: the pair that maximises right + OFFER_VALUE × offered −
    // WRONG_COST × wrong over the examples (out-of-scope counted with
    // their weight).
    let value = |cal: &Calibration| -> f32 {
        let mut v = 0.0;
        for s in held {
            let j = cal.judge(&s.features);
            if j.answer >= cal.answer_min {
                v += if s.rank == Some(0) { 1.0 } else { -costs.wrong };
            } else if j.offer >= cal.offer_min {
                v += if s.rank.is_some() {
                    costs.offer_value
                } else {
                    -costs.offer_miss
                };
            }
        }
        for s in oos {
            let j = cal.judge(&s.features);
            let w = costs.oos_weight as f32;
            if j.answer >= cal.answer_min {
                v -= costs.wrong * w;
            } else if j.offer >= cal.offer_min {
                v -= costs.oos_clarify * w;
            }
        }
        v
    };
    let mut best = (f32::MIN, 0.5, 0.5);
    for a in (20..=95).map(|k| k as f32 / 100.0) {
        for o in (10..=90).step_by(5).map(|k| k as f32 / 100.0) {
            cal.answer_min = a;
            cal.offer_min = o;
            let v = value(&cal);
            if v > best.0 {
                best = (v, a, o);
            }
        }
    }
    cal.answer_min = best.1;
    cal.offer_min = best.2;
    let mut report = FitReport {
        calibration: cal.clone(),
        held_out: held.len(),
        out_of_scope: oos.len(),
        right: 0,
        wrong: 0,
        offered: 0,
        oos_answered: 0,
    };
    for s in held {
        let j = cal.judge(&s.features);
        if j.answer >= cal.answer_min {
            if s.rank == Some(0) {
                report.right += 1;
            } else {
                report.wrong += 1;
            }
        } else if j.offer >= cal.offer_min && s.rank.is_some() {
            report.offered += 1;
        }
    }
    report.oos_answered = oos
        .iter()
        .filter(|s| cal.judge(&s.features).answer >= cal.answer_min)
        .count();
    report
}

/// Out-of-scope messages of a text file: one a line, `#` comments and
/// blank lines skipped.
pub fn parse_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Intent;

    #[test]
    fn fits_on_a_small_content_and_separates_in_from_out_of_scope() {
        let mut intents = Vec::new();
        for (id, topic) in [
            ("sejour.renouvellement", "renouveler titre sejour"),
            ("sejour.perte_vol", "perdu vole titre sejour"),
            ("ddtm.permis_bateau", "permis bateau cotier"),
            ("fs.caf", "allocations caf logement"),
        ] {
            let qs: Vec<String> = (0..20)
                .map(|k| format!("{topic} question {k} variante{}", k % 5))
                .collect();
            let refs: Vec<&str> = qs.iter().map(String::as_str).collect();
            intents.push(Intent::for_tests(id, topic, &refs));
        }
        let content = Content {
            intents,
            ..Content::default()
        };
        let oos: Vec<String> = (0..30)
            .map(|k| format!("recette gateau chocolat {k}"))
            .collect();
        let (held, out) = samples(&content, &oos, Params::default());
        assert!(held.len() >= 70, "{}", held.len());
        let r = fit(&held, &out, Costs::default(), "test".into());
        assert_eq!(r.oos_answered, 0, "{r:?}");
        assert!(r.right > r.held_out / 2, "{r:?}");
    }
}
