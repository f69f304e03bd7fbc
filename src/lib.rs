//! accueil: the conversational front desk of French state services.
//!
//! This crate is the `accueil` binary's command line ([`cli`]) and a facade
//! over the layers, each its own crate, dependencies pointing one way:
//! [`accueil_engine`] (text, content, matching, replies; no server, store
//! or clock) ← [`accueil_service`] (conversations, review, notices, store)
//! ← [`accueil_http`] (the server) ← this crate. The re-exports keep one
//! path per module (`accueil::content`, `accueil::store`, `accueil::http`)
//! for the integration tests and embedders.
//! See ARCHITECTURE.md for one question followed through the code.

pub mod bench;
pub mod cli;

pub use accueil_engine::*;
pub use accueil_http as http;
pub use accueil_service::*;
