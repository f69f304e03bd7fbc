//! The store: where the server keeps what outlives one request.
//!
//! Three keyspaces sit behind the [`Store`] trait: conversation sessions
//! (opaque bytes with an expiry time), records (append-only, ordered by
//! arrival) and overlays (named values that agents lay over the content
//! files). The agents' review (`crate::review`) adds three more, reached
//! through a small generic interface ([`Keyspace`], [`Txn`]): the inbox
//! (one entry per distinct unanswered question), pending questions (a
//! clarification waiting for its answer, the question behind an answer
//! waiting for feedback) and day counters. Several of these keyspaces can
//! change in one atomic [`Store::transaction`], so an agent's action and
//! the overlay it creates are written together or not at all.
//! The embedded default is [`SledStore`]: sled on disk for the inbox,
//! counters, overlays and records; bounded memory for sessions and pending
//! questions, which live minutes and which sled would never give the space
//! of back ([`crate::ephemeral`]). A shared database backing several
//! instances behind a load balancer will be a second implementation, so no
//! type of sled leaks out of this module and callers only see bytes,
//! strings, numbers and [`StoreError`].
//!
//! The trait is synchronous on purpose: sled answers from memory in
//! microseconds, so handlers call it inline; a networked backend would wrap
//! its calls in `spawn_blocking` behind the same signatures.
//!
//! Times are milliseconds since the Unix epoch ([`Millis`]), passed in by
//! the caller, so tests control the clock and expiry needs no sleeping.

use std::cell::RefCell;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::ephemeral::{Bounded, Found};

pub use accueil_engine::notices::Millis;

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
    /// The session exists and has not expired: its bytes.
    Found(Vec<u8>),
    /// The session existed but its expiry time has passed; it is now gone.
    Expired,
    /// No session with that id.
    Missing,
}

/// One record, with its position in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Strictly increasing across the store's life (not dense).
    pub seq: u64,
    pub data: Vec<u8>,
}

/// The keyspaces of the agents' review, for the generic operations
/// ([`Store::get`], [`Store::scan`], [`Store::transaction`]...). Keys are
/// bytes chosen by `crate::review`; numbers in keys are big-endian so that
/// byte order is numeric order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyspace {
    /// One entry per distinct unanswered question, keyed by a hash.
    Inbox,
    /// Questions waiting for what the person does next, keyed by a ticket.
    Pending,
    /// Counters by day: values are sequences of big-endian `u64`, added
    /// element by element by [`Store::add_counters`].
    Counters,
    /// The overlays of [`Store::get_overlay`] and friends, by name bytes.
    Overlays,
}

/// Keys and values read from a keyspace, in key order.
pub type KeyValues = Vec<(Vec<u8>, Vec<u8>)>;

/// A transaction's failure to report from the closure with `?`: a conflict
/// (the store runs the closure again), a storage failure, or an abort
/// asked by the closure ([`TxnError::abort`]).
pub struct TxnError(TxnFailure);

enum TxnFailure {
    Sled(sled::transaction::UnabortableTransactionError),
    Abort(String),
}

impl TxnError {
    /// Abort the transaction: nothing it wrote is kept, and
    /// [`Store::transaction`] returns this message as a [`StoreError`].
    pub fn abort(why: impl Into<String>) -> TxnError {
        TxnError(TxnFailure::Abort(why.into()))
    }
}

impl std::fmt::Debug for TxnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            TxnFailure::Sled(e) => write!(f, "TxnError({e})"),
            TxnFailure::Abort(why) => write!(f, "TxnError(abort: {why})"),
        }
    }
}

/// What a transaction's closure may do. Reads see the transaction's own
/// writes; nothing is visible to others before the closure returns `Ok`.
pub trait Txn {
    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, TxnError>;
    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), TxnError>;
    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<(), TxnError>;
}

