//! The combined decision: the lexical matcher's view and the sentence
//! encoder's view of a question → one probability per candidate intent.
//!
//! Alone, the encoder ranks worse than the lexical matcher in French and
//! answers wrong far more often; it knows what the lexical index cannot
//! (English, Arabic, words the content never uses). So each candidate (the
//! lexical matcher's first three and the encoder's first three) is described
//! by both views — its lexical score and rank, the lexical decision's
//! probabilities, its cosine and lead in the encoder's ranking, how much of
//! the question the lexical index does not know, whether the message is in
//! another language — and one logistic model gives the probability that it
//! is the right intent. Agreement raises it, disagreement lowers it, and
//! where the lexical index knows few words the encoder's view weighs more:
//! the model learns how much from data. `accueil fit` fits it on held-out
//! paraphrases and out-of-scope messages (see `semantic::samples`) and
//! writes `intents/fusion.toml`.
//!
//! A question the lexical decision answers with a probability of at least
//! `skip_min` is not sent to the encoder at all.

use std::fmt::Write as _;

pub const FUSION_FILE: &str = "fusion.toml";

/// The signals of one candidate, in the order of [`CandidateSignals::values`].
pub const SIGNAL_NAMES: [&str; SIGNALS] = [
    "lex",
    "lex_top",
    "lex_gap",
    "lex_answer",
    "lex_offer",
    "sem",
    "sem_gap",
    "sem_top",
    "sem_rank",
    "both_top",
    "unknown_sem",
    "unknown_lex",
    "foreign_sem",
    "foreign_lex",
];

pub const SIGNALS: usize = 14;

/// One candidate seen by both views.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct CandidateSignals {
    /// Lexical score (0 when the lexical matcher does not rank it).
    pub lex: f32,
    /// 1 when it is the lexical matcher's first.
    pub lex_top: f32,
    /// Its lexical score minus the best lexical score of the others.
    pub lex_gap: f32,
    /// The lexical decision's P(answer) when it is its first, else 0.
    pub lex_answer: f32,
    /// The lexical decision's P(offer) when it is among its first three.
    pub lex_offer: f32,
    /// Best cosine between the question and the intent's texts.
    pub sem: f32,
    /// That cosine minus the best cosine of the other intents.
    pub sem_gap: f32,
    /// 1 when it is the encoder's first.
    pub sem_top: f32,
    /// 1 / (1 + its rank in the encoder's ranking).
    pub sem_rank: f32,
    /// 1 when both views put it first.
    pub both_top: f32,
    /// Share of the question unknown to the lexical index × `sem`.
    pub unknown_sem: f32,
    /// That share × `lex`.
    pub unknown_lex: f32,
    /// 1 for a message in another language than French, × `sem`.
    pub foreign_sem: f32,
    /// The same × `lex`.
    pub foreign_lex: f32,
}

impl CandidateSignals {
    pub fn values(&self) -> [f32; SIGNALS] {
        [
            self.lex,
            self.lex_top,
            self.lex_gap,
            self.lex_answer,
            self.lex_offer,
            self.sem,
            self.sem_gap,
            self.sem_top,
            self.sem_rank,
            self.both_top,
            self.unknown_sem,
            self.unknown_lex,
            self.foreign_sem,
            self.foreign_lex,
        ]
    }
}

/// The fitted combined decision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fusion {
    pub bias: f32,
    pub weights: [f32; SIGNALS],
    /// Answer the best candidate from this probability.
    pub answer_min: f32,
    /// Otherwise offer the first candidates when their probabilities add up
    /// to this.
    pub offer_min: f32,
    /// A lexical answer at least this sure does not consult the encoder.
    pub skip_min: f32,
    pub provenance: String,
}

impl Fusion {
    /// P(the candidate is the right intent).
    pub fn probability(&self, s: &CandidateSignals) -> f32 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(s.values())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Parse `intents/fusion.toml`. Errors name the key at fault.
    pub fn from_toml(text: &str) -> Result<Fusion, String> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| format!("invalid TOML: {}", e.message().trim()))?;
        let bar = |key: &str| crate::decision::bar(&table, key);
        let w = table
            .get("weights")
            .and_then(toml::Value::as_table)
            .ok_or("the table `[weights]` is missing")?;
        for key in w.keys() {
            if !SIGNAL_NAMES.contains(&key.as_str()) {
                return Err(format!(
                    "`weights.{key}` is not a known signal (known: {})",
                    SIGNAL_NAMES.join(", ")
                ));
            }
        }
        let mut weights = [0f32; SIGNALS];
        for (k, name) in SIGNAL_NAMES.iter().enumerate() {
            weights[k] = crate::decision::number(w, name, "weights.")?;
        }
        Ok(Fusion {
            bias: crate::decision::number(&table, "bias", "")?,
            weights,
            answer_min: bar("answer_min")?,
            offer_min: bar("offer_min")?,
            skip_min: bar("skip_min")?,
            provenance: crate::decision::provenance_of(&table),
        })
    }

    /// The file `accueil fit` writes; `from_toml` reads it back.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out =
            crate::decision::file_head(header, &self.provenance, self.answer_min, self.offer_min);
        let _ = writeln!(out, "skip_min = {:.4}", self.skip_min);
        let _ = writeln!(out, "bias = {:.5}\n\n[weights]", self.bias);
        for (k, name) in SIGNAL_NAMES.iter().enumerate() {
            let _ = writeln!(out, "{name} = {:.5}", self.weights[k]);
        }
        out
    }
}

