//! Replies in English (issue 13, item 5): chosen by the API's `lang`, kept
//! by the session, or taken from a message typed in English; an intent
//! with no English text comes in French with one English line saying so.
//! And the procedure sheets, in both languages, through the chat API.

use serde_json::json;

use crate::support::{payloads, TestApp};

#[tokio::test]
async fn lang_en_gives_the_english_text_with_the_french_pictograms() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "web", "lang": "en"}))
        .await;
    let reply = &v["reply"];
    assert_eq!(reply["lang"], "en", "{v}");
    assert_eq!(reply["title"], "Renewing a residence permit", "{v}");
    assert!(reply["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("You renew your titre de séjour")));
    assert_eq!(reply["steps"][0]["text"], "Log in to your ANEF account.");
    assert_eq!(
        reply["steps"][0]["picto"]["id"], "internet",
        "French pictogram"
    );
    assert_eq!(
        reply["steps"][0]["link"]["url"],
        "https://administration-etrangers-en-france.interieur.gouv.fr/"
    );
    assert_eq!(
        reply["links"][0]["label"],
        "Residence permits on Service-Public.fr (in French)"
    );
    assert_eq!(reply.get("language_note"), None, "{v}");
    // The sheet, in English.
    assert_eq!(reply["sheet"]["title"], "The procedure at a glance", "{v}");
    let rows = reply["sheet"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fields: Vec<&str> = rows.iter().filter_map(|r| r["field"].as_str()).collect();
    assert_eq!(fields, ["who", "where", "papers", "delay"], "{v}");
    assert_eq!(rows[2]["items"][0], "Your passport.");
    assert_eq!(rows[0]["label"], "Who for");
    // The glossary explains in English, terms as well as acronyms.
    let glossary = reply["glossary"].as_array().cloned().unwrap_or_default();
    let terms: Vec<&str> = glossary.iter().filter_map(|g| g["term"].as_str()).collect();
    assert!(
        terms.contains(&"ANEF") && terms.contains(&"titre de séjour"),
        "{v}"
    );
    assert!(glossary
        .iter()
        .all(|g| !g["explanation"].as_str().unwrap_or("").contains("l'État")));
}

#[tokio::test]
async fn the_french_reply_has_the_french_sheet_and_terms() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "web"}))
        .await;
    let reply = &v["reply"];
    assert_eq!(reply["lang"], "fr");
    assert_eq!(reply["sheet"]["title"], "La démarche en bref", "{v}");
    assert_eq!(
        reply["sheet"]["rows"][1]["text"],
        "En ligne, sur le site de l'ANEF."
    );
    let glossary = reply["glossary"].as_array().cloned().unwrap_or_default();
    assert!(glossary.iter().any(|g| g["term"] == "titre de séjour"
        && g["explanation"] == "la carte qui permet de vivre en France"));
    // A démarche without a sheet has none.
    let other = app
        .chat(json!({"choice": "sejour.rendez_vous", "channel": "web"}))
        .await;
    assert_eq!(other["reply"].get("sheet"), None, "{other}");
}

#[tokio::test]
async fn an_intent_without_english_says_so_in_english() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"choice": "sejour.rendez_vous", "channel": "kiosk", "lang": "en"}))
        .await;
    assert_eq!(v["reply"]["lang"], "en", "{v}");
    assert_eq!(v["reply"]["language_note"]["lang"], "en");
    assert_eq!(
        v["reply"]["language_note"]["text"],
        "This answer is only available in French."
    );
    // The French answer, as written.
    assert_eq!(v["reply"]["title"], "Prendre rendez-vous à la préfecture");
}

#[tokio::test]
async fn the_session_keeps_the_language_and_a_choice_can_change_it() {
    let app = TestApp::new().await;
    let first = app
        .chat(json!({"message": "Bonjour", "channel": "web", "lang": "en"}))
        .await;
    assert_eq!(first["reply"]["lang"], "en", "{first}");
    assert_eq!(first["reply"]["title"], "Hello", "{first}");
    let session = first["session"].as_str().unwrap_or_default().to_owned();
    // A tapped button says nothing of the language: the session's holds.
    let next = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "web", "session": session}))
        .await;
    assert_eq!(next["reply"]["lang"], "en", "{next}");
    // The person switches back to French.
    let back = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "web", "session": session, "lang": "fr"}))
        .await;
    assert_eq!(back["reply"]["lang"], "fr", "{back}");
    assert_eq!(back["reply"]["title"], "Renouveler son titre de séjour");
    // And it is kept: an English message does not switch a chosen French.
    let typed = app
        .chat(json!({"message": "How do I renew my residence permit?", "channel": "web", "session": session, "lang": "fr"}))
        .await;
    assert_eq!(typed["reply"]["lang"], "fr", "{typed}");
}

