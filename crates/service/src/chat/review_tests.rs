//! The review through real chat turns, on the fixture content of
//! `tests/fixtures/content` and a temporary store.
//!
//! Properties checked: a fallback is recorded masked, and no raw personal
//! data reaches any keyspace; identical normalised questions count on one
//! entry with their sites, channels and days; a clarification resolved by
//! a choice is not recorded, one left for other text, refused with "non"
//! or abandoned until its session expires is; "oui" keeps it waiting;
//! an answer marked not useful is recorded with its reason, masked; day
//! counters follow the turns; listing filters, sorts and pages with
//! cursors; actions set status, history and the paraphrase overlay; a
//! dismissed question asked again counts but stays dismissed; retention
//! removes old entries, keeps decisions as tombstones, trims days and
//! counters; attached paraphrases exported as TOML load as valid content.

use std::path::Path;
use std::sync::OnceLock;

use super::turn;
use crate::conversation::{Channel, Input, Message, Policy, TurnOutput, TurnRequest};
use crate::review::counters;
use crate::review::entry::{Kind, Occurrence, Status};
use crate::review::inbox::{self, Act, Acted, Cursor, Filter, Sort};
use crate::review::paraphrases;
use crate::review::record::{
    note_feedback, record, sweep_pending, FeedbackNote, Ticket, TicketKind,
};
use crate::review::time::DAY_MILLIS;
use crate::store::{CounterKey, Millis, SessionLookup, SledStore, Store};
use crate::testing::block_on;
use crate::testing::copy_dir;
use accueil_engine::engine::Engine;
use accueil_engine::matcher::Outcome;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        Engine::load(&root).expect("the fixture content loads")
    })
}

/// 2026-03-01T12:00:00Z.
const NOON: Millis = 1_772_366_400_000;

struct Chat<'a> {
    store: &'a SledStore,
    session: Option<String>,
    channel: Channel,
    site: Option<String>,
    now: Millis,
}

impl<'a> Chat<'a> {
    fn new(store: &'a SledStore) -> Chat<'a> {
        Chat {
            store,
            session: None,
            channel: Channel::Web,
            site: None,
            now: NOON,
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
            self.store,
            &Policy::default(),
            req,
            self.now,
        ))
        .expect("turn");
        assert_eq!(out.store_errors, 0);
        self.session = Some(out.session.clone());
        out
    }

    fn say(&mut self, text: &str) -> TurnOutput {
        self.send(Input::Message(Message::parse(text).expect("valid")))
    }

    fn choose(&mut self, id: &str) -> TurnOutput {
        self.send(Input::Choice(id.to_owned()))
    }

    fn ticket(&self) -> Option<Ticket> {
        let id = self.session.as_deref()?;
        match block_on(self.store.sessions().get(id, self.now)).ok()? {
            SessionLookup::Found(bytes) => {
                serde_json::from_slice::<crate::conversation::SessionState>(&bytes)
                    .ok()?
                    .review
            }
            _ => None,
        }
    }
}

fn store() -> SledStore {
    SledStore::temporary().expect("store")
}

fn all(store: &SledStore) -> Vec<(crate::review::EntryId, crate::review::Entry)> {
    block_on(inbox::entries(store)).expect("entries")
}

fn day_counts(store: &SledStore) -> counters::Day {
    let day = crate::review::time::day_of(NOON);
    block_on(counters::read(store, day, day))
        .expect("counters")
        .days[&day]
        .clone()
}

/// Everything the store keeps, as text.
fn everything(store: &SledStore) -> String {
    store.dump()
}

const BLANQUETTE: &str = "recette de la blanquette de veau";

