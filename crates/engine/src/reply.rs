//! Replies: what the person reads, composed in one place.
//!
//! The same structure feeds the command line (`ask`), the JSON of
//! `match`, the chat API (answers, steps walked one by one, journeys'
//! questions) and the printable page: text, numbered steps with their
//! pictogram, links, quick replies, the site's contact, the service
//! notices in force and the glossary of the words used. Site placeholders
//! are filled here, so nothing above this module sees `{{...}}`; the
//! sentences the assistant adds to the content are in [`say`].
//!
//! The builders below ([`intent_reply`], [`step_reply`], [`clarify_reply`],
//! [`fallback_offering`], [`journey_question`]...) make drafts that callers
//! may still shape (a conversation prefixes "your previous conversation
//! ended", a journey adds « Retour »); [`Composer::finish`] completes a
//! draft — notices and glossary — and is the one way a reply leaves the
//! engine. [`Composer`]'s one-shot methods do both for the callers that
//! shape nothing.

use crate::content::{Content, Domain, Intent, Link, Sheet, Site};
use crate::journey::Journey;
use crate::lang::Lang;
use crate::matcher::{Match, Outcome};
use crate::notices::{Millis, Notice, Subject};

/// The few sentences the assistant adds to the content's answers, in one
/// place for reviewers (FALC: short, one idea each).
pub mod say {
    use crate::lang::Lang;

    /// Prefixed to the first reply when the session sent was unknown or expired.
    pub const SESSION_ENDED: &str =
        "Votre conversation précédente est terminée. Nous recommençons.";
    /// Said when the last step of a procedure is shown.
    pub const LAST_STEP: &str = "C'est la dernière étape.";
    /// Said after "non" to "Vous parlez de : A ou B ?".
    pub const REPHRASE: &str =
        "D'accord. Écrivez votre question avec d'autres mots, ou choisissez un sujet.";
    /// Added to a fallback that offers the journeys of its domain.
    pub const FALLBACK_OFFER: &str =
        "Ou répondez à quelques questions pour trouver votre démarche.";
    /// The fallback's first sentence.
    pub const DONT_KNOW: &str = "Je ne sais pas répondre à cette question.";
    /// The fallback's second sentence: what really happens to the
    /// question (it reaches the agents' review, nobody answers it there).
    pub const NOTED: &str =
        "Votre question est notée pour améliorer ce service. Personne ne va vous répondre ici.";
    /// Before the contact, when a site gives one.
    pub const TO_A_PERSON: &str = "Pour parler à une personne, regardez le contact plus bas.";
    /// The fallback's last sentence, before the topics.
    pub const CHOOSE_TOPIC: &str = "Vous pouvez aussi choisir un sujet.";
    /// Said above an answer of a domain the site does not handle (a
    /// residence permit asked at a DDTM): `here` and `there` are the
    /// services' names as the site files write them (« la DDTM de
    /// l'Hérault », « la préfecture de l'Hérault »).
    pub fn elsewhere(here: &str, there: &str) -> String {
        format!(
            "Attention : cette démarche ne se fait pas {}. Elle se fait {}.",
            at(here),
            at(there)
        )
    }

    /// « à la DDTM », « au service des étrangers », « aux services ».
    pub fn at(name: &str) -> String {
        if let Some(rest) = name.strip_prefix("le ") {
            format!("au {rest}")
        } else if let Some(rest) = name.strip_prefix("les ") {
            format!("aux {rest}")
        } else {
            format!("à {name}")
        }
    }

    /// A clarification without candidates.
    pub const BE_PRECISE: &str = "Pouvez-vous préciser votre question ?";

    /// "Étape 2 sur 5."
    pub fn step_of(n: usize, total: usize) -> String {
        format!("Étape {n} sur {total}.")
    }

    /// "Vous parlez de : « A », « B » ou « C » ?"
    pub fn which_of(titles: &[String]) -> String {
        which_of_in(Lang::Fr, titles)
    }

    /// The assistant's sentences in one language.
    #[derive(Debug)]
    pub struct Words {
        pub session_ended: &'static str,
        pub last_step: &'static str,
        pub rephrase: &'static str,
        pub fallback_offer: &'static str,
        pub dont_know: &'static str,
        pub noted: &'static str,
        pub to_a_person: &'static str,
        pub choose_topic: &'static str,
        pub be_precise: &'static str,
        /// Said (in English) above an answer that has no English text yet.
        pub only_french: &'static str,
        /// The button one question back in a guided journey.
        pub back: &'static str,
    }

