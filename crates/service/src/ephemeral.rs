//! Short-lived values kept in memory, with a bound: the embedded store's
//! sessions and pending questions.
//!
//! Why not on disk: sled 0.34 does not give the space of removed keys
//! back. Sessions live minutes, so every one ever created left ~0.8 KB
//! behind after its purge (measured: four waves of 50k expired sessions
//! grew the folder 38.9 → 81.4 → 91.5 → 129.4 MB), and one client without
//! a session id grew it by 456 MB in a minute. In memory, a removed value
//! is freed at once, and the bound ([`Bounded::new`]'s `cap`) caps the
//! memory whatever arrives: past it, the value idle the longest goes first
//! and is counted. The price is that a restart ends the conversations in
//! progress (a web session lives 30 minutes of idleness, a kiosk's 3):
//! everything that matters after a restart — the agents' inbox, counters,
//! overlays — stays on disk.
//!
//! Pure data structure: no clock (callers pass `now`), no lock (the store
//! wraps it in one).

use std::collections::{BTreeMap, HashMap};

use accueil_engine::notices::Millis;

struct Slot {
    /// Position in the idle order: larger is more recent.
    touched: u64,
    expires_at: Millis,
    value: Vec<u8>,
}

/// Values by key, at most `cap` of them, the least recently written or
/// read evicted first.
pub struct Bounded {
    cap: usize,
    slots: HashMap<Vec<u8>, Slot>,
    /// `touched` → key, oldest first: what eviction takes.
    idle: BTreeMap<u64, Vec<u8>>,
    clock: u64,
    evicted: u64,
}

/// What a lookup found.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'a> {
    Live(&'a [u8]),
    /// It was there but had expired; it is removed now.
    Expired,
    Missing,
}

