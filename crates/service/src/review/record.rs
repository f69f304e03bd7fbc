//! What a chat turn and a feedback leave for agents.
//!
//! Three things reach the inbox: a question the assistant could not answer
//! (`fallback`, recorded at once: the reply promises to pass it on), a
//! clarification the person did not resolve, and an answer the person
//! marked not useful. The last two are only known later — at the next
//! turn, on feedback, or when the session expires — so the question waits
//! in the store's pending keyspace under a random ticket, and the session
//! keeps only the ticket (an id, never text). Everything written is masked
//! first ([`accueil_engine::mask`]).
//!
//! A clarification is resolved when the next turn answers one of the
//! options offered (a choice, or typing that lands on one); "oui", which
//! does not say which, asks again and keeps it waiting; anything else
//! records it. A waiting question expires with its session and is then
//! swept by [`sweep_pending`]: an unresolved clarification is recorded, an
//! answer nobody gave feedback on is dropped.
//!
//! Counters by day are updated on every turn (see [`super::counters`]).
//! A store failure never stops a turn: it is counted and logged, and the
//! person gets their answer.

use serde::Serialize;

use super::counters::{intent, one_at, turn};
use super::entry::{count, counted, EntryId, Kind, Occurrence, GUESSES};
use super::time::day_of;
use crate::conversation::new_session_id;
pub use crate::events::{Channel, Guess, Noted, Ticket, TicketKind, TurnEvent};
pub use crate::store::Pending;
use crate::store::{CounterKey, Millis, Store, StoreError};
use accueil_engine::engine::Engine;
use accueil_engine::mask::mask;
use accueil_engine::matcher::{Match, Outcome};

/// A waiting question as an occurrence to count.
fn occurrence<'a>(
    p: &'a Pending,
    kind: Kind,
    at: Millis,
    reason: Option<&'a str>,
) -> Occurrence<'a> {
    Occurrence {
        text: &p.text,
        normalized: &p.normalized,
        kind,
        channel: p.channel,
        site: p.site.as_deref(),
        at,
        guesses: &p.guesses,
        content_version: &p.content_version,
        reason,
    }
}

fn is_conversation(intent: &str) -> bool {
    intent.starts_with("conv.")
}

/// A typed question made fit to keep: masked, normalised by the
/// matcher's own pipeline (on the masked text: the raw one may hold
/// personal data), with the best guesses.
struct Kept {
    text: String,
    normalized: String,
    guesses: Vec<Guess>,
}

fn keep(engine: &Engine, text: &str, m: &Match) -> Kept {
    let masked = engine.mask(text);
    // Most questions hold no personal data: the matcher already has their
    // normalised form.
    let normalized = if masked == text {
        m.query.normalized.clone()
    } else {
        engine.matcher.index().analyze(&masked).normalized
    };
    Kept {
        text: masked,
        normalized,
        guesses: m
            .candidates
            .iter()
            .take(GUESSES)
            .map(|c| Guess {
                intent: c.intent.clone(),
                score: c.score,
            })
            .collect(),
    }
}

/// Count an occurrence on its entry (one transaction).
pub async fn record(store: &dyn Store, occ: &Occurrence<'_>) -> Result<EntryId, StoreError> {
    let id = EntryId::of(occ.normalized);
    store.inbox().update(id, &mut |old| count(old, occ)).await?;
    Ok(id)
}

/// Record a pending question and remove it, atomically; `false` if it
/// was already gone (resolved or swept meanwhile).
async fn record_pending(
    store: &dyn Store,
    ticket: &str,
    kind: Kind,
    at: Option<Millis>,
    reason: Option<&str>,
    only_for_intent: Option<&str>,
) -> Result<bool, StoreError> {
    store
        .pending()
        .settle(ticket, &mut |p, old| {
            if only_for_intent.is_some() && p.intent.as_deref() != only_for_intent {
                return None;
            }
            Some(counted(
                old,
                &occurrence(p, kind, at.unwrap_or(p.at), reason),
            ))
        })
        .await
}

