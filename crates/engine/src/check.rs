//! Content validation: what `accueil check` reports.
//!
//! Structural rules (ids, references to pictograms and followups,
//! placeholders, links, duplicate paraphrases across intents) and the FALC
//! rules of DOMAIN.md section b that a machine can check. Errors make the
//! check fail; warnings are advice for the writer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::content::{
    intent_positions, placeholders, Content, ContentError, Diagnostic, Intent, IntentPositions,
    Severity,
};
use crate::falc::{falc_problems, first_chars, sentence_words, sentences, strip_placeholders};
use crate::normalize::{is_stop_word, normalize, stem, words};
use crate::notices::Millis;

/// An answer longer than this many lines is a warning.
pub const ADVISED_ANSWER_LINES: usize = 8;
/// Fewer paraphrases than this is a warning: the matcher needs variety.
pub const ADVISED_QUESTIONS: usize = 12;

/// What the rules need besides the content: the date, for rules about
/// time (a notice that has ended), and the menu the replies offer, for
/// reachability. Given by the caller, so a check says the same thing on
/// every machine and on every day the caller chooses.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Now, in milliseconds since the epoch; `None` skips the rules about
    /// time.
    pub now: Option<Millis>,
    /// The intents the main menu offers (always reachable).
    pub menu: &'a [&'a str],
}

/// Parse everything under `root`, then run every rule: the content the
/// server and the CLI use. Fails if any file has an error, so a server
/// keeps its old content rather than serving half of a new one.
pub fn load(root: &Path, inputs: &Inputs<'_>) -> Result<Content, ContentError> {
    let (mut content, mut diags) = load_with_diagnostics(root, inputs);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        diags.sort_by(|a, b| (a.severity, &a.path, a.line).cmp(&(b.severity, &b.path, b.line)));
        return Err(ContentError(diags));
    }
    content.warnings = diags;
    Ok(content)
}

/// Parse, then check, keeping what could be loaded and every diagnostic
/// (errors and warnings), for `accueil check`.
pub fn load_with_diagnostics(root: &Path, inputs: &Inputs<'_>) -> (Content, Vec<Diagnostic>) {
    let (content, mut diags) = Content::parse(root);
    // Rules across files would only repeat a missing folder's error.
    if !diags
        .iter()
        .any(|d| d.line == 0 && d.message.starts_with("folder not found"))
    {
        validate(&content, inputs, &mut diags);
    }
    (content, diags)
}

/// Run every rule over parsed content, appending diagnostics.
pub fn validate(content: &Content, inputs: &Inputs<'_>, diags: &mut Vec<Diagnostic>) {
    let ids: BTreeSet<&str> = content.intents.iter().map(|i| i.id.as_str()).collect();
    let mut seen_ids: BTreeMap<&str, &Path> = BTreeMap::new();
    for intent in &content.intents {
        let text = content.source(&intent.path);
        let pos = intent_positions(text).unwrap_or_default();
        let mut push = |line: usize, severity: Severity, message: String| {
            diags.push(Diagnostic {
                path: intent.path.clone(),
                line,
                severity,
                message,
            });
        };
        if let Some(first) = seen_ids.insert(&intent.id, &intent.path) {
            push(
                pos.id,
                Severity::Error,
                format!(
                    "duplicate intent id `{}` (also in {})",
                    intent.id,
                    first.display()
                ),
            );
        }
        check_intent(content, intent, text, &pos, &ids, &mut push);
        check_sheet(content, intent, text, &mut push);
        check_english(content, intent, text, &mut push);
        check_jargon(content, intent, text, &mut push);
        check_reviewed(intent.reviewed.as_deref(), text, &mut push);
    }
    check_duplicate_questions(content, diags);
    check_reachability(content, inputs.menu, diags);
    for journey in content.journeys.values() {
        let falc = |text: &str| {
            sentences(text)
                .iter()
                .flat_map(|s| falc_problems(s, &content.glossary))
                .collect::<Vec<_>>()
        };
        let falc_en = |text: &str| {
            sentences(text)
                .iter()
                .flat_map(|s| falc_problems(s, &content.glossary_en))
                .collect::<Vec<_>>()
        };
        crate::journey::validate(
            journey,
            content.source(&journey.path),
            &|id| ids.contains(id),
            &|p| content.pictos.contains_key(p),
            &falc,
            &falc_en,
            diags,
        );
    }
    check_glossary(content, diags);
    check_sites(content, diags);
    crate::notice_rules::check(content, inputs.now, diags);
    for (k, v) in content.lexicon.chained_entries() {
        diags.push(Diagnostic {
            path: content.root.join("intents/lexicon.toml"),
            line: 1,
            severity: Severity::Warning,
            message: format!("lexicon entry `{k}` → `{v}` is rewritten again by another entry"),
        });
    }
}

