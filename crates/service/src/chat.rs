//! A chat turn as the service plays it: the conversation, heard by the
//! agents' review. The one place the two meet, so neither imports the
//! other (the conversation emits [`crate::events::TurnEvent`]s, the review
//! consumes them).

use crate::conversation::{self, Policy, TurnError, TurnOutput, TurnRequest};
use crate::events::{Noted, TurnEvent, TurnListener};
use crate::store::{Millis, Store};
use accueil_engine::engine::Engine;
use accueil_engine::notices::Notice;

/// The review, listening to one store.
pub struct Review<'a> {
    pub store: &'a dyn Store,
    pub engine: &'a Engine,
}

#[async_trait::async_trait]
impl TurnListener for Review<'_> {
    async fn turned(&self, event: &TurnEvent<'_>) -> Noted {
        crate::review::note_turn(self.store, self.engine, event).await
    }
}

/// Play one turn, its reply completed with the notices in force (the
/// content's and the agents' `notices`), and let the review take note.
pub async fn turn(
    engine: &Engine,
    notices: &[Notice],
    store: &dyn Store,
    policy: &Policy,
    req: TurnRequest,
    now: Millis,
) -> Result<TurnOutput, TurnError> {
    conversation::play(
        engine,
        notices,
        store,
        policy,
        req,
        now,
        &Review { store, engine },
    )
    .await
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod review_tests;
