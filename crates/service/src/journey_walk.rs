//! Walking a guided journey in the chat: what a tap or a typed word does
//! while a person answers "Is it your first request? Are you a student...?".
//!
//! The journey itself (its tree, its validation) is [`accueil_engine::journey`];
//! this module turns it into conversation turns. Every button carries a
//! self-describing payload, so a tap means the same thing whatever the
//! session remembers:
//!
//! | payload | meaning |
//! | --- | --- |
//! | `parcours.<name>` | enter the journey: its first question |
//! | `parcours.<name>#<node>` | show question `<node>` (the « Retour » button) |
//! | `parcours.<name>#<node>#<k>` | choose choice `k` (from 1) of question `<node>` |
//!
//! The session keeps a [`Position`]: the journey id and the node ids from
//! the start to the question shown, nothing typed. It serves the typed
//! word « retour » (one step back) and a typed choice label; any other
//! typed text leaves the journey and is matched as usual. A payload whose
//! node is not on the session's path (an old page, an expired session)
//! rebuilds the path from the start, so « retour » still works.
//!
//! Nothing here touches the store or HTTP: the conversation calls
//! [`on_choice`] and [`on_message`] and applies the [`Walk`] they return.

use serde::{Deserialize, Serialize};

use accueil_engine::content::{Content, Domain, Intent};
use accueil_engine::journey::{Journey, Node, Step};
use accueil_engine::matcher::Candidate;
use accueil_engine::normalize::normalize;
use accueil_engine::reply::{self, QuickReply, Reply};

/// Journey ids, hence entering payloads, start with this.
pub const PREFIX: &str = "parcours.";

/// The « Retour » button: one question back.
pub const BACK_LABEL: &str = say::FRENCH.back;

/// Typed words (normalised) that go one step back inside a journey.
const BACK_WORDS: &[&str] = &[
    "retour",
    "retour arriere",
    "retour en arriere",
    "revenir",
    "revenir en arriere",
    "en arriere",
    "arriere",
    "precedent",
    "question precedente",
    "back",
];

/// Under this score a fallback's guess says nothing about the domain.
pub const DOMAIN_GUESS_FLOOR: f32 = 0.2;

/// The sentences this module adds (FALC).
pub use accueil_engine::reply::say;

/// Where a person stands in a journey, kept in the session: ids only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub journey: String,
    /// Node ids from the start to the question shown last, both included.
    pub path: Vec<String>,
    /// The last reply was the answer a choice led to; « retour » shows
    /// the last question again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
}

/// What the chat response says of the journey (`journey` field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyView {
    pub id: String,
    pub title: String,
    /// `sejour`, `ddtm` or `fs`.
    pub domain: String,
    /// The question shown; absent on the answer that ends the journey.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Its number in the walk (1 for the first question).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<usize>,
}

/// What the conversation does with a journey input.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // short-lived, one per turn
pub enum Walk<'a> {
    /// Ask this question: the reply is ready.
    Ask {
        reply: Reply,
        position: Position,
        view: JourneyView,
    },
    /// The journey ends on this intent: show its answer, plus `back`.
    Answer {
        intent: &'a Intent,
        journey: &'a Journey,
        position: Position,
        back: QuickReply,
        view: JourneyView,
    },
    /// « retour » on the first question: the person leaves the journey.
    Leave,
}

enum Payload<'a> {
    Enter(&'a Journey),
    Show(&'a Journey, &'a Node),
    Choose(&'a Journey, &'a Node, usize),
}

fn parse_payload<'a>(content: &'a Content, raw: &str) -> Option<Payload<'a>> {
    let raw = raw.trim();
    if !raw.starts_with(PREFIX) {
        return None;
    }
    let mut parts = raw.split('#');
    let journey = content.journeys.get(parts.next()?)?;
    let Some(node) = parts.next() else {
        return Some(Payload::Enter(journey));
    };
    let node = journey.node(node)?;
    let Some(k) = parts.next() else {
        return Some(Payload::Show(journey, node));
    };
    // Digits only, at most 2 (there are at most 6 choices): no sign, no
    // spaces, nothing after.
    if parts.next().is_some()
        || k.is_empty()
        || k.len() > 2
        || !k.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let k: usize = k.parse().ok()?;
    if k == 0 || k > node.choices.len() {
        return None;
    }
    Some(Payload::Choose(journey, node, k - 1))
}

/// Is `raw` a journey payload of this content (a valid `choice`)?
pub fn is_payload(content: &Content, raw: &str) -> bool {
    parse_payload(content, raw).is_some()
}

/// The payload of choice `k` (from 0) of `node`.
pub fn choice_payload(journey: &Journey, node: &Node, k: usize) -> String {
    format!("{}#{}#{}", journey.id, node.id, k + 1)
}

