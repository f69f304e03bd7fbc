//! Segmentation: a message → its sentences, with greetings and sign-offs
//! taken off its ends.
//!
//! People who are worried write long messages: the situation first (dates,
//! what an agent said), then the one thing they need, wrapped in
//! "Bonjour…" and "merci d'avance". The matcher weighs the sentence that
//! asks above the story, and scores sentences alone as well as the whole;
//! this module says where the sentences are and which of them ask.
//! Greetings and sign-offs at the ends are dropped here, before anything
//! is weighed, so adding them to a question never changes what it matches.
//!
//! Words are normalised and rewritten by the lexicon sentence by sentence
//! (a lexicon key never spans two sentences).

use crate::lexicon::{Lexicon, Rewrite};
use crate::normalize::{normalize, words};

/// One sentence of a message: its words (normalised, after the lexicon,
/// stop words kept) and whether it asks something.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sentence {
    pub words: Vec<String>,
    pub asks: bool,
}

/// A message cut into sentences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segmented {
    pub sentences: Vec<Sentence>,
    pub rewrites: Vec<Rewrite>,
}

impl Segmented {
    /// All the words, in order, sentence after sentence.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.sentences
            .iter()
            .flat_map(|s| s.words.iter().map(String::as_str))
    }

    /// The words joined by single spaces: the key of exact matches.
    pub fn joined(&self) -> String {
        let mut out = String::new();
        for w in self.words() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
        out
    }
}

/// Most sentences looked at; the rest of a very long message joins the last.
pub const MAX_SENTENCES: usize = 16;

/// Openings dropped at the start of a message (normalised, after the
/// lexicon). Longest first where one starts another.
const GREETINGS: &[&[&str]] = &[
    &["bonjour", "a", "tous"],
    &["bonjour", "a", "toutes"],
    &["bonjour", "tout", "le", "monde"],
    &["good", "morning"],
    &["good", "afternoon"],
    &["good", "evening"],
    &["bonjour"],
    &["bonsoir"],
    &["salut"],
    &["hello"],
    &["hi"],
    &["hey"],
    &["coucou"],
    &["bjr"],
    &["slt"],
    &["cc"],
    &["bsr"],
    &["wesh"],
    &["madame"],
    &["monsieur"],
    &["mme"],
    &["mr"],
    &["m"],
    &["messieurs"],
    &["dames"],
    &["mesdames"],
    &["chere"],
    &["cher"],
    &["dear"],
    &["sir"],
    &["madam"],
    &["et"],
];

/// Closings dropped at the end of a message, one after the other
/// ("merci beaucoup pour votre aide" = "pour votre aide", then "merci
/// beaucoup").
const SIGN_OFFS: &[&[&str]] = &[
    &["je", "vous", "remercie", "par", "avance"],
    &["je", "vous", "remercie", "d", "avance"],
    &["je", "vous", "remercie"],
    &["en", "vous", "remerciant", "par", "avance"],
    &["en", "vous", "remerciant"],
    &["merci", "par", "avance"],
    &["merci", "d", "avance"],
    &["merci", "pour", "votre", "aide"],
    &["merci", "de", "votre", "aide"],
    &["merci", "pour", "votre", "reponse"],
    &["merci", "de", "votre", "reponse"],
    &["merci", "de", "me", "repondre"],
    &["pour", "votre", "aide"],
    &["de", "votre", "aide"],
    &["pour", "votre", "reponse"],
    &["de", "votre", "reponse"],
    &["pour", "votre", "retour"],
    &["pour", "votre", "temps"],
    &["de", "votre", "attention"],
    &["merci", "de", "m", "aider"],
    &["merci", "beaucoup"],
    &["merci", "bien"],
    &["mille", "mercis"],
    &["merci"],
    &["par", "avance"],
    &["d", "avance"],
    &["bien", "cordialement"],
    &["cordialement"],
    &["salutations"],
    &["bien", "a", "vous"],
    &["bonne", "fin", "de", "journee"],
    &["bonne", "journee"],
    &["bonne", "soiree"],
    &["a", "bientot"],
    &["thanks", "in", "advance"],
    &["thank", "you", "in", "advance"],
    &["thank", "you"],
    &["thanks"],
    &["thx"],
    &["best", "regards"],
    &["regards"],
    &["please"],
    &["pls"],
    &["plz"],
    &["s", "il", "vous", "plait"],
    &["s", "il", "te", "plait"],
    &["svp"],
    &["stp"],
];

