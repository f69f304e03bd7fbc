//! Conversations: one turn of the chat, from what a person sent to what the
//! assistant says, with the little context a session keeps in between.
//!
//! The matcher judges one question alone; a conversation also knows what
//! the assistant last asked. That context is a [`Pending`] question: the
//! intents offered by a `clarify` (a `choice` or a "oui" answers it), or a
//! procedure being walked one step at a time on a kiosk ("étape suivante",
//! "oui" and "non" answer it). Everything else is stateless: any free text
//! is matched afresh, so typing instead of choosing starts over from the
//! text, and `conv.recommencer` clears the context.
//!
//! Sessions keep no free text at all, on any channel: the pending question
//! is made of intent ids and a step number. A kiosk session therefore holds
//! nothing a person typed, during or after their visit. What people type
//! is kept only for agents, masked and anonymous, by [`crate::review`]: a
//! question the assistant could not answer (`fallback`: the reply promises
//! to pass it to an agent), a clarification left unresolved, an answer
//! marked not useful. The session holds at most a review ticket (an id).
//!
//! Nothing here knows HTTP: requests arrive as plain values, refusals are a
//! [`Refusal`] the web layer maps to its error codes, and time is a
//! parameter so tests drive expiry without sleeping.

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::events::{Channel, Guess};
use crate::events::{Ticket, TurnEvent, TurnListener};
use crate::journey_walk;
use crate::store::{Millis, SessionLookup, Store, StoreError};
use accueil_engine::content::{Content, Intent, Lang, Site};
use accueil_engine::engine::Engine;
use accueil_engine::matcher::Outcome;
use accueil_engine::notices::Notice;
use accueil_engine::reply::{self, About, Composer, Reply};

/// Longest message, in characters, after control characters are stripped
/// and the ends trimmed. Longer texts are stories the matcher would dilute.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Session ids are 128 random bits, written as lowercase hex.
const SESSION_ID_BYTES: usize = 16;

/// Conversation intents with a behaviour beyond their answer.
pub use accueil_engine::reply::{say, NEXT_STEP, START_AGAIN};
pub const HUMAN: &str = "conv.parler_agent";
pub const YES: &str = "conv.oui";
pub const NO: &str = "conv.non";

/// How long a session lives without a turn, per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub web_ttl: Duration,
    /// Short: the next person at the kiosk must not land in the previous
    /// person's conversation.
    pub kiosk_ttl: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            web_ttl: Duration::from_secs(30 * 60),
            kiosk_ttl: Duration::from_secs(3 * 60),
        }
    }
}

impl Policy {
    pub fn ttl(&self, channel: Channel) -> Duration {
        match channel {
            Channel::Web => self.web_ttl,
            Channel::Kiosk => self.kiosk_ttl,
        }
    }
}

/// Why a turn was refused before any work: the sender's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("`channel` is required: \"web\" or \"kiosk\"")]
    MissingChannel,
    #[error("unknown channel `{0}`: use \"web\" or \"kiosk\"")]
    UnknownChannel(String),
    #[error("send either `message` or `choice`, not both")]
    BothMessageAndChoice,
    #[error("send a `message` (free text) or a `choice` (the payload of a quick reply)")]
    NoMessageOrChoice,
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message has {chars} characters; the limit is {MAX_MESSAGE_CHARS}")]
    MessageTooLong { chars: usize },
    #[error("unknown choice `{0}`: a choice is the payload of a quick reply")]
    UnknownChoice(String),
    #[error("unknown site `{id}`; known sites: {known}")]
    UnknownSite { id: String, known: String },
    #[error("unknown lang `{0}`: use \"fr\" or \"en\"")]
    UnknownLang(String),
}

/// At most this many characters of a refused value are echoed back.
pub(crate) const ECHO_CHARS: usize = 64;

/// A refused value as it may be shown in an error message: cleaned and cut.
fn echo(value: &str) -> String {
    let clean = clean_text(value);
    let mut out: String = clean.chars().take(ECHO_CHARS).collect();
    if clean.chars().count() > ECHO_CHARS {
        out.push('…');
    }
    out
}