#[test]
fn a_fallback_is_recorded_masked() {
    let s = store();
    let mut chat = Chat::new(&s);
    let raw =
        "mon mail jean.dupont@gmail.com et mon tel 06 12 34 56 78 pour la recette du couscous";
    let out = chat.say(raw);
    assert_eq!(out.outcome, Outcome::Fallback);
    assert!(out.recorded);
    let entries = all(&s);
    assert_eq!(entries.len(), 1);
    let e = &entries[0].1;
    assert!(
        e.text.contains("[courriel]") && e.text.contains("[téléphone]"),
        "{}",
        e.text
    );
    assert!(e.text.contains("couscous"));
    let stored = everything(&s);
    for secret in [
        "jean.dupont",
        "gmail",
        "06 12 34 56 78",
        "0612345678",
        "12 34 56",
    ] {
        assert!(!stored.contains(secret), "`{secret}` reached the store");
    }
    let raw_session = String::from_utf8_lossy(
        &match block_on(s.sessions().get(&out.session, NOON)).unwrap() {
            SessionLookup::Found(b) => b,
            other => panic!("{other:?}"),
        },
    )
    .into_owned();
    assert!(!raw_session.contains("couscous"), "{raw_session}");
}

#[test]
fn identical_questions_count_on_one_entry() {
    let s = store();
    let mut chat = Chat::new(&s);
    chat.say(BLANQUETTE);
    chat.session = None;
    chat.channel = Channel::Kiosk;
    chat.site = Some("prefecture-exemple".into());
    chat.say("Recette de la BLANQUETTE de veau !");
    chat.now += DAY_MILLIS;
    chat.say("recette de la blanquette de veau");
    chat.say("recette de la blanquette de poisson");
    let entries = all(&s);
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let (_, e) = entries
        .iter()
        .find(|(_, e)| e.count == 3)
        .expect("one entry counted three times");
    assert_eq!(e.text, BLANQUETTE, "the first form is kept");
    assert_eq!(e.first_seen, NOON);
    assert_eq!(e.last_seen, NOON + DAY_MILLIS);
    assert_eq!(e.sites.get("prefecture-exemple"), Some(&2));
    assert_eq!(e.channels.get("web"), Some(&1));
    assert_eq!(e.channels.get("kiosk"), Some(&2));
    assert_eq!(e.days.len(), 2);
    assert_eq!(e.outcomes.get("fallback"), Some(&3));
}

#[test]
fn a_clarification_resolved_by_a_choice_is_not_recorded() {
    let s = store();
    let mut chat = Chat::new(&s);
    assert_eq!(chat.say("permis bateau").outcome, Outcome::Clarify);
    let ticket = chat.ticket().expect("a ticket");
    assert_eq!(ticket.kind, TicketKind::Clarify);
    assert_eq!(block_on(s.pending().all()).unwrap().len(), 1);
    let out = chat.choose("ddtm.permis_bateau_duplicata");
    assert_eq!(out.outcome, Outcome::Answer);
    assert!(all(&s).is_empty());
    assert!(block_on(s.pending().all()).unwrap().is_empty());
    let day = day_counts(&s);
    assert_eq!((day.questions, day.clarified, day.choices), (1, 1, 1));
    assert_eq!((day.clarify_resolved, day.clarify_unresolved), (1, 0));
    // Nothing is waiting: an expiry sweep records nothing.
    assert_eq!(block_on(sweep_pending(&s, u64::MAX)).unwrap().recorded, 0);
}

#[test]
fn oui_keeps_a_clarification_waiting() {
    let s = store();
    let mut chat = Chat::new(&s);
    chat.say("permis bateau");
    assert_eq!(chat.say("oui").outcome, Outcome::Clarify);
    assert_eq!(chat.ticket().map(|t| t.kind), Some(TicketKind::Clarify));
    chat.choose("ddtm.permis_bateau");
    assert!(all(&s).is_empty());
    assert_eq!(day_counts(&s).clarify_resolved, 1);
}

