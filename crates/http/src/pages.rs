//! The pages people see: the chat widget, the kiosk, the agents' console,
//! the vendored DSFR files, and the printable answer sheet with its QR code.
//!
//! Every file of `web/` is compiled into the binary by `build.rs` (a table
//! of `include_bytes!`, with a gzip copy of the text files), so `accueil
//! serve` on a fresh clone serves `/widget/`, `/kiosk/` and `/console/`
//! with no build step, no folder to deploy and no request to another host.
//! `--web-dir` serves the same paths from a folder instead, so the pages
//! can be edited without rebuilding.
//!
//! `/fiche/{intent}?site=` is rendered here from the content: one intent's
//! answer and steps as a page that prints on A4, which the kiosk offers as a
//! QR code (`/fiche/{intent}/qr.svg`) so a person takes the steps home.
//!
//! Headers: an ETag on every file (a revalidation costs a 304), a long cache
//! for the vendored DSFR files, a Content-Security-Policy that allows only
//! this server, and framing rules: the widget's panel may be embedded by
//! the sites allowed to call the API (`ACCUEIL_CORS_ORIGINS`, any site when
//! none is set), the console by no one.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header::{
    ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY,
    CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::config::Cors;
use super::error::ApiError;
use super::AppState;
use accueil_engine::content::{Content, Intent, Site};
use accueil_engine::lang::Lang;
use accueil_engine::reply::{Composer, Reply, SheetView};
use accueil_service::conversation::Refusal;

/// One file of `web/`, compiled in.
#[derive(Debug)]
pub(crate) struct Asset {
    /// The URL path it is served at.
    pub path: &'static str,
    pub media_type: &'static str,
    /// A strong validator of `body` (quoted).
    pub etag: &'static str,
    pub body: &'static [u8],
    /// The same bytes gzipped, for text files where it pays.
    pub gzip: Option<&'static [u8]>,
}

mod table {
    use super::Asset;
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// Folders of `web/` and the URL prefix each is served under (the same
/// table as `build.rs`, for `--web-dir`).
const MOUNTS: &[(&str, &str)] = &[
    ("widget", "/widget/"),
    ("kiosk", "/kiosk/"),
    ("console", "/console/"),
    ("common", "/assets/accueil/"),
    ("vendor/dsfr", "/assets/dsfr/"),
];

/// The compiled-in file served at `path` (`/widget/` is its `index.html`).
pub(crate) fn asset(path: &str) -> Option<&'static Asset> {
    let path = index_path(path);
    table::ASSETS
        .binary_search_by(|a| a.path.cmp(path.as_ref()))
        .ok()
        .map(|k| &table::ASSETS[k])
}

/// Every compiled-in file, sorted by path.
#[cfg(test)]
pub(crate) fn assets() -> &'static [Asset] {
    table::ASSETS
}

fn index_path(path: &str) -> Cow<'_, str> {
    if path.ends_with('/') && path != "/" {
        Cow::Owned(format!("{path}index.html"))
    } else {
        Cow::Borrowed(path)
    }
}

/// The media type of a file name, as `build.rs` assigns it.
pub(crate) fn media_type(path: &str) -> Option<&'static str> {
    let ext = match Path::new(path).extension() {
        Some(ext) => ext.to_str()?.to_ascii_lowercase(),
        None => String::new(),
    };
    media_type_of_ext(&ext)
}

include!("media_types.rs");

/// `accueil serve` flags of the pages.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PagesArgs {
    /// Public address of this server, as people's phones reach it (like
    /// `https://accueil.guyane.gouv.fr`): the kiosk's QR codes and the
    /// printable page's address point there. Without it, no QR code and
    /// no absolute link (never one built from a request's Host header).
    #[arg(long, env = "ACCUEIL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Serve the pages from this folder (laid out like `web/`) instead of
    /// the copy compiled into the binary: for editing them without a rebuild.
    #[arg(long, env = "ACCUEIL_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
}

/// The checked settings of the pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagesSettings {
    /// `scheme://host[:port][/prefix]`, without a trailing slash.
    pub public_url: Option<String>,
    pub web_dir: Option<PathBuf>,
}

