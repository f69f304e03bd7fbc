//! The pages compiled into the binary: `/widget/`, `/kiosk/`, `/console/`,
//! the vendored DSFR files under `/assets/dsfr/`, our own under
//! `/assets/accueil/`, and `/`.
//!
//! Properties checked:
//! - every page and file answers with its media type, an ETag and
//!   `nosniff`; a matching `If-None-Match` gets a 304; gzip is sent only to
//!   clients that take it;
//! - every path the pages reference (`href`, `src`, CSS `url()`, module
//!   imports and the `/…` strings of the scripts) is served: no broken
//!   file, and no reference to another host;
//! - every pictogram of the shipped content's registry is served;
//! - HTML has a CSP allowing only this server; the console cannot be
//!   framed; the widget's panel may be framed by the CORS origins (any site
//!   when none is set);
//! - unknown files are a JSON `404 not_found`, other methods a `405`;
//! - `--web-dir` serves a folder instead, and never outside it.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::support::{temp_dir, Resp, TestApp};
use accueil::http::{app, AppState, Cors, Settings};
use accueil::store::SledStore;
use accueil::Engine;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};

const PAGES: &[(&str, &str)] = &[
    ("/", "text/html; charset=utf-8"),
    ("/widget/", "text/html; charset=utf-8"),
    ("/widget/frame.html", "text/html; charset=utf-8"),
    ("/widget/accueil.js", "text/javascript; charset=utf-8"),
    ("/widget/frame.js", "text/javascript; charset=utf-8"),
    ("/widget/frame.css", "text/css; charset=utf-8"),
    ("/kiosk/", "text/html; charset=utf-8"),
    ("/kiosk/kiosk.js", "text/javascript; charset=utf-8"),
    ("/console/", "text/html; charset=utf-8"),
    ("/console/console.js", "text/javascript; charset=utf-8"),
    (
        "/assets/accueil/render.js",
        "text/javascript; charset=utf-8",
    ),
    ("/assets/accueil/fiche.css", "text/css; charset=utf-8"),
    (
        "/assets/dsfr/dsfr-accueil.min.css",
        "text/css; charset=utf-8",
    ),
    (
        "/assets/dsfr/artwork/pictograms/digital/internet.svg",
        "image/svg+xml",
    ),
    ("/assets/dsfr/fonts/Marianne-Regular.woff2", "font/woff2"),
    ("/assets/dsfr/icons/system/close-line.svg", "image/svg+xml"),
    ("/assets/dsfr/favicon/favicon.svg", "image/svg+xml"),
    ("/assets/dsfr/LICENSE.md", "text/markdown; charset=utf-8"),
    ("/favicon.ico", "image/x-icon"),
];

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.request(req.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn every_page_and_file_is_served_with_its_media_type() {
    let app = TestApp::new().await;
    for (path, media) in PAGES {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(*media), "{path}");
        assert!(!r.body.is_empty(), "{path}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        let etag = r
            .header("etag")
            .unwrap_or_else(|| panic!("{path}: no ETag"));
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: {etag}"
        );
        assert!(r.header("cache-control").is_some(), "{path}");
    }
}

#[tokio::test]
async fn folders_without_their_slash_are_redirected() {
    let app = TestApp::new().await;
    for folder in ["widget", "kiosk", "console"] {
        let r = app.get(&format!("/{folder}")).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{folder}");
        assert_eq!(r.header("location"), Some(format!("/{folder}/")));
    }
    // The kiosk's parameters survive the redirect.
    let r = app.get("/kiosk?site=ddtm-herault&idle=60").await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/kiosk/?site=ddtm-herault&idle=60")
    );
}