    pub const FRENCH: Words = Words {
        session_ended: SESSION_ENDED,
        last_step: LAST_STEP,
        rephrase: REPHRASE,
        fallback_offer: FALLBACK_OFFER,
        dont_know: DONT_KNOW,
        noted: NOTED,
        to_a_person: TO_A_PERSON,
        choose_topic: CHOOSE_TOPIC,
        be_precise: BE_PRECISE,
        only_french: "",
        back: "Retour",
    };

    pub const ENGLISH: Words = Words {
        session_ended: "Your previous conversation has ended. We start again.",
        last_step: "This is the last step.",
        rephrase: "All right. Write your question with other words, or choose a topic.",
        fallback_offer: "Or answer a few questions to find your procedure.",
        dont_know: "I cannot answer this question.",
        noted: "Your question is noted to improve this service. Nobody will answer you here.",
        to_a_person: "To talk to a person, see the contact below.",
        choose_topic: "You can also choose a topic.",
        be_precise: "Can you say more about your question?",
        only_french: "This answer is only available in French.",
        back: "Back",
    };

    /// The sentences of `lang`.
    pub fn words(lang: Lang) -> &'static Words {
        match lang {
            Lang::Fr => &FRENCH,
            Lang::En => &ENGLISH,
        }
    }

    /// [`elsewhere`] in `lang`.
    pub fn elsewhere_in(lang: Lang, here: &str, there: &str) -> String {
        match lang {
            Lang::Fr => elsewhere(here, there),
            Lang::En => format!(
                "Please note: this procedure is not done here ({here}). It is done by {there}."
            ),
        }
    }

    /// [`step_of`] in `lang`.
    pub fn step_of_in(lang: Lang, n: usize, total: usize) -> String {
        match lang {
            Lang::Fr => step_of(n, total),
            Lang::En => format!("Step {n} of {total}."),
        }
    }

    /// [`which_of`] in `lang`.
    pub fn which_of_in(lang: Lang, titles: &[String]) -> String {
        let (open, close, or, ask) = match lang {
            Lang::Fr => ("« ", " »", " ou ", "Vous parlez de : "),
            Lang::En => ("“", "”", " or ", "Do you mean: "),
        };
        let space = if lang == Lang::Fr { " " } else { "" };
        let quoted: Vec<String> = titles.iter().map(|t| format!("{open}{t}{close}")).collect();
        match quoted.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("{ask}{}{or}{last}{space}?", rest.join(", "))
            }
            Some((last, _)) => format!("{ask}{last}{space}?"),
            None => words(lang).be_precise.to_owned(),
        }
    }
}

/// The conversation intent behind « Étape suivante ».
pub const NEXT_STEP: &str = "conv.etape_suivante";
/// The conversation intent behind « Recommencer ».
pub const START_AGAIN: &str = "conv.recommencer";
/// The intent that answers "do you speak English?".
pub const LANGUAGE_INTENT: &str = "conv.langue";

/// Intents offered as topics when the assistant does not know.
pub const MAIN_TOPICS: &[&str] = &[
    "sejour.renouvellement",
    "sejour.rendez_vous",
    "ddtm.contact_ddtm",
    "fs.quest_ce_que",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PictoRef {
    pub id: String,
    pub alt: String,
    pub src: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplyStep {
    pub n: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picto: Option<PictoRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuickReply {
    pub label: String,
    pub payload: String,
    /// A pictogram for the button (the choices of a guided journey).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picto: Option<PictoRef>,
}

/// The chosen site's own contact, shown under answers so a person knows
/// where to go next. Values the site does not give are left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SiteContact {
    pub site: String,
    pub name: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The service's website (its contact form is there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// A real route to a person the site configures (`[handoff]`): the
    /// pages ask the person before sending anything there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff: Option<crate::content::Handoff>,
    /// The contact of another service, where this answer's procedure is
    /// done (a residence permit asked at a DDTM): shown at once.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub elsewhere: bool,
}

/// The section of a site's own values for its kind.
fn own_section(site: &Site) -> &'static str {
    match site.kind.as_str() {
        "prefecture" => "prefecture",
        "ddtm" => "ddtm",
        _ => "fs",
    }
}

/// The section of site values of the service handling a domain.
fn domain_section(domain: Domain) -> Option<&'static str> {
    match domain {
        Domain::Sejour => Some("prefecture"),
        Domain::Ddtm => Some("ddtm"),
        Domain::FranceServices => Some("fs"),
        Domain::Conversation => None,
    }
}