/// Characters dropped from messages: invisible format characters that can
/// reorder or hide text (bidirectional overrides, zero-width characters,
/// byte-order mark, soft hyphen). They mean nothing to the matcher and
/// would mislead an agent reading the question later.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Strip control characters: line breaks and tabs become spaces (they
/// separated words), other controls and invisible format characters go.
pub fn clean_text(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                Some(' ')
            }
            c if c.is_control() || is_invisible_format(c) => None,
            c => Some(c),
        })
        .collect()
}

/// A person's free text, cleaned, trimmed, non-empty and within the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message(String);

impl Message {
    pub fn parse(raw: &str) -> Result<Message, Refusal> {
        let cleaned = clean_text(raw);
        let text = cleaned.trim();
        if text.is_empty() {
            return Err(Refusal::EmptyMessage);
        }
        let chars = text.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(Refusal::MessageTooLong { chars });
        }
        Ok(Message(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the person sent: typed text, or the payload of a quick reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Message(Message),
    /// An intent id that exists in the content, or a guided journey's
    /// payload (`parcours.<name>[#<node>[#<k>]]`, see [`crate::journey_walk`]).
    Choice(String),
}

/// A turn as it arrives, every field optional and unchecked.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawTurn<'a> {
    pub session: Option<&'a str>,
    pub message: Option<&'a str>,
    pub choice: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub site: Option<&'a str>,
    /// `fr` or `en`: the reply's language, as the person chose it.
    pub lang: Option<&'a str>,
}

/// A checked turn: known channel, exactly one valid input, known site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnRequest {
    /// The session id the client holds, unchecked: an unknown, expired or
    /// malformed id starts a new session (never an error).
    pub session: Option<String>,
    pub input: Input,
    pub channel: Channel,
    /// A site id that exists in the content; `None` for the national wording.
    pub site: Option<String>,
    /// The language the person chose (the widget's switch, the API's
    /// `lang`); `None`: the session's, else the message's own.
    pub lang: Option<Lang>,
}

impl TurnRequest {
    /// Check a raw turn against the content. The first problem found is
    /// reported, in this order: channel, message/choice, site.
    pub fn parse(content: &Content, raw: RawTurn<'_>) -> Result<TurnRequest, Refusal> {
        let channel = match raw.channel {
            None => return Err(Refusal::MissingChannel),
            Some(c) => Channel::parse(c).ok_or_else(|| Refusal::UnknownChannel(echo(c)))?,
        };
        let input = match (raw.message, raw.choice) {
            (Some(_), Some(_)) => return Err(Refusal::BothMessageAndChoice),
            (None, None) => return Err(Refusal::NoMessageOrChoice),
            (Some(m), None) => Input::Message(Message::parse(m)?),
            (None, Some(c)) => match content.intent(c.trim()) {
                Some(intent) => Input::Choice(intent.id.clone()),
                None if journey_walk::is_payload(content, c) => Input::Choice(c.trim().to_owned()),
                None => return Err(Refusal::UnknownChoice(echo(c))),
            },
        };
        let site = find_site(content, raw.site)?.map(|s| s.id.clone());
        let lang = match raw.lang.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(l) => Some(Lang::parse(l).ok_or_else(|| Refusal::UnknownLang(echo(l)))?),
        };
        Ok(TurnRequest {
            lang,
            session: raw.session.map(str::to_owned),
            input,
            channel,
            site,
        })
    }
}

/// The site a request names: none for an absent or empty value (what a
/// widget sends when none is configured); an unknown one is refused with
/// the list of known sites.
pub fn find_site<'a>(
    content: &'a Content,
    site: Option<&str>,
) -> Result<Option<&'a Site>, Refusal> {
    match site.map(str::trim) {
        None | Some("") => Ok(None),
        Some(id) => match content.sites.get(id) {
            Some(site) => Ok(Some(site)),
            None => {
                let known: Vec<&str> = content.sites.keys().map(String::as_str).collect();
                let known = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                Err(Refusal::UnknownSite {
                    id: echo(id),
                    known,
                })
            }
        },
    }
}