/// Everything the server keeps between requests.
pub trait Store: Send + Sync + 'static {
    /// A session by id. An expired session is removed and reported as
    /// [`SessionLookup::Expired`], so an expired session is never used even
    /// if the purge task has not run yet.
    fn get_session(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError>;

    /// Create or replace a session, valid until `expires_at`.
    fn put_session(&self, id: &str, expires_at: Millis, data: &[u8]) -> Result<(), StoreError>;

    /// Remove a session; `true` if it existed.
    fn remove_session(&self, id: &str) -> Result<bool, StoreError>;

    /// Remove every session whose expiry time is at or before `now`;
    /// returns how many were removed. A session updated while the purge
    /// runs is left alone.
    fn purge_expired(&self, now: Millis) -> Result<usize, StoreError>;

    /// Sessions currently stored (expired ones count until purged or read).
    fn sessions_alive(&self) -> u64;

    /// Sessions (and pending questions) pushed out by the store's bound
    /// since it opened, the longest idle first.
    fn sessions_evicted(&self) -> u64 {
        0
    }

    /// Append a record; returns its sequence number.
    fn append_record(&self, data: &[u8]) -> Result<u64, StoreError>;

    /// Records after `after` (all if `None`), oldest first, at most `limit`.
    fn records(&self, after: Option<u64>, limit: usize) -> Result<Vec<Record>, StoreError>;

    /// An overlay by name.
    fn get_overlay(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Create or replace an overlay.
    fn put_overlay(&self, name: &str, data: &[u8]) -> Result<(), StoreError>;

    /// Remove an overlay; `true` if it existed.
    fn remove_overlay(&self, name: &str) -> Result<bool, StoreError>;

    /// Every overlay, by name order.
    fn overlays(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// A value of a review keyspace.
    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Create or replace a value of a review keyspace (not transactional:
    /// for keys no transaction touches at the same time, like a fresh ticket).
    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), StoreError>;

    /// Remove a value of a review keyspace; `true` if it existed.
    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<bool, StoreError>;

    /// The entries of a keyspace with `from <= key < to` (`to` = `None`:
    /// to the end), in key order.
    fn scan(
        &self,
        space: Keyspace,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<KeyValues, StoreError>;

    /// Run `work` atomically over the review keyspaces: all its writes are
    /// kept, or none. `work` may run more than once (on a conflict with a
    /// concurrent transaction), so it must only act through the [`Txn`]
    /// and reset whatever it records outside at each run.
    fn transaction(
        &self,
        work: &mut dyn FnMut(&dyn Txn) -> Result<(), TxnError>,
    ) -> Result<(), StoreError>;

    /// Add `deltas` element by element to the counters at each key of
    /// [`Keyspace::Counters`] (missing counters count from zero). Each key
    /// is updated atomically; cheap enough for every chat turn.
    fn add_counters(&self, adds: &[(&[u8], &[u64])]) -> Result<(), StoreError>;

    /// A cheap round trip proving the store answers (readiness probe).
    fn check(&self) -> Result<(), StoreError>;

    /// Make every write durable (called on shutdown).
    fn flush(&self) -> Result<(), StoreError>;
}

/// Upper bound of sled's page cache. What sled holds (the inbox, counters,
/// overlays) is small; the default (1 GiB) would let the cache grow far
/// beyond what a front desk needs.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Sessions kept at most by default ([`SledStore::open_bounded`]): a
/// préfecture's busiest half hour is a few thousand conversations; each
/// costs a few hundred bytes.
pub const DEFAULT_MAX_SESSIONS: usize = 20_000;

/// The embedded store: sled for what must outlive a restart (inbox,
/// counters, overlays, records), bounded memory for what lives minutes
/// (sessions, pending questions; see [`crate::ephemeral`] for why).
pub struct SledStore {
    db: sled::Db,
    records: sled::Tree,
    overlays: sled::Tree,
    inbox: sled::Tree,
    counters: sled::Tree,
    /// Sessions and pending questions. One lock: a transaction reading a
    /// pending question holds it until its writes are applied, so two
    /// transactions never both take the same question.
    ephemeral: Mutex<Ephemeral>,
}

struct Ephemeral {
    sessions: Bounded,
    pending: Bounded,
}

fn fail(what: &str, e: sled::Error) -> StoreError {
    StoreError(format!("{what}: {e}"))
}

/// Trees of earlier versions that kept sessions and pending questions on
/// disk: dropped at opening, which gives their space back.
const OLD_TREES: [&str; 2] = ["sessions", "pending"];

impl SledStore {
    /// Open (or create) the store in the folder `path`, with the default
    /// bound on sessions. Fails if another process holds it.
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        SledStore::open_bounded(path, DEFAULT_MAX_SESSIONS)
    }

    /// [`Self::open`] keeping at most `max_sessions` sessions (and as many
    /// pending questions); past it, the longest idle is evicted.
    pub fn open_bounded(path: &Path, max_sessions: usize) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| StoreError(format!("cannot open the store in {}: {e}", path.display())))?;
        SledStore::from_db(db, max_sessions)
    }

    /// A store that lives in memory and a temporary file deleted on drop.
    pub fn temporary() -> Result<SledStore, StoreError> {
        SledStore::temporary_bounded(DEFAULT_MAX_SESSIONS)
    }

    /// [`Self::temporary`] with its own bound on sessions.
    pub fn temporary_bounded(max_sessions: usize) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| fail("cannot open a temporary store", e))?;
        SledStore::from_db(db, max_sessions)
    }

    fn from_db(db: sled::Db, max_sessions: usize) -> Result<SledStore, StoreError> {
        let tree = |name: &str| {
            db.open_tree(name)
                .map_err(|e| fail(&format!("cannot open tree `{name}`"), e))
        };
        for old in OLD_TREES {
            db.drop_tree(old)
                .map_err(|e| fail(&format!("cannot drop the old tree `{old}`"), e))?;
        }
        let store = SledStore {
            records: tree("records")?,
            overlays: tree("overlays")?,
            inbox: tree("inbox")?,
            counters: tree("counters")?,
            db,
            ephemeral: Mutex::new(Ephemeral {
                sessions: Bounded::new(max_sessions),
                pending: Bounded::new(max_sessions),
            }),
        };
        // Not persisted by sled: set at every opening.
        store.counters.set_merge_operator(add_counters);
        Ok(store)
    }

    /// The sled tree of a durable keyspace; `None` for pending questions,
    /// which live in memory.
    fn tree(&self, space: Keyspace) -> Option<&sled::Tree> {
        match space {
            Keyspace::Inbox => Some(&self.inbox),
            Keyspace::Pending => None,
            Keyspace::Counters => Some(&self.counters),
            Keyspace::Overlays => Some(&self.overlays),
        }
    }

    fn ephemeral(&self) -> MutexGuard<'_, Ephemeral> {
        // A panic while holding the lock leaves maps that are still
        // consistent (every method finishes its bookkeeping before it can
        // panic): keep serving.
        self.ephemeral
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// sled's merge operator of the counters tree: element-wise addition of
/// big-endian `u64` sequences, the longer one setting the length.
fn add_counters(_key: &[u8], old: Option<&[u8]>, delta: &[u8]) -> Option<Vec<u8>> {
    let old = old.unwrap_or_default();
    let n = old.len().max(delta.len()) / 8;
    let at = |bytes: &[u8], k: usize| {
        bytes
            .get(k * 8..k * 8 + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0)
    };
    let mut out = Vec::with_capacity(n * 8);
    for k in 0..n {
        out.extend_from_slice(&at(old, k).saturating_add(at(delta, k)).to_be_bytes());
    }
    Some(out)
}