/// One question for fitting: its candidates' signals and which one (if
/// any) is the right intent.
#[derive(Debug, Clone)]
pub struct FusionSample {
    pub candidates: Vec<CandidateSignals>,
    /// Index into `candidates` of the right intent; `None` when it is not
    /// among them or the question is out of scope.
    pub right: Option<usize>,
    pub out_of_scope: bool,
    /// Index into `candidates` of the lexical decision's answer, when it
    /// answered.
    pub lexical: Option<usize>,
}

/// What the combined decision does with a question's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Answer the candidate at this position.
    Answer(usize),
    /// Offer the first ones (by probability).
    Offer,
    Fallback,
}

/// Candidate positions by probability, best first, with the probabilities.
pub fn ranked(model: &Fusion, candidates: &[CandidateSignals]) -> Vec<(usize, f32)> {
    let mut r: Vec<(usize, f32)> = candidates
        .iter()
        .enumerate()
        .map(|(i, s)| (i, model.probability(s)))
        .collect();
    r.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    r
}

/// How many candidates an offer shows at most.
pub const OFFERED: usize = 3;

/// The verdict for probabilities ranked best first. `lexical`: the
/// candidate the lexical decision answered, if it did; when the combined
/// ranking agrees with it, it is answered whatever its probability
/// (agreement never makes the answer less sure than the lexical one).
pub fn verdict(model: &Fusion, ranked: &[(usize, f32)], lexical: Option<usize>) -> Verdict {
    let Some(&(best, p)) = ranked.first() else {
        return Verdict::Fallback;
    };
    if p >= model.answer_min || lexical == Some(best) {
        return Verdict::Answer(best);
    }
    let offered: f32 = ranked.iter().take(OFFERED).map(|(_, p)| p).sum();
    if ranked.len() >= 2 && offered >= model.offer_min {
        Verdict::Offer
    } else {
        Verdict::Fallback
    }
}

/// Costs of the outcomes, as in [`crate::calibrate::Costs`].
#[derive(Debug, Clone, Copy)]
pub struct FusionCosts {
    pub wrong: f32,
    pub offer_value: f32,
    pub offer_miss: f32,
    pub oos_clarify: f32,
    pub oos_weight: usize,
}

/// Counts of a decision over samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub right: usize,
    pub wrong: usize,
    pub offered: usize,
    pub oos_answered: usize,
    pub oos_offered: usize,
    pub in_scope: usize,
    pub out_of_scope: usize,
}

pub fn tally(model: &Fusion, samples: &[FusionSample]) -> Tally {
    let mut t = Tally::default();
    for s in samples {
        let r = ranked(model, &s.candidates);
        let v = verdict(model, &r, s.lexical);
        if s.out_of_scope {
            t.out_of_scope += 1;
            match v {
                Verdict::Answer(_) => t.oos_answered += 1,
                Verdict::Offer => t.oos_offered += 1,
                Verdict::Fallback => {}
            }
            continue;
        }
        t.in_scope += 1;
        match v {
            Verdict::Answer(i) if Some(i) == s.right => t.right += 1,
            Verdict::Answer(_) => t.wrong += 1,
            Verdict::Offer => {
                if r.iter().take(OFFERED).any(|(i, _)| Some(*i) == s.right) {
                    t.offered += 1;
                }
            }
            Verdict::Fallback => {}
        }
    }
    t
}

