//! The HTTP API through the router (`app()` + `oneshot`, no socket), on the
//! fixture content of `tests/fixtures/content`.
//!
//! Properties checked: each endpoint answers with its documented shape;
//! each outcome (answer, clarify, fallback) comes out of the chat; the
//! clarify → choice flow; kiosk step walking; yes/no and start-again;
//! site values in answers and intent pages; new sessions for missing,
//! unknown and expired ones (said in the reply); every refusal is a 4xx
//! with `{"error": {"code", "message"}}` and its stable code; tokens; CORS
//! off by default and on for configured origins only; metrics count
//! requests, outcomes and sessions; reload swaps valid content and keeps
//! the old one on invalid content; a failing store degrades, never 500s.

use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use accueil::clock::ManualClock;
use accueil::http::ERROR_CODES;
use accueil::notices::Notice;
use accueil::store::{
    Change, CounterKey, Counters, Entry, EntryId, Inbox, Millis, Notices, Paraphrase, Paraphrases,
    Pending, PendingQuestions, SessionLookup, Sessions, Store, StoreError, Summary,
};
use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

const RENEW: &str = "Comment renouveler mon titre de séjour ?";

// ---- health, readiness, metrics -------------------------------------------

#[tokio::test]
async fn healthz_answers_without_work() {
    let app = TestApp::new().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"status": "ok", "semantic": "off", "store": "sled"})
    );
}

#[tokio::test]
async fn readyz_reports_content_and_store() {
    let app = TestApp::new().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "ready");
    assert_eq!(
        v["content_version"],
        app.state.engine().content.version.as_str()
    );
    assert_eq!(v["intents"], 11);
    assert_eq!(v["sites"], 1);
}

#[tokio::test]
async fn metrics_count_requests_outcomes_sessions_and_content() {
    let app = TestApp::new().await;
    let first = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    app.chat(
        json!({"session": first["session"], "choice": "ddtm.permis_bateau", "channel": "web"}),
    )
    .await;
    app.chat(json!({"message": "recette de la blanquette de veau", "channel": "web"}))
        .await;
    app.post_json("/api/v1/chat", &json!({"channel": "web"}))
        .await;
    app.get("/nulle/part").await;
    // Closed without a token.
    let closed = app.get("/metrics").await;
    assert_eq!(closed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(closed.error_code(), "unauthorized");
    let r = app.metrics().await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text();
    let version = app.state.engine().content.version.clone();
    for line in [
        "accueil_http_requests_total{route=\"/api/v1/chat\",status=\"200\"} 3",
        "accueil_http_requests_total{route=\"/api/v1/chat\",status=\"400\"} 1",
        "accueil_http_requests_total{route=\"unmatched\",status=\"404\"} 1",
        "accueil_http_request_duration_seconds_count{route=\"/api/v1/chat\"} 4",
        "accueil_chat_outcomes_total{outcome=\"answer\"} 1",
        "accueil_chat_outcomes_total{outcome=\"clarify\"} 1",
        "accueil_chat_outcomes_total{outcome=\"fallback\"} 1",
        "accueil_sessions_created_total 2",
        "accueil_sessions_alive 2",
        "accueil_content_intents 11",
        "accueil_store_errors_total 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in\n{text}"
        );
    }
    assert!(text.contains(&format!("accueil_content_info{{version=\"{version}\"}} 1")));
}

// ---- the three outcomes ----------------------------------------------------

