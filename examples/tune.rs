//! Grid search of the matcher's `Params` on a labelled question set.
//!
//! `cargo run --release --example tune -- tests/data/dev.tsv` prints the
//! best settings by an objective that punishes wrong answers three times
//! more than it rewards right ones. Use it to calibrate after large content
//! changes, then copy the chosen values into `Params::default()` — and
//! prefer settings with a margin of safety over the very best on this set:
//! an unpublished set of real questions decides.

use std::path::Path;

use accueil::eval::{parse_tsv, run};
use accueil::{Content, Engine, Params};

fn main() {
    let file = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/dev.tsv".into());
    let text = std::fs::read_to_string(&file).expect("read the question file");
    let cases = parse_tsv(&text).expect("valid TSV");
    let content = Content::load_with_diagnostics(Path::new(".")).0;
    let mut results = Vec::new();
    for unknown_factor in [0.6f32, 0.8, 1.0, 1.2] {
        for question_exp in [1.0f32] {
            for paraphrase_exp in [0.5f32, 0.8, 1.1] {
                for intent_mix in [0.15f32, 0.25, 0.35] {
                    let base = Params {
                        question_exp,
                        paraphrase_exp,
                        intent_mix,
                        unknown_factor,
                        ..Params::default()
                    };
                    let engine = Engine::with_params(content.clone(), base);
                    for clarify_min in [0.3f32, 0.35, 0.4, 0.45] {
                        for answer_min in [0.45f32, 0.5, 0.55, 0.6, 0.65] {
                            for margin in [0.04f32, 0.06, 0.1] {
                                if answer_min < clarify_min {
                                    continue;
                                }
                                let p = Params {
                                    clarify_min,
                                    answer_min,
                                    margin,
                                    ..base
                                };
                                let e = Engine {
                                    content: engine.content.clone(),
                                    matcher: accueil::Matcher::with_params(
                                        engine.matcher.index().clone(),
                                        p,
                                    ),
                                };
                                let r = run(&e, &cases);
                                let score =
                                    r.accuracy() - 3.0 * r.wrong_rate() + 0.3 * r.rejection_rate();
                                results.push((
                                    score,
                                    r.accuracy(),
                                    r.wrong_rate(),
                                    r.rejection_rate(),
                                    p,
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (score, acc, wrong, rej, p) in results.iter().take(15) {
        println!("{score:.3} acc {acc:.3} wrong {wrong:.3} reject {rej:.3} {p:?}");
    }
    let d = Params::default();
    let r = run(&Engine::with_params(content, d), &cases);
    println!(
        "default: acc {:.3} wrong {:.3} reject {:.3} {d:?}",
        r.accuracy(),
        r.wrong_rate(),
        r.rejection_rate()
    );
}
