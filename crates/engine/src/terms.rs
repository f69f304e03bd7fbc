//! Glossary terms in a text: acronyms as written (`ANEF`), other terms on
//! whole normalised words, plurals included ("titres de séjour" uses
//! "titre de séjour"). Used by the replies (which terms to explain) and by
//! `accueil check` (which jargon an answer uses).

use std::collections::{BTreeMap, HashMap};

use crate::memo::Memo;
use crate::normalize::{normalize, tokenize, words};

/// Whether `text_words` (a normalised text's words) use `term_words` (a
/// glossary or jargon term, normalised): the words in a row, a final `s`
/// or `x` allowed on each (plurals). Returns the first word's index.
pub fn find_term(text_words: &[&str], term_words: &[&str]) -> Option<usize> {
    if term_words.is_empty() || term_words.len() > text_words.len() {
        return None;
    }
    (0..=text_words.len() - term_words.len())
        .find(|&at| starts_with_term(&text_words[at..], term_words))
}

/// Whether `text_words` begin with `term_words` (plurals allowed).
fn starts_with_term<T: AsRef<str>>(text_words: &[&str], term_words: &[T]) -> bool {
    let same = |w: &str, t: &str| {
        w == t
            || (w.len() == t.len() + 1
                && w.starts_with(t)
                && (w.ends_with('s') || w.ends_with('x')))
    };
    !term_words.is_empty()
        && term_words.len() <= text_words.len()
        && text_words
            .iter()
            .zip(term_words)
            .all(|(w, t)| same(w, t.as_ref()))
}

/// Terms (lists of normalised words) indexed by their first word, so a
/// text is searched for all of them in one pass over its words instead of
/// one pass per term: a reply looks up a hundred glossary terms.
#[derive(Debug, Clone, Default)]
pub struct TermIndex {
    terms: Vec<(String, Vec<String>)>,
    by_first: HashMap<String, Vec<usize>>,
}

impl TermIndex {
    /// `terms`: each term's key and its normalised words (empty ones are
    /// skipped); the order given is the order of [`TermIndex::find`]'s ties.
    pub fn new(terms: Vec<(String, Vec<String>)>) -> TermIndex {
        let terms: Vec<(String, Vec<String>)> =
            terms.into_iter().filter(|(_, w)| !w.is_empty()).collect();
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (_, words)) in terms.iter().enumerate() {
            by_first.entry(words[0].clone()).or_default().push(i);
        }
        TermIndex { terms, by_first }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// The terms `text_words` use, each once at its first position (as
    /// [`find_term`] finds it): `(position, key)`, by position, ties in
    /// the order the terms were given.
    pub fn find(&self, text_words: &[&str]) -> Vec<(usize, &str)> {
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut seen = vec![false; self.terms.len()];
        for (at, word) in text_words.iter().enumerate() {
            // A term's first word as written, or with the plural's s/x off.
            let singular = word
                .strip_suffix('s')
                .or_else(|| word.strip_suffix('x'))
                .filter(|s| !s.is_empty());
            let mut here: Vec<usize> = self
                .by_first
                .get(*word)
                .into_iter()
                .chain(singular.and_then(|s| self.by_first.get(s)))
                .flatten()
                .copied()
                .filter(|&i| !seen[i])
                .filter(|&i| starts_with_term(&text_words[at..], &self.terms[i].1))
                .collect();
            here.sort_unstable();
            for i in here {
                seen[i] = true;
                found.push((at, self.terms[i].0.as_str()));
            }
        }
        found
    }
}