/// The payload that shows question `node`.
pub fn node_payload(journey: &Journey, node: &str) -> String {
    format!("{}#{node}", journey.id)
}

/// A tapped button: `None` if `raw` is not a journey payload (an intent
/// id), so the conversation handles it as usual.
pub fn on_choice<'a>(content: &'a Content, raw: &str, at: Option<&Position>) -> Option<Walk<'a>> {
    Some(match parse_payload(content, raw)? {
        Payload::Enter(j) => ask(content, j, vec![j.start.clone()]),
        Payload::Show(j, n) => ask(content, j, path_to(j, at, &n.id)),
        Payload::Choose(j, n, k) => choose(content, j, path_to(j, at, &n.id), k),
    })
}

/// Typed text while in a journey: « retour », or a choice's exact label.
/// `None` for anything else: the person leaves the journey.
pub fn on_message<'a>(content: &'a Content, text: &str, at: Option<&Position>) -> Option<Walk<'a>> {
    let at = at?;
    let journey = content.journeys.get(&at.journey)?;
    // The content may have changed since (a reload): keep only a path
    // that still exists.
    let last = at.path.last()?;
    journey.node(last)?;
    let path = if at.path.iter().all(|n| journey.node(n).is_some()) {
        at.path.clone()
    } else {
        path_to(journey, None, last)
    };
    let typed = normalize(text);
    if BACK_WORDS.contains(&typed.as_str()) {
        return Some(back(content, journey, path, at.answered));
    }
    if at.answered {
        return None;
    }
    let node = journey.node(last)?;
    let k = node
        .choices
        .iter()
        .position(|c| normalize(&c.label) == typed)?;
    Some(choose(content, journey, path, k))
}

/// The path to `node`: the session's, cut after `node`, when the node is
/// on it; otherwise the shortest one from the start.
fn path_to(journey: &Journey, at: Option<&Position>, node: &str) -> Vec<String> {
    if let Some(at) = at.filter(|a| a.journey == journey.id) {
        if let Some(k) = at.path.iter().position(|n| n == node) {
            return at.path[..=k].to_vec();
        }
    }
    journey
        .path_to(node)
        .unwrap_or_else(|| vec![node.to_owned()])
}

fn back<'a>(
    content: &'a Content,
    journey: &'a Journey,
    mut path: Vec<String>,
    answered: bool,
) -> Walk<'a> {
    if answered {
        return ask(content, journey, path);
    }
    if path.len() > 1 {
        path.pop();
        return ask(content, journey, path);
    }
    Walk::Leave
}

fn choose<'a>(
    content: &'a Content,
    journey: &'a Journey,
    mut path: Vec<String>,
    k: usize,
) -> Walk<'a> {
    match journey.choose(&path, k) {
        Some(Step::Ask(next)) => {
            path.push(next.id.clone());
            ask(content, journey, path)
        }
        Some(Step::Answer(id)) => match (content.intent(id), path.last()) {
            (Some(intent), Some(last)) => Walk::Answer {
                intent,
                journey,
                back: back_button(content, journey, last),
                position: Position {
                    journey: journey.id.clone(),
                    path,
                    answered: true,
                },
                view: JourneyView {
                    id: journey.id.clone(),
                    title: journey.title.clone(),
                    domain: journey.domain.clone(),
                    node: None,
                    question: None,
                },
            },
            // `check` guarantees targets exist; a content without them
            // cannot be loaded, so this is never reached in practice.
            _ => Walk::Leave,
        },
        None => Walk::Leave,
    }
}

/// « Retour » carries no pictogram: the registry's only "back" one is a
/// return from a journey abroad, which reads as a travel topic. The pages
/// draw their neutral arrow on it (its payload has a `#`).
fn back_button(content: &Content, journey: &Journey, node: &str) -> QuickReply {
    QuickReply {
        label: say::words(content.lang).back.to_owned(),
        payload: node_payload(journey, node),
        picto: None,
    }
}

/// The question at the end of `path`, its choices as buttons with their
/// pictograms, and « Retour » after the first question.
fn ask<'a>(content: &'a Content, journey: &'a Journey, path: Vec<String>) -> Walk<'a> {
    let Some(node) = path.last().and_then(|id| journey.node(id)) else {
        return Walk::Leave;
    };
    let mut quick_replies: Vec<QuickReply> = node
        .choices
        .iter()
        .enumerate()
        .map(|(k, c)| QuickReply {
            label: c.label.clone(),
            payload: choice_payload(journey, node, k),
            picto: c.picto.as_deref().and_then(|p| reply::picto(content, p)),
        })
        .collect();
    if let Some(previous) = path.len().checked_sub(2).and_then(|k| path.get(k)) {
        quick_replies.push(back_button(content, journey, previous));
    }
    let view = JourneyView {
        id: journey.id.clone(),
        title: journey.title.clone(),
        domain: journey.domain.clone(),
        node: Some(node.id.clone()),
        question: Some(path.len()),
    };
    Walk::Ask {
        reply: reply::journey_question(content, journey, &node.question, quick_replies),
        position: Position {
            journey: journey.id.clone(),
            path,
            answered: false,
        },
        view,
    }
}

