//! The service layer of accueil: what happens between a person's turn and
//! the engine's reply, and what is kept of it.
//!
//! [`conversation`] plays one turn on a session (clarifications, journeys
//! through [`journey_walk`], follow-ups) and emits [`events`];
//! [`chat`] wires those events to the agents' [`review`] (the inbox of
//! questions not understood, counters, paraphrases taught by agents);
//! [`notice_board`] holds the service notices agents publish; [`store`] is
//! where sessions, the inbox, counters and overlays are kept (sled, and
//! bounded memory through [`ephemeral`] for what lives minutes).
//! [`library`] turns the content files and the agents' overlays into the
//! one engine served, with one hot swap. Nothing here knows HTTP; time is passed in by the caller.

pub mod chat;
pub mod clock;
pub mod conversation;
pub mod ephemeral;
pub mod events;
pub mod journey_walk;
pub mod library;
pub mod notice_board;
pub mod review;
pub mod store;

/// Fixtures shared by this crate's unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};

    /// Run a future to its end (the store's futures never wait on I/O in
    /// the sled backend).
    pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a test runtime")
            .block_on(f)
    }

    /// The fixture content of `tests/fixtures/content`.
    pub(crate) fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content")
    }

    /// Copy a folder, recursively (a content to edit in a test).
    pub(crate) fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy_dir(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }
}