#[test]
fn unresolved_clarifications_are_recorded() {
    // Other text, "non", or the session expiring.
    let s = store();
    let mut chat = Chat::new(&s);
    chat.say("permis bateau");
    chat.say("Comment renouveler mon titre de séjour ?");
    let entries = all(&s);
    assert_eq!(entries.len(), 1);
    let e = &entries[0].1;
    assert_eq!(e.text, "permis bateau");
    assert_eq!(e.outcomes.get("clarify"), Some(&1));
    let offered: Vec<&str> = e.candidates.iter().map(|g| g.intent.as_str()).collect();
    assert!(
        offered.contains(&"ddtm.permis_bateau_duplicata"),
        "{offered:?}"
    );

    chat.session = None;
    chat.say("permis bateau");
    chat.say("non");
    assert_eq!(all(&s)[0].1.count, 2, "\"non\" leaves it unresolved");

    chat.session = None;
    chat.say("permis bateau");
    // Not yet expired: nothing to settle.
    assert_eq!(
        block_on(sweep_pending(&s, chat.now + 1)).unwrap().recorded,
        0
    );
    let expiry = chat.now + Policy::default().web_ttl.as_millis() as u64;
    let swept = block_on(sweep_pending(&s, expiry)).unwrap();
    assert_eq!(swept.recorded, 1);
    assert_eq!(all(&s)[0].1.count, 3);
    assert_eq!(day_counts(&s).clarify_unresolved, 3);
    assert!(block_on(s.pending().all()).unwrap().is_empty());
}

#[test]
fn an_answer_marked_not_useful_is_recorded_with_its_reason_masked() {
    let s = store();
    let mut chat = Chat::new(&s);
    let out = chat.say("je dois refaire ma carte de séjour");
    assert_eq!(out.intent.as_deref(), Some("sejour.renouvellement"));
    let ticket = chat.ticket().expect("an answer ticket");
    assert_eq!(ticket.kind, TicketKind::Answer);
    // A choice afterwards keeps the ticket for the answer.
    chat.choose("sejour.rendez_vous");
    assert_eq!(chat.ticket(), Some(ticket.clone()));
    // Useful on another intent: counted only.
    let recorded = block_on(note_feedback(
        &s,
        FeedbackNote {
            ticket: Some(&ticket),
            intent: "sejour.rendez_vous",
            useful: true,
            reason: None,
            now: NOON,
        },
    ))
    .unwrap();
    assert!(!recorded);
    let recorded = block_on(note_feedback(
        &s,
        FeedbackNote {
            ticket: Some(&ticket),
            intent: "sejour.renouvellement",
            useful: false,
            reason: Some("pas clair, rappelez moi au 06 11 22 33 44"),
            now: NOON,
        },
    ))
    .unwrap();
    assert!(recorded);
    let entries = all(&s);
    assert_eq!(entries.len(), 1);
    let e = &entries[0].1;
    assert_eq!(e.text, "je dois refaire ma carte de séjour");
    assert_eq!(e.outcomes.get("not_useful"), Some(&1));
    assert_eq!(e.reasons, ["pas clair, rappelez moi au [téléphone]"]);
    assert!(!everything(&s).contains("06 11 22 33 44"));
    let day = day_counts(&s);
    assert_eq!((day.feedback_useful, day.feedback_not_useful), (1, 1));
    let day = crate::review::time::day_of(NOON);
    let intents = block_on(counters::read(&s, day - 1, day + 1))
        .unwrap()
        .intents;
    assert_eq!(intents["sejour.renouvellement"].feedback_not_useful, 1);
    assert_eq!(intents["sejour.renouvellement"].answers, 1);
    assert_eq!(intents["sejour.rendez_vous"].feedback_useful, 1);
    assert_eq!(
        intents["sejour.rendez_vous"].answers, 1,
        "chosen answers count"
    );
    // The question was used once: a second verdict records nothing more.
    let again = block_on(note_feedback(
        &s,
        FeedbackNote {
            ticket: Some(&ticket),
            intent: "sejour.renouvellement",
            useful: false,
            reason: None,
            now: NOON,
        },
    ))
    .unwrap();
    assert!(!again);
    // Answers without feedback are dropped when their session expires.
    chat.session = None;
    chat.say("je dois refaire ma carte de séjour");
    let swept = block_on(sweep_pending(&s, u64::MAX)).unwrap();
    assert_eq!((swept.recorded, swept.dropped), (0, 1));
}

