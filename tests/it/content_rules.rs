//! `accueil check` on the parts issue 13 added: the English part follows
//! the French one, sheets are complete, jargon is explained, and
//! `--report` lists the reviews that are due and the texts with no English.

use crate::support::{content_copy, run_check as run};

const RENEWAL: &str = "faq/titres-de-sejour/renouvellement.toml";

/// The fixture's renewal file with `from` replaced by `to` (which must be there).
fn edit(root: &std::path::Path, from: &str, to: &str) {
    let path = root.join(RENEWAL);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "the fixture has `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn the_fixture_passes_without_warnings() {
    let content = content_copy();
    let (code, out) = run(content.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
}

#[test]
fn each_broken_english_part_is_an_error_at_its_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[en.steps]]\ntext = \"Check everything, then send the request.\"\n",
            "",
            "[en]: 2 steps, the French part has 3",
        ),
        (
            "url = \"https://www.service-public.fr/particuliers/vosdroits/N110\"\n\n[en.sheet]",
            "url = \"https://www.service-public.fr/particuliers/vosdroits/F1\"\n\n[en.sheet]",
            "differs from the French `https://www.service-public.fr/particuliers/vosdroits/N110`",
        ),
        (
            "link = { label = \"ANEF website (in French)\", url = \"https://administration-etrangers-en-france.interieur.gouv.fr/\" }\n",
            "",
            "[en] step 1: the French step has a link",
        ),
        (
            "[en.sheet]\nwho = \"People whose residence permit is ending.\"",
            "[en.not_a_sheet]\nwho = \"People whose residence permit is ending.\"",
            "invalid TOML",
        ),
        (
            "papers = [\"Your passport.\", \"A photo with its code.\"]",
            "papers = [\"Your passport.\"]",
            "[en.sheet]: not the same rows",
        ),
        (
            "title = \"Renewing a residence permit\"",
            "title = \"\"",
            "[en]: empty title",
        ),
        (
            "Ask before your card ends.\nFor a question",
            "Ask before your card ends and before the DRH tells you so.\nFor a question",
            "[en]: FALC: acronym `DRH`",
        ),
    ];
    for (from, to, expected) in cases {
        let content = content_copy();
        edit(content.path(), from, to);
        let (code, out) = run(content.path(), &["--quiet"]);
        assert_eq!(code, 1, "{expected}: {out}");
        let line = out
            .lines()
            .find(|l| l.contains(expected))
            .unwrap_or_else(|| panic!("no `{expected}` in {out}"));
        assert!(
            line.contains("renouvellement.toml:") && line.contains(": error: "),
            "{line}"
        );
    }
}

#[test]
fn a_sheet_needs_who_and_where_and_short_sentences() {
    let content = content_copy();
    edit(
        content.path(),
        "who = \"Les personnes dont le titre de séjour se termine.\"",
        "who = \"\"",
    );
    edit(
        content.path(),
        "delay = \"Faites la demande avant la fin de votre carte.\"",
        "delay = \"Faites la demande avant la fin de votre carte, car après il est trop tard pour la demander sans payer plus et sans avoir de papier.\"",
    );
    let (code, out) = run(content.path(), &["--quiet"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[sheet]: `who` is empty"), "{out}");
    assert!(out.contains("[sheet]: FALC: sentence of"), "{out}");
}

#[test]
fn jargon_the_glossary_does_not_explain_is_a_warning() {
    let content = content_copy();
    edit(
        content.path(),
        "Faites la demande avant la fin de votre carte.\nPour",
        "Faites la demande avant la fin de votre carte.\nGardez vos récépissés.\nPour",
    );
    let (code, out) = run(content.path(), &[]);
    assert_eq!(code, 0, "a warning, not an error: {out}");
    let line = out
        .lines()
        .find(|l| l.contains("`récépissé` is jargon"))
        .unwrap_or_else(|| panic!("no jargon warning (plural, accents) in {out}"));
    assert!(
        line.contains("renouvellement.toml:") && line.contains("warning"),
        "{line}"
    );
    // Explained in French only: the English answer using it still warns.
    let glossary = content.path().join("intents/glossary.toml");
    let text = std::fs::read_to_string(&glossary).expect("glossary");
    std::fs::write(
        &glossary,
        text.replacen(
            "\n[en]\n",
            "\"récépissé\" = \"un papier qui prouve votre demande\"\n\n[en]\n",
            1,
        ),
    )
    .expect("write glossary");
    edit(
        content.path(),
        "Ask before your card ends.\nFor",
        "Ask before your card ends.\nKeep your récépissé.\nFor",
    );
    let (_, out) = run(content.path(), &[]);
    assert!(
        out.lines()
            .any(|l| l.contains("`récépissé` is jargon") && l.contains("[en] table")),
        "{out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("`récépissé` is jargon"))
            .count(),
        1,
        "the French one is explained now: {out}"
    );
}

#[test]
fn the_report_lists_due_reviews_and_texts_without_english() {
    let content = content_copy();
    let (code, out) = run(content.path(), &["--report", "--review-age", "0"]);
    assert_eq!(code, 0, "{out}");
    // The fixture's renewal was reviewed on 2026-11-22: older than 0 days.
    assert!(
        out.lines()
            .any(|l| l.contains("sejour.renouvellement") && l.contains("reviewed 2026-11-22")),
        "{out}"
    );
    assert!(out.contains("with no English yet:"), "{out}");
    assert!(
        out.lines().any(|l| l.trim() == "sejour.rendez_vous"),
        "the fixture's appointment intent has no English: {out}"
    );
    assert!(
        !out.lines().any(|l| l.trim() == "sejour.renouvellement"),
        "{out}"
    );
    // With a generous age only the never-reviewed ones remain.
    edit(content.path(), "reviewed = \"2026-11-22\"\n", "");
    let (_, out) = run(content.path(), &["--report", "--review-age", "100000"]);
    assert!(
        out.lines()
            .any(|l| l.contains("sejour.renouvellement") && l.contains("never reviewed")),
        "{out}"
    );
    // A date that is not one is an error.
    edit(
        content.path(),
        "title = \"Renouveler",
        "reviewed = \"2026-13-01\"\ntitle = \"Renouveler",
    );
    let (code, out) = run(content.path(), &["--quiet"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`reviewed` must be a date"), "{out}");
}
