//! The index: content compiled for fast matching.
//!
//! Every paraphrase, title and keyword of every intent becomes a *document*:
//! a set of stemmed terms. The index keeps an inverted list per term,
//! IDF-style weights (rare terms weigh more), and the surface words of the
//! vocabulary with their deletion neighbourhoods, so that a misspelt word
//! of a question finds its vocabulary word in a few hash look-ups
//! (SymSpell) before `strsim` confirms the distance. The index is immutable:
//! a content reload builds a new one.

// FxHash: the keys are content words and short strings; SipHash's
// flooding resistance is not needed for maps built from the content, and
// hashing was a quarter of matching time.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::content::Content;
use crate::lexicon::{Lexicon, Rewrite};
use crate::normalize::{is_stop_word, is_weak_word, stem};
use crate::segment::{segment, Segmented};

/// Typo budget by word length (characters), as in meilisearch: no typo
/// below 5 letters, one below 9, two beyond.
pub const MIN_LEN_ONE_TYPO: usize = 5;
pub const MIN_LEN_TWO_TYPOS: usize = 9;
/// A truncated word ("renouv") may match the words it starts, from this length.
pub const MIN_PREFIX_LEN: usize = 5;

/// Allowed edit distance for a word of `len` characters.
pub fn typo_budget(len: usize) -> usize {
    if len >= MIN_LEN_TWO_TYPOS {
        2
    } else if len >= MIN_LEN_ONE_TYPO {
        1
    } else {
        0
    }
}

/// Weight factor of weak words (greetings, question words) and numbers...
pub const WEAK_FACTOR: f32 = 0.25;
/// ...whose weight is capped at this: rare in the content (only
/// `conv.merci` says "merci") does not make them informative.
pub const WEAK_MAX: f32 = 0.5;

pub type TermId = u32;

/// What a document was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Paraphrase,
    Title,
    Keyword,
}

/// A document: one paraphrase (or title, or keyword) of one intent.
#[derive(Debug, Clone)]
pub struct Doc {
    pub intent: u32,
    pub text: String,
    pub terms: Vec<TermId>,
    /// Sum of the weights of its terms.
    pub weight: f32,
    pub kind: DocKind,
}

/// How a word of the question was found in the vocabulary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Found {
    /// The word itself (after normalisation) is in the vocabulary.
    Exact,
    /// Another form of the word (same stem) is.
    Stem,
    /// A misspelling forgiven at this edit distance.
    Typo { distance: usize, corrected: String },
    /// A truncated word completed.
    Prefix { completed: String },
    /// Not in the vocabulary: it lowers the confidence.
    Unknown,
}

/// One term of an analysed question.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueryTerm {
    /// The word as normalised (after the lexicon).
    pub word: String,
    #[serde(skip)]
    pub term: Option<TermId>,
    pub found: Found,
    /// Its weight in the question.
    pub weight: f32,
    /// The share of that weight it brings when it matches (typos cost).
    #[serde(skip)]
    pub credit: f32,
    /// The sentences it stands in (bit `n` for sentence `n`).
    #[serde(skip)]
    pub sentences: u32,
    /// It stands in a sentence that asks (see [`crate::segment`]).
    pub asked: bool,
}

/// A question after analysis.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Query {
    /// The question normalised and rewritten by the lexicon, greetings and
    /// sign-offs at its ends dropped.
    pub normalized: String,
    pub terms: Vec<QueryTerm>,
    pub rewrites: Vec<Rewrite>,
    /// How many sentences it has, and which of them ask (bit `n`).
    pub sentence_count: u32,
    #[serde(skip)]
    pub asking: u32,
}

impl Query {
    /// Total weight of the question's informative words.
    pub fn weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub(crate) terms: HashMap<String, TermId>,
    pub(crate) term_names: Vec<String>,
    /// Weight of each term (IDF over the intents it separates, reduced for
    /// weak words).
    pub(crate) weights: Vec<f32>,
    /// Documents containing each term.
    pub(crate) postings: Vec<Vec<u32>>,
    /// Intents containing each term (deduplicated).
    pub(crate) intent_postings: Vec<Vec<u32>>,
    pub(crate) docs: Vec<Doc>,