impl Bounded {
    /// An empty table holding at most `cap` values (at least one).
    pub fn new(cap: usize) -> Bounded {
        Bounded {
            cap: cap.max(1),
            slots: HashMap::new(),
            idle: BTreeMap::new(),
            clock: 0,
            evicted: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Values pushed out by the bound since the table was made.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The live value of `key`, marked as just used; an expired one is
    /// removed.
    pub fn get(&mut self, key: &[u8], now: Millis) -> Found<'_> {
        let touched = self.tick();
        let Some(slot) = self.slots.get_mut(key) else {
            return Found::Missing;
        };
        if slot.expires_at <= now {
            let old = slot.touched;
            self.idle.remove(&old);
            self.slots.remove(key);
            return Found::Expired;
        }
        self.idle.remove(&slot.touched);
        slot.touched = touched;
        self.idle.insert(touched, key.to_vec());
        // Borrow again for the caller: the slot is known to be there.
        match self.slots.get(key) {
            Some(slot) => Found::Live(&slot.value),
            None => Found::Missing,
        }
    }

    /// The value of `key` without touching it or judging its expiry (the
    /// caller's own rules decide: pending questions carry theirs inside).
    pub fn peek(&self, key: &[u8]) -> Option<&[u8]> {
        self.slots.get(key).map(|s| s.value.as_slice())
    }

    /// Store `value` under `key` until `expires_at`; returns whether the key
    /// is new. Past the bound, the value idle the longest is evicted.
    pub fn put(&mut self, key: &[u8], expires_at: Millis, value: Vec<u8>) -> bool {
        let touched = self.tick();
        if let Some(slot) = self.slots.get_mut(key) {
            self.idle.remove(&slot.touched);
            slot.touched = touched;
            slot.expires_at = expires_at;
            slot.value = value;
            self.idle.insert(touched, key.to_vec());
            return false;
        }
        while self.slots.len() >= self.cap {
            let Some((_, oldest)) = self.idle.pop_first() else {
                break;
            };
            self.slots.remove(&oldest);
            self.evicted += 1;
        }
        self.slots.insert(
            key.to_vec(),
            Slot {
                touched,
                expires_at,
                value,
            },
        );
        self.idle.insert(touched, key.to_vec());
        true
    }

    /// Remove `key`; returns whether it was there.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        match self.slots.remove(key) {
            Some(slot) => {
                self.idle.remove(&slot.touched);
                true
            }
            None => false,
        }
    }

    /// Remove every value expired at `now`; returns how many.
    pub fn purge(&mut self, now: Millis) -> usize {
        let before = self.slots.len();
        let idle = &mut self.idle;
        self.slots.retain(|_, slot| {
            let keep = slot.expires_at > now;
            if !keep {
                idle.remove(&slot.touched);
            }
            keep
        });
        // Give back what a burst made the maps grow to.
        if self.slots.capacity() > 4 * self.slots.len().max(64) {
            self.slots.shrink_to_fit();
        }
        before - self.slots.len()
    }

    /// Keys and values with `from <= key < to`, in key order.
    pub fn range(&self, from: &[u8], to: Option<&[u8]>) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out: Vec<(Vec<u8>, Vec<u8>)> = self
            .slots
            .iter()
            .filter(|(k, _)| k.as_slice() >= from && to.is_none_or(|to| k.as_slice() < to))
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_live_until_their_expiry() {
        let mut t = Bounded::new(10);
        assert!(t.put(b"a", 100, b"x".to_vec()));
        assert_eq!(t.get(b"a", 99), Found::Live(b"x"));
        assert_eq!(t.get(b"a", 100), Found::Expired);
        assert_eq!(
            t.get(b"a", 50),
            Found::Missing,
            "an expired read removes it"
        );
        assert!(t.is_empty());
    }

    #[test]
    fn the_longest_idle_goes_first() {
        let mut t = Bounded::new(3);
        t.put(b"a", 1000, vec![]);
        t.put(b"b", 1000, vec![]);
        t.put(b"c", 1000, vec![]);
        // `a` is used again: `b` is now the longest idle.
        assert!(matches!(t.get(b"a", 0), Found::Live(_)));
        t.put(b"d", 1000, vec![]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.evicted(), 1);
        assert_eq!(t.get(b"b", 0), Found::Missing);
        for k in [b"a", b"c", b"d"] {
            assert!(matches!(t.get(k, 0), Found::Live(_)));
        }
        // Replacing a value is no new entry and evicts nothing.
        assert!(!t.put(b"c", 2000, b"y".to_vec()));
        assert_eq!(t.evicted(), 1);
    }

    #[test]
    fn purge_and_range() {
        let mut t = Bounded::new(10);
        t.put(b"k2", 10, b"2".to_vec());
        t.put(b"k1", 30, b"1".to_vec());
        t.put(b"k3", 30, b"3".to_vec());
        assert_eq!(t.purge(20), 1);
        assert_eq!(
            t.range(b"k", None),
            vec![
                (b"k1".to_vec(), b"1".to_vec()),
                (b"k3".to_vec(), b"3".to_vec())
            ]
        );
        assert_eq!(t.range(b"k1", Some(b"k3")).len(), 1);
        assert_eq!(t.peek(b"k3"), Some(&b"3"[..]));
        assert!(t.remove(b"k3"));
        assert!(!t.remove(b"k3"));
    }

    proptest! {
        /// Whatever the operations, the table never holds more than its
        /// bound, and its idle order names exactly its keys.
        #[test]
        fn the_bound_holds(cap in 1usize..8, ops in proptest::collection::vec((0u8..4, 0u8..12, 0u64..50), 0..200)) {
            let mut t = Bounded::new(cap);
            for (op, key, time) in ops {
                let key = [key];
                match op {
                    0 | 1 => { t.put(&key, time + 25, vec![key[0]]); }
                    2 => { let _ = t.get(&key, time); }
                    _ => { t.purge(time); }
                }
                prop_assert!(t.len() <= cap);
                prop_assert_eq!(t.idle.len(), t.slots.len());
                for k in t.idle.values() {
                    prop_assert!(t.slots.contains_key(k));
                }
            }
        }
    }
}