impl PagesSettings {
    pub fn from_args(args: &PagesArgs) -> Result<PagesSettings, String> {
        let public_url = match args.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(parse_public_url(url)?),
        };
        let web_dir = match &args.web_dir {
            None => None,
            Some(dir) if dir.join("widget").is_dir() => Some(dir.clone()),
            Some(dir) => {
                return Err(format!(
                    "ACCUEIL_WEB_DIR: {} has no widget/ folder: give the repository's web/ folder",
                    dir.display()
                ))
            }
        };
        Ok(PagesSettings {
            public_url,
            web_dir,
        })
    }
}

/// `http(s)://host[:port][/path]`, no query or fragment; the trailing
/// slash is dropped.
fn parse_public_url(url: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "ACCUEIL_PUBLIC_URL: `{url}` is not an address like https://accueil.example.gouv.fr"
        )
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    let path_ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'));
    if !host_ok || !path_ok {
        return Err(bad());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The routes of the pages, merged into the API router by [`super::app`].
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(static_file))
        .route("/favicon.ico", get(favicon))
        .route("/widget", get(add_slash))
        .route("/kiosk", get(add_slash))
        .route("/console", get(add_slash))
        .route("/widget/", get(static_file))
        .route("/widget/{*path}", get(static_file))
        .route("/kiosk/", get(static_file))
        .route("/kiosk/{*path}", get(static_file))
        .route("/console/", get(static_file))
        .route("/console/{*path}", get(static_file))
        .route("/assets/{*path}", get(static_file))
        .route("/fiche/{intent}", get(fiche))
        .route("/fiche/{intent}/qr.svg", get(qr_code))
}

/// `/kiosk?site=x` → `/kiosk/?site=x`: the pages' relative paths need the
/// slash, and the query (the kiosk's site) must survive.
async fn add_slash(uri: Uri) -> Response {
    let to = match uri.query() {
        Some(q) => format!("{}/?{q}", uri.path()),
        None => format!("{}/", uri.path()),
    };
    match HeaderValue::from_str(&to) {
        Ok(location) => (StatusCode::PERMANENT_REDIRECT, [(LOCATION, location)]).into_response(),
        Err(_) => ApiError::InvalidQuery("the query cannot be carried over".into()).into_response(),
    }
}

async fn favicon(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve_path(&state, "/assets/dsfr/favicon/favicon.ico", &headers).await
}

async fn static_file(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    serve_path(&state, uri.path(), &headers).await
}

async fn serve_path(state: &AppState, path: &str, headers: &HeaderMap) -> Response {
    let settings = state.settings();
    let file = match &settings.pages.web_dir {
        None => asset(path).map(|a| File {
            media_type: a.media_type,
            etag: Cow::Borrowed(a.etag),
            body: Cow::Borrowed(a.body),
            gzip: a.gzip,
        }),
        Some(dir) => match read_from_dir(dir, path).await {
            Ok(file) => file,
            Err(e) => return ApiError::Internal(e).into_response(),
        },
    };
    let Some(file) = file else {
        return ApiError::NotFound.into_response();
    };
    // The gzip copy is another representation: it gets its own validator
    // (`"…-gz"`), and either one revalidates the file.
    let gz = file.gzip.filter(|_| accepts_gzip(headers));
    let gz_etag = gzip_etag(&file.etag);
    let etag = if gz.is_some() {
        gz_etag.as_str()
    } else {
        &*file.etag
    };
    let mut response = if etag_matches(headers, &file.etag) || etag_matches(headers, &gz_etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some(gz) = gz {
        let mut r = gz.into_response();
        r.headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        match file.body {
            Cow::Borrowed(b) => b.into_response(),
            Cow::Owned(b) => b.into_response(),
        }
    };
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(file.media_type));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(ETAG, v);
    }
    if file.gzip.is_some() {
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    // The vendored DSFR files change only with a new version of the
    // server; our own pages are revalidated on every load, so a new
    // release is seen at once.
    let cache = if path.starts_with("/assets/dsfr/") && settings.pages.web_dir.is_none() {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    security_headers(h, path, file.media_type, &settings.cors);
    response
}

/// A file to send, compiled in or read from `--web-dir`.
struct File {
    media_type: &'static str,
    etag: Cow<'static, str>,
    body: Cow<'static, [u8]>,
    gzip: Option<&'static [u8]>,
}

/// Read `path` from a folder laid out like `web/`; `None` when there is no
/// such file or the path tries to leave the folder.
async fn read_from_dir(dir: &Path, path: &str) -> Result<Option<File>, String> {
    let Some(file) = disk_path(dir, path) else {
        return Ok(None);
    };
    let Some(media_type) = media_type(&file.to_string_lossy()) else {
        return Ok(None);
    };
    // Development only: a blocking read on the blocking pool.
    let read = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || std::fs::read(file))
            .await
            .map_err(|e| format!("read task failed: {e}"))?
    };
    match read {
        Ok(bytes) => Ok(Some(File {
            media_type,
            etag: Cow::Owned(format!("\"{:016x}\"", fnv1a(&bytes))),
            body: Cow::Owned(bytes),
            gzip: None,
        })),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        // A directory named like a file, or a permission problem.
        Err(e) if file.is_dir() => {
            tracing::debug!(error = %e, "a folder, not a file");
            Ok(None)
        }
        Err(e) => Err(format!("reading {}: {e}", file.display())),
    }
}

