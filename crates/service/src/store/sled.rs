//! The embedded store: sled on disk for what must outlive a restart (the
//! inbox, counters, overlays: paraphrases and notices), bounded memory for
//! what lives minutes (sessions and pending questions; see
//! [`crate::ephemeral`] for why).
//!
//! This module owns the encodings: an inbox entry is a small binary
//! [`Summary`] (count, times, status, sites) followed by the whole entry as
//! JSON, so listing reads only the summaries to filter and sort and
//! decodes the JSON of the page it returns (10,000 entries list in
//! milliseconds); counter keys are the day in big-endian then a tag (`t`
//! for the day's turns, `i` + intent id), so a range of days is a range of
//! keys and counters are added by a merge operator without a read;
//! paraphrases and notices are JSON overlays under `paraphrase:<entry>`
//! and `notice:<id>`. Several trees change in one sled transaction, so an
//! agent's action and the paraphrase it teaches are written together or
//! not at all.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{
    Change, CounterKey, Counters, Entry, EntryId, Inbox, Millis, Notices, Paraphrase, Paraphrases,
    Pending, PendingQuestions, SessionLookup, Sessions, Status, Store, StoreError, Summary, Taught,
    ID_BYTES,
};
use crate::ephemeral::{Bounded, Found};
use accueil_engine::notices::{Notice, OVERLAY_PREFIX as NOTICE_PREFIX};

/// The trees (and the memory table) behind the typed repositories, for
/// the byte-level operations below. Numbers in keys are big-endian so
/// that byte order is numeric order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyspace {
    /// One entry per distinct unanswered question, keyed by a hash.
    Inbox,
    /// Questions waiting for what the person does next, keyed by a ticket.
    Pending,
    /// Counters by day: values are sequences of big-endian `u64`, added
    /// element by element by the merge operator.
    Counters,
    /// Paraphrases and notices, by name (`paraphrase:…`, `notice:…`).
    Overlays,
}

/// Keys and values read from a keyspace, in key order.
type KeyValues = Vec<(Vec<u8>, Vec<u8>)>;

/// A transaction's failure to report from the closure with `?`: a conflict
/// (the store runs the closure again), a storage failure, or an abort
/// asked by the closure ([`TxnError::abort`]).
struct TxnError(TxnFailure);

enum TxnFailure {
    Sled(sled::transaction::UnabortableTransactionError),
    Abort(String),
}