fn check_intent(
    content: &Content,
    intent: &Intent,
    text: &str,
    pos: &IntentPositions,
    ids: &BTreeSet<&str>,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    if intent.questions.is_empty() {
        push(pos.id, Severity::Error, "intent has no questions".into());
    } else if intent.questions.len() < ADVISED_QUESTIONS && !intent.id.starts_with("conv.") {
        push(
            pos.id,
            Severity::Warning,
            format!(
                "only {} questions (advised: {ADVISED_QUESTIONS} or more)",
                intent.questions.len()
            ),
        );
    }
    if intent.answer.trim().is_empty() {
        push(pos.answer, Severity::Error, "empty answer".into());
    }
    let mut seen_q: HashMap<String, usize> = HashMap::new();
    for (k, q) in intent.questions.iter().enumerate() {
        let line = pos.questions.get(k).copied().unwrap_or(pos.id);
        let n = normalize(q);
        if n.is_empty() {
            push(
                line,
                Severity::Error,
                format!("question `{q}` has no words"),
            );
        } else if let Some(prev) = seen_q.insert(n, line) {
            push(
                line,
                Severity::Warning,
                format!("question `{q}` repeats the one on line {prev}"),
            );
        }
    }
    for (k, p) in intent.pictos.iter().enumerate() {
        if !content.pictos.contains_key(p) {
            push(
                pos.pictos.get(k).copied().unwrap_or(pos.id),
                Severity::Error,
                format!("unknown pictogram `{p}` (not in intents/pictos.toml)"),
            );
        }
    }
    for (k, step) in intent.steps.iter().enumerate() {
        let line = pos.steps.get(k).copied().unwrap_or(pos.id);
        match &step.picto {
            Some(p) if !content.pictos.contains_key(p) => {
                let l = pos.step_pictos.get(k).copied().flatten().unwrap_or(line);
                push(
                    l,
                    Severity::Error,
                    format!(
                        "unknown pictogram `{p}` in step {} (not in intents/pictos.toml)",
                        k + 1
                    ),
                );
            }
            Some(_) => {}
            // Every step shows a picture: people who read with difficulty
            // follow the pictograms.
            None => push(
                line,
                Severity::Error,
                format!("step {} has no pictogram", k + 1),
            ),
        }
    }
    for (k, f) in intent.followups.iter().enumerate() {
        let line = pos.followups.get(k).copied().unwrap_or(pos.id);
        if !ids.contains(f.as_str()) {
            push(line, Severity::Error, format!("unknown followup `{f}`"));
        } else if f == &intent.id {
            push(
                line,
                Severity::Warning,
                "followup points to the intent itself".into(),
            );
        }
    }
    let links = intent
        .links
        .iter()
        .chain(intent.steps.iter().filter_map(|s| s.link.as_ref()));
    for (k, link) in links.enumerate() {
        let line = pos.link_urls.get(k).copied().unwrap_or(pos.id);
        if !is_valid_url(&link.url) {
            push(
                line,
                Severity::Error,
                format!("link `{}` is not an http(s) URL or a placeholder", link.url),
            );
        }
        if link.label.trim().is_empty() {
            push(line, Severity::Error, "link has an empty label".into());
        }
    }
    for s in &intent.sources {
        if !is_valid_url(s) {
            push(
                pos.id,
                Severity::Error,
                format!("source `{s}` is not an http(s) URL"),
            );
        }
    }
    // Placeholders must have a generic form.
    let texts = std::iter::once(intent.answer.as_str())
        .chain(intent.steps.iter().map(|s| s.text.as_str()))
        .chain(intent.links.iter().map(|l| l.url.as_str()))
        .chain(
            intent
                .steps
                .iter()
                .filter_map(|s| s.link.as_ref())
                .map(|l| l.url.as_str()),
        );
    for t in texts {
        for (_, key) in placeholders(t) {
            if !content.generic.values.contains_key(&key) {
                push(line_containing(text, &format!("{{{{{key}")).unwrap_or(pos.answer), Severity::Error,
                    format!("placeholder `{{{{{key}}}}}` has no generic value in faq/sites/_generique.toml"));
            }
        }
    }
    // FALC rules on what users read.
    let answer_lines = intent
        .answer
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    if answer_lines > ADVISED_ANSWER_LINES {
        push(
            pos.answer,
            Severity::Warning,
            format!("answer has {answer_lines} lines (advised: {ADVISED_ANSWER_LINES} at most)"),
        );
    }
    let readable =
        std::iter::once(intent.answer.as_str()).chain(intent.steps.iter().map(|s| s.text.as_str()));
    for block in readable {
        for sentence in sentences(block) {
            let line = line_containing(text, first_chars(&sentence, 30)).unwrap_or(pos.answer);
            for (severity, message) in falc_problems(&sentence, &content.glossary) {
                push(line, severity, message);
            }
        }
    }
}

