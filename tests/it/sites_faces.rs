//! What a site's file changes in the faces (issue 17): the start order of
//! its domains and its main topics, the answers of a domain it does not
//! handle (they say where to go, with that service's contact), the
//! honest fallback (no promise of a reply, the masked question for a
//! configured handoff), and every intent's title for the console.

use std::sync::Arc;

use crate::support::*;
use accueil::store::{SledStore, Store};
use accueil::Engine;
use serde_json::{json, Value};

const DDTM_SITE: &str = r#"
nom = "DDTM de l'Exemple"
kind = "ddtm"
domains = ["ddtm"]
topics = ["ddtm.permis_bateau", "ddtm.contact_ddtm"]

[ddtm]
nom = "la DDTM de l'Exemple"
telephone = "01 99 99 99 99"

[prefecture]
nom = "la préfecture de l'Exemple"
site = "https://www.exemple.gouv.fr"

[handoff]
email = "ddtm@exemple.gouv.fr"
label = "le secrétariat de la DDTM"

[sources]
"ddtm.nom" = "https://www.exemple.gouv.fr/"
"ddtm.telephone" = "https://www.exemple.gouv.fr/"
"prefecture.nom" = "https://www.exemple.gouv.fr/"
"prefecture.site" = "https://www.exemple.gouv.fr/"
"#;

/// The fixture content plus a DDTM site, `ddtm-exemple`.
async fn app_with_ddtm() -> TestApp {
    let content = content_copy();
    std::fs::write(
        content.path().join("faq/sites/ddtm-exemple.toml"),
        DDTM_SITE,
    )
    .expect("write the site");
    let engine = Engine::load(content.path()).expect("content with the DDTM site loads");
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let state = accueil::http::AppState::new(engine, store, settings(content.path())).await;
    TestApp {
        router: accueil::http::app(state.clone()),
        state,
        content,
    }
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x[key].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_ddtm_site_starts_with_its_domain_and_its_topics() {
    let app = app_with_ddtm().await;
    let national = app.get("/api/v1/topics").await.json();
    assert_eq!(ids(&national["domains"], "id"), ["sejour", "ddtm"]);
    assert_eq!(
        ids(&national["main"], "id"),
        [
            "sejour.renouvellement",
            "sejour.rendez_vous",
            "ddtm.contact_ddtm"
        ],
        "the national main topics (those the content has)"
    );
    assert!(national.get("site").is_none());
    let ddtm = app.get("/api/v1/topics?site=ddtm-exemple").await.json();
    assert_eq!(
        ddtm["site"],
        json!({"id": "ddtm-exemple", "name": "DDTM de l'Exemple"})
    );
    assert_eq!(
        ids(&ddtm["domains"], "id"),
        ["ddtm", "sejour"],
        "its domain first"
    );
    assert_eq!(ddtm["domains"][0]["here"], true);
    assert_eq!(ddtm["domains"][1]["here"], false, "not handled here");
    assert_eq!(
        ids(&ddtm["main"], "id"),
        ["ddtm.permis_bateau", "ddtm.contact_ddtm"]
    );
    let unknown = app.get("/api/v1/topics?site=nulle-part").await;
    assert_eq!(unknown.error_code(), "unknown_site");
}

#[tokio::test]
async fn topics_give_every_title_for_the_console() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/topics").await.json();
    assert_eq!(v["titles"]["conv.parler_agent"], "Parler à une personne");
    assert_eq!(
        v["titles"]["sejour.renouvellement"],
        "Renouveler son titre de séjour"
    );
}