#[test]
fn conversation_answers_and_steps_take_no_ticket_nor_count_twice() {
    let s = store();
    let mut chat = Chat::new(&s);
    chat.channel = Channel::Kiosk;
    chat.say("bonjour");
    assert_eq!(
        chat.ticket(),
        None,
        "conversation intents get no feedback ticket"
    );
    chat.say("Comment renouveler mon titre de séjour ?");
    chat.choose("conv.etape_suivante");
    chat.say("oui");
    let day = crate::review::time::day_of(NOON);
    let intents = block_on(counters::read(&s, day - 1, day + 1))
        .unwrap()
        .intents;
    assert_eq!(
        intents["sejour.renouvellement"].answers, 1,
        "steps are not answers"
    );
    let day = day_counts(&s);
    assert_eq!((day.questions, day.answered, day.choices), (3, 3, 1));
}

fn occ(
    text: &str,
    at: Millis,
    site: Option<&'static str>,
) -> (String, Millis, Option<&'static str>) {
    (text.to_owned(), at, site)
}

fn put(s: &SledStore, items: &[(String, Millis, Option<&'static str>)]) {
    for (text, at, site) in items {
        block_on(record(
            s,
            &Occurrence {
                text,
                normalized: text,
                kind: Kind::Fallback,
                channel: Channel::Web,
                site: *site,
                at: *at,
                guesses: &[],
                content_version: "v",
                reason: None,
            },
        ))
        .unwrap();
    }
}

#[test]
fn listing_filters_sorts_and_pages() {
    let s = store();
    let mut items = Vec::new();
    for k in 0..25u64 {
        // Question k asked k % 4 + 1 times, the last time at NOON + k.
        for n in 0..=(k % 4) {
            items.push(occ(
                &format!("question {k}"),
                NOON + k - n,
                if k < 5 { Some("guyane") } else { None },
            ));
        }
    }
    put(&s, &items);
    let new = Filter {
        status: Some(Status::New),
        ..Filter::default()
    };
    // By count, paged by 7: every entry once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = block_on(inbox::list(&s, &new, Sort::Count, 7, cursor.as_ref())).unwrap();
        assert_eq!(page.total, 25);
        seen.extend(page.items.iter().map(|(_, e)| (e.count, e.last_seen)));
        match page.next_cursor {
            Some(c) => cursor = Some(Cursor::parse(Sort::Count, &c).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "{seen:?}");
    // Most recent first.
    let recent = block_on(inbox::list(&s, &new, Sort::Recent, 3, None)).unwrap();
    let texts: Vec<&str> = recent.items.iter().map(|(_, e)| e.text.as_str()).collect();
    assert_eq!(texts, ["question 24", "question 23", "question 22"]);
    let next = Cursor::parse(Sort::Recent, recent.next_cursor.as_deref().unwrap()).unwrap();
    let more = block_on(inbox::list(&s, &new, Sort::Recent, 1, Some(&next))).unwrap();
    assert_eq!(more.items[0].1.text, "question 21");
    // A cursor of the other order is refused.
    assert!(Cursor::parse(Sort::Count, recent.next_cursor.as_deref().unwrap()).is_err());
    assert!(Cursor::parse(Sort::Recent, "r.12.zz").is_err());
    // Site and time filters.
    let site = Filter {
        site: Some("guyane".into()),
        ..new.clone()
    };
    assert_eq!(
        block_on(inbox::list(&s, &site, Sort::Count, 50, None))
            .unwrap()
            .total,
        5
    );
    let since = Filter {
        since: Some(NOON + 20),
        ..new.clone()
    };
    assert_eq!(
        block_on(inbox::list(&s, &since, Sort::Count, 50, None))
            .unwrap()
            .total,
        5
    );
}

#[test]
fn actions_set_status_history_and_the_overlay() {
    let s = store();
    put(&s, &[occ("mon titre expire bientot que faire", NOON, None)]);
    let (id, _) = all(&s)[0].clone();
    let attach = Act::Attach {
        intent: "sejour.renouvellement".into(),
        paraphrase: "mon titre expire bientot que faire".into(),
    };
    let Acted::Done(e) = block_on(inbox::act(&s, id, &attach, "alice", NOON + 5)).unwrap() else {
        panic!()
    };
    assert_eq!(e.status, Status::Attached);
    assert_eq!(e.attached_to(), Some("sejour.renouvellement"));
    let stored = block_on(paraphrases::stored(&s)).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].by.as_str(), stored[0].at), ("alice", NOON + 5));
    // Dismissing it removes the paraphrase: `attached` means taught.
    let Acted::Done(e) = block_on(inbox::act(&s, id, &Act::Dismiss, "bob", NOON + 6)).unwrap()
    else {
        panic!()
    };
    assert_eq!(e.status, Status::Dismissed);
    assert!(block_on(paraphrases::stored(&s)).unwrap().is_empty());
    let history: Vec<(&str, &str)> = e
        .actions
        .iter()
        .map(|a| (a.action.as_str(), a.by.as_str()))
        .collect();
    assert_eq!(history, [("attach", "alice"), ("dismiss", "bob")]);
    // Asked again: counted, still dismissed.
    put(
        &s,
        &[occ("mon titre expire bientot que faire", NOON + 10, None)],
    );
    let e = block_on(inbox::entry(&s, id)).unwrap().unwrap();
    assert_eq!(
        (e.count, e.since_action, e.status),
        (2, 1, Status::Dismissed)
    );
    assert!(block_on(inbox::list(
        &s,
        &Filter {
            status: Some(Status::New),
            ..Filter::default()
        },
        Sort::Count,
        10,
        None
    ))
    .unwrap()
    .items
    .is_empty());
    let Acted::Done(e) = block_on(inbox::act(&s, id, &Act::ToWrite, "bob", NOON + 11)).unwrap()
    else {
        panic!()
    };
    assert_eq!(e.status, Status::ToWrite);
    let unknown = crate::review::EntryId::of("jamais vu");
    assert_eq!(
        block_on(inbox::act(&s, unknown, &Act::Dismiss, "bob", NOON)).unwrap(),
        Acted::Unknown
    );
}

