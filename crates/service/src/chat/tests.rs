//! Properties, on the fixture content of `tests/fixtures/content`:
//! input checking (control characters, limits, exactly one input,
//! channel, site, choice); clarify → choice answers; "oui" to a clarify
//! asks again, "non" asks to rephrase; typing after a clarify starts
//! over; kiosk steps walked one by one with "étape suivante" and "oui",
//! stopped with "non"; web shows every step; `conv.recommencer` clears
//! the context; unknown, expired and malformed sessions start a new one
//! and say so; sessions keep no free text; fallbacks are recorded.
use super::turn;
use crate::conversation::*;
use crate::store::Millis;
use crate::store::{SessionLookup, SledStore, Store};
use crate::testing::block_on;
use accueil_engine::engine::Engine;
use accueil_engine::matcher::Outcome;
use std::path::Path;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        Engine::load(&root).expect("the fixture content loads")
    })
}

struct Chat {
    store: SledStore,
    policy: Policy,
    session: Option<String>,
    channel: Channel,
    site: Option<String>,
    now: Millis,
}

impl Chat {
    fn new(channel: Channel) -> Chat {
        Chat {
            store: SledStore::temporary().expect("store"),
            policy: Policy::default(),
            session: None,
            channel,
            site: None,
            now: 1_000_000,
        }
    }

    fn send(&mut self, input: Input) -> TurnOutput {
        let req = TurnRequest {
            session: self.session.clone(),
            input,
            channel: self.channel,
            site: self.site.clone(),
            lang: None,
        };
        let out = block_on(turn(
            engine(),
            &[],
            &self.store,
            &self.policy,
            req,
            self.now,
        ))
        .expect("turn");
        assert_eq!(out.store_errors, 0);
        self.session = Some(out.session.clone());
        out
    }

    fn say(&mut self, text: &str) -> TurnOutput {
        self.send(Input::Message(Message::parse(text).expect("valid message")))
    }

    fn choose(&mut self, id: &str) -> TurnOutput {
        self.send(Input::Choice(id.to_owned()))
    }
}

fn payloads(out: &TurnOutput) -> Vec<&str> {
    out.reply
        .quick_replies
        .iter()
        .map(|q| q.payload.as_str())
        .collect()
}

fn raw<'a>(message: Option<&'a str>, choice: Option<&'a str>) -> RawTurn<'a> {
    RawTurn {
        message,
        choice,
        channel: Some("web"),
        ..RawTurn::default()
    }
}

#[test]
fn control_characters_are_stripped_and_limits_checked() {
    assert_eq!(
        clean_text("a\u{0}b\u{7}c\nd\te\u{202E}f\u{200B}g\u{7F}"),
        "abc d efg"
    );
    assert_eq!(
        Message::parse("  \n bonjour \t").unwrap().as_str(),
        "bonjour"
    );
    for empty in ["", "   ", "\n\t\r", "\u{0}\u{1}", "\u{200B}\u{FEFF}"] {
        assert_eq!(
            Message::parse(empty),
            Err(Refusal::EmptyMessage),
            "{empty:?}"
        );
    }
    let at_limit = format!("  {}  ", "é".repeat(MAX_MESSAGE_CHARS));
    assert!(
        Message::parse(&at_limit).is_ok(),
        "the limit counts characters after trimming, not bytes"
    );
    let over = "a".repeat(MAX_MESSAGE_CHARS + 1);
    assert_eq!(
        Message::parse(&over),
        Err(Refusal::MessageTooLong {
            chars: MAX_MESSAGE_CHARS + 1
        })
    );
}

