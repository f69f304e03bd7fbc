//! Measures of the agents' review on the shipped content, printed for the
//! documentation (docs/REVIEW.md, "Costs"). Ignored by default: run with
//!
//! ```sh
//! cargo test --release --test it review_measure -- --ignored --nocapture
//! ```
//!
//! Each measure also checks what it measured (the turns were recorded,
//! the listing has every entry), so a run that measures the wrong thing
//! fails; no assertion is made on time.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::temp_dir;
use accueil::chat::turn;
use accueil::conversation::{Channel, Input, Message, Policy, TurnRequest};
use accueil::review::entry::{Kind, Occurrence};
use accueil::review::inbox::{self, Filter, Sort};
use accueil::review::record::record;
use accueil::review::stats;
use accueil::store::{SledStore, Store};
use accueil::Engine;

/// Words of the generated questions.
const WORDS: [&str; 59] = [
    "piscine",
    "cantine",
    "fourriere",
    "stationnement",
    "bibliotheque",
    "mariage",
    "divorce",
    "chien",
    "chat",
    "voisin",
    "bruit",
    "dechets",
    "impots",
    "loyer",
    "electricite",
    "eau",
    "internet",
    "ecole",
    "college",
    "lycee",
    "universite",
    "bourse",
    "cheval",
    "horaires",
    "tarifs",
    "adresse",
    "inscription",
    "annulation",
    "remboursement",
    "plainte",
    "attestation",
    "formulaire",
    "dossier",
    "courrier",
    "rendez",
    "paiement",
    "retard",
    "perte",
    "vol",
    "panne",
    "travaux",
    "autorisation",
    "declaration",
    "certificat",
    "abonnement",
    "reservation",
    "location",
    "vente",
    "achat",
    "permis",
    "visite",
    "ticket",
    "urgent",
    "demain",
    "aujourd",
    "semaine",
    "mois",
    "annee",
    "soir",
];

fn shipped() -> Engine {
    Engine::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the shipped content loads")
}

/// Run a store future to its end (sled's never wait on I/O).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