/// Take note of a chat turn: counters, the previous turn's pending
/// question, and this turn's question if agents may need it.
pub async fn note_turn(store: &dyn Store, engine: &Engine, note: &TurnEvent<'_>) -> Noted {
    let mut noted = Noted::default();
    let failed = |noted: &mut Noted, what: &str, e: StoreError| {
        tracing::warn!(error = %e, "{what}");
        noted.store_errors += 1;
    };
    let day = day_of(note.now);
    let mut turns = [0u64; turn::LEN];
    let mut other_days: Vec<(u32, usize)> = Vec::new();
    if note.typed.is_some() {
        turns[turn::QUESTIONS] = 1;
        turns[match note.outcome {
            Outcome::Answer => turn::ANSWERED,
            Outcome::Clarify => turn::CLARIFIED,
            Outcome::Fallback => turn::FALLBACK,
        }] = 1;
    } else {
        turns[turn::CHOICES] = 1;
    }

    // The previous turn's pending question.
    let mut carried: Option<Ticket> = None;
    if let Some(ticket) = note.ticket {
        match ticket.kind {
            TicketKind::Answer => carried = Some(ticket.clone()),
            TicketKind::Clarify => match store.pending().get(&ticket.id).await {
                Ok(Some(mut p)) => {
                    let offered = |id: &str| p.guesses.iter().any(|g| g.intent == id);
                    let resolved =
                        note.outcome == Outcome::Answer && note.intent.is_some_and(offered);
                    // The conversation asked again by itself ("oui" to
                    // "A or B?"): not a new question, not an answer yet.
                    // (A choice that gets a question back is a guided
                    // journey: the person left the clarification.)
                    let asked_again = note.clarified_again;
                    if resolved {
                        turns[turn::CLARIFY_RESOLVED] += 1;
                        if let Err(e) = store.pending().remove(&ticket.id).await {
                            failed(&mut noted, "cannot remove a resolved clarification", e);
                        }
                    } else if asked_again {
                        p.expires_at = note.expires_at;
                        match store.pending().put(&ticket.id, &p).await {
                            Ok(()) => carried = Some(ticket.clone()),
                            Err(e) => failed(&mut noted, "cannot keep a clarification waiting", e),
                        }
                    } else {
                        match record_pending(store, &ticket.id, Kind::Clarify, None, None, None)
                            .await
                        {
                            Ok(true) => other_days.push((day_of(p.at), turn::CLARIFY_UNRESOLVED)),
                            Ok(false) => {}
                            Err(e) => {
                                failed(&mut noted, "cannot record an unresolved clarification", e)
                            }
                        }
                    }
                }
                // Swept meanwhile (the session outlived it by a hair).
                Ok(None) => {}
                Err(e) => failed(&mut noted, "cannot read a pending clarification", e),
            },
        }
    }

    // This turn's question.
    if let Some((text, m)) = note.typed {
        let content_version = engine.content.version.as_str();
        let pending_ticket = |kind: TicketKind, intent: Option<String>| {
            let kept = keep(engine, text, m);
            Pending {
                kind,
                text: kept.text,
                normalized: kept.normalized,
                channel: note.channel,
                site: note.site.map(str::to_owned),
                at: note.now,
                expires_at: note.expires_at,
                guesses: kept.guesses,
                intent,
                content_version: content_version.to_owned(),
            }
        };
        match note.outcome {
            Outcome::Fallback => {
                let kept = keep(engine, text, m);
                let occ = Occurrence {
                    text: &kept.text,
                    normalized: &kept.normalized,
                    kind: Kind::Fallback,
                    channel: note.channel,
                    site: note.site,
                    at: note.now,
                    guesses: &kept.guesses,
                    content_version,
                    reason: None,
                };
                match record(store, &occ).await {
                    Ok(_) => noted.recorded = true,
                    Err(e) => failed(&mut noted, "cannot record an unanswered question", e),
                }
            }
            // A clarification waits to be resolved; an answer waits for
            // "not useful" feedback. Both keep the masked question aside.
            Outcome::Clarify if m.outcome == Outcome::Clarify => {
                // The options offered are the matcher's candidates.
                let pending = pending_ticket(TicketKind::Clarify, None);
                carried = replace(store, carried, pending, TicketKind::Clarify, &mut noted).await;
            }
            Outcome::Answer
                if m.outcome == Outcome::Answer
                    && note.intent.is_some_and(|i| !is_conversation(i)) =>
            {
                let pending = pending_ticket(TicketKind::Answer, note.intent.map(str::to_owned));
                carried = replace(store, carried, pending, TicketKind::Answer, &mut noted).await;
            }
            _ => {}
        }
    }

    // Answers per intent: what the person asked for (typed or chosen),
    // not the steps of a walk or a "oui".
    let asked_for = match (note.typed, note.choice) {
        (Some((_, m)), _) if m.outcome == Outcome::Answer => m.intent.as_deref(),
        (None, Some(choice)) => Some(choice),
        _ => None,
    };
    let answered = (note.outcome == Outcome::Answer)
        .then_some(note.intent)
        .flatten()
        .filter(|i| asked_for == Some(*i) || turns[turn::CLARIFY_RESOLVED] > 0);
    let mut adds: Vec<(CounterKey, &[u64])> = vec![(CounterKey::Turns { day }, &turns)];
    let answer = one_at::<{ intent::LEN }>(intent::ANSWERS);
    if let Some(i) = answered {
        adds.push((
            CounterKey::Intent {
                day,
                intent: i.to_owned(),
            },
            &answer,
        ));
    }
    let late: Vec<(u32, [u64; turn::LEN])> = other_days
        .iter()
        .map(|&(d, k)| (d, one_at::<{ turn::LEN }>(k)))
        .collect();
    for (d, v) in &late {
        adds.push((CounterKey::Turns { day: *d }, v));
    }
    if let Err(e) = store.counters().add(&adds).await {
        failed(&mut noted, "cannot count a turn", e);
    }
    noted.ticket = carried;
    noted
}

