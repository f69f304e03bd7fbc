//! Grid search of the matcher's decision `Params` on labelled question sets.
//!
//! `cargo run --release --example tune -- tests/data/dev.tsv tests/data/holdout.tsv`
//! prints the best settings by an objective that punishes wrong answers
//! three times more than it rewards right ones. Use it to calibrate after
//! large content changes, then copy the chosen values into
//! `Params::default()` — preferring settings with a margin of safety over
//! the very best on these sets: an unpublished set of real questions decides.

use std::path::Path;

use accueil::eval::{parse_tsv, run, Case};
use accueil::index::Index;
use accueil::{Engine, Matcher, Params};

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        files = vec!["tests/data/dev.tsv".into(), "tests/data/holdout.tsv".into()];
    }
    let mut cases: Vec<Case> = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read the question file");
        cases.extend(parse_tsv(&text).expect("valid TSV"));
    }
    let content =
        accueil::check::load_with_diagnostics(Path::new("."), &accueil::engine::check_inputs(None))
            .0;
    let index = Index::build(&content);
    let evaluate = |p: Params| {
        let e = Engine::from_parts(
            content.clone(),
            content.clone(),
            Matcher::with_params(index.clone(), p),
        );
        let r = run(&e, &cases);
        let score = r.accuracy() - 3.0 * r.wrong_rate() + 0.3 * r.rejection_rate();
        (score, r.accuracy(), r.wrong_rate(), r.rejection_rate(), p)
    };
    let mut results = Vec::new();
    for unknown_factor in [0.8f32, 1.0, 1.3] {
        for answer_min in [0.45f32, 0.5, 0.55] {
            for margin in [0.04f32, 0.06, 0.1] {
                for dominance_min in [0.3f32, 0.35, 0.4] {
                    for dominance_ratio in [1.5f32, 1.8, 2.2] {
                        for dominance_terms in [2u32, 3, 4] {
                            let p = Params {
                                unknown_factor,
                                answer_min,
                                margin,
                                dominance_min,
                                dominance_ratio,
                                dominance_terms,
                                ..Params::default()
                            };
                            results.push(evaluate(p));
                        }
                    }
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (score, acc, wrong, rej, p) in results.iter().take(12) {
        println!("{score:.3} acc {acc:.3} wrong {wrong:.3} reject {rej:.3} {p:?}");
    }
    let (_, acc, wrong, rej, p) = evaluate(Params::default());
    println!("default: acc {acc:.3} wrong {wrong:.3} reject {rej:.3} {p:?}");
}