#[test]
fn retention_removes_old_entries_and_keeps_decisions() {
    let s = store();
    let old = NOON - 100 * DAY_MILLIS;
    put(
        &s,
        &[
            occ("vieille question", old, None),
            occ("vieille question rejetee", old, None),
            occ("question suivie", old, None),
            occ("question suivie", NOON - DAY_MILLIS, None),
        ],
    );
    let day = |t: Millis| CounterKey::Turns {
        day: crate::review::time::day_of(t),
    };
    block_on(s.counters().add(&[(day(old), &[1])])).unwrap();
    block_on(s.counters().add(&[(day(NOON), &[1])])).unwrap();
    let id_of = |t: &str| crate::review::EntryId::of(t);
    block_on(inbox::act(
        &s,
        id_of("vieille question rejetee"),
        &Act::Dismiss,
        "alice",
        old + 1,
    ))
    .unwrap();
    let purged = block_on(inbox::purge(&s, NOON, 90)).unwrap();
    assert_eq!(
        (
            purged.removed,
            purged.emptied,
            purged.trimmed,
            purged.counters
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        block_on(inbox::entry(&s, id_of("vieille question"))).unwrap(),
        None
    );
    let tomb = block_on(inbox::entry(&s, id_of("vieille question rejetee")))
        .unwrap()
        .unwrap();
    assert!(tomb.purged && tomb.text.is_empty() && tomb.normalized.is_empty());
    assert_eq!(tomb.status, Status::Dismissed);
    let kept = block_on(inbox::entry(&s, id_of("question suivie")))
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.count, kept.days.len()),
        (2, 1),
        "the old day is trimmed, the count kept"
    );
    assert_eq!(all(&s).len(), 1, "tombstones are not listed");
    assert!(!everything(&s).contains("vieille"), "no old text left");
    // The dismissed question comes back: still dismissed.
    put(&s, &[occ("vieille question rejetee", NOON, None)]);
    let back = block_on(inbox::entry(&s, id_of("vieille question rejetee")))
        .unwrap()
        .unwrap();
    assert_eq!(
        (back.status, back.purged, back.text.as_str()),
        (Status::Dismissed, false, "vieille question rejetee")
    );
    // Attaching a tombstone is refused.
    put(&s, &[occ("autre", old, None)]);
    block_on(inbox::act(&s, id_of("autre"), &Act::ToWrite, "alice", old)).unwrap();
    block_on(inbox::purge(&s, NOON, 90)).unwrap();
    let attach = Act::Attach {
        intent: "x".into(),
        paraphrase: "autre".into(),
    };
    assert_eq!(
        block_on(inbox::act(&s, id_of("autre"), &attach, "alice", NOON)).unwrap(),
        Acted::Purged
    );
    // Nothing more to do.
    assert_eq!(block_on(inbox::purge(&s, NOON, 90)).unwrap().removed, 0);
}