impl TxnError {
    /// Abort the transaction: nothing it wrote is kept, and
    /// [`SledStore::transaction`] returns this message as a [`StoreError`].
    fn abort(why: impl Into<String>) -> TxnError {
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
trait Txn {
    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, TxnError>;
    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), TxnError>;
    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<(), TxnError>;
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
/// counters, overlays), bounded memory for what lives minutes
/// (sessions, pending questions; see [`crate::ephemeral`] for why).
pub struct SledStore {
    db: sled::Db,
    overlays: sled::Tree,
    inbox: sled::Tree,
    counters: sled::Tree,
    /// Sessions and pending questions. One lock: a transaction reading a
    /// pending question holds it until its writes are applied, so two
    /// transactions never both take the same question.
    ephemeral: Mutex<Ephemeral>,
    /// Counter additions not yet written to sled, by counter key: every
    /// chat turn adds to a counter, and a sled write per turn cost more
    /// than the turn's matching. Written by [`Counters::commit`] (every
    /// sync interval), before any read of the counters, on flush and when
    /// the store is dropped; a crash loses at most the additions since.
    counts: Mutex<BTreeMap<Vec<u8>, Vec<u64>>>,
    /// Bumped by every change of paraphrases or notices ([`Store::changes`]).
    changes: AtomicU64,
}

struct Ephemeral {
    sessions: Bounded,
    pending: Bounded,
}

impl Drop for SledStore {
    fn drop(&mut self) {
        // sled flushes its own buffers when the last handle goes.
        if let Err(e) = self.commit_counts() {
            tracing::error!(error = %e, "counters lost on closing the store");
        }
    }
}

fn fail(what: &str, e: sled::Error) -> StoreError {
    StoreError(format!("{what}: {e}"))
}

/// Trees of earlier versions that kept sessions and pending questions on
/// disk: dropped at opening, which gives their space back.
/// (`records`: an append-only log no version ever wrote to.)
const OLD_TREES: [&str; 3] = ["sessions", "pending", "records"];

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
            overlays: tree("overlays")?,
            inbox: tree("inbox")?,
            counters: tree("counters")?,
            db,
            changes: AtomicU64::new(0),
            counts: Mutex::new(BTreeMap::new()),
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

    /// Write the buffered counter additions to sled (no fsync). What
    /// cannot be written is kept for the next time.
    fn commit_counts(&self) -> Result<(), StoreError> {
        let counts =
            std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner));
        let mut left = counts.into_iter();
        while let Some((key, deltas)) = left.next() {
            let bytes: Vec<u8> = deltas.iter().flat_map(|d| d.to_be_bytes()).collect();
            if let Err(e) = self.counters.merge(&key, bytes) {
                // Put back what was not written, added to what came meanwhile.
                let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
                for (key, deltas) in std::iter::once((key, deltas)).chain(left) {
                    add_into(counts.entry(key).or_default(), &deltas);
                }
                return Err(fail("adding to a counter", e));
            }
        }
        Ok(())
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

/// Add `deltas` element by element to `sum`, lengthening it if need be
/// (what [`add_counters`] does to the stored bytes).
fn add_into(sum: &mut Vec<u64>, deltas: &[u64]) {
    if sum.len() < deltas.len() {
        sum.resize(deltas.len(), 0);
    }
    for (s, d) in sum.iter_mut().zip(deltas) {
        *s = s.saturating_add(*d);
    }
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

/// Byte-level operations on the trees, under the typed repositories.
impl SledStore {
    fn get(&self, space: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(tree) = self.tree(space) else {
            return Ok(self.ephemeral().pending.peek(key).map(<[u8]>::to_vec));
        };
        let value = tree.get(key).map_err(|e| fail("reading a value", e))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put(&self, space: Keyspace, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let Some(tree) = self.tree(space) else {
            self.ephemeral().pending.put(key, NO_EXPIRY, value.to_vec());
            return Ok(());
        };
        tree.insert(key, value)
            .map_err(|e| fail("writing a value", e))?;
        Ok(())
    }

    fn remove(&self, space: Keyspace, key: &[u8]) -> Result<bool, StoreError> {
        let Some(tree) = self.tree(space) else {
            return Ok(self.ephemeral().pending.remove(key));
        };
        let old = tree.remove(key).map_err(|e| fail("removing a value", e))?;
        Ok(old.is_some())
    }

    /// The entries of a keyspace with `from <= key < to` (`to` = `None`:
    /// to the end), in key order.
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
            let (key, value) = entry.map_err(|e| fail("scanning values", e))?;
            out.push((key.to_vec(), value.to_vec()));
        }
        Ok(out)
    }

    /// Run `work` atomically over the keyspaces: all its writes are kept,
    /// or none. `work` may run more than once (on a conflict with a
    /// concurrent transaction), so it must only act through the [`Txn`]
    /// and reset whatever it records outside at each run.
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
}

#[cfg(test)]
impl SledStore {
    /// Every key and value of every tree and of the pending questions, as
    /// text: for tests that grep the store for what must not be there.
    pub(crate) fn dump(&self) -> String {
        let mut out = String::new();
        for space in [
            Keyspace::Inbox,
            Keyspace::Pending,
            Keyspace::Counters,
            Keyspace::Overlays,
        ] {
            for (k, v) in self.scan(space, &[], None).unwrap_or_default() {
                out.push_str(&String::from_utf8_lossy(&k));
                out.push_str(&String::from_utf8_lossy(&v));
            }
        }
        out
    }
}

// ---- Encodings ------------------------------------------------------------

/// The first byte of a stored entry: its format.
const FORMAT: u8 = 1;

fn status_byte(s: Status) -> u8 {
    match s {
        Status::New => 0,
        Status::Attached => 1,
        Status::Dismissed => 2,
        Status::ToWrite => 3,
    }
}

/// Format byte, count, first and last seen (big-endian `u64`), status,
/// tombstone flag, number of sites, then each site as a length byte and
/// its bytes (ids longer than 255 bytes are cut; site ids are file names,
/// far shorter).
fn encode_summary(summary: &Summary) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(FORMAT);
    out.extend_from_slice(&summary.count.to_be_bytes());
    out.extend_from_slice(&summary.first_seen.to_be_bytes());
    out.extend_from_slice(&summary.last_seen.to_be_bytes());
    out.push(status_byte(summary.status));
    out.push(u8::from(summary.purged));
    let sites: Vec<&[u8]> = summary
        .sites
        .iter()
        .take(usize::from(u8::MAX))
        .map(|s| &s.as_bytes()[..s.len().min(usize::from(u8::MAX))])
        .collect();
    out.push(sites.len() as u8);
    for site in sites {
        out.push(site.len() as u8);
        out.extend_from_slice(site);
    }
    out
}

