//! Replies: what the person reads, built from a match and a site.
//!
//! The same structure feeds the command line (`ask`), the JSON of
//! `match`, and the chat API: text, numbered steps with their pictogram,
//! links, and quick replies. Site placeholders are filled here, so nothing
//! above this module sees `{{...}}`.

use crate::content::{Content, Intent, Link, Site};
use crate::matcher::{Match, Outcome};

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
}

/// The contact block of a site: its own values only, never the generic ones.
pub fn site_contact(content: &Content, site: &Site) -> SiteContact {
    let section = match site.kind.as_str() {
        "prefecture" => "prefecture",
        "ddtm" => "ddtm",
        _ => "fs",
    };
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
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Reply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    pub steps: Vec<ReplyStep>,
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
}

/// An acronym of the reply and its plain explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GlossaryEntry {
    pub term: String,
    pub explanation: String,
}

/// The glossary entries of the acronyms found in `texts`, in order of
/// first use, each once.
pub fn glossary_for<'a>(
    content: &Content,
    texts: impl IntoIterator<Item = &'a str>,
) -> Vec<GlossaryEntry> {
    let mut out: Vec<GlossaryEntry> = Vec::new();
    for text in texts {
        for token in text.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
            // "l'ANEF" → "ANEF"; "VLS-TS" is split on the hyphen above.
            let token = token.rsplit('\'').next().unwrap_or(token);
            if token.len() < 2 || out.iter().any(|e| e.term == token) {
                continue;
            }
            if let Some(explanation) = content.glossary.get(token) {
                out.push(GlossaryEntry {
                    term: token.to_owned(),
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
        title: Some(intent.title.clone()),
        text: content.fill(site, &intent.answer),
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
    };
    reply.glossary = glossary_for(
        content,
        std::iter::once(reply.text.as_str()).chain(reply.steps.iter().map(|s| s.text.as_str())),
    );
    reply
}

/// "Vous parlez de : A ou B ?" with the candidates as quick replies.
pub fn clarify_reply(content: &Content, candidates: &[&Intent]) -> Reply {
    let titles: Vec<String> = candidates
        .iter()
        .map(|i| format!("« {} »", i.title))
        .collect();
    let text = match titles.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("Vous parlez de : {} ou {last} ?", rest.join(", "))
        }
        Some((last, _)) => format!("Vous parlez de : {last} ?"),
        None => "Pouvez-vous préciser votre question ?".to_owned(),
    };
    Reply {
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
    let contact = content.site_value(site, "contact").unwrap_or_default();
    let text = format!(
        "Je ne sais pas répondre à cette question.\nJe transmets votre question à un agent.\n{contact}\nVous pouvez aussi choisir un sujet."
    );
    let mut quick_replies: Vec<QuickReply> = closest.iter().map(|i| intent_button(i)).collect();
    for b in MAIN_TOPICS
        .iter()
        .filter_map(|id| content.intent(id))
        .map(intent_button)
    {
        if !quick_replies.iter().any(|q| q.payload == b.payload) {
            quick_replies.push(b);
        }
    }
    Reply {
        title: None,
        text: text.trim().to_owned(),
        pictos: picto(content, "information").into_iter().collect(),
        quick_replies,
        contact: site.map(|s| site_contact(content, s)),
        ..Reply::default()
    }
}

/// The reply for a match.
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

/// The reply as a person reads it in a terminal.
pub fn to_text(reply: &Reply) -> String {
    let mut out = String::new();
    if let Some(t) = &reply.title {
        out.push_str(&format!("## {t}\n\n"));
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
    use super::*;

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
