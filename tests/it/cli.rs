//! The command line, as outside tooling uses it.
//!
//! Properties checked: `check` passes on the shipped content and covers the
//! catalogue; a broken file gives `file:line` and a non-zero exit without
//! hiding the other files' problems; `ask` prints an answer with steps and
//! pictograms; `match --jsonl` keeps order and shape; `eval` reports the
//! measures; bad input gets a clear error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accueil"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    bin()
        .current_dir(root())
        .args(args)
        .output()
        .expect("run accueil")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scratch copy of a small content tree, removed on drop.
struct TempContent(tempfile::TempDir);

impl TempContent {
    fn new() -> TempContent {
        let tmp = tempfile::Builder::new()
            .prefix("accueil-cli-")
            .tempdir()
            .unwrap();
        let dir = tmp.path();
        for sub in ["faq/sites", "faq/titres-de-sejour", "intents/conv"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        for f in [
            "intents/pictos.toml",
            "intents/glossary.toml",
            "intents/lexicon.toml",
            "faq/sites/_generique.toml",
        ] {
            std::fs::copy(root().join(f), dir.join(f)).unwrap();
        }
        TempContent(tmp)
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.0.path().join(rel), text).unwrap();
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

const GOOD: &str = r#"
id = "conv.merci"
title = "Merci"
questions = ["merci", "merci beaucoup"]
answer = "Avec plaisir."
"#;

#[test]
fn check_passes_on_shipped_content_and_catalogue() {
    let o = run(&[
        "check",
        "--quiet",
        "--catalogue",
        "tests/data/catalogue.tsv",
    ]);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains(" 0 error(s)"), "{}", stdout(&o));
}

#[test]
fn broken_file_gives_file_line_and_nonzero_exit() {
    let t = TempContent::new();
    t.write("intents/conv/merci.toml", GOOD);
    t.write("intents/conv/bonjour.toml", "id = \"conv.bonjour\"\nquestions = [\n  \"bonjour\",\n  pas_une_chaine\n]\nanswer = \"Bonjour.\"\n");
    let o = bin()
        .arg("--content")
        .arg(t.path())
        .arg("check")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(out.contains("bonjour.toml:4: error: invalid TOML"), "{out}");
    // The good file is still loaded and counted.
    assert!(out.contains("1 intents"), "{out}");
    // And the server-side commands refuse to start on broken content.
    let o = bin()
        .arg("--content")
        .arg(t.path())
        .args(["ask", "merci"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("bonjour.toml:4"));
}

#[test]
fn semantic_errors_name_the_line() {
    let t = TempContent::new();
    t.write(
        "intents/conv/merci.toml",
        "id = \"conv.merci\"\nquestions = [\"merci\"]\nanswer = \"Avec plaisir.\"\npictos = [\"licorne\"]\nfollowups = [\"conv.inconnu\"]\n",
    );
    let o = bin()
        .arg("--content")
        .arg(t.path())
        .arg("check")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(!o.status.success());
    assert!(
        out.contains("merci.toml:4: error: unknown pictogram `licorne`"),
        "{out}"
    );
    assert!(
        out.contains("merci.toml:5: error: unknown followup `conv.inconnu`"),
        "{out}"
    );
}

#[test]
fn misplaced_key_after_steps_is_explained() {
    let t = TempContent::new();
    t.write(
        "intents/conv/merci.toml",
        "id = \"conv.merci\"\nquestions = [\"merci\"]\nanswer = \"Avec plaisir.\"\n[[steps]]\ntext = \"Un.\"\npicto = \"information\"\npictos = [\"information\"]\n",
    );
    let o = bin()
        .arg("--content")
        .arg(t.path())
        .arg("check")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(!o.status.success());
    assert!(out.contains("move it above the first header"), "{out}");
}

#[test]
fn check_reports_missing_catalogue_ids() {
    let t = TempContent::new();
    t.write("intents/conv/merci.toml", GOOD);
    t.write(
        "catalogue.tsv",
        "id\tdomain\tscope\nconv.merci\tconversation\tx\nconv.absent\tconversation\ty\n",
    );
    let o = bin()
        .arg("--content")
        .arg(t.path())
        .arg("check")
        .arg("--catalogue")
        .arg(t.path().join("catalogue.tsv"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("catalogue.tsv:3: error: catalogue intent `conv.absent` is missing"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn ask_prints_answer_with_steps_and_pictograms() {
    let o = run(&["ask", "jai perdu mon recepicé"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("Les étapes"), "{out}");
    assert!(out.contains("Pictogrammes") || out.contains("["), "{out}");
}

#[test]
fn ask_with_unknown_site_is_refused() {
    let o = run(&["ask", "bonjour", "--site", "nulle-part"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown site `nulle-part`"));
}

#[test]
fn match_jsonl_keeps_order_and_shape() {
    let mut child = bin()
        .current_dir(root())
        .args(["match", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all("bonjour\nquelle est la recette de la blanquette\n\n\u{0}\u{1}binaire\ncomment renouveler mon titre de séjour\n".as_bytes()).unwrap();
        stdin.write_all(&[0xff, 0xfe, b'\n']).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["question"], "bonjour");
    assert_eq!(lines[0]["outcome"], "answer");
    assert_eq!(lines[0]["intent"], "conv.bonjour");
    assert_eq!(lines[1]["outcome"], "fallback");
    assert!(lines[1]["intent"].is_null());
    assert_eq!(lines[2]["outcome"], "fallback");
    assert_eq!(lines[4]["intent"], "sejour.renouvellement");
    for l in &lines {
        let c = l["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
        assert!(l["candidates"].is_array());
        for k in ["question", "outcome", "intent", "confidence", "candidates"] {
            assert!(l.get(k).is_some(), "missing {k} in {l}");
        }
    }
}

#[test]
fn eval_prints_measures_and_rejects_bad_files() {
    let o = run(&["eval", "tests/data/dev.tsv"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for needle in [
        "accuracy",
        "wrong-answer rate",
        "clarify rate",
        "out-of-scope rejection",
        "per domain",
        "sejour",
    ] {
        assert!(out.contains(needle), "missing {needle}: {out}");
    }
    let t = TempContent::new();
    t.write("bad.tsv", "question\texpected\nsans tabulation\n");
    let o = run(&["eval", t.path().join("bad.tsv").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2"));
}

/// `ask --explain` shows what the decision read: its signals and, with the
/// shipped calibration, both probabilities.
#[test]
fn explain_shows_the_decision_signals() {
    let o = run(&[
        "ask",
        "--explain",
        "Bonjour, depuis hier je ne trouve plus le recepicé. Que faire ? Merci",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    for key in [
        "\"signals\"",
        "\"features\"",
        "\"asked_agree\"",
        "\"answer\"",
        "\"offer\"",
    ] {
        assert!(out.contains(key), "{key} missing:\n{out}");
    }
}