#[test]
#[ignore = "a measure for docs/REVIEW.md; run on demand with --release"]
fn costs() {
    let engine = shipped();
    let data = temp_dir("review-measure");
    let store = SledStore::open(data.path()).expect("store");
    let policy = Policy::default();
    let now = accueil::store::now_millis();
    let say = |text: &str, session: Option<String>| {
        let req = TurnRequest {
            session,
            input: Input::Message(Message::parse(text).expect("valid")),
            channel: Channel::Web,
            site: None,
            lang: None,
        };
        let started = Instant::now();
        let out = block_on(turn(&engine, &[], &store, &policy, req, now)).expect("turn");
        (started.elapsed(), out)
    };

    // Answered turns (an answer ticket each) and fallback turns (a recorded question each).
    let answered: Vec<Duration> = (0..2000)
        .map(|_| {
            let (t, out) = say("Comment renouveler mon titre de séjour ?", None);
            assert_eq!(out.outcome, accueil::Outcome::Answer);
            t
        })
        .collect();
    let mut flushes = Vec::new();
    let fallbacks: Vec<Duration> = (0..2000)
        .map(|k| {
            let (t, out) = say(
                &format!("question numero {k} sur la recette du couscous"),
                None,
            );
            assert!(out.recorded, "{k}");
            let started = Instant::now();
            block_on(store.flush()).expect("flush");
            flushes.push(started.elapsed());
            t
        })
        .collect();
    let decides: Vec<Duration> = (0..2000)
        .map(|k| {
            let q = format!("question numero {k} sur la recette du couscous");
            let started = Instant::now();
            let m = engine.decide(&q);
            let t = started.elapsed();
            assert_eq!(m.outcome, accueil::Outcome::Fallback);
            t
        })
        .collect();
    println!(
        "matching alone, the same fallback questions: median {:?}",
        median(decides)
    );
    println!(
        "answered turn: median {:?}, p99 {:?}",
        median(answered.clone()),
        p99(answered)
    );
    println!(
        "fallback turn (recorded, before the flush): median {:?}, p99 {:?}",
        median(fallbacks.clone()),
        p99(fallbacks)
    );
    println!(
        "flush after a recorded question: median {:?}, p99 {:?}",
        median(flushes.clone()),
        p99(flushes)
    );
    let unflushed: Vec<Duration> = (0..2000)
        .map(|k| {
            let (t, out) = say(
                &format!("autre question {k} sur la recette du couscous"),
                None,
            );
            assert!(out.recorded, "{k}");
            t
        })
        .collect();
    println!(
        "fallback turn, no flush in between: median {:?}, p99 {:?}",
        median(unflushed.clone()),
        p99(unflushed)
    );
    let masks: Vec<Duration> = (0..2000)
        .map(|k| {
            let text = format!(
                "bonjour je suis Mme Diallo, tel 06 12 34 56 {:02} pour mon titre",
                k % 100
            );
            let started = Instant::now();
            let m = accueil::mask::mask(&text);
            let t = started.elapsed();
            assert!(m.contains("[téléphone]"));
            t
        })
        .collect();
    println!("mask one question: median {:?}", median(masks));

    // The inbox with 10,000 entries.
    let big = temp_dir("review-measure-10k");
    let store = SledStore::open(big.path()).expect("store");
    let started = Instant::now();
    for k in 0..10_000u64 {
        // About 600 groups of similar questions, and every text distinct.
        let text = format!(
            "{} {} {} numero {k}",
            WORDS[(k % 23) as usize],
            WORDS[(k / 23 % 29) as usize + 23],
            WORDS[(k % 7) as usize + 52]
        );
        block_on(record(
            &store,
            &Occurrence {
                text: &text,
                normalized: &text,
                kind: Kind::Fallback,
                channel: Channel::Web,
                site: Some("prefecture-guyane"),
                at: now - k * 1000,
                guesses: &[accueil::conversation::Guess {
                    intent: "sejour.renouvellement".into(),
                    score: 0.3,
                }],
                content_version: "v",
                reason: None,
            },
        ))
        .expect("record");
    }
    println!("10,000 entries recorded in {:?}", started.elapsed());
    let filter = Filter {
        status: Some(accueil::review::Status::New),
        ..Filter::default()
    };
    let lists: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let page = block_on(inbox::list(&store, &filter, Sort::Count, 50, None)).expect("list");
            let t = started.elapsed();
            assert_eq!((page.total, page.items.len()), (10_000, 50));
            t
        })
        .collect();
    println!(
        "inbox listing, 10,000 entries, first page of 50: median {:?}",
        median(lists)
    );
    let scans: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let all = block_on(store.inbox().all()).expect("entries");
            let t = started.elapsed();
            assert_eq!(all.len(), 10_000);
            t
        })
        .collect();
    println!(
        "of which reading the 10,000 stored entries: median {:?}",
        median(scans)
    );
    let entries = block_on(inbox::entries(&store)).expect("entries");
    let started = Instant::now();
    let clusters = stats::clusters(engine.matcher.index(), &entries, |e| e.count);
    println!(
        "clusters of 10,000 entries: {:?} ({} clusters)",
        started.elapsed(),
        clusters.len()
    );
    assert_eq!(clusters.iter().map(|c| c.questions).sum::<usize>(), 10_000);

    // An attach: the engine rebuilt with one more paraphrase.
    let rebuilds: Vec<Duration> = (0..5)
        .map(|k| {
            let p = accueil::review::paraphrases::Paraphrase {
                intent: "sejour.renouvellement".into(),
                text: format!("mon papier pour rester se termine {k}"),
                question: format!("{k}"),
                by: "alice".into(),
                at: k,
            };
            let started = Instant::now();
            let (built, laid) = accueil::review::paraphrases::with_paraphrases(&engine, &[p]);
            let t = started.elapsed();
            assert!(built.is_some() && laid.added == 1);
            t
        })
        .collect();
    println!(
        "engine rebuilt with the paraphrases (attach): median {:?}",
        median(rebuilds)
    );
}