/// The summary of stored bytes, and where the JSON starts.
fn decode_summary(bytes: &[u8]) -> Option<(Summary, usize)> {
    if *bytes.first()? != FORMAT {
        return None;
    }
    let u64_at = |k: usize| -> Option<u64> {
        Some(u64::from_be_bytes(bytes.get(k..k + 8)?.try_into().ok()?))
    };
    let status = match *bytes.get(25)? {
        0 => Status::New,
        1 => Status::Attached,
        2 => Status::Dismissed,
        3 => Status::ToWrite,
        _ => return None,
    };
    let mut at = 28;
    let n = usize::from(*bytes.get(27)?);
    let mut sites = Vec::with_capacity(n);
    for _ in 0..n {
        let len = usize::from(*bytes.get(at)?);
        let site = bytes.get(at + 1..at + 1 + len)?;
        sites.push(String::from_utf8_lossy(site).into_owned());
        at += 1 + len;
    }
    Some((
        Summary {
            count: u64_at(1)?,
            first_seen: u64_at(9)?,
            last_seen: u64_at(17)?,
            status,
            purged: *bytes.get(26)? != 0,
            sites,
        },
        at,
    ))
}

/// An entry from its stored bytes (summary, then JSON).
fn decode_entry(bytes: &[u8]) -> Option<Entry> {
    let (_, body) = decode_summary(bytes)?;
    serde_json::from_slice(bytes.get(body..)?).ok()
}

/// The stored bytes of an entry: its summary, then the entry as JSON.
fn encode_entry(entry: &Entry) -> Result<Vec<u8>, TxnError> {
    let mut out = encode_summary(&entry.summary());
    serde_json::to_writer(&mut out, entry)
        .map_err(|e| TxnError::abort(format!("encoding an entry: {e}")))?;
    Ok(out)
}

fn entry_id(key: &[u8]) -> Option<EntryId> {
    <[u8; ID_BYTES]>::try_from(key).ok().map(EntryId)
}

fn json<T: serde::Serialize>(what: &str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError(format!("encoding {what}: {e}")))
}

const TURNS: u8 = b't';
const INTENT: u8 = b'i';

fn counter_key(key: &CounterKey) -> Vec<u8> {
    let mut out = key.day().to_be_bytes().to_vec();
    match key {
        CounterKey::Turns { .. } => out.push(TURNS),
        CounterKey::Intent { intent, .. } => {
            out.push(INTENT);
            out.extend_from_slice(intent.as_bytes());
        }
    }
    out
}

fn decode_counter_key(bytes: &[u8]) -> Option<CounterKey> {
    let day = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
    match *bytes.get(4)? {
        TURNS => Some(CounterKey::Turns { day }),
        INTENT => Some(CounterKey::Intent {
            day,
            intent: String::from_utf8_lossy(bytes.get(5..)?).into_owned(),
        }),
        _ => None,
    }
}

fn counter_values(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .filter_map(|c| <[u8; 8]>::try_from(c).ok())
        .map(u64::from_be_bytes)
        .collect()
}

/// The overlay names of paraphrases start with this.
const PARAPHRASE_PREFIX: &str = "paraphrase:";

fn paraphrase_name(id: EntryId) -> String {
    format!("{PARAPHRASE_PREFIX}{}", id.hex())
}

/// The overlays whose names start with `prefix`.
fn prefixed(store: &SledStore, prefix: &str) -> Result<KeyValues, StoreError> {
    let mut end = prefix.as_bytes().to_vec();
    // Prefixes end with `:`, followed by `;` in ASCII: the range is exactly
    // the prefix.
    if let Some(last) = end.last_mut() {
        *last = last.saturating_add(1);
    }
    store.scan(Keyspace::Overlays, prefix.as_bytes(), Some(&end))
}

// ---- The repositories -------------------------------------------------------

#[async_trait]
impl Sessions for SledStore {
    async fn get(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError> {
        Ok(match self.ephemeral().sessions.get(id.as_bytes(), now) {
            Found::Live(bytes) => SessionLookup::Found(bytes.to_vec()),
            Found::Expired => SessionLookup::Expired,
            Found::Missing => SessionLookup::Missing,
        })
    }

    async fn put(&self, id: &str, expires_at: Millis, state: &[u8]) -> Result<(), StoreError> {
        self.ephemeral()
            .sessions
            .put(id.as_bytes(), expires_at, state.to_vec());
        Ok(())
    }

    async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.ephemeral().sessions.remove(id.as_bytes()))
    }

    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        Ok(self.ephemeral().sessions.purge(now))
    }

    fn alive(&self) -> u64 {
        u64::try_from(self.ephemeral().sessions.len()).unwrap_or(u64::MAX)
    }

    fn evicted(&self) -> u64 {
        let e = self.ephemeral();
        e.sessions.evicted().saturating_add(e.pending.evicted())
    }
}