/// The answer that ends a journey: its « Retour » last, and no button to
/// enter the journey the person just walked.
pub fn finish_answer(reply: &mut Reply, journey: &Journey, back: QuickReply) {
    reply.quick_replies.retain(|q| q.payload != journey.id);
    reply.quick_replies.push(back);
}

/// The domain a fallback's question seems to be about: its best two
/// guesses (conversation intents aside, above [`DOMAIN_GUESS_FLOOR`])
/// agree on it.
pub fn fallback_domain(candidates: &[Candidate]) -> Option<Domain> {
    let best: Vec<Domain> = candidates
        .iter()
        .filter(|c| c.score >= DOMAIN_GUESS_FLOOR)
        .filter_map(|c| Domain::of_id(&c.intent))
        .filter(|d| *d != Domain::Conversation)
        .take(2)
        .collect();
    let first = *best.first()?;
    best.iter().all(|d| *d == first).then_some(first)
}

/// On a fallback about a domain that has journeys, offer them first: a
/// person who cannot name their procedure is who journeys are for.
/// Returns whether some were offered.
pub fn offer_on_fallback(content: &Content, candidates: &[Candidate], reply: &mut Reply) -> bool {
    let Some(domain) = fallback_domain(candidates) else {
        return false;
    };
    let offered: Vec<QuickReply> = content
        .journeys
        .values()
        .filter(|j| j.domain == domain.name())
        .map(|j| reply::journey_button(content, j))
        .collect();
    let offered_any = !offered.is_empty();
    reply::offer_journeys(reply, offered);
    offered_any
}

#[cfg(test)]
mod tests {
    //! Properties: payloads are parsed strictly (unknown journey, node or
    //! choice, extra parts, signs, zero → not a payload); choices lead to
    //! the next question or the answer; « retour » goes one step back and
    //! leaves from the first question; a typed label chooses; other text
    //! leaves; an old payload rebuilds its path; fallback domains need two
    //! agreeing guesses.
    use super::*;
    use std::path::Path;

    const J: &str = r#"
id = "parcours.test"
title = "Quelle démarche ?"
domain = "sejour"
picto = "information"
start = "a"
[[nodes]]
id = "a"
question = "Vous êtes étudiant ?"
choices = [
  { label = "Oui", picto = "information", intent = "sejour.renouvellement" },
  { label = "Non", picto = "information", next = "b" },
]
[[nodes]]
id = "b"
question = "Vous travaillez ?"
choices = [
  { label = "Oui, à temps plein", intent = "sejour.rendez_vous" },
  { label = "Non", next = "c" },
]
[[nodes]]
id = "c"
question = "Vous avez un bateau ?"
choices = [
  { label = "Oui", intent = "ddtm.permis_bateau" },
  { label = "Non", intent = "ddtm.contact_ddtm" },
]
"#;

    fn content() -> Content {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        let mut c = Content::load(&root).expect("fixture");
        let mut d = Vec::new();
        let j =
            accueil_engine::journey::parse(Path::new("faq/parcours/test.toml"), J, &mut d).unwrap();
        assert!(d.is_empty(), "{d:?}");
        c.journeys.insert(j.id.clone(), j);
        c
    }

    fn asked(w: Option<Walk<'_>>) -> (Reply, Position, JourneyView) {
        match w {
            Some(Walk::Ask {
                reply,
                position,
                view,
            }) => (reply, position, view),
            other => panic!("expected a question, got {other:?}"),
        }
    }

    fn payloads(r: &Reply) -> Vec<&str> {
        r.quick_replies.iter().map(|q| q.payload.as_str()).collect()
    }

    #[test]
    fn payloads_are_strict() {
        let c = content();
        for ok in [
            "parcours.test",
            "parcours.test#b",
            "parcours.test#b#2",
            " parcours.test#a#1 ",
        ] {
            assert!(is_payload(&c, ok), "{ok}");
        }
        for bad in [
            "parcours.autre",
            "parcours.test#z",
            "parcours.test#a#0",
            "parcours.test#a#3",
            "parcours.test#a#+1",
            "parcours.test#a#01#",
            "parcours.test#a#1#x",
            "parcours.test#a# 1",
            "parcours.test#a#",
            "parcours.test#a#999999999999999999999",
            "sejour.renouvellement",
            "",
        ] {
            assert!(!is_payload(&c, bad), "{bad}");
        }
    }