/// The contact block of a site: its own values only, never the generic ones.
pub fn site_contact(content: &Content, site: &Site) -> SiteContact {
    let section = own_section(site);
    let own = |key: &str| site.values.get(&format!("{section}.{key}")).cloned();
    SiteContact {
        site: site.id.clone(),
        name: site.name.clone(),
        text: content
            .site_value(Some(site), "contact")
            .unwrap_or_default()
            .to_owned(),
        address: own("adresse"),
        hours: own("horaires"),
        phone: own("telephone"),
        website: own("site"),
        handoff: site.handoff.clone(),
        elsewhere: false,
    }
}

/// Whether `site` handles the procedures of `domain` (a site naming no
/// domain handles them all; conversation is everywhere).
pub fn handles(site: &Site, domain: Domain) -> bool {
    domain == Domain::Conversation
        || site.domains.is_empty()
        || site.domains.iter().any(|d| d == domain.name())
}

/// The contact of the service handling `domain`, as `site` gives it (a
/// DDTM's file names its préfecture): its values, then the national
/// wording for the name.
fn elsewhere_contact(content: &Content, site: &Site, section: &str) -> SiteContact {
    let own = |key: &str| site.values.get(&format!("{section}.{key}")).cloned();
    let name = content
        .site_value(Some(site), &format!("{section}.nom"))
        .unwrap_or_default();
    let mut chars = name.chars();
    let name = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    SiteContact {
        site: site.id.clone(),
        name,
        text: String::new(),
        address: own("adresse"),
        hours: own("horaires"),
        phone: own("telephone"),
        website: own("site"),
        handoff: None,
        elsewhere: true,
    }
}

/// The main topics a site offers (at the start, when the assistant does
/// not know): its `topics`, or the national ones.
pub fn main_topics(site: Option<&Site>) -> Vec<&str> {
    match site {
        Some(s) if !s.topics.is_empty() => s.topics.iter().map(String::as_str).collect(),
        _ => MAIN_TOPICS.to_vec(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Reply {
    /// The language the reply is written in (`fr`, `en`); an answer with no
    /// English text stays French with a [`Reply::language_note`].
    pub lang: Lang,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    pub steps: Vec<ReplyStep>,
    /// The démarche at a glance (who, where, papers, cost, delay), with
    /// each row's label in the reply's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetView>,
    pub pictos: Vec<PictoRef>,
    pub links: Vec<Link>,
    pub quick_replies: Vec<QuickReply>,
    /// With a site: how to reach that service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SiteContact>,
    /// Service notices to show above the answer (closed desk, outage).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<crate::notices::NoticeView>,
    /// The acronyms the reply uses, explained (FALC: no unexplained acronym).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub glossary: Vec<GlossaryEntry>,
    /// On a fallback to a typed question: that question with its personal
    /// data masked, the only text a configured handoff may send (after
    /// the person agrees).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// To a message in another language: "I can only reply in French",
    /// in that language, shown above the French reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_note: Option<LanguageNote>,
}

/// A procedure sheet as shown: labelled rows, in the sheet's order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetView {
    /// « La démarche en bref » / "The procedure at a glance".
    pub title: String,
    pub rows: Vec<SheetRow>,
}

/// One row of a sheet: `field` is `who`, `where`, `papers`, `cost` or
/// `delay`; `papers` has `items`, the others `text`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetRow {
    pub field: &'static str,
    pub label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

/// The sheet of an intent, filled with the site's values.
pub fn sheet_view(content: &Content, site: Option<&Site>, sheet: &Sheet) -> SheetView {
    let (title, labels) = match content.lang {
        Lang::Fr => (
            "La démarche en bref",
            ["Pour qui", "Où", "Les papiers", "Le prix", "Le délai"],
        ),
        Lang::En => (
            "The procedure at a glance",
            ["Who for", "Where", "Papers", "Cost", "How long"],
        ),
    };
    let text = |field, label, t: &str| SheetRow {
        field,
        label,
        text: Some(content.fill(site, t)),
        items: Vec::new(),
    };
    let mut rows = vec![
        text("who", labels[0], &sheet.who),
        text("where", labels[1], &sheet.place),
    ];
    if !sheet.papers.is_empty() {
        rows.push(SheetRow {
            field: "papers",
            label: labels[2],
            text: None,
            items: sheet.papers.iter().map(|p| content.fill(site, p)).collect(),
        });
    }
    if let Some(cost) = &sheet.cost {
        rows.push(text("cost", labels[3], cost));
    }
    if let Some(delay) = &sheet.delay {
        rows.push(text("delay", labels[4], delay));
    }
    SheetView {
        title: title.to_owned(),
        rows,
    }
}

/// A line in the person's language (`lang`: ISO 639-1, for the page's
/// `lang` attribute so that a screen reader reads it right).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LanguageNote {
    pub lang: String,
    pub text: String,
}

/// An acronym of the reply and its plain explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GlossaryEntry {
    pub term: String,
    pub explanation: String,
}

