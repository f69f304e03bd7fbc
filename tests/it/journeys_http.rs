//! Guided journeys through the chat API, on the shipped content.
//!
//! Properties checked: every leaf of every shipped journey is reached from
//! the kiosk's topics in at most 5 taps (entering included), on the kiosk
//! and on the web, each question showing its choices with pictograms; the
//! leaf shows its intent's answer with « Retour »; « Retour » (button and
//! typed word) goes one step back, and leaves from the first question;
//! typing free text leaves the journey; a typed choice label chooses it;
//! a button from an old page works without its session; answers offer
//! their journeys; a fallback about a domain offers its journeys; unknown
//! payloads are `unknown_choice`; sessions keep node ids, never labels.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::support::{payloads, settings, temp_dir, TestApp};
use accueil::http::{app, AppState};
use accueil::journey::{Journey, Target, MAX_TAPS};
use accueil::store::{now_millis, SessionLookup, SledStore, Store};
use accueil::{Engine, Outcome};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// The app over the repository's own content (not the fixture).
async fn shipped() -> TestApp {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let engine = Engine::load(root).expect("the shipped content loads");
    let state = AppState::new(engine, store, settings(root)).await;
    TestApp {
        router: app(state.clone()),
        state,
        // Nothing to clean: the content is the repository's.
        content: temp_dir("unused"),
    }
}

fn journeys(app: &TestApp) -> BTreeMap<String, Journey> {
    app.state.engine().content.journeys.clone()
}

/// Every path from the start to a leaf: the choice labels, and the leaf.
fn leaf_paths(j: &Journey) -> Vec<(Vec<String>, String)> {
    fn walk(
        j: &Journey,
        node: &str,
        labels: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, String)>,
    ) {
        let Some(n) = j.node(node) else { return };
        for c in &n.choices {
            labels.push(c.label.clone());
            match &c.target {
                Target::Intent(i) => out.push((labels.clone(), i.clone())),
                Target::Node(next) => walk(j, next, labels, out),
            }
            labels.pop();
        }
    }
    let mut out = Vec::new();
    walk(j, &j.start, &mut Vec::new(), &mut out);
    out
}

/// A person tapping buttons: each tap sends a quick reply's payload.
struct Person<'a> {
    app: &'a TestApp,
    channel: &'static str,
    session: Option<String>,
    taps: usize,
}

impl<'a> Person<'a> {
    fn new(app: &'a TestApp, channel: &'static str) -> Person<'a> {
        Person {
            app,
            channel,
            session: None,
            taps: 0,
        }
    }

    async fn send(&mut self, mut body: Value) -> Value {
        body["channel"] = json!(self.channel);
        if let Some(s) = &self.session {
            body["session"] = json!(s);
        }
        let out = self.app.chat(body).await;
        self.session = out["session"].as_str().map(str::to_owned);
        out
    }

    async fn tap(&mut self, payload: &str) -> Value {
        self.taps += 1;
        self.send(json!({"choice": payload})).await
    }

    async fn type_text(&mut self, text: &str) -> Value {
        self.send(json!({"message": text})).await
    }

    /// Tap the quick reply labelled `label` in `reply`.
    async fn tap_label(&mut self, reply: &Value, label: &str) -> Value {
        let payload = button(reply, label)
            .unwrap_or_else(|| panic!("no button `{label}` in {}", reply["reply"]));
        self.tap(&payload).await
    }
}

fn button(reply: &Value, label: &str) -> Option<String> {
    reply["reply"]["quick_replies"]
        .as_array()?
        .iter()
        .find(|q| q["label"] == label)
        .and_then(|q| q["payload"].as_str())
        .map(str::to_owned)
}

