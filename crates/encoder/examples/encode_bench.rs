//! Encode timings, single thread: `cargo run --release -p accueil-encoder
//! --example encode_bench [model dir]`. Prints load time, resident memory,
//! median and p99 encode time, and the build time of a 6,600-text index.

use std::path::PathBuf;
use std::time::Instant;

use accueil_encoder::{Encoder, SemanticIndex};

const STARTS: [&str; 10] = [
    "je voudrais",
    "comment faire pour",
    "bonjour, est-il possible de",
    "jveu",
    "how can I",
    "¿cómo puedo",
    "كيف يمكنني",
    "merci de m'expliquer comment",
    "urgent !!",
    "svp aidez moi à",
];
const ENDS: [&str; 20] = [
    "renouveler mon titre de séjour",
    "refaire ma carte d'identité perdue",
    "obtenir un passeport pour mon enfant",
    "changer l'adresse de ma carte grise",
    "prendre rendez-vous à la préfecture",
    "récupérer mon récépissé",
    "échanger mon permis de conduire étranger",
    "demander la naturalisation après dix ans de résidence en France avec mon conjoint",
    "payer le timbre fiscal en ligne",
    "renew my residence permit",
    "suivre ma demande sur le site de France Titres qui affiche une erreur depuis trois jours",
    "faire venir ma famille",
    "déclarer un vol de papiers",
    "avoir un duplicata",
    "contester une amende",
    "inscrire mon fils sur les listes électorales",
    "changer de nom",
    "obtenir un visa long séjour étudiant",
    "faire une procuration",
    "savoir où en est mon dossier",
];

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/usem3"));
    let before = rss_mb();
    let t = Instant::now();
    let encoder = Encoder::load(&dir)?;
    println!(
        "load {:.0} ms, resident memory {:.0} MB (process before load {:.0} MB)",
        t.elapsed().as_secs_f64() * 1e3,
        rss_mb(),
        before
    );
    let sentences: Vec<String> = STARTS
        .iter()
        .flat_map(|s| ENDS.iter().map(move |e| format!("{s} {e}")))
        .collect();
    for s in sentences.iter().take(20) {
        encoder.embed(s); // warm-up
    }
    let mut times: Vec<f64> = sentences
        .iter()
        .map(|s| {
            let t = Instant::now();
            std::hint::black_box(encoder.embed(s));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} sentences: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        pick(0.5),
        pick(0.99),
        pick(1.0)
    );
    let entries: Vec<(String, String)> = (0..6600)
        .map(|i| {
            (
                format!("intent{}", i % 300),
                format!("{} n°{i}", sentences[i % sentences.len()]),
            )
        })
        .collect();
    let t = Instant::now();
    let index = SemanticIndex::build(&encoder, &entries);
    println!(
        "index of {} texts built in {:.2} s",
        index.len(),
        t.elapsed().as_secs_f64()
    );
    let cache = std::env::temp_dir().join("accueil-encoder-bench");
    SemanticIndex::build_cached(&encoder, &entries, &cache).2?;
    let t = Instant::now();
    SemanticIndex::build_cached(&encoder, &entries, &cache).2?;
    println!("from the cache in {:.3} s", t.elapsed().as_secs_f64());
    let q = encoder.embed("je dois renouveler ma carte de séjour");
    let t = Instant::now();
    let hits = index.nearest(&q, 5);
    println!(
        "nearest over {} texts in {:.3} ms: {:?}",
        index.len(),
        t.elapsed().as_secs_f64() * 1e3,
        hits
    );
    let _ = std::fs::remove_dir_all(&cache);
    Ok(())
}
