//! The store: where the server keeps what outlives one request.
//!
//! Three keyspaces sit behind the [`Store`] trait: conversation sessions
//! (opaque bytes with an expiry time), records (append-only, ordered by
//! arrival: the questions the assistant could not answer, for agents) and
//! overlays (named values that agents will lay over the content files).
//! The embedded default is [`SledStore`]; a shared database backing several
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

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

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

    /// A cheap round trip proving the store answers (readiness probe).
    fn check(&self) -> Result<(), StoreError>;

    /// Make every write durable (called on shutdown).
    fn flush(&self) -> Result<(), StoreError>;
}

/// Upper bound of sled's page cache. Sessions are small and few; the
/// default (1 GiB) would let the cache grow far beyond what a front desk
/// needs.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Length of the expiry prefix of a stored session value.
const EXPIRY_BYTES: usize = 8;

/// The embedded store: one sled database, one tree per keyspace.
///
/// A session value is its expiry time (big-endian `u64`) followed by the
/// caller's bytes. Purging scans the session tree: sessions live minutes
/// and a front desk has thousands at most, so a scan every minute costs
/// less than keeping a second, ordered expiry index in step on every turn.
pub struct SledStore {
    db: sled::Db,
    sessions: sled::Tree,
    records: sled::Tree,
    overlays: sled::Tree,
    /// Entries of `sessions`, kept exact by the return values of sled's
    /// atomic insert, remove and compare-and-swap (sled's own `len` scans).
    alive: AtomicU64,
}

fn fail(what: &str, e: sled::Error) -> StoreError {
    StoreError(format!("{what}: {e}"))
}

impl SledStore {
    /// Open (or create) the store in the folder `path`. Fails if another
    /// process holds it.
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| StoreError(format!("cannot open the store in {}: {e}", path.display())))?;
        SledStore::from_db(db)
    }

    /// A store that lives in memory and a temporary file deleted on drop.
    pub fn temporary() -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| fail("cannot open a temporary store", e))?;
        SledStore::from_db(db)
    }

    fn from_db(db: sled::Db) -> Result<SledStore, StoreError> {
        let tree = |name: &str| {
            db.open_tree(name)
                .map_err(|e| fail(&format!("cannot open tree `{name}`"), e))
        };
        let store = SledStore {
            sessions: tree("sessions")?,
            records: tree("records")?,
            overlays: tree("overlays")?,
            db,
            alive: AtomicU64::new(0),
        };
        let alive = u64::try_from(store.sessions.len()).unwrap_or(u64::MAX);
        store.alive.store(alive, Ordering::Relaxed);
        Ok(store)
    }

    fn one_less(&self) {
        // Saturating: never wrap below zero even if a bug double-counts.
        let _ = self
            .alive
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
    }
}

fn expiry_of(value: &[u8]) -> Millis {
    value
        .get(..EXPIRY_BYTES)
        .and_then(|b| <[u8; EXPIRY_BYTES]>::try_from(b).ok())
        .map(u64::from_be_bytes)
        // A value too short to hold an expiry is corrupt: treat it as expired.
        .unwrap_or(0)
}

impl Store for SledStore {
    fn get_session(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError> {
        let Some(value) = self
            .sessions
            .get(id)
            .map_err(|e| fail("reading a session", e))?
        else {
            return Ok(SessionLookup::Missing);
        };
        if expiry_of(&value) > now {
            return Ok(SessionLookup::Found(value[EXPIRY_BYTES..].to_vec()));
        }
        // Remove only the value we judged expired: a concurrent request may
        // have just renewed it.
        match self
            .sessions
            .compare_and_swap(id, Some(&value), None as Option<&[u8]>)
            .map_err(|e| fail("removing an expired session", e))?
        {
            Ok(()) => {
                self.one_less();
                Ok(SessionLookup::Expired)
            }
            Err(_) => self.get_session(id, now),
        }
    }

    fn put_session(&self, id: &str, expires_at: Millis, data: &[u8]) -> Result<(), StoreError> {
        let mut value = Vec::with_capacity(EXPIRY_BYTES + data.len());
        value.extend_from_slice(&expires_at.to_be_bytes());
        value.extend_from_slice(data);
        let old = self
            .sessions
            .insert(id, value)
            .map_err(|e| fail("writing a session", e))?;
        if old.is_none() {
            self.alive.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn remove_session(&self, id: &str) -> Result<bool, StoreError> {
        let old = self
            .sessions
            .remove(id)
            .map_err(|e| fail("removing a session", e))?;
        if old.is_some() {
            self.one_less();
        }
        Ok(old.is_some())
    }

    fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let mut purged = 0;
        for entry in self.sessions.iter() {
            let (key, value) = entry.map_err(|e| fail("scanning sessions", e))?;
            if expiry_of(&value) > now {
                continue;
            }
            let swapped = self
                .sessions
                .compare_and_swap(&key, Some(&value), None as Option<&[u8]>)
                .map_err(|e| fail("purging a session", e))?;
            if swapped.is_ok() {
                self.one_less();
                purged += 1;
            }
        }
        Ok(purged)
    }

    fn sessions_alive(&self) -> u64 {
        self.alive.load(Ordering::Relaxed)
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

    fn check(&self) -> Result<(), StoreError> {
        self.sessions
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
    //! the expired ones and spares a session renewed meanwhile; the alive
    //! count follows creations and removals and survives a reopen; records
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
    fn a_corrupt_session_value_counts_as_expired() {
        let s = store();
        s.sessions.insert("x", &b"abc"[..]).unwrap();
        s.alive.store(1, Ordering::Relaxed);
        assert_eq!(s.get_session("x", 0).unwrap(), SessionLookup::Expired);
        assert_eq!(s.sessions_alive(), 0);
    }

    #[test]
    fn sessions_and_counts_survive_a_reopen() {
        let dir = std::env::temp_dir().join(format!("accueil-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let s = SledStore::open(&dir).unwrap();
            s.put_session("a", u64::MAX, b"kept").unwrap();
            s.put_session("b", u64::MAX, b"kept too").unwrap();
            s.append_record(b"r").unwrap();
            s.flush().unwrap();
        }
        {
            let s = SledStore::open(&dir).unwrap();
            assert_eq!(s.sessions_alive(), 2);
            assert_eq!(
                s.get_session("a", 0).unwrap(),
                SessionLookup::Found(b"kept".to_vec())
            );
            let seq = s.append_record(b"r2").unwrap();
            let all = s.records(None, 10).unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(all[1].seq, seq);
            assert!(
                all[0].seq < all[1].seq,
                "ids stay increasing across a reopen"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
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
}