#[test]
fn raw_turns_are_checked_in_order() {
    let c = &engine().content;
    let table: Vec<(RawTurn<'_>, Refusal)> = vec![
        (
            RawTurn {
                message: Some("x"),
                ..RawTurn::default()
            },
            Refusal::MissingChannel,
        ),
        (
            RawTurn {
                message: Some("x"),
                channel: Some("fax"),
                ..RawTurn::default()
            },
            Refusal::UnknownChannel("fax".into()),
        ),
        (
            raw(Some("x"), Some("conv.oui")),
            Refusal::BothMessageAndChoice,
        ),
        (raw(None, None), Refusal::NoMessageOrChoice),
        (raw(Some(" "), None), Refusal::EmptyMessage),
        (
            raw(None, Some("sejour.inconnu")),
            Refusal::UnknownChoice("sejour.inconnu".into()),
        ),
        (
            RawTurn {
                site: Some("atlantide"),
                lang: None,
                ..raw(Some("bonjour"), None)
            },
            Refusal::UnknownSite {
                id: "atlantide".into(),
                known: "prefecture-exemple".into(),
            },
        ),
    ];
    for (input, refusal) in table {
        assert_eq!(TurnRequest::parse(c, input), Err(refusal), "{input:?}");
    }
    let ok = TurnRequest::parse(
        c,
        RawTurn {
            site: Some("prefecture-exemple"),
            lang: None,
            ..raw(None, Some(" conv.oui "))
        },
    )
    .unwrap();
    assert_eq!(ok.input, Input::Choice("conv.oui".into()));
    assert_eq!(ok.site.as_deref(), Some("prefecture-exemple"));
    let no_site = TurnRequest::parse(
        c,
        RawTurn {
            site: Some(""),
            lang: None,
            ..raw(Some("bonjour"), None)
        },
    )
    .unwrap();
    assert_eq!(no_site.site, None);
}

#[test]
fn a_long_refused_value_is_cut_in_the_message() {
    let c = &engine().content;
    let long = "x".repeat(5000);
    let Err(Refusal::UnknownChoice(shown)) = TurnRequest::parse(c, raw(None, Some(&long))) else {
        panic!()
    };
    assert_eq!(shown.chars().count(), ECHO_CHARS + 1);
}

#[test]
fn clarify_then_choice_answers_the_chosen_intent() {
    let mut chat = Chat::new(Channel::Web);
    let first = chat.say("permis bateau");
    assert!(first.new_session);
    assert_eq!(first.outcome, Outcome::Clarify);
    assert_eq!(first.intent, None);
    assert_eq!(
        payloads(&first),
        vec!["ddtm.permis_bateau_duplicata", "ddtm.permis_bateau"]
    );
    assert!(
        first.reply.text.starts_with("Vous parlez de"),
        "{}",
        first.reply.text
    );
    let second = chat.choose("ddtm.permis_bateau_duplicata");
    assert!(!second.new_session);
    assert_eq!(second.session, first.session);
    assert_eq!(second.outcome, Outcome::Answer);
    assert_eq!(
        second.intent.as_deref(),
        Some("ddtm.permis_bateau_duplicata")
    );
    assert_eq!(second.confidence, 1.0);
    assert!(second.reply.text.contains("duplicata"));
}

#[test]
fn yes_to_a_clarify_asks_again_and_no_asks_to_rephrase() {
    let mut chat = Chat::new(Channel::Web);
    chat.say("permis bateau");
    let again = chat.say("oui");
    assert_eq!(again.outcome, Outcome::Clarify);
    assert_eq!(
        payloads(&again),
        vec!["ddtm.permis_bateau_duplicata", "ddtm.permis_bateau"]
    );
    let no = chat.say("non");
    assert_eq!(no.outcome, Outcome::Answer);
    assert_eq!(no.intent.as_deref(), Some(NO));
    assert_eq!(no.reply.text, say::REPHRASE);
    assert!(payloads(&no).contains(&HUMAN), "{:?}", payloads(&no));
    assert!(payloads(&no).contains(&"sejour.renouvellement"));
    // Nothing pending any more: "oui" is a plain "oui".
    let yes = chat.say("oui");
    assert_eq!(yes.intent.as_deref(), Some(YES));
    assert_eq!(yes.outcome, Outcome::Answer);
}

#[test]
fn typing_after_a_clarify_starts_over_from_the_text() {
    let mut chat = Chat::new(Channel::Web);
    chat.say("permis bateau");
    let out = chat.say("Comment renouveler mon titre de séjour ?");
    assert_eq!(out.intent.as_deref(), Some("sejour.renouvellement"));
    let yes = chat.say("oui");
    assert_eq!(
        yes.intent.as_deref(),
        Some(YES),
        "the clarify is no longer pending"
    );
}