#[async_trait]
impl Inbox for SledStore {
    async fn get(&self, id: EntryId) -> Result<Option<Entry>, StoreError> {
        Ok(SledStore::get(self, Keyspace::Inbox, &id.0)?.and_then(|b| decode_entry(&b)))
    }

    async fn summaries(&self) -> Result<Vec<(EntryId, Summary)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.inbox.iter() {
            let (key, value) = entry.map_err(|e| fail("reading the inbox", e))?;
            if let (Some(id), Some((summary, _))) = (entry_id(&key), decode_summary(&value)) {
                out.push((id, summary));
            }
        }
        Ok(out)
    }

    async fn entries(&self, ids: &[EntryId]) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) =
                SledStore::get(self, Keyspace::Inbox, &id.0)?.and_then(|b| decode_entry(&b))
            {
                out.push((*id, e));
            }
        }
        Ok(out)
    }

    async fn all(&self) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        Ok(self
            .scan(Keyspace::Inbox, &[], None)?
            .into_iter()
            .filter_map(|(k, v)| Some((entry_id(&k)?, decode_entry(&v)?)))
            .collect())
    }

    async fn update(
        &self,
        id: EntryId,
        change: &mut (dyn FnMut(Option<Entry>) -> Change + Send),
    ) -> Result<(), StoreError> {
        let name = paraphrase_name(id);
        let mut taught_changed = false;
        self.transaction(&mut |t| {
            taught_changed = false;
            let old = t
                .get(Keyspace::Inbox, &id.0)?
                .and_then(|b| decode_entry(&b));
            match change(old) {
                Change::Keep => {}
                Change::Remove => t.remove(Keyspace::Inbox, &id.0)?,
                Change::Put(entry, taught) => {
                    taught_changed = taught != Taught::Unchanged;
                    match taught {
                        Taught::Unchanged => {}
                        Taught::Set(p) => {
                            let bytes = serde_json::to_vec(&p).map_err(|e| {
                                TxnError::abort(format!("encoding a paraphrase: {e}"))
                            })?;
                            t.put(Keyspace::Overlays, name.as_bytes(), &bytes)?;
                        }
                        Taught::Cleared => t.remove(Keyspace::Overlays, name.as_bytes())?,
                    }
                    t.put(Keyspace::Inbox, &id.0, &encode_entry(&entry)?)?;
                }
            }
            Ok(())
        })?;
        if taught_changed {
            self.changes.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

#[async_trait]
impl PendingQuestions for SledStore {
    async fn put(&self, ticket: &str, question: &Pending) -> Result<(), StoreError> {
        let bytes = json("a pending question", question)?;
        SledStore::put(self, Keyspace::Pending, ticket.as_bytes(), &bytes)
    }

    async fn get(&self, ticket: &str) -> Result<Option<Pending>, StoreError> {
        Ok(SledStore::get(self, Keyspace::Pending, ticket.as_bytes())?
            .and_then(|b| serde_json::from_slice(&b).ok()))
    }

    async fn remove(&self, ticket: &str) -> Result<bool, StoreError> {
        SledStore::remove(self, Keyspace::Pending, ticket.as_bytes())
    }

    async fn all(&self) -> Result<Vec<(String, Pending)>, StoreError> {
        let mut out = Vec::new();
        for (key, value) in self.scan(Keyspace::Pending, &[], None)? {
            match serde_json::from_slice::<Pending>(&value) {
                Ok(p) => out.push((String::from_utf8_lossy(&key).into_owned(), p)),
                Err(_) => {
                    SledStore::remove(self, Keyspace::Pending, &key)?;
                }
            }
        }
        Ok(out)
    }

    async fn settle(
        &self,
        ticket: &str,
        record: &mut (dyn for<'p> FnMut(&'p Pending, Option<Entry>) -> Option<Entry> + Send),
    ) -> Result<bool, StoreError> {
        let mut done = false;
        self.transaction(&mut |t| {
            done = false;
            let Some(bytes) = t.get(Keyspace::Pending, ticket.as_bytes())? else {
                return Ok(());
            };
            let Ok(p) = serde_json::from_slice::<Pending>(&bytes) else {
                t.remove(Keyspace::Pending, ticket.as_bytes())?;
                return Ok(());
            };
            let id = p.entry_id();
            let old = t
                .get(Keyspace::Inbox, &id.0)?
                .and_then(|b| decode_entry(&b));
            let Some(entry) = record(&p, old) else {
                return Ok(());
            };
            t.put(Keyspace::Inbox, &id.0, &encode_entry(&entry)?)?;
            t.remove(Keyspace::Pending, ticket.as_bytes())?;
            done = true;
            Ok(())
        })?;
        Ok(done)
    }
}

#[async_trait]
impl Counters for SledStore {
    async fn add(&self, adds: &[(CounterKey, &[u64])]) -> Result<(), StoreError> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, deltas) in adds {
            add_into(counts.entry(counter_key(key)).or_default(), deltas);
        }
        Ok(())
    }

    async fn commit(&self) -> Result<(), StoreError> {
        self.commit_counts()
    }

    async fn read(&self, from: u32, to: u32) -> Result<Vec<(CounterKey, Vec<u64>)>, StoreError> {
        self.commit_counts()?;
        let end = to.checked_add(1).map(u32::to_be_bytes);
        Ok(self
            .scan(
                Keyspace::Counters,
                &from.to_be_bytes(),
                end.as_ref().map(|e| &e[..]),
            )?
            .into_iter()
            .filter_map(|(k, v)| Some((decode_counter_key(&k)?, counter_values(&v))))
            .collect())
    }

    async fn purge_before(&self, day: u32) -> Result<usize, StoreError> {
        self.commit_counts()?;
        let old = self.scan(Keyspace::Counters, &[], Some(&day.to_be_bytes()))?;
        for (key, _) in &old {
            SledStore::remove(self, Keyspace::Counters, key)?;
        }
        Ok(old.len())
    }
}