/// What the assistant is waiting for, kept in the session between turns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    #[default]
    Nothing,
    /// "Vous parlez de : A ou B ?" — the intents offered.
    Clarify { options: Vec<String> },
    /// A procedure shown one step at a time; `next` is the 0-based index
    /// of the step to show on "étape suivante".
    Steps { intent: String, next: usize },
}

/// A session as stored: ids and counters, never text the person typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub channel: Channel,
    pub created_at: Millis,
    pub turns: u32,
    #[serde(default)]
    pub pending: Pending,
    /// The guided journey being walked (node ids only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<journey_walk::Position>,
    /// The agents' review ticket of the last question (an id, never text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Ticket>,
    /// The language the replies were in, kept for the next turns (a tapped
    /// button says nothing of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

/// The result of one turn.
#[derive(Debug, Clone)]
pub struct TurnOutput {
    pub session: String,
    /// A session was created by this turn (none sent, or the one sent was
    /// unknown or expired; then the reply says so).
    pub new_session: bool,
    pub outcome: Outcome,
    /// The intent the reply shows (the procedure being walked, for steps).
    pub intent: Option<String>,
    pub confidence: f32,
    pub reply: Reply,
    /// Store operations that failed during the turn. The person still gets
    /// an answer; the cost is a lost context, so this is logged and counted.
    pub store_errors: u32,
    /// The guided journey this turn walked, if any.
    pub journey: Option<journey_walk::JourneyView>,
    /// A question was recorded for agents that the reply promises to pass
    /// on: the caller makes the store durable before replying.
    pub recorded: bool,
}

/// A turn could not be served at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnError {
    #[error("no randomness available for a session id: {0}")]
    Randomness(String),
}