/// A pending question's expiry in the memory table: never by the table's
/// clock, the review's sweep decides (the expiry is inside the value).
const NO_EXPIRY: Millis = Millis::MAX;

/// A write to a pending question, applied once the sled part commits.
type PendingWrite = (Vec<u8>, Option<Vec<u8>>);

/// The [`Txn`] of a sled transaction over the three durable review trees
/// (inbox, counters, overlays) and the pending questions in memory, whose
/// writes wait in `writes` until sled commits.
struct SledTxn<'a> {
    trees: &'a [sled::transaction::TransactionalTree],
    pending: &'a Bounded,
    writes: &'a RefCell<Vec<PendingWrite>>,
}

impl SledTxn<'_> {
    fn tree(&self, space: Keyspace) -> Result<&sled::transaction::TransactionalTree, TxnError> {
        let k = match space {
            Keyspace::Inbox => 0,
            Keyspace::Counters => 1,
            Keyspace::Overlays => 2,
            Keyspace::Pending => return Err(TxnError::abort("pending questions are not in sled")),
        };
        self.trees
            .get(k)
            .ok_or_else(|| TxnError::abort("transaction over too few trees"))
    }
}

impl Txn for SledTxn<'_> {
    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, TxnError> {
        if space == Keyspace::Pending {
            // Its own writes first, the latest winning.
            let written = self
                .writes
                .borrow()
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .cloned();
            return Ok(match written {
                Some((_, value)) => value,
                None => self.pending.peek(key).map(<[u8]>::to_vec),
            });
        }
        let value = self
            .tree(space)?
            .get(key)
            .map_err(|e| TxnError(TxnFailure::Sled(e)))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), TxnError> {
        if space == Keyspace::Pending {
            self.writes
                .borrow_mut()
                .push((key.to_vec(), Some(value.to_vec())));
            return Ok(());
        }
        self.tree(space)?
            .insert(key, value)
            .map_err(|e| TxnError(TxnFailure::Sled(e)))?;
        Ok(())
    }

    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<(), TxnError> {
        if space == Keyspace::Pending {
            self.writes.borrow_mut().push((key.to_vec(), None));
            return Ok(());
        }
        self.tree(space)?
            .remove(key)
            .map_err(|e| TxnError(TxnFailure::Sled(e)))?;
        Ok(())
    }
}

