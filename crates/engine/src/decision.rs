//! The calibrated decision: signals of a match → `answer`, `clarify` or
//! `fallback`.
//!
//! One score cannot tell "in scope, diluted by the person's story" from
//! "out of scope". The decision reads several signals of a match (top
//! score, margin, how much of the question is explained, unknown words,
//! length, whether the sentence that asks agrees with the whole...) and two
//! logistic models turn them into probabilities: that the best intent is
//! right (`answer`), and that the right intent is among the first three
//! (`offer`, for a clarification). The models are fitted by `accueil fit`
//! on data built from the content itself (each paraphrase held out in turn
//! is an unseen question for the others) and on out-of-scope messages
//! written for it (`calibration/out_of_scope.txt`); the result is the
//! readable file `intents/decision.toml`. Without that file the matcher
//! keeps its hand-set rules.

use std::fmt::Write as _;

/// The signals, in the order of [`Features::values`] and of the file.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "top",
    "margin",
    "ratio",
    "question_coverage",
    "paraphrase_coverage",
    "intent_coverage",
    "informative",
    "unknown_share",
    "length",
    "asked_agree",
    "keyword_only",
    "typo_share",
    "vague",
];

pub const FEATURES: usize = 13;

/// The signals of one match.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Features {
    /// Score of the best intent.
    pub top: f32,
    /// Its lead over the runner-up.
    pub margin: f32,
    /// Runner-up's score over the best's (0 when alone).
    pub ratio: f32,
    /// Share of the question's weight the best paraphrase covers.
    pub question_coverage: f32,
    /// Share of the best paraphrase's weight the question covers.
    pub paraphrase_coverage: f32,
    /// Share of the question's weight the best intent's vocabulary covers.
    pub intent_coverage: f32,
    /// ln(1 + informative words of the question the best intent knows).
    pub informative: f32,
    /// Share of the question's weight in words the content never uses.
    pub unknown_share: f32,
    /// ln(1 + content words of the question).
    pub length: f32,
    /// 1 when a sentence that asks has the same best intent as the whole
    /// (or the message is one sentence), else 0.
    pub asked_agree: f32,
    /// 1 when the best intent's best document is a keyword or its title.
    pub keyword_only: f32,
    /// Share of the matched weight that came through forgiven typos or
    /// completed prefixes.
    pub typo_share: f32,
    /// 1 when two intents cover the whole question with paraphrases that
    /// say much more than it.
    pub vague: f32,
}

impl Features {
    pub fn values(&self) -> [f32; FEATURES] {
        [
            self.top,
            self.margin,
            self.ratio,
            self.question_coverage,
            self.paraphrase_coverage,
            self.intent_coverage,
            self.informative,
            self.unknown_share,
            self.length,
            self.asked_agree,
            self.keyword_only,
            self.typo_share,
            self.vague,
        ]
    }
}

/// A logistic model over the features.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Logistic {
    pub bias: f32,
    pub weights: [f32; FEATURES],
}

impl Logistic {
    pub fn probability(&self, f: &Features) -> f32 {
        let z: f32 = self.bias
            + self
                .weights
                .iter()
                .zip(f.values())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// The fitted decision: two models and their bars.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Calibration {
    /// Probability that the best intent is the right one.
    pub answer: Logistic,
    /// Probability that the right intent is among the first three.
    pub offer: Logistic,
    /// Answer from this probability of `answer`.
    pub answer_min: f32,
    /// Otherwise clarify from this probability of `offer`.
    pub offer_min: f32,
    /// Free text: how and when the models were obtained.
    pub provenance: String,
}

/// The verdict of the calibrated decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub answer: f32,
    pub offer: f32,
}

impl Calibration {
    pub fn judge(&self, f: &Features) -> Verdict {
        Verdict {
            answer: self.answer.probability(f),
            offer: self.offer.probability(f),
        }
    }