/// A well-formed session id: what [`new_session_id`] makes.
pub fn is_session_id(s: &str) -> bool {
    s.len() == SESSION_ID_BYTES * 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fresh, unguessable session id: the id is the only key to a
/// conversation, so it comes from the operating system's random source.
pub fn new_session_id() -> Result<String, TurnError> {
    let mut bytes = [0u8; SESSION_ID_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| TurnError::Randomness(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// What one turn says, before the session bookkeeping.
struct Said {
    outcome: Outcome,
    intent: Option<String>,
    confidence: f32,
    reply: Reply,
}

/// The context a turn works in.
struct Ctx<'a> {
    engine: &'a Engine,
    content: &'a Content,
    site: Option<&'a Site>,
    channel: Channel,
    pending: Pending,
}

/// Play one turn: open (or start) the session, understand the input in
/// the light of the pending question, reply (completed with the notices in
/// force, the content's and the agents' `notices`), tell `listener` what
/// happened, and save the session with the ticket it returns.
pub async fn play(
    engine: &Engine,
    notices: &[Notice],
    store: &dyn Store,
    policy: &Policy,
    req: TurnRequest,
    now: Millis,
    listener: &dyn TurnListener,
) -> Result<TurnOutput, TurnError> {
    // Matching reads the French content (`engine.decide`); replies are
    // worded from the content of the reply's language (`ctx.content`).
    let mut store_errors = 0;
    let opened = open_session(
        store,
        req.session.as_deref(),
        req.channel,
        now,
        &mut store_errors,
    )
    .await?;
    // The language chosen, else kept from the last turns; a message typed
    // in English switches to English unless this request chose a language
    // (the detector's "French or unsure" never switches back: the widget's
    // switch does).
    let mut lang = req.lang.or(opened.state.lang).unwrap_or(Lang::Fr);
    let worded = |lang: Lang| {
        let content = engine.content_in(lang);
        (
            content,
            req.site.as_deref().and_then(|id| content.sites.get(id)),
        )
    };
    let (words, site) = worded(lang);
    let mut ctx = Ctx {
        engine,
        content: words,
        site,
        channel: req.channel,
        pending: opened.state.pending.clone(),
    };

    // A guided journey takes its own inputs first (its buttons, « retour »
    // typed in it); anything else leaves it.
    let walked = match &req.input {
        Input::Choice(c) => journey_walk::on_choice(ctx.content, c, opened.state.journey.as_ref()),
        Input::Message(m) => {
            journey_walk::on_message(ctx.content, m.as_str(), opened.state.journey.as_ref())
        }
    };
    let mut journey = None;
    // The matcher's verdict on a typed question, for the agents' review.
    let mut asked = None;
    let said = match (walked, &req.input) {
        (Some(walk), _) => on_journey(&mut ctx, walk, &mut journey),
        (None, Input::Message(text)) => {
            let m = engine.decide(text.as_str());
            if req.lang.is_none() && Lang::of_message(m.language.as_deref()) == Lang::En {
                lang = Lang::En;
                (ctx.content, ctx.site) = worded(lang);
            }
            let content = ctx.content;
            let mut said = match m.outcome {
                Outcome::Answer => match m.intent.as_deref().and_then(|id| content.intent(id)) {
                    Some(intent) => on_intent(&mut ctx, intent, m.confidence),
                    None => fallback(&mut ctx, m.confidence),
                },
                Outcome::Clarify => {
                    let options: Vec<&Intent> = m
                        .candidates
                        .iter()
                        .filter_map(|c| content.intent(&c.intent))
                        .collect();
                    if options.is_empty() {
                        fallback(&mut ctx, m.confidence)
                    } else {
                        clarify(&mut ctx, &options, m.confidence)
                    }
                }
                Outcome::Fallback => fallback(&mut ctx, m.confidence),
            };
            if said.outcome == Outcome::Fallback {
                journey_walk::offer_on_fallback(content, &m.candidates, &mut said.reply);
                said.reply.question = Some(engine.mask(text.as_str()));
            }
            asked = Some(m);
            said
        }
        (None, Input::Choice(id)) => match ctx.content.intent(id) {
            Some(intent) => on_intent(&mut ctx, intent, 1.0),
            // Checked by `TurnRequest::parse`; a reload in between may have
            // removed it, which is no reason to fail.
            None => fallback(&mut ctx, 0.0),
        },
    };

    let mut reply = said.reply;
    if opened.ended {
        reply.text = format!("{}\n{}", say::words(lang).session_ended, reply.text);
    }
    // Service notices: the general ones open a conversation; the scoped
    // ones come with the answers (and journeys) they concern.
    let composer = Composer::new(ctx.content, ctx.site).with_notices(notices, now, opened.new);
    let reply = composer.finish(
        reply,
        About {
            intent: said.intent.as_deref(),
            domain: journey.as_ref().map(|(_, view)| view.domain.as_str()),
            language: asked.as_ref().and_then(|m| m.language.as_deref()),
        },
    );
    let ttl = u64::try_from(policy.ttl(req.channel).as_millis()).unwrap_or(u64::MAX);
    let noted = listener
        .turned(&TurnEvent {
            ticket: opened.state.review.as_ref(),
            typed: match (&req.input, &asked) {
                (Input::Message(text), Some(m)) => Some((text.as_str(), m)),
                _ => None,
            },
            choice: match &req.input {
                Input::Choice(id) => Some(id.as_str()),
                Input::Message(_) => None,
            },
            outcome: said.outcome,
            intent: said.intent.as_deref(),
            clarified_again: said.outcome == Outcome::Clarify
                && asked
                    .as_ref()
                    .is_some_and(|m| m.outcome != Outcome::Clarify),
            channel: req.channel,
            site: req.site.as_deref(),
            now,
            expires_at: now.saturating_add(ttl),
        })
        .await;
    store_errors += noted.store_errors;
    let state = SessionState {
        channel: req.channel,
        created_at: opened.state.created_at,
        turns: opened.state.turns.saturating_add(1),
        pending: ctx.pending,
        journey: journey.as_ref().map(|(position, _)| position.clone()),
        review: noted.ticket,
        // Kept once it is not the default, so a French session stores nothing more.
        lang: (lang == Lang::En || req.lang.is_some() || opened.state.lang.is_some())
            .then_some(lang),
    };
    let saved = match serde_json::to_vec(&state) {
        Ok(bytes) => {
            store
                .sessions()
                .put(&opened.id, now.saturating_add(ttl), &bytes)
                .await
        }
        Err(e) => Err(StoreError(format!("encoding a session: {e}"))),
    };
    if let Err(e) = saved {
        tracing::warn!(error = %e, "cannot save the session");
        store_errors += 1;
    }
    Ok(TurnOutput {
        session: opened.id,
        new_session: opened.new,
        outcome: said.outcome,
        intent: said.intent,
        confidence: said.confidence,
        reply,
        store_errors,
        journey: journey.map(|(_, view)| view),
        recorded: noted.recorded,
    })
}

struct Opened {
    id: String,
    state: SessionState,
    new: bool,
    /// The client sent a session we could not continue.
    ended: bool,
}

async fn open_session(
    store: &dyn Store,
    requested: Option<&str>,
    channel: Channel,
    now: Millis,
    store_errors: &mut u32,
) -> Result<Opened, TurnError> {
    let mut ended = false;
    if let Some(id) = requested {
        ended = true;
        if is_session_id(id) {
            match store.sessions().get(id, now).await {
                Ok(SessionLookup::Found(bytes)) => {
                    match serde_json::from_slice::<SessionState>(&bytes) {
                        Ok(state) => {
                            return Ok(Opened {
                                id: id.to_owned(),
                                state,
                                new: false,
                                ended: false,
                            })
                        }
                        // Written by another version: start over rather than fail.
                        Err(e) => {
                            tracing::warn!(error = %e, "unreadable session, starting a new one")
                        }
                    }
                }
                Ok(SessionLookup::Expired | SessionLookup::Missing) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the session, starting a new one");
                    *store_errors += 1;
                }
            }
        }
    }
    let state = SessionState {
        channel,
        created_at: now,
        turns: 0,
        pending: Pending::Nothing,
        journey: None,
        review: None,
        lang: None,
    };
    Ok(Opened {
        id: new_session_id()?,
        state,
        new: true,
        ended,
    })
}

/// An intent was understood (typed with confidence, or chosen).
fn on_intent(ctx: &mut Ctx<'_>, intent: &Intent, confidence: f32) -> Said {
    let pending = std::mem::take(&mut ctx.pending);
    match (intent.id.as_str(), pending) {
        (
            NEXT_STEP | YES,
            Pending::Steps {
                intent: walked,
                next,
            },
        ) => next_step(ctx, intent, &walked, next, confidence),
        (YES, Pending::Clarify { options }) => {
            let offered: Vec<&Intent> = options
                .iter()
                .filter_map(|id| ctx.content.intent(id))
                .collect();
            match offered.as_slice() {
                // "Vous parlez de : A ?" — "oui" means A.
                [only] => answer(ctx, only, confidence),
                [] => answer(ctx, intent, confidence),
                // "A ou B ?" — "oui" does not say which: ask again.
                _ => clarify(ctx, &offered, confidence),
            }
        }
        (NO, Pending::Steps { intent: walked, .. }) => {
            let mut said = answer(ctx, intent, confidence);
            if let Some(walked) = ctx.content.intent(&walked) {
                said.reply.quick_replies = reply::with_start_again(
                    ctx.content,
                    ctx.engine
                        .intent_reply(ctx.content, ctx.site, walked)
                        .quick_replies,
                );
            }
            said
        }
        (NO, Pending::Clarify { .. }) => {
            let mut said = answer(ctx, intent, confidence);
            said.reply.text = say::REPHRASE.to_owned();
            said.reply.quick_replies = reply::buttons(
                ctx.content,
                reply::main_topics(ctx.site).into_iter().chain([HUMAN]),
            );
            said
        }
        // conv.recommencer: the context is already cleared by the take above.
        _ => answer(ctx, intent, confidence),
    }
}

/// A step of a guided journey: its next question, or the answer it ends
/// on (with « Retour » to its last question), or leaving it.
fn on_journey(
    ctx: &mut Ctx<'_>,
    walk: journey_walk::Walk<'_>,
    journey: &mut Option<(journey_walk::Position, journey_walk::JourneyView)>,
) -> Said {
    match walk {
        journey_walk::Walk::Ask {
            reply,
            position,
            view,
        } => {
            ctx.pending = Pending::Nothing;
            *journey = Some((position, view));
            // A question with choices and no intent yet: a clarify.
            Said {
                outcome: Outcome::Clarify,
                intent: None,
                confidence: 1.0,
                reply,
            }
        }
        journey_walk::Walk::Answer {
            intent,
            journey: walked,
            position,
            back,
            view,
        } => {
            let mut said = answer(ctx, intent, 1.0);
            journey_walk::finish_answer(&mut said.reply, walked, back);
            *journey = Some((position, view));
            said
        }
        journey_walk::Walk::Leave => match ctx.content.intent(START_AGAIN) {
            Some(again) => answer(ctx, again, 1.0),
            None => fallback(ctx, 0.0),
        },
    }
}

/// The intent's own answer; on a kiosk, a procedure starts its walk.
fn answer(ctx: &mut Ctx<'_>, intent: &Intent, confidence: f32) -> Said {
    ctx.pending = Pending::Nothing;
    if walks(ctx, intent) {
        return show_step(ctx, intent, 0, confidence);
    }
    Said {
        outcome: Outcome::Answer,
        intent: Some(intent.id.clone()),
        confidence,
        reply: ctx.engine.intent_reply(ctx.content, ctx.site, intent),
    }
}

/// Steps are walked one by one on a kiosk, when there are several and the
/// content can understand "étape suivante".
fn walks(ctx: &Ctx<'_>, intent: &Intent) -> bool {
    ctx.channel == Channel::Kiosk
        && intent.steps.len() >= 2
        && ctx.content.intent(NEXT_STEP).is_some()
}

/// Step `k` (0-based) of a procedure, with its pictogram, and the way on.
fn show_step(ctx: &mut Ctx<'_>, intent: &Intent, k: usize, confidence: f32) -> Said {
    let reply = reply::step_reply(ctx.content, ctx.site, intent, k);
    let k = k.min(intent.steps.len().saturating_sub(1));
    let last = k + 1 >= intent.steps.len();
    ctx.pending = if last {
        Pending::Nothing
    } else {
        Pending::Steps {
            intent: intent.id.clone(),
            next: k + 1,
        }
    };
    Said {
        outcome: Outcome::Answer,
        intent: Some(intent.id.clone()),
        confidence,
        reply,
    }
}

/// "Étape suivante" (or "oui") while a procedure is being walked.
fn next_step(
    ctx: &mut Ctx<'_>,
    asked: &Intent,
    walked: &str,
    next: usize,
    confidence: f32,
) -> Said {
    match ctx.content.intent(walked) {
        Some(walked) if next < walked.steps.len() => show_step(ctx, walked, next, confidence),
        // The procedure vanished in a reload, or is over: the plain answer.
        _ => answer(ctx, asked, confidence),
    }
}

fn clarify(ctx: &mut Ctx<'_>, options: &[&Intent], confidence: f32) -> Said {
    ctx.pending = Pending::Clarify {
        options: options.iter().map(|i| i.id.clone()).collect(),
    };
    Said {
        outcome: Outcome::Clarify,
        intent: None,
        confidence,
        reply: reply::clarify_reply(ctx.content, options),
    }
}

fn fallback(ctx: &mut Ctx<'_>, confidence: f32) -> Said {
    ctx.pending = Pending::Nothing;
    Said {
        outcome: Outcome::Fallback,
        intent: None,
        confidence,
        reply: reply::fallback_reply(ctx.content, ctx.site),
    }
}