/// The glossary entries of the acronyms and terms found in `texts`, in
/// order of first use, each once.
pub fn glossary_for<'a>(
    content: &Content,
    texts: impl IntoIterator<Item = &'a str>,
) -> Vec<GlossaryEntry> {
    let mut out: Vec<GlossaryEntry> = Vec::new();
    for text in texts {
        for (_, term) in content.glossary_terms.find(text) {
            if out.iter().any(|e| e.term == term) {
                continue;
            }
            if let Some(explanation) = content.glossary.get(&term) {
                out.push(GlossaryEntry {
                    term,
                    explanation: explanation.clone(),
                });
            }
        }
    }
    out
}

pub fn picto(content: &Content, id: &str) -> Option<PictoRef> {
    content.pictos.get(id).map(|p| PictoRef {
        id: p.id.clone(),
        alt: p.alt.clone(),
        src: p.src(),
    })
}

fn link(content: &Content, site: Option<&Site>, l: &Link) -> Link {
    Link {
        label: content.fill(site, &l.label),
        url: content.fill(site, &l.url),
    }
}

/// A quick reply that opens an intent.
pub fn intent_button(intent: &Intent) -> QuickReply {
    QuickReply {
        label: intent.title.clone(),
        payload: intent.id.clone(),
        picto: None,
    }
}

/// A quick reply that enters a guided journey (its payload is its id).
pub fn journey_button(content: &Content, journey: &crate::journey::Journey) -> QuickReply {
    QuickReply {
        label: journey.title.clone(),
        payload: journey.id.clone(),
        picto: journey.picto.as_deref().and_then(|p| picto(content, p)),
    }
}

/// The full reply of one intent.
pub fn intent_reply(content: &Content, site: Option<&Site>, intent: &Intent) -> Reply {
    let mut reply = Reply {
        lang: content.lang,
        title: Some(intent.title.clone()),
        text: content.fill(site, &intent.answer),
        sheet: intent.sheet.as_ref().map(|s| sheet_view(content, site, s)),
        steps: intent
            .steps
            .iter()
            .enumerate()
            .map(|(k, s)| ReplyStep {
                n: k + 1,
                text: content.fill(site, &s.text),
                picto: s.picto.as_deref().and_then(|p| picto(content, p)),
                link: s.link.as_ref().map(|l| link(content, site, l)),
            })
            .collect(),
        pictos: intent
            .pictos
            .iter()
            .filter_map(|p| picto(content, p))
            .collect(),
        links: intent
            .links
            .iter()
            .map(|l| link(content, site, l))
            .collect(),
        // The guided journeys this answer offers come first: a person who
        // landed on a general answer is best helped by "which procedure?".
        quick_replies: crate::journey::offered_by(&content.journeys, &intent.id)
            .map(|j| journey_button(content, j))
            .chain(
                intent
                    .followups
                    .iter()
                    .filter_map(|f| content.intent(f))
                    .map(intent_button),
            )
            .collect(),
        contact: site.map(|s| site_contact(content, s)),
        notices: Vec::new(),
        glossary: Vec::new(),
        question: None,
        language_note: None,
    };
    // A residence permit asked at a DDTM: say where it is done, and give
    // that service's contact instead of this one's.
    if let (Some(s), Some(section)) = (site, domain_section(intent.domain)) {
        if !handles(s, intent.domain) {
            let here = content
                .site_value(Some(s), &format!("{}.nom", own_section(s)))
                .unwrap_or(&s.name);
            let there = content
                .site_value(Some(s), &format!("{section}.nom"))
                .unwrap_or_default();
            reply.text = format!(
                "{}\n{}",
                say::elsewhere_in(content.lang, here, there),
                reply.text
            );
            reply.contact = Some(elsewhere_contact(content, s, section));
        }
    }
    reply
}