/// A sheet has at most this many papers: more is a list nobody reads.
pub const MAX_SHEET_PAPERS: usize = 8;

fn check_sheet(
    content: &Content,
    intent: &Intent,
    text: &str,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    let Some(sheet) = &intent.sheet else {
        return;
    };
    let at = line_containing(text, "[sheet]").unwrap_or(1);
    sheet_rules(content, sheet, text, at, "[sheet]", &content.glossary, push);
}

fn sheet_rules(
    content: &Content,
    sheet: &crate::content::Sheet,
    text: &str,
    at: usize,
    name: &str,
    glossary: &BTreeMap<String, String>,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    if sheet.who.trim().is_empty() {
        push(
            at,
            Severity::Error,
            format!("{name}: `who` is empty (who the démarche is for)"),
        );
    }
    if sheet.place.trim().is_empty() {
        push(
            at,
            Severity::Error,
            format!("{name}: `where` is empty (where it is done)"),
        );
    }
    if sheet.papers.len() > MAX_SHEET_PAPERS {
        push(
            at,
            Severity::Warning,
            format!(
                "{name}: {} papers (advised: {MAX_SHEET_PAPERS} at most, the rest in the linked page)",
                sheet.papers.len()
            ),
        );
    }
    for t in sheet.texts() {
        let line = line_containing(text, first_chars(t, 30)).unwrap_or(at);
        if t.trim().is_empty() {
            push(line, Severity::Error, format!("{name}: empty text"));
        }
        for (_, key) in placeholders(t) {
            if !content.generic.values.contains_key(&key) {
                push(
                    line,
                    Severity::Error,
                    format!("placeholder `{{{{{key}}}}}` has no generic value in faq/sites/_generique.toml"),
                );
            }
        }
        for s in sentences(t) {
            for (severity, message) in falc_problems(&s, glossary) {
                push(line, severity, format!("{name}: {message}"));
            }
        }
    }
}

