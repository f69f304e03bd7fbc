//! accueil: the conversational front desk of French state services.
//!
//! The engine is a library, used by the `accueil` binary and the tests.
//! Dependencies point one way: [`normalize`] → [`lexicon`] → [`content`] →
//! [`index`] → [`matcher`] → [`reply`]; [`engine`] ties them together.
//! See ARCHITECTURE.md for one question followed through the code.

pub mod bench;
pub mod calibrate;
pub mod chat;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod content;
pub mod conversation;
pub mod decision;
pub mod diagnostic;
pub mod domain;
pub mod engine;
pub mod eval;
pub mod events;
pub mod falc;
pub mod http;
pub mod index;
pub mod journey;
pub mod journey_walk;
pub mod lexicon;
pub mod mask;
pub mod matcher;
pub mod normalize;
pub mod notice_board;
pub mod notice_rules;
pub mod notices;
pub mod reply;
pub mod review;
pub mod segment;
pub mod store;
pub mod words;

pub use content::{Content, ContentError, Diagnostic, Domain, Intent, Severity, Site};
pub use engine::Engine;
pub use matcher::{Candidate, Match, Matcher, Outcome, Params};
pub use reply::Reply;