#[tokio::test]
async fn an_answer_on_the_web_shows_every_step_with_pictograms_and_followups() {
    let app = TestApp::new().await;
    let v = app.chat(json!({"message": RENEW, "channel": "web"})).await;
    assert_eq!(v["outcome"], "answer");
    assert_eq!(v["intent"], "sejour.renouvellement");
    assert_eq!(v["new_session"], true);
    assert!(v["confidence"].as_f64().unwrap_or(0.0) > 0.5);
    let session = v["session"].as_str().unwrap_or_default();
    assert_eq!(session.len(), 32, "{v}");
    let reply = &v["reply"];
    assert_eq!(reply["title"], "Renouveler son titre de séjour");
    assert!(
        reply["text"]
            .as_str()
            .unwrap_or_default()
            .contains("votre préfecture"),
        "generic wording without a site"
    );
    let steps = reply["steps"].as_array().cloned().unwrap_or_default();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["n"], 1);
    assert_eq!(steps[0]["picto"]["id"], "internet");
    assert_eq!(steps[0]["picto"]["alt"], "Un site internet");
    assert_eq!(
        steps[0]["picto"]["src"],
        "/assets/dsfr/artwork/pictograms/digital/internet.svg"
    );
    assert_eq!(steps[0]["link"]["label"], "Site de l'ANEF");
    assert!(
        steps[1].get("link").is_none(),
        "absent optional fields are left out"
    );
    assert_eq!(reply["pictos"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        reply["links"][0]["url"],
        "https://www.service-public.fr/particuliers/vosdroits/N110"
    );
    assert_eq!(
        payloads(&v),
        vec!["sejour.rendez_vous", "conv.parler_agent"]
    );
    assert_eq!(
        reply["quick_replies"][0]["label"],
        "Prendre rendez-vous à la préfecture"
    );
}

#[tokio::test]
async fn clarify_then_choice_answers_the_chosen_intent() {
    let app = TestApp::new().await;
    let first = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    assert_eq!(first["outcome"], "clarify");
    assert_eq!(first["intent"], Value::Null);
    assert_eq!(
        payloads(&first),
        vec!["ddtm.permis_bateau_duplicata", "ddtm.permis_bateau"]
    );
    let labels: Vec<&str> = first["reply"]["quick_replies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["label"].as_str())
        .collect();
    assert_eq!(
        labels,
        vec!["Permis bateau perdu ou abîmé", "Passer le permis bateau"]
    );
    let text = first["reply"]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Passer le permis bateau") && text.contains(" ou "),
        "{text}"
    );

    let second = app
        .chat(json!({"session": first["session"], "choice": "ddtm.permis_bateau_duplicata", "channel": "web"}))
        .await;
    assert_eq!(second["session"], first["session"]);
    assert_eq!(second["new_session"], false);
    assert_eq!(second["outcome"], "answer");
    assert_eq!(second["intent"], "ddtm.permis_bateau_duplicata");
    assert_eq!(second["confidence"], 1.0);
    assert_eq!(second["reply"]["title"], "Permis bateau perdu ou abîmé");
}

