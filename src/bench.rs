//! Benchmarks of the engine, run by `accueil bench`: content load, index
//! build and per-question matching time (median and p99), so figures come
//! from one command on the machine at hand. Tests never time anything.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use accueil_engine::content::{Content, ContentError};
use accueil_engine::engine::Engine;
use accueil_engine::index::Index;

#[derive(Debug, Clone)]
pub struct BenchReport {
    pub intents: usize,
    pub documents: usize,
    pub vocabulary: usize,
    pub load: Duration,
    pub build_median: Duration,
    pub match_median: Duration,
    pub match_p99: Duration,
    pub match_mean: Duration,
    pub questions: usize,
    pub rounds: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let k = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

/// Measure loading, building and matching `questions` `rounds` times each.
pub fn run(root: &Path, questions: &[String], rounds: usize) -> Result<BenchReport, ContentError> {
    let t = Instant::now();
    let content = Content::load(root)?;
    let load = t.elapsed();
    let mut builds = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let ix = Index::build(&content);
        builds.push(t.elapsed());
        std::hint::black_box(ix);
    }
    builds.sort();
    let engine = Engine::from_content(content);
    // Warm up caches once.
    for q in questions {
        std::hint::black_box(engine.decide(q));
    }
    let mut times = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in questions {
            let t = Instant::now();
            std::hint::black_box(engine.decide(q));
            times.push(t.elapsed());
        }
    }
    times.sort();
    let total: Duration = times.iter().sum();
    Ok(BenchReport {
        intents: engine.content.intents.len(),
        documents: engine.matcher.index().doc_count(),
        vocabulary: engine.matcher.index().vocabulary_len(),
        load,
        build_median: percentile(&builds, 0.5),
        match_median: percentile(&times, 0.5),
        match_p99: percentile(&times, 0.99),
        match_mean: total / times.len().max(1) as u32,
        questions: questions.len(),
        rounds,
    })
}

pub fn render(r: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "content: {} intents, {} paraphrases indexed, {} terms",
        r.intents, r.documents, r.vocabulary
    );
    let _ = writeln!(
        out,
        "content load + check: {:.1} ms",
        r.load.as_secs_f64() * 1e3
    );
    let _ = writeln!(
        out,
        "index build (median of 5): {:.2} ms",
        r.build_median.as_secs_f64() * 1e3
    );
    let _ = writeln!(
        out,
        "matching {} questions × {} rounds:",
        r.questions, r.rounds
    );
    let _ = writeln!(
        out,
        "  median {:.1} µs, p99 {:.1} µs, mean {:.1} µs",
        r.match_median.as_secs_f64() * 1e6,
        r.match_p99.as_secs_f64() * 1e6,
        r.match_mean.as_secs_f64() * 1e6
    );
    let per_sec = if r.match_mean.is_zero() {
        0.0
    } else {
        1.0 / r.match_mean.as_secs_f64()
    };
    let _ = writeln!(out, "  about {per_sec:.0} questions per second on one core");
    out
}
