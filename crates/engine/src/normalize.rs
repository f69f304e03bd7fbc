//! Text normalisation: one pure pipeline shared by content and questions.
//!
//! The steps run lossless ones first, then lossy ones (as in meilisearch's
//! charabia): Unicode NFKD, removal of combining marks, case folding,
//! ligatures, typographic apostrophes, French elisions, punctuation to
//! spaces. Digits are kept. [`normalize`] returns the cleaned text;
//! [`words`] splits it; [`is_stop_word`] and [`stem`] finish the job for
//! indexing. Because content and questions go through the same functions, a
//! paraphrase written with accents matches a question typed without them.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Letters that stand for an elided word before an apostrophe
/// (l', d', j', qu', n', s', c', m', t').
const ELISIONS: &[&str] = &[
    "l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu",
];

/// Normalise a text: no accents, lowercase, ligatures unfolded, elisions
/// split off, punctuation turned into single spaces. Idempotent.
pub fn normalize(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            fold(c, &mut folded);
        } else {
            // Decomposing char by char then dropping every combining mark
            // gives the same letters as NFKD on the whole text (the
            // reordering NFKD does only concerns marks), without its
            // buffering, on the fast path of mostly-ASCII questions.
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    fold(d, &mut folded);
                }
            });
        }
    }
    let mut out = String::with_capacity(folded.len());
    for chunk in folded.split_whitespace() {
        for piece in split_elisions(chunk) {
            if piece.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(piece);
        }
    }
    out
}

/// One character of the decomposed text: ligatures unfolded, apostrophes
/// unified, letters and digits lowercased, anything else a space.
fn fold(c: char, folded: &mut String) {
    match c {
        'œ' | 'Œ' => folded.push_str("oe"),
        'æ' | 'Æ' => folded.push_str("ae"),
        // The capital sharp s (U+1E9E) too: lowercased it is a ß, which a
        // second pass would unfold (found by the property test).
        'ß' | 'ẞ' => folded.push_str("ss"),
        // Typographic apostrophes and quotes become a plain apostrophe,
        // which then separates elisions.
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => folded.push('\''),
        c if c.is_ascii_alphanumeric() => folded.push(c.to_ascii_lowercase()),
        c if c.is_alphanumeric() => {
            for l in c.to_lowercase() {
                // Lowercasing may itself produce combining marks (İ).
                if !is_combining_mark(l) {
                    folded.push(l);
                }
            }
        }
        _ => folded.push(' '),
    }
}

/// Split a chunk on apostrophes; elided articles stay as their own word so
/// that stop-word removal drops them ("l'anef" → "l anef").
fn split_elisions(chunk: &str) -> impl Iterator<Item = &str> {
    chunk.split('\'').filter(|p| !p.is_empty())
}

/// The words of a normalised text.
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.split(' ').filter(|w| !w.is_empty())
}

/// Normalise then split: convenience for callers that want owned words.
pub fn tokenize(text: &str) -> Vec<String> {
    words(&normalize(text)).map(str::to_owned).collect()
}

