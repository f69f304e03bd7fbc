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
    /// The writing style (`long`, `sms`, `english`...), when the file has a
    /// `style` column.
    pub style: Option<String>,
    pub line: usize,
}

/// Parse a TSV evaluation file: `question<TAB>expected`, or with a header
/// `question<TAB>expected<TAB>style`, a third column naming the style. A
/// header line is skipped; a malformed line is an error naming its number.
pub fn parse_tsv(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let mut styled = false;
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if n == 0 && line.starts_with("question\t") {
            styled = line.trim_end().split('\t').nth(2) == Some("style");
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let (rest, style) = if styled {
            match line.rsplit_once('\t') {
                Some((rest, style)) if !style.trim().is_empty() => {
                    (rest, Some(style.trim().to_owned()))
                }
                _ => {
                    return Err(format!(
                        "line {line_no}: expected `question<TAB>expected<TAB>style`"
                    ))
                }
            }
        } else {
            (line, None)
        };
        let Some((q, e)) = rest.rsplit_once('\t') else {
            return Err(format!("line {line_no}: expected `question<TAB>expected`"));
        };
        let e = e.trim();
        if e.is_empty() {
            return Err(format!("line {line_no}: empty expected intent"));
        }
        cases.push(Case {
            question: q.to_owned(),
            expected: (e != "none").then(|| e.to_owned()),
            style,
            line: line_no,
        });
    }
    Ok(cases)
}

/// One of the two fixed halves of a question set: rows are dealt in turn
/// (first row to `A`, second to `B`...), so that each half has every style
/// and domain. Rules and thresholds are chosen on one half and reported on
/// the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    A,
    B,
}

impl Half {
    pub fn parse(s: &str) -> Option<Half> {
        match s {
            "a" | "A" => Some(Half::A),
            "b" | "B" => Some(Half::B),
            _ => None,
        }
    }

    /// The cases of this half, in order.
    pub fn select(self, cases: &[Case]) -> Vec<Case> {
        let keep = match self {
            Half::A => 0,
            Half::B => 1,
        };
        cases
            .iter()
            .enumerate()
            .filter(|(n, _)| n % 2 == keep)
            .map(|(_, c)| c.clone())
            .collect()
    }
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
    /// The expected intent is the best candidate, whatever the outcome: the
    /// distance between this and `right` is what the decision loses.
    pub ranked_first: usize,
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

    /// Answered right, or offered among the options of a clarification.
    pub fn helpful(&self) -> usize {
        self.right + self.clarify_ok
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
    /// Per style, for files with a `style` column; out-of-scope styles
    /// (`expected = none`) count their rejections as `fallback`.
    pub per_style: BTreeMap<String, Counts>,
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
        let first = case.expected.is_some()
            && m.candidates.first().map(|c| c.intent.as_str()) == case.expected.as_deref();
        if let Some(style) = &case.style {
            let c = report.per_style.entry(style.clone()).or_default();
            c.add(case.expected.as_deref(), m.outcome, got, offered);
            c.ranked_first += usize::from(first);
        }
        match case.expected.as_deref() {
            Some(e) => {
                report.in_scope.add(Some(e), m.outcome, got, offered);
                report.in_scope.ranked_first += usize::from(first);
                let domain = Domain::of_id(e).map(Domain::name).unwrap_or("other");
                let d = report.per_domain.entry(domain).or_default();
                d.add(Some(e), m.outcome, got, offered);
                d.ranked_first += usize::from(first);
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
        "right intent ranked first (in scope): {} ({}/{})",
        pct(i.rate(i.ranked_first)),
        i.ranked_first,
        i.total
    );
    let _ = writeln!(
        out,
        "helpful (right, or offered in clarify): {} ({}/{})",
        pct(i.rate(i.helpful())),
        i.helpful(),
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
    if !report.per_style.is_empty() {
        let _ = writeln!(
            out,
            "\nper style        total  right  first  helpful  wrong  clarify  fallback"
        );
        for (style, c) in &report.per_style {
            let _ = writeln!(
                out,
                "{:<16} {:>5} {:>6} {:>6} {:>8} {:>6} {:>8} {:>9}",
                style,
                c.total,
                pct(c.rate(c.right)),
                pct(c.rate(c.ranked_first)),
                pct(c.rate(c.helpful())),
                pct(c.rate(c.wrong)),
                pct(c.rate(c.clarify)),
                pct(c.rate(c.fallback))
            );
        }
        let _ = writeln!(
            out,
            "(out-of-scope styles: `fallback` is the rejection rate, `right` is 0)"
        );
    }
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
    fn parses_a_style_column_and_counts_per_style() {
        let c = parse_tsv(
            "question\texpected\tstyle\nbonjour\tconv.bonjour\tsms\nmeteo\tnone\toos_far\n",
        )
        .unwrap();
        assert_eq!(c[0].style.as_deref(), Some("sms"));
        assert_eq!(c[0].expected.as_deref(), Some("conv.bonjour"));
        assert_eq!(c[1].expected, None);
        assert!(parse_tsv("question\texpected\tstyle\nbonjour\tconv.bonjour\n").is_err());
    }

    #[test]
    fn halves_alternate_and_partition() {
        let c = parse_tsv("q1\ta\nq2\tb\nq3\tc\n").unwrap();
        let a = Half::A.select(&c);
        let b = Half::B.select(&c);
        assert_eq!(a.len() + b.len(), 3);
        assert_eq!(a[0].question, "q1");
        assert_eq!(b[0].question, "q2");
        assert_eq!(a[1].question, "q3");
    }

    #[test]
    fn malformed_line_is_named() {
        let e = parse_tsv("question\texpected\nno tab here\n").unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }
}