/// The English part follows the French one: the same steps (whose
/// pictograms it shows), the same link addresses, the same sheet rows.
fn check_english(
    content: &Content,
    intent: &Intent,
    text: &str,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    let at = line_containing(text, "[en]").unwrap_or(1);
    let Some(en) = &intent.en else {
        return;
    };
    if en.title.trim().is_empty() {
        push(at, Severity::Error, "[en]: empty title".into());
    }
    if en.answer.trim().is_empty() {
        push(at, Severity::Error, "[en]: empty answer".into());
    }
    let lines = en.answer.lines().filter(|l| !l.trim().is_empty()).count();
    if lines > ADVISED_ANSWER_LINES {
        push(
            at,
            Severity::Warning,
            format!("[en]: answer has {lines} lines (advised: {ADVISED_ANSWER_LINES} at most)"),
        );
    }
    if en.steps.len() != intent.steps.len() {
        push(
            at,
            Severity::Error,
            format!(
                "[en]: {} steps, the French part has {} (one English step per step)",
                en.steps.len(),
                intent.steps.len()
            ),
        );
    }
    for (k, (e, f)) in en.steps.iter().zip(&intent.steps).enumerate() {
        let line = line_containing(text, first_chars(&e.text, 30)).unwrap_or(at);
        match (&e.link, &f.link) {
            (Some(el), Some(fl)) if el.url != fl.url => push(
                line,
                Severity::Error,
                format!(
                    "[en] step {}: link `{}` differs from the French `{}`",
                    k + 1,
                    el.url,
                    fl.url
                ),
            ),
            (Some(_), None) => push(
                line,
                Severity::Error,
                format!("[en] step {}: has a link, the French step has none", k + 1),
            ),
            (None, Some(_)) => push(
                line,
                Severity::Error,
                format!(
                    "[en] step {}: the French step has a link: give it an English label",
                    k + 1
                ),
            ),
            _ => {}
        }
        if e.link.as_ref().is_some_and(|l| l.label.trim().is_empty()) {
            push(
                line,
                Severity::Error,
                format!("[en] step {}: empty link label", k + 1),
            );
        }
    }
    if en.links.len() != intent.links.len() {
        push(
            at,
            Severity::Error,
            format!(
                "[en]: {} links, the French part has {}",
                en.links.len(),
                intent.links.len()
            ),
        );
    }
    for (e, f) in en.links.iter().zip(&intent.links) {
        if e.url != f.url {
            push(
                line_containing(text, &e.url).unwrap_or(at),
                Severity::Error,
                format!(
                    "[en]: link `{}` differs from the French `{}` (same order)",
                    e.url, f.url
                ),
            );
        }
        if e.label.trim().is_empty() {
            push(at, Severity::Error, "[en]: link has an empty label".into());
        }
    }
    match (&en.sheet, &intent.sheet) {
        (Some(es), Some(fs)) => {
            let line = line_containing(text, "[en.sheet]").unwrap_or(at);
            if es.papers.len() != fs.papers.len()
                || es.cost.is_some() != fs.cost.is_some()
                || es.delay.is_some() != fs.delay.is_some()
            {
                push(
                    line,
                    Severity::Error,
                    "[en.sheet]: not the same rows (papers, cost, delay) as [sheet]".into(),
                );
            }
            sheet_rules(
                content,
                es,
                text,
                line,
                "[en.sheet]",
                &content.glossary_en,
                push,
            );
        }
        (None, Some(_)) => push(
            at,
            Severity::Error,
            "[en]: the intent has a [sheet]: give [en.sheet]".into(),
        ),
        (Some(_), None) => push(
            at,
            Severity::Error,
            "[en.sheet] without a French [sheet]".into(),
        ),
        (None, None) => {}
    }
    let readable =
        std::iter::once(en.answer.as_str()).chain(en.steps.iter().map(|s| s.text.as_str()));
    for block in readable {
        for sentence in sentences(block) {
            let line = line_containing(text, first_chars(&sentence, 30)).unwrap_or(at);
            for (severity, message) in falc_problems(&sentence, &content.glossary_en) {
                push(line, severity, format!("[en]: {message}"));
            }
        }
    }
}

/// What people read of an intent in one language: answer, steps, sheet.
fn readable_texts<'a>(
    answer: &'a str,
    steps: &'a [crate::content::Step],
    sheet: Option<&'a crate::content::Sheet>,
) -> impl Iterator<Item = &'a str> {
    std::iter::once(answer)
        .chain(steps.iter().map(|s| s.text.as_str()))
        .chain(sheet.into_iter().flat_map(|s| s.texts()))
}

/// Whether `glossary` explains `term` (keys compared once normalised).
fn explains(glossary: &BTreeMap<String, String>, term: &str) -> bool {
    let n = normalize(term);
    glossary.keys().any(|k| normalize(k) == n)
}