#[tokio::test]
async fn an_unchanged_file_costs_a_304() {
    let app = TestApp::new().await;
    let first = app.get("/assets/dsfr/dsfr-accueil.min.css").await;
    let etag = first.header("etag").expect("etag");
    let again = get_with(
        &app,
        "/assets/dsfr/dsfr-accueil.min.css",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.clone()));
    let other = get_with(
        &app,
        "/assets/dsfr/dsfr-accueil.min.css",
        &[("if-none-match", "\"0\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    // The vendored files are cached for a day; our pages are revalidated.
    assert_eq!(
        first.header("cache-control").as_deref(),
        Some("public, max-age=86400")
    );
    assert_eq!(
        app.get("/widget/frame.js")
            .await
            .header("cache-control")
            .as_deref(),
        Some("no-cache")
    );
}

#[tokio::test]
async fn gzip_only_for_clients_that_take_it() {
    let app = TestApp::new().await;
    let plain = app.get("/assets/dsfr/dsfr-accueil.min.css").await;
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body.starts_with(b"/*!"), "plain CSS");
    let gz = get_with(
        &app,
        "/assets/dsfr/dsfr-accueil.min.css",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(gz.status, StatusCode::OK);
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(gz.header("vary").as_deref(), Some("accept-encoding"));
    assert_eq!(&gz.body[..2], &[0x1f, 0x8b], "gzip magic");
    // Each representation has its own validator; either revalidates.
    let gz_etag = gz.header("etag").expect("etag");
    assert_ne!(Some(gz_etag.clone()), plain.header("etag"));
    let again = get_with(
        &app,
        "/assets/dsfr/dsfr-accueil.min.css",
        &[("accept-encoding", "gzip"), ("if-none-match", &gz_etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(
        gz.body.len() * 4 < plain.body.len(),
        "the CSS compresses well"
    );
    let refused = get_with(
        &app,
        "/assets/dsfr/dsfr-accueil.min.css",
        &[("accept-encoding", "gzip;q=0")],
    )
    .await;
    assert_eq!(refused.header("content-encoding"), None);
    // Fonts are compressed already: never gzipped again.
    let font = get_with(
        &app,
        "/assets/dsfr/fonts/Marianne-Bold.woff2",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(font.header("content-encoding"), None);
}

#[tokio::test]
async fn head_requests_get_the_headers() {
    let app = TestApp::new().await;
    let r = app
        .request(
            Request::head("/kiosk/")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
}

#[tokio::test]
async fn unknown_files_and_other_methods_are_json_errors() {
    let app = TestApp::new().await;
    for path in [
        "/widget/nothing.js",
        "/assets/dsfr/artwork/pictograms/nowhere/none.svg",
        "/assets/",
        "/assets/dsfr/../../Cargo.toml",
        "/kiosk/.hidden",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
    let r = app
        .post_raw("/widget/", Some("application/json"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.error_code(), "method_not_allowed");
}

fn csp(r: &Resp) -> String {
    r.header("content-security-policy")
        .expect("a CSP on every page")
}

#[tokio::test]
async fn pages_allow_only_this_server_and_frame_as_intended() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/widget/",
        "/kiosk/",
        "/console/",
        "/widget/frame.html",
    ] {
        let policy = csp(&app.get(path).await);
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
    }
    let console = app.get("/console/").await;
    assert!(csp(&console).contains("frame-ancestors 'none'"));
    assert_eq!(console.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        console.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(csp(&app.get("/kiosk/").await).contains("frame-ancestors 'self'"));
    // Without CORS origins, any site may embed the widget's panel.
    assert!(csp(&app.get("/widget/frame.html").await).contains("frame-ancestors *"));

    let restricted = TestApp::with(|s| {
        s.cors = Cors::parse(&["https://www.guyane.gouv.fr".to_owned()]).expect("origins");
    })
    .await;
    let policy = csp(&restricted.get("/widget/frame.html").await);
    assert!(
        policy.contains("frame-ancestors 'self' https://www.guyane.gouv.fr"),
        "{policy}"
    );
}

/// The `/…` paths a page, a stylesheet or a script refers to.
fn references(path: &str, media: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let base = &path[..=path.rfind('/').unwrap_or(0)];
    if media.starts_with("text/html") {
        for attr in ["href=\"", "src=\""] {
            for piece in text.split(attr).skip(1) {
                let value = piece.split('"').next().unwrap_or("");
                out.push(value.to_owned());
            }
        }
    } else if media.starts_with("text/css") {
        for piece in text.split("url(").skip(1) {
            let value = piece
                .split(')')
                .next()
                .unwrap_or("")
                .trim_matches(['"', '\'']);
            if value.starts_with("data:") {
                continue;
            }
            out.push(if value.starts_with('/') {
                value.to_owned()
            } else {
                format!("{base}{value}")
            });
        }
    } else if media.starts_with("text/javascript") {
        // Module imports and the literal paths the scripts fetch or show.
        for quote in ['"', '`'] {
            for piece in text.split(quote).skip(1).step_by(2) {
                if (piece.starts_with("/assets/")
                    || piece.starts_with("/widget/")
                    || piece.starts_with("/kiosk/")
                    || piece.starts_with("/console/"))
                    && !piece.contains(['$', '{', ' '])
                {
                    out.push(piece.to_owned());
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_referenced_file_is_served_and_nothing_comes_from_another_host() {
    let app = TestApp::new().await;
    let mut todo: Vec<String> = [
        "/",
        "/widget/",
        "/widget/frame.html",
        "/kiosk/",
        "/console/",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut seen = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = app.get(&path).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{path} is referenced but not served"
        );
        let media = r.header("content-type").unwrap_or_default();
        if !(media.starts_with("text/")) {
            continue;
        }
        for reference in references(&path, &media, &r.text()) {
            assert!(
                !reference.starts_with("http:")
                    && !reference.starts_with("https:")
                    && !reference.starts_with("//"),
                "{path} loads {reference} from another host"
            );
            if reference.starts_with('#') || reference.is_empty() {
                continue;
            }
            let clean = reference.split(['?', '#']).next().unwrap_or("").to_owned();
            todo.push(clean);
        }
    }
    // The crawl reached the scripts, the DSFR bundle and its files.
    for expected in [
        "/assets/accueil/render.js",
        "/assets/dsfr/dsfr-accueil.min.css",
        "/assets/dsfr/fonts/Marianne-Regular.woff2",
        "/assets/dsfr/icons/system/close-line.svg",
        "/widget/accueil.js",
    ] {
        assert!(seen.contains(expected), "{expected} not reached: {seen:?}");
    }
}

#[tokio::test]
async fn every_pictogram_of_the_shipped_content_is_served() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::load(root).expect("the shipped content loads");
    let pictos: Vec<String> = engine.content.pictos.values().map(|p| p.src()).collect();
    assert!(pictos.len() > 20);
    let state = AppState::new(
        engine,
        Arc::new(SledStore::temporary().expect("store")),
        Settings::new(root),
    )
    .await;
    let router = app(state);
    for src in pictos {
        let response = tower::ServiceExt::oneshot(
            router.clone(),
            Request::get(&src).body(Body::empty()).expect("request"),
        )
        .await
        .expect("infallible");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{src}: run web/update-dsfr.sh?"
        );
        assert_eq!(
            response.headers().get("content-type"),
            Some(&HeaderValue::from_static("image/svg+xml")),
            "{src}"
        );
    }
}

#[tokio::test]
async fn the_dsfr_licence_is_shipped_with_the_files() {
    let app = TestApp::new().await;
    let licence = app.get("/assets/dsfr/LICENSE.md").await.text();
    assert!(licence.contains("LICENCE OUVERTE"), "Etalab open licence");
    let version = app.get("/assets/dsfr/VERSION").await.text();
    assert!(version.starts_with("@gouvfr/dsfr "), "{version}");
    let css = app.get("/assets/dsfr/dsfr-accueil.min.css").await.text();
    let pinned = version
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("@gouvfr/dsfr ");
    assert!(
        css.contains(&format!("DSFR v{pinned}")),
        "the bundle is of the pinned version"
    );
}

#[tokio::test]
async fn a_web_dir_is_served_instead_and_never_left() {
    let dir = temp_dir("web");
    std::fs::create_dir_all(dir.path().join("widget")).expect("mkdir");
    std::fs::write(dir.path().join("widget/index.html"), "<p>edited</p>").expect("write");
    std::fs::write(dir.path().join("widget/x.js"), "export const x = 1;").expect("write");
    std::fs::write(dir.path().join("secret.txt"), "no").expect("write");
    let web = dir.path().to_path_buf();
    let app = TestApp::with(move |s| s.pages.web_dir = Some(web)).await;
    let r = app.get("/widget/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "<p>edited</p>");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));
    let js = app.get("/widget/x.js").await;
    assert_eq!(
        js.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    let etag = js.header("etag").expect("etag");
    let again = get_with(&app, "/widget/x.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    for path in [
        "/widget/../secret.txt",
        "/widget/%2e%2e/secret.txt",
        "/kiosk/",
        "/widget/missing.js",
    ] {
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