    /// Intent ids, by intent number (same order as the content).
    pub(crate) intent_ids: Vec<String>,
    /// Surface words of the vocabulary → their term.
    surface: HashMap<String, TermId>,
    /// Sorted surface words, for prefix completion.
    sorted_surface: Vec<String>,
    /// Deletion variant → surface words it comes from (SymSpell).
    deletes: HashMap<String, Vec<u32>>,
    surface_list: Vec<String>,
    /// Weight given to a word the vocabulary does not know.
    pub(crate) unknown_weight: f32,
    /// Whole paraphrases (normalised, after the lexicon) → the intents that
    /// have them: a question typed exactly as a paraphrase needs no scoring.
    pub(crate) exact: HashMap<String, Vec<u32>>,
    lexicon: Lexicon,
    words: Option<std::sync::Arc<crate::words::WordList>>,
}

/// Words of a content text after segmentation (normalisation, lexicon,
/// greetings off), stop words removed; also the whole rewritten text, for
/// exact matches.
fn content_words(lexicon: &Lexicon, text: &str) -> (Vec<String>, String) {
    let seg = segment(lexicon, text);
    let whole = seg.joined();
    let kept = seg
        .words()
        .filter(|w| !is_stop_word(w))
        .map(str::to_owned)
        .collect();
    (kept, whole)
}

fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit())
}

impl Index {
    /// Compile the content. Deterministic: the same content gives the same index.
    pub fn build(content: &Content) -> Index {
        let mut ix = Index {
            lexicon: content.lexicon.clone(),
            words: content.words.clone(),
            ..Index::default()
        };
        let mut df: Vec<HashSet<u32>> = Vec::new();
        for (n, intent) in content.intents.iter().enumerate() {
            let n = n as u32;
            ix.intent_ids.push(intent.id.clone());
            let texts = intent
                .questions
                .iter()
                .map(|q| (q, DocKind::Paraphrase))
                .chain(std::iter::once((&intent.title, DocKind::Title)))
                .chain(intent.keywords.iter().map(|k| (k, DocKind::Keyword)));
            for (text, kind) in texts {
                let (ws, whole) = content_words(&ix.lexicon, text);
                if !whole.is_empty() {
                    let owners = ix.exact.entry(whole).or_default();
                    if !owners.contains(&n) {
                        owners.push(n);
                    }
                }
                let mut terms = Vec::with_capacity(ws.len());
                for w in ws {
                    let id = ix.intern(&w, &mut df);
                    df[id as usize].insert(n);
                    if !terms.contains(&id) {
                        terms.push(id);
                    }
                }
                if terms.is_empty() {
                    continue;
                }
                ix.docs.push(Doc {
                    intent: n,
                    text: text.clone(),
                    terms,
                    weight: 0.0,
                    kind,
                });
            }
        }
        let n_intents = content.intents.len().max(1) as f32;
        let spread = spread_of_terms(&ix.docs, ix.term_names.len(), content.intents.len());
        ix.weights = ix
            .term_names
            .iter()
            .enumerate()
            .map(|(t, name)| {
                // Weighed by how well the word separates intents, not by how
                // many intents use it once: "demande" is in most intents'
                // paraphrases, "titre" is concentrated in a few (measured on
                // half A of dev_styles: +1 to +4 points per style).
                let idf = (1.0 + n_intents / spread[t].max(1.0)).ln();
                if is_weak_word(name) || is_number(name) {
                    (idf * WEAK_FACTOR).min(WEAK_MAX)
                } else {
                    idf
                }
            })
            .collect();
        // Unknown words weigh like a word seen in about two intents: they
        // matter (an out-of-scope question is mostly unknown words) without
        // drowning a long question that has its key words.
        ix.unknown_weight = (1.0 + n_intents / 2.0).ln();
        ix.postings = vec![Vec::new(); ix.term_names.len()];
        for (d, doc) in ix.docs.iter_mut().enumerate() {
            doc.weight = doc.terms.iter().map(|&t| ix.weights[t as usize]).sum();
            for &t in &doc.terms {
                ix.postings[t as usize].push(d as u32);
            }
        }
        ix.intent_postings = df
            .into_iter()
            .map(|s| {
                let mut v: Vec<u32> = s.into_iter().collect();
                v.sort_unstable();
                v
            })
            .collect();
        let mut sorted: Vec<String> = ix.surface.keys().cloned().collect();
        sorted.sort();
        ix.sorted_surface = sorted.clone();
        for (i, w) in sorted.iter().enumerate() {
            let budget = typo_budget(w.chars().count());
            if budget == 0 {
                continue;
            }
            ix.deletes.entry(w.clone()).or_default().push(i as u32);
            for v in deletion_variants(w, budget) {
                ix.deletes.entry(v).or_default().push(i as u32);
            }
        }
        ix.surface_list = sorted;
        ix
    }

