//! Plain-language (FALC) rules a machine can check on one sentence, and the
//! sentence splitting they need. A leaf below every checker: intents,
//! journeys, site values and service notices are all written for the same
//! readers.

use std::collections::BTreeMap;

use crate::content::placeholders;
use crate::diagnostic::Severity;
use crate::normalize::{normalize, words};

/// FALC: a sentence longer than this is an error...
pub const MAX_SENTENCE_WORDS: usize = 20;
/// ...and longer than this, a warning.
pub const ADVISED_SENTENCE_WORDS: usize = 12;
/// Numbers written in words (FALC: numbers in digits). "un"/"une" are fine.
pub(crate) const NUMBER_WORDS: &[&str] = &[
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
    "cent",
    "cents",
    "mille",
];

pub fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Split a text into sentences: one per line, and at `.`, `!`, `?` followed
/// by a space (not inside numbers like 4.5 or URLs).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            current.push(c);
            let end =
                matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace());
            if end {
                let s = current.trim().to_owned();
                if !s.is_empty() {
                    out.push(s);
                }
                current.clear();
            }
        }
        let s = current.trim().to_owned();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

/// Words of a sentence as a reader counts them (placeholders count as one).
pub fn sentence_words(sentence: &str) -> Vec<&str> {
    sentence
        .split(|c: char| c.is_whitespace() || c == '\'' || c == '’')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// The FALC problems of one sentence.
pub fn falc_problems(
    sentence: &str,
    glossary: &BTreeMap<String, String>,
) -> Vec<(Severity, String)> {
    let mut found = Vec::new();
    let ws = sentence_words(sentence);
    if ws.len() > MAX_SENTENCE_WORDS {
        found.push((
            Severity::Error,
            format!(
                "FALC: sentence of {} words (max {MAX_SENTENCE_WORDS}): \"{}\"",
                ws.len(),
                first_chars(sentence, 60)
            ),
        ));
    } else if ws.len() > ADVISED_SENTENCE_WORDS {
        found.push((
            Severity::Warning,
            format!(
                "FALC: sentence of {} words (advised {ADVISED_SENTENCE_WORDS}): \"{}\"",
                ws.len(),
                first_chars(sentence, 60)
            ),
        ));
    }
    let visible: String = strip_placeholders(sentence);
    if visible.contains('%') || normalize(&visible).contains("pour cent") {
        found.push((Severity::Error, "FALC: no percentages".into()));
    }
    if visible.contains(';') {
        found.push((Severity::Error, "FALC: no `;` (make two sentences)".into()));
    }
    if has_short_date(&visible) {
        found.push((
            Severity::Error,
            "FALC: write dates in full (15 mai 2026), not dd/mm/yy".into(),
        ));
    }
    for raw in visible.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        for token in raw.split('-') {
            if token.is_empty() {
                continue;
            }
            if is_roman_numeral(token) {
                found.push((
                    Severity::Error,
                    format!("FALC: Roman numeral `{token}`: write it in digits"),
                ));
            } else if crate::terms::is_acronym(token) && !glossary.contains_key(token) {
                found.push((
                    Severity::Error,
                    format!("FALC: acronym `{token}` is not explained in intents/glossary.toml"),
                ));
            }
        }
    }
    let norm = normalize(&visible);
    for w in words(&norm) {
        if NUMBER_WORDS.contains(&w) {
            found.push((
                Severity::Error,
                format!("FALC: number in words `{w}`: write it in digits"),
            ));
        }
    }
    let nw: Vec<&str> = words(&norm).collect();
    let negations = nw.iter().filter(|w| **w == "ne" || **w == "n").count();
    if negations >= 2 {
        found.push((Severity::Warning, "FALC: double negation".into()));
    }
    for pair in nw.windows(2) {
        let aux = matches!(
            pair[0],
            "est" | "sont" | "ete" | "etre" | "sera" | "seront" | "etait" | "etaient"
        );
        if aux && is_participle(pair[1]) && nw.contains(&"par") {
            found.push((
                Severity::Warning,
                format!(
                    "FALC: passive voice `{} {}`: prefer the active voice",
                    pair[0], pair[1]
                ),
            ));
            break;
        }
    }
    found
}

