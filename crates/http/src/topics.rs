//! `GET /api/v1/topics` and `GET /api/v1/intents/{id}`: the content as
//! menus and pages, for navigating without typing.
//!
//! The kiosk shows the topic tree as big buttons with pictograms; a button
//! sends its intent id as a chat `choice`, or opens the intent's page here
//! (links in answers, printing the steps, QR codes). Each domain also lists
//! its guided journeys, entered by sending the journey id as a `choice`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::error::{json_response, ApiError};
use super::pages::query_lang;
use super::AppState;
use accueil_engine::content::{Content, Domain, Intent, Lang};
use accueil_engine::reply::{self, Composer, PictoRef, Reply};

#[derive(Debug, Serialize)]
struct Topics<'a> {
    content_version: &'a str,
    /// With `?site=`: its id and name, for the page's header.
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<TopicSite<'a>>,
    /// The site's start order: its own domains first (`domains` of its
    /// file), then the others.
    domains: Vec<TopicDomain<'a>>,
    /// The main topics to offer when a conversation opens (the site's
    /// `topics`, or the national ones).
    main: Vec<TopicIntent<'a>>,
    /// The title of every intent, conversation ones included, by id (for
    /// the agents' console, which never shows a raw id).
    titles: std::collections::BTreeMap<&'a str, &'a str>,
}

#[derive(Debug, Serialize)]
struct TopicSite<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Debug, Serialize)]
struct TopicDomain<'a> {
    /// The id prefix of its intents: `sejour`, `ddtm`, `fs`.
    id: &'static str,
    label: &'static str,
    intents: Vec<TopicIntent<'a>>,
    /// Guided journeys of the domain ("which procedure?"): send the `id`
    /// as a chat `choice` to start one.
    journeys: Vec<TopicIntent<'a>>,
    /// False for a domain the site does not handle (the kiosk of a DDTM
    /// still lists residence permits, last, and their answers say where
    /// to go).
    here: bool,
}

#[derive(Debug, Serialize)]
struct TopicIntent<'a> {
    id: &'a str,
    title: &'a str,
    pictos: Vec<PictoRef>,
}

fn pictos(content: &Content, intent: &Intent) -> Vec<PictoRef> {
    intent
        .pictos
        .iter()
        .filter_map(|id| content.pictos.get(id))
        .map(|p| PictoRef {
            id: p.id.clone(),
            alt: p.alt.clone(),
            src: p.src(),
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct TopicsQuery {
    site: Option<String>,
    /// `fr` (the default) or `en`: the titles' language.
    lang: Option<String>,
}

/// A domain's label in `lang`.
fn domain_label(domain: Domain, lang: Lang) -> &'static str {
    match (lang, domain) {
        (Lang::Fr, d) => d.label(),
        (Lang::En, Domain::Sejour) => "Residence permits",
        (Lang::En, Domain::Ddtm) => "DDTM procedures",
        (Lang::En, Domain::FranceServices) => "France services",
        (Lang::En, Domain::Conversation) => "Conversation",
    }
}

/// The menu tree: every domain but the conversation one, with its intents
/// in title order (as a person scans a menu); with `?site=`, in that
/// site's order; with `?lang=en`, the English titles where written.
pub(crate) async fn topics(
    State(state): State<AppState>,
    query: Result<Query<TopicsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
    let lang = query_lang(query.lang.as_deref())?;
    let engine = state.engine();
    let content = engine.content_in(lang);
    let site = accueil_service::conversation::find_site(content, query.site.as_deref())?;
    let mut order: Vec<Domain> = Domain::ALL
        .iter()
        .copied()
        .filter(|d| *d != Domain::Conversation)
        .collect();
    if let Some(s) = site {
        // Stable: the site's domains in its order, then the others.
        order.sort_by_key(|d| {
            s.domains
                .iter()
                .position(|n| n == d.name())
                .unwrap_or(usize::MAX)
        });
    }
    let domains = order
        .into_iter()
        .map(|d| {
            let mut intents: Vec<&Intent> =
                content.intents.iter().filter(|i| i.domain == d).collect();
            intents.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
            TopicDomain {
                id: d.name(),
                label: domain_label(d, lang),
                intents: intents
                    .into_iter()
                    .map(|i| TopicIntent {
                        id: &i.id,
                        title: &i.title,
                        pictos: pictos(content, i),
                    })
                    .collect(),
                journeys: content
                    .journeys
                    .values()
                    .filter(|j| j.domain == d.name())
                    .map(|j| TopicIntent {
                        id: &j.id,
                        title: &j.title,
                        pictos: j
                            .picto
                            .as_deref()
                            .and_then(|p| reply::picto(content, p))
                            .into_iter()
                            .collect(),
                    })
                    .collect(),
                here: site.is_none_or(|s| reply::handles(s, d)),
            }
        })
        .filter(|d| !d.intents.is_empty())
        .collect();
    let main = reply::main_topics(site)
        .into_iter()
        .filter_map(|id| content.intent(id))
        .map(|i| TopicIntent {
            id: &i.id,
            title: &i.title,
            pictos: pictos(content, i),
        })
        .collect();
    let titles = content
        .intents
        .iter()
        .map(|i| (i.id.as_str(), i.title.as_str()))
        .collect();
    // Serialised here, while `engine` is borrowed.
    json_response(&Topics {
        content_version: &content.version,
        site: site.map(|s| TopicSite {
            id: &s.id,
            name: &s.name,
        }),
        domains,
        main,
        titles,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct IntentQuery {
    site: Option<String>,
    /// `fr` (the default) or `en`.
    lang: Option<String>,
}

#[derive(Debug, Serialize)]
struct IntentPage<'a> {
    id: &'a str,
    domain: &'static str,
    title: &'a str,
    reply: Reply,
}

/// One intent's full reply, with a site's values when `?site=` is given,
/// in English with `?lang=en`.
pub(crate) async fn intent(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<IntentQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::InvalidPath(e.body_text()))?;
    let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
    let lang = query_lang(query.lang.as_deref())?;
    let engine = state.engine();
    let content = engine.content_in(lang);
    let site = accueil_service::conversation::find_site(content, query.site.as_deref())?;
    let Some(intent) = content.intent(&id) else {
        let shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
        return Err(ApiError::UnknownIntent(shown));
    };
    let page = IntentPage {
        id: &intent.id,
        domain: intent.domain.name(),
        title: &intent.title,
        reply: Composer::new(content, site)
            .with_notices(&state.notices().snapshot(), state.now(), false)
            .answer(intent),
    };
    json_response(&page)
}
