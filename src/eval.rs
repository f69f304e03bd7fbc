//! Evaluation: how the matcher does on a labelled question set.
//!
//! A `question<TAB>expected` file (expected = intent id or `none`) gives,
//! overall and per domain: right answers, wrong answers (a person acts on
//! wrong information: the worst outcome), clarifications, fallbacks, and
//! for out-of-scope questions how many were rejected; then the worst
//! confusions, so a writer knows which intents to separate.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::content::Domain;
use crate::engine::Engine;
use crate::matcher::Outcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub question: String,
    pub expected: Option<String>,
    pub line: usize,
}

/// Parse a TSV evaluation file. A header line `question<TAB>expected` is
/// skipped; a malformed line is an error naming its number.
pub fn parse_tsv(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() || (n == 0 && line.starts_with("question\t")) {
            continue;
        }
        let Some((q, e)) = line.rsplit_once('\t') else {
            return Err(format!("line {line_no}: expected `question<TAB>expected`"));
        };
        let e = e.trim();
        if e.is_empty() {
            return Err(format!("line {line_no}: empty expected intent"));
        }
        cases.push(Case {
            question: q.to_owned(),
            expected: (e != "none").then(|| e.to_owned()),
            line: line_no,
        });
    }
    Ok(cases)
}

/// Counts for a group of questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub right: usize,
    pub wrong: usize,
    pub clarify: usize,
    /// Clarifications whose options include the expected intent.
    pub clarify_ok: usize,
    pub fallback: usize,
}

impl Counts {
    fn add(&mut self, expected: Option<&str>, outcome: Outcome, got: Option<&str>, offered: bool) {
        self.total += 1;
        match outcome {
            Outcome::Answer if got == expected => self.right += 1,
            Outcome::Answer => self.wrong += 1,
            Outcome::Clarify => {
                self.clarify += 1;
                if offered {
                    self.clarify_ok += 1;
                }
            }
            Outcome::Fallback => self.fallback += 1,
        }
    }

    pub fn rate(&self, n: usize) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            n as f64 / self.total as f64
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    /// In-scope questions, all domains.
    pub in_scope: Counts,
    /// Out-of-scope questions (`expected = none`): `fallback` is right.
    pub out_of_scope: Counts,
    pub per_domain: BTreeMap<&'static str, Counts>,
    /// (expected, got) → count, for wrong answers and answered out-of-scope.
    pub confusions: BTreeMap<(String, String), usize>,
    /// The failing cases, for the verbose listing.
    pub failures: Vec<(Case, Outcome, Option<String>, f32)>,
}

impl Report {
    /// Wrong answers over every question: in-scope answered with the wrong
    /// intent, plus out-of-scope answered at all.
    pub fn wrong_rate(&self) -> f64 {
        let total = self.in_scope.total + self.out_of_scope.total;
        if total == 0 {
            return 0.0;
        }
        (self.in_scope.wrong + self.out_of_scope.right + self.out_of_scope.wrong) as f64
            / total as f64
    }

    /// Out-of-scope questions that got `fallback`.
    pub fn rejection_rate(&self) -> f64 {
        self.out_of_scope.rate(self.out_of_scope.fallback)
    }

    pub fn accuracy(&self) -> f64 {
        self.in_scope.rate(self.in_scope.right)
    }
}