/// The file of `dir` a URL path maps to, refusing any segment that could
/// leave the folder or reach a hidden file.
fn disk_path(dir: &Path, path: &str) -> Option<PathBuf> {
    let path = index_path(path);
    if path == "/" {
        return Some(dir.join("index.html"));
    }
    let (folder, rest) = MOUNTS
        .iter()
        .find_map(|(folder, prefix)| path.strip_prefix(prefix).map(|rest| (folder, rest)))?;
    let mut file = dir.join(folder);
    for segment in rest.split('/') {
        if segment.is_empty()
            || segment.starts_with('.')
            || segment.contains('\\')
            || segment.contains('\0')
        {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

/// FNV-1a, 64 bits (`fnv`), as build.rs hashes the embedded files.
fn fnv1a(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    h.finish()
}

/// `"abc"` → `"abc-gz"`.
fn gzip_etag(etag: &str) -> String {
    format!("{}-gz\"", etag.trim_end_matches('"'))
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// Whether `Accept-Encoding` takes gzip (not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p.starts_with("q=0.0") && p.trim_end_matches('0') == "q=0."
            });
            (name == "gzip" || name == "x-gzip" || name == "*") && !refused
        })
}

/// The Content-Security-Policy and framing rules of a response.
fn security_headers(h: &mut HeaderMap, path: &str, media_type: &str, cors: &Cors) {
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !media_type.starts_with("text/html") {
        return;
    }
    let frame_ancestors: Cow<'static, str> = if path.starts_with("/console/") {
        h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        Cow::Borrowed("'none'")
    } else if path == "/widget/frame.html" {
        // The panel of the widget is embedded by other sites.
        match cors {
            Cors::Origins(list) => {
                let mut v = String::from("'self'");
                for origin in list {
                    if let Ok(o) = origin.to_str() {
                        v.push(' ');
                        v.push_str(o);
                    }
                }
                Cow::Owned(v)
            }
            Cors::Any | Cors::Off => Cow::Borrowed("*"),
        }
    } else {
        Cow::Borrowed("'self'")
    };
    let csp = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         connect-src 'self'; font-src 'self'; frame-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    let referrer = if path.starts_with("/console/") {
        "no-referrer"
    } else {
        "strict-origin-when-cross-origin"
    };
    h.insert(REFERRER_POLICY, HeaderValue::from_static(referrer));
}

#[derive(Debug, Deserialize)]
pub(crate) struct FicheQuery {
    site: Option<String>,
    /// `fr` (the default) or `en`.
    lang: Option<String>,
}

