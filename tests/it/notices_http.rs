//! Service notices through the HTTP API, on the fixture content.
//!
//! Properties checked: only admin tokens manage notices (401 without or
//! with an unknown token, 403 with an agent's); a posted notice is listed,
//! shown, replaced by id and removed; chat replies carry the active
//! notices that concern them — general ones at the start of a
//! conversation, site ones on their site only, intent and domain ones
//! with their answers — and not before their start nor after their end;
//! every bad input has its code; notices of the site files are served,
//! listed and read-only; admin notices survive a restart of the store;
//! `accueil check` reports broken file notices at their line. One test
//! drives the real `accueil serve` binary over TCP, as an admin with curl.

use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use accueil::notices::{format_datetime, Notice};
use accueil::store::{now_millis, SledStore, Store};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

const HOUR: u64 = 3_600_000;

fn at(offset_hours: i64) -> String {
    let now = now_millis();
    let ms = if offset_hours >= 0 {
        now + offset_hours.unsigned_abs() * HOUR
    } else {
        now - offset_hours.unsigned_abs() * HOUR
    };
    format_datetime(ms)
}

async fn admin(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<&Value>,
    secret: Option<&str>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(s) = secret {
        req = req.header("authorization", format!("Bearer {s}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    app.request(req.body(body).expect("request")).await
}

async fn post(app: &TestApp, body: Value) -> Resp {
    admin(
        app,
        "POST",
        "/api/v1/admin/notices",
        Some(&body),
        Some(ADMIN_SECRET),
    )
    .await
}

/// `GET /api/v1/admin/notices` as the admin.
async fn list(app: &TestApp) -> Resp {
    admin(
        app,
        "GET",
        "/api/v1/admin/notices",
        None,
        Some(ADMIN_SECRET),
    )
    .await
}

async fn notice_ids(app: &TestApp, body: Value) -> Vec<String> {
    let out = app.chat(body).await;
    out["reply"]["notices"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn only_admins_manage_notices() {
    let app = TestApp::new().await;
    let body = json!({"ends_at": at(2), "text": "Le guichet est fermé."});
    let routes = [
        ("POST", "/api/v1/admin/notices", Some(&body)),
        ("GET", "/api/v1/admin/notices", None),
        ("GET", "/api/v1/admin/notices/x", None),
        ("DELETE", "/api/v1/admin/notices/x", None),
    ];
    for (method, uri, body) in routes {
        let none = admin(&app, method, uri, body, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(none.error_code(), "unauthorized");
        assert_eq!(none.header("www-authenticate").as_deref(), Some("Bearer"));
        let wrong = admin(&app, method, uri, body, Some("not-a-token-0123456789")).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        let agent = admin(&app, method, uri, body, Some(AGENT_SECRET)).await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(agent.error_code(), "forbidden");
    }
    let list = list(&app).await;
    assert_eq!(list.json()["notices"], json!([]), "nothing was created");
}

#[tokio::test]
async fn post_list_get_replace_delete() {
    let app = TestApp::new().await;
    let created = post(
        &app,
        json!({
            "id": "fermeture-lundi",
            "site": "prefecture-exemple",
            "starts_at": at(-1),
            "ends_at": at(24),
            "text": "Le guichet des étrangers est fermé lundi.",
            "link": {"label": "Les horaires", "url": "https://www.exemple.gouv.fr/horaires"},
            "domains": ["sejour"]
        }),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(
        created.header("location").as_deref(),
        Some("/api/v1/admin/notices/fermeture-lundi")
    );
    let n = created.json();
    assert_eq!(n["id"], "fermeture-lundi");
    assert_eq!(n["active"], true);
    assert_eq!(n["source"], "admin");
    assert_eq!(n["created_by"], "root");
    assert!(
        n["ends_at"].as_str().is_some_and(|s| s.ends_with('Z')),
        "{n}"
    );

    let one = admin(
        &app,
        "GET",
        "/api/v1/admin/notices/fermeture-lundi",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.json()["text"],
        "Le guichet des étrangers est fermé lundi."
    );

    let replaced = post(
        &app,
        json!({"id": "fermeture-lundi", "site": "prefecture-exemple", "ends_at": at(24),
               "text": "Le guichet est fermé lundi et mardi.", "domains": ["sejour"]}),
    )
    .await;
    assert_eq!(
        replaced.status,
        StatusCode::OK,
        "a replacement: {}",
        replaced.text()
    );
    let generated = post(
        &app,
        json!({"ends_at": at(1), "text": "Le site ANEF est en panne."}),
    )
    .await;
    assert_eq!(
        generated.status,
        StatusCode::CREATED,
        "{}",
        generated.text()
    );
    let generated_id = generated.json()["id"].as_str().expect("id").to_owned();
    assert!(generated_id.starts_with("avis-"), "{generated_id}");

    let list = list(&app).await.json();
    let texts: Vec<&str> = list["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.contains(&"Le guichet est fermé lundi et mardi."));

    let gone = admin(
        &app,
        "DELETE",
        "/api/v1/admin/notices/fermeture-lundi",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    for method in ["GET", "DELETE"] {
        let r = admin(
            &app,
            method,
            "/api/v1/admin/notices/fermeture-lundi",
            None,
            Some(ADMIN_SECRET),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(r.error_code(), "unknown_notice");
    }
    let put = admin(
        &app,
        "PUT",
        "/api/v1/admin/notices",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn replies_carry_the_notices_that_concern_them() {
    let app = TestApp::new().await;
    let site = "prefecture-exemple";
    for body in [
        json!({"id": "general", "ends_at": at(2), "text": "Les bureaux ferment à midi le 24 décembre."}),
        json!({"id": "local", "site": site, "ends_at": at(2), "text": "Le parking est fermé."}),
        json!({"id": "rdv", "ends_at": at(2), "text": "Les rendez-vous sont complets cette semaine.", "intents": ["sejour.rendez_vous"]}),
        json!({"id": "mer", "ends_at": at(2), "text": "Les examens du permis bateau sont reportés.", "domains": ["ddtm"]}),
        json!({"id": "plus-tard", "starts_at": at(1), "ends_at": at(3), "text": "Le guichet ferme demain.", "domains": ["sejour", "ddtm"]}),
    ] {
        let r = post(&app, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.text());
    }
    // A notice that has already ended, put in the store by an earlier run.
    let store = app.state.store();
    let ended = Notice {
        domains: vec!["sejour".into()],
        ..Notice::by_agent(
            "fini",
            "Fini.",
            now_millis() - 3 * HOUR,
            now_millis() - HOUR,
            "root",
        )
    };
    assert!(app.state.notices().put(store, ended).await.expect("put"));

    // The start of a conversation: the general ones (and the site's).
    let first = app
        .chat(json!({"message": "bonjour", "channel": "web", "site": site}))
        .await;
    let ids: Vec<&str> = first["reply"]["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["local", "general"], "site first: {first}");
    let shown = &first["reply"]["notices"][1];
    assert_eq!(shown["text"], "Les bureaux ferment à midi le 24 décembre.");
    assert!(shown["ends_at"].is_string() && shown["starts_at"].is_string());
    assert_eq!(
        notice_ids(&app, json!({"message": "bonjour", "channel": "kiosk"})).await,
        vec!["general"],
        "no site: national notices only"
    );
    // Later turns: only the scoped notices that concern the answer.
    let session = first["session"].as_str().expect("session");
    let later = app
        .chat(json!({"session": session, "choice": "sejour.renouvellement", "channel": "web", "site": site}))
        .await;
    assert_eq!(later.pointer("/reply/notices"), None, "{later}");
    let rdv = app
        .chat(json!({"session": session, "choice": "sejour.rendez_vous", "channel": "web", "site": site}))
        .await;
    assert_eq!(rdv["reply"]["notices"][0]["id"], "rdv");
    assert_eq!(rdv["reply"]["notices"].as_array().map(Vec::len), Some(1));
    let boat = app
        .chat(json!({"session": session, "choice": "ddtm.permis_bateau", "channel": "kiosk", "site": site}))
        .await;
    assert_eq!(boat["reply"]["notices"][0]["id"], "mer", "a domain notice");
    // The list tells which are shown now.
    let list = admin(
        &app,
        "GET",
        "/api/v1/admin/notices?active=false",
        None,
        Some(ADMIN_SECRET),
    )
    .await
    .json();
    let inactive: Vec<&str> = list["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(inactive, vec!["fini", "plus-tard"]);
    let other_site = admin(
        &app,
        "GET",
        "/api/v1/admin/notices?site=atlantide",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(other_site.error_code(), "unknown_site");
    let bad_query = admin(
        &app,
        "GET",
        "/api/v1/admin/notices?active=peut-etre",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(bad_query.error_code(), "invalid_query");
}

#[tokio::test]
async fn bad_notices_are_refused_with_their_code() {
    let app = TestApp::new().await;
    let ok = json!({"ends_at": at(2), "text": "Le guichet est fermé."});
    let with = |key: &str, value: Value| {
        let mut b = ok.clone();
        b[key] = value;
        b
    };
    let table = vec![
        (with("starts_at", json!(at(3))), "notice_ends_before_start"),
        (with("ends_at", json!(at(-1))), "notice_already_ended"),
        (
            with("ends_at", json!("2026-05-04T18:00")),
            "invalid_notice_date",
        ),
        (with("ends_at", json!("lundi soir")), "invalid_notice_date"),
        (with("text", json!("   ")), "empty_notice_text"),
        (
            with("text", json!("Fermé. ".repeat(50))),
            "notice_text_too_long",
        ),
        (
            with(
                "text",
                json!("Le guichet est fermé ; revenez dans deux jours."),
            ),
            "notice_not_falc",
        ),
        (with("site", json!("atlantide")), "unknown_site"),
        (
            with("intents", json!(["sejour.inconnu"])),
            "notice_unknown_intent",
        ),
        (with("domains", json!(["peche"])), "notice_unknown_domain"),
        (with("id", json!("Avis Important")), "invalid_notice_id"),
        (
            with("link", json!({"url": "ftp://exemple.fr/x"})),
            "invalid_notice_link",
        ),
        (with("colour", json!("rouge")), "invalid_body"),
        (json!({"text": "Fermé."}), "invalid_body"),
    ];
    for (body, code) in table {
        let r = post(&app, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
    }
    let falc = post(
        &app,
        with("text", json!("Fermé ; revenez dans deux jours.")),
    )
    .await
    .json();
    let details = falc["error"]["details"].as_array().expect("details");
    assert_eq!(details.len(), 2, "every FALC problem is listed: {falc}");
    let list = list(&app).await;
    assert_eq!(list.json()["notices"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn notices_of_the_site_files_are_served_and_read_only() {
    let app = TestApp::new().await;
    let site_file = app.content.path().join("faq/sites/prefecture-exemple.toml");
    let mut text = std::fs::read_to_string(&site_file).expect("site file");
    text.push_str(&format!(
        "\n[[notices]]\nid = \"travaux-hall\"\nstarts_at = {}\nends_at = \"{}\"\ntext = \"Le hall est en travaux. Entrez par la porte B.\"\n",
        at(-1),
        at(48)
    ));
    std::fs::write(&site_file, text).expect("write site file");
    let generic = app.content.path().join("faq/sites/_generique.toml");
    let mut text = std::fs::read_to_string(&generic).expect("generic file");
    text.push_str(&format!(
        "\n[[notices]]\nid = \"anef-panne\"\nstarts_at = {}\nends_at = {}\ntext = \"Le site ANEF est en panne.\"\ndomains = [\"sejour\"]\n",
        at(-1),
        at(2)
    ));
    std::fs::write(&generic, text).expect("write generic file");
    let reloaded = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.text());

    let here = app
        .chat(json!({"message": "bonjour", "channel": "kiosk", "site": "prefecture-exemple"}))
        .await;
    assert_eq!(here["reply"]["notices"][0]["id"], "travaux-hall");
    let renew = app
        .chat(json!({"choice": "sejour.renouvellement", "channel": "kiosk"}))
        .await;
    let ids: Vec<&str> = renew["reply"]["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert!(ids.contains(&"anef-panne"), "{renew}");

    let one = admin(
        &app,
        "GET",
        "/api/v1/admin/notices/travaux-hall",
        None,
        Some(ADMIN_SECRET),
    )
    .await
    .json();
    assert_eq!(one["source"], "content");
    assert_eq!(one["site"], "prefecture-exemple");
    assert!(
        one["file"]
            .as_str()
            .is_some_and(|f| f.starts_with("faq/sites/prefecture-exemple.toml:")),
        "{one}"
    );
    let national = admin(
        &app,
        "GET",
        "/api/v1/admin/notices/anef-panne",
        None,
        Some(ADMIN_SECRET),
    )
    .await
    .json();
    assert_eq!(national["site"], Value::Null);
    let delete = admin(
        &app,
        "DELETE",
        "/api/v1/admin/notices/travaux-hall",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(delete.status, StatusCode::CONFLICT);
    assert_eq!(delete.error_code(), "notice_in_content");
    let shadow = post(
        &app,
        json!({"id": "travaux-hall", "ends_at": at(2), "text": "Autre chose."}),
    )
    .await;
    assert_eq!(shadow.error_code(), "notice_in_content");
}

#[tokio::test]
async fn admin_notices_survive_a_restart() {
    let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
    let first = TestApp::with_store(store.clone(), |_| {}).await;
    let r = post(
        &first,
        json!({"id": "durable", "ends_at": at(2), "text": "Le guichet est fermé."}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    drop(first);
    let second = TestApp::with_store(store, |_| {}).await;
    let one = admin(
        &second,
        "GET",
        "/api/v1/admin/notices/durable",
        None,
        Some(ADMIN_SECRET),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    assert_eq!(
        notice_ids(&second, json!({"message": "bonjour", "channel": "web"})).await,
        vec!["durable"]
    );
}

#[test]
fn check_reports_broken_file_notices_at_their_line() {
    let content = content_copy();
    let site_file = content.path().join("faq/sites/prefecture-exemple.toml");
    let mut text = std::fs::read_to_string(&site_file).expect("site file");
    text.push_str(
        "\n[[notices]]\nid = \"a-l-envers\"\nstarts_at = 2026-05-05T08:00:00+02:00\nends_at = 2026-05-04T08:00:00+02:00\ntext = \"Fermé.\"\nintents = [\"sejour.inconnu\"]\n\n[[notices]]\nid = \"sans-fuseau\"\nstarts_at = 2026-05-04T08:00:00\nends_at = 2026-05-05T08:00:00Z\ntext = \"Fermé.\"\n",
    );
    std::fs::write(&site_file, &text).expect("write");
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|p| p + 1)
            .expect("written")
    };
    let first_line = line_of("id = \"a-l-envers\"");
    let no_zone_line = text
        .lines()
        .position(|l| l == "starts_at = 2026-05-04T08:00:00")
        .map(|p| p + 1)
        .expect("written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accueil"))
        .arg("--content")
        .arg(content.path())
        .arg("check")
        .output()
        .expect("run check");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{printed}");
    let at_line = |line: usize, needle: &str| {
        printed.lines().any(|l| {
            l.contains(&format!("faq/sites/prefecture-exemple.toml:{line}: error:"))
                && l.contains(needle)
        })
    };
    assert!(
        at_line(first_line, "ends (2026-05-04T06:00:00Z) before it starts"),
        "{printed}"
    );
    assert!(
        at_line(first_line, "unknown intent `sejour.inconnu`"),
        "{printed}"
    );
    assert!(at_line(no_zone_line, "add the time zone"), "{printed}");
}

/// The admin's routine with curl, against the real binary: post a notice,
/// see it in the next answers on that site, restart, remove it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_posts_a_notice_with_curl_and_the_next_answers_carry_it() {
    let content = content_copy();
    let data = temp_dir("notices-data");
    let mut server = Server::spawn(content.path(), &data.path().join("store"));
    let auth = format!("Authorization: Bearer {ADMIN_SECRET}\r\n");
    let notice = json!({
        "id": "guichet-ferme",
        "site": "prefecture-exemple",
        "ends_at": at(2),
        "text": "Le guichet est fermé cet après-midi.",
        "domains": ["sejour"]
    });
    let created = http_post(
        server.addr,
        "/api/v1/admin/notices",
        &auth,
        &notice.to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let chat = |site: &'static str| {
        json!({"choice": "sejour.rendez_vous", "channel": "web", "site": site}).to_string()
    };
    let here = http_post(server.addr, "/api/v1/chat", "", &chat("prefecture-exemple"))
        .await
        .json();
    assert_eq!(
        here["reply"]["notices"][0]["text"],
        "Le guichet est fermé cet après-midi."
    );
    let nowhere = http_post(
        server.addr,
        "/api/v1/chat",
        "",
        &json!({"choice": "sejour.rendez_vous", "channel": "web"}).to_string(),
    )
    .await
    .json();
    assert_eq!(
        nowhere.pointer("/reply/notices"),
        None,
        "another site: not shown"
    );

    // Stopped and started again on the same store: still there.
    server.stop();
    let mut server = Server::spawn(content.path(), &data.path().join("store"));
    let again = http_post(server.addr, "/api/v1/chat", "", &chat("prefecture-exemple"))
        .await
        .json();
    assert_eq!(again["reply"]["notices"][0]["id"], "guichet-ferme");
    let delete = format!(
        "DELETE /api/v1/admin/notices/guichet-ferme HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{auth}\r\n"
    );
    let deleted = send_raw(server.addr, delete.as_bytes())
        .await
        .expect("DELETE");
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let after = http_post(server.addr, "/api/v1/chat", "", &chat("prefecture-exemple"))
        .await
        .json();
    assert_eq!(after.pointer("/reply/notices"), None);
    server.stop();
}

/// `accueil serve` as a child process.
#[cfg(unix)]
struct Server {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    /// Kept so the server's log keeps being read.
    _logs: LogLines,
}

#[cfg(unix)]
impl Server {
    fn spawn(content: &std::path::Path, data: &std::path::Path) -> Server {
        let mut child = serve_command(content, data, &format!("root:admin:{ADMIN_SECRET}"))
            .spawn()
            .expect("spawn accueil");
        let stderr = child.stderr.take().expect("stderr");
        let mut logs = LogLines::read(stderr);
        let line = logs.wait_for("listening on http://", Duration::from_secs(30));
        let addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in `{line}`"));
        Server {
            child,
            addr,
            _logs: logs,
        }
    }

    /// SIGTERM, then wait for the clean exit (the store is flushed).
    fn stop(&mut self) {
        let status = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "{status:?}");
                return;
            }
            assert!(std::time::Instant::now() < deadline, "still running");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[cfg(unix)]
impl Drop for Server {
    fn drop(&mut self) {
        // Only our own child, by its id.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The one reply composer: the printable page and `GET /api/v1/intents/{id}`
/// carry the notices about their intent, as the chat does, and not the
/// general ones (those open a conversation).
#[tokio::test]
async fn the_fiche_and_the_intent_page_carry_their_notices() {
    let app = TestApp::new().await;
    for body in [
        json!({"id": "rdv", "ends_at": at(2), "text": "Les rendez-vous sont complets cette semaine.", "intents": ["sejour.rendez_vous"]}),
        json!({"id": "general", "ends_at": at(2), "text": "Les bureaux ferment à midi le 24 décembre."}),
    ] {
        let r = post(&app, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.text());
    }
    let page = app
        .request(
            Request::get("/fiche/sejour.rendez_vous?site=prefecture-exemple")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("Les rendez-vous sont complets cette semaine."),
        "{html}"
    );
    assert!(!html.contains("24 décembre"), "general notices open a chat");
    let other = app
        .request(
            Request::get("/fiche/sejour.renouvellement")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(!other.text().contains("complets"), "not about this intent");
    let json = app
        .request(
            Request::get("/api/v1/intents/sejour.rendez_vous")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let v: Value = serde_json::from_str(&json.text()).expect("json");
    assert_eq!(v["reply"]["notices"][0]["id"], "rdv", "{v}");
}