#[test]
fn web_shows_every_step_with_followups() {
    let mut chat = Chat::new(Channel::Web);
    let out = chat.say("Comment renouveler mon titre de séjour ?");
    assert_eq!(out.outcome, Outcome::Answer);
    assert_eq!(out.reply.steps.len(), 3);
    assert_eq!(payloads(&out), vec!["sejour.rendez_vous", HUMAN]);
    let next = chat.say("étape suivante");
    assert_eq!(
        next.intent.as_deref(),
        Some(NEXT_STEP),
        "nothing is walked on the web"
    );
}

#[test]
fn kiosk_walks_steps_one_at_a_time() {
    let mut chat = Chat::new(Channel::Kiosk);
    let one = chat.say("Comment renouveler mon titre de séjour ?");
    assert_eq!(one.intent.as_deref(), Some("sejour.renouvellement"));
    assert_eq!(one.reply.steps.len(), 1);
    assert_eq!(one.reply.steps[0].n, 1);
    assert_eq!(
        one.reply.steps[0].picto.as_ref().map(|p| p.id.as_str()),
        Some("internet")
    );
    assert!(
        one.reply.text.contains("ANEF") && one.reply.text.ends_with("Étape 1 sur 3."),
        "{}",
        one.reply.text
    );
    assert_eq!(payloads(&one), vec![NEXT_STEP, START_AGAIN]);

    let two = chat.choose(NEXT_STEP);
    assert_eq!(two.intent.as_deref(), Some("sejour.renouvellement"));
    assert_eq!(two.reply.steps[0].n, 2);
    assert_eq!(
        two.reply.steps[0].picto.as_ref().map(|p| p.id.as_str()),
        Some("document-ajouter")
    );
    assert_eq!(two.reply.text, "Étape 2 sur 3.");

    let three = chat.say("oui");
    assert_eq!(three.reply.steps[0].n, 3);
    assert!(three.reply.text.ends_with(say::LAST_STEP));
    assert_eq!(
        payloads(&three),
        vec!["sejour.rendez_vous", HUMAN, START_AGAIN]
    );
    assert!(
        !three.reply.links.is_empty(),
        "the links come with the last step"
    );

    let after = chat.say("suivant");
    assert_eq!(after.intent.as_deref(), Some(NEXT_STEP), "the walk is over");
    assert!(after.reply.steps.is_empty());
}

#[test]
fn no_stops_a_walk_and_offers_the_followups() {
    let mut chat = Chat::new(Channel::Kiosk);
    chat.say("Comment renouveler mon titre de séjour ?");
    let no = chat.say("non");
    assert_eq!(no.intent.as_deref(), Some(NO));
    assert!(no.reply.steps.is_empty());
    assert_eq!(
        payloads(&no),
        vec!["sejour.rendez_vous", HUMAN, START_AGAIN]
    );
    let next = chat.choose(NEXT_STEP);
    assert_eq!(next.intent.as_deref(), Some(NEXT_STEP));
}

#[test]
fn start_again_clears_the_context() {
    let mut chat = Chat::new(Channel::Kiosk);
    chat.say("Comment renouveler mon titre de séjour ?");
    let again = chat.choose(START_AGAIN);
    assert_eq!(again.intent.as_deref(), Some(START_AGAIN));
    assert!(again.reply.text.contains("on recommence"));
    let next = chat.say("étape suivante");
    assert_eq!(next.intent.as_deref(), Some(NEXT_STEP));
    assert!(next.reply.steps.is_empty());
}

#[test]
fn a_choice_outside_the_clarify_is_answered_like_a_menu() {
    let mut chat = Chat::new(Channel::Web);
    chat.say("permis bateau");
    let out = chat.choose("sejour.rendez_vous");
    assert_eq!(out.intent.as_deref(), Some("sejour.rendez_vous"));
}

#[test]
fn human_contact_and_site_values() {
    let mut chat = Chat::new(Channel::Web);
    let generic = chat.say("je veux parler a un humain");
    assert_eq!(generic.intent.as_deref(), Some(HUMAN));
    assert!(
        generic.reply.text.contains("39 39"),
        "{}",
        generic.reply.text
    );
    chat.site = Some("prefecture-exemple".into());
    let local = chat.say("je veux parler a un humain");
    assert!(
        local.reply.text.contains("01 02 03 04 05"),
        "{}",
        local.reply.text
    );
    let rdv = chat.choose("sejour.rendez_vous");
    assert!(rdv.reply.text.contains("la préfecture de l'Exemple"));
    assert_eq!(
        rdv.reply.links[0].url,
        "https://www.exemple.gouv.fr/rendez-vous"
    );
}