/// The `?lang=` of a page or menu: French when absent or empty, `en` for
/// English, anything else refused (`400 unknown_lang`, as the chat does).
pub(crate) fn query_lang(raw: Option<&str>) -> Result<Lang, ApiError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(Lang::Fr),
        Some(code) => Lang::parse(code).ok_or_else(|| {
            let shown: String = code.chars().filter(|c| !c.is_control()).take(64).collect();
            ApiError::Refused(Refusal::UnknownLang(shown))
        }),
    }
}

/// The intent and site of a `/fiche/` request, or the error to show.
fn fiche_target<'a>(
    content: &'a Content,
    id: &str,
    site: Option<&str>,
) -> Result<(&'a Intent, Option<&'a Site>), ApiError> {
    let site = accueil_service::conversation::find_site(content, site)?;
    match content.intent(id) {
        Some(intent) if intent.domain != accueil_engine::content::Domain::Conversation => {
            Ok((intent, site))
        }
        _ => {
            let shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
            Err(ApiError::UnknownIntent(shown))
        }
    }
}

/// `GET /fiche/{intent}?site=`: the answer as a page to read on a phone or
/// print on A4.
async fn fiche(
    State(state): State<AppState>,
    path: Result<UrlPath<String>, PathRejection>,
    query: Result<Query<FicheQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let html = wants_html(&headers);
    let result = (|| {
        let UrlPath(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
        let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
        let lang = query_lang(query.lang.as_deref())?;
        let engine = state.engine();
        let content = engine.content_in(lang);
        let (intent, site) = fiche_target(content, &id, query.site.as_deref())?;
        // The printable page carries what the chat would: the notices in
        // force about this answer, the glossary, the site's contact.
        let notices = state.notices().snapshot();
        let reply = Composer::new(content, site)
            .with_notices(&notices, state.now(), false)
            .answer(intent);
        let url = fiche_url(&state, &intent.id, site, lang).ok();
        Ok::<String, ApiError>(render_fiche(intent, site, &reply, url.as_deref(), lang))
    })();
    let mut response = match result {
        Ok(page) => page.into_response(),
        Err(e) if html => {
            let status = e.status();
            (status, error_page(&e)).into_response()
        }
        Err(e) => return e.into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    security_headers(
        h,
        "/fiche/",
        "text/html; charset=utf-8",
        &state.settings().cors,
    );
    response
}

/// `GET /fiche/{intent}/qr.svg?site=`: a QR code of the fiche's address.
async fn qr_code(
    State(state): State<AppState>,
    path: Result<UrlPath<String>, PathRejection>,
    query: Result<Query<FicheQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let UrlPath(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
    let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
    let lang = query_lang(query.lang.as_deref())?;
    let engine = state.engine();
    let (intent, site) = fiche_target(&engine.content, &id, query.site.as_deref())?;
    let url = fiche_url(&state, &intent.id, site, lang)?;
    let svg = qr_svg(&url).map_err(|e| ApiError::Internal(format!("QR code of {url}: {e}")))?;
    let mut response = svg.into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&url) {
        h.insert(HeaderName::from_static("x-accueil-qr-url"), v);
    }
    Ok(response)
}

/// The SVG of a QR code (medium error correction, with its quiet zone).
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// The absolute address of an intent's fiche, from the configured public
/// URL only: built from the request's Host header, a page or a QR code
/// would point wherever a client (or a poisoned shared cache) said.
/// French is the page's default: only English is written in the address.
fn fiche_url(
    state: &AppState,
    intent: &str,
    site: Option<&Site>,
    lang: Lang,
) -> Result<String, ApiError> {
    let base = state
        .settings()
        .pages
        .public_url
        .as_ref()
        .ok_or(ApiError::NoPublicUrl)?;
    let mut url = format!("{base}/fiche/{}", percent_encode(intent));
    let mut sep = '?';
    if let Some(site) = site {
        let _ = write!(url, "{sep}site={}", percent_encode(&site.id));
        sep = '&';
    }
    if lang != Lang::Fr {
        let _ = write!(url, "{sep}lang={}", lang.code());
    }
    Ok(url)
}

/// Percent-encode everything but the unreserved characters of RFC 3986.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Browsers ask for HTML first; scripts and curl get the JSON error.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Escape text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Only web and phone links become links; anything else stays text.
fn safe_href(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("tel:")
}

/// `2026-11-22` → `22/11/2026`; anything else as written.
fn french_date(date: &str) -> String {
    let parts: Vec<&str> = date.trim().split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => date.to_owned(),
    }
}

/// The printable page's own words, in the page's language.
struct FicheWords {
    /// Who publishes the page when no site is given.
    org: &'static str,
    kind: &'static str,
    steps: &'static str,
    /// "{n} étapes", the list's label.
    steps_count: &'static str,
    step: &'static str,
    links: &'static str,
    glossary: &'static str,
    contact: &'static str,
    address: &'static str,
    hours: &'static str,
    phone: &'static str,
    checked: &'static str,
    online: &'static str,
    print: &'static str,
    /// Before a value: « : » in French, ":" in English.
    colon: &'static str,
}

const FICHE_FR: FicheWords = FicheWords {
    org: "Services de l'État",
    kind: "Fiche pratique",
    steps: "Les étapes",
    steps_count: "étapes",
    step: "Étape",
    links: "Pour en savoir plus",
    glossary: "Mots expliqués",
    contact: "Contact",
    address: "Adresse",
    hours: "Horaires",
    phone: "Téléphone",
    checked: "Informations vérifiées le",
    online: "Cette fiche sur internet",
    print: "Imprimer cette fiche",
    colon: " :",
};

const FICHE_EN: FicheWords = FicheWords {
    org: "French State services",
    kind: "Information sheet",
    steps: "The steps",
    steps_count: "steps",
    step: "Step",
    links: "More information",
    glossary: "Words explained",
    contact: "Contact",
    address: "Address",
    hours: "Opening hours",
    phone: "Phone",
    checked: "Information checked on",
    online: "This sheet online",
    print: "Print this sheet",
    colon: ":",
};

fn fiche_words(lang: Lang) -> &'static FicheWords {
    match lang {
        Lang::Fr => &FICHE_FR,
        Lang::En => &FICHE_EN,
    }
}

