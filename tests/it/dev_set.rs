//! The development set as a floor: the matcher must not regress.
//!
//! `tests/data/dev.tsv` is a copy of the shared development set (never
//! copied into the content). The floors are set from what the matcher
//! reaches, a little below, so that a change that loses accuracy, answers
//! wrongly more often or stops rejecting out-of-scope questions fails here.
//! The dev set tuned the matcher's thresholds; the holdout set did not
//! shape the content, so it is the fairer measure of unseen questions.

use std::path::Path;

use accueil::eval::{parse_tsv, run};
use accueil::Engine;

fn engine() -> Engine {
    Engine::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("shipped content loads")
}

fn cases() -> Vec<accueil::eval::Case> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dev.tsv"))
            .unwrap();
    parse_tsv(&text).unwrap()
}

#[test]
fn whole_dev_set_meets_the_floors() {
    let engine = engine();
    let report = run(&engine, &cases());
    let text = accueil::eval::render(&report, true);
    assert!(
        report.accuracy() >= ACCURACY_FLOOR,
        "accuracy below floor\n{text}"
    );
    assert!(
        report.wrong_rate() <= WRONG_CEILING,
        "too many wrong answers\n{text}"
    );
    assert!(
        report.rejection_rate() >= REJECTION_FLOOR,
        "out-of-scope not rejected\n{text}"
    );
}

#[test]
fn each_domain_is_answered() {
    let engine = engine();
    let report = run(&engine, &cases());
    for (domain, counts) in &report.per_domain {
        let acc = counts.rate(counts.right);
        assert!(
            acc >= DOMAIN_FLOOR,
            "domain {domain}: accuracy {acc:.3}\n{}",
            accueil::eval::render(&report, false)
        );
    }
}

// Reached on 2026-11-22: accuracy 96.3%, wrong answers 1.0%, out-of-scope
// rejection 90.0%, conversation 88.9%, other domains 96% or more.
const ACCURACY_FLOOR: f64 = 0.93;
const WRONG_CEILING: f64 = 0.02;
const REJECTION_FLOOR: f64 = 0.87;
const DOMAIN_FLOOR: f64 = 0.85;

/// `tests/data/holdout.tsv` was written from the catalogue alone, by a writer
/// who never saw the content; no content was written from it. It measures
/// generalisation. Reached: accuracy 89.0%, wrong 0.5%, rejection 98%.
#[test]
fn holdout_set_meets_the_floors() {
    let engine = engine();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/holdout.tsv"),
    )
    .unwrap();
    let report = run(&engine, &parse_tsv(&text).unwrap());
    let text = accueil::eval::render(&report, true);
    assert!(
        report.accuracy() >= 0.85,
        "holdout accuracy below floor\n{text}"
    );
    assert!(
        report.wrong_rate() <= 0.02,
        "holdout: too many wrong answers\n{text}"
    );
    assert!(
        report.rejection_rate() >= 0.90,
        "holdout: out-of-scope not rejected\n{text}"
    );
}
