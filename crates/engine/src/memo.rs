//! Results kept by the text they were computed from: the decisions of
//! recent questions ([`crate::engine::Engine::decide`]), so the same
//! question asked again is not matched again, and the glossary entries of
//! reply texts ([`crate::terms::GlossaryIndex`]).
//!
//! People ask the same short questions over and over ("rdv", "titre de
//! séjour", "bonjour"), and matching one (normalising, scoring, detecting
//! its language) was the largest part of a chat turn's time. A decision
//! depends only on the question and the engine, which is immutable, so it
//! can be reused as it is until the engine is replaced.
//!
//! Two generations of at most `cap` questions each: a question is looked up
//! in the current one, then in the previous one (and brought back into the
//! current one); when the current one is full it becomes the previous one
//! and the old previous one is dropped. Memory stays under `2 × cap`
//! decisions, a question asked often stays, and there is no per-entry
//! bookkeeping. Long texts are not kept (for questions: stories hardly
//! repeat and would push out the questions that do).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub struct Memo<V> {
    cap: usize,
    max_key_bytes: usize,
    inner: Mutex<Generations<V>>,
}

struct Generations<V> {
    current: HashMap<String, Arc<V>>,
    previous: HashMap<String, Arc<V>>,
    hits: u64,
    misses: u64,
}

impl<V: Clone> Memo<V> {
    /// A memo of at most `2 × cap` values, of keys up to `max_key_bytes`;
    /// `cap` 0 keeps none.
    pub fn new(cap: usize, max_key_bytes: usize) -> Memo<V> {
        Memo {
            cap,
            max_key_bytes,
            inner: Mutex::new(Generations {
                current: HashMap::new(),
                previous: HashMap::new(),
                hits: 0,
                misses: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations<V>> {
        // A panic while holding the lock leaves valid maps: keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `key` is one this memo would keep.
    pub fn fits(&self, key: &str) -> bool {
        self.cap > 0 && key.len() <= self.max_key_bytes
    }

    /// The value kept for `key`.
    pub fn get(&self, key: &str) -> Option<V> {
        if !self.fits(key) {
            return None;
        }
        let mut g = self.lock();
        if let Some(v) = g.current.get(key) {
            let v = V::clone(v);
            g.hits += 1;
            return Some(v);
        }
        if let Some(v) = g.previous.remove(key) {
            let out = V::clone(&v);
            g.hits += 1;
            self.insert(&mut g, key, v);
            return Some(out);
        }
        g.misses += 1;
        None
    }

    /// Whether a value is kept for `key` (not counted as a lookup).
    pub fn contains(&self, key: &str) -> bool {
        let g = self.lock();
        g.current.contains_key(key) || g.previous.contains_key(key)
    }

    /// Keep `value` for `key` (if the key fits).
    pub fn put(&self, key: &str, value: V) {
        if self.fits(key) {
            self.insert(&mut self.lock(), key, Arc::new(value));
        }
    }

    /// The value for `key`: the kept one, else `compute`'s (kept).
    pub fn get_or(&self, key: &str, compute: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(key) {
            return v;
        }
        // Computed without the lock: two threads may both compute a new
        // key, which costs a little and changes nothing.
        let v = compute();
        self.put(key, v.clone());
        v
    }

    fn insert(&self, g: &mut Generations<V>, key: &str, v: Arc<V>) {
        if g.current.len() >= self.cap {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(key.to_owned(), v);
    }

    /// Values kept now.
    pub fn len(&self) -> usize {
        let g = self.lock();
        g.current.len() + g.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lookups answered from the memo, and computed, since it was made.
    pub fn counts(&self) -> (u64, u64) {
        let g = self.lock();
        (g.hits, g.misses)
    }
}

/// A copy starts empty: what the copy's values are computed from (an
/// engine, a glossary) may be changed before use.
impl<V: Clone> Clone for Memo<V> {
    fn clone(&self) -> Memo<V> {
        Memo::new(self.cap, self.max_key_bytes)
    }
}

/// Keeps nothing.
impl<V: Clone> Default for Memo<V> {
    fn default() -> Memo<V> {
        Memo::new(0, 0)
    }
}

impl<V: Clone> std::fmt::Debug for Memo<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("cap", &self.cap)
            .field("kept", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn decision(intent: &str) -> String {
        format!("decision {intent}")
    }

    #[test]
    fn a_key_is_computed_once_and_the_same_value_comes_back() {
        let memo = Memo::new(4, 160);
        let calls = Cell::new(0);
        let decide = || {
            calls.set(calls.get() + 1);
            decision("a")
        };
        assert_eq!(memo.get_or("rdv", decide), decision("a"));
        assert_eq!(memo.get_or("rdv", decide), decision("a"));
        assert_eq!(calls.get(), 1);
        assert_eq!(memo.counts(), (1, 1));
    }

    #[test]
    fn the_memo_holds_at_most_two_generations_and_keeps_what_is_asked_again() {
        let memo = Memo::new(2, 160);
        for q in ["a", "b", "c", "d", "e"] {
            memo.get_or(q, || decision(q));
            assert!(memo.len() <= 4, "{}", memo.len());
        }
        // "a" was dropped with its generation; "e" is kept.
        let calls = Cell::new(0);
        let decide = |q: &str| {
            calls.set(calls.get() + 1);
            decision(q)
        };
        assert_eq!(memo.get_or("e", || decide("e")), decision("e"));
        assert_eq!(calls.get(), 0);
        assert_eq!(memo.get_or("a", || decide("a")), decision("a"));
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn long_keys_and_a_zero_cap_keep_nothing() {
        let long = "mot ".repeat(41);
        let memo = Memo::new(8, 160);
        memo.get_or(&long, || decision("a"));
        assert!(memo.is_empty());
        let off = Memo::new(0, 160);
        off.get_or("rdv", || decision("a"));
        assert!(off.is_empty());
    }

    #[test]
    fn a_copy_starts_empty() {
        let memo = Memo::new(4, 160);
        memo.get_or("rdv", || decision("a"));
        assert_eq!(memo.clone().len(), 0);
        assert_eq!(memo.len(), 1);
    }
}
