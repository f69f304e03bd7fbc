//! `/fiche/{intent}?site=`: an answer as a page to read on a phone or print
//! on A4, and `/fiche/{intent}/qr.svg`, the QR code the kiosk shows.
//!
//! Properties checked:
//! - the page has the title, the answer, every step with its pictogram and
//!   link, the links, and with a site its contact and the site's values;
//! - the procedure sheet is a section « La démarche en bref » with its
//!   labelled rows and the papers as a list;
//! - `?lang=en` prints the English text (page language, title, sheet,
//!   steps, the page's own words), an intent with no English text is
//!   French marked `lang="fr"` under an English note, the QR code and the
//!   page's address carry `lang=en`, and another value is `400
//!   unknown_lang`;
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
async fn the_fiche_has_the_procedure_at_a_glance() {
    let app = TestApp::new().await;
    let html = get(&app, &format!("/fiche/{INTENT}?site={SITE}"), &[])
        .await
        .text();
    assert!(
        html.contains("<h2 id=\"fiche-sheet-title\">La démarche en bref</h2>"),
        "{html}"
    );
    assert!(html
        .contains("<dt>Pour qui</dt><dd>Les personnes dont le titre de séjour se termine.</dd>"));
    assert!(html.contains("<dt>Où</dt><dd>En ligne, sur le site de l&#39;ANEF.</dd>"));
    assert!(
        html.contains(
            "<dt>Les papiers</dt><dd><ul><li>Votre passeport.</li><li>Une photo avec son code.</li></ul></dd>"
        ),
        "{html}"
    );
    assert!(html.contains("<dt>Le délai</dt>"));
    // No cost in this sheet: no empty row.
    assert!(!html.contains("Le prix"), "{html}");
    // After the answer, before the steps.
    let sheet = html.find("fiche-sheet-title").expect("sheet");
    assert!(html.find("fiche-answer").expect("answer") < sheet);
    assert!(sheet < html.find("<h2>Les étapes</h2>").expect("steps"));
    // An intent without a sheet has no such section.
    let html = get(&app, "/fiche/sejour.rendez_vous", &[]).await.text();
    assert!(!html.contains("fiche-sheet"), "{html}");
}

#[tokio::test]
async fn lang_en_prints_the_english_text() {
    let app = TestApp::with(|s| {
        s.pages.public_url = Some("https://accueil.exemple.gouv.fr".to_owned());
    })
    .await;
    let r = get(&app, &format!("/fiche/{INTENT}?site={SITE}&lang=en"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("<h1>Renewing a residence permit</h1>"),
        "{html}"
    );
    assert!(html.contains("<p>You renew your titre de séjour (residence permit) on ANEF.</p>"));
    assert!(!html.contains("{{"), "{html}");
    // The sheet, steps and the page's own words in English; the French
    // pictograms, described in English.
    assert!(html.contains("<h2 id=\"fiche-sheet-title\">The procedure at a glance</h2>"));
    assert!(html.contains("<dt>Who for</dt><dd>People whose residence permit is ending.</dd>"));
    assert!(html.contains("<li>Your passport.</li>"));
    assert!(html.contains("<h2>The steps</h2>"));
    assert!(
        html.contains("Step 1</p><p class=\"fiche-step-text\">Log in to your ANEF account.</p>")
    );
    assert!(html.contains("alt=\"A website\""), "{html}");
    assert!(
        html.contains("ANEF website (in French): <a href="),
        "{html}"
    );
    assert!(html.contains("Print this sheet"));
    assert!(html.contains("Information checked on 22/11/2026."));
    assert!(!html.contains("Les étapes"), "{html}");
    assert!(!html.contains("fiche-language-note"), "{html}");
    // Its address keeps the language.
    let url = format!("https://accueil.exemple.gouv.fr/fiche/{INTENT}?site={SITE}&lang=en");
    assert!(
        html.contains(&format!(
            "This sheet online: <span class=\"fiche-url\">{}</span>",
            url.replace('&', "&amp;")
        )),
        "{html}"
    );
    let qr = get(
        &app,
        &format!("/fiche/{INTENT}/qr.svg?site={SITE}&lang=en"),
        &[],
    )
    .await;
    assert_eq!(qr.header("x-accueil-qr-url"), Some(url.clone()));
    assert_eq!(qr.text(), accueil::http::qr_svg(&url).expect("encodes"));
    // French is the default, and not written in the address.
    let qr = get(&app, &format!("/fiche/{INTENT}/qr.svg?lang=fr"), &[]).await;
    assert_eq!(
        qr.header("x-accueil-qr-url").as_deref(),
        Some("https://accueil.exemple.gouv.fr/fiche/sejour.renouvellement")
    );
    let fr = get(&app, &format!("/fiche/{INTENT}?lang=FR"), &[])
        .await
        .text();
    assert!(
        fr.contains("<h1>Renouveler son titre de séjour</h1>"),
        "{fr}"
    );

    // An intent with no English text yet: French, marked so, under an
    // English line saying it.
    let html = get(&app, "/fiche/sejour.rendez_vous?lang=en", &[])
        .await
        .text();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        html.contains(
            "<p class=\"fiche-language-note\" lang=\"en\">This answer is only available in French.</p>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<div class=\"fiche-answer\" lang=\"fr\">"),
        "{html}"
    );
    assert!(html.contains("<h1 lang=\"fr\">"), "{html}");
}

#[tokio::test]
async fn an_unknown_lang_is_refused_like_other_bad_queries() {
    let app = TestApp::new().await;
    for path in [
        format!("/fiche/{INTENT}?lang=de"),
        format!("/fiche/{INTENT}/qr.svg?lang=de"),
    ] {
        let r = get(&app, &path, &[("host", "borne.local")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json"),
            "{path}"
        );
        assert_eq!(r.error_code(), "unknown_lang", "{path}");
        assert!(r.json()["error"]["message"].is_string());
    }
    let r = get(
        &app,
        &format!("/fiche/{INTENT}?lang=de"),
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .contains("<meta name=\"accueil-error\" content=\"unknown_lang\">"));
    let r = get(&app, &format!("/fiche/{INTENT}?lang=en&lang=fr"), &[]).await;
    assert_eq!(r.error_code(), "invalid_query");
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

[sheet]
who = "Les <i>plaisanciers</i>."
where = "En ligne & au guichet."
papers = ["Le \"titre\" du bateau."]
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
    assert!(
        html.contains("<dd>Les &lt;i&gt;plaisanciers&lt;/i&gt;.</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dd>En ligne &amp; au guichet.</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<li>Le &quot;titre&quot; du bateau.</li>"),
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