#[test]
fn fallback_offers_topics_and_is_recorded_without_session() {
    let mut chat = Chat::new(Channel::Kiosk);
    let out = chat.say("recette de la blanquette de veau");
    assert_eq!(out.outcome, Outcome::Fallback);
    assert_eq!(out.intent, None);
    assert!(payloads(&out).contains(&"sejour.renouvellement"));
    assert!(out.recorded, "the reply promises to pass it on");
    let records = block_on(crate::review::inbox::entries(&chat.store)).unwrap();
    assert_eq!(records.len(), 1);
    let (_, r) = &records[0];
    assert_eq!(r.text, "recette de la blanquette de veau");
    assert_eq!(r.outcomes.get("fallback"), Some(&1));
    assert_eq!(r.channels.get("kiosk"), Some(&1));
    assert_eq!(r.content_version, engine().content.version);
    let raw = serde_json::to_string(r).unwrap();
    assert!(
        !raw.contains(&out.session),
        "records are not linked to a session"
    );
}

#[test]
fn unknown_expired_and_malformed_sessions_start_over_and_say_so() {
    let mut chat = Chat::new(Channel::Kiosk);
    let first = chat.say("permis bateau");
    // Just before the kiosk expiry: the clarify is still pending.
    chat.now += chat.policy.kiosk_ttl.as_millis() as u64 - 1;
    let kept = chat.choose("ddtm.permis_bateau");
    assert!(!kept.new_session);
    assert_eq!(kept.session, first.session);
    // Idle for the whole TTL: a new session, and the reply says so.
    chat.now += chat.policy.kiosk_ttl.as_millis() as u64;
    let ended = chat.say("oui");
    assert!(ended.new_session);
    assert_ne!(ended.session, first.session);
    assert!(
        ended.reply.text.starts_with(say::SESSION_ENDED),
        "{}",
        ended.reply.text
    );
    for bogus in ["0123456789abcdef0123456789abcdef", "not a session", ""] {
        chat.session = Some(bogus.to_owned());
        let out = chat.say("bonjour");
        assert!(
            out.new_session && out.reply.text.starts_with(say::SESSION_ENDED),
            "{bogus:?}"
        );
        assert!(is_session_id(&out.session));
    }
    chat.session = None;
    let fresh = chat.say("bonjour");
    assert!(fresh.new_session);
    assert!(
        !fresh.reply.text.contains(say::SESSION_ENDED),
        "nothing ended: no notice"
    );
}

#[test]
fn web_sessions_live_longer_than_kiosk_ones() {
    let mut chat = Chat::new(Channel::Web);
    let first = chat.say("bonjour");
    chat.now += Policy::default().kiosk_ttl.as_millis() as u64 * 2;
    let later = chat.say("bonjour");
    assert_eq!(later.session, first.session);
    assert!(!later.new_session);
}

#[test]
fn sessions_keep_no_free_text() {
    for channel in [Channel::Kiosk, Channel::Web] {
        let mut chat = Chat::new(channel);
        let secret = "permis bateau zorglub-confidentiel";
        let out = chat.say(secret);
        chat.say("Comment renouveler mon titre de séjour ?");
        let SessionLookup::Found(bytes) =
            block_on(chat.store.sessions().get(&out.session, chat.now)).unwrap()
        else {
            panic!()
        };
        let stored = String::from_utf8(bytes).unwrap();
        assert!(
            !stored.contains("zorglub") && !stored.contains("renouveler"),
            "{stored}"
        );
    }
}

#[test]
fn session_ids_are_random_hex() {
    let a = new_session_id().unwrap();
    let b = new_session_id().unwrap();
    assert!(is_session_id(&a) && is_session_id(&b));
    assert_ne!(a, b);
    assert!(!is_session_id("0123456789ABCDEF0123456789ABCDEF"));
}