/// Keep `pending` under a new ticket, dropping the one it replaces.
async fn replace(
    store: &dyn Store,
    old: Option<Ticket>,
    pending: Pending,
    kind: TicketKind,
    noted: &mut Noted,
) -> Option<Ticket> {
    let id = match new_session_id() {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "no ticket for a waiting question");
            noted.store_errors += 1;
            return old;
        }
    };
    if let Err(e) = store.pending().put(&id, &pending).await {
        tracing::warn!(error = %e, "cannot keep a waiting question");
        noted.store_errors += 1;
        return old;
    }
    if let Some(old) = old {
        if let Err(e) = store.pending().remove(&old.id).await {
            tracing::warn!(error = %e, "cannot drop a replaced waiting question");
            noted.store_errors += 1;
        }
    }
    Some(Ticket { id, kind })
}

/// A person's verdict on an answer.
#[derive(Debug, Clone, Copy)]
pub struct FeedbackNote<'a> {
    /// The session's ticket.
    pub ticket: Option<&'a Ticket>,
    pub intent: &'a str,
    pub useful: bool,
    /// What the person wrote, cleaned (masked here before anything is kept).
    pub reason: Option<&'a str>,
    pub now: Millis,
}

/// Count a feedback by day and intent; when an answer to a typed question
/// is marked not useful, record that question for agents. Returns whether
/// a question was recorded.
pub async fn note_feedback(store: &dyn Store, note: FeedbackNote<'_>) -> Result<bool, StoreError> {
    let day = day_of(note.now);
    let (t, i) = if note.useful {
        (turn::FEEDBACK_USEFUL, intent::FEEDBACK_USEFUL)
    } else {
        (turn::FEEDBACK_NOT_USEFUL, intent::FEEDBACK_NOT_USEFUL)
    };
    store
        .counters()
        .add(&[
            (CounterKey::Turns { day }, &one_at::<{ turn::LEN }>(t)),
            (
                CounterKey::Intent {
                    day,
                    intent: note.intent.to_owned(),
                },
                &one_at::<{ intent::LEN }>(i),
            ),
        ])
        .await?;
    if note.useful {
        return Ok(false);
    }
    let Some(ticket) = note.ticket.filter(|t| t.kind == TicketKind::Answer) else {
        return Ok(false);
    };
    let reason = note
        .reason
        .map(|r| mask(r.trim()))
        .filter(|r| !r.is_empty());
    record_pending(
        store,
        &ticket.id,
        Kind::NotUseful,
        Some(note.now),
        reason.as_deref(),
        Some(note.intent),
    )
    .await
}

/// What a sweep of expired pending questions did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Swept {
    /// Unresolved clarifications recorded.
    pub recorded: usize,
    /// Answers without feedback dropped.
    pub dropped: usize,
}

/// Settle the pending questions whose session has expired by `now`.
pub async fn sweep_pending(store: &dyn Store, now: Millis) -> Result<Swept, StoreError> {
    let mut swept = Swept::default();
    for (ticket, p) in store.pending().all().await? {
        if p.expires_at > now {
            continue;
        }
        match p.kind {
            TicketKind::Clarify => {
                if record_pending(store, &ticket, Kind::Clarify, None, None, None).await? {
                    store
                        .counters()
                        .add(&[(
                            CounterKey::Turns { day: day_of(p.at) },
                            &one_at::<{ turn::LEN }>(turn::CLARIFY_UNRESOLVED),
                        )])
                        .await?;
                    swept.recorded += 1;
                }
            }
            TicketKind::Answer => {
                if store.pending().remove(&ticket).await? {
                    swept.dropped += 1;
                }
            }
        }
    }
    Ok(swept)
}