/// A jargon word an answer uses must be explained by the glossary (the
/// reply then shows its explanation), in each language the intent has.
fn check_jargon(
    content: &Content,
    intent: &Intent,
    text: &str,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    if content.jargon.is_empty() {
        return;
    }
    let terms: Vec<(&String, String)> = content.jargon.iter().map(|t| (t, normalize(t))).collect();
    let mut check = |texts: Vec<&str>, glossary: &BTreeMap<String, String>, lang: &str| {
        let mut warned: BTreeSet<&str> = BTreeSet::new();
        for t in texts {
            let norm = normalize(&strip_placeholders(t));
            let tw: Vec<&str> = words(&norm).collect();
            for (term, n) in &terms {
                let term_words: Vec<&str> = words(n).collect();
                if crate::terms::find_term(&tw, &term_words).is_some()
                    && !explains(glossary, term)
                    && warned.insert(term.as_str())
                {
                    push(
                        line_containing(text, first_chars(t, 30)).unwrap_or(1),
                        Severity::Warning,
                        format!(
                            "plain words: `{term}` is jargon and the glossary{lang} does not explain it (explain it in intents/glossary.toml, or say it plainly)"
                        ),
                    );
                }
            }
        }
    };
    check(
        readable_texts(&intent.answer, &intent.steps, intent.sheet.as_ref()).collect(),
        &content.glossary,
        "",
    );
    if let Some(en) = &intent.en {
        check(
            readable_texts(&en.answer, &en.steps, en.sheet.as_ref()).collect(),
            &content.glossary_en,
            "'s [en] table",
        );
    }
}

/// `reviewed` is a real calendar date (`2026-12-07`).
fn check_reviewed(
    reviewed: Option<&str>,
    text: &str,
    push: &mut dyn FnMut(usize, Severity, String),
) {
    if let Some(r) = reviewed {
        if r.parse::<jiff::civil::Date>().is_err() {
            push(
                line_containing(text, "reviewed").unwrap_or(1),
                Severity::Error,
                format!("`reviewed` must be a date like 2026-12-07, got `{r}`"),
            );
        }
    }
}

/// Glossary entries are short and plain; every jargon word has one.
fn check_glossary(content: &Content, diags: &mut Vec<Diagnostic>) {
    let path = content.root.join("intents/jargon.toml");
    for term in &content.jargon {
        if term.trim().is_empty() || normalize(term).is_empty() {
            diags.push(Diagnostic {
                path: path.clone(),
                line: 1,
                severity: Severity::Error,
                message: "empty jargon term".into(),
            });
        }
    }
    let gpath = content.root.join("intents/glossary.toml");
    for (k, _) in content.glossary_en.iter() {
        if !content.glossary.contains_key(k) {
            diags.push(Diagnostic {
                path: gpath.clone(),
                line: 1,
                severity: Severity::Warning,
                message: format!("[en] entry `{k}` has no French entry"),
            });
        }
    }
}

fn is_valid_url(url: &str) -> bool {
    let u = url.trim();
    if u.starts_with("{{") && u.ends_with("}}") {
        return true;
    }
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() > 10
        && !u.contains(char::is_whitespace)
        && u.split("://")
            .nth(1)
            .is_some_and(|rest| rest.split('/').next().is_some_and(|h| h.contains('.')))
}

fn line_containing(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|p| p + 1)
}