fn page_head(out: &mut String, lang: Lang) {
    let _ = write!(
        out,
        r#"<!doctype html>
<html lang="{}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/dsfr/dsfr-accueil.min.css">
<link rel="stylesheet" href="/assets/dsfr/dsfr-accueil.print.min.css" media="print">
<link rel="stylesheet" href="/assets/accueil/fiche.css">
<link rel="icon" href="/assets/dsfr/favicon/favicon.svg" type="image/svg+xml">
"#,
        lang.code()
    );
}

fn page_header(out: &mut String, org: &str, words: &FicheWords) {
    let _ = write!(
        out,
        r#"<header class="fiche-header">
<p class="fr-logo" lang="fr">République<br>Française</p>
<p class="fiche-org">{}<span class="fiche-kind">{}</span></p>
</header>
"#,
        esc(org),
        words.kind
    );
}

/// The printable page of one intent, in `lang` (`intent` and `reply` come
/// from the content of that language; an intent with no text in it is
/// French, marked so for screen readers).
fn render_fiche(
    intent: &Intent,
    site: Option<&Site>,
    reply: &Reply,
    url: Option<&str>,
    lang: Lang,
) -> String {
    let words = fiche_words(lang);
    // ` lang="fr"` on the content's own texts when they are not in the
    // page's language.
    let text_lang = if intent.lang == lang {
        String::new()
    } else {
        format!(" lang=\"{}\"", intent.lang.code())
    };
    let colon = words.colon;
    let mut out = String::with_capacity(8 * 1024);
    let org = site.map(|s| s.name.as_str()).unwrap_or(words.org);
    page_head(&mut out, lang);
    let _ = writeln!(
        out,
        "<title>{} – {}</title>\n</head>\n<body>",
        esc(&intent.title),
        esc(org)
    );
    page_header(&mut out, org, words);
    out.push_str("<main id=\"contenu\" class=\"fiche\">\n");
    let _ = writeln!(out, "<h1{text_lang}>{}</h1>", esc(&intent.title));
    if let Some(note) = &reply.language_note {
        let _ = writeln!(
            out,
            "<p class=\"fiche-language-note\" lang=\"{}\">{}</p>",
            esc(&note.lang),
            esc(&note.text)
        );
    }
    for notice in &reply.notices {
        let _ = write!(
            out,
            "<div class=\"fr-notice fr-notice--info fiche-notice\"><p>{}",
            esc(&notice.text)
        );
        if let Some(link) = &notice.link {
            let _ = write!(
                out,
                " <a href=\"{}\">{}</a>",
                esc(&link.url),
                esc(&link.label)
            );
        }
        out.push_str("</p></div>\n");
    }

    let _ = writeln!(out, "<div class=\"fiche-answer\"{text_lang}>");
    for line in reply.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let _ = writeln!(out, "<p>{}</p>", esc(line));
    }
    out.push_str("</div>\n");

    if let Some(sheet) = &reply.sheet {
        sheet_section(&mut out, sheet, &text_lang);
    }

    if !reply.steps.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ol class=\"fiche-steps\" aria-label=\"{} {}\">",
            words.steps,
            reply.steps.len(),
            words.steps_count
        );
        for step in &reply.steps {
            out.push_str("<li class=\"fiche-step\">");
            match &step.picto {
                Some(p) => {
                    let _ = write!(
                        out,
                        "<img class=\"fiche-picto\" src=\"{}\" alt=\"{}\" width=\"64\" height=\"64\">",
                        esc(&p.src),
                        esc(&p.alt)
                    );
                }
                None => out.push_str("<span class=\"fiche-picto\" aria-hidden=\"true\"></span>"),
            }
            let _ = write!(
                out,
                "<div><p class=\"fiche-step-n\">{} {}</p><p class=\"fiche-step-text\"{text_lang}>{}</p>",
                words.step,
                step.n,
                esc(&step.text)
            );
            if let Some(link) = &step.link {
                link_paragraph(&mut out, &link.label, &link.url, colon);
            }
            out.push_str("</div></li>\n");
        }
        out.push_str("</ol>\n");
    }

    if !reply.links.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul class=\"fiche-links\"{text_lang}>",
            words.links
        );
        for link in &reply.links {
            out.push_str("<li>");
            link_paragraph(&mut out, &link.label, &link.url, colon);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }

    if !reply.glossary.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<dl class=\"fiche-glossary\">",
            words.glossary
        );
        for g in &reply.glossary {
            let _ = writeln!(
                out,
                "<dt>{}</dt><dd>{}</dd>",
                esc(&g.term),
                esc(&g.explanation)
            );
        }
        out.push_str("</dl>\n");
    }
    if let Some(contact) = &reply.contact {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<div class=\"fiche-contact\">",
            words.contact
        );
        let _ = writeln!(out, "<p><strong>{}</strong></p>", esc(&contact.name));
        if let Some(a) = &contact.address {
            let _ = writeln!(out, "<p>{}{colon} {}</p>", words.address, esc(a));
        }
        if let Some(h) = &contact.hours {
            let _ = writeln!(out, "<p>{}{colon} {}</p>", words.hours, esc(h));
        }
        if let Some(p) = &contact.phone {
            let tel: String = p
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            let _ = writeln!(
                out,
                "<p>{}{colon} <a href=\"tel:{}\">{}</a></p>",
                words.phone,
                esc(&tel),
                esc(p)
            );
        }
        if !contact.text.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", esc(&contact.text));
        }
        out.push_str("</div>\n");
    }

    out.push_str("<footer class=\"fiche-footer\">\n");
    if let Some(date) = &intent.reviewed {
        let _ = writeln!(out, "<p>{} {}.</p>", words.checked, esc(&french_date(date)));
    }
    if let Some(url) = url {
        let _ = writeln!(
            out,
            "<p>{}{colon} <span class=\"fiche-url\">{}</span></p>",
            words.online,
            esc(url)
        );
    }
    let _ = write!(
        out,
        "<p class=\"fiche-actions\"><button type=\"button\" id=\"imprimer\" \
         class=\"fr-btn fr-btn--secondary fr-icon-printer-line fr-btn--icon-left\">\
         {}</button></p>\n</footer>\n</main>\n\
         <script src=\"/assets/accueil/fiche.js\" defer></script>\n</body>\n</html>\n",
        words.print
    );
    out
}

