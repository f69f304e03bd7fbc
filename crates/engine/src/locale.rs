//! The languages replies are written in, and the English copy of the
//! content.
//!
//! Matching always runs on the French content (its paraphrases cover
//! English questions too); only the reply's wording changes. The English
//! copy is the same content with each intent's and journey's `[en]` part in
//! place of the French text, the glossary's English explanations and the
//! sites' `[en]` values and the pictograms' `alt_en`: every reply builder
//! then works unchanged on it.
//! An intent with no English text keeps its French one, and says so
//! ([`Intent::lang`]).

use crate::content::{Content, Intent, Site};
use crate::journey::Journey;
pub use crate::lang::Lang;

/// The content as English replies read it (see the module's comment).
pub fn english(content: &Content) -> Content {
    let mut en = content.clone();
    en.lang = Lang::En;
    for intent in &mut en.intents {
        english_intent(intent);
    }
    for journey in en.journeys.values_mut() {
        english_journey(journey);
    }
    for picto in en.pictos.values_mut() {
        if let Some(alt) = picto.alt_en.take() {
            picto.alt = alt;
        }
    }
    en.glossary = content.glossary_en.clone();
    en.glossary_terms = crate::content::glossary_terms(&en.glossary);
    english_site(&mut en.generic);
    for site in en.sites.values_mut() {
        english_site(site);
    }
    en
}

fn english_intent(intent: &mut Intent) {
    let Some(e) = intent.en.take() else {
        return;
    };
    let e = *e;
    intent.title = e.title;
    intent.answer = e.answer;
    intent.steps = e.steps;
    intent.links = e.links;
    intent.sheet = e.sheet;
    intent.lang = Lang::En;
}

fn english_journey(journey: &mut Journey) {
    let Some(e) = journey.en.take() else {
        return;
    };
    journey.title = e.title;
    for node in &mut journey.nodes {
        if let Some(n) = e.nodes.get(&node.id) {
            node.question = n.question.clone();
            for (choice, label) in node.choices.iter_mut().zip(&n.choices) {
                choice.label = label.clone();
            }
        }
    }
}

/// A site's `[en]` values (`en.contact`, `en.prefecture.nom`...) replace
/// the French ones of the same key.
fn english_site(site: &mut Site) {
    let english: Vec<(String, String)> = site
        .values
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("en.").map(|k| (k.to_owned(), v.clone())))
        .collect();
    for (k, v) in english {
        site.values.insert(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{English, Link, Step};

    #[test]
    fn the_english_copy_swaps_texts_and_keeps_pictograms() {
        let mut c = Content::default();
        let mut with = Intent::for_tests("sejour.a", "Titre", &["q"]);
        with.steps = vec![Step {
            text: "Connectez-vous.".into(),
            picto: Some("internet".into()),
            link: None,
        }];
        with.en = Some(Box::new(English {
            title: "Title".into(),
            answer: "Answer.".into(),
            steps: vec![Step {
                text: "Log in.".into(),
                picto: Some("internet".into()),
                link: None,
            }],
            links: vec![Link {
                label: "Site".into(),
                url: "https://example.org/x".into(),
            }],
            sheet: None,
        }));
        let without = Intent::for_tests("fs.b", "Titre B", &["q"]);
        c.intents = vec![without, with];
        c.glossary_en
            .insert("CAF".into(), "the family allowance fund".into());
        c.generic.values.insert("contact".into(), "Appelez.".into());
        c.generic.values.insert("en.contact".into(), "Call.".into());
        let en = english(&c);
        assert_eq!(en.lang, Lang::En);
        let a = en.intent("sejour.a").expect("kept");
        assert_eq!((a.title.as_str(), a.lang), ("Title", Lang::En));
        assert_eq!(a.steps[0].picto.as_deref(), Some("internet"));
        let b = en.intent("fs.b").expect("kept");
        assert_eq!((b.title.as_str(), b.lang), ("Titre B", Lang::Fr));
        assert_eq!(
            en.glossary.get("CAF").map(String::as_str),
            Some("the family allowance fund")
        );
        assert_eq!(en.site_value(None, "contact"), Some("Call."));
        // The French content is untouched.
        assert_eq!(
            c.intent("sejour.a").map(|i| i.title.as_str()),
            Some("Titre")
        );
    }
}