#[tokio::test]
async fn topics_and_intent_pages_in_english_for_the_faces_switch() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/topics?lang=en").await.json();
    let sejour = v["domains"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == "sejour"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(sejour["label"], "Residence permits", "{v}");
    let titles: Vec<&str> = sejour["intents"]
        .as_array()
        .map(|l| l.iter().filter_map(|i| i["title"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        titles.contains(&"Renewing a residence permit"),
        "{titles:?}"
    );
    // Not yet written in English: the French title.
    assert!(
        titles.iter().any(|t| t.contains("rendez-vous")),
        "{titles:?}"
    );
    // The whole reply the kiosk walks, in English, with its sheet.
    let page = app
        .get("/api/v1/intents/sejour.renouvellement?lang=en")
        .await
        .json();
    assert_eq!(page["title"], "Renewing a residence permit", "{page}");
    assert_eq!(page["reply"]["lang"], "en");
    assert_eq!(
        page["reply"]["steps"][0]["text"],
        "Log in to your ANEF account."
    );
    assert_eq!(page["reply"]["sheet"]["title"], "The procedure at a glance");
    let french = app
        .get("/api/v1/intents/sejour.renouvellement")
        .await
        .json();
    assert_eq!(french["reply"]["lang"], "fr");
    assert_eq!(french["reply"]["sheet"]["title"], "La démarche en bref");
    for path in [
        "/api/v1/topics?lang=de",
        "/api/v1/intents/sejour.renouvellement?lang=xx",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, axum::http::StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.error_code(), "unknown_lang", "{path}");
    }
}

#[tokio::test]
async fn a_residence_permit_asked_at_a_ddtm_says_to_go_to_the_prefecture() {
    let app = app_with_ddtm().await;
    let r = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "web", "site": "ddtm-exemple"}))
        .await;
    assert_eq!(r["outcome"], "answer");
    let text = r["reply"]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(
            "Attention : cette démarche ne se fait pas à la DDTM de l'Exemple. Elle se fait à la préfecture de l'Exemple."
        ),
        "{text}"
    );
    let contact = &r["reply"]["contact"];
    assert_eq!(contact["name"], "La préfecture de l'Exemple");
    assert_eq!(contact["website"], "https://www.exemple.gouv.fr");
    assert_eq!(contact["elsewhere"], true);
    assert!(
        contact.get("phone").is_none(),
        "never the DDTM's phone: {contact}"
    );
    // Its own procedures keep its own contact.
    let own = app
        .chat(json!({"choice": "ddtm.permis_bateau", "channel": "web", "site": "ddtm-exemple"}))
        .await;
    assert_eq!(own["reply"]["contact"]["phone"], "01 99 99 99 99");
    assert!(!own["reply"]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("Attention"));
}

#[tokio::test]
async fn the_fallback_promises_no_reply_and_offers_the_sites_routes() {
    let app = app_with_ddtm().await;
    let r = app
        .chat(json!({"message": "recette de la blanquette, appelez-moi au 06 12 34 56 78", "channel": "web", "site": "ddtm-exemple"}))
        .await;
    assert_eq!(r["outcome"], "fallback");
    let text = r["reply"]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Votre question est notée pour améliorer ce service."),
        "{text}"
    );
    assert!(!text.contains("transmets"), "{text}");
    assert!(
        !text.contains("01 99"),
        "the phone is in the contact block only: {text}"
    );
    assert_eq!(r["reply"]["contact"]["phone"], "01 99 99 99 99");
    assert_eq!(
        r["reply"]["contact"]["handoff"],
        json!({"email": "ddtm@exemple.gouv.fr", "label": "le secrétariat de la DDTM"})
    );
    let question = r["reply"]["question"].as_str().unwrap_or_default();
    assert!(question.contains("blanquette"), "{question}");
    assert!(!question.contains("06 12"), "masked: {question}");
    assert_eq!(
        ids(&r["reply"]["quick_replies"], "payload")[..2],
        ["ddtm.permis_bateau", "ddtm.contact_ddtm"],
        "the site's topics"
    );
    // An answer carries no question.
    let answered = app
        .chat(json!({"choice": "ddtm.permis_bateau", "channel": "web", "site": "ddtm-exemple"}))
        .await;
    assert!(answered["reply"].get("question").is_none());
}

#[test]
fn check_refuses_unknown_domains_topics_and_bad_handoffs() {
    let content = content_copy();
    std::fs::write(
        content.path().join("faq/sites/ddtm-exemple.toml"),
        DDTM_SITE
            .replace(r#"domains = ["ddtm"]"#, r#"domains = ["ddtm", "mairie"]"#)
            .replace("ddtm.permis_bateau\"", "ddtm.nulle_part\"")
            .replace("ddtm@exemple.gouv.fr", "pas une adresse"),
    )
    .expect("write the site");
    let err = Engine::load(content.path()).expect_err("refused");
    let all = format!("{err:?}");
    for needle in [
        "unknown domain `mairie`",
        "unknown intent `ddtm.nulle_part`",
        "is not an e-mail address",
    ] {
        assert!(all.contains(needle), "{needle}: {all}");
    }
}