/// « La démarche en bref »: the sheet's rows as a definition list, the
/// papers as a list. `text_lang`: the ` lang` attribute of its texts.
fn sheet_section(out: &mut String, sheet: &SheetView, text_lang: &str) {
    let _ = writeln!(
        out,
        "<section class=\"fiche-sheet\" aria-labelledby=\"fiche-sheet-title\">\n\
         <h2 id=\"fiche-sheet-title\">{}</h2>\n<dl class=\"fiche-sheet-rows\">",
        esc(&sheet.title)
    );
    for row in &sheet.rows {
        let _ = write!(
            out,
            "<div class=\"fiche-sheet-row\" data-field=\"{}\"><dt>{}</dt><dd{text_lang}>",
            esc(row.field),
            esc(row.label)
        );
        if let Some(text) = &row.text {
            out.push_str(&esc(text));
        }
        if !row.items.is_empty() {
            out.push_str("<ul>");
            for item in &row.items {
                let _ = write!(out, "<li>{}</li>", esc(item));
            }
            out.push_str("</ul>");
        }
        out.push_str("</dd></div>\n");
    }
    out.push_str("</dl>\n</section>\n");
}

fn link_paragraph(out: &mut String, label: &str, url: &str, colon: &str) {
    if safe_href(url) {
        let _ = write!(
            out,
            "<p class=\"fiche-link\">{}{colon} <a href=\"{}\">{}</a></p>",
            esc(label),
            esc(url),
            esc(url)
        );
    } else {
        let _ = write!(
            out,
            "<p class=\"fiche-link\">{}{colon} {}</p>",
            esc(label),
            esc(url)
        );
    }
}