    fn intern(&mut self, word: &str, df: &mut Vec<HashSet<u32>>) -> TermId {
        let s = stem(word);
        let id = match self.terms.get(&s) {
            Some(&id) => id,
            None => {
                let id = self.term_names.len() as TermId;
                self.terms.insert(s.clone(), id);
                self.term_names.push(s);
                df.push(HashSet::default());
                id
            }
        };
        self.surface.entry(word.to_owned()).or_insert(id);
        id
    }

    pub fn intent_count(&self) -> usize {
        self.intent_ids.len()
    }

    pub fn doc_count(&self) -> usize {
        self.docs.len()
    }

    pub fn vocabulary_len(&self) -> usize {
        self.term_names.len()
    }

    /// Analyse a question: normalise, apply the lexicon, drop stop words,
    /// find each word in the vocabulary (exactly, by stem, forgiving typos,
    /// or completing a truncated word).
    pub fn analyze(&self, question: &str) -> Query {
        self.analyze_segmented(segment(&self.lexicon, question))
    }

    fn analyze_segmented(&self, seg: Segmented) -> Query {
        let normalized = seg.joined();
        let mut terms: Vec<QueryTerm> = Vec::new();
        let mut asking = 0u32;
        for (n, sentence) in seg.sentences.iter().enumerate() {
            let bit = 1u32 << n;
            if sentence.asks {
                asking |= bit;
            }
            for w in sentence.words.iter().filter(|w| !is_stop_word(w)) {
                // "jdois", "lanef", "dimpot": an elided letter glued to a
                // word. Read as the word when the whole is unknown.
                let w = match self.unglue(w) {
                    Some(rest) if is_stop_word(rest) => continue,
                    Some(rest) => rest,
                    None => w.as_str(),
                };
                // A word repeated, or two words with one stem, count once.
                if let Some(t) = terms.iter_mut().find(|t| t.word == w) {
                    t.sentences |= bit;
                    t.asked |= sentence.asks;
                    continue;
                }
                let mut qt = self.find(w);
                qt.sentences = bit;
                qt.asked = sentence.asks;
                if let Some(t) = terms
                    .iter_mut()
                    .find(|t| t.term.is_some() && t.term == qt.term)
                {
                    t.sentences |= bit;
                    t.asked |= sentence.asks;
                    continue;
                }
                terms.push(qt);
            }
        }
        Query {
            normalized,
            terms,
            rewrites: seg.rewrites,
            sentence_count: seg.sentences.len() as u32,
            asking,
        }
    }