    #[test]
    fn walking_forward_and_back() {
        let c = content();
        let (r, at, view) = asked(on_choice(&c, "parcours.test", None));
        assert_eq!(r.text, "Vous êtes étudiant ?");
        assert_eq!(r.title.as_deref(), Some("Quelle démarche ?"));
        assert_eq!(
            payloads(&r),
            vec!["parcours.test#a#1", "parcours.test#a#2"],
            "no Retour on the first question"
        );
        assert_eq!(
            r.quick_replies[0].picto.as_ref().map(|p| p.id.as_str()),
            Some("information")
        );
        assert_eq!((view.node.as_deref(), view.question), (Some("a"), Some(1)));
        let (r, at, _) = asked(on_choice(&c, "parcours.test#a#2", Some(&at)));
        assert_eq!(at.path, vec!["a", "b"]);
        assert_eq!(
            payloads(&r).last(),
            Some(&"parcours.test#a"),
            "Retour shows the previous question"
        );
        assert_eq!(
            r.quick_replies.last().map(|q| q.label.as_str()),
            Some(BACK_LABEL)
        );
        let (_, at, view) = asked(on_message(&c, "non", Some(&at)));
        assert_eq!(at.path, vec!["a", "b", "c"], "a typed label chooses");
        assert_eq!(view.question, Some(3));
        let Some(Walk::Answer {
            intent,
            position,
            back,
            ..
        }) = on_choice(&c, "parcours.test#c#1", Some(&at))
        else {
            panic!()
        };
        assert_eq!(intent.id, "ddtm.permis_bateau");
        assert!(position.answered);
        assert_eq!(back.payload, "parcours.test#c");
        let (r, at, _) = asked(on_message(&c, "Retour !", Some(&position)));
        assert_eq!(
            r.text, "Vous avez un bateau ?",
            "retour after the answer: its question"
        );
        let (r, at, _) = asked(on_message(&c, "revenir en arrière", Some(&at)));
        assert_eq!(r.text, "Vous travaillez ?");
        let (_, at, _) = asked(on_message(&c, "retour", Some(&at)));
        assert_eq!(at.path, vec!["a"]);
        assert!(matches!(
            on_message(&c, "retour", Some(&at)),
            Some(Walk::Leave)
        ));
        assert!(
            on_message(&c, "comment renouveler mon titre", Some(&at)).is_none(),
            "free text leaves"
        );
        assert!(
            on_message(&c, "retour", None).is_none(),
            "outside a journey, retour is plain text"
        );
    }

    #[test]
    fn an_old_button_rebuilds_its_path() {
        let c = content();
        // No session: the path comes from the start.
        let (_, at, _) = asked(on_choice(&c, "parcours.test#b#2", None));
        assert_eq!(at.path, vec!["a", "b", "c"]);
        // A button of an earlier question cuts the session's path there.
        let (_, at, _) = asked(on_choice(&c, "parcours.test#a", Some(&at)));
        assert_eq!(at.path, vec!["a"]);
    }

    #[test]
    fn fallback_domain_needs_agreeing_guesses() {
        let cand = |i: &str, s: f32| Candidate {
            intent: i.into(),
            score: s,
            explanation: None,
        };
        assert_eq!(
            fallback_domain(&[
                cand("ddtm.declaration_prealable", 0.32),
                cand("conv.insulte", 0.32),
                cand("ddtm.permis_construire", 0.25)
            ]),
            Some(Domain::Ddtm)
        );
        assert_eq!(
            fallback_domain(&[cand("ddtm.loi_eau", 0.3), cand("fs.msa", 0.25)]),
            None
        );
        assert_eq!(
            fallback_domain(&[cand("fs.msa", 0.1), cand("fs.retraite", 0.1)]),
            None
        );
        assert_eq!(
            fallback_domain(&[cand("sejour.asile", 0.4)]),
            Some(Domain::Sejour)
        );
        assert_eq!(fallback_domain(&[]), None);
        let c = content();
        let mut r = Reply {
            text: "Je ne sais pas.".into(),
            ..Reply::default()
        };
        assert!(offer_on_fallback(&c, &[cand("sejour.asile", 0.4)], &mut r));
        assert_eq!(payloads(&r), vec!["parcours.test"]);
        assert!(r.text.ends_with(say::FALLBACK_OFFER));
        let mut r = Reply::default();
        assert!(
            !offer_on_fallback(&c, &[cand("ddtm.peche", 0.4)], &mut r),
            "no ddtm journey here"
        );
    }
}