/// Same paraphrase in two intents: an error when identical once normalised;
/// a warning when the informative words are the same (the matcher cannot
/// tell them apart).
fn check_duplicate_questions(content: &Content, diags: &mut Vec<Diagnostic>) {
    let mut exact: HashMap<String, &Intent> = HashMap::new();
    let mut near: HashMap<Vec<String>, (&Intent, &str)> = HashMap::new();
    for intent in &content.intents {
        let text = content.source(&intent.path);
        // Titles and keywords are matched like paraphrases, so they count
        // too, but only as near duplicates (warnings).
        let entries = intent
            .questions
            .iter()
            .map(|q| (q, "question"))
            .chain(std::iter::once((&intent.title, "title")))
            .chain(intent.keywords.iter().map(|k| (k, "keyword")));
        for (q, kind) in entries {
            let n = normalize(q);
            let line = line_containing(text, first_chars(q, 40)).unwrap_or(1);
            let (ws, _) = content.lexicon.apply(words(&n));
            let whole = ws.join(" ");
            if kind == "question" {
                if let Some(other) = exact.get(&whole) {
                    if other.id != intent.id {
                        diags.push(Diagnostic {
                            path: intent.path.clone(),
                            line,
                            severity: Severity::Error,
                            message: format!("question `{q}` is also a question of `{}`", other.id),
                        });
                    }
                    continue;
                }
                exact.insert(whole, intent);
            }
            let mut key: Vec<String> = ws
                .iter()
                .filter(|w| !is_stop_word(w))
                .map(|w| stem(w))
                .collect();
            key.sort();
            key.dedup();
            if key.is_empty() {
                continue;
            }
            // One shared word between a keyword and another intent is
            // normal ("avocat"); a shared expression is worth a look.
            let report = kind == "question" || key.len() >= 2;
            match near.get(&key) {
                Some((other, oq)) if other.id != intent.id && report => diags.push(Diagnostic {
                    path: intent.path.clone(),
                    line,
                    severity: Severity::Warning,
                    message: format!(
                        "{kind} `{q}` has the same words as `{oq}` of `{}`",
                        other.id
                    ),
                }),
                Some(_) => {}
                None => {
                    near.insert(key, (intent, q));
                }
            }
        }
    }
}

/// Intents that nothing leads to: no followup of another intent, no journey,
/// no welcome menu. People can still type their way there, but a kiosk
/// user, who navigates by touch, could never reach them.
fn check_reachability(content: &Content, menu: &[&str], diags: &mut Vec<Diagnostic>) {
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    for intent in &content.intents {
        for f in &intent.followups {
            if f != &intent.id {
                reached.insert(f);
            }
        }
    }
    for j in content.journeys.values() {
        reached.extend(j.leaves());
    }
    reached.extend(menu.iter().copied());
    for intent in &content.intents {
        if intent.domain == crate::content::Domain::Conversation
            || reached.contains(intent.id.as_str())
        {
            continue;
        }
        diags.push(Diagnostic {
            path: intent.path.clone(),
            line: 1,
            severity: Severity::Warning,
            message: format!("`{}` is reached by no followup, journey or main topic: add it to a related intent's followups", intent.id),
        });
    }
}