/// Step `k` (from 0) of an intent's procedure, walked one at a time: the
/// answer and "Étape 1 sur n" first, then one step per reply; the intent's
/// pictograms open the walk, links where a person starts or finishes,
/// « Étape suivante » until the last, then the intent's own buttons.
pub fn step_reply(content: &Content, site: Option<&Site>, intent: &Intent, k: usize) -> Reply {
    let mut reply = intent_reply(content, site, intent);
    let total = reply.steps.len();
    let k = k.min(total.saturating_sub(1));
    let first = k == 0;
    let last = k + 1 >= total;
    let step_of = say::step_of_in(content.lang, k + 1, total);
    let mut text = if first {
        format!("{}\n{step_of}", reply.text)
    } else {
        step_of
    };
    if last {
        text.push(' ');
        text.push_str(say::words(content.lang).last_step);
    }
    // The sheet opens the walk, with the answer.
    if !first {
        reply.sheet = None;
    }
    reply.text = text;
    reply.steps = std::mem::take(&mut reply.steps)
        .into_iter()
        .skip(k)
        .take(1)
        .collect();
    if !first {
        reply.pictos.clear();
    }
    if !first && !last {
        reply.links.clear();
    }
    reply.quick_replies = if last {
        with_start_again(content, std::mem::take(&mut reply.quick_replies))
    } else {
        buttons(content, [NEXT_STEP, START_AGAIN])
    };
    reply
}

/// The buttons of these intents, in this order (unknown ids skipped).
pub fn buttons<'a>(content: &Content, ids: impl IntoIterator<Item = &'a str>) -> Vec<QuickReply> {
    ids.into_iter()
        .filter_map(|id| content.intent(id))
        .map(intent_button)
        .collect()
}

/// `quick` plus « Recommencer » at the end, when not already offered.
pub fn with_start_again(content: &Content, mut quick: Vec<QuickReply>) -> Vec<QuickReply> {
    if !quick.iter().any(|q| q.payload == START_AGAIN) {
        quick.extend(buttons(content, [START_AGAIN]));
    }
    quick
}

/// A guided journey's question with its choices (made by the journey
/// walk, which owns their payloads) and the journey's pictogram.
pub fn journey_question(
    content: &Content,
    journey: &Journey,
    question: &str,
    choices: Vec<QuickReply>,
) -> Reply {
    Reply {
        lang: content.lang,
        title: Some(journey.title.clone()),
        text: question.to_owned(),
        pictos: journey
            .picto
            .as_deref()
            .and_then(|p| picto(content, p))
            .into_iter()
            .collect(),
        quick_replies: choices,
        ..Reply::default()
    }
}

/// Offer `journeys` first on a fallback, with a sentence saying why.
pub fn offer_journeys(reply: &mut Reply, journeys: Vec<QuickReply>) {
    if journeys.is_empty() {
        return;
    }
    reply.text.push('\n');
    reply.text.push_str(say::words(reply.lang).fallback_offer);
    reply.quick_replies.splice(0..0, journeys);
}

/// "Vous parlez de : A ou B ?" with the candidates as quick replies.
pub fn clarify_reply(content: &Content, candidates: &[&Intent]) -> Reply {
    let titles: Vec<String> = candidates.iter().map(|i| i.title.clone()).collect();
    let text = say::which_of_in(content.lang, &titles);
    Reply {
        lang: content.lang,
        title: None,
        text,
        pictos: picto(content, "information").into_iter().collect(),
        quick_replies: candidates.iter().map(|i| intent_button(i)).collect(),
        ..Reply::default()
    }
}

/// The honest "I don't know": the main topics and a human contact.
pub fn fallback_reply(content: &Content, site: Option<&Site>) -> Reply {
    fallback_offering(content, site, &[])
}

/// A candidate of a fallback this close is still offered first: "je ne
/// sais pas" with the nearest topics is more useful than the main menu.
pub const CLOSEST_MIN_SCORE: f32 = 0.3;
/// At most this many of them.
const CLOSEST_OFFERED: usize = 2;

