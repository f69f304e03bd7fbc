//! What the engine keeps between turns (decisions of recent questions,
//! answers as worded) is what it would work out afresh: checked on every
//! shipped intent, in both languages, nationally and for every site, and
//! a second time from what was kept. (The kept decisions are checked in
//! `understanding`.)

use std::path::Path;

use accueil::reply::intent_reply;
use accueil::Engine;

#[test]
fn kept_answers_are_the_answers_worded_afresh() {
    let engine = Engine::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads");
    let mut checked = 0;
    for lang in [accueil::lang::Lang::Fr, accueil::lang::Lang::En] {
        let content = engine.content_in(lang);
        let sites: Vec<Option<&accueil::Site>> = std::iter::once(None)
            .chain(content.sites.values().map(Some))
            .collect();
        for _pass in 0..2 {
            for intent in &content.intents {
                for site in &sites {
                    assert_eq!(
                        engine.intent_reply(content, *site, intent),
                        intent_reply(content, *site, intent),
                        "{} ({lang:?}, site {:?})",
                        intent.id,
                        site.map(|s| &s.id)
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
    // A content that is not the engine's is worded from itself.
    let mut other = engine.content.clone();
    other.intents[0].answer = "Une autre réponse.".to_owned();
    let intent = &other.intents[0];
    assert_eq!(
        engine.intent_reply(&other, None, intent).text,
        "Une autre réponse."
    );
}
