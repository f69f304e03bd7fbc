//! The agents' review over HTTP (`app()` + `oneshot`), on the fixture
//! content of `tests/fixtures/content`.
//!
//! Properties checked: a fallback question appears masked in the inbox,
//! counted once per distinct question; no public endpoint shows anything
//! recorded; every review endpoint needs a token (401) and the exports and
//! purge an admin one (403); `attach` makes the same question answered by
//! the attached intent on the very next request, after a reload and after
//! a restart on the same store; `dismiss` hides a question from the new
//! ones while its count grows; `to_write` keeps its own list; clusters
//! group obvious paraphrases and name the intents they come closest to;
//! the TOML export, applied to the content files, loads as valid content
//! that answers the questions by itself; the CSV export is quoted and
//! defused; the retention purge removes old questions; feedback is counted
//! per intent and day, limited per session, and sends an answer marked
//! not useful to the inbox; statistics follow the turns; every refusal has
//! its code.

use std::sync::Arc;

use crate::support::*;
use accueil::clock::ManualClock;
use accueil::conversation::Channel;
use accueil::review::entry::{Kind, Occurrence};
use accueil::review::record::record;
use accueil::store::{now_millis, SledStore, Store};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

const RENEW: &str = "sejour.renouvellement";
/// A fallback on the fixture content, close to the renewal.
const EXPIRING: &str = "mon papier pour rester en france se termine bientot";
const BLANQUETTE: &str = "recette de la blanquette de veau";

fn with_token(
    req: axum::http::request::Builder,
    secret: Option<&str>,
) -> axum::http::request::Builder {
    match secret {
        Some(s) => req.header("authorization", format!("Bearer {s}")),
        None => req,
    }
}

async fn get_as(app: &TestApp, uri: &str, secret: Option<&str>) -> Resp {
    let req = with_token(Request::get(uri), secret)
        .body(Body::empty())
        .expect("request");
    app.request(req).await
}

async fn post_as(app: &TestApp, uri: &str, secret: Option<&str>, body: &Value) -> Resp {
    let req = with_token(Request::post(uri), secret)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    app.request(req).await
}