/// French stop words (normalised, no accents): function words and the
/// fillers people put around a question. They carry no intent.
const STOP_WORDS: &[&str] = &[
    "a",
    "ai",
    "aie",
    "aies",
    "ait",
    "as",
    "au",
    "aux",
    "avec",
    "avez",
    "avoir",
    "avons",
    "c",
    "ca",
    "ce",
    "ceci",
    "cela",
    "celle",
    "celui",
    "ces",
    "cet",
    "cette",
    "chez",
    "d",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "elles",
    "en",
    "es",
    "est",
    "et",
    "etc",
    "ete",
    "etes",
    "etre",
    "eu",
    "eux",
    "il",
    "ils",
    "j",
    "je",
    "jsuis",
    "l",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lui",
    "m",
    "ma",
    "mais",
    "me",
    "meme",
    "mes",
    "moi",
    "mon",
    "n",
    "ne",
    "nos",
    "notre",
    "nous",
    "on",
    "ont",
    "ou",
    "par",
    "pour",
    "qu",
    "que",
    "quel",
    "quelle",
    "quelles",
    "quels",
    "qui",
    "s",
    "sa",
    "se",
    "ses",
    "si",
    "son",
    "sont",
    "sur",
    "suis",
    "t",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "y",
    "comment",
    "svp",
    "stp",
    "plait",
    "sil",
    "merci",
    "bonjour",
    "bonsoir",
    "salut",
    "madame",
    "monsieur",
    "hello",
    "voudrais",
    "voudrait",
    "veux",
    "veut",
    "voulais",
    "aimerais",
    "souhaite",
    "souhaiterais",
    "peux",
    "peut",
    "pouvez",
    "puis",
    "pourrais",
    "dois",
    "doit",
    "devez",
    "faut",
    "fait",
    "faire",
    "fais",
    "savoir",
    "sais",
    "svp",
    "quoi",
    "koi",
    "est-ce",
    "ya",
    "il",
    "dit",
    "alors",
    "donc",
    "bien",
    "tres",
    "trop",
    "aussi",
    "encore",
    "deja",
    "tout",
    "tous",
    "toute",
    "toutes",
    "quand",
    "ou",
    "oui",
    "non",
    "pas",
    "plus",
    "moins",
    "combien",
    "pourquoi",
    "quoi",
    "cest",
    "jai",
    "jsp",
    "bah",
    "ben",
    "euh",
    "hein",
    "mr",
    "mme",
    "etait",
    "avait",
    "avais",
    "ete",
    "sera",
    "serait",
    "aurai",
    "vais",
    "va",
    "vas",
    "allez",
    "aller",
    "cette",
    "ici",
    "la",
    "lui",
    "svp",
    "bjr",
    "slt",
    "cc",
    "bsr",
    "coucou",
    "besoin",
    "qqch",
    "quelque",
    "chose",
    "quelqu",
    "dire",
    "aide",
    "aider",
    "info",
    "infos",
    "information",
    "informations",
    "question",
    "questions",
    "renseignement",
    "renseignements",
    "aujourdhui",
    // English function words: foreigners write in English too, and these
    // carry no intent (a French homograph that matters, like "an", is not
    // here).
    "the",
    "to",
    "of",
    "in",
    "for",
    "my",
    "i",
    "im",
    "you",
    "your",
    "is",
    "am",
    "was",
    "be",
    "been",
    "do",
    "does",
    "did",
    "how",
    "what",
    "where",
    "which",
    "who",
    "can",
    "could",
    "should",
    "would",
    "will",
    "it",
    "its",
    "this",
    "that",
    "there",
    "and",
    "or",
    "with",
    "at",
    "from",
    "by",
    "about",
    "have",
    "has",
    "had",
    "get",
    "got",
    "please",
    "any",
    "some",
    "if",
    "so",
    "not",
    "dont",
    "we",
    "our",
    "they",
    "their",
    "he",
    "she",
    "his",
    "them",
    "want",
    "know",
    "just",
    "also",
    "still",
    "need",
    "am",
    "are",
];

/// Words that must never be dropped even though they look like fillers,
/// because a `conv.*` intent is about them. They stay as weak terms.
pub const KEPT_FILLERS: &[&str] = &[
    "merci", "bonjour", "bonsoir", "salut", "oui", "non", "aide", "aider", "bjr", "slt", "cc",
    "bsr", "coucou", "hello", "combien", "quand", "pourquoi", "besoin", "pouvez", "peux", "faire",
    "fais", "sais", "savoir", "dire",
];

fn stop_set() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STOP_WORDS
            .iter()
            .copied()
            .filter(|w| !KEPT_FILLERS.contains(w))
            .collect()
    })
}

/// True for a word that carries no meaning for matching. Fillers that a
/// conversation intent needs ("merci", "oui") are not stop words: the
/// matcher gives them a low weight instead (see [`is_weak_word`]).
pub fn is_stop_word(word: &str) -> bool {
    stop_set().contains(word)
}

