//! Paraphrases taught by agents, laid over the content files.
//!
//! Attaching a question to an intent stores a [`Paraphrase`] in the same
//! transaction as the entry's new status ([`crate::store::Taught`]). The served engine is then the files' content plus every such
//! paraphrase ([`with_paraphrases`]), rebuilt and swapped like a reload,
//! so the next request already benefits; at startup and on every reload
//! the overlays are laid again over the files just read.
//!
//! The files win: a paraphrase the files now have (an agent committed the
//! export) is skipped as redundant, one the files give to another intent
//! is skipped as a conflict, one whose intent is gone is skipped too; each
//! skip is logged. A question typed exactly as a paraphrase (after
//! normalisation and the lexicon) is answered by its intent with
//! confidence 1, so an attached question asked again is answered.

use std::collections::BTreeMap;

pub use crate::store::Paraphrase;
use crate::store::{Store, StoreError};
use accueil_engine::engine::Engine;

/// Every stored paraphrase, oldest attach first.
pub async fn stored(store: &dyn Store) -> Result<Vec<Paraphrase>, StoreError> {
    store.paraphrases().list().await
}

/// Where a paraphrase stands against the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// Not in the files: the overlay adds it.
    Added,
    /// The files already give it to its intent.
    InFiles,
    /// The files give it to another intent.
    Conflict(String),
    /// Its intent is not in the files.
    UnknownIntent,
}

/// How `text` fits the files' engine if added to `intent`.
pub fn fit(files: &Engine, intent: &str, text: &str) -> Fit {
    if files.content.intent(intent).is_none() {
        return Fit::UnknownIntent;
    }
    let index = files.matcher.index();
    let normalized = index.analyze(text).normalized;
    let owners = index.exact_owners(&normalized);
    if owners.contains(&intent) {
        Fit::InFiles
    } else if let Some(other) = owners.first() {
        Fit::Conflict((*other).to_owned())
    } else {
        Fit::Added
    }
}

/// What laying the paraphrases over the files did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Laid {
    pub added: usize,
    pub in_files: usize,
    pub skipped: usize,
}

/// The files' engine with the paraphrases added, or `None` when none adds
/// anything (then the files' engine is served as it is).
pub fn with_paraphrases(files: &Engine, paraphrases: &[Paraphrase]) -> (Option<Engine>, Laid) {
    let mut laid = Laid::default();
    // Two paraphrases normalising alike (a lexicon change can do that)
    // would make neither exact: the latest attach wins.
    let mut chosen: BTreeMap<String, &Paraphrase> = BTreeMap::new();
    for p in paraphrases {
        match fit(files, &p.intent, &p.text) {
            Fit::Added => {
                let normalized = files.matcher.index().analyze(&p.text).normalized;
                if chosen.insert(normalized, p).is_some() {
                    laid.skipped += 1;
                }
            }
            Fit::InFiles => laid.in_files += 1,
            Fit::Conflict(other) => {
                laid.skipped += 1;
                tracing::warn!(
                    question = %p.question,
                    intent = %p.intent,
                    files_intent = %other,
                    "an attached paraphrase is now in the files for another intent: skipped"
                );
            }
            Fit::UnknownIntent => {
                laid.skipped += 1;
                tracing::warn!(
                    question = %p.question,
                    intent = %p.intent,
                    "an attached paraphrase names an intent the files no longer have: skipped"
                );
            }
        }
    }
    if chosen.is_empty() {
        return (None, laid);
    }
    let mut content = files.content.clone();
    for p in chosen.values() {
        if let Ok(k) = content
            .intents
            .binary_search_by(|i| i.id.as_str().cmp(&p.intent))
        {
            content.intents[k].questions.push(p.text.clone());
            laid.added += 1;
        }
    }
    (
        Some(Engine::with_params(content, files.matcher.params())),
        laid,
    )
}

#[cfg(test)]
mod tests {
    //! Properties: an added paraphrase is answered exactly by its intent;
    //! paraphrases the files already have, or give to another intent, or
    //! whose intent is gone, are skipped; nothing to add serves the files.
    use super::*;
    use crate::store::Millis;
    use accueil_engine::matcher::Outcome;
    use std::path::Path;

    fn files() -> Engine {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        Engine::load(&root).expect("fixture")
    }

    fn p(intent: &str, text: &str, at: Millis) -> Paraphrase {
        Paraphrase {
            intent: intent.into(),
            text: text.into(),
            question: format!("q{at}"),
            by: "alice".into(),
            at,
        }
    }

    #[test]
    fn paraphrases_are_answered_and_the_files_win() {
        let files = files();
        let q = "mon papier pour rester en france se termine bientot";
        assert_ne!(
            files.decide(q).intent.as_deref(),
            Some("sejour.renouvellement")
        );
        let renew = files
            .content
            .intent("sejour.renouvellement")
            .and_then(|i| i.questions.first())
            .cloned()
            .unwrap_or_default();
        let list = [
            p("sejour.renouvellement", q, 1),
            p("sejour.renouvellement", &renew, 2),
            p("ddtm.permis_bateau", &renew, 3),
            p("sejour.disparu", "une question", 4),
        ];
        let (engine, laid) = with_paraphrases(&files, &list);
        assert_eq!(
            laid,
            Laid {
                added: 1,
                in_files: 1,
                skipped: 2
            }
        );
        let engine = engine.expect("one paraphrase added");
        let m = engine.decide(q);
        assert_eq!(m.outcome, Outcome::Answer);
        assert_eq!(m.intent.as_deref(), Some("sejour.renouvellement"));
        assert_eq!(m.confidence, 1.0);
        assert_eq!(
            engine.decide(&q.to_uppercase()).intent.as_deref(),
            Some("sejour.renouvellement"),
            "normalisation applies"
        );
        let (none, _) = with_paraphrases(&files, &list[1..]);
        assert!(none.is_none());
    }
}
