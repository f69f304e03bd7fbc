//! The engine of accueil: from a person's message to the reply, with no
//! server, no store and no clock of its own.
//!
//! Text: [`normalize`] → [`lexicon`] → [`segment`], [`words`], [`mask`].
//! Content: [`diagnostic`], [`domain`], [`journey`], [`notices`] (the model)
//! → [`content`] (load) → [`check`] with [`falc`], [`terms`] and [`notice_rules`] (a
//! pass given `now` and the menu). Matching: [`index`] → [`matcher`] with
//! [`decision`] (fitted by [`calibrate`]); beside it [`semantic`], a sentence
//! encoder's view, combined with the lexical one by [`fusion`], and
//! [`language`]. Replies: [`reply`], in a [`lang`] of their own: [`locale`]
//! makes the English copy of the content they are worded from. [`engine`]
//! ties them together, with a [`memo`] of recent decisions and answers;
//! [`eval`] and [`cluster`] measure and group (the stopwatch of `accueil bench` is
//! the binary's).
//! Times come in as [`notices::Millis`] from the caller.
//! See ARCHITECTURE.md for one question followed through the code.

pub mod calibrate;
pub mod check;
pub mod cluster;
pub mod content;
pub mod decision;
pub mod diagnostic;
pub mod domain;
pub mod engine;
pub mod eval;
pub mod falc;
pub mod fusion;
pub mod index;
pub mod journey;
pub mod lang;
pub mod language;
pub mod lexicon;
pub mod locale;
pub mod mask;
pub mod matcher;
pub mod memo;
pub mod normalize;
pub mod notice_rules;
pub mod notices;
pub mod reply;
pub mod segment;
pub mod semantic;
pub mod terms;
pub mod words;

/// The sentence encoder, for callers that load it once and share it.
pub use accueil_encoder as encoder;
pub use content::{Content, ContentError, Diagnostic, Domain, Intent, Severity, Site};
pub use engine::Engine;
pub use matcher::{Candidate, Match, Matcher, Outcome, Params};
pub use reply::Reply;
pub use semantic::Semantic;