fn check_sites(content: &Content, diags: &mut Vec<Diagnostic>) {
    for site in content.sites.values() {
        let text = content.source(&site.path);
        let mut error = |line: Option<usize>, message: String| {
            diags.push(Diagnostic {
                path: site.path.clone(),
                line: line.unwrap_or(1),
                severity: Severity::Error,
                message,
            });
        };
        for d in &site.domains {
            if !crate::content::Domain::ALL
                .iter()
                .any(|k| *k != crate::content::Domain::Conversation && k.name() == d)
            {
                error(
                    line_containing(text, "domains"),
                    format!("unknown domain `{d}` in `domains` (sejour, ddtm or fs)"),
                );
            }
        }
        for id in &site.topics {
            if content.intent(id).is_none() {
                error(
                    line_containing(text, "topics"),
                    format!("unknown intent `{id}` in `topics`"),
                );
            }
        }
        if let Some(h) = &site.handoff {
            let line = line_containing(text, "[handoff]");
            if h.email.is_none() && h.url.is_none() {
                error(line, "[handoff] needs an `email` or a `url`".into());
            }
            if let Some(e) = &h.email {
                let ok = e.split_once('@').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && b.contains('.')
                        && !e.chars().any(|c| c.is_whitespace() || "<>,;?&".contains(c))
                });
                if !ok {
                    error(
                        line,
                        format!("handoff.email `{e}` is not an e-mail address"),
                    );
                }
            }
            if let Some(u) = &h.url {
                if !is_valid_url(u) {
                    error(line, format!("handoff.url `{u}` is not an http(s) URL"));
                }
            }
            if h.label.trim().is_empty() {
                error(
                    line,
                    "[handoff] needs a `label` (who receives the question)".into(),
                );
            }
        }
        if let Some(r) = &site.reviewed {
            if r.parse::<jiff::civil::Date>().is_err() {
                error(
                    line_containing(text, "reviewed"),
                    format!("`reviewed` must be a date like 2026-12-07, got `{r}`"),
                );
            }
        }
        for (key, value) in &site.values {
            let line = line_containing(text, first_chars(value, 30)).unwrap_or(1);
            // `[en]` values are the English wording of a French value:
            // that one's source backs them.
            if let Some(french) = key.strip_prefix("en.") {
                if !site.values.contains_key(french) && !content.generic.values.contains_key(french)
                {
                    diags.push(Diagnostic {
                        path: site.path.clone(),
                        line,
                        severity: Severity::Warning,
                        message: format!(
                            "English value `{key}` translates no French value `{french}`"
                        ),
                    });
                }
                continue;
            }
            if key != "nom" && !content.generic.values.contains_key(key) {
                diags.push(Diagnostic {
                    path: site.path.clone(),
                    line,
                    severity: Severity::Warning,
                    message: format!(
                        "site value `{key}` is not a known placeholder (not in _generique.toml)"
                    ),
                });
            }
            if key != "nom" && !site.sources.contains_key(key) {
                diags.push(Diagnostic {
                    path: site.path.clone(),
                    line,
                    severity: Severity::Error,
                    message: format!("site value `{key}` has no source (add it under [sources])"),
                });
            }
            for s in sentences(value) {
                for (severity, message) in falc_problems(&s, &content.glossary) {
                    if severity == Severity::Error {
                        diags.push(Diagnostic {
                            path: site.path.clone(),
                            line,
                            severity,
                            message,
                        });
                    }
                }
            }
        }
        for (key, url) in &site.sources {
            if !is_valid_url(url) {
                diags.push(Diagnostic {
                    path: site.path.clone(),
                    line: line_containing(text, url).unwrap_or(1),
                    severity: Severity::Error,
                    message: format!("source of `{key}` is not an http(s) URL"),
                });
            }
        }
    }
}

/// One line of `accueil check --report`: a file whose facts were checked
/// longer ago than the allowed age, or never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleReview {
    /// The intent's id, or the site's (`site:<id>`).
    pub id: String,
    pub path: std::path::PathBuf,
    pub reviewed: Option<String>,
    /// Days since `reviewed`; `None` when never reviewed.
    pub age_days: Option<i64>,
}

/// The residence-permit and conversation intents and journeys that have
/// no English text yet (their English replies show the French answer with
/// a line saying so): listed by `accueil check --report`.
pub fn missing_english(content: &Content) -> Vec<String> {
    use crate::content::Domain;
    let intents = content
        .intents
        .iter()
        .filter(|i| matches!(i.domain, Domain::Sejour | Domain::Conversation) && i.en.is_none())
        .map(|i| i.id.clone());
    let journeys = content
        .journeys
        .values()
        .filter(|j| j.domain == "sejour" && j.en.is_none())
        .map(|j| j.id.clone());
    intents.chain(journeys).collect()
}

/// The intents carrying facts (they cite sources) and the sites whose
/// review is older than `max_age_days` on `today`, or missing: the
/// oldest first, never-reviewed ones at the top.
pub fn stale_reviews(
    content: &Content,
    today: jiff::civil::Date,
    max_age_days: i64,
) -> Vec<StaleReview> {
    let age = |r: Option<&str>| -> Option<Option<i64>> {
        match r.and_then(|r| r.parse::<jiff::civil::Date>().ok()) {
            None => Some(None),
            Some(d) => {
                // A civil date difference is counted in days.
                let days = i64::from((today - d).get_days());
                (days > max_age_days).then_some(Some(days))
            }
        }
    };
    let mut out: Vec<StaleReview> = Vec::new();
    for intent in content.intents.iter().filter(|i| !i.sources.is_empty()) {
        if let Some(age_days) = age(intent.reviewed.as_deref()) {
            out.push(StaleReview {
                id: intent.id.clone(),
                path: intent.path.clone(),
                reviewed: intent.reviewed.clone(),
                age_days,
            });
        }
    }
    for site in content.sites.values() {
        if let Some(age_days) = age(site.reviewed.as_deref()) {
            out.push(StaleReview {
                id: format!("site:{}", site.id),
                path: site.path.clone(),
                reviewed: site.reviewed.clone(),
                age_days,
            });
        }
    }
    out.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.age_days.unwrap_or(i64::MAX)),
            s.id.clone(),
        )
    });
    out
}