/// Words that open a question. A sentence that starts with one of them (or
/// has "est-ce que", or ends with "?") asks.
const QUESTION_OPENERS: &[&str] = &[
    "comment", "pourquoi", "combien", "quand", "quel", "quelle", "quels", "quelles", "ou", "que",
    "qu", "qui", "puis", "peut", "peux", "pouvez", "pourrais", "pourriez", "dois", "doit", "faut",
    "est", "ai", "a", "how", "what", "where", "when", "why", "which", "who", "can", "could", "do",
    "does", "should", "is", "are", "am", "will",
];

/// Phrases that ask wherever they stand ("je voudrais savoir si...").
const ASKING_PHRASES: &[&[&str]] = &[
    &["est", "ce"],
    &["savoir"],
    &["sais", "pas"],
    &["voudrais"],
    &["aimerais"],
    &["cherche"],
    &["besoin"],
    &["que", "faire"],
    &["quoi", "faire"],
    &["need"],
    &["want"],
    &["help"],
];

/// Cut a message into sentences, normalise and rewrite each, drop the
/// greetings that open it and the sign-offs that close it (never down to
/// nothing: "merci" alone stays "merci").
pub fn segment(lexicon: &Lexicon, text: &str) -> Segmented {
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut rewrites = Vec::new();
    for (raw, question_mark) in split_sentences(text) {
        let normalized = normalize(raw);
        let (ws, fired) = lexicon.apply(words(&normalized));
        rewrites.extend(fired);
        if ws.is_empty() {
            continue;
        }
        if sentences.len() == MAX_SENTENCES {
            let last = sentences.last_mut().expect("MAX_SENTENCES > 0");
            last.words.extend(ws);
            last.asks |= question_mark;
            continue;
        }
        sentences.push(Sentence {
            asks: question_mark,
            words: ws,
        });
    }
    strip_ends(&mut sentences);
    for s in &mut sentences {
        s.asks = s.asks || asks(&s.words);
    }
    Segmented {
        sentences,
        rewrites,
    }
}

/// Raw sentences, each with whether it ended with a question mark.
fn split_sentences(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let end = match c {
            '?' | '!' | ';' | '\n' | '\r' | '¿' | '؟' | '。' | '？' | '！' => true,
            // A dot ends a sentence, not a number ("1.5") or an initial.
            '.' => {
                let next = bytes.get(i + 1).copied();
                !matches!(next, Some(b'0'..=b'9')) || i == 0
            }
            _ => false,
        };
        if end {
            out.push((&text[start..i], matches!(c, '?' | '？' | '؟')));
            start = i + c.len_utf8();
        }
    }
    out.push((&text[start..], false));
    // A question mark may stand alone after a sentence ("... titre ?"):
    // it belongs to the sentence before it.
    let mut merged: Vec<(&str, bool)> = Vec::with_capacity(out.len());
    for (s, q) in out {
        if s.trim().is_empty() {
            if q {
                if let Some(last) = merged.last_mut() {
                    last.1 = true;
                }
            }
            continue;
        }
        merged.push((s, q));
    }
    merged
}

fn starts_with_phrase(ws: &[String], phrase: &[&str]) -> bool {
    ws.len() >= phrase.len() && ws.iter().zip(phrase).all(|(w, p)| w == p)
}

fn ends_with_phrase(ws: &[String], phrase: &[&str]) -> bool {
    ws.len() >= phrase.len()
        && ws[ws.len() - phrase.len()..]
            .iter()
            .zip(phrase)
            .all(|(w, p)| w == p)
}

