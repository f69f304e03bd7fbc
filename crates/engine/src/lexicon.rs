//! The lexicon: how people type → the content's words.
//!
//! `intents/lexicon.toml` maps abbreviations ("rdv"), everyday words
//! ("boulot"), old names ("pôle emploi") and frequent misspellings
//! ("recepicé") to the words the content uses. Agents extend it without
//! touching code. Keys and values are normalised with the same pipeline as
//! everything else; a key may span several words and the longest key wins.
//! Every rewrite is recorded so a match can say which entry fired.

use rustc_hash::FxHashMap as HashMap;

use crate::normalize::{normalize, words};

/// Longest key, in words, we look for.
const MAX_KEY_WORDS: usize = 5;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexicon {
    entries: HashMap<Vec<String>, Vec<String>>,
    /// Keys joined by single spaces, for look-ups without building vectors.
    joined: HashMap<String, (String, Vec<String>)>,
    /// First word of any key → the longest key starting with it, in words:
    /// most words start no key, and are passed over with one look-up.
    first_words: HashMap<String, usize>,
    max_words: usize,
}

/// A lexicon file problem, with the line where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError {
    pub line: usize,
    pub message: String,
}

/// One rewrite applied to a question: `from` (as typed, normalised) → `to`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rewrite {
    pub from: String,
    pub to: String,
}

impl Lexicon {
    /// Parse a lexicon file: any number of tables (`[abreviations]`,
    /// `[synonymes]`, `[fautes]`...) of `"as typed" = "content words"`.
    pub fn from_toml(text: &str) -> Result<Lexicon, LexiconError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| LexiconError {
            line: e
                .span()
                .map(|s| crate::diagnostic::line_of(text, s.start))
                .unwrap_or(1),
            message: format!("invalid TOML: {}", e.message().trim()),
        })?;
        let mut lex = Lexicon::default();
        for (section, value) in table {
            let toml::Value::Table(entries) = value else {
                return Err(LexiconError {
                    line: find_line(text, &section),
                    message: format!(
                        "`{section}` must be a table of \"typed\" = \"meaning\" entries"
                    ),
                });
            };
            for (key, value) in entries {
                let toml::Value::String(to) = value else {
                    return Err(LexiconError {
                        line: find_line(text, &key),
                        message: format!("lexicon entry `{key}` must map to a string"),
                    });
                };
                lex.insert(&key, &to).map_err(|message| LexiconError {
                    line: find_line(text, &key),
                    message,
                })?;
            }
        }
        Ok(lex)
    }

    /// Add one entry (both sides normalised).
    pub fn insert(&mut self, from: &str, to: &str) -> Result<(), String> {
        let key: Vec<String> = words(&normalize(from)).map(str::to_owned).collect();
        let value: Vec<String> = words(&normalize(to)).map(str::to_owned).collect();
        if key.is_empty() {
            return Err(format!("lexicon key `{from}` is empty once normalised"));
        }
        if key.len() > MAX_KEY_WORDS {
            return Err(format!(
                "lexicon key `{from}` has more than {MAX_KEY_WORDS} words"
            ));
        }
        if value.is_empty() {
            return Err(format!("lexicon entry `{from}` maps to nothing"));
        }
        self.max_words = self.max_words.max(key.len());
        let longest = self.first_words.entry(key[0].clone()).or_insert(0);
        *longest = (*longest).max(key.len());
        let joined = key.join(" ");
        self.joined.insert(joined.clone(), (joined, value.clone()));
        self.entries.insert(key, value);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Rewrite normalised words, longest key first, left to right. Returns
    /// the new words and the rewrites that fired.
    pub fn apply<'a>(
        &self,
        input: impl IntoIterator<Item = &'a str>,
    ) -> (Vec<String>, Vec<Rewrite>) {
        let input: Vec<&str> = input.into_iter().collect();
        let mut out = Vec::with_capacity(input.len() + 4);
        let mut fired = Vec::new();
        let mut i = 0;
        let mut key = String::new();
        'outer: while i < input.len() {
            if let Some(&longest) = self.first_words.get(input[i]) {
                let longest = longest.min(input.len() - i);
                for n in (1..=longest).rev() {
                    key.clear();
                    for (k, w) in input[i..i + n].iter().enumerate() {
                        if k > 0 {
                            key.push(' ');
                        }
                        key.push_str(w);
                    }
                    if let Some((from, value)) = self.joined.get(&key) {
                        out.extend(value.iter().cloned());
                        fired.push(Rewrite {
                            from: from.clone(),
                            to: value.join(" "),
                        });
                        i += n;
                        continue 'outer;
                    }
                }
            }
            out.push(input[i].to_owned());
            i += 1;
        }
        (out, fired)
    }

    /// Entries whose replacement contains another key: applying the
    /// lexicon twice would then change the text again. Reported by `check`.
    pub fn chained_entries(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (k, v) in &self.entries {
            // Terms are sets: a second pass that only repeats words is
            // harmless; one that brings new words means two entries chain.
            let (again, _) = self.apply(v.iter().map(String::as_str));
            let before: std::collections::BTreeSet<&String> = v.iter().collect();
            let after: std::collections::BTreeSet<&String> = again.iter().collect();
            if before != after {
                found.push((k.join(" "), v.join(" ")));
            }
        }
        found.sort();
        found
    }
}

fn find_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(key)
                || l.starts_with(&format!("\"{key}\""))
                || l.starts_with(&format!("[{key}]"))
        })
        .map(|p| p + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::from_toml(
            "[abreviations]\nrdv = \"rendez-vous\"\n\"pôle emploi\" = \"France Travail\"\n[fautes]\nrecepice = \"récépissé\"\n",
        )
        .unwrap()
    }

    #[test]
    fn rewrites_single_and_multi_word_keys() {
        let l = lex();
        let (w, fired) = l.apply(["mon", "rdv", "pole", "emploi", "recepice"]);
        assert_eq!(
            w,
            ["mon", "rendez", "vous", "france", "travail", "recepisse"]
        );
        assert_eq!(fired.len(), 3);
        assert_eq!(
            fired[1],
            Rewrite {
                from: "pole emploi".into(),
                to: "france travail".into()
            }
        );
    }

    #[test]
    fn longest_key_wins() {
        let mut l = lex();
        l.insert("pole", "poteau").unwrap();
        let (w, _) = l.apply(["pole", "emploi"]);
        assert_eq!(w, ["france", "travail"]);
        let (w, _) = l.apply(["pole"]);
        assert_eq!(w, ["poteau"]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = Lexicon::from_toml("[a]\nok = \"b\"\nbad = 3\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = Lexicon::from_toml("[a]\nok = \n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn chained_entries_are_reported() {
        let mut l = lex();
        l.insert("rendez", "rencontre").unwrap();
        assert_eq!(
            l.chained_entries(),
            vec![("rdv".to_owned(), "rendez vous".to_owned())]
        );
    }
}