/// Fit the model on the samples' candidates and choose its bars by the
/// same value as the lexical decision: right answers, minus `wrong` per
/// wrong answer, plus a fraction for a useful offer.
pub fn fit(
    samples: &[FusionSample],
    costs: FusionCosts,
    skip_min: f32,
    provenance: String,
) -> Fusion {
    let mut rows: Vec<([f32; SIGNALS], bool)> = Vec::new();
    for s in samples {
        let repeat = if s.out_of_scope { costs.oos_weight } else { 1 };
        for _ in 0..repeat {
            for (i, c) in s.candidates.iter().enumerate() {
                rows.push((c.values(), Some(i) == s.right));
            }
        }
    }
    let (bias, weights) = crate::decision::fit_rows(&rows, 1e-3, 1500);
    let mut model = Fusion {
        bias,
        weights,
        answer_min: 0.5,
        offer_min: 0.5,
        skip_min,
        provenance,
    };
    let rankings: Vec<Vec<(usize, f32)>> = samples
        .iter()
        .map(|s| ranked(&model, &s.candidates))
        .collect();
    let value = |m: &Fusion| -> f32 {
        let mut v = 0.0;
        for (s, r) in samples.iter().zip(&rankings) {
            let w = if s.out_of_scope {
                costs.oos_weight as f32
            } else {
                1.0
            };
            match verdict(m, r, s.lexical) {
                Verdict::Answer(_) if s.out_of_scope => v -= costs.wrong * w,
                Verdict::Answer(i) => {
                    v += if Some(i) == s.right {
                        1.0
                    } else {
                        -costs.wrong
                    }
                }
                Verdict::Offer if s.out_of_scope => v -= costs.oos_clarify * w,
                Verdict::Offer => {
                    let useful = r.iter().take(OFFERED).any(|(i, _)| Some(*i) == s.right);
                    v += if useful {
                        costs.offer_value
                    } else {
                        -costs.offer_miss
                    };
                }
                Verdict::Fallback => {}
            }
        }
        v
    };
    let mut best = (f32::MIN, 0.5, 0.5);
    for a in (20..=95).map(|k| k as f32 / 100.0) {
        for o in (10..=150).step_by(5).map(|k| k as f32 / 100.0) {
            model.answer_min = a;
            // An offer bar above 1 would never offer: keep it a probability.
            model.offer_min = o.min(1.0);
            let v = value(&model);
            if v > best.0 {
                best = (v, a, o.min(1.0));
            }
        }
    }
    model.answer_min = best.1;
    model.offer_min = best.2;
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(lex: f32, sem: f32) -> CandidateSignals {
        CandidateSignals {
            lex,
            sem,
            ..CandidateSignals::default()
        }
    }

    #[test]
    fn file_round_trips_and_names_bad_keys() {
        let mut f = Fusion {
            answer_min: 0.6,
            offer_min: 0.35,
            skip_min: 0.9,
            provenance: "test".into(),
            ..Fusion::default()
        };
        f.weights[5] = 3.25;
        f.bias = -2.5;
        let text = f.to_toml("header");
        assert_eq!(Fusion::from_toml(&text).unwrap(), f);
        let e = Fusion::from_toml(&text.replace("sem = 3.25000", "semm = 3")).unwrap_err();
        assert!(e.contains("semm"), "{e}");
        let e = Fusion::from_toml(&text.replace("skip_min = 0.9000", "skip_min = 2")).unwrap_err();
        assert!(e.contains("skip_min"), "{e}");
        assert!(Fusion::from_toml("bias = [").is_err());
    }

    #[test]
    fn fitting_learns_which_view_to_trust_and_rejects_out_of_scope() {
        // In scope: the right candidate has the best cosine, the lexical
        // score is noise; out of scope: every cosine is low.
        let mut samples = Vec::new();
        for k in 0..300 {
            let noise = (k % 7) as f32 / 10.0;
            samples.push(FusionSample {
                candidates: vec![cand(noise, 0.8), cand(0.7 - noise, 0.5), cand(0.3, 0.4)],
                right: Some(0),
                out_of_scope: false,
                lexical: None,
            });
        }
        for k in 0..100 {
            let noise = (k % 5) as f32 / 10.0;
            samples.push(FusionSample {
                candidates: vec![cand(noise, 0.3), cand(0.2, 0.25)],
                right: None,
                out_of_scope: true,
                lexical: None,
            });
        }
        let costs = FusionCosts {
            wrong: 3.0,
            offer_value: 0.3,
            offer_miss: 0.2,
            oos_clarify: 3.0,
            oos_weight: 1,
        };
        let model = fit(&samples, costs, 0.95, "test".into());
        let t = tally(&model, &samples);
        assert_eq!(t.right, 300, "{t:?} {model:?}");
        assert_eq!((t.wrong, t.oos_answered), (0, 0), "{t:?}");
    }

    #[test]
    fn verdict_answers_offers_or_falls_back_by_the_bars() {
        let model = Fusion {
            answer_min: 0.7,
            offer_min: 0.5,
            ..Fusion::default()
        };
        assert_eq!(
            verdict(&model, &[(2, 0.8), (0, 0.1)], None),
            Verdict::Answer(2)
        );
        assert_eq!(
            verdict(&model, &[(1, 0.3), (0, 0.25)], None),
            Verdict::Offer
        );
        assert_eq!(
            verdict(&model, &[(1, 0.3)], None),
            Verdict::Fallback,
            "one alone is not an offer"
        );
        assert_eq!(
            verdict(&model, &[(1, 0.2), (0, 0.1)], None),
            Verdict::Fallback
        );
        assert_eq!(verdict(&model, &[], None), Verdict::Fallback);
        // Agreeing with the lexical answer answers; disagreeing does not.
        assert_eq!(
            verdict(&model, &[(1, 0.2), (0, 0.1)], Some(1)),
            Verdict::Answer(1)
        );
        assert_eq!(
            verdict(&model, &[(1, 0.2), (0, 0.1)], Some(0)),
            Verdict::Fallback
        );
    }
}