#[async_trait]
impl Paraphrases for SledStore {
    async fn list(&self) -> Result<Vec<Paraphrase>, StoreError> {
        let mut out: Vec<Paraphrase> = prefixed(self, PARAPHRASE_PREFIX)?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
            .collect();
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.question.cmp(&b.question)));
        Ok(out)
    }
}

#[async_trait]
impl Notices for SledStore {
    async fn list(&self) -> Result<(Vec<Notice>, Vec<String>), StoreError> {
        let mut notices = Vec::new();
        let mut skipped = Vec::new();
        for (key, value) in prefixed(self, NOTICE_PREFIX)? {
            match serde_json::from_slice::<Notice>(&value) {
                Ok(n) => notices.push(n),
                Err(_) => skipped.push(String::from_utf8_lossy(&key).into_owned()),
            }
        }
        Ok((notices, skipped))
    }

    async fn put(&self, notice: &Notice) -> Result<(), StoreError> {
        let bytes = json("a notice", notice)?;
        let name = format!("{NOTICE_PREFIX}{}", notice.id);
        SledStore::put(self, Keyspace::Overlays, name.as_bytes(), &bytes)?;
        self.changes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let name = format!("{NOTICE_PREFIX}{id}");
        let existed = SledStore::remove(self, Keyspace::Overlays, name.as_bytes())?;
        self.changes.fetch_add(1, Ordering::SeqCst);
        Ok(existed)
    }
}

#[async_trait]
impl Store for SledStore {
    crate::store_accessors!();