impl Store for SledStore {
    fn get_session(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError> {
        Ok(match self.ephemeral().sessions.get(id.as_bytes(), now) {
            Found::Live(bytes) => SessionLookup::Found(bytes.to_vec()),
            Found::Expired => SessionLookup::Expired,
            Found::Missing => SessionLookup::Missing,
        })
    }

    fn put_session(&self, id: &str, expires_at: Millis, data: &[u8]) -> Result<(), StoreError> {
        self.ephemeral()
            .sessions
            .put(id.as_bytes(), expires_at, data.to_vec());
        Ok(())
    }

    fn remove_session(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.ephemeral().sessions.remove(id.as_bytes()))
    }

    fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        Ok(self.ephemeral().sessions.purge(now))
    }

    fn sessions_alive(&self) -> u64 {
        u64::try_from(self.ephemeral().sessions.len()).unwrap_or(u64::MAX)
    }

    fn sessions_evicted(&self) -> u64 {
        let e = self.ephemeral();
        e.sessions.evicted().saturating_add(e.pending.evicted())
    }

    fn append_record(&self, data: &[u8]) -> Result<u64, StoreError> {
        // generate_id is monotonic across restarts; big-endian keys make
        // sled's byte order the arrival order.
        let seq = self
            .db
            .generate_id()
            .map_err(|e| fail("numbering a record", e))?;
        self.records
            .insert(seq.to_be_bytes(), data)
            .map_err(|e| fail("writing a record", e))?;
        Ok(seq)
    }

    fn records(&self, after: Option<u64>, limit: usize) -> Result<Vec<Record>, StoreError> {
        let iter = match after {
            Some(seq) => match seq.checked_add(1) {
                Some(from) => self.records.range(from.to_be_bytes()..),
                None => return Ok(Vec::new()),
            },
            None => self.records.iter(),
        };
        let mut out = Vec::new();
        for entry in iter.take(limit) {
            let (key, value) = entry.map_err(|e| fail("reading records", e))?;
            let seq = <[u8; 8]>::try_from(key.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| {
                    StoreError(format!("record key of {} bytes, expected 8", key.len()))
                })?;
            out.push(Record {
                seq,
                data: value.to_vec(),
            });
        }
        Ok(out)
    }

    fn get_overlay(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self
            .overlays
            .get(name)
            .map_err(|e| fail("reading an overlay", e))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put_overlay(&self, name: &str, data: &[u8]) -> Result<(), StoreError> {
        self.overlays
            .insert(name, data)
            .map_err(|e| fail("writing an overlay", e))?;
        Ok(())
    }

    fn remove_overlay(&self, name: &str) -> Result<bool, StoreError> {
        let old = self
            .overlays
            .remove(name)
            .map_err(|e| fail("removing an overlay", e))?;
        Ok(old.is_some())
    }

    fn overlays(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.overlays.iter() {
            let (key, value) = entry.map_err(|e| fail("reading overlays", e))?;
            out.push((String::from_utf8_lossy(&key).into_owned(), value.to_vec()));
        }
        Ok(out)
    }

    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(tree) = self.tree(space) else {
            return Ok(self.ephemeral().pending.peek(key).map(<[u8]>::to_vec));
        };
        let value = tree
            .get(key)
            .map_err(|e| fail("reading a review value", e))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let Some(tree) = self.tree(space) else {
            self.ephemeral().pending.put(key, NO_EXPIRY, value.to_vec());
            return Ok(());
        };
        tree.insert(key, value)
            .map_err(|e| fail("writing a review value", e))?;
        Ok(())
    }

    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<bool, StoreError> {
        let Some(tree) = self.tree(space) else {
            return Ok(self.ephemeral().pending.remove(key));
        };
        let old = tree
            .remove(key)
            .map_err(|e| fail("removing a review value", e))?;
        Ok(old.is_some())
    }

    fn scan(
        &self,
        space: Keyspace,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<KeyValues, StoreError> {
        if to.is_some_and(|to| to <= from) {
            return Ok(Vec::new());
        }
        let Some(tree) = self.tree(space) else {
            return Ok(self.ephemeral().pending.range(from, to));
        };
        let iter = match to {
            Some(to) => tree.range(from..to),
            None => tree.range(from..),
        };
        let mut out = Vec::new();
        for entry in iter {
            let (key, value) = entry.map_err(|e| fail("scanning review values", e))?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }

    fn transaction(
        &self,
        work: &mut dyn FnMut(&dyn Txn) -> Result<(), TxnError>,
    ) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
        let trees = [&self.inbox, &self.counters, &self.overlays];
        let mut ephemeral = self.ephemeral();
        let writes = RefCell::new(Vec::new());
        // `FnMut` behind a `Fn` closure: sled may run the closure again
        // after a conflict, never twice at the same time.
        let work = RefCell::new(work);
        let result = {
            let pending = &ephemeral.pending;
            trees[..].transaction(|views| {
                // A run after a conflict starts from nothing again.
                writes.borrow_mut().clear();
                let mut work = work.borrow_mut();
                let txn = SledTxn {
                    trees: views,
                    pending,
                    writes: &writes,
                };
                (*work)(&txn).map_err(|e| match e.0 {
                    TxnFailure::Sled(e) => ConflictableTransactionError::from(e),
                    TxnFailure::Abort(why) => ConflictableTransactionError::Abort(why),
                })
            })
        };
        match result {
            Ok(()) => {
                for (key, value) in writes.into_inner() {
                    match value {
                        Some(value) => {
                            ephemeral.pending.put(&key, NO_EXPIRY, value);
                        }
                        None => {
                            ephemeral.pending.remove(&key);
                        }
                    }
                }
                Ok(())
            }
            Err(TransactionError::Abort(why)) => {
                Err(StoreError(format!("transaction aborted: {why}")))
            }
            Err(TransactionError::Storage(e)) => Err(fail("transaction", e)),
        }
    }

    fn add_counters(&self, adds: &[(&[u8], &[u64])]) -> Result<(), StoreError> {
        for (key, deltas) in adds {
            let bytes: Vec<u8> = deltas.iter().flat_map(|d| d.to_be_bytes()).collect();
            self.counters
                .merge(key, bytes)
                .map_err(|e| fail("adding to a counter", e))?;
        }
        Ok(())
    }

    fn check(&self) -> Result<(), StoreError> {
        self.inbox
            .get(b"\0readiness")
            .map_err(|e| fail("readiness probe", e))?;
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| fail("flushing", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Properties: a session is found until its expiry and never after;
    //! reading an expired session removes it; the purge removes exactly
    //! the expired ones; past the bound the longest idle goes; the alive
    //! count follows creations and removals; sessions do not survive a
    //! reopen, what is on disk does; records
    //! come back in arrival order, paged; overlays round-trip.
    use super::*;

    fn store() -> SledStore {
        SledStore::temporary().expect("temporary store")
    }

    #[test]
    fn a_session_lives_until_its_expiry() {
        let s = store();
        s.put_session("a", 1_000, b"state").unwrap();
        assert_eq!(
            s.get_session("a", 999).unwrap(),
            SessionLookup::Found(b"state".to_vec())
        );
        assert_eq!(s.get_session("a", 1_000).unwrap(), SessionLookup::Expired);
        // Reading it expired removed it.
        assert_eq!(s.get_session("a", 0).unwrap(), SessionLookup::Missing);
        assert_eq!(s.sessions_alive(), 0);
        assert_eq!(s.get_session("nope", 0).unwrap(), SessionLookup::Missing);
    }

    #[test]
    fn replacing_a_session_renews_it_without_counting_twice() {
        let s = store();
        s.put_session("a", 1_000, b"one").unwrap();
        s.put_session("a", 5_000, b"two").unwrap();
        assert_eq!(s.sessions_alive(), 1);
        assert_eq!(
            s.get_session("a", 2_000).unwrap(),
            SessionLookup::Found(b"two".to_vec())
        );
        assert!(s.remove_session("a").unwrap());
        assert!(!s.remove_session("a").unwrap());
        assert_eq!(s.sessions_alive(), 0);
        assert_eq!(s.sessions_evicted(), 0);
    }

    #[test]
    fn purge_removes_only_expired_sessions() {
        let s = store();
        for (id, exp) in [("a", 100), ("b", 200), ("c", 300), ("d", 400)] {
            s.put_session(id, exp, id.as_bytes()).unwrap();
        }
        assert_eq!(s.sessions_alive(), 4);
        assert_eq!(s.purge_expired(250).unwrap(), 2);
        assert_eq!(s.sessions_alive(), 2);
        assert_eq!(s.get_session("a", 0).unwrap(), SessionLookup::Missing);
        assert_eq!(
            s.get_session("c", 0).unwrap(),
            SessionLookup::Found(b"c".to_vec())
        );
        assert_eq!(s.purge_expired(250).unwrap(), 0);
        assert_eq!(s.purge_expired(10_000).unwrap(), 2);
        assert_eq!(s.sessions_alive(), 0);
    }

    #[test]
    fn sessions_past_the_bound_evict_the_longest_idle() {
        let s = SledStore::temporary_bounded(2).unwrap();
        s.put_session("a", 1_000, b"a").unwrap();
        s.put_session("b", 1_000, b"b").unwrap();
        // `a` takes a turn: `b` is now the longest idle.
        s.put_session("a", 2_000, b"a2").unwrap();
        s.put_session("c", 1_000, b"c").unwrap();
        assert_eq!(s.sessions_alive(), 2);
        assert_eq!(s.sessions_evicted(), 1);
        assert_eq!(s.get_session("b", 0).unwrap(), SessionLookup::Missing);
        assert_eq!(
            s.get_session("a", 0).unwrap(),
            SessionLookup::Found(b"a2".to_vec())
        );
    }

    #[test]
    fn durable_data_survives_a_reopen_and_sessions_do_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        {
            // A folder written by an earlier version, sessions on disk.
            let db = sled::open(dir).unwrap();
            db.open_tree("sessions")
                .unwrap()
                .insert("old", &b"x"[..])
                .unwrap();
            db.flush().unwrap();
        }
        {
            let s = SledStore::open(dir).unwrap();
            assert_eq!(s.sessions_alive(), 0, "old sessions are dropped");
            s.put_session("a", u64::MAX, b"kept in memory").unwrap();
            s.append_record(b"r").unwrap();
            s.flush().unwrap();
        }
        {
            let s = SledStore::open(dir).unwrap();
            assert_eq!(s.sessions_alive(), 0, "sessions live in memory only");
            assert!(!s.db.tree_names().iter().any(|n| n.as_ref() == b"sessions"));
            let seq = s.append_record(b"r2").unwrap();
            let all = s.records(None, 10).unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(all[1].seq, seq);
            assert!(
                all[0].seq < all[1].seq,
                "ids stay increasing across a reopen"
            );
        }
    }

    #[test]
    fn pending_values_join_transactions_and_apply_only_on_commit() {
        let s = store();
        s.put(Keyspace::Pending, b"t1", b"question").unwrap();
        // Taken and recorded together.
        s.transaction(&mut |t| {
            let q = t.get(Keyspace::Pending, b"t1")?;
            assert_eq!(q.as_deref(), Some(&b"question"[..]));
            t.remove(Keyspace::Pending, b"t1")?;
            assert_eq!(t.get(Keyspace::Pending, b"t1")?, None, "reads its writes");
            t.put(Keyspace::Inbox, b"q", b"entry")
        })
        .unwrap();
        assert_eq!(s.get(Keyspace::Pending, b"t1").unwrap(), None);
        assert_eq!(
            s.get(Keyspace::Inbox, b"q").unwrap(),
            Some(b"entry".to_vec())
        );
        // An aborted transaction leaves the pending value alone.
        s.put(Keyspace::Pending, b"t2", b"other").unwrap();
        let err = s.transaction(&mut |t| {
            t.remove(Keyspace::Pending, b"t2")?;
            Err(TxnError::abort("no"))
        });
        assert!(err.is_err());
        assert_eq!(
            s.get(Keyspace::Pending, b"t2").unwrap(),
            Some(b"other".to_vec())
        );
        assert_eq!(s.scan(Keyspace::Pending, b"", None).unwrap().len(), 1);
    }

    #[test]
    fn records_come_back_in_order_and_paged() {
        let s = store();
        let seqs: Vec<u64> = (0..5)
            .map(|k| s.append_record(format!("r{k}").as_bytes()).unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        let first = s.records(None, 2).unwrap();
        assert_eq!(
            first.iter().map(|r| r.data.clone()).collect::<Vec<_>>(),
            vec![b"r0".to_vec(), b"r1".to_vec()]
        );
        let rest = s.records(Some(first[1].seq), 10).unwrap();
        assert_eq!(rest.len(), 3);
        assert_eq!(rest[0].data, b"r2");
        assert!(s.records(Some(u64::MAX), 10).unwrap().is_empty());
    }

    #[test]
    fn overlays_round_trip() {
        let s = store();
        assert_eq!(s.get_overlay("lexique").unwrap(), None);
        s.put_overlay("lexique", b"v1").unwrap();
        s.put_overlay("attachements", b"v2").unwrap();
        assert_eq!(s.get_overlay("lexique").unwrap(), Some(b"v1".to_vec()));
        let names: Vec<String> = s.overlays().unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["attachements", "lexique"]);
        assert!(s.remove_overlay("lexique").unwrap());
        assert!(!s.remove_overlay("lexique").unwrap());
        s.check().unwrap();
    }

    #[test]
    fn review_values_scan_in_key_order_within_bounds() {
        let s = store();
        for day in [3u32, 1, 2, 10] {
            s.put(Keyspace::Inbox, &day.to_be_bytes(), b"v").unwrap();
        }
        let keys = |from: u32, to: Option<u32>| -> Vec<u32> {
            let to = to.map(u32::to_be_bytes);
            s.scan(
                Keyspace::Inbox,
                &from.to_be_bytes(),
                to.as_ref().map(|t| &t[..]),
            )
            .unwrap()
            .into_iter()
            .map(|(k, _)| u32::from_be_bytes(k.try_into().unwrap()))
            .collect()
        };
        assert_eq!(keys(0, None), [1, 2, 3, 10]);
        assert_eq!(keys(2, Some(10)), [2, 3]);
        assert!(keys(5, Some(5)).is_empty());
        assert!(keys(9, Some(2)).is_empty());
        assert!(s.remove(Keyspace::Inbox, &1u32.to_be_bytes()).unwrap());
        assert!(!s.remove(Keyspace::Inbox, &1u32.to_be_bytes()).unwrap());
        assert_eq!(
            s.get(Keyspace::Inbox, &2u32.to_be_bytes()).unwrap(),
            Some(b"v".to_vec())
        );
        // Keyspaces are apart.
        assert_eq!(s.get(Keyspace::Pending, &2u32.to_be_bytes()).unwrap(), None);
    }

    #[test]
    fn a_transaction_writes_everything_or_nothing() {
        let s = store();
        s.transaction(&mut |t| {
            t.put(Keyspace::Inbox, b"q", b"entry")?;
            t.put(Keyspace::Overlays, b"paraphrase:q", b"p")?;
            assert_eq!(
                t.get(Keyspace::Inbox, b"q")?,
                Some(b"entry".to_vec()),
                "reads its writes"
            );
            Ok(())
        })
        .unwrap();
        assert_eq!(s.get_overlay("paraphrase:q").unwrap(), Some(b"p".to_vec()));
        let err = s
            .transaction(&mut |t| {
                t.put(Keyspace::Inbox, b"q", b"changed")?;
                t.remove(Keyspace::Overlays, b"paraphrase:q")?;
                Err(TxnError::abort("changed my mind"))
            })
            .unwrap_err();
        assert!(err.0.contains("changed my mind"), "{err}");
        assert_eq!(
            s.get(Keyspace::Inbox, b"q").unwrap(),
            Some(b"entry".to_vec())
        );
        assert_eq!(s.get_overlay("paraphrase:q").unwrap(), Some(b"p".to_vec()));
    }

    #[test]
    fn concurrent_transactions_lose_no_update() {
        let s = std::sync::Arc::new(store());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        s.transaction(&mut |t| {
                            let n = t
                                .get(Keyspace::Inbox, b"n")?
                                .map(|v| u64::from_be_bytes(v.try_into().unwrap_or([0; 8])))
                                .unwrap_or(0);
                            t.put(Keyspace::Inbox, b"n", &(n + 1).to_be_bytes())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n = s.get(Keyspace::Inbox, b"n").unwrap().unwrap();
        assert_eq!(u64::from_be_bytes(n.try_into().unwrap()), 200);
    }

    #[test]
    fn counters_add_element_by_element_and_survive_a_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let read = |s: &SledStore| -> Vec<u64> {
            s.get(Keyspace::Counters, b"day")
                .unwrap()
                .unwrap()
                .chunks(8)
                .map(|c| u64::from_be_bytes(c.try_into().unwrap()))
                .collect()
        };
        {
            let s = SledStore::open(dir).unwrap();
            s.add_counters(&[(b"day", &[1, 0, 2])]).unwrap();
            s.add_counters(&[(b"day", &[1, 5]), (b"other", &[7])])
                .unwrap();
            assert_eq!(read(&s), [2, 5, 2]);
            s.flush().unwrap();
        }
        {
            let s = SledStore::open(dir).unwrap();
            s.add_counters(&[(b"day", &[0, 0, 0, 1])]).unwrap();
            assert_eq!(
                read(&s),
                [2, 5, 2, 1],
                "the merge operator is set again on opening"
            );
        }
    }
}