/// Put the snippets of a TOML export into the files they name, the way
/// an agent would: each snippet's questions appended to the file's.
pub(crate) fn apply_toml_export(root: &Path, export: &str) -> usize {
    let mut applied = 0;
    for part in export.split("# ==> ").skip(1) {
        let (path, snippet) = part.split_once(" <==\n").expect("a header");
        let snippet: toml::Table = toml::from_str(snippet).expect("each snippet is valid TOML");
        let file = root.join(path);
        let text = std::fs::read_to_string(&file).expect("the named file exists");
        let mut doc: toml::Table = toml::from_str(&text).expect("intent file");
        assert_eq!(doc["id"], snippet["id"], "{path}");
        let questions = doc
            .get_mut("questions")
            .and_then(|q| q.as_array_mut())
            .expect("questions");
        for q in snippet["questions"].as_array().expect("questions") {
            questions.push(q.clone());
            applied += 1;
        }
        std::fs::write(&file, toml::to_string(&doc).expect("serialise")).expect("write");
    }
    applied
}

#[test]
fn attached_paraphrases_exported_as_toml_load_as_valid_content() {
    let s = store();
    let files = engine();
    let questions = [
        (
            "mon papier pour rester en france se termine bientot",
            "sejour.renouvellement",
        ),
        (
            "j'ai égaré le permis de mon bateau, j'en veux un autre",
            "ddtm.permis_bateau_duplicata",
        ),
        (
            "il faut quoi comme \"papiers\" pour le bateau à moteur",
            "ddtm.permis_bateau",
        ),
    ];
    for (k, (q, intent)) in questions.iter().enumerate() {
        put(&s, &[occ(q, NOON, None)]);
        let attach = Act::Attach {
            intent: (*intent).into(),
            paraphrase: (*q).into(),
        };
        block_on(inbox::act(
            &s,
            crate::review::EntryId::of(q),
            &attach,
            "alice",
            NOON + k as u64,
        ))
        .unwrap();
    }
    let stored = block_on(paraphrases::stored(&s)).unwrap();
    let export = crate::review::export::toml(files, &stored, NOON);
    let tmp = tempfile::Builder::new()
        .prefix("accueil-review-export-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    copy_dir(&files.content.root, dir);
    assert_eq!(apply_toml_export(dir, &export), 3, "{export}");
    let content =
        accueil_engine::content::Content::load(dir).unwrap_or_else(|e| panic!("{e:?}\n{export}"));
    let reloaded = Engine::from_content(content);
    for (q, intent) in questions {
        let m = reloaded.decide(q);
        assert_eq!(
            (m.outcome, m.intent.as_deref()),
            (Outcome::Answer, Some(intent)),
            "{q}"
        );
    }
    // Once in the files, a paraphrase leaves the export.
    let again = crate::review::export::toml(&reloaded, &stored, NOON);
    assert!(!again.contains("# ==> "), "{again}");
}