    /// The word behind a glued elision ("jdois" → "dois", "lanef" →
    /// "anef"), when the whole word is not in the vocabulary and the rest is
    /// a known word or a stop word.
    fn unglue<'w>(&self, word: &'w str) -> Option<&'w str> {
        let mut chars = word.chars();
        let first = chars.next()?;
        let rest = chars.as_str();
        if !matches!(first, 'j' | 'l' | 'd' | 'm' | 't' | 's' | 'n' | 'c')
            || rest.chars().count() < 3
            || self.surface.contains_key(word)
            || self.terms.contains_key(&stem(word))
        {
            return None;
        }
        (is_stop_word(rest)
            || self.surface.contains_key(rest)
            || self.terms.contains_key(&stem(rest)))
        .then_some(rest)
    }

    fn find(&self, word: &str) -> QueryTerm {
        let weak = is_weak_word(word) || is_number(word);
        let with = |term: TermId, found: Found, credit: f32| QueryTerm {
            word: word.to_owned(),
            term: Some(term),
            found,
            weight: self.weights[term as usize],
            credit,
            sentences: 0,
            asked: false,
        };
        if let Some(&t) = self.surface.get(word) {
            return with(t, Found::Exact, 1.0);
        }
        if let Some(&t) = self.terms.get(&stem(word)) {
            return with(t, Found::Stem, 1.0);
        }
        let len = word.chars().count();
        // A real French word the content does not know is not a typo.
        let real = self.words.as_ref().is_some_and(|w| w.contains(word));
        if !weak && !real {
            if let Some((corrected, distance)) = self.correct(word) {
                let t = self.surface[&corrected];
                // Each forgiven edit costs a little confidence.
                let credit = 1.0 - 0.12 * distance as f32;
                return with(
                    t,
                    Found::Typo {
                        distance,
                        corrected,
                    },
                    credit,
                );
            }
            if len >= MIN_PREFIX_LEN {
                if let Some(completed) = self.complete(word) {
                    let t = self.surface[&completed];
                    return with(t, Found::Prefix { completed }, 0.85);
                }
            }
        }
        let weight = if weak {
            self.unknown_weight * WEAK_FACTOR
        } else {
            self.unknown_weight
        };
        QueryTerm {
            word: word.to_owned(),
            term: None,
            found: Found::Unknown,
            weight,
            credit: 0.0,
            sentences: 0,
            asked: false,
        }
    }

    /// The closest vocabulary word within the typo budget. A typo on the
    /// first letter counts double (people rarely miss the first letter).
    fn correct(&self, word: &str) -> Option<(String, usize)> {
        let len = word.chars().count();
        let budget = typo_budget(len);
        if budget == 0 {
            return None;
        }
        let first = word.chars().next();
        let mut seen: HashSet<u32> = HashSet::default();
        let mut best: Option<(usize, usize, u32)> = None;
        // Level by level (the word, then its deletions, then theirs): every
        // word at distance 1 is found by level 1, so deeper levels run only
        // when nothing closer exists. Most typos stop at level 0 or 1.
        let mut frontier: Vec<String> = vec![word.to_owned()];
        for level in 0..=budget {
            for v in &frontier {
                let Some(cands) = self.deletes.get(v) else {
                    continue;
                };
                for &c in cands {
                    if !seen.insert(c) {
                        continue;
                    }
                    let cand = &self.surface_list[c as usize];
                    let mut d = strsim::damerau_levenshtein(word, cand);
                    if first != cand.chars().next() {
                        d += 1;
                    }
                    if d == 0 || d > budget {
                        continue;
                    }
                    let key = (d, len.abs_diff(cand.chars().count()), c);
                    if best.is_none_or(|b| key < b) {
                        best = Some(key);
                    }
                }
            }
            match best {
                Some((1, _, _)) => break,
                Some(_) if level >= 1 => break,
                _ => {}
            }
            if level < budget {
                frontier = one_deletions(&frontier);
            }
        }
        best.map(|(d, _, c)| (self.surface_list[c as usize].clone(), d))
    }

    /// The most common vocabulary word that starts with `prefix`.
    fn complete(&self, prefix: &str) -> Option<String> {
        let start = self.sorted_surface.partition_point(|w| w.as_str() < prefix);
        self.sorted_surface[start..]
            .iter()
            .take_while(|w| w.starts_with(prefix))
            .max_by(|a, b| {
                let wa = self.intent_postings[self.surface[*a] as usize].len();
                let wb = self.intent_postings[self.surface[*b] as usize].len();
                wa.cmp(&wb).then_with(|| b.cmp(a))
            })
            .cloned()
    }

    /// The one intent that has this exact paraphrase, if only one has it.
    pub fn exact_intent(&self, normalized: &str) -> Option<u32> {
        match self.exact.get(normalized).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// The ids of every intent that has this exact paraphrase (normalised).
    pub fn exact_owners(&self, normalized: &str) -> Vec<&str> {
        self.exact
            .get(normalized)
            .map(|v| {
                v.iter()
                    .filter_map(|&n| self.intent_ids.get(n as usize).map(String::as_str))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn term_name(&self, t: TermId) -> &str {
        &self.term_names[t as usize]
    }
}

/// For each term, the effective number of intents it points to: exp of the
/// entropy of its share of each intent's documents. A word in many
/// paraphrases of one intent and once in ten others is concentrated (close
/// to 1), unlike a word spread evenly over ten intents (10).
fn spread_of_terms(docs: &[Doc], terms: usize, intents: usize) -> Vec<f32> {
    let mut per_intent_docs = vec![0f32; intents];
    for d in docs {
        per_intent_docs[d.intent as usize] += 1.0;
    }
    let mut counts: Vec<HashMap<u32, f32>> = vec![HashMap::default(); terms];
    for d in docs {
        for &t in &d.terms {
            *counts[t as usize].entry(d.intent).or_insert(0.0) += 1.0;
        }
    }
    counts
        .iter()
        .map(|c| {
            let shares: Vec<f32> = c
                .iter()
                .map(|(&i, &n)| n / per_intent_docs[i as usize].max(1.0))
                .collect();
            let total: f32 = shares.iter().sum();
            if total <= 0.0 {
                return 1.0;
            }
            let h: f32 = shares
                .iter()
                .map(|&s| {
                    let p = s / total;
                    if p > 0.0 {
                        -p * p.ln()
                    } else {
                        0.0
                    }
                })
                .sum();
            h.exp()
        })
        .collect()
}

/// The distinct strings obtained by deleting one character of any of `words`.
fn one_deletions(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::default();
    for w in words {
        if w.chars().count() <= 1 {
            continue;
        }
        for (i, ch) in w.char_indices() {
            let mut v = String::with_capacity(w.len());
            v.push_str(&w[..i]);
            v.push_str(&w[i + ch.len_utf8()..]);
            if seen.insert(v.clone()) {
                out.push(v);
            }
        }
    }
    out
}

/// All strings obtained by deleting up to `max` characters (SymSpell).
fn deletion_variants(word: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut frontier = vec![word.chars().collect::<Vec<char>>()];
    let mut seen: HashSet<Vec<char>> = HashSet::default();
    for _ in 0..max {
        let mut next = Vec::new();
        for w in &frontier {
            if w.len() <= 1 {
                continue;
            }
            for i in 0..w.len() {
                let mut v = w.clone();
                v.remove(i);
                if seen.insert(v.clone()) {
                    out.push(v.iter().collect());
                    next.push(v);
                }
            }
        }
        frontier = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: "jdois", "lanef", "dimpot": elided letters glued to a
    /// word were unknown words.
    #[test]
    fn glued_elisions_are_read_as_the_word() {
        let c = Content {
            intents: vec![crate::content::Intent::for_tests(
                "sejour.anef_compte",
                "Compte ANEF",
                &["mon compte sur l'ANEF", "déclaration d'impôt"],
            )],
            ..Content::default()
        };
        let ix = Index::build(&c);
        let q = ix.analyze("jdois aller sur lanef pour dimpot");
        let words: Vec<&str> = q.terms.iter().map(|t| t.word.as_str()).collect();
        assert!(words.contains(&"anef"), "{words:?}");
        assert!(words.contains(&"impot"), "{words:?}");
        assert!(!words.iter().any(|w| w.starts_with('j')), "{words:?}");
    }

    /// Regression: a real word was "corrected" into another one
    /// ("soigner" → "signer").
    #[test]
    fn real_words_are_not_corrected_with_a_word_list() {
        let mut c = Content {
            intents: vec![crate::content::Intent::for_tests(
                "sejour.signature",
                "Signer",
                &["où signer le formulaire"],
            )],
            ..Content::default()
        };
        let q = Index::build(&c).analyze("soigner");
        assert!(matches!(q.terms[0].found, Found::Typo { .. }), "{q:?}");
        c.words = Some(std::sync::Arc::new(crate::words::WordList::parse(
            "soigner\nsigner\n",
            "test".into(),
        )));
        let ix = Index::build(&c);
        assert_eq!(ix.analyze("soigner").terms[0].found, Found::Unknown);
        // misspellings are still forgiven
        assert!(matches!(
            ix.analyze("signner").terms[0].found,
            Found::Typo { .. }
        ));
    }

    #[test]
    fn budgets_follow_word_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(8), 1);
        assert_eq!(typo_budget(9), 2);
    }

    #[test]
    fn deletion_variants_cover_distance_two() {
        let v = deletion_variants("abcd", 2);
        assert!(v.contains(&"abc".to_owned()));
        assert!(v.contains(&"ad".to_owned()));
        assert!(!v.contains(&"a".to_owned()));
    }
}