/// The fallback reply, offering the `closest` intents before the main topics.
pub fn fallback_offering(content: &Content, site: Option<&Site>, closest: &[&Intent]) -> Reply {
    // With a site, its contact block gives the phone (once); without one,
    // the national wording says whom to call.
    let words = say::words(content.lang);
    let contact = match site {
        Some(_) => words.to_a_person,
        None => content.site_value(site, "contact").unwrap_or_default(),
    };
    let text = format!(
        "{}\n{}\n{contact}\n{}",
        words.dont_know, words.noted, words.choose_topic
    );
    let mut quick_replies: Vec<QuickReply> = closest.iter().map(|i| intent_button(i)).collect();
    for b in main_topics(site)
        .iter()
        .filter_map(|id| content.intent(id))
        .map(intent_button)
    {
        if !quick_replies.iter().any(|q| q.payload == b.payload) {
            quick_replies.push(b);
        }
    }
    Reply {
        lang: content.lang,
        title: None,
        text: text.trim().to_owned(),
        pictos: picto(content, "information").into_iter().collect(),
        quick_replies,
        contact: site.map(|s| site_contact(content, s)),
        ..Reply::default()
    }
}

/// The draft reply for a match.
pub fn for_match(content: &Content, site: Option<&Site>, m: &Match) -> Reply {
    match m.outcome {
        Outcome::Answer => match m.intent.as_deref().and_then(|id| content.intent(id)) {
            Some(intent) => intent_reply(content, site, intent),
            None => fallback_reply(content, site),
        },
        Outcome::Clarify => {
            let cands: Vec<&Intent> = m
                .candidates
                .iter()
                .filter_map(|c| content.intent(&c.intent))
                .collect();
            clarify_reply(content, &cands)
        }
        Outcome::Fallback => {
            let closest: Vec<&Intent> = m
                .candidates
                .iter()
                .filter(|c| c.score >= CLOSEST_MIN_SCORE && !c.intent.starts_with("conv."))
                .take(CLOSEST_OFFERED)
                .filter_map(|c| content.intent(&c.intent))
                .collect();
            fallback_offering(content, site, &closest)
        }
    }
}

/// What a reply is about, for the notices it carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct About<'s> {
    /// The intent answered, if any.
    pub intent: Option<&'s str>,
    /// The domain of the journey walked, if any.
    pub domain: Option<&'s str>,
    /// The language of the person's message when it is not French
    /// ([`Match::language`]): the reply then says, in it, that it is in
    /// French.
    pub language: Option<&'s str>,
}

/// Where notices come from and when the reply is read.
#[derive(Debug, Clone, Copy)]
struct NoticeDesk<'a> {
    /// The agents' notices (the content's are in the content).
    agents: &'a [Notice],
    now: Millis,
    /// The first reply of a conversation: general notices open it.
    opening: bool,
}

/// Completes replies for one content, site and moment. Without
/// [`Composer::with_notices`] a reply carries no notice (the engine has no
/// clock); the glossary is always filled.
#[derive(Debug, Clone, Copy)]
pub struct Composer<'a> {
    pub content: &'a Content,
    pub site: Option<&'a Site>,
    notices: Option<NoticeDesk<'a>>,
}

impl<'a> Composer<'a> {
    pub fn new(content: &'a Content, site: Option<&'a Site>) -> Composer<'a> {
        Composer {
            content,
            site,
            notices: None,
        }
    }

    /// Replies carry the notices in force at `now`: the content's and
    /// `agents'`, for the site; general ones only when `opening`.
    pub fn with_notices(self, agents: &'a [Notice], now: Millis, opening: bool) -> Composer<'a> {
        Composer {
            notices: Some(NoticeDesk {
                agents,
                now,
                opening,
            }),
            ..self
        }
    }

    /// Complete a draft: the notices in force about it, and the glossary
    /// of the acronyms its text, steps and buttons use.
    pub fn finish(&self, mut reply: Reply, about: About<'_>) -> Reply {
        if let Some(desk) = &self.notices {
            let subject = Subject {
                intent: about.intent,
                domain: about.domain,
                start: desk.opening,
            };
            reply.notices = crate::notices::select(
                self.content.notices.iter().chain(desk.agents.iter()),
                self.site.map(|s| s.id.as_str()),
                &subject,
                desk.now,
            );
        }
        reply.language_note = match self.content.lang {
            // An English reply whose answer has no English text yet says so.
            Lang::En => about
                .intent
                .and_then(|id| self.content.intent(id))
                .filter(|i| i.lang != Lang::En)
                .map(|_| LanguageNote {
                    lang: Lang::En.code().to_owned(),
                    text: say::ENGLISH.only_french.to_owned(),
                }),
            // `conv.langue` says it already, in several languages; English
            // has its own replies (asked for French, it gets French).
            Lang::Fr if about.intent == Some(LANGUAGE_INTENT) => None,
            Lang::Fr => about
                .language
                .filter(|code| *code != Lang::En.code())
                .and_then(|code| {
                    crate::language::french_only(code).map(|text| LanguageNote {
                        lang: code.to_owned(),
                        text: text.to_owned(),
                    })
                }),
        };
        reply.glossary = glossary_for(
            self.content,
            std::iter::once(reply.text.as_str())
                .chain(reply.steps.iter().map(|s| s.text.as_str()))
                .chain(
                    reply
                        .sheet
                        .iter()
                        .flat_map(|s| s.rows.iter())
                        .flat_map(|r| r.text.iter().chain(r.items.iter()))
                        .map(String::as_str),
                )
                .chain(reply.notices.iter().map(|n| n.text.as_str())),
        );
        reply
    }

    /// An intent's full answer.
    pub fn answer(&self, intent: &Intent) -> Reply {
        let draft = intent_reply(self.content, self.site, intent);
        self.finish(draft, About::intent(&intent.id))
    }

    /// The reply to a match.
    pub fn for_match(&self, m: &Match) -> Reply {
        let draft = for_match(self.content, self.site, m);
        let about = match m.outcome {
            Outcome::Answer => About {
                intent: m.intent.as_deref(),
                domain: None,
                language: m.language.as_deref(),
            },
            _ => About {
                language: m.language.as_deref(),
                ..About::default()
            },
        };
        self.finish(draft, about)
    }
}

