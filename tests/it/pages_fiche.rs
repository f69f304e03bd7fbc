//! `/fiche/{intent}?site=`: an answer as a page to read on a phone or print
//! on A4, and `/fiche/{intent}/qr.svg`, the QR code the kiosk shows.
//!
//! Properties checked:
//! - the page has the title, the answer, every step with its pictogram and
//!   link, the links, and with a site its contact and the site's values;
//! - text from the content is escaped;
//! - an unknown intent is `404 unknown_intent`, an unknown site `400
//!   unknown_site`, as JSON for programs and as a page for browsers;
//!   conversation intents have no fiche;
//! - the QR code encodes the fiche's absolute address: the public URL when
//!   one is set, else the scheme and host of the request; without either it
//!   is `400 no_public_url`.

use crate::support::{write_intent, Resp, TestApp, ADMIN_SECRET};
use axum::body::Body;
use axum::http::{Request, StatusCode};

const INTENT: &str = "sejour.renouvellement";
const SITE: &str = "prefecture-exemple";

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.request(req.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn the_fiche_has_the_answer_steps_links_and_the_site_contact() {
    let app = TestApp::new().await;
    let r = get(
        &app,
        &format!("/fiche/{INTENT}?site={SITE}"),
        &[("host", "borne.local")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(r.header("content-security-policy").is_some());
    let html = r.text();
    assert!(
        html.contains("<h1>Renouveler son titre de séjour</h1>"),
        "{html}"
    );
    assert!(html.contains("<html lang=\"fr\">"));
    // The site's value fills the placeholder; none is left.
    assert!(html.contains("la préfecture de l&#39;Exemple"), "{html}");
    assert!(!html.contains("{{"), "{html}");
    // Every step, numbered, with its pictogram and alt text, and its link.
    assert!(html.contains("Étape 1</p>"));
    assert!(html.contains("Étape 2</p>"));
    assert!(html.contains("src=\"/assets/dsfr/artwork/pictograms/digital/internet.svg\""));
    assert!(html.contains("alt=\"Un site internet\""), "{html}");
    assert!(
        html.contains("<a href=\"https://administration-etrangers-en-france.interieur.gouv.fr/\">")
    );
    // The contact of the site; no address of this page without a public URL.
    assert!(html.contains("<h2>Contact</h2>"));
    assert!(html.contains("Préfecture de l&#39;Exemple"));
    assert!(!html.contains("borne.local"), "{html}");
    assert!(html.contains("Informations vérifiées le 22/11/2026."));
    // Printing is a script file, never inline.
    assert!(html.contains("<script src=\"/assets/accueil/fiche.js\" defer></script>"));
    assert!(!html.contains("onclick"));
}

#[tokio::test]
async fn without_a_site_the_fiche_has_the_national_wording_and_no_contact() {
    let app = TestApp::new().await;
    let r = get(&app, &format!("/fiche/{INTENT}"), &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(!html.contains("<h2>Contact</h2>"));
    assert!(!html.contains("{{"));
}

#[tokio::test]
async fn content_text_is_escaped() {
    let app = TestApp::new().await;
    write_intent(
        app.content.path(),
        "faq/ddtm",
        "balise",
        r#"id = "ddtm.balise"
title = "Les <b>balises</b> & le reste"
questions = [
  "que faire des balises en mer",
  "balise de detresse perdue",
  "declarer une balise",
  "balise bateau obligatoire",
  "ou acheter une balise",
  "balise en panne",
]
answer = """
Une balise <script>alert(1)</script> se déclare en ligne.
"""

[[steps]]
text = "Allez sur le site \"officiel\"."
picto = "internet"
link = { label = "Le <site>", url = "https://www.exemple.gouv.fr/?a=1&b=2" }
"#,
    );
    let reload = app.reload(Some(ADMIN_SECRET)).await;
    assert_eq!(reload.status, StatusCode::OK, "{}", reload.text());
    let html = get(&app, "/fiche/ddtm.balise", &[]).await.text();
    assert!(
        html.contains("Les &lt;b&gt;balises&lt;/b&gt; &amp; le reste"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("site &quot;officiel&quot;"), "{html}");
    assert!(
        html.contains("Le &lt;site&gt; : <a href=\"https://www.exemple.gouv.fr/?a=1&amp;b=2\">"),
        "{html}"
    );
}

#[tokio::test]
async fn unknown_intents_and_sites_are_errors_in_the_form_asked_for() {
    let app = TestApp::new().await;
    let r = get(&app, "/fiche/sejour.inconnu", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "unknown_intent");

    let r = get(
        &app,
        "/fiche/sejour.inconnu",
        &[("accept", "text/html,application/xhtml+xml")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = r.text();
    assert!(html.contains("<h1>Fiche introuvable</h1>"), "{html}");
    assert!(html.contains("<meta name=\"accueil-error\" content=\"unknown_intent\">"));

    let r = get(&app, &format!("/fiche/{INTENT}?site=nulle-part"), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "unknown_site");
    let r = get(
        &app,
        &format!("/fiche/{INTENT}?site=nulle-part"),
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("<h1>Service inconnu</h1>"));

    // A conversation intent is not a procedure: no fiche.
    let r = get(&app, "/fiche/conv.bonjour", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "unknown_intent");

    let r = get(&app, &format!("/fiche/{INTENT}?site=a&site=b"), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_query");
}

#[tokio::test]
async fn without_a_public_url_no_qr_code_and_no_address_from_the_host_header() {
    // Regression: the page and its QR code pointed wherever `Host:` said.
    let app = TestApp::new().await;
    let path = format!("/fiche/{INTENT}/qr.svg?site={SITE}");
    let r = get(&app, &path, &[("host", "evil.example.com")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error_code(), "no_public_url");
    assert_eq!(r.header("x-accueil-qr-url"), None);
    let html = get(
        &app,
        &format!("/fiche/{INTENT}?site={SITE}"),
        &[("host", "evil.example.com"), ("x-forwarded-proto", "https")],
    )
    .await
    .text();
    assert!(html.contains("<h1>Renouveler son titre de séjour</h1>"));
    assert!(!html.contains("evil.example.com"), "{html}");
}

#[tokio::test]
async fn the_qr_code_encodes_the_public_address_with_or_without_a_site() {
    let app = TestApp::with(|s| {
        s.pages.public_url = Some("https://accueil.exemple.gouv.fr".to_owned());
    })
    .await;
    let r = get(&app, &format!("/fiche/{INTENT}/qr.svg"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    let url = format!("https://accueil.exemple.gouv.fr/fiche/{INTENT}");
    assert_eq!(r.header("x-accueil-qr-url"), Some(url.clone()));
    assert_eq!(r.text(), accueil::http::qr_svg(&url).expect("encodes"));
    assert!(r.text().contains("<svg"));
}

#[tokio::test]
async fn a_public_url_wins_over_the_host_the_kiosk_used() {
    let app = TestApp::with(|s| {
        s.pages.public_url = Some("https://accueil.exemple.gouv.fr".to_owned());
    })
    .await;
    let r = get(
        &app,
        &format!("/fiche/{INTENT}/qr.svg?site={SITE}"),
        &[("host", "10.0.0.5:8080")],
    )
    .await;
    let url = format!("https://accueil.exemple.gouv.fr/fiche/{INTENT}?site={SITE}");
    assert_eq!(r.header("x-accueil-qr-url"), Some(url.clone()));
    assert_eq!(r.text(), accueil::http::qr_svg(&url).expect("encodes"));
    // The fiche shows the same address.
    let html = get(
        &app,
        &format!("/fiche/{INTENT}?site={SITE}"),
        &[("host", "10.0.0.5:8080")],
    )
    .await
    .text();
    assert!(html.contains(&url), "{html}");
}

#[tokio::test]
async fn qr_errors() {
    let app = TestApp::new().await;
    // No Host header and no public URL: the address is unknown.
    let r = get(&app, &format!("/fiche/{INTENT}/qr.svg"), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "no_public_url");
    let r = get(
        &app,
        "/fiche/sejour.inconnu/qr.svg",
        &[("host", "borne.local")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "unknown_intent");
    let r = get(
        &app,
        &format!("/fiche/{INTENT}/qr.svg?site=nulle-part"),
        &[("host", "borne.local")],
    )
    .await;
    assert_eq!(r.error_code(), "unknown_site");
}

#[tokio::test]
async fn the_pages_are_counted_by_route_in_the_metrics() {
    let app = TestApp::new().await;
    get(&app, &format!("/fiche/{INTENT}"), &[]).await;
    get(&app, "/kiosk/kiosk.js", &[]).await;
    let metrics = app.metrics().await.text();
    assert!(
        metrics.contains("accueil_http_requests_total{route=\"/fiche/{intent}\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("accueil_http_requests_total{route=\"/kiosk/{*path}\",status=\"200\"} 1"),
        "{metrics}"
    );
}
