//! The store: where the server keeps what outlives one request, as typed
//! repositories.
//!
//! - [`Sessions`]: conversation sessions (the conversation's state, with
//!   an expiry time);
//! - [`Inbox`]: one [`Entry`] per distinct question not understood, with
//!   the [`Paraphrase`] an agent taught from it changed in the same
//!   transaction as the entry's status;
//! - [`PendingQuestions`]: questions waiting for the person's next move,
//!   recorded in the inbox atomically when they settle;
//! - [`Counters`]: day counters, added without reading;
//! - [`Paraphrases`] and [`Notices`]: what agents lay over the content
//!   files.
//!
//! [`Store`] gathers them. Every method is `async`, so a networked backend
//! (a database shared by several instances) awaits its I/O where the
//! embedded one answers from memory; handlers call both the same way.
//! Each backend owns its encodings: callers see types, never bytes or
//! keyspaces. The embedded default is [`SledStore`] ([`sled`]): sled on
//! disk for the inbox, counters and overlays; bounded memory for sessions
//! and pending questions, which live minutes and whose space sled would
//! never give back ([`crate::ephemeral`]).
//!
//! Times are milliseconds since the Unix epoch ([`Millis`]), passed in by
//! the caller, so tests control the clock and expiry needs no sleeping.
//! Closures given to [`Inbox::update`] and [`PendingQuestions::settle`]
//! may run more than once (on a conflict with a concurrent writer), so
//! they must only compute from what they are given.

pub mod model;
pub mod sled;

use async_trait::async_trait;

pub use self::model::{
    Action, CounterKey, Entry, EntryId, Kind, Paraphrase, Pending, Status, Summary, ID_BYTES,
};
pub use self::sled::{SledStore, DEFAULT_MAX_SESSIONS};
pub use accueil_engine::notices::Millis;
use accueil_engine::notices::Notice;

/// The current wall-clock time in [`Millis`]. Sessions expire by wall
/// clock because several instances sharing one database must agree on it.
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The store could not do what was asked. The message names the operation
/// and the backend's cause; it is for logs, never for end users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(pub String);

/// What looking a session up found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionLookup {
    /// The session exists and has not expired: its state.
    Found(Vec<u8>),
    /// The session existed but its expiry time has passed; it is now gone.
    Expired,
    /// No session with that id.
    Missing,
}

/// Conversation sessions. The state is the conversation's own document
/// (serialised by `crate::conversation`); the store keeps it whole with
/// its id and expiry and never looks inside.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// A session by id. An expired session is removed and reported as
    /// [`SessionLookup::Expired`], so an expired session is never used even
    /// if the purge has not run yet.
    async fn get(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError>;

    /// Create or replace a session, valid until `expires_at`.
    async fn put(&self, id: &str, expires_at: Millis, state: &[u8]) -> Result<(), StoreError>;

    /// Remove a session; `true` if it existed.
    async fn remove(&self, id: &str) -> Result<bool, StoreError>;

    /// Remove every session whose expiry time is at or before `now`;
    /// returns how many were removed.
    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError>;

    /// Sessions currently kept (expired ones count until purged or read).
    fn alive(&self) -> u64;

    /// Sessions (and pending questions) pushed out by the store's bound
    /// since it opened, the longest idle first.
    fn evicted(&self) -> u64 {
        0
    }
}

/// What to do with the paraphrase taught from an entry, in the same
/// transaction as the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taught {
    /// Leave it as it is.
    Unchanged,
    /// Create or replace it.
    Set(Paraphrase),
    /// Remove it (the entry is no longer "attached").
    Cleared,
}

/// What [`Inbox::update`] writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Nothing.
    Keep,
    /// The entry, and its paraphrase.
    Put(Box<Entry>, Taught),
    /// Remove the entry (its paraphrase stays as it is).
    Remove,
}

/// The agents' inbox: entries by [`EntryId`].
#[async_trait]
pub trait Inbox: Send + Sync {
    /// One entry, tombstones included.
    async fn get(&self, id: EntryId) -> Result<Option<Entry>, StoreError>;

    /// Every entry's summary (tombstones included), in id order: what
    /// listing filters and sorts on without reading whole entries.
    async fn summaries(&self) -> Result<Vec<(EntryId, Summary)>, StoreError>;

    /// These entries, in the order asked; ids not found are left out.
    async fn entries(&self, ids: &[EntryId]) -> Result<Vec<(EntryId, Entry)>, StoreError>;

    /// Every entry (tombstones included), in id order.
    async fn all(&self) -> Result<Vec<(EntryId, Entry)>, StoreError>;

    /// Change one entry atomically: `change` is given the entry as it is
    /// (`None` if missing or unreadable) and says what to write.
    async fn update(
        &self,
        id: EntryId,
        change: &mut (dyn FnMut(Option<Entry>) -> Change + Send),
    ) -> Result<(), StoreError>;
}