/// An acronym (`ANEF`, `VLS-TS`'s parts): two or more capitals, digits
/// allowed after the first letter; matched as written. Any other
/// glossary key is a term, matched without case or accents.
pub fn is_acronym(token: &str) -> bool {
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    token.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && letters >= 2
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Texts whose glossary entries are kept ([`GlossaryIndex::find`]): every
/// text of the content, its sites and its notices fits.
const MEMO_TEXTS: usize = 4096;

/// Longest text kept (bytes): an answer with its site's values.
const MEMO_TEXT_BYTES: usize = 4096;

/// A glossary's keys, ready to be found in a reply's texts.
///
/// Reply texts come from the content, so the same few hundred texts are
/// searched over and over: each text's findings are kept ([`Memo`]), and
/// a reply costs a few lookups instead of normalising every text and
/// searching it for every term (that was a fifth of a chat turn).
#[derive(Debug, Clone, Default)]
pub struct GlossaryIndex {
    terms: TermIndex,
    memo: Memo<Vec<(usize, String)>>,
}

impl GlossaryIndex {
    /// Keys with a lowercase letter are terms; the others acronyms.
    pub fn new(glossary: &BTreeMap<String, String>) -> GlossaryIndex {
        GlossaryIndex {
            terms: TermIndex::new(
                glossary
                    .keys()
                    .filter(|k| k.chars().any(char::is_lowercase))
                    .map(|k| (k.clone(), tokenize(k)))
                    .collect(),
            ),
            memo: Memo::new(MEMO_TEXTS, MEMO_TEXT_BYTES),
        }
    }

    /// What in `text` may be a glossary key, with a position to order them
    /// by (acronyms count tokens, terms words: close enough to order the
    /// few entries of one text), by position, acronyms first on a tie:
    /// every acronym written (the caller looks it up in the glossary) and
    /// the glossary's terms used.
    pub fn find(&self, text: &str) -> Vec<(usize, String)> {
        self.memo.get_or(text, || self.search(text))
    }

    fn search(&self, text: &str) -> Vec<(usize, String)> {
        let mut found: Vec<(usize, String)> = Vec::new();
        let mut at = 0;
        for token in text.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
            at += 1;
            // "l'ANEF" → "ANEF"; "VLS-TS" is split on the hyphen above.
            let token = token.rsplit('\'').next().unwrap_or(token);
            if token.len() >= 2 && is_acronym(token) && !found.iter().any(|(_, t)| t == token) {
                found.push((at, token.to_owned()));
            }
        }
        if !self.terms.is_empty() {
            let norm = normalize(text);
            let text_words: Vec<&str> = words(&norm).collect();
            for (pos, term) in self.terms.find(&text_words) {
                found.push((pos + 1, term.to_owned()));
            }
        }
        found.sort_by_key(|(pos, _)| *pos);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_index_finds_terms_with_plurals_at_their_first_use() {
        let t = |w: &str| w.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let index = TermIndex::new(vec![
            ("titre".into(), t("titre")),
            ("titre de sejour".into(), t("titre de sejour")),
            ("bail".into(), t("bail")),
            ("vide".into(), Vec::new()),
        ]);
        assert_eq!(index.len(), 3);
        let text = ["vos", "titres", "de", "sejour", "et", "baux", "titre"];
        assert_eq!(
            index.find(&text),
            vec![(1, "titre"), (1, "titre de sejour")]
        );
        assert_eq!(index.find(&["bails"]), vec![(0, "bail")]);
        assert!(index.find(&["s", "x"]).is_empty());
    }

    proptest::proptest! {
        /// One pass over the index finds what one search per term finds.
        #[test]
        fn term_index_agrees_with_find_term(
            text in proptest::collection::vec(0usize..6, 0..12),
            terms in proptest::collection::vec(proptest::collection::vec(0usize..6, 1..3), 1..6),
        ) {
            const WORDS: [&str; 6] = ["carte", "cartes", "de", "sejour", "bail", "baux"];
            let text: Vec<&str> = text.iter().map(|&i| WORDS[i]).collect();
            let terms: Vec<(String, Vec<String>)> = terms
                .iter()
                .enumerate()
                .map(|(k, t)| (format!("t{k}"), t.iter().map(|&i| WORDS[i].to_owned()).collect()))
                .collect();
            let mut expected: Vec<(usize, String)> = terms
                .iter()
                .filter_map(|(key, words)| {
                    let w: Vec<&str> = words.iter().map(String::as_str).collect();
                    find_term(&text, &w).map(|at| (at, key.clone()))
                })
                .collect();
            expected.sort_by_key(|(at, _)| *at);
            let index = TermIndex::new(terms);
            let found: Vec<(usize, String)> =
                index.find(&text).into_iter().map(|(at, k)| (at, k.to_owned())).collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn glossary_index_finds_acronyms_and_terms_in_order_and_again() {
        let mut g = BTreeMap::new();
        g.insert("ANEF".to_owned(), "le site".to_owned());
        g.insert("titre de séjour".to_owned(), "la carte".to_owned());
        let index = GlossaryIndex::new(&g);
        let text = "Vos titres de séjour sur l'ANEF, l'ANEF et la CAF.";
        let expected = vec![
            (2, "titre de séjour".to_owned()),
            (6, "ANEF".to_owned()),
            (11, "CAF".to_owned()),
        ];
        assert_eq!(index.find(text), expected);
        assert_eq!(index.find(text), expected, "the kept findings");
        assert!(index.find("rien ici").is_empty());
    }
}