impl<'s> About<'s> {
    pub fn intent(id: &'s str) -> About<'s> {
        About {
            intent: Some(id),
            ..About::default()
        }
    }
}

/// The reply as a person reads it in a terminal.
pub fn to_text(reply: &Reply) -> String {
    let mut out = String::new();
    if let Some(note) = &reply.language_note {
        out.push_str(&format!("[{}] {}\n\n", note.lang, note.text));
    }
    if let Some(t) = &reply.title {
        out.push_str(&format!("## {t}\n\n"));
    }
    for n in &reply.notices {
        out.push_str(&format!("(!) {}\n", n.text));
    }
    out.push_str(reply.text.trim());
    out.push('\n');
    if !reply.steps.is_empty() {
        out.push_str("\nLes étapes :\n");
        for s in &reply.steps {
            let picto = s
                .picto
                .as_ref()
                .map(|p| format!(" [{}]", p.alt))
                .unwrap_or_default();
            out.push_str(&format!("{}. {}{picto}\n", s.n, s.text));
            if let Some(l) = &s.link {
                out.push_str(&format!("   → {} : {}\n", l.label, l.url));
            }
        }
    }
    if let Some(sheet) = &reply.sheet {
        out.push_str(&format!("\n{} :\n", sheet.title));
        for row in &sheet.rows {
            match &row.text {
                Some(t) => out.push_str(&format!("- {} : {t}\n", row.label)),
                None => {
                    out.push_str(&format!("- {} :\n", row.label));
                    for item in &row.items {
                        out.push_str(&format!("  · {item}\n"));
                    }
                }
            }
        }
    }
    if !reply.pictos.is_empty() {
        let alts: Vec<&str> = reply.pictos.iter().map(|p| p.alt.as_str()).collect();
        out.push_str(&format!("\nPictogrammes : {}\n", alts.join(", ")));
    }
    if !reply.links.is_empty() {
        out.push_str("\nLiens utiles :\n");
        for l in &reply.links {
            out.push_str(&format!("- {} : {}\n", l.label, l.url));
        }
    }
    if !reply.glossary.is_empty() {
        out.push_str("\nMots expliqués :\n");
        for g in &reply.glossary {
            out.push_str(&format!("- {} : {}\n", g.term, g.explanation));
        }
    }
    if let Some(c) = &reply.contact {
        out.push_str(&format!("\nContact — {} : {}\n", c.name, c.text));
        for (label, v) in [
            ("Adresse", &c.address),
            ("Horaires", &c.hours),
            ("Téléphone", &c.phone),
        ] {
            if let Some(v) = v {
                out.push_str(&format!("  {label} : {v}\n"));
            }
        }
    }
    if !reply.quick_replies.is_empty() {
        let labels: Vec<String> = reply
            .quick_replies
            .iter()
            .map(|q| format!("[{}]", q.label))
            .collect();
        out.push_str(&format!("\n{}\n", labels.join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Properties: the glossary explains each acronym once, in order of
    //! use, over text, steps and notices; a composer without notices adds
    //! none, with them adds the scoped ones to their intent and the
    //! general ones only to an opening reply; a procedure walked step by
    //! step shows one step per reply, « Étape suivante » until the last.
    use super::*;
    use crate::content::Step;

    fn notice(id: &str, intents: &[&str]) -> Notice {
        Notice {
            intents: intents.iter().map(|s| s.to_string()).collect(),
            ..Notice::by_agent(
                id,
                &format!("Avis {id} : la CAF est fermée."),
                1_000,
                2_000,
                "root",
            )
        }
    }

    fn content_with(intent: Intent) -> Content {
        let mut content = Content::default();
        content
            .glossary
            .insert("CAF".into(), "la caisse d'allocations familiales".into());
        content.intents.push(intent);
        content
    }

    fn intent(id: &str, steps: &[&str]) -> Intent {
        Intent {
            answer: "Une réponse.".into(),
            steps: steps
                .iter()
                .map(|t| Step {
                    text: (*t).into(),
                    picto: None,
                    link: None,
                })
                .collect(),
            ..Intent::for_tests(id, "Un titre", &[])
        }
    }

    #[test]
    fn the_composer_adds_notices_in_force_and_their_words() {
        let content = content_with(intent("fs.caf", &[]));
        let i = content.intent("fs.caf").expect("intent");
        let bare = Composer::new(&content, None).answer(i);
        assert!(bare.notices.is_empty() && bare.glossary.is_empty());
        let agents = [
            notice("a", &["fs.caf"]),
            notice("b", &[]),
            notice("c", &["x.y"]),
        ];
        let later = Composer::new(&content, None).with_notices(&agents, 1_500, false);
        let ids = |r: &Reply| r.notices.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&later.answer(i)), ["a"]);
        let opening = Composer::new(&content, None).with_notices(&agents, 1_500, true);
        let mut shown = ids(&opening.answer(i));
        shown.sort();
        assert_eq!(shown, ["a", "b"]);
        let answered = later.answer(i);
        let glossary: Vec<&str> = answered.glossary.iter().map(|g| g.term.as_str()).collect();
        assert_eq!(glossary, ["CAF"], "the notice's acronym is explained");
        let expired = Composer::new(&content, None).with_notices(&agents, 2_000, true);
        assert!(expired.answer(i).notices.is_empty());
    }

    #[test]
    fn a_procedure_walked_one_step_at_a_time() {
        let mut content = content_with(intent("fs.demarche", &["Un.", "Deux.", "Trois."]));
        content.intents.push(intent(NEXT_STEP, &[]));
        content.intents.push(intent(START_AGAIN, &[]));
        content.intents.sort_by(|a, b| a.id.cmp(&b.id));
        let i = content.intent("fs.demarche").expect("intent");
        let payloads = |r: &Reply| {
            r.quick_replies
                .iter()
                .map(|q| q.payload.clone())
                .collect::<Vec<_>>()
        };
        let first = step_reply(&content, None, i, 0);
        assert_eq!(first.text, "Une réponse.\nÉtape 1 sur 3.");
        assert_eq!(first.steps.len(), 1);
        assert_eq!(first.steps[0].n, 1);
        assert_eq!(payloads(&first), [NEXT_STEP, START_AGAIN]);
        let middle = step_reply(&content, None, i, 1);
        assert_eq!(middle.text, "Étape 2 sur 3.");
        assert_eq!(middle.steps[0].text, "Deux.");
        let last = step_reply(&content, None, i, 7);
        assert_eq!(last.text, format!("Étape 3 sur 3. {}", say::LAST_STEP));
        assert_eq!(payloads(&last), [START_AGAIN]);
    }

    #[test]
    fn glossary_explains_each_acronym_once_in_order() {
        let mut content = Content::default();
        content
            .glossary
            .insert("ANEF".into(), "le site des étrangers".into());
        content
            .glossary
            .insert("CAF".into(), "la caisse d'allocations familiales".into());
        let g = glossary_for(
            &content,
            [
                "Allez sur l'ANEF.",
                "Puis la CAF, puis l'ANEF encore.",
                "VLS-TS",
            ],
        );
        let terms: Vec<&str> = g.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(terms, ["ANEF", "CAF"]);
        assert!(glossary_for(&content, ["rien ici"]).is_empty());
    }
}