pub fn strip_placeholders(s: &str) -> String {
    let mut out = s.to_owned();
    for (_, key) in placeholders(s) {
        out = out.replace(&format!("{{{{{key}}}}}"), "X");
    }
    out
}

fn is_participle(w: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "e", "es", "ee", "ees", "i", "is", "it", "u", "us", "ue", "ues",
    ];
    w.len() > 3
        && ENDINGS.iter().any(|e| w.ends_with(e))
        && !matches!(
            w,
            "une"
                | "cette"
                | "elle"
                | "votre"
                | "notre"
                | "que"
                | "possible"
                | "valable"
                | "gratuite"
                | "obligatoire"
                | "necessaire"
        )
}

fn has_short_date(s: &str) -> bool {
    let b: Vec<char> = s.chars().collect();
    let is_d = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    for i in 0..b.len() {
        if b[i] != '/' || !is_d(i.wrapping_sub(1)) || !is_d(i + 1) {
            continue;
        }
        // d/m/ or dd/mm/ followed by digits again: a short date.
        let mut j = i + 1;
        while is_d(j) {
            j += 1;
        }
        if b.get(j) == Some(&'/') && is_d(j + 1) {
            return true;
        }
    }
    false
}

/// XIV, IIe, Ier... A single letter (I) or a word that is also an acronym
/// of the glossary is not treated as a numeral.
fn is_roman_numeral(token: &str) -> bool {
    let core = token
        .trim_end_matches("ème")
        .trim_end_matches("eme")
        .trim_end_matches("er")
        .trim_end_matches('e');
    let suffixed = core.len() != token.len();
    !core.is_empty()
        && core.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
        && (core.len() >= 2 || suffixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gloss() -> BTreeMap<String, String> {
        let mut g = BTreeMap::new();
        g.insert("ANEF".to_owned(), "le site".to_owned());
        g
    }

    fn has(problems: &[(Severity, String)], sev: Severity, needle: &str) -> bool {
        problems
            .iter()
            .any(|(s, m)| *s == sev && m.contains(needle))
    }

    #[test]
    fn sentence_splitting() {
        assert_eq!(
            sentences("Un. Deux ? Trois\nQuatre 4.5 kW."),
            vec!["Un.", "Deux ?", "Trois", "Quatre 4.5 kW."]
        );
    }

    #[test]
    fn falc_rules_table() {
        let g = gloss();
        let cases: &[(&str, Severity, &str)] = &[
            ("Allez sur l'ANEF et la CAF.", Severity::Error, "acronym `CAF`"),
            ("Cela coûte 10 % de plus.", Severity::Error, "percentages"),
            ("Venez vite ; appelez.", Severity::Error, "`;`"),
            ("Le XIXe siècle.", Severity::Error, "Roman numeral"),
            ("Vous avez trois mois.", Severity::Error, "number in words"),
            ("Venez le 03/04/26.", Severity::Error, "dates in full"),
            ("Votre dossier est instruit par la préfecture.", Severity::Warning, "passive"),
            ("Vous ne pouvez pas ne pas venir.", Severity::Warning, "double negation"),
            (
                "Un deux trois mots mots mots mots mots mots mots mots mots mots mots mots mots mots mots mots mots mots.",
                Severity::Error,
                "sentence of 21 words",
            ),
        ];
        for (s, sev, needle) in cases {
            let p = falc_problems(s, &g);
            assert!(has(&p, *sev, needle), "{s}: {p:?}");
        }
        assert!(falc_problems("Allez sur l'ANEF avant 2 mois.", &g).is_empty());
        assert!(falc_problems("Appelez le {{prefecture.telephone}}.", &g).is_empty());
    }
}