    /// Parse `intents/decision.toml`. Errors name the key at fault.
    pub fn from_toml(text: &str) -> Result<Calibration, String> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| format!("invalid TOML: {}", e.message().trim()))?;
        let model = |name: &str| -> Result<Logistic, String> {
            let t = table
                .get(name)
                .and_then(toml::Value::as_table)
                .ok_or_else(|| format!("the table `[{name}]` is missing"))?;
            let mut m = Logistic {
                bias: number(t, "bias", &format!("{name}."))?,
                ..Logistic::default()
            };
            let w = t
                .get("weights")
                .and_then(toml::Value::as_table)
                .ok_or_else(|| format!("the table `[{name}.weights]` is missing"))?;
            for key in w.keys() {
                if !FEATURE_NAMES.contains(&key.as_str()) {
                    return Err(format!(
                        "`{name}.weights.{key}` is not a known signal (known: {})",
                        FEATURE_NAMES.join(", ")
                    ));
                }
            }
            for (k, feature) in FEATURE_NAMES.iter().enumerate() {
                m.weights[k] = number(w, feature, &format!("{name}.weights."))?;
            }
            Ok(m)
        };
        let bar = |key: &str| bar(&table, key);
        Ok(Calibration {
            answer: model("answer")?,
            offer: model("offer")?,
            answer_min: bar("answer_min")?,
            offer_min: bar("offer_min")?,
            provenance: provenance_of(&table),
        })
    }

    /// The file `accueil fit` writes; `from_toml` reads it back.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = file_head(header, &self.provenance, self.answer_min, self.offer_min);
        for (name, m) in [("answer", &self.answer), ("offer", &self.offer)] {
            let _ = writeln!(out, "\n[{name}]\nbias = {:.5}\n\n[{name}.weights]", m.bias);
            for (k, feature) in FEATURE_NAMES.iter().enumerate() {
                let _ = writeln!(out, "{feature} = {:.5}", m.weights[k]);
            }
        }
        out
    }
}

/// One labelled example for fitting.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub features: Features,
    pub label: bool,
}

/// Fit a logistic model by gradient descent on standardised features with
/// a small L2 penalty; the weights returned apply to the raw features. A
/// small dense problem (13 signals, a few thousand examples): a dependency
/// would bring more than it saves.
pub fn fit_logistic(examples: &[Example], l2: f32, rounds: usize) -> Logistic {
    let rows: Vec<([f32; FEATURES], bool)> = examples
        .iter()
        .map(|e| (e.features.values(), e.label))
        .collect();
    let (bias, weights) = fit_rows(&rows, l2, rounds);
    Logistic { bias, weights }
}

/// [`fit_logistic`] over rows of any width: `(bias, weights)` on the raw
/// values.
pub fn fit_rows<const N: usize>(
    rows: &[([f32; N], bool)],
    l2: f32,
    rounds: usize,
) -> (f32, [f32; N]) {
    let n = rows.len().max(1) as f32;
    let mut mean = [0f32; N];
    let mut scale = [0f32; N];
    for (x, _) in rows {
        for (k, v) in x.iter().enumerate() {
            mean[k] += v / n;
        }
    }
    for (x, _) in rows {
        for (k, v) in x.iter().enumerate() {
            scale[k] += (v - mean[k]).powi(2) / n;
        }
    }
    for s in &mut scale {
        *s = s.sqrt();
        if *s < 1e-6 {
            *s = 1.0;
        }
    }
    let xs: Vec<[f32; N]> = rows
        .iter()
        .map(|(x, _)| {
            let mut v = *x;
            for k in 0..N {
                v[k] = (v[k] - mean[k]) / scale[k];
            }
            v
        })
        .collect();
    let ys: Vec<f32> = rows.iter().map(|(_, y)| f32::from(u8::from(*y))).collect();
    let mut w = [0f32; N];
    let mut b = 0f32;
    // Adam: robust to the features' different ranges without tuning.
    let (beta1, beta2, lr, eps) = (0.9f32, 0.999f32, 0.05f32, 1e-8f32);
    let (mut m, mut v) = ([0f32; N], [0f32; N]);
    let (mut mb, mut vb) = (0f32, 0f32);
    for round in 1..=rounds {
        let mut grad = [0f32; N];
        let mut grad_b = 0f32;
        for (x, y) in xs.iter().zip(&ys) {
            let z = b + w.iter().zip(x).map(|(a, c)| a * c).sum::<f32>();
            let p = 1.0 / (1.0 + (-z).exp());
            let d = p - y;
            for k in 0..N {
                grad[k] += d * x[k] / n;
            }
            grad_b += d / n;
        }
        for k in 0..N {
            grad[k] += l2 * w[k];
        }
        let t = round as i32;
        let (c1, c2) = (1.0 - beta1.powi(t), 1.0 - beta2.powi(t));
        for k in 0..N {
            m[k] = beta1 * m[k] + (1.0 - beta1) * grad[k];
            v[k] = beta2 * v[k] + (1.0 - beta2) * grad[k] * grad[k];
            w[k] -= lr * (m[k] / c1) / ((v[k] / c2).sqrt() + eps);
        }
        mb = beta1 * mb + (1.0 - beta1) * grad_b;
        vb = beta2 * vb + (1.0 - beta2) * grad_b * grad_b;
        b -= lr * (mb / c1) / ((vb / c2).sqrt() + eps);
    }
    // Back to raw features: w·(x-μ)/σ + b = (w/σ)·x + (b - Σ wμ/σ).
    let mut raw = [0f32; N];
    let mut bias = b;
    for k in 0..N {
        raw[k] = w[k] / scale[k];
        bias -= w[k] * mean[k] / scale[k];
    }
    (bias, raw)
}

