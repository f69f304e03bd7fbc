//! `accueil check` on broken journey files: each mistake is an error at
//! its `file:line`, and the command exits 1; a server refuses to load such
//! content. The shipped journeys pass.
//!
//! One content folder (a copy of the fixture) holds one broken journey per
//! mistake, so the table below reads as the list of rules.

use crate::support::content_copy;

fn journey(root: &std::path::Path, name: &str, body: &str) {
    let dir = root.join("faq/parcours");
    std::fs::create_dir_all(&dir).expect("parcours folder");
    std::fs::write(dir.join(format!("{name}.toml")), body).expect("write journey");
}

/// A valid two-question journey of the fixture, to break in one place.
fn base(name: &str) -> String {
    format!(
        r#"id = "parcours.{name}"
title = "Quelle démarche ?"
domain = "sejour"
start = "a"

[[nodes]]
id = "a"
question = "Vous avez déjà un titre ?"
choices = [
  {{ label = "Oui", picto = "titre-sejour", intent = "sejour.renouvellement" }},
  {{ label = "Non", picto = "aide", next = "b" }},
]

[[nodes]]
id = "b"
question = "Vous avez un rendez-vous ?"
choices = [
  {{ label = "Oui", picto = "calendrier", intent = "sejour.rendez_vous" }},
  {{ label = "Pas encore", picto = "calendrier", intent = "sejour.rendez_vous" }},
]
"#
    )
}

fn check(root: &std::path::Path) -> (i32, String) {
    crate::support::run_check(root, &[])
}

#[test]
fn a_valid_journey_passes() {
    let content = content_copy();
    journey(content.path(), "ok", &base("ok"));
    let (code, out) = check(content.path());
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("parcours/ok.toml"), "{out}");
}

#[test]
fn each_broken_journey_is_an_error_at_its_line() {
    let content = content_copy();
    let root = content.path();
    // (file, content, line, message part)
    let cases: Vec<(&str, String, usize, &str)> = vec![
        (
            "unknown_intent",
            base("unknown_intent").replace("sejour.renouvellement", "sejour.inconnu"),
            10,
            "leads to unknown intent `sejour.inconnu`",
        ),
        (
            "unknown_node",
            base("unknown_node").replace("next = \"b\"", "next = \"z\""),
            11,
            "leads to unknown node `z`",
        ),
        (
            "cycle",
            base("cycle").replace(
                "intent = \"sejour.rendez_vous\" },\n  { label = \"Pas encore\"",
                "next = \"a\" },\n  { label = \"Pas encore\"",
            ),
            18,
            "loops back to node `a`",
        ),
        (
            "nowhere",
            base("nowhere").replace(", intent = \"sejour.renouvellement\"", ""),
            10,
            "choice `Oui` leads nowhere",
        ),
        (
            "one_choice",
            base("one_choice").replace(
                "  { label = \"Pas encore\", picto = \"calendrier\", intent = \"sejour.rendez_vous\" },\n",
                "",
            ),
            15,
            "has 1 choices (2 to 6 expected)",
        ),
        (
            "falc",
            base("falc").replace("Vous avez un rendez-vous ?", "Vous avez deux rendez-vous ?"),
            16,
            "FALC: number in words `deux`",
        ),
        (
            "picto",
            base("picto").replace("picto = \"aide\"", "picto = \"licorne\""),
            11,
            "unknown pictogram `licorne`",
        ),
        (
            "offered",
            base("offered").replace(
                "start = \"a\"",
                "offered_by = [\"sejour.nulle_part\"]\nstart = \"a\"",
            ),
            4,
            "offered_by: unknown intent `sejour.nulle_part`",
        ),
        (
            "domain",
            base("domain").replace("domain = \"sejour\"", "domain = \"mer\""),
            3,
            "domain `mer` must be sejour, ddtm or fs",
        ),
        (
            "start",
            base("start").replace("start = \"a\"", "start = \"debut\""),
            4,
            "start node `debut` does not exist",
        ),
        (
            "misnamed",
            base("autre_nom"),
            1,
            "file name `misnamed.toml` does not match id `parcours.autre_nom`",
        ),
        (
            "syntax",
            base("syntax").replace("question = \"Vous avez un rendez-vous ?\"", "question = Vous"),
            16,
            "invalid TOML",
        ),
    ];
    for (name, body, _, _) in &cases {
        journey(root, name, body);
    }
    // Five questions in a row: the leaf needs 6 taps with the entry.
    let mut deep = String::from(
        "id = \"parcours.deep\"\ntitle = \"Quelle démarche ?\"\ndomain = \"sejour\"\nstart = \"n1\"\n",
    );
    for k in 1..=5 {
        let next = if k < 5 {
            format!("next = \"n{}\"", k + 1)
        } else {
            "intent = \"sejour.rendez_vous\"".to_owned()
        };
        deep.push_str(&format!(
            "\n[[nodes]]\nid = \"n{k}\"\nquestion = \"Question {k} ?\"\nchoices = [\n  {{ label = \"Suite {k}\", picto = \"aide\", {next} }},\n  {{ label = \"Fin {k}\", picto = \"aide\", intent = \"sejour.renouvellement\" }},\n]\n"
        ));
    }
    journey(root, "deep", &deep);

    let (code, out) = check(root);
    assert_eq!(code, 1, "{out}");
    for (name, _, line, message) in &cases {
        let expected = format!("faq/parcours/{name}.toml:{line}: error: ");
        assert!(
            out.lines()
                .any(|l| l.contains(&expected) && l.contains(message)),
            "expected `{expected}…{message}` in:\n{out}"
        );
    }
    assert!(
        out.lines().any(|l| l.contains("faq/parcours/deep.toml:")
            && l.contains("error: `sejour.rendez_vous` needs 6 taps (at most 5)")),
        "{out}"
    );
    // The server refuses such content as a whole.
    let err = accueil::Engine::load(root).expect_err("broken journeys are refused");
    assert!(err
        .0
        .iter()
        .any(|d| d.path.ends_with("faq/parcours/cycle.toml")));
}

#[test]
fn the_shipped_journeys_pass_the_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out) = check(root);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.lines()
            .any(|l| l.contains("faq/parcours/") && l.contains("error")),
        "{out}"
    );
}