    fn backend(&self) -> &'static str {
        "sled"
    }

    async fn changes(&self) -> Result<u64, StoreError> {
        Ok(self.changes.load(Ordering::SeqCst))
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.inbox
            .get(b"\0readiness")
            .map_err(|e| fail("readiness probe", e))?;
        Ok(())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.commit_counts()?;
        // sled's own future: the fsync runs on sled's thread, not the
        // caller's.
        self.db
            .flush_async()
            .await
            .map_err(|e| fail("flushing", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Properties: a session is found until its expiry and never after;
    //! reading an expired session removes it; the purge removes exactly
    //! the expired ones; past the bound the longest idle goes; sessions do
    //! not survive a reopen, what is on disk does; transactions write
    //! everything or nothing and lose no concurrent update; pending
    //! questions join transactions; counters add element by element and
    //! survive a reopen; entries, paraphrases and notices round-trip
    //! through their encodings.
    use super::*;
    use crate::events::{Channel, TicketKind};

    fn store() -> SledStore {
        SledStore::temporary().expect("temporary store")
    }

    #[tokio::test]
    async fn a_session_lives_until_its_expiry() {
        let s = store();
        let sessions = s.sessions();
        sessions.put("a", 1_000, b"state").await.unwrap();
        assert_eq!(
            sessions.get("a", 999).await.unwrap(),
            SessionLookup::Found(b"state".to_vec())
        );
        assert_eq!(
            sessions.get("a", 1_000).await.unwrap(),
            SessionLookup::Expired
        );
        // Reading it expired removed it.
        assert_eq!(sessions.get("a", 0).await.unwrap(), SessionLookup::Missing);
        assert_eq!(sessions.alive(), 0);
        assert_eq!(
            sessions.get("nope", 0).await.unwrap(),
            SessionLookup::Missing
        );
    }

    #[tokio::test]
    async fn replacing_a_session_renews_it_without_counting_twice() {
        let s = store();
        let sessions = s.sessions();
        sessions.put("a", 1_000, b"one").await.unwrap();
        sessions.put("a", 5_000, b"two").await.unwrap();
        assert_eq!(sessions.alive(), 1);
        assert_eq!(
            sessions.get("a", 2_000).await.unwrap(),
            SessionLookup::Found(b"two".to_vec())
        );
        assert!(sessions.remove("a").await.unwrap());
        assert!(!sessions.remove("a").await.unwrap());
        assert_eq!(sessions.alive(), 0);
        assert_eq!(sessions.evicted(), 0);
    }

    #[tokio::test]
    async fn purge_removes_only_expired_sessions() {
        let s = store();
        let sessions = s.sessions();
        for (id, exp) in [("a", 100), ("b", 200), ("c", 300), ("d", 400)] {
            sessions.put(id, exp, id.as_bytes()).await.unwrap();
        }
        assert_eq!(sessions.alive(), 4);
        assert_eq!(sessions.purge_expired(250).await.unwrap(), 2);
        assert_eq!(sessions.alive(), 2);
        assert_eq!(sessions.get("a", 0).await.unwrap(), SessionLookup::Missing);
        assert_eq!(
            sessions.get("c", 0).await.unwrap(),
            SessionLookup::Found(b"c".to_vec())
        );
        assert_eq!(sessions.purge_expired(250).await.unwrap(), 0);
        assert_eq!(sessions.purge_expired(10_000).await.unwrap(), 2);
        assert_eq!(sessions.alive(), 0);
    }

    #[tokio::test]
    async fn sessions_past_the_bound_evict_the_longest_idle() {
        let s = SledStore::temporary_bounded(2).unwrap();
        let sessions = s.sessions();
        sessions.put("a", 1_000, b"a").await.unwrap();
        sessions.put("b", 1_000, b"b").await.unwrap();
        // `a` takes a turn: `b` is now the longest idle.
        sessions.put("a", 2_000, b"a2").await.unwrap();
        sessions.put("c", 1_000, b"c").await.unwrap();
        assert_eq!(sessions.alive(), 2);
        assert_eq!(sessions.evicted(), 1);
        assert_eq!(sessions.get("b", 0).await.unwrap(), SessionLookup::Missing);
        assert_eq!(
            sessions.get("a", 0).await.unwrap(),
            SessionLookup::Found(b"a2".to_vec())
        );
    }

    fn pending(text: &str) -> Pending {
        Pending {
            kind: TicketKind::Clarify,
            text: text.into(),
            normalized: text.into(),
            channel: Channel::Web,
            site: None,
            at: 5,
            expires_at: 10,
            guesses: Vec::new(),
            intent: None,
            content_version: "v".into(),
        }
    }

    fn entry(text: &str, count: u64) -> Entry {
        Entry {
            text: text.into(),
            normalized: text.into(),
            count,
            first_seen: 1,
            last_seen: 2,
            ..Entry::default()
        }
    }

    #[tokio::test]
    async fn durable_data_survives_a_reopen_and_sessions_do_not() {
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
        let id = EntryId::of("q");
        {
            let s = SledStore::open(dir).unwrap();
            assert_eq!(s.sessions().alive(), 0, "old sessions are dropped");
            s.sessions().put("a", u64::MAX, b"in memory").await.unwrap();
            s.pending().put("t", &pending("p")).await.unwrap();
            s.inbox()
                .update(id, &mut |_| {
                    Change::Put(Box::new(entry("q", 1)), Taught::Unchanged)
                })
                .await
                .unwrap();
            Store::flush(&s).await.unwrap();
        }
        {
            let s = SledStore::open(dir).unwrap();
            assert_eq!(s.sessions().alive(), 0, "sessions live in memory only");
            assert_eq!(s.pending().get("t").await.unwrap(), None);
            assert!(!s.db.tree_names().iter().any(|n| n.as_ref() == b"sessions"));
            assert_eq!(s.inbox().get(id).await.unwrap(), Some(entry("q", 1)));
        }
    }

    #[test]
    fn pending_values_join_transactions_and_apply_only_on_commit() {
        let s = store();
        SledStore::put(&s, Keyspace::Pending, b"t1", b"question").unwrap();
        // Taken and recorded together.
        s.transaction(&mut |t| {
            let q = t.get(Keyspace::Pending, b"t1")?;
            assert_eq!(q.as_deref(), Some(&b"question"[..]));
            t.remove(Keyspace::Pending, b"t1")?;
            assert_eq!(t.get(Keyspace::Pending, b"t1")?, None, "reads its writes");
            t.put(Keyspace::Inbox, b"q", b"entry")
        })
        .unwrap();
        assert_eq!(SledStore::get(&s, Keyspace::Pending, b"t1").unwrap(), None);
        assert_eq!(
            SledStore::get(&s, Keyspace::Inbox, b"q").unwrap(),
            Some(b"entry".to_vec())
        );
        // An aborted transaction leaves the pending value alone.
        SledStore::put(&s, Keyspace::Pending, b"t2", b"other").unwrap();
        let err = s.transaction(&mut |t| {
            t.remove(Keyspace::Pending, b"t2")?;
            Err(TxnError::abort("no"))
        });
        assert!(err.is_err());
        assert_eq!(
            SledStore::get(&s, Keyspace::Pending, b"t2").unwrap(),
            Some(b"other".to_vec())
        );
        assert_eq!(s.scan(Keyspace::Pending, b"", None).unwrap().len(), 1);
    }

    #[test]
    fn values_scan_in_key_order_within_bounds() {
        let s = store();
        for day in [3u32, 1, 2, 10] {
            SledStore::put(&s, Keyspace::Inbox, &day.to_be_bytes(), b"v").unwrap();
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
        assert!(SledStore::remove(&s, Keyspace::Inbox, &1u32.to_be_bytes()).unwrap());
        assert!(!SledStore::remove(&s, Keyspace::Inbox, &1u32.to_be_bytes()).unwrap());
        // Keyspaces are apart.
        assert_eq!(
            SledStore::get(&s, Keyspace::Pending, &2u32.to_be_bytes()).unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn an_update_writes_the_entry_and_its_paraphrase_or_nothing() {
        let s = store();
        let id = EntryId::of("q");
        let p = Paraphrase {
            intent: "sejour.recepisse".into(),
            text: "q".into(),
            question: id.hex(),
            by: "agent".into(),
            at: 3,
        };
        s.inbox()
            .update(id, &mut |old| {
                assert_eq!(old, None);
                Change::Put(Box::new(entry("q", 1)), Taught::Set(p.clone()))
            })
            .await
            .unwrap();
        assert_eq!(s.paraphrases().list().await.unwrap(), vec![p.clone()]);
        // An entry that cannot be encoded is not half-written: an
        // aborted transaction keeps the paraphrase.
        let err = s.transaction(&mut |t| {
            t.remove(Keyspace::Overlays, paraphrase_name(id).as_bytes())?;
            Err(TxnError::abort("changed my mind"))
        });
        assert!(format!("{err:?}").contains("changed my mind"));
        assert_eq!(s.paraphrases().list().await.unwrap(), vec![p]);
        s.inbox()
            .update(id, &mut |old| {
                let mut e = old.expect("stored");
                e.status = Status::Dismissed;
                Change::Put(Box::new(e), Taught::Cleared)
            })
            .await
            .unwrap();
        assert!(s.paraphrases().list().await.unwrap().is_empty());
        let summaries = s.inbox().summaries().await.unwrap();
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].1.status, Status::Dismissed);
        assert_eq!(s.inbox().all().await.unwrap().len(), 1);
        assert_eq!(
            s.inbox()
                .entries(&[EntryId::of("other"), id])
                .await
                .unwrap()
                .len(),
            1
        );
        s.inbox().update(id, &mut |_| Change::Remove).await.unwrap();
        assert_eq!(s.inbox().get(id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn settling_takes_the_question_into_its_entry_once() {
        let s = store();
        s.pending().put("t", &pending("q")).await.unwrap();
        // Left alone when the closure says so.
        assert!(!s.pending().settle("t", &mut |_, _| None).await.unwrap());
        assert!(s.pending().get("t").await.unwrap().is_some());
        let recorded = s
            .pending()
            .settle("t", &mut |p, old| {
                assert_eq!(old, None);
                Some(entry(&p.text, 1))
            })
            .await
            .unwrap();
        assert!(recorded);
        assert_eq!(s.pending().get("t").await.unwrap(), None);
        assert_eq!(
            s.inbox().get(EntryId::of("q")).await.unwrap(),
            Some(entry("q", 1))
        );
        assert!(
            !s.pending().settle("t", &mut |_, _| None).await.unwrap(),
            "gone"
        );
        // Unreadable waiting questions are dropped, never returned.
        SledStore::put(&s, Keyspace::Pending, b"bad", b"{").unwrap();
        s.pending().put("ok", &pending("r")).await.unwrap();
        let all = s.pending().all().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, "ok");
        assert_eq!(SledStore::get(&s, Keyspace::Pending, b"bad").unwrap(), None);
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
        let n = SledStore::get(&s, Keyspace::Inbox, b"n").unwrap().unwrap();
        assert_eq!(u64::from_be_bytes(n.try_into().unwrap()), 200);
    }

    #[tokio::test]
    async fn counters_are_written_behind_and_kept_on_closing() {
        let tmp = tempfile::tempdir().unwrap();
        let day = CounterKey::Turns { day: 3 };
        {
            let s = SledStore::open(tmp.path()).unwrap();
            s.counters().add(&[(day.clone(), &[1, 2])]).await.unwrap();
            assert_eq!(s.counters.len(), 0, "buffered, not written per turn");
            s.counters().commit().await.unwrap();
            assert_eq!(s.counters.len(), 1);
            s.counters()
                .add(&[(day.clone(), &[1, 0, 4])])
                .await
                .unwrap();
            s.counters().add(&[(day.clone(), &[1])]).await.unwrap();
            // Dropped with additions not committed: written on closing.
        }
        let s = SledStore::open(tmp.path()).unwrap();
        assert_eq!(
            s.counters().read(0, 10).await.unwrap(),
            vec![(day, vec![3, 2, 4])]
        );
    }

    #[tokio::test]
    async fn counters_add_element_by_element_and_survive_a_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let day = CounterKey::Turns { day: 7 };
        let other = CounterKey::Intent {
            day: 9,
            intent: "conv.bonjour".into(),
        };
        {
            let s = SledStore::open(dir).unwrap();
            s.counters()
                .add(&[(day.clone(), &[1, 0, 2])])
                .await
                .unwrap();
            s.counters()
                .add(&[(day.clone(), &[1, 5]), (other.clone(), &[7])])
                .await
                .unwrap();
            assert_eq!(
                s.counters().read(0, 100).await.unwrap(),
                vec![(day.clone(), vec![2, 5, 2]), (other.clone(), vec![7])]
            );
            Store::flush(&s).await.unwrap();
        }
        {
            let s = SledStore::open(dir).unwrap();
            s.counters()
                .add(&[(day.clone(), &[0, 0, 0, 1])])
                .await
                .unwrap();
            assert_eq!(
                s.counters().read(7, 7).await.unwrap(),
                vec![(day.clone(), vec![2, 5, 2, 1])],
                "the merge operator is set again on opening"
            );
            assert_eq!(s.counters().purge_before(8).await.unwrap(), 1);
            assert_eq!(
                s.counters().read(0, 100).await.unwrap(),
                vec![(other, vec![7])]
            );
        }
    }

    #[tokio::test]
    async fn notices_round_trip_and_unreadable_ones_are_named() {
        let s = store();
        let notice = Notice::by_agent("a", "Le guichet est fermé lundi.", 1_000, 2_000, "root");
        s.notices().put(&notice).await.unwrap();
        SledStore::put(&s, Keyspace::Overlays, b"notice:corrupt", b"{").unwrap();
        SledStore::put(&s, Keyspace::Overlays, b"other:thing", b"{}").unwrap();
        let (list, skipped) = s.notices().list().await.unwrap();
        assert_eq!(list, vec![notice]);
        assert_eq!(skipped, vec!["notice:corrupt".to_owned()]);
        assert!(s.notices().remove("a").await.unwrap());
        assert!(!s.notices().remove("a").await.unwrap());
        Store::check(&s).await.unwrap();
        assert_eq!(s.backend(), "sled");
    }

    #[test]
    fn summaries_round_trip_and_refuse_unknown_formats() {
        let mut e = entry("q", 3);
        e.sites.insert("ddtm-herault".into(), 2);
        e.status = Status::ToWrite;
        let bytes = encode_entry(&e).unwrap();
        let (summary, body) = decode_summary(&bytes).unwrap();
        assert_eq!(summary, e.summary());
        assert_eq!(bytes[body], b'{');
        assert_eq!(decode_entry(&bytes), Some(e));
        // Truncated or foreign bytes are refused, never a panic.
        for cut in 0..body {
            assert_eq!(decode_summary(&bytes[..cut]), None, "{cut}");
        }
        assert_eq!(decode_entry(b"{\"text\":\"x\"}"), None);
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(decode_summary(&other), None);
        assert_eq!(decode_entry(&bytes[..10]), None);
        let key = CounterKey::Intent {
            day: 3,
            intent: "x".into(),
        };
        assert_eq!(decode_counter_key(&counter_key(&key)), Some(key));
    }
}