#[tokio::test]
async fn a_message_in_english_switches_to_english_fallback_included() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"message": "I need help with something strange about my neighbour's cat", "channel": "web"}))
        .await;
    assert_eq!(v["reply"]["lang"], "en", "{v}");
    let text = v["reply"]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("I cannot answer this question."), "{v}");
    assert!(
        text.contains("You can call Allô Service public on 39 39"),
        "the generic contact's English wording: {v}"
    );
    assert!(!text.contains("Vous pouvez"), "{v}");
    // The topics offered are the intents' English titles where written.
    let labels: Vec<String> = v["reply"]["quick_replies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["label"].as_str().map(str::to_owned))
        .collect();
    assert!(
        labels.iter().any(|l| l == "Renewing a residence permit"),
        "{labels:?}"
    );
    assert!(payloads(&v).contains(&"sejour.renouvellement".to_owned()));
}

#[tokio::test]
async fn steps_walked_in_english_say_step_n_of_m() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "kiosk", "lang": "en"}))
        .await;
    let text = v["reply"]["text"].as_str().unwrap_or_default();
    assert!(text.ends_with("Step 1 of 3."), "{v}");
    assert!(
        v["reply"].get("sheet").is_some(),
        "the sheet opens the walk: {v}"
    );
    let session = v["session"].as_str().unwrap_or_default().to_owned();
    let two = app
        .chat(json!({"choice": "conv.etape_suivante", "channel": "kiosk", "session": session}))
        .await;
    assert_eq!(two["reply"]["text"], "Step 2 of 3.", "{two}");
    assert_eq!(
        two["reply"]["steps"][0]["text"],
        "Add your scanned documents."
    );
    assert_eq!(two["reply"].get("sheet"), None, "{two}");
}

#[tokio::test]
async fn an_unknown_lang_is_a_clear_error() {
    let app = TestApp::new().await;
    let r = app
        .post_json(
            "/api/v1/chat",
            &json!({"message": "Bonjour", "channel": "web", "lang": "de"}),
        )
        .await;
    assert_eq!(
        r.status,
        axum::http::StatusCode::BAD_REQUEST,
        "{}",
        r.text()
    );
    assert_eq!(r.error_code(), "unknown_lang");
    assert!(
        r.text().contains("\\\"fr\\\" or \\\"en\\\""),
        "{}",
        r.text()
    );
    let wrong_type = app
        .post_json(
            "/api/v1/chat",
            &json!({"message": "Bonjour", "channel": "web", "lang": 3}),
        )
        .await;
    assert_eq!(wrong_type.status, axum::http::StatusCode::BAD_REQUEST);
}

/// Done-when of issue 13: every residence-permit and conversation intent
/// of the shipped content answers in English, with no note.
#[test]
fn every_shipped_sejour_and_conv_intent_answers_in_english() {
    use accueil::content::Domain;
    use accueil::lang::Lang;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = accueil::Engine::load(root).expect("shipped content loads");
    let composer = accueil::reply::Composer::new(&engine.english, None);
    let mut n = 0;
    for intent in engine
        .english
        .intents
        .iter()
        .filter(|i| matches!(i.domain, Domain::Sejour | Domain::Conversation))
    {
        let reply = composer.answer(intent);
        assert_eq!(reply.lang, Lang::En, "{}", intent.id);
        assert_eq!(intent.lang, Lang::En, "{}: no English text", intent.id);
        assert_eq!(reply.language_note, None, "{}", intent.id);
        assert!(!reply.text.contains("{{"), "{}: {}", intent.id, reply.text);
        n += 1;
    }
    assert!(n > 40, "{n} intents checked");
}