/// French syllables of a word, by vowel groups (a silent final `e` does
/// not count). Good enough for a readability score.
pub fn syllables(word: &str) -> usize {
    let w = normalize(word);
    let vowels = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut count = 0;
    let mut prev = false;
    for c in w.chars() {
        let v = vowels(c);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let silent = w.len() > 3 && (w.ends_with('e') || w.ends_with("es") || w.ends_with("ent"));
    if silent && count > 1 {
        count -= 1;
    }
    count.max(1)
}

/// Readability of one intent's answer and steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Readability {
    pub id: String,
    pub sentences: usize,
    pub words_per_sentence: f64,
    /// Kandel & Moles: 207 − 1.015 × words/sentence − 73.6 × syllables/word.
    pub kandel_moles: f64,
}

pub fn readability(intent: &Intent) -> Readability {
    let mut sentences_n = 0usize;
    let mut words_n = 0usize;
    let mut syll = 0usize;
    let blocks =
        std::iter::once(intent.answer.as_str()).chain(intent.steps.iter().map(|s| s.text.as_str()));
    for block in blocks {
        for s in sentences(&strip_placeholders(block)) {
            let ws = sentence_words(&s);
            if ws.is_empty() {
                continue;
            }
            sentences_n += 1;
            words_n += ws.len();
            syll += ws.iter().map(|w| syllables(w)).sum::<usize>();
        }
    }
    let wps = if sentences_n == 0 {
        0.0
    } else {
        words_n as f64 / sentences_n as f64
    };
    let spw = if words_n == 0 {
        0.0
    } else {
        syll as f64 / words_n as f64
    };
    Readability {
        id: intent.id.clone(),
        sentences: sentences_n,
        words_per_sentence: wps,
        kandel_moles: 207.0 - 1.015 * wps - 73.6 * spw,
    }
}

/// `accueil check --report`: per intent figures, then the ten hardest.
pub fn readability_report(content: &Content) -> String {
    use std::fmt::Write as _;
    let mut rows: Vec<Readability> = content.intents.iter().map(readability).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<36} {:>9} {:>14} {:>12}",
        "intent", "sentences", "words/sentence", "Kandel-Moles"
    );
    for r in &rows {
        let _ = writeln!(
            out,
            "{:<36} {:>9} {:>14.1} {:>12.1}",
            r.id, r.sentences, r.words_per_sentence, r.kandel_moles
        );
    }
    rows.sort_by(|a, b| a.kandel_moles.total_cmp(&b.kandel_moles));
    let _ = writeln!(
        out,
        "\nhardest to read (lowest Kandel-Moles; project target ≥ 70):"
    );
    for r in rows.iter().take(10) {
        let _ = writeln!(out, "  {:<36} {:>6.1}", r.id, r.kandel_moles);
    }
    if !rows.is_empty() {
        let mean = rows.iter().map(|r| r.kandel_moles).sum::<f64>() / rows.len() as f64;
        let _ = writeln!(out, "mean Kandel-Moles: {mean:.1}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllable_counts() {
        assert_eq!(syllables("carte"), 1);
        assert_eq!(syllables("séjour"), 2);
        assert_eq!(syllables("préfecture"), 3);
        assert_eq!(syllables("a"), 1);
    }

    #[test]
    fn urls() {
        assert!(is_valid_url("https://www.service-public.fr/x"));
        assert!(is_valid_url("{{prefecture.rdv}}"));
        assert!(!is_valid_url("www.service-public.fr"));
        assert!(!is_valid_url("https://a b.fr"));
    }
}
