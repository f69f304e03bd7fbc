//! The French word guard: real French words are never "corrected".
//!
//! Typo forgiveness turns a word the content does not know into the
//! closest one it knows. For a misspelling ("recepise") that is right; for
//! a real word it is a wrong guess that can answer the wrong intent
//! ("signer" → "soigner", "chien" → "chier"). With a French word list,
//! a word of the list that the content does not know stays unknown.
//!
//! The guard is opt-in: `ACCUEIL_WORDS=/usr/share/dict/french` (Debian's
//! `wfrench`, GPL-2+, so not shipped in this repository; any list of one
//! word a line works). Measured on half A of `dev_styles.tsv` it changed
//! one row, for the worse ("candida libre": *candida* is a word, the person
//! meant *candidat*), while SMS French is full of misspellings that are
//! also rare real words; and it adds about 120 ms to loading. So the
//! shipped decision is fitted without it and the matcher does not depend
//! on what the machine has installed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::normalize::normalize;

/// Normalised words (no accents, lowercase) long enough to be corrected.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WordList {
    words: HashSet<String>,
    pub source: PathBuf,
}

impl WordList {
    /// Parse a list: one word a line; words with spaces or digits, and
    /// words under 4 letters (never corrected), are skipped.
    pub fn parse(text: &str, source: PathBuf) -> WordList {
        let words = text
            .lines()
            .map(normalize)
            .filter(|w| w.chars().count() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))
            .collect();
        WordList { words, source }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The list named by `ACCUEIL_WORDS`, if any (`off` or empty: none).
/// Read once per process and path: a reload or an agent's attach rebuilds
/// the index, not the list.
pub fn guard() -> Option<Arc<WordList>> {
    match std::env::var("ACCUEIL_WORDS") {
        Ok(v) if !v.is_empty() && v != "off" => load_cached(Path::new(&v)),
        _ => None,
    }
}

fn load_cached(path: &Path) -> Option<Arc<WordList>> {
    type Loaded = Vec<(PathBuf, Option<Arc<WordList>>)>;
    static CACHE: OnceLock<Mutex<Loaded>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, list)) = cache.iter().find(|(p, _)| p == path) {
        return list.clone();
    }
    let list = std::fs::read(path).ok().map(|bytes| {
        Arc::new(WordList::parse(
            &String::from_utf8_lossy(&bytes),
            path.to_path_buf(),
        ))
    });
    cache.push((path.to_path_buf(), list.clone()));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_normalised_long_words_only() {
        let l = WordList::parse(
            "Soigner\nmer\nÉtat civil\nsigné\n12345\n",
            PathBuf::from("x"),
        );
        assert!(l.contains("soigner"));
        assert!(l.contains("signe"));
        assert!(!l.contains("mer"));
        assert!(!l.contains("etat civil"));
        assert_eq!(l.len(), 2);
    }
}