#[tokio::test]
async fn fallback_says_it_does_not_know_offers_topics_and_a_contact() {
    let app = TestApp::new().await;
    let generic = app
        .chat(json!({"message": "recette de la blanquette de veau", "channel": "web"}))
        .await;
    assert_eq!(generic["outcome"], "fallback");
    assert_eq!(generic["intent"], Value::Null);
    let text = generic["reply"]["text"].as_str().unwrap_or_default();
    assert!(text.contains("Je ne sais pas"), "{text}");
    assert!(text.contains("39 39"), "the generic human contact: {text}");
    let topics = payloads(&generic);
    assert!(
        topics.contains(&"sejour.renouvellement".to_owned())
            && topics.contains(&"ddtm.contact_ddtm".to_owned())
    );
    let local = app
        .chat(json!({"message": "recette de la blanquette de veau", "channel": "web", "site": "prefecture-exemple"}))
        .await;
    assert!(
        local["reply"]["contact"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("01 02 03 04 05"),
        "the site's contact, once, in its block: {local}"
    );
    assert!(!local["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("01 02 03 04 05"));
    let kept = accueil::review::inbox::entries(app.state.store())
        .await
        .expect("inbox");
    assert_eq!(kept.len(), 1, "unanswered questions are kept for agents");
    assert_eq!(kept[0].1.count, 2, "counted on one entry");
}

/// A message in English is answered in English; one in another language
/// is told, in that language, that the answers are in French; a French
/// message is neither.
#[tokio::test]
async fn a_foreign_message_gets_a_note_in_its_language() {
    let app = TestApp::new().await;
    let english = app
        .chat(json!({"message": "How do I renew my residence permit?", "channel": "web"}))
        .await;
    assert_eq!(english["reply"]["lang"], "en", "{english}");
    assert_ne!(
        english["reply"]["language_note"]["text"].as_str(),
        Some("For now I can only reply in French."),
        "{english}"
    );
    let spanish = app
        .chat(json!({"message": "Hola, necesito ayuda con mi permiso de residencia", "channel": "kiosk"}))
        .await;
    assert_eq!(spanish["reply"]["language_note"]["lang"], "es", "{spanish}");
    assert_eq!(spanish["reply"]["lang"], "fr", "{spanish}");
    let french = app.chat(json!({"message": RENEW, "channel": "web"})).await;
    assert_eq!(french["reply"].get("language_note"), None, "{french}");
    assert_eq!(french["reply"]["lang"], "fr", "{french}");
}

#[tokio::test]
async fn control_characters_are_stripped_before_matching() {
    let app = TestApp::new().await;
    let v = app.chat(json!({"message": "\u{0}  per\u{7}mis\u{202e} \r\n bat\u{200b}eau\u{1b} ", "channel": "web"})).await;
    assert_eq!(v["outcome"], "clarify", "{v}");
}

#[tokio::test]
async fn the_message_limit_counts_characters_after_trimming() {
    let app = TestApp::new().await;
    let at_limit = format!("   {}   ", "é".repeat(1000));
    let ok = app
        .post_json(
            "/api/v1/chat",
            &json!({"message": at_limit, "channel": "web"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let over = app
        .post_json(
            "/api/v1/chat",
            &json!({"message": "a".repeat(1001), "channel": "web"}),
        )
        .await;
    assert_eq!(over.status, StatusCode::BAD_REQUEST);
    assert_eq!(over.error_code(), "message_too_long");
}

// ---- conversation behaviour -------------------------------------------------

#[tokio::test]
async fn kiosk_walks_the_steps_one_at_a_time() {
    let app = TestApp::new().await;
    let one = app
        .chat(json!({"message": RENEW, "channel": "kiosk"}))
        .await;
    let s = one["session"].clone();
    assert_eq!(one["intent"], "sejour.renouvellement");
    assert_eq!(one["reply"]["steps"].as_array().map(Vec::len), Some(1));
    assert_eq!(one["reply"]["steps"][0]["picto"]["id"], "internet");
    assert!(one["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .ends_with("Étape 1 sur 3."));
    assert_eq!(
        payloads(&one),
        vec!["conv.etape_suivante", "conv.recommencer"]
    );

    let two = app
        .chat(json!({"session": s, "choice": "conv.etape_suivante", "channel": "kiosk"}))
        .await;
    assert_eq!(two["intent"], "sejour.renouvellement");
    assert_eq!(two["reply"]["steps"][0]["n"], 2);
    assert_eq!(two["reply"]["steps"][0]["picto"]["id"], "document-ajouter");
    assert_eq!(two["reply"]["text"], "Étape 2 sur 3.");

    let three = app
        .chat(json!({"session": s, "message": "étape suivante", "channel": "kiosk"}))
        .await;
    assert_eq!(three["reply"]["steps"][0]["n"], 3);
    assert_eq!(
        three["reply"]["text"],
        "Étape 3 sur 3. C'est la dernière étape."
    );
    assert_eq!(
        payloads(&three),
        vec![
            "sejour.rendez_vous",
            "conv.parler_agent",
            "conv.recommencer"
        ]
    );
}

#[tokio::test]
async fn yes_and_no_answer_the_assistants_own_question() {
    let app = TestApp::new().await;
    // "oui" during a walk shows the next step; "non" stops it.
    let walk = app
        .chat(json!({"message": RENEW, "channel": "kiosk"}))
        .await;
    let s = walk["session"].clone();
    let yes = app
        .chat(json!({"session": s, "message": "oui", "channel": "kiosk"}))
        .await;
    assert_eq!(yes["reply"]["steps"][0]["n"], 2);
    let no = app
        .chat(json!({"session": s, "message": "non", "channel": "kiosk"}))
        .await;
    assert_eq!(no["intent"], "conv.non");
    assert_eq!(no["reply"]["steps"].as_array().map(Vec::len), Some(0));
    // With nothing pending, "oui" is only "oui".
    let plain = app
        .chat(json!({"session": s, "choice": "conv.oui", "channel": "kiosk"}))
        .await;
    assert_eq!(plain["intent"], "conv.oui");
    assert_eq!(plain["outcome"], "answer");
}

#[tokio::test]
async fn start_again_clears_the_context_and_the_human_contact_follows_the_site() {
    let app = TestApp::new().await;
    let first = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    let s = first["session"].clone();
    let again = app
        .chat(json!({"session": s, "message": "recommencer", "channel": "web"}))
        .await;
    assert_eq!(again["intent"], "conv.recommencer");
    let yes = app
        .chat(json!({"session": s, "message": "oui", "channel": "web"}))
        .await;
    assert_eq!(
        yes["intent"], "conv.oui",
        "the clarify was forgotten: {yes}"
    );
    let human = app
        .chat(json!({"session": s, "message": "je veux parler a un humain", "channel": "web", "site": "prefecture-exemple"}))
        .await;
    assert_eq!(human["intent"], "conv.parler_agent");
    assert!(
        human["reply"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("01 02 03 04 05"),
        "{human}"
    );
}

#[tokio::test]
async fn site_values_fill_the_answers() {
    let app = TestApp::new().await;
    let local = app.chat(json!({"message": "prendre rdv prefecture", "channel": "web", "site": "prefecture-exemple"})).await;
    assert_eq!(local["intent"], "sejour.rendez_vous");
    let text = local["reply"]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("la préfecture de l'Exemple") && text.contains("de 9 h à 12 h"),
        "{text}"
    );
    assert_eq!(
        local["reply"]["links"][0]["url"],
        "https://www.exemple.gouv.fr/rendez-vous"
    );
    let generic = app
        .chat(json!({"message": "prendre rdv prefecture", "channel": "web"}))
        .await;
    let text = generic["reply"]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("votre préfecture") && !text.contains("{{"),
        "{text}"
    );
    assert_eq!(
        generic["reply"]["links"][0]["url"],
        "https://www.service-public.fr/particuliers/vosdroits/N110"
    );
}

#[tokio::test]
async fn unknown_and_malformed_sessions_start_a_new_one_and_say_so() {
    let app = TestApp::new().await;
    for bogus in [
        json!("0123456789abcdef0123456789abcdef"),
        json!("n'importe quoi"),
        json!(""),
    ] {
        let v = app
            .chat(json!({"session": bogus, "message": "bonjour", "channel": "web"}))
            .await;
        assert_eq!(v["new_session"], true, "{bogus}");
        assert_ne!(v["session"], bogus);
        let text = v["reply"]["text"].as_str().unwrap_or_default();
        assert!(
            text.starts_with("Votre conversation précédente est terminée."),
            "{text}"
        );
    }
    let fresh = app
        .chat(json!({"message": "bonjour", "channel": "web"}))
        .await;
    assert_eq!(fresh["new_session"], true);
    assert!(!fresh["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("terminée"));
    let null_session = app
        .chat(json!({"session": null, "message": "bonjour", "channel": "web"}))
        .await;
    assert_eq!(null_session["new_session"], true);
}

#[tokio::test]
async fn an_idle_kiosk_session_expires_and_the_purge_removes_it() {
    let clock = Arc::new(ManualClock::starting_now());
    let app = TestApp::with(|s| {
        s.policy.kiosk_ttl = Duration::from_millis(600);
        s.clock = clock.clone();
    })
    .await;
    let first = app
        .chat(json!({"message": "permis bateau", "channel": "kiosk"}))
        .await;
    let web = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    let kept = app
        .chat(json!({"session": first["session"], "message": "oui", "channel": "kiosk"}))
        .await;
    assert_eq!(kept["session"], first["session"]);
    assert_eq!(
        kept["outcome"], "clarify",
        "still within the TTL: the clarify is pending"
    );
    clock.advance(Duration::from_millis(800));
    let after = app
        .chat(json!({"session": first["session"], "message": "oui", "channel": "kiosk"}))
        .await;
    assert_eq!(after["new_session"], true);
    assert_ne!(after["session"], first["session"]);
    assert_eq!(after["intent"], "conv.oui", "the old context is gone");
    assert!(after["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Votre conversation précédente est terminée."));
    clock.advance(Duration::from_millis(800));
    assert_eq!(
        app.state.store().sessions().alive(),
        2,
        "the new kiosk session (expired, not yet purged) and the web one"
    );
    assert_eq!(app.state.purge_sessions().await.expect("purge"), 1);
    assert_eq!(app.state.store().sessions().alive(), 1);
    let web_again = app
        .chat(json!({"session": web["session"], "choice": "ddtm.permis_bateau", "channel": "web"}))
        .await;
    assert_eq!(web_again["new_session"], false, "web sessions live longer");
}

// ---- topics and intent pages ------------------------------------------------

#[tokio::test]
async fn topics_list_domains_with_intents_titles_and_pictograms() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/topics").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(
        v["content_version"],
        app.state.engine().content.version.as_str()
    );
    let domains = v["domains"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = domains.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(
        ids,
        vec!["sejour", "ddtm"],
        "no conversation domain, no empty domain"
    );
    assert_eq!(domains[0]["label"], "Titres de séjour");
    let sejour: Vec<&str> = domains[0]["intents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(
        sejour,
        vec![
            "Prendre rendez-vous à la préfecture",
            "Renouveler son titre de séjour"
        ],
        "title order"
    );
    let renew = &domains[0]["intents"][1];
    assert_eq!(renew["id"], "sejour.renouvellement");
    assert_eq!(renew["pictos"][0]["id"], "titre-sejour");
    assert_eq!(renew["pictos"][0]["alt"], "Une carte de séjour");
    assert!(renew["pictos"][0]["src"]
        .as_str()
        .unwrap_or_default()
        .ends_with(".svg"));
}

#[tokio::test]
async fn an_intent_page_is_its_full_reply_with_site_values() {
    let app = TestApp::new().await;
    let r = app
        .get("/api/v1/intents/sejour.rendez_vous?site=prefecture-exemple")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "sejour.rendez_vous");
    assert_eq!(v["domain"], "sejour");
    assert_eq!(v["title"], "Prendre rendez-vous à la préfecture");
    assert!(v["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("la préfecture de l'Exemple"));
    let generic = app
        .get("/api/v1/intents/sejour.renouvellement")
        .await
        .json();
    assert_eq!(generic["reply"]["steps"].as_array().map(Vec::len), Some(3));
    assert!(generic["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("votre préfecture"));
    let empty_site = app.get("/api/v1/intents/sejour.renouvellement?site=").await;
    assert_eq!(empty_site.status, StatusCode::OK);
}

// ---- every refusal ------------------------------------------------------------

#[tokio::test]
async fn every_chat_refusal_has_its_code() {
    let app = TestApp::new().await;
    let long = "a".repeat(1001);
    let table: Vec<(Value, &str)> = vec![
        (
            json!({"message": "x", "channel": "web", "mesage": "typo"}),
            "invalid_body",
        ),
        (json!({"message": 42, "channel": "web"}), "invalid_body"),
        (json!(["message"]), "invalid_body"),
        (json!({"message": "bonjour"}), "missing_channel"),
        (
            json!({"message": "bonjour", "channel": "sms"}),
            "unknown_channel",
        ),
        (
            json!({"message": "bonjour", "choice": "conv.oui", "channel": "web"}),
            "message_and_choice",
        ),
        (json!({"channel": "web"}), "no_message_or_choice"),
        (
            json!({"channel": "web", "session": "abc"}),
            "no_message_or_choice",
        ),
        (json!({"message": "", "channel": "web"}), "empty_message"),
        (
            json!({"message": " \t\n ", "channel": "web"}),
            "empty_message",
        ),
        (
            json!({"message": "\u{0}\u{7}\u{200b}", "channel": "kiosk"}),
            "empty_message",
        ),
        (
            json!({"message": long, "channel": "web"}),
            "message_too_long",
        ),
        (
            json!({"choice": "sejour.inexistant", "channel": "web"}),
            "unknown_choice",
        ),
        (json!({"choice": "", "channel": "web"}), "unknown_choice"),
        (
            json!({"message": "bonjour", "channel": "web", "site": "atlantide"}),
            "unknown_site",
        ),
    ];
    for (body, code) in table {
        let r = app.post_json("/api/v1/chat", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
    }
    let r = app
        .post_json(
            "/api/v1/chat",
            &json!({"message": "bonjour", "channel": "web", "site": "atlantide"}),
        )
        .await;
    let message = r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("atlantide") && message.contains("prefecture-exemple"),
        "a clear message: {message}"
    );
}

#[tokio::test]
async fn malformed_bodies_get_our_error_shape() {
    let app = TestApp::new().await;
    let cases: Vec<(Option<&str>, Body, StatusCode, &str)> = vec![
        (
            Some("application/json"),
            Body::from("{\"message\": \"bonjour\", "),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            Some("application/json"),
            Body::from("pas du json"),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            Some("application/json"),
            Body::empty(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            Some("text/plain"),
            Body::from("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            None,
            Body::from("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            Body::from("message=bonjour"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Some("application/json"),
            Body::from(format!(
                "{{\"message\": \"{}\", \"channel\": \"web\"}}",
                "a".repeat(17 * 1024)
            )),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (ct, body, status, code) in cases {
        let r = app.post_raw("/api/v1/chat", ct, body).await;
        assert_eq!(r.status, status, "{ct:?}: {}", r.text());
        assert_eq!(r.error_code(), code);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json")
        );
    }
    let charset = app
        .post_raw(
            "/api/v1/chat",
            Some("application/json; charset=utf-8"),
            r#"{"message":"bonjour","channel":"web"}"#,
        )
        .await;
    assert_eq!(charset.status, StatusCode::OK, "{}", charset.text());
}

#[tokio::test]
async fn unknown_routes_methods_intents_sites_and_queries() {
    let app = TestApp::new().await;
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            Request::get("/api/v1/intents/sejour.inexistant")
                .body(Body::empty())
                .expect("req"),
            StatusCode::NOT_FOUND,
            "unknown_intent",
        ),
        (
            Request::get("/api/v1/intents/sejour.renouvellement?site=atlantide")
                .body(Body::empty())
                .expect("req"),
            StatusCode::BAD_REQUEST,
            "unknown_site",
        ),
        (
            Request::get("/api/v1/intents/sejour.renouvellement?site=a&site=b")
                .body(Body::empty())
                .expect("req"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            Request::get("/api/v1/intents/%FF%FE")
                .body(Body::empty())
                .expect("req"),
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        (
            Request::get("/api/v2/chat")
                .body(Body::empty())
                .expect("req"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Request::get("/nowhere").body(Body::empty()).expect("req"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Request::get("/api/v1/chat")
                .body(Body::empty())
                .expect("req"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Request::delete("/healthz")
                .body(Body::empty())
                .expect("req"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Request::get("/api/v1/admin/reload")
                .body(Body::empty())
                .expect("req"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (req, status, code) in cases {
        let uri = req.uri().clone();
        let r = app.request(req).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert_eq!(r.error_code(), code, "{uri}");
    }
}

#[tokio::test]
async fn admin_endpoints_need_an_admin_token() {
    let app = TestApp::new().await;
    let none = app.reload(None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.error_code(), "unauthorized");
    assert_eq!(none.header("www-authenticate").as_deref(), Some("Bearer"));
    let wrong = app.reload(Some("admin-secret-012345678X")).await;
    assert_eq!(wrong.error_code(), "unauthorized");
    let basic = app
        .request(
            Request::post("/api/v1/admin/reload")
                .header("authorization", "Basic cm9vdDpyb290")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(basic.error_code(), "unauthorized");
    let agent = app.reload(Some(AGENT_SECRET)).await;
    assert_eq!(agent.status, StatusCode::FORBIDDEN);
    assert_eq!(agent.error_code(), "forbidden");
    let admin = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text());
    let no_tokens = TestApp::with(|s| s.tokens = accueil::http::Tokens::default()).await;
    assert_eq!(
        no_tokens.reload(Some(ADMIN_SECRET)).await.error_code(),
        "unauthorized"
    );
}

#[test]
fn every_error_code_is_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/HTTP.md"),
    )
    .expect("docs/HTTP.md");
    for (status, code, _) in ERROR_CODES {
        let row = doc
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("| `{code}` |")));
        let row = row.unwrap_or_else(|| panic!("`{code}` is not in the table of docs/HTTP.md"));
        assert!(
            row.contains(&status.to_string()),
            "docs/HTTP.md gives `{code}` a status other than {status}: {row}"
        );
    }
}

// ---- CORS -------------------------------------------------------------------------

fn preflight(origin: &str) -> Request<Body> {
    Request::options("/api/v1/chat")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .expect("req")
}

#[tokio::test]
async fn cors_is_off_by_default_and_on_for_configured_origins_only() {
    let closed = TestApp::new().await;
    let r = closed
        .request(preflight("https://www.exemple.gouv.fr"))
        .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    let open = TestApp::with(|s| {
        s.cors =
            accueil::http::Cors::parse(&["https://www.exemple.gouv.fr".into()]).expect("origins");
    })
    .await;
    let r = open.request(preflight("https://www.exemple.gouv.fr")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://www.exemple.gouv.fr")
    );
    assert!(r
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .contains("POST"));
    let other = open.request(preflight("https://pirate.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    let simple = open
        .request(
            Request::post("/api/v1/chat")
                .header("origin", "https://www.exemple.gouv.fr")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"message":"bonjour","channel":"web"}"#))
                .expect("req"),
        )
        .await;
    assert_eq!(simple.status, StatusCode::OK);
    assert_eq!(
        simple.header("access-control-allow-origin").as_deref(),
        Some("https://www.exemple.gouv.fr")
    );
}

// ---- reload -------------------------------------------------------------------------

#[tokio::test]
async fn reload_swaps_valid_content_and_keeps_the_old_on_errors() {
    let app = TestApp::new().await;
    let before = app
        .chat(json!({"message": "carte de peche en riviere", "channel": "web"}))
        .await;
    assert_ne!(before["intent"], "ddtm.peche");
    let old_version = app.state.engine().content.version.clone();

    write_intent(app.content.path(), "faq/ddtm", "peche", NEW_INTENT);
    let ok = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let v = ok.json();
    assert_eq!(v["status"], "reloaded");
    assert_eq!(v["previous_version"], old_version.as_str());
    assert_eq!(v["changed"], true);
    assert_eq!(v["intents"], 12);
    let after = app
        .chat(json!({"message": "carte de peche en riviere", "channel": "web"}))
        .await;
    assert_eq!(after["intent"], "ddtm.peche", "{after}");
    let new_version = app.state.engine().content.version.clone();
    assert_ne!(new_version, old_version);

    // Break a file: the reload is refused with file:line errors, the
    // content in service does not change.
    write_intent(
        app.content.path(),
        "faq/ddtm",
        "casse",
        "id = \"ddtm.casse\"\nquestions = [\n  oops\n]\n",
    );
    let bad = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(bad.error_code(), "invalid_content");
    let body = bad.json();
    let details: Vec<&str> = body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        details.iter().any(|d| d.contains("casse.toml:3: error")),
        "{details:?}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains(&new_version));
    assert_eq!(app.state.engine().content.version, new_version);
    let still = app
        .chat(json!({"message": "carte de peche en riviere", "channel": "web"}))
        .await;
    assert_eq!(still["intent"], "ddtm.peche");
    let metrics = app.metrics().await.text();
    assert!(metrics.contains("accueil_content_reloads_total{result=\"ok\"} 1"));
    assert!(metrics.contains("accueil_content_reloads_total{result=\"error\"} 1"));
}

#[tokio::test]
async fn a_pending_context_survives_a_reload_that_removes_its_intent() {
    let app = TestApp::new().await;
    let walk = app
        .chat(json!({"message": RENEW, "channel": "kiosk"}))
        .await;
    // Remove the procedure being walked (and what points to it).
    let root = app.content.path();
    std::fs::remove_file(root.join("faq/titres-de-sejour/renouvellement.toml")).expect("rm");
    for (file, from, to) in [
        (
            "faq/titres-de-sejour/rendez_vous.toml",
            "followups = [\"sejour.renouvellement\"]",
            "followups = []",
        ),
        (
            "intents/conv/recommencer.toml",
            "\"sejour.renouvellement\", ",
            "",
        ),
        (
            "intents/conv/bonjour.toml",
            "\"sejour.renouvellement\", ",
            "",
        ),
    ] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replace(from, to)).expect("write");
    }
    let r = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let next = app.chat(json!({"session": walk["session"], "choice": "conv.etape_suivante", "channel": "kiosk"})).await;
    assert_eq!(
        next["intent"], "conv.etape_suivante",
        "the walk ends quietly: {next}"
    );
    assert_eq!(next["new_session"], false);
}

// ---- a failing store ------------------------------------------------------------------

/// A store whose every operation fails, as a full disk or a lost database.
struct BrokenStore;

fn on_fire<T>() -> Result<T, StoreError> {
    Err(StoreError("disk on fire".into()))
}

#[async_trait]
impl Sessions for BrokenStore {
    async fn get(&self, _: &str, _: Millis) -> Result<SessionLookup, StoreError> {
        on_fire()
    }
    async fn put(&self, _: &str, _: Millis, _: &[u8]) -> Result<(), StoreError> {
        on_fire()
    }
    async fn remove(&self, _: &str) -> Result<bool, StoreError> {
        on_fire()
    }
    async fn purge_expired(&self, _: Millis) -> Result<usize, StoreError> {
        on_fire()
    }
    fn alive(&self) -> u64 {
        0
    }
}

#[async_trait]
impl Inbox for BrokenStore {
    async fn get(&self, _: EntryId) -> Result<Option<Entry>, StoreError> {
        on_fire()
    }
    async fn summaries(&self) -> Result<Vec<(EntryId, Summary)>, StoreError> {
        on_fire()
    }
    async fn entries(&self, _: &[EntryId]) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        on_fire()
    }
    async fn all(&self) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        on_fire()
    }
    async fn update(
        &self,
        _: EntryId,
        _: &mut (dyn FnMut(Option<Entry>) -> Change + Send),
    ) -> Result<(), StoreError> {
        on_fire()
    }
}

#[async_trait]
impl PendingQuestions for BrokenStore {
    async fn put(&self, _: &str, _: &Pending) -> Result<(), StoreError> {
        on_fire()
    }
    async fn get(&self, _: &str) -> Result<Option<Pending>, StoreError> {
        on_fire()
    }
    async fn remove(&self, _: &str) -> Result<bool, StoreError> {
        on_fire()
    }
    async fn all(&self) -> Result<Vec<(String, Pending)>, StoreError> {
        on_fire()
    }
    async fn settle(
        &self,
        _: &str,
        _: &mut (dyn for<'p> FnMut(&'p Pending, Option<Entry>) -> Option<Entry> + Send),
    ) -> Result<bool, StoreError> {
        on_fire()
    }
}

#[async_trait]
impl Counters for BrokenStore {
    async fn add(&self, _: &[(CounterKey, &[u64])]) -> Result<(), StoreError> {
        on_fire()
    }
    async fn read(&self, _: u32, _: u32) -> Result<Vec<(CounterKey, Vec<u64>)>, StoreError> {
        on_fire()
    }
    async fn purge_before(&self, _: u32) -> Result<usize, StoreError> {
        on_fire()
    }
}

#[async_trait]
impl Paraphrases for BrokenStore {
    async fn list(&self) -> Result<Vec<Paraphrase>, StoreError> {
        on_fire()
    }
}

#[async_trait]
impl Notices for BrokenStore {
    async fn list(&self) -> Result<(Vec<Notice>, Vec<String>), StoreError> {
        on_fire()
    }
    async fn put(&self, _: &Notice) -> Result<(), StoreError> {
        on_fire()
    }
    async fn remove(&self, _: &str) -> Result<bool, StoreError> {
        on_fire()
    }
}

#[async_trait]
impl Store for BrokenStore {
    accueil::store_accessors!();
    fn backend(&self) -> &'static str {
        "broken"
    }
    async fn changes(&self) -> Result<u64, StoreError> {
        on_fire()
    }
    async fn check(&self) -> Result<(), StoreError> {
        on_fire()
    }
    async fn flush(&self) -> Result<(), StoreError> {
        on_fire()
    }
}

#[tokio::test]
async fn a_failing_store_degrades_the_chat_and_fails_readiness() {
    let app = TestApp::with_store(Arc::new(BrokenStore), |_| {}).await;
    let v = app.chat(json!({"session": "0123456789abcdef0123456789abcdef", "message": RENEW, "channel": "web"})).await;
    assert_eq!(
        v["intent"], "sejour.renouvellement",
        "people still get answers"
    );
    let fallback = app
        .chat(json!({"message": "recette de la blanquette de veau", "channel": "web"}))
        .await;
    assert_eq!(fallback["outcome"], "fallback");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.error_code(), "not_ready");
    assert!(ready.text().contains("disk on fire"));
    // Liveness reads the latest check of the store (every --sync-interval).
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    app.state.sync().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.error_code(), "not_ready");
    assert!(
        health.text().contains("the broken store does not answer"),
        "{}",
        health.text()
    );
    let metrics = app.metrics().await.text();
    assert!(
        metrics.contains("accueil_store_errors_total 7"),
        "get + review ticket + counters + put, then record + counters + put: {metrics}"
    );
}
