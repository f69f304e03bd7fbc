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
    /// Masking (run on every question kept for agents): median and p99
    /// over the questions, and over questions full of personal data.
    pub mask_median: Duration,
    pub mask_p99: Duration,
    pub mask_data_median: Duration,
    pub mask_data_p99: Duration,
    pub mask_data_count: usize,
}

/// Messages full of personal data for the masking figures: the first
/// column of the adversarial set of the tests.
const PERSONAL_DATA: &str = include_str!("../tests/data/personal_data.tsv");

/// Median and p99 of masking each text, `rounds` times.
fn mask_times(texts: &[&str], rounds: usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(texts.len() * rounds);
    for _ in 0..rounds {
        for t in texts {
            let start = Instant::now();
            std::hint::black_box(accueil_engine::mask::mask(t));
            times.push(start.elapsed());
        }
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
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
    let times = decision_times(&engine, questions, rounds);
    let total: Duration = times.iter().sum();
    let plain: Vec<&str> = questions.iter().map(String::as_str).collect();
    let (mask_median, mask_p99) = mask_times(&plain, rounds);
    let data: Vec<&str> = PERSONAL_DATA
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let (mask_data_median, mask_data_p99) = mask_times(&data, rounds);
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
        mask_median,
        mask_p99,
        mask_data_median,
        mask_data_p99,
        mask_data_count: data.len(),
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
    let _ = writeln!(
        out,
        "masking: median {:.1} µs, p99 {:.1} µs on these questions; median {:.1} µs, p99 {:.1} µs on {} messages full of personal data",
        r.mask_median.as_secs_f64() * 1e6,
        r.mask_p99.as_secs_f64() * 1e6,
        r.mask_data_median.as_secs_f64() * 1e6,
        r.mask_data_p99.as_secs_f64() * 1e6,
        r.mask_data_count
    );
    out
}

/// The semantic layer's figures: model load, index build (from scratch and
/// from the cache), encoding, and the whole decision with both views.
#[derive(Debug, Clone)]
pub struct SemanticBench {
    pub model_load: Duration,
    pub texts: usize,
    pub build_fresh: Duration,
    pub build_cached: Duration,
    pub encode_median: Duration,
    pub encode_p99: Duration,
    pub decide_median: Duration,
    pub decide_p99: Duration,
    /// Share of the questions for which the encoder ran.
    pub consulted: f64,
    pub questions: usize,
    pub rounds: usize,
}

pub fn run_semantic(
    root: &Path,
    model_dir: &Path,
    questions: &[String],
    rounds: usize,
) -> Result<SemanticBench, String> {
    let content = Content::load(root).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let fresh_cache = std::env::temp_dir().join(format!("accueil-bench-{}", std::process::id()));
    let setup = accueil_engine::semantic::Setup::load(model_dir, Some(fresh_cache.clone()))
        .map_err(|e| e.to_string())?;
    let model_load = t.elapsed();
    let engine = Engine::from_content(content);
    let t = Instant::now();
    let (_, stats, _) = engine.clone().with_encoder(&setup);
    let build_fresh = t.elapsed();
    let t = Instant::now();
    let (engine, _, _) = engine.with_encoder(&setup);
    let build_cached = t.elapsed();
    let _ = std::fs::remove_dir_all(&fresh_cache);
    let mut encodes = Vec::new();
    for q in questions {
        let t = Instant::now();
        std::hint::black_box(setup.encoder.embed(q));
        encodes.push(t.elapsed());
    }
    encodes.sort();
    let consulted = questions
        .iter()
        .filter(|q| {
            engine
                .decide(q)
                .semantic
                .as_ref()
                .is_some_and(|v| v.consulted)
        })
        .count();
    let times = decision_times(&engine, questions, rounds);
    Ok(SemanticBench {
        model_load,
        texts: stats.texts,
        build_fresh,
        build_cached,
        encode_median: percentile(&encodes, 0.5),
        encode_p99: percentile(&encodes, 0.99),
        decide_median: percentile(&times, 0.5),
        decide_p99: percentile(&times, 0.99),
        consulted: consulted as f64 / questions.len().max(1) as f64,
        questions: questions.len(),
        rounds,
    })
}

pub fn render_semantic(r: &SemanticBench) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut out = String::new();
    let _ = writeln!(out, "semantic layer:");
    let _ = writeln!(out, "  model load: {:.0} ms", ms(r.model_load));
    let _ = writeln!(
        out,
        "  index of {} texts: {:.2} s from scratch (every core), {:.0} ms from the cache",
        r.texts,
        r.build_fresh.as_secs_f64(),
        ms(r.build_cached)
    );
    let _ = writeln!(
        out,
        "  encoding one question: median {:.2} ms, p99 {:.2} ms",
        ms(r.encode_median),
        ms(r.encode_p99)
    );
    let _ = writeln!(
        out,
        "  decision with both views, {} questions × {} rounds: median {:.2} ms, p99 {:.2} ms; encoder consulted for {:.0}% of the questions",
        r.questions,
        r.rounds,
        ms(r.decide_median),
        ms(r.decide_p99),
        r.consulted * 100.0
    );
    out
}

/// Each decision's time, `rounds` times over `questions`, sorted.
fn decision_times(engine: &Engine, questions: &[String], rounds: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in questions {
            let t = Instant::now();
            std::hint::black_box(engine.decide(q));
            times.push(t.elapsed());
        }
    }
    times.sort();
    times
}