/// The inbox as the agent sees it (`query` after `?`).
async fn inbox(app: &TestApp, query: &str) -> Value {
    let r = get_as(
        app,
        &format!("/api/v1/review/questions?{query}"),
        Some(AGENT_SECRET),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// The id of the one item whose text is `text`.
async fn id_of(app: &TestApp, text: &str) -> String {
    let all = inbox(app, "status=all&limit=500").await;
    items(&all)
        .into_iter()
        .find(|i| i["text"] == text)
        .and_then(|i| i["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no `{text}` in {all}"))
}

async fn act(app: &TestApp, id: &str, body: Value) -> Resp {
    post_as(
        app,
        &format!("/api/v1/review/questions/{id}"),
        Some(AGENT_SECRET),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_fallback_question_appears_masked_in_the_inbox() {
    let app = TestApp::new().await;
    let raw = "bonjour je suis Mme Awa Traoré, tel 06 12 34 56 78, ma demande de carte de pêche est bloquée";
    let v = app
        .chat(json!({"message": raw, "channel": "kiosk", "site": "prefecture-exemple"}))
        .await;
    assert_eq!(v["outcome"], "fallback", "{v}");
    app.chat(json!({"message": raw, "channel": "web"})).await;
    let list = inbox(&app, "").await;
    let all = items(&list);
    assert_eq!(all.len(), 1, "{list}");
    let item = &all[0];
    let text = item["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("[téléphone]") && text.contains("[nom]"),
        "{text}"
    );
    assert!(text.contains("carte de pêche"), "{text}");
    for secret in ["06 12 34 56 78", "Awa", "Traoré"] {
        assert!(!list.to_string().contains(secret), "`{secret}` in {list}");
    }
    assert_eq!(item["count"], 2);
    assert_eq!(item["status"], "new");
    assert_eq!(item["sites"], json!(["prefecture-exemple"]));
    let mut channels: Vec<String> = item["channels"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    channels.sort();
    assert_eq!(channels, ["kiosk", "web"]);
    assert_eq!(item["outcomes"], json!({"fallback": 2}));
    assert!(item["first_seen"]
        .as_str()
        .unwrap_or_default()
        .ends_with('Z'));
    assert!(item["candidates"].is_array());
    assert_eq!(item["id"].as_str().map(str::len), Some(32));
    assert_eq!(list["total"], 1);
    assert_eq!(list["next_cursor"], Value::Null);
    // One question in full.
    let one = get_as(
        &app,
        &format!(
            "/api/v1/review/questions/{}",
            item["id"].as_str().unwrap_or_default()
        ),
        Some(AGENT_SECRET),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    assert_eq!(one.json()["text"], item["text"]);
    assert_eq!(one.json()["actions"], json!([]));
    // Nothing recorded shows on a public endpoint.
    for uri in ["/api/v1/topics", "/readyz", "/metrics", "/healthz"] {
        let r = app.get(uri).await;
        assert!(
            !r.text().contains("pêche est bloquée"),
            "{uri} shows a recorded question"
        );
    }
}

#[tokio::test]
async fn tokens_are_required_and_roles_checked() {
    let app = TestApp::new().await;
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    let id = id_of(&app, BLANQUETTE).await;
    let agent_gets = [
        "/api/v1/review/questions".to_owned(),
        format!("/api/v1/review/questions/{id}"),
        "/api/v1/review/clusters".to_owned(),
        "/api/v1/review/stats".to_owned(),
    ];
    for uri in &agent_gets {
        for secret in [None, Some("not-a-token-at-all-0000")] {
            let r = get_as(&app, uri, secret).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
            assert_eq!(r.error_code(), "unauthorized");
            assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
        }
        for secret in [AGENT_SECRET, ADMIN_SECRET] {
            assert_eq!(
                get_as(&app, uri, Some(secret)).await.status,
                StatusCode::OK,
                "{uri}"
            );
        }
    }
    let r = act(&app, &id, json!({"action": "dismiss"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post_as(
        &app,
        &format!("/api/v1/review/questions/{id}"),
        None,
        &json!({"action": "dismiss"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Exports and purge: admins only.
    for (uri, post) in [
        ("/api/v1/review/export?format=csv", false),
        ("/api/v1/review/export?format=toml", false),
        ("/api/v1/review/purge", true),
    ] {
        let app = &app;
        let call = |secret| async move {
            if post {
                post_as(app, uri, secret, &json!({})).await
            } else {
                get_as(app, uri, secret).await
            }
        };
        assert_eq!(call(None).await.status, StatusCode::UNAUTHORIZED, "{uri}");
        let r = call(Some(AGENT_SECRET)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(r.error_code(), "forbidden");
        assert_eq!(
            call(Some(ADMIN_SECRET)).await.status,
            StatusCode::OK,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn attach_answers_the_question_at_once_after_a_reload_and_after_a_restart() {
    let data = temp_dir("review-attach");
    let open = || -> Arc<dyn Store> { Arc::new(SledStore::open(data.path()).expect("store")) };
    let app = TestApp::with_store(open(), |_| {}).await;
    let before = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(before["outcome"], "fallback");
    let id = id_of(&app, EXPIRING).await;
    let r = act(&app, &id, json!({"action": "attach", "intent": RENEW})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let acted = r.json();
    assert_eq!(acted["status"], "attached");
    assert_eq!(acted["intent"], RENEW);
    assert_eq!(acted["action"]["by"], "alice");
    assert_eq!(acted["action"]["action"], "attach");
    assert!(acted["action"]["at"]
        .as_str()
        .unwrap_or_default()
        .ends_with('Z'));
    // The very next request.
    let after = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(after["outcome"], "answer", "{after}");
    assert_eq!(after["intent"], RENEW);
    assert_eq!(after["confidence"], 1.0);
    // Written and typed differently, still the paraphrase.
    let shouted = app
        .chat(json!({"message": "Mon papier pour rester en France se termine bientôt !", "channel": "kiosk"}))
        .await;
    assert_eq!(shouted["intent"], RENEW, "{shouted}");
    // The entry left the new ones, and counted nothing more.
    assert!(items(&inbox(&app, "").await).is_empty());
    let attached = inbox(&app, "status=attached").await;
    assert_eq!(items(&attached)[0]["count"], 1);
    // A reload re-reads the files and lays the paraphrases again.
    let r = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let reloaded = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(reloaded["intent"], RENEW, "after a reload: {reloaded}");
    // A restart on the same store.
    drop(app);
    let app = TestApp::with_store(open(), |_| {}).await;
    let restarted = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(restarted["intent"], RENEW, "after a restart: {restarted}");
    // Attached elsewhere, then dismissed: the paraphrase moves, then goes.
    let r = act(
        &app,
        &id,
        json!({"action": "attach", "intent": "sejour.rendez_vous"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let moved = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(moved["intent"], "sejour.rendez_vous");
    let r = act(&app, &id, json!({"action": "dismiss"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let gone = app
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(gone["outcome"], "fallback", "{gone}");
    let history: Vec<Value> = r.json()["actions"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = history
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert_eq!(names, ["attach", "attach", "dismiss"]);
}

#[tokio::test]
async fn dismiss_hides_a_question_and_to_write_keeps_its_own_list() {
    let app = TestApp::new().await;
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    app.chat(json!({"message": "horaires de la piscine", "channel": "web"}))
        .await;
    let blanquette = id_of(&app, BLANQUETTE).await;
    let piscine = id_of(&app, "horaires de la piscine").await;
    assert_eq!(items(&inbox(&app, "").await).len(), 2);
    let r = act(&app, &blanquette, json!({"action": "dismiss"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "dismissed");
    let r = act(&app, &piscine, json!({"action": "to_write"})).await;
    assert_eq!(r.json()["status"], "to_write");
    assert!(items(&inbox(&app, "").await).is_empty(), "no new ones left");
    // Asked again: counted, not new again.
    app.chat(json!({"message": "Recette de la blanquette de veau ?", "channel": "kiosk"}))
        .await;
    assert!(items(&inbox(&app, "status=new").await).is_empty());
    let dismissed = items(&inbox(&app, "status=dismissed").await);
    assert_eq!(dismissed.len(), 1);
    assert_eq!(dismissed[0]["count"], 2);
    assert_eq!(dismissed[0]["since_action"], 1);
    let to_write = items(&inbox(&app, "status=to_write").await);
    assert_eq!(to_write.len(), 1);
    assert_eq!(to_write[0]["text"], "horaires de la piscine");
    assert_eq!(items(&inbox(&app, "status=all").await).len(), 2);
}

#[tokio::test]
async fn listing_sorts_filters_and_pages() {
    let clock = Arc::new(ManualClock::starting_now());
    let app = TestApp::with(|s| s.clock = clock.clone()).await;
    for (q, n) in [
        ("horaires de la piscine", 3),
        (BLANQUETTE, 1),
        ("le bateau de mon oncle a coulé", 2),
    ] {
        for _ in 0..n {
            app.chat(json!({"message": q, "channel": "web", "site": "prefecture-exemple"}))
                .await;
        }
    }
    // "Recent" is by last-seen time in milliseconds: the last question
    // must not share its millisecond with the ones before (regression:
    // this test failed when it did, and a sleep was the first fix).
    clock.advance(std::time::Duration::from_millis(5));
    app.chat(json!({"message": "ma carte verte arrive a sa fin", "channel": "web"}))
        .await;
    let by_count = items(&inbox(&app, "sort=count").await);
    let counts: Vec<u64> = by_count
        .iter()
        .filter_map(|i| i["count"].as_u64())
        .collect();
    assert_eq!(counts, [3, 2, 1, 1]);
    let recent = items(&inbox(&app, "sort=recent").await);
    assert_eq!(recent[0]["text"], "ma carte verte arrive a sa fin");
    let site = inbox(&app, "site=prefecture-exemple").await;
    assert_eq!(site["total"], 3);
    let future = inbox(&app, "since=2999-01-01").await;
    assert_eq!(future["total"], 0);
    let past = inbox(&app, "since=2020-01-01T00:00:00Z").await;
    assert_eq!(past["total"], 4);
    // Two by two.
    let first = inbox(&app, "limit=2").await;
    assert_eq!(items(&first).len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    let second = inbox(&app, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(items(&second).len(), 2);
    assert_eq!(second["next_cursor"], Value::Null);
    let mut seen: Vec<Value> = items(&first);
    seen.extend(items(&second));
    assert_eq!(seen, by_count);
}

#[tokio::test]
async fn clusters_group_obvious_paraphrases() {
    let app = TestApp::new().await;
    for q in [
        "horaires de la piscine",
        "piscine horaires",
        "les horaires de la piscine ?",
        "horaires de la piscine",
        BLANQUETTE,
    ] {
        app.chat(json!({"message": q, "channel": "web"})).await;
    }
    let r = get_as(&app, "/api/v1/review/clusters", Some(AGENT_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let clusters = v["clusters"].as_array().cloned().unwrap_or_default();
    assert_eq!(clusters.len(), 2, "{v}");
    assert_eq!(clusters[0]["size"], 4);
    assert_eq!(clusters[0]["questions"], 3);
    assert_eq!(clusters[0]["examples"][0], "horaires de la piscine");
    assert_eq!(
        clusters[0]["intents"][0]["intent"], "sejour.rendez_vous",
        "{v}"
    );
    assert_eq!(clusters[1]["size"], 1);
    assert_eq!(v["questions"], 4);
    // Dismissed questions leave the clusters of new ones.
    let id = id_of(&app, BLANQUETTE).await;
    act(&app, &id, json!({"action": "dismiss"})).await;
    let v = get_as(&app, "/api/v1/review/clusters?days=7", Some(AGENT_SECRET))
        .await
        .json();
    assert_eq!(v["clusters"].as_array().map(Vec::len), Some(1), "{v}");
}

#[tokio::test]
async fn the_toml_export_round_trips_through_the_content_loader() {
    let app = TestApp::new().await;
    let taught = [
        (EXPIRING, RENEW),
        (
            "le bateau de mon oncle a coulé",
            "ddtm.permis_bateau_duplicata",
        ),
        ("ma carte verte arrive a sa fin", RENEW),
    ];
    for (q, intent) in taught {
        app.chat(json!({"message": q, "channel": "web"})).await;
        let id = id_of(&app, q).await;
        let r = act(&app, &id, json!({"action": "attach", "intent": intent})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = get_as(
        &app,
        "/api/v1/review/export?format=toml",
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/toml"));
    let export = r.text();
    assert!(export.contains("# alice "), "who attached: {export}");
    // An agent pastes each snippet's questions into the file it names.
    let root = app.content.path();
    let mut pasted = 0;
    for part in export.split("# ==> ").skip(1) {
        let (path, snippet) = part.split_once(" <==\n").expect("a file header");
        let snippet: toml::Table = toml::from_str(snippet)
            .unwrap_or_else(|e| panic!("snippet for {path} is not TOML: {e}\n{snippet}"));
        let file = root.join(path);
        let mut doc: toml::Table =
            toml::from_str(&std::fs::read_to_string(&file).expect("named file")).expect("toml");
        assert_eq!(doc["id"], snippet["id"]);
        let questions = doc["questions"].as_array_mut().expect("questions");
        for q in snippet["questions"].as_array().expect("questions") {
            questions.push(q.clone());
            pasted += 1;
        }
        std::fs::write(&file, toml::to_string(&doc).expect("toml")).expect("write");
    }
    assert_eq!(pasted, 3, "{export}");
    // The files load as valid content, answer by themselves...
    let content = accueil::Content::load(root).unwrap_or_else(|e| panic!("{e:?}"));
    let files_only = accueil::Engine::from_content(content);
    for (q, intent) in taught {
        assert_eq!(files_only.decide(q).intent.as_deref(), Some(intent), "{q}");
    }
    // ...and once reloaded, the export has nothing left to add.
    let r = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again = get_as(
        &app,
        "/api/v1/review/export?format=toml",
        Some(ADMIN_SECRET),
    )
    .await
    .text();
    assert!(!again.contains("# ==> "), "{again}");
    for (q, intent) in taught {
        let v = app.chat(json!({"message": q, "channel": "web"})).await;
        assert_eq!(v["intent"], intent);
    }
}

#[tokio::test]
async fn the_csv_export_is_quoted_and_defused() {
    let app = TestApp::new().await;
    let tricky = "=SOMME(A1) \"vite\", svp";
    app.chat(json!({"message": tricky, "channel": "web"})).await;
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    let r = get_as(&app, "/api/v1/review/export?format=csv", Some(ADMIN_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(r
        .header("content-disposition")
        .unwrap_or_default()
        .starts_with("attachment; filename=\"accueil-questions-"));
    let text = r.text();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("id,status,count,first_seen,last_seen,text,"));
    assert!(lines[1].contains(",2,"), "most asked first: {text}");
    assert!(
        lines[2].contains("\"'=SOMME(A1) \"\"vite\"\", svp\""),
        "quoted, quotes doubled, formula defused: {}",
        lines[2]
    );
    let dismissed = get_as(
        &app,
        "/api/v1/review/export?format=csv&status=dismissed",
        Some(ADMIN_SECRET),
    )
    .await
    .text();
    assert_eq!(dismissed.lines().count(), 1, "only the header");
}

#[tokio::test]
async fn the_retention_purge_removes_old_questions() {
    let app = TestApp::with(|s| s.retention_days = 30).await;
    let now = now_millis();
    let day = 86_400_000;
    let put = |text: &'static str, at: u64| Occurrence {
        text,
        normalized: text,
        kind: Kind::Fallback,
        channel: Channel::Web,
        site: None,
        at,
        guesses: &[],
        content_version: "old",
        reason: None,
    };
    record(app.state.store(), &put("question ancienne", now - 40 * day))
        .await
        .expect("record");
    record(app.state.store(), &put("question recente", now - 10 * day))
        .await
        .expect("record");
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    assert_eq!(inbox(&app, "").await["total"], 3);
    let r = post_as(&app, "/api/v1/review/purge", Some(ADMIN_SECRET), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["retention_days"], 30);
    assert_eq!(v["removed"], 1);
    let left = inbox(&app, "").await;
    assert_eq!(left["total"], 2, "{left}");
    assert!(!left.to_string().contains("ancienne"));
}

#[tokio::test]
async fn feedback_is_counted_limited_and_sends_unhelpful_answers_to_agents() {
    let app = TestApp::new().await;
    let answered = app
        .chat(json!({"message": "je dois refaire ma carte de séjour", "channel": "web"}))
        .await;
    assert_eq!(answered["intent"], RENEW);
    let session = answered["session"].as_str().unwrap_or_default().to_owned();
    let send = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/feedback", &body).await }
    };
    let r = send(json!({"session": session, "intent": RENEW, "useful": false, "reason": "trop compliqué, mon tel 0612345678"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"status": "recorded"}),
        "nothing recorded is shown"
    );
    let again = send(json!({"session": session, "intent": RENEW, "useful": true})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "feedback_already_given");
    // The question reached the inbox, masked reason and all.
    let list = inbox(&app, "").await;
    let item = &items(&list)[0];
    assert_eq!(item["text"], "je dois refaire ma carte de séjour");
    assert_eq!(item["outcomes"], json!({"not_useful": 1}));
    let id = item["id"].as_str().unwrap_or_default();
    let detail = get_as(
        &app,
        &format!("/api/v1/review/questions/{id}"),
        Some(AGENT_SECRET),
    )
    .await
    .json();
    assert_eq!(
        detail["reasons"],
        json!(["trop compliqué, mon tel [téléphone]"])
    );
    // Limited per session.
    let intents = [
        "sejour.rendez_vous",
        "ddtm.permis_bateau",
        "ddtm.permis_bateau_duplicata",
        "ddtm.contact_ddtm",
        "conv.bonjour",
        "conv.oui",
        "conv.non",
        "conv.parler_agent",
        "conv.recommencer",
        "conv.etape_suivante",
    ];
    let mut refused = None;
    for (k, intent) in intents.iter().enumerate() {
        let r = send(json!({"session": session, "intent": intent, "useful": k % 2 == 0})).await;
        if r.status != StatusCode::OK {
            refused = Some((k, r));
            break;
        }
    }
    let (k, r) = refused.expect("the limit is reached");
    assert_eq!(k, 9, "ten feedbacks per session and window");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_code(), "too_many_requests");
    let retry: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 0);
    // Counted per intent and day.
    let stats = get_as(&app, "/api/v1/review/stats?days=1", Some(AGENT_SECRET))
        .await
        .json();
    let today = &stats["days"][0];
    assert_eq!(today["feedback_useful"], 5, "{stats}");
    assert_eq!(today["feedback_not_useful"], 5);
    let renew = stats["top_intents"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["intent"] == RENEW))
        .cloned()
        .unwrap_or_default();
    assert_eq!(renew["answers"], 1, "{stats}");
    assert_eq!(renew["feedback_not_useful"], 1);
}

#[tokio::test]
async fn feedback_refusals() {
    let app = TestApp::new().await;
    let v = app
        .chat(json!({"message": "bonjour", "channel": "web"}))
        .await;
    let session = v["session"].as_str().unwrap_or_default();
    let table = [
        (
            json!({"session": "0123456789abcdef0123456789abcdef", "intent": RENEW, "useful": true}),
            404,
            "unknown_session",
        ),
        (
            json!({"session": "pas une session", "intent": RENEW, "useful": true}),
            404,
            "unknown_session",
        ),
        (
            json!({"session": session, "intent": "sejour.inconnu", "useful": true}),
            404,
            "unknown_intent",
        ),
        (
            json!({"session": session, "intent": RENEW, "useful": false, "reason": "x".repeat(501)}),
            400,
            "reason_too_long",
        ),
        (
            json!({"session": session, "intent": RENEW}),
            400,
            "invalid_body",
        ),
        (
            json!({"session": session, "intent": RENEW, "useful": "oui"}),
            400,
            "invalid_body",
        ),
        (
            json!({"session": session, "intent": RENEW, "useful": true, "note": 5}),
            400,
            "invalid_body",
        ),
    ];
    for (body, status, code) in table {
        let r = app.post_json("/api/v1/feedback", &body).await;
        assert_eq!(r.status.as_u16(), status, "{body} → {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
    }
    let ok = app
        .post_json(
            "/api/v1/feedback",
            &json!({"session": session, "intent": RENEW, "useful": false, "reason": "x".repeat(500)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test]
async fn statistics_follow_the_turns() {
    let app = TestApp::new().await;
    // An answer, a resolved clarify, an unresolved one, a fallback.
    app.chat(json!({"message": "Comment renouveler mon titre de séjour ?", "channel": "web"}))
        .await;
    let c = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    assert_eq!(c["outcome"], "clarify");
    app.chat(json!({"session": c["session"], "choice": "ddtm.permis_bateau", "channel": "web"}))
        .await;
    let c2 = app
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    app.chat(json!({"session": c2["session"], "message": BLANQUETTE, "channel": "web"}))
        .await;
    let r = get_as(&app, "/api/v1/review/stats", Some(AGENT_SECRET)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let days = v["days"].as_array().cloned().unwrap_or_default();
    assert_eq!(days.len(), 7, "a week by default, every day listed");
    let today = &days[6];
    assert_eq!(today["day"], v["to"]);
    assert_eq!(today["questions"], 4, "{today}");
    assert_eq!(today["answered"], 1);
    assert_eq!(today["clarified"], 2);
    assert_eq!(today["fallback"], 1);
    assert_eq!(today["choices"], 1);
    assert_eq!(today["clarify_resolved"], 1);
    assert_eq!(today["clarify_unresolved"], 1);
    assert_eq!(today["match_rate"], 0.25);
    assert_eq!(days[0]["questions"], 0);
    assert_eq!(days[0]["match_rate"], Value::Null);
    assert_eq!(v["totals"]["questions"], 4);
    let top: Vec<&str> = v["top_intents"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["intent"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        top.contains(&RENEW) && top.contains(&"ddtm.permis_bateau"),
        "{top:?}"
    );
    let unanswered = v["top_unanswered"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        unanswered.len(),
        2,
        "the unresolved clarify and the fallback: {v}"
    );
    // The unresolved clarify is in the inbox.
    let clarify = items(&inbox(&app, "").await)
        .into_iter()
        .find(|i| i["text"] == "permis bateau")
        .expect("recorded");
    assert_eq!(clarify["outcomes"], json!({"clarify": 1}));
    let r = get_as(&app, "/api/v1/review/stats?days=0", Some(AGENT_SECRET)).await;
    assert_eq!(r.error_code(), "invalid_query");
}

#[tokio::test]
async fn review_refusals_have_their_codes() {
    let app = TestApp::new().await;
    app.chat(json!({"message": BLANQUETTE, "channel": "web"}))
        .await;
    let id = id_of(&app, BLANQUETTE).await;
    let renew_question = "Comment renouveler mon titre de séjour ?";
    let unknown = "0123456789abcdef0123456789abcdef";
    let table: Vec<(String, Value, u16, &str)> = vec![
        (
            unknown.into(),
            json!({"action": "dismiss"}),
            404,
            "unknown_question",
        ),
        (
            "pas-un-id".into(),
            json!({"action": "dismiss"}),
            404,
            "unknown_question",
        ),
        (
            id.clone(),
            json!({"action": "delete"}),
            400,
            "unknown_action",
        ),
        (
            id.clone(),
            json!({"action": "attach"}),
            400,
            "missing_intent",
        ),
        (
            id.clone(),
            json!({"action": "attach", "intent": " "}),
            400,
            "missing_intent",
        ),
        (
            id.clone(),
            json!({"action": "attach", "intent": "sejour.inconnu"}),
            404,
            "unknown_intent",
        ),
        (
            id.clone(),
            json!({"action": "dismiss", "why": "x"}),
            400,
            "invalid_body",
        ),
        (id.clone(), json!({}), 400, "invalid_body"),
    ];
    for (target, body, status, code) in table {
        let r = act(&app, &target, body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{target} {body} → {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
    }
    // A question the files give to another intent cannot be attached elsewhere.
    let store = app.state.store();
    let text = renew_question.to_owned();
    let normalized = app.state.engine().matcher.index().analyze(&text).normalized;
    record(
        store,
        &Occurrence {
            text: &text,
            normalized: &normalized,
            kind: Kind::NotUseful,
            channel: Channel::Web,
            site: None,
            at: now_millis(),
            guesses: &[],
            content_version: "v",
            reason: None,
        },
    )
    .await
    .expect("record");
    let conflict = id_of(&app, renew_question).await;
    let r = act(
        &app,
        &conflict,
        json!({"action": "attach", "intent": "sejour.rendez_vous"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.error_code(), "paraphrase_conflict");
    assert!(r.text().contains(RENEW));
    // Only personal data: nothing to attach.
    app.chat(json!({"message": "06 12 34 56 78", "channel": "web"}))
        .await;
    let phone = id_of(&app, "[téléphone]").await;
    let r = act(&app, &phone, json!({"action": "attach", "intent": RENEW})).await;
    assert_eq!(r.error_code(), "nothing_to_attach");
    for query in [
        "status=bogus",
        "sort=oldest",
        "limit=0",
        "limit=501",
        "since=yesterday",
        "cursor=c.1.2.zz",
        "cursor=r.1.0123456789abcdef0123456789abcdef",
        "color=blue",
    ] {
        let r = get_as(
            &app,
            &format!("/api/v1/review/questions?{query}"),
            Some(AGENT_SECRET),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.error_code(), "invalid_query", "{query}");
    }
    for query in ["", "format=xml"] {
        let r = get_as(
            &app,
            &format!("/api/v1/review/export?{query}"),
            Some(ADMIN_SECRET),
        )
        .await;
        assert_eq!(r.error_code(), "invalid_query", "{query}");
    }
}