/// Run every case through the engine.
pub fn run(engine: &Engine, cases: &[Case]) -> Report {
    let mut report = Report::default();
    for case in cases {
        let m = engine.decide(&case.question);
        let got = m.intent.as_deref();
        let offered = case
            .expected
            .as_deref()
            .is_some_and(|e| m.candidates.iter().any(|c| c.intent == e));
        match case.expected.as_deref() {
            Some(e) => {
                report.in_scope.add(Some(e), m.outcome, got, offered);
                let domain = Domain::of_id(e).map(Domain::name).unwrap_or("other");
                report
                    .per_domain
                    .entry(domain)
                    .or_default()
                    .add(Some(e), m.outcome, got, offered);
            }
            None => {
                // For out-of-scope rows, "right" counts answers (all wrong).
                report.out_of_scope.add(None, m.outcome, got, false);
                if m.outcome == Outcome::Answer {
                    report.out_of_scope.right += 1;
                    report.out_of_scope.wrong = report.out_of_scope.wrong.saturating_sub(1);
                }
            }
        }
        let ok = match (case.expected.as_deref(), m.outcome) {
            (Some(e), Outcome::Answer) => got == Some(e),
            (None, Outcome::Fallback) => true,
            _ => false,
        };
        if m.outcome == Outcome::Answer && got != case.expected.as_deref() {
            let key = (
                case.expected.clone().unwrap_or_else(|| "none".into()),
                got.unwrap_or("none").to_owned(),
            );
            *report.confusions.entry(key).or_insert(0) += 1;
        }
        if !ok {
            report.failures.push((
                case.clone(),
                m.outcome,
                m.candidates.first().map(|c| c.intent.clone()),
                m.confidence,
            ));
        }
    }
    report
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The report as printed by `accueil eval`.
pub fn render(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let i = &report.in_scope;
    let o = &report.out_of_scope;
    let _ = writeln!(
        out,
        "questions: {} in scope, {} out of scope",
        i.total, o.total
    );
    let _ = writeln!(
        out,
        "accuracy (right answers, in scope): {} ({}/{})",
        pct(report.accuracy()),
        i.right,
        i.total
    );
    let _ = writeln!(
        out,
        "wrong-answer rate (all questions):  {} ({} in scope, {} out of scope answered)",
        pct(report.wrong_rate()),
        i.wrong,
        o.right
    );
    let _ = writeln!(
        out,
        "clarify rate (in scope):            {} ({} offer the expected intent)",
        pct(i.rate(i.clarify)),
        i.clarify_ok
    );
    let _ = writeln!(
        out,
        "fallback rate (in scope):           {}",
        pct(i.rate(i.fallback))
    );
    let _ = writeln!(
        out,
        "out-of-scope rejection (fallback):  {} ({}/{})",
        pct(report.rejection_rate()),
        o.fallback,
        o.total
    );
    let _ = writeln!(
        out,
        "\nper domain        total  right  wrong  clarify  fallback"
    );
    for (d, c) in &report.per_domain {
        let _ = writeln!(
            out,
            "{:<16} {:>6} {:>6} {:>6} {:>8} {:>9}",
            d,
            c.total,
            pct(c.rate(c.right)),
            pct(c.rate(c.wrong)),
            pct(c.rate(c.clarify)),
            pct(c.rate(c.fallback))
        );
    }
    let _ = writeln!(
        out,
        "{:<16} {:>6} {:>6} {:>6} {:>8} {:>9}",
        "none",
        o.total,
        "-",
        pct(o.rate(o.right)),
        pct(o.rate(o.clarify)),
        pct(o.rate(o.fallback))
    );
    let mut conf: Vec<_> = report.confusions.iter().collect();
    conf.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    if !conf.is_empty() {
        let _ = writeln!(out, "\nworst confusions (expected → answered):");
        for ((e, g), n) in conf.iter().take(10) {
            let _ = writeln!(out, "  {n} × {e} → {g}");
        }
    }
    if verbose && !report.failures.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for (case, outcome, top, conf) in &report.failures {
            let _ = writeln!(
                out,
                "  line {}: {} [{}] expected {} got {} {} ({conf:.2})",
                case.line,
                case.question,
                outcome.as_str(),
                case.expected.as_deref().unwrap_or("none"),
                outcome.as_str(),
                top.as_deref().unwrap_or("-"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tsv_with_header() {
        let c = parse_tsv("question\texpected\nbonjour\tconv.bonjour\nmeteo\tnone\n").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].expected.as_deref(), Some("conv.bonjour"));
        assert_eq!(c[1].expected, None);
        assert_eq!(c[1].line, 3);
    }

    #[test]
    fn malformed_line_is_named() {
        let e = parse_tsv("question\texpected\nno tab here\n").unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }
}