/// Words that are kept but weigh little: greetings, politeness, question
/// words. Alone they make a conversation intent; inside a longer question
/// they must not pull it away from its topic.
pub fn is_weak_word(word: &str) -> bool {
    KEPT_FILLERS.contains(&word)
}

/// Light French stemmer (Snowball), applied to a normalised word.
/// Numbers and very short words are returned unchanged.
pub fn stem(word: &str) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    let stemmer = STEMMER.get_or_init(|| Stemmer::create(Algorithm::French));
    let stemmed = stemmer.stem(word);
    // Snowball may re-insert nothing exotic for ASCII input, but plural
    // "x" endings (bateaux, travaux) are left to it; keep at least 2 chars.
    if stemmed.len() < 2 {
        word.to_owned()
    } else {
        stemmed.into_owned()
    }
}

/// Letters elided before an apostrophe, exposed for tests.
pub fn elisions() -> &'static [&'static str] {
    ELISIONS
}

#[cfg(test)]
mod tests {
    //! Properties checked: accents, case, ligatures, quotes and elisions
    //! are folded; digits kept; never panics; idempotent; accent-insensitive.
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(normalize("Récépissé ÉTÉ"), "recepisse ete");
    }

    #[test]
    fn unfolds_the_capital_sharp_s() {
        assert_eq!(normalize("ẞ"), "ss");
        assert_eq!(normalize(&normalize("STRAẞE")), normalize("STRAẞE"));
    }

    #[test]
    fn unfolds_ligatures() {
        assert_eq!(normalize("sœur Œuvre æther"), "soeur oeuvre aether");
    }

    #[test]
    fn splits_elisions_with_any_apostrophe() {
        assert_eq!(
            normalize("l’ANEF d'abord j‘ai qu'il"),
            "l anef d abord j ai qu il"
        );
        for e in elisions() {
            let n = normalize(&format!("{e}'avion"));
            assert_eq!(n, format!("{e} avion"));
        }
    }

    #[test]
    fn punctuation_becomes_space_digits_kept() {
        assert_eq!(
            normalize("rendez-vous : 3 mois, 120 jours !"),
            "rendez vous 3 mois 120 jours"
        );
        assert_eq!(normalize("  ...  "), "");
    }

    #[test]
    fn stop_words_and_weak_words() {
        assert!(is_stop_word("le"));
        assert!(is_stop_word("voudrais"));
        assert!(!is_stop_word("merci"));
        assert!(is_weak_word("merci"));
        assert!(!is_stop_word("sejour"));
    }

    #[test]
    fn stems_plurals_together() {
        assert_eq!(stem("bateaux"), stem("bateau"));
        assert_eq!(stem("renouvellement"), stem("renouvellements"));
        assert_eq!(stem("cartes"), stem("carte"));
        assert_eq!(stem("2026"), "2026");
    }

    fn strip_accents_ascii(s: &str) -> String {
        s.replace(['é', 'è', 'ê', 'ë'], "e")
            .replace(['à', 'â'], "a")
            .replace(['î', 'ï'], "i")
            .replace(['ô'], "o")
            .replace(['ù', 'û'], "u")
            .replace('ç', "c")
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC*") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            for w in words(&once) {
                let _ = stem(w);
                prop_assert!(!w.contains(' '));
            }
        }

        #[test]
        fn arbitrary_unicode_is_safe(s in any::<String>()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        /// The char-by-char decomposition equals whole-text NFKD once marks
        /// are dropped.
        #[test]
        fn same_as_whole_text_nfkd(s in "\\PC{0,80}") {
            use unicode_normalization::UnicodeNormalization;
            let mut folded = String::new();
            for c in s.nfkd() {
                if !is_combining_mark(c) {
                    fold(c, &mut folded);
                }
            }
            let reference: Vec<&str> = folded.split_whitespace().flat_map(split_elisions).collect();
            prop_assert_eq!(normalize(&s), reference.join(" "));
        }

        #[test]
        fn accent_insensitive(s in "[a-zA-Zéèêëàâîïôùûç' -]{0,40}") {
            prop_assert_eq!(normalize(&s), normalize(&strip_accents_ascii(&s)));
        }
    }
}
