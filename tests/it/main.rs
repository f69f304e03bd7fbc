//! The integration tests, in one binary: one module per feature, with the
//! shared helpers in [`support`]. One binary links axum, tokio and sled
//! once instead of once per file (see issue 15, item 8).
//!
//! Tests that need the real `accueil` binary spawn it through
//! `env!("CARGO_BIN_EXE_accueil")`, which Cargo sets for every
//! integration test target.

mod support;

mod abuse;
mod cli;
mod content_facts;
mod content_rules;
mod dev_set;
mod english;
mod http_api;
mod http_server;
mod journeys_check;
mod journeys_http;
mod layers;
mod memo;
mod notices_http;
mod pages_fiche;
mod pages_static;
#[cfg(unix)]
mod postgres;
mod review_api;
#[cfg(unix)]
mod review_crash;
mod review_measure;
mod semantic;
mod sites_faces;
mod understanding;