/// The number `key` of a fitted file's table (`ctx`: its table's prefix,
/// for the error).
pub(crate) fn number(t: &toml::Table, key: &str, ctx: &str) -> Result<f32, String> {
    let v = t
        .get(key)
        .ok_or_else(|| format!("`{ctx}{key}` is missing"))?;
    let x = v
        .as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .ok_or_else(|| format!("`{ctx}{key}` must be a number"))?;
    if !x.is_finite() {
        return Err(format!("`{ctx}{key}` must be finite"));
    }
    Ok(x as f32)
}

/// A probability bar of a fitted file: a number between 0 and 1.
pub(crate) fn bar(t: &toml::Table, key: &str) -> Result<f32, String> {
    let x = number(t, key, "")?;
    if !(0.0..=1.0).contains(&x) {
        return Err(format!("`{key}` must be between 0 and 1"));
    }
    Ok(x)
}

/// The `provenance` line of a fitted file (empty when absent).
pub(crate) fn provenance_of(table: &toml::Table) -> String {
    table
        .get("provenance")
        .and_then(toml::Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// The opening of a fitted file: the header as comments, then its
/// provenance and bars (shared by `decision.toml` and `fusion.toml`).
pub(crate) fn file_head(header: &str, provenance: &str, answer_min: f32, offer_min: f32) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "\nprovenance = {provenance:?}");
    let _ = writeln!(out, "answer_min = {answer_min:.4}");
    let _ = writeln!(out, "offer_min = {offer_min:.4}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(top: f32, label: bool) -> Example {
        Example {
            features: Features {
                top,
                ..Features::default()
            },
            label,
        }
    }

    #[test]
    fn fitting_separates_a_separable_signal() {
        let data: Vec<Example> = (0..200)
            .map(|i| {
                let top = i as f32 / 200.0;
                ex(top, top > 0.5)
            })
            .collect();
        let m = fit_logistic(&data, 1e-4, 400);
        let hi = m.probability(&ex(0.9, true).features);
        let lo = m.probability(&ex(0.1, false).features);
        assert!(hi > 0.9 && lo < 0.1, "{hi} {lo} {m:?}");
    }

    #[test]
    fn file_round_trips_and_names_bad_keys() {
        let mut c = Calibration {
            answer_min: 0.7,
            offer_min: 0.4,
            provenance: "test".into(),
            ..Calibration::default()
        };
        c.answer.weights[0] = 2.5;
        c.offer.bias = -1.25;
        let text = c.to_toml("a header\nsecond line");
        let back = Calibration::from_toml(&text).unwrap();
        assert_eq!(back, c);
        let bad = text.replace("top = 2.50000", "tip = 2.5");
        let e = Calibration::from_toml(&bad).unwrap_err();
        assert!(e.contains("tip"), "{e}");
        let e = Calibration::from_toml(&text.replace("answer_min = 0.7000", "answer_min = 7"))
            .unwrap_err();
        assert!(e.contains("answer_min"), "{e}");
        assert!(Calibration::from_toml("answer_min = [").is_err());
    }
}