/// Questions waiting for the person's next move, by ticket.
#[async_trait]
pub trait PendingQuestions: Send + Sync {
    /// Create or replace a waiting question.
    async fn put(&self, ticket: &str, question: &Pending) -> Result<(), StoreError>;

    /// A waiting question; `None` if gone or unreadable.
    async fn get(&self, ticket: &str) -> Result<Option<Pending>, StoreError>;

    /// Remove a waiting question; `true` if it existed.
    async fn remove(&self, ticket: &str) -> Result<bool, StoreError>;

    /// Every waiting question, by ticket (unreadable ones are removed).
    async fn all(&self) -> Result<Vec<(String, Pending)>, StoreError>;

    /// Record a waiting question in its inbox entry and remove it, in one
    /// transaction: `record` is given the question and its entry
    /// ([`Pending::entry_id`]) as it is, and returns the entry to write, or
    /// `None` to leave both alone. Returns whether it was recorded (`false`
    /// if already gone: resolved or swept meanwhile).
    async fn settle(
        &self,
        ticket: &str,
        record: &mut (dyn for<'p> FnMut(&'p Pending, Option<Entry>) -> Option<Entry> + Send),
    ) -> Result<bool, StoreError>;
}

/// Counters by day.
#[async_trait]
pub trait Counters: Send + Sync {
    /// Add each vector element by element to its counter (missing counters
    /// count from zero; a longer vector lengthens the counter). Each
    /// counter is updated atomically; cheap enough for every chat turn.
    /// A store may buffer additions (see [`Counters::commit`]).
    async fn add(&self, adds: &[(CounterKey, &[u64])]) -> Result<(), StoreError>;

    /// Write what [`Counters::add`] buffered, for a store that writes
    /// behind (the embedded one); reads see the additions either way.
    /// Called every sync interval.
    async fn commit(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// The counters of the days `from..=to`, in key order.
    async fn read(&self, from: u32, to: u32) -> Result<Vec<(CounterKey, Vec<u64>)>, StoreError>;

    /// Remove the counters of the days before `day`; returns how many.
    async fn purge_before(&self, day: u32) -> Result<usize, StoreError>;
}

/// The paraphrases agents taught (written by [`Inbox::update`]).
#[async_trait]
pub trait Paraphrases: Send + Sync {
    /// Every paraphrase, oldest attach first.
    async fn list(&self) -> Result<Vec<Paraphrase>, StoreError>;
}

/// Service notices published by admins.
#[async_trait]
pub trait Notices: Send + Sync {
    /// Every readable notice by id, and the ids of those that could not
    /// be read (written by another version).
    async fn list(&self) -> Result<(Vec<Notice>, Vec<String>), StoreError>;

    /// Create or replace a notice.
    async fn put(&self, notice: &Notice) -> Result<(), StoreError>;

    /// Remove a notice; `true` if it existed.
    async fn remove(&self, id: &str) -> Result<bool, StoreError>;
}

/// The six repository accessors of [`Store`], for a backend type that
/// implements every repository itself (`impl Store for X { store_accessors!(); … }`).
#[macro_export]
macro_rules! store_accessors {
    () => {
        fn sessions(&self) -> &dyn $crate::store::Sessions {
            self
        }
        fn inbox(&self) -> &dyn $crate::store::Inbox {
            self
        }
        fn pending(&self) -> &dyn $crate::store::PendingQuestions {
            self
        }
        fn counters(&self) -> &dyn $crate::store::Counters {
            self
        }
        fn paraphrases(&self) -> &dyn $crate::store::Paraphrases {
            self
        }
        fn notices(&self) -> &dyn $crate::store::Notices {
            self
        }
    };
}

/// Everything the server keeps between requests.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn sessions(&self) -> &dyn Sessions;
    fn inbox(&self) -> &dyn Inbox;
    fn pending(&self) -> &dyn PendingQuestions;
    fn counters(&self) -> &dyn Counters;
    fn paraphrases(&self) -> &dyn Paraphrases;
    fn notices(&self) -> &dyn Notices;

    /// What backend this is, for `/healthz` and logs (`"sled"`).
    fn backend(&self) -> &'static str;

    /// Whether several instances may share this store: then each polls
    /// [`Store::changes`] to pick up the agents' changes made elsewhere.
    fn shared(&self) -> bool {
        false
    }

    /// A number that changes whenever paraphrases or notices change in
    /// this store, whichever instance changed them.
    async fn changes(&self) -> Result<u64, StoreError>;

    /// A cheap round trip proving the store answers (readiness probe).
    async fn check(&self) -> Result<(), StoreError>;

    /// Make every write durable (before a reply that promises it, and on
    /// shutdown).
    async fn flush(&self) -> Result<(), StoreError>;
}