/// A short page for a person who followed a wrong or old link.
fn error_page(e: &ApiError) -> String {
    let (title, text) = match e {
        ApiError::UnknownIntent(_) => (
            "Fiche introuvable",
            "Cette fiche n'existe pas ou n'existe plus.",
        ),
        ApiError::Refused(Refusal::UnknownSite { .. }) => (
            "Service inconnu",
            "Le service demandé n'existe pas. Vérifiez l'adresse de la page.",
        ),
        _ => (
            "Page introuvable",
            "L'adresse de cette page n'est pas valide.",
        ),
    };
    let mut out = String::with_capacity(1024);
    page_head(&mut out, Lang::Fr);
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(
        out,
        "<meta name=\"accueil-error\" content=\"{}\">\n</head>\n<body>",
        e.code()
    );
    page_header(&mut out, FICHE_FR.org, &FICHE_FR);
    let _ = writeln!(
        out,
        "<main id=\"contenu\" class=\"fiche\">\n<h1>{title}</h1>\n<p>{text}</p>\n</main>\n</body>\n</html>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_typed_like_the_file_names() {
        let all = assets();
        assert!(!all.is_empty());
        for pair in all.windows(2) {
            assert!(
                pair[0].path < pair[1].path,
                "{} then {}",
                pair[0].path,
                pair[1].path
            );
        }
        for a in all {
            if a.path != "/" {
                assert_eq!(media_type(a.path), Some(a.media_type), "{}", a.path);
            }
            assert!(
                a.etag.starts_with('"') && a.etag.ends_with('"'),
                "{}",
                a.path
            );
            if let Some(gz) = a.gzip {
                assert!(gz.len() < a.body.len(), "{}", a.path);
            }
        }
    }

    #[test]
    fn index_files_answer_for_their_folder() {
        for folder in ["/widget/", "/kiosk/", "/console/"] {
            let a = asset(folder).unwrap_or_else(|| panic!("{folder}"));
            assert_eq!(a.path, format!("{folder}index.html"));
        }
        assert_eq!(asset("/").map(|a| a.path), Some("/"));
        assert!(asset("/widget/nothing.js").is_none());
        assert!(asset("/assets/").is_none());
    }

    #[test]
    fn disk_paths_stay_inside_the_folder() {
        let dir = Path::new("/srv/web");
        let table = [
            ("/", Some("/srv/web/index.html")),
            ("/widget/", Some("/srv/web/widget/index.html")),
            ("/widget/frame.js", Some("/srv/web/widget/frame.js")),
            (
                "/assets/accueil/render.js",
                Some("/srv/web/common/render.js"),
            ),
            (
                "/assets/dsfr/icons/system/close-line.svg",
                Some("/srv/web/vendor/dsfr/icons/system/close-line.svg"),
            ),
            ("/widget/../../etc/passwd", None),
            ("/widget/%2e%2e/x", Some("/srv/web/widget/%2e%2e/x")),
            ("/widget/.hidden", None),
            ("/widget//x", None),
            ("/assets/other/x.css", None),
            ("/elsewhere", None),
        ];
        for (url, expected) in table {
            assert_eq!(disk_path(dir, url), expected.map(PathBuf::from), "{url}");
        }
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let table = [
            ("gzip, deflate, br", true),
            ("br;q=1.0, gzip;q=0.8", true),
            ("*", true),
            ("gzip;q=0", false),
            ("gzip; q=0.000", false),
            ("gzip;q=0.5", true),
            ("deflate, br", false),
            ("identity", false),
        ];
        for (value, expected) in table {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT_ENCODING, HeaderValue::from_static(value));
            assert_eq!(accepts_gzip(&h), expected, "{value}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        assert!(!etag_matches(&h, "\"abc\""));
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(etag_matches(&h, "\"abc\""));
        assert!(!etag_matches(&h, "\"abd\""));
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(etag_matches(&h, "\"anything\""));
    }

    #[test]
    fn public_urls() {
        let table = [
            (
                "https://accueil.guyane.gouv.fr",
                Some("https://accueil.guyane.gouv.fr"),
            ),
            (
                "https://accueil.guyane.gouv.fr/",
                Some("https://accueil.guyane.gouv.fr"),
            ),
            (
                "http://10.0.0.5:8080/accueil/",
                Some("http://10.0.0.5:8080/accueil"),
            ),
            ("accueil.guyane.gouv.fr", None),
            ("https://", None),
            ("https://a.fr/x?y=1", None),
            ("https://a b.fr", None),
            ("javascript:alert(1)", None),
        ];
        for (url, expected) in table {
            assert_eq!(parse_public_url(url).ok().as_deref(), expected, "{url}");
        }
    }

    #[test]
    fn escaping_and_encoding() {
        assert_eq!(esc("Prêt à l'emploi"), "Prêt à l&#39;emploi");
        assert_eq!(
            esc("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
        assert_eq!(
            percent_encode("sejour.renouvellement"),
            "sejour.renouvellement"
        );
        assert_eq!(percent_encode("a b/é"), "a%20b%2F%C3%A9");
        assert!(safe_href("https://www.service-public.fr/"));
        assert!(safe_href("tel:0594394500"));
        assert!(!safe_href("javascript:alert(1)"));
        assert!(!safe_href("data:text/html,x"));
        assert_eq!(french_date("2026-11-22"), "22/11/2026");
        assert_eq!(french_date("novembre 2026"), "novembre 2026");
    }

    #[test]
    fn qr_codes_are_svg_of_a_fixed_size() {
        let svg = qr_svg("https://accueil.example.gouv.fr/fiche/sejour.renouvellement?site=x")
            .expect("encodes");
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("width=\""), "{svg}");
        let again = qr_svg("https://accueil.example.gouv.fr/fiche/sejour.renouvellement?site=x")
            .expect("encodes");
        assert_eq!(svg, again, "deterministic");
        assert_ne!(svg, qr_svg("https://other.example/").expect("encodes"));
    }
}