/// The entry of a journey as the kiosk finds it: in `/api/v1/topics`.
async fn topic_entry(app: &TestApp, journey: &str) -> String {
    let topics = app.get("/api/v1/topics").await.json();
    topics["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .flat_map(|d| d["journeys"].as_array().cloned().unwrap_or_default())
        .find(|j| j["id"] == journey)
        .and_then(|j| j["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("{journey} is not in /api/v1/topics"))
}

#[tokio::test]
async fn every_leaf_of_every_shipped_journey_in_at_most_five_taps() {
    let app = shipped().await;
    let all = journeys(&app);
    assert!(all.len() >= 4, "the shipped journeys: {:?}", all.keys());
    for name in [
        "parcours.premiere_demande",
        "parcours.titre_expire",
        "parcours.travaux",
        "parcours.demarche_en_ligne",
    ] {
        assert!(all.contains_key(name), "{name} is shipped");
    }
    let mut walked = 0;
    for (id, j) in &all {
        let entry = topic_entry(&app, id).await;
        for channel in ["kiosk", "web"] {
            for (labels, leaf) in leaf_paths(j) {
                let mut p = Person::new(&app, channel);
                let mut out = p.tap(&entry).await;
                for label in &labels {
                    assert_eq!(out["outcome"], "clarify", "{id} {labels:?}: a question");
                    assert_eq!(out["journey"]["id"], id.as_str());
                    assert_eq!(out["intent"], Value::Null);
                    let buttons = out["reply"]["quick_replies"].as_array().expect("buttons");
                    assert!(
                        buttons
                            .iter()
                            .filter(|b| b["label"] != "Retour")
                            .all(|b| b["picto"]["src"]
                                .as_str()
                                .is_some_and(|s| s.ends_with(".svg"))),
                        "{id}: every choice has its pictogram: {buttons:?}"
                    );
                    out = p.tap_label(&out, label).await;
                }
                assert_eq!(out["outcome"], "answer", "{id} {labels:?}");
                assert_eq!(out["intent"], leaf.as_str(), "{id} {labels:?}");
                assert!(
                    p.taps <= MAX_TAPS,
                    "{id} → {leaf}: {} taps (at most {MAX_TAPS})",
                    p.taps
                );
                assert!(out["reply"]["title"].is_string(), "the answer itself");
                assert!(out["reply"]["text"].as_str().is_some_and(|t| !t.is_empty()));
                assert!(
                    button(&out, "Retour").is_some(),
                    "{id} → {leaf}: Retour on the answer"
                );
                assert_eq!(out["journey"]["id"], id.as_str());
                assert_eq!(out["journey"].get("node"), None, "the journey ended");
                walked += 1;
            }
        }
    }
    assert!(walked >= 2 * 40, "{walked} walks");
}

#[tokio::test]
async fn retour_goes_one_step_back_by_button_and_by_word() {
    let app = shipped().await;
    let mut p = Person::new(&app, "kiosk");
    let first = p.tap("parcours.titre_expire").await;
    assert_eq!(first["journey"]["node"], "demande");
    assert_eq!(first["journey"]["question"], 1);
    assert_eq!(
        button(&first, "Retour"),
        None,
        "nothing before the first question"
    );
    let when = p.tap_label(&first, "Non, pas encore").await;
    assert_eq!(when["journey"]["node"], "quand");
    assert_eq!(when["journey"]["question"], 2);
    assert_eq!(
        when["reply"]["text"],
        "Quand se termine votre titre de séjour ?"
    );
    let back = p.tap_label(&when, "Retour").await;
    assert_eq!(back["journey"]["node"], "demande");
    // Down to an answer, then back to its question by the typed word.
    let when = p.tap_label(&back, "Non, pas encore").await;
    let answer = p.tap_label(&when, "Dans 2 à 4 mois").await;
    assert_eq!(answer["intent"], "sejour.renouvellement");
    assert_eq!(
        button(&answer, "Retour").as_deref(),
        Some("parcours.titre_expire#quand")
    );
    let again = p.type_text("retour").await;
    assert_eq!(again["journey"]["node"], "quand", "{again}");
    let again = p.type_text("Revenir en arrière").await;
    assert_eq!(again["journey"]["node"], "demande");
    // « retour » on the first question leaves the journey.
    let left = p.type_text("retour").await;
    assert_eq!(left["intent"], "conv.recommencer");
    assert_eq!(left.get("journey"), None);
    let plain = p.type_text("retour").await;
    assert_eq!(plain["intent"], "conv.recommencer", "no journey any more");
}

#[tokio::test]
async fn typing_free_text_leaves_the_journey_and_a_label_chooses() {
    let app = shipped().await;
    let mut p = Person::new(&app, "web");
    let first = p.tap("parcours.premiere_demande").await;
    let motif = p.type_text("aucune de ces phrases").await;
    assert_eq!(
        motif["journey"]["node"], "motif",
        "a typed label chooses: {motif}"
    );
    let out = p
        .type_text("Comment renouveler mon titre de séjour ?")
        .await;
    assert_eq!(out["intent"], "sejour.renouvellement");
    assert_eq!(out.get("journey"), None, "left the journey");
    let after = p.type_text("retour").await;
    assert_eq!(
        after["intent"], "conv.recommencer",
        "retour is no longer a step back"
    );
    // The first question's buttons still work: they carry their node.
    let again = p
        .tap(&button(&first, "Je veux demander l'asile").expect("button"))
        .await;
    assert_eq!(again["intent"], "sejour.asile");
}

#[tokio::test]
async fn a_button_from_an_old_page_rebuilds_its_path() {
    let app = shipped().await;
    let mut p = Person::new(&app, "web");
    // No session at all: the button says where it is.
    let out = p.tap("parcours.travaux#zone#2").await;
    assert!(out["new_session"].as_bool().unwrap_or(false));
    assert_eq!(out["intent"], "ddtm.permis_construire");
    let q = p.type_text("retour").await;
    assert_eq!(q["journey"]["node"], "zone");
    assert_eq!(q["journey"]["question"], 3, "projet → surface → zone");
    let q = p.tap_label(&q, "Retour").await;
    assert_eq!(q["journey"]["node"], "surface");
    let q = p.tap_label(&q, "Retour").await;
    assert_eq!(q["journey"]["node"], "projet");
}

#[tokio::test]
async fn answers_offer_their_journeys_first() {
    let app = shipped().await;
    let all = journeys(&app);
    for (id, j) in &all {
        assert!(!j.offered_by.is_empty(), "{id} is offered by some answer");
        for intent in &j.offered_by {
            let out = app.chat(json!({"choice": intent, "channel": "web"})).await;
            let offered = out["reply"]["quick_replies"]
                .as_array()
                .expect("buttons")
                .iter()
                .find(|q| q["payload"] == id.as_str())
                .cloned()
                .unwrap_or_else(|| panic!("{intent} does not offer {id}: {}", out["reply"]));
            assert_eq!(offered["label"], j.title.as_str());
            assert!(offered["picto"]["alt"].is_string(), "{offered}");
        }
    }
    let first = app
        .chat(json!({"choice": "sejour.premiere_demande", "channel": "web"}))
        .await;
    assert_eq!(payloads(&first)[0], "parcours.premiere_demande");
    // The leaf of a journey does not offer that same journey again.
    let mut p = Person::new(&app, "web");
    let q = p.tap("parcours.titre_expire").await;
    let leaf = p.tap_label(&q, "Oui, et j'ai une attestation").await;
    assert_eq!(leaf["intent"], "sejour.recepisse");
    assert!(!payloads(&leaf).contains(&"parcours.titre_expire".to_owned()));
}

#[tokio::test]
async fn a_fallback_about_a_domain_offers_its_journeys() {
    let app = shipped().await;
    let engine = app.state.engine();
    let question = "je veux faire construire un truc dans mon jardin";
    assert_eq!(
        engine.decide(question).outcome,
        Outcome::Fallback,
        "this test needs a question the matcher does not answer: pick another"
    );
    let out = app
        .chat(json!({"message": question, "channel": "kiosk"}))
        .await;
    assert_eq!(out["outcome"], "fallback");
    assert_eq!(payloads(&out)[0], "parcours.travaux", "{}", out["reply"]);
    assert!(out["reply"]["text"]
        .as_str()
        .is_some_and(|t| t.ends_with(accueil::journey_walk::say::FALLBACK_OFFER)));
    let mut p = Person::new(&app, "kiosk");
    p.session = out["session"].as_str().map(str::to_owned);
    let first = p.tap("parcours.travaux").await;
    assert_eq!(first["journey"]["node"], "projet");
    // Nothing about any domain: the usual topics, no journey.
    let none = app
        .chat(json!({"message": "recette de la blanquette de veau", "channel": "web"}))
        .await;
    assert_eq!(none["outcome"], "fallback");
    assert!(payloads(&none).iter().all(|p| !p.starts_with("parcours.")));
}

#[tokio::test]
async fn unknown_journey_payloads_are_unknown_choices() {
    let app = shipped().await;
    for bad in [
        "parcours.inconnu",
        "parcours.titre_expire#nulle_part",
        "parcours.titre_expire#quand#0",
        "parcours.titre_expire#quand#9",
        "parcours.titre_expire#quand#x",
        "parcours.titre_expire#quand#1#1",
        "parcours.",
    ] {
        let r = app
            .post_json("/api/v1/chat", &json!({"choice": bad, "channel": "kiosk"}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.error_code(), "unknown_choice", "{bad}");
    }
}

#[tokio::test]
async fn topics_list_the_journeys_under_their_domain() {
    let app = shipped().await;
    let topics = app.get("/api/v1/topics").await.json();
    let all = journeys(&app);
    for d in topics["domains"].as_array().expect("domains") {
        for j in d["journeys"].as_array().expect("journeys in every domain") {
            let id = j["id"].as_str().expect("id");
            let journey = &all[id];
            assert_eq!(d["id"], journey.domain.as_str());
            assert_eq!(j["title"], journey.title.as_str());
            assert_eq!(j["pictos"].as_array().map(Vec::len), Some(1), "{j}");
        }
    }
    let listed: usize = topics["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| d["journeys"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(listed, all.len());
}

#[tokio::test]
async fn sessions_keep_node_ids_not_labels() {
    let app = shipped().await;
    let mut p = Person::new(&app, "kiosk");
    let q = p.tap("parcours.premiere_demande").await;
    let q = p.tap_label(&q, "Aucune de ces phrases").await;
    p.tap_label(&q, "Pour travailler").await;
    let id = p.session.clone().expect("session");
    let SessionLookup::Found(bytes) = app
        .state
        .store()
        .sessions()
        .get(&id, now_millis())
        .await
        .expect("store")
    else {
        panic!("the session is kept")
    };
    let stored = String::from_utf8(bytes).expect("utf-8");
    assert!(
        stored.contains("parcours.premiere_demande") && stored.contains("\"travail\""),
        "{stored}"
    );
    assert!(
        !stored.contains("Pour travailler") && !stored.contains("Aucune"),
        "{stored}"
    );
}