/// Drop greeting words at the start and sign-offs at the end, across
/// sentences, keeping at least one word overall.
fn strip_ends(sentences: &mut Vec<Sentence>) {
    let total: usize = sentences.iter().map(|s| s.words.len()).sum();
    let mut left = total;
    // Openings.
    while let Some(first) = sentences.first_mut() {
        let Some(p) = GREETINGS
            .iter()
            .find(|p| starts_with_phrase(&first.words, p))
        else {
            break;
        };
        if left <= p.len() {
            break;
        }
        first.words.drain(..p.len());
        left -= p.len();
        if first.words.is_empty() {
            sentences.remove(0);
        }
    }
    // Closings.
    while let Some(last) = sentences.last_mut() {
        let Some(p) = SIGN_OFFS.iter().find(|p| ends_with_phrase(&last.words, p)) else {
            break;
        };
        if left <= p.len() {
            break;
        }
        let keep = last.words.len() - p.len();
        last.words.truncate(keep);
        left -= p.len();
        if last.words.is_empty() {
            sentences.pop();
        }
    }
}

fn asks(ws: &[String]) -> bool {
    if ws
        .first()
        .is_some_and(|w| QUESTION_OPENERS.contains(&w.as_str()))
    {
        return true;
    }
    (0..ws.len()).any(|i| {
        ASKING_PHRASES
            .iter()
            .any(|p| starts_with_phrase(&ws[i..], p))
    })
}

#[cfg(test)]
mod tests {
    //! Properties: greetings and sign-offs never change the words of what
    //! is left; a message is never stripped to nothing; sentences ending
    //! with "?" ask.
    use super::*;
    use proptest::prelude::*;

    fn lex() -> Lexicon {
        let mut l = Lexicon::default();
        l.insert("bcp", "beaucoup").unwrap();
        l.insert("cmt", "comment").unwrap();
        l
    }

    fn seg(t: &str) -> Vec<(String, bool)> {
        segment(&lex(), t)
            .sentences
            .into_iter()
            .map(|s| (s.words.join(" "), s.asks))
            .collect()
    }

    #[test]
    fn cuts_sentences_and_finds_the_question() {
        let s = seg("Bonjour, j'ai déposé mon dossier en mars. Le titre expire le 12.05. Comment avoir un récépissé ? Merci d'avance");
        assert_eq!(
            s,
            vec![
                ("j ai depose mon dossier en mars".to_owned(), false),
                ("le titre expire le 12.05".replace('.', " "), false),
                ("comment avoir un recepisse".to_owned(), true),
            ]
        );
    }

    #[test]
    fn lone_question_mark_belongs_to_the_sentence_before() {
        let s = seg("mon titre expire demain ?");
        assert_eq!(s, vec![("mon titre expire demain".to_owned(), true)]);
        let s = seg("cmt faire pour le rdv");
        assert!(s[0].1, "{s:?}");
    }

    #[test]
    fn never_strips_to_nothing() {
        assert_eq!(seg("merci"), vec![("merci".to_owned(), false)]);
        assert_eq!(seg("Bonjour !"), vec![("bonjour".to_owned(), false)]);
        assert_eq!(seg("merci bcp"), vec![("merci beaucoup".to_owned(), false)]);
        assert!(seg("").is_empty());
    }

    proptest! {
        #[test]
        fn greetings_and_sign_offs_do_not_change_the_rest(
            core in "[a-z]{3,9}( [a-z]{3,9}){0,6}",
            g in 0usize..GREETINGS.len(),
            s in 0usize..SIGN_OFFS.len(),
            punct in prop::sample::select(vec![", ", ". ", " ", "! ", "\n"]),
        ) {
            let plain = segment(&lex(), &core);
            // Only meaningful when the core itself opens and closes with
            // ordinary words.
            prop_assume!(plain.joined() == core);
            let text = format!("{}{punct}{core}{punct}{}", GREETINGS[g].join(" "), SIGN_OFFS[s].join(" "));
            let wrapped = segment(&lex(), &text);
            prop_assert_eq!(wrapped.joined(), core);
        }

        #[test]
        fn never_panics(t in "\\PC{0,300}") {
            let s = segment(&lex(), &t);
            prop_assert!(s.sentences.len() <= MAX_SENTENCES);
            prop_assert!(s.sentences.iter().all(|s| !s.words.is_empty()));
        }
    }
}
