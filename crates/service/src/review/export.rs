//! Exports: the agents' paraphrases as TOML to commit into `faq/`, and the
//! inbox as CSV for a spreadsheet.
//!
//! The TOML export lists, per intent, the paraphrases attached by agents
//! that the files do not have yet, each snippet headed by the file to put
//! it in. Every snippet is valid TOML on its own (`id` and `questions`,
//! with who attached each question and when as comments): its questions
//! go into the `questions` list of that file. Once committed and
//! reloaded, a paraphrase is in the files and leaves the export.
//!
//! The CSV follows RFC 4180 (comma, double quotes doubled, CRLF) and
//! defuses spreadsheet formulas: a field that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is prefixed with `'`, since the texts
//! come from the public and agents open the file in a spreadsheet.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::entry::{Entry, EntryId};
use super::paraphrases::{fit, Fit, Paraphrase};
use super::time::{day_of, format_day, format_time};
use crate::store::Millis;
use accueil_engine::engine::Engine;

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The TOML export of `paraphrases` against the files' engine.
pub fn toml(files: &Engine, paraphrases: &[Paraphrase], now: Millis) -> String {
    let mut by_intent: BTreeMap<&str, Vec<&Paraphrase>> = BTreeMap::new();
    for p in paraphrases {
        if fit(files, &p.intent, &p.text) == Fit::Added {
            by_intent.entry(p.intent.as_str()).or_default().push(p);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Paraphrases added by agents and not yet in the content files."
    );
    let _ = writeln!(
        out,
        "# Exported {} from content version {}.",
        format_time(now),
        files.content.version
    );
    let _ = writeln!(
        out,
        "# For each intent, add its questions to the `questions` list of the file"
    );
    let _ = writeln!(
        out,
        "# named above it, run `accueil check`, commit, and reload the server."
    );
    if by_intent.is_empty() {
        let _ = writeln!(out, "# Nothing to add: every paraphrase is in the files.");
    }
    for (intent, list) in by_intent {
        let path = files
            .content
            .intent(intent)
            .map(|i| {
                i.path
                    .strip_prefix(&files.content.root)
                    .unwrap_or(&i.path)
                    .display()
                    .to_string()
            })
            .unwrap_or_default();
        let _ = writeln!(out);
        let _ = writeln!(out, "# ==> {path} <==");
        let _ = writeln!(out, "id = {}", toml_string(intent));
        let _ = writeln!(out, "questions = [");
        for p in list {
            let _ = writeln!(
                out,
                "  {}, # {} {}",
                toml_string(&p.text),
                p.by,
                format_day(day_of(p.at))
            );
        }
        let _ = writeln!(out, "]");
    }
    out
}

/// A field with spreadsheet formulas defused (`csv` does the quoting).
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    map.iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "status",
    "count",
    "first_seen",
    "last_seen",
    "text",
    "normalized",
    "outcomes",
    "sites",
    "channels",
    "candidates",
    "intent",
    "action",
    "action_by",
    "action_at",
    "since_action",
];

/// The inbox as CSV, one line per entry, in the order given.
pub fn csv(entries: &[(EntryId, Entry)]) -> String {
    // RFC 4180: comma, quotes doubled, fields quoted only when needed, CRLF.
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail; a failure would only lose lines.
    let _ = out.write_record(CSV_COLUMNS);
    for (id, e) in entries {
        let action = e.last_action();
        let candidates = e
            .candidates
            .iter()
            .map(|g| format!("{}:{:.2}", g.intent, g.score))
            .collect::<Vec<_>>()
            .join(";");
        let row = [
            id.hex(),
            e.status.as_str().to_owned(),
            e.count.to_string(),
            format_time(e.first_seen),
            format_time(e.last_seen),
            e.text.clone(),
            e.normalized.clone(),
            counts(&e.outcomes),
            counts(&e.sites),
            counts(&e.channels),
            candidates,
            e.attached_to().unwrap_or_default().to_owned(),
            action.map(|a| a.action.clone()).unwrap_or_default(),
            action.map(|a| a.by.clone()).unwrap_or_default(),
            action.map(|a| format_time(a.at)).unwrap_or_default(),
            e.since_action.to_string(),
        ];
        let _ = out.write_record(row.iter().map(|f| defuse(f)));
    }
    let bytes = out.into_inner().unwrap_or_default();
    // Every field is a `&str`, so the bytes are UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! Properties: CSV fields are quoted exactly when needed, quotes
    //! doubled, formulas defused, and a line parses back to its fields; a
    //! TOML snippet parses and its strings survive any character.
    use super::*;

    /// A small RFC 4180 reader, to check what `csv` writes.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cur.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cur)),
                (false, '\r') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut cur));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cur.push(c),
            }
        }
        rows
    }

    /// One field as `csv` writes it, defused.
    fn field(s: &str) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record([defuse(s), "x".into()]).unwrap();
        let line = String::from_utf8(w.into_inner().unwrap()).unwrap();
        line.strip_suffix(",x\r\n").unwrap().to_owned()
    }

    #[test]
    fn csv_fields() {
        let table = [
            ("simple", "simple"),
            ("a, b", "\"a, b\""),
            ("il a dit \"non\"", "\"il a dit \"\"non\"\"\""),
            ("ligne\nsuivante", "\"ligne\nsuivante\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+33 [téléphone]", "'+33 [téléphone]"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            // RFC 4180 keeps spaces as they are, unquoted.
            (" espace", " espace"),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(field(input), expected, "{input:?}");
        }
    }

    #[test]
    fn csv_round_trips() {
        let mut e = Entry {
            text: "mon \"titre\", perdu\nà Cayenne".into(),
            normalized: "mon titre perdu a cayenne".into(),
            count: 3,
            ..Entry::default()
        };
        e.sites.insert("prefecture-guyane".into(), 2);
        e.outcomes.insert("fallback".into(), 3);
        let id = EntryId::of(&e.normalized);
        let rows = parse_csv(&csv(&[(id, e.clone())]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], CSV_COLUMNS);
        assert_eq!(rows[1].len(), CSV_COLUMNS.len());
        assert_eq!(rows[1][0], id.hex());
        assert_eq!(rows[1][5], e.text);
        assert_eq!(rows[1][7], "fallback=3");
        assert_eq!(rows[1][8], "prefecture-guyane=2");
    }

    #[test]
    fn toml_strings_survive() {
        for s in ["simple", "l'\"ANEF\"", "a\\b", "tab\there", "accentué é"] {
            let doc = format!("x = {}", toml_string(s));
            let v: toml::Table = toml::from_str(&doc).expect("valid TOML");
            assert_eq!(v["x"].as_str(), Some(s));
        }
    }
}
