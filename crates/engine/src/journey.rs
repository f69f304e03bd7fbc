//! Guided journeys ("parcours à choix multiples").
//!
//! Many people do not know the name of their procedure. A journey is a
//! small tree of questions with 2 to 6 choices each (label + pictogram);
//! each choice leads to another question or to an intent's answer. Journey
//! files live in `faq/parcours/`. Validation (part of `accueil check`):
//! every choice leads somewhere, no cycle, every target exists, every leaf
//! within [`MAX_TAPS`] taps of the start, FALC rules on what people read.
//! Walking a journey is a pure function of (journey, path, choice), so the
//! conversation keeps only node ids in its session.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{line_of, Diagnostic, Severity};

/// A person at the kiosk reaches every answer in at most this many taps.
pub const MAX_TAPS: usize = 5;
pub const MIN_CHOICES: usize = 2;
pub const MAX_CHOICES: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Target {
    /// Another question of the journey.
    Node(String),
    /// An intent's answer: the end of the journey.
    Intent(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    pub label: String,
    pub picto: Option<String>,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    pub id: String,
    pub question: String,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Journey {
    pub id: String,
    pub title: String,
    /// Domain prefix of the intents it leads to (`sejour`, `ddtm`, `fs`).
    pub domain: String,
    pub picto: Option<String>,
    /// Intents whose answer offers this journey as a quick reply.
    pub offered_by: Vec<String>,
    pub start: String,
    pub nodes: Vec<Node>,
    /// The English wording (`[en]`), when written.
    #[serde(skip)]
    pub en: Option<JourneyEnglish>,
    #[serde(skip)]
    pub path: std::path::PathBuf,
}

/// A journey's English wording: its title, and for each node its question
/// and its choices' labels in the French order (`[en.nodes.<id>]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyEnglish {
    pub title: String,
    #[serde(default)]
    pub nodes: std::collections::BTreeMap<String, NodeEnglish>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEnglish {
    pub question: String,
    pub choices: Vec<String>,
}

impl Journey {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Every intent a journey can end on.
    pub fn leaves(&self) -> BTreeSet<&str> {
        self.nodes
            .iter()
            .flat_map(|n| n.choices.iter())
            .filter_map(|c| match &c.target {
                Target::Intent(i) => Some(i.as_str()),
                Target::Node(_) => None,
            })
            .collect()
    }

    /// For each leaf, the fewest taps from the start (entering the journey
    /// counts as one tap at the kiosk).
    pub fn taps_to_leaves(&self) -> BTreeMap<String, usize> {
        let mut best: BTreeMap<String, usize> = BTreeMap::new();
        let mut frontier = vec![(self.start.clone(), 1usize)];
        let mut seen: HashSet<String> = HashSet::new();
        while let Some((id, depth)) = frontier.pop() {
            if !seen.insert(format!("{id}@{depth}")) || depth > self.nodes.len() + 1 {
                continue;
            }
            let Some(node) = self.node(&id) else { continue };
            for c in &node.choices {
                match &c.target {
                    Target::Intent(i) => {
                        let e = best.entry(i.clone()).or_insert(usize::MAX);
                        *e = (*e).min(depth + 1);
                    }
                    Target::Node(n) => frontier.push((n.clone(), depth + 1)),
                }
            }
        }
        best
    }
}

impl Journey {
    /// The node ids from the start to `node`, both included, by the
    /// fewest choices; `None` if `node` cannot be reached. A walk keeps
    /// only node ids, so this rebuilds a path when the session that held
    /// it has ended (a button tapped on an old page).
    pub fn path_to(&self, node: &str) -> Option<Vec<String>> {
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([self.start.as_str()]);
        let mut seen: HashSet<&str> = HashSet::from([self.start.as_str()]);
        self.node(&self.start)?;
        while let Some(id) = queue.pop_front() {
            if id == node {
                let mut path = vec![id.to_owned()];
                let mut at = id;
                while let Some(p) = parent.get(at) {
                    path.push((*p).to_owned());
                    at = p;
                }
                path.reverse();
                return Some(path);
            }
            let Some(n) = self.node(id) else { continue };
            for c in &n.choices {
                if let Target::Node(next) = &c.target {
                    if self.node(next).is_some() && seen.insert(next) {
                        parent.insert(next, id);
                        queue.push_back(next);
                    }
                }
            }
        }
        None
    }
}

/// The journeys that the answer of `intent` offers (their `offered_by`
/// lists it), in id order.
pub fn offered_by<'a>(
    journeys: &'a BTreeMap<String, Journey>,
    intent: &'a str,
) -> impl Iterator<Item = &'a Journey> + 'a {
    journeys
        .values()
        .filter(move |j| j.offered_by.iter().any(|o| o == intent))
}

/// Where a walk stands after a choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    /// Ask this question next.
    Ask(&'a Node),
    /// Show this intent's answer; the journey is over.
    Answer(&'a str),
}

impl Journey {
    /// Follow choice `k` of the node at the end of `path` (node ids from the
    /// start). `None` if the path or the choice does not exist.
    pub fn choose(&self, path: &[String], k: usize) -> Option<Step<'_>> {
        let current = path
            .last()
            .map(String::as_str)
            .unwrap_or(self.start.as_str());
        let node = self.node(current)?;
        match &node.choices.get(k)?.target {
            Target::Node(n) => self.node(n).map(Step::Ask),
            Target::Intent(i) => Some(Step::Answer(i)),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    label: Spanned<String>,
    picto: Option<String>,
    next: Option<String>,
    intent: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    question: Spanned<String>,
    choices: Vec<RawChoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJourney {
    id: Spanned<String>,
    title: String,
    domain: String,
    picto: Option<String>,
    #[serde(default)]
    offered_by: Vec<String>,
    start: Spanned<String>,
    nodes: Vec<RawNode>,
    en: Option<JourneyEnglish>,
}

/// Parse one journey file; structural problems become diagnostics.
pub fn parse(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Journey> {
    let err = |line: usize, message: String| Diagnostic {
        path: path.to_path_buf(),
        line,
        severity: Severity::Error,
        message,
    };
    let raw: RawJourney = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            diags.push(err(
                line,
                format!("invalid TOML: {}", e.message().trim().replace('\n', " ")),
            ));
            return None;
        }
    };
    let id_line = line_of(text, raw.id.span().start);
    let id = raw.id.into_inner();
    if !id.starts_with("parcours.") {
        diags.push(err(
            id_line,
            format!("journey id `{id}` must start with `parcours.`"),
        ));
    }
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        if id.strip_prefix("parcours.") != Some(stem) {
            diags.push(err(
                id_line,
                format!("file name `{stem}.toml` does not match id `{id}`"),
            ));
        }
    }
    let mut nodes = Vec::new();
    for n in raw.nodes {
        let line = line_of(text, n.id.span().start);
        let mut choices = Vec::new();
        for c in n.choices {
            let cline = line_of(text, c.label.span().start);
            let target = match (c.next, c.intent) {
                (Some(next), None) => Target::Node(next),
                (None, Some(intent)) => Target::Intent(intent),
                (Some(_), Some(_)) => {
                    diags.push(err(
                        cline,
                        "a choice has both `next` and `intent`: give one".into(),
                    ));
                    continue;
                }
                (None, None) => {
                    diags.push(err(
                        cline,
                        format!(
                            "choice `{}` leads nowhere: give `next` or `intent`",
                            c.label.get_ref()
                        ),
                    ));
                    continue;
                }
            };
            choices.push(Choice {
                label: c.label.into_inner(),
                picto: c.picto,
                target,
            });
        }
        if !(MIN_CHOICES..=MAX_CHOICES).contains(&choices.len()) {
            diags.push(err(
                line,
                format!(
                    "node `{}` has {} choices ({MIN_CHOICES} to {MAX_CHOICES} expected)",
                    n.id.get_ref(),
                    choices.len()
                ),
            ));
        }
        let _ = line_of(text, n.question.span().start);
        nodes.push(Node {
            id: n.id.into_inner(),
            question: n.question.into_inner(),
            choices,
        });
    }
    Some(Journey {
        id,
        title: raw.title,
        domain: raw.domain,
        picto: raw.picto,
        offered_by: raw.offered_by,
        start: raw.start.into_inner(),
        nodes,
        en: raw.en,
        path: path.to_path_buf(),
    })
}

/// Cross-checks once intents and pictograms are known.
pub fn validate(
    journey: &Journey,
    text: &str,
    intent_exists: &dyn Fn(&str) -> bool,
    picto_exists: &dyn Fn(&str) -> bool,
    falc: &dyn Fn(&str) -> Vec<(Severity, String)>,
    falc_en: &dyn Fn(&str) -> Vec<(Severity, String)>,
    diags: &mut Vec<Diagnostic>,
) {
    let line = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|p| p + 1)
            .unwrap_or(1)
    };
    let mut push = |line: usize, severity: Severity, message: String| {
        diags.push(Diagnostic {
            path: journey.path.clone(),
            line,
            severity,
            message,
        });
    };
    let ids: BTreeSet<&str> = journey.nodes.iter().map(|n| n.id.as_str()).collect();
    if ids.len() != journey.nodes.len() {
        push(1, Severity::Error, "two nodes share an id".into());
    }
    if !ids.contains(journey.start.as_str()) {
        push(
            line("start ="),
            Severity::Error,
            format!("start node `{}` does not exist", journey.start),
        );
    }
    if !matches!(journey.domain.as_str(), "sejour" | "ddtm" | "fs") {
        push(
            line("domain ="),
            Severity::Error,
            format!("domain `{}` must be sejour, ddtm or fs", journey.domain),
        );
    }
    for o in &journey.offered_by {
        if !intent_exists(o) {
            push(
                line(o),
                Severity::Error,
                format!("offered_by: unknown intent `{o}`"),
            );
        }
    }
    if let Some(p) = &journey.picto {
        if !picto_exists(p) {
            push(
                line("picto ="),
                Severity::Error,
                format!("unknown pictogram `{p}`"),
            );
        }
    }
    for (severity, message) in falc(&journey.title) {
        push(line(&journey.title), severity, message);
    }
    for node in &journey.nodes {
        for (severity, message) in falc(&node.question) {
            push(line(&node.question), severity, message);
        }
        for c in &node.choices {
            let l = line(&c.label);
            for (severity, message) in falc(&c.label) {
                push(l, severity, message);
            }
            match &c.picto {
                Some(p) if !picto_exists(p) => {
                    push(l, Severity::Error, format!("unknown pictogram `{p}`"))
                }
                Some(_) => {}
                None => push(
                    l,
                    Severity::Warning,
                    format!("choice `{}` has no pictogram", c.label),
                ),
            }
            match &c.target {
                Target::Node(n) if !ids.contains(n.as_str()) => {
                    push(
                        l,
                        Severity::Error,
                        format!("choice `{}` leads to unknown node `{n}`", c.label),
                    );
                }
                Target::Intent(i) if !intent_exists(i) => {
                    push(
                        l,
                        Severity::Error,
                        format!("choice `{}` leads to unknown intent `{i}`", c.label),
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(en) = &journey.en {
        let l = line("[en]");
        if en.title.trim().is_empty() {
            push(l, Severity::Error, "[en]: empty title".into());
        }
        let texts = std::iter::once(&en.title).chain(
            en.nodes
                .values()
                .flat_map(|n| std::iter::once(&n.question).chain(n.choices.iter())),
        );
        for t in texts {
            for (severity, message) in falc_en(t) {
                push(line(t), severity, format!("[en]: {message}"));
            }
        }
        for node in &journey.nodes {
            match en.nodes.get(&node.id) {
                None => push(
                    l,
                    Severity::Error,
                    format!("[en]: node `{}` has no English wording", node.id),
                ),
                Some(e) => {
                    let at = line(&format!("[en.nodes.{}]", node.id));
                    if e.question.trim().is_empty() {
                        push(
                            at,
                            Severity::Error,
                            format!("[en.nodes.{}]: empty question", node.id),
                        );
                    }
                    if e.choices.len() != node.choices.len() {
                        push(
                            at,
                            Severity::Error,
                            format!(
                                "[en.nodes.{}]: {} choices, the French node has {}",
                                node.id,
                                e.choices.len(),
                                node.choices.len()
                            ),
                        );
                    }
                    if e.choices.iter().any(|c| c.trim().is_empty()) {
                        push(
                            at,
                            Severity::Error,
                            format!("[en.nodes.{}]: empty choice label", node.id),
                        );
                    }
                }
            }
        }
        for id in en.nodes.keys() {
            if !ids.contains(id.as_str()) {
                push(
                    line(&format!("[en.nodes.{id}]")),
                    Severity::Error,
                    format!("[en.nodes.{id}]: no such node"),
                );
            }
        }
    }
    if let Some(cycle) = find_cycle(journey) {
        push(
            // The choice that leads back, rather than the node itself.
            line(&format!("next = \"{cycle}\"")),
            Severity::Error,
            format!("the journey loops back to node `{cycle}`"),
        );
    }
    // Every node reachable from the start, every leaf within MAX_TAPS.
    let mut reachable: BTreeSet<&str> = BTreeSet::new();
    let mut stack = vec![journey.start.as_str()];
    while let Some(id) = stack.pop() {
        if !reachable.insert(id) {
            continue;
        }
        if let Some(n) = journey.node(id) {
            for c in &n.choices {
                if let Target::Node(next) = &c.target {
                    stack.push(next);
                }
            }
        }
    }
    for n in &journey.nodes {
        if !reachable.contains(n.id.as_str()) {
            push(
                line(&n.id),
                Severity::Warning,
                format!("node `{}` cannot be reached from the start", n.id),
            );
        }
    }
    for (leaf, taps) in journey.taps_to_leaves() {
        if taps > MAX_TAPS {
            push(
                line(&leaf),
                Severity::Error,
                format!("`{leaf}` needs {taps} taps (at most {MAX_TAPS})"),
            );
        }
    }
}

/// A node reached again while walking down from itself, if any.
fn find_cycle(journey: &Journey) -> Option<String> {
    fn visit<'a>(
        j: &'a Journey,
        id: &'a str,
        stack: &mut Vec<&'a str>,
        done: &mut HashSet<&'a str>,
    ) -> Option<String> {
        if stack.contains(&id) {
            return Some(id.to_owned());
        }
        if !done.insert(id) {
            return None;
        }
        stack.push(id);
        if let Some(n) = j.node(id) {
            for c in &n.choices {
                if let Target::Node(next) = &c.target {
                    if let Some(c) = visit(j, next, stack, done) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        None
    }
    let mut done = HashSet::new();
    for n in &journey.nodes {
        let mut stack = Vec::new();
        if let Some(c) = visit(journey, &n.id, &mut stack, &mut done) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
id = "parcours.test"
title = "Quelle démarche ?"
domain = "sejour"
start = "a"
[[nodes]]
id = "a"
question = "Vous êtes étudiant ?"
choices = [
  { label = "Oui", picto = "ecole", intent = "sejour.etudiant" },
  { label = "Non", picto = "entreprise", next = "b" },
]
[[nodes]]
id = "b"
question = "Vous travaillez ?"
choices = [
  { label = "Oui", picto = "entreprise", intent = "sejour.salarie" },
  { label = "Non", picto = "famille", intent = "sejour.vie_privee_familiale" },
]
"#;

    fn run(text: &str) -> (Option<Journey>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let j = parse(Path::new("faq/parcours/test.toml"), text, &mut d);
        if let Some(j) = &j {
            validate(
                j,
                text,
                &|i| i.starts_with("sejour."),
                &|_| true,
                &|_| Vec::new(),
                &|_| Vec::new(),
                &mut d,
            );
        }
        (j, d)
    }

    #[test]
    fn the_english_wording_covers_every_node_with_as_many_choices() {
        let (j, _) = run(OK);
        let j = j.expect("parses");
        let first = &j.nodes[0];
        let labels: Vec<String> = first
            .choices
            .iter()
            .map(|_| "A choice".to_owned())
            .collect();
        let mut en = format!(
            "\n[en]\ntitle = \"Which procedure?\"\n\n[en.nodes.{}]\nquestion = \"Do you work?\"\nchoices = [{}]\n",
            first.id,
            labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
        );
        let (_, d) = run(&format!("{OK}{en}"));
        let errors: Vec<String> = d
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.message.clone())
            .collect();
        // Only the nodes with no English are errors.
        assert_eq!(errors.len(), j.nodes.len() - 1, "{errors:?}");
        assert!(
            errors.iter().all(|e| e.contains("has no English wording")),
            "{errors:?}"
        );
        en = en.replace("[\"A choice\", ", "[");
        let (_, d) = run(&format!("{OK}{en}"));
        assert!(
            d.iter()
                .any(|d| d.message.contains("choices, the French node has")),
            "{d:?}"
        );
    }

    #[test]
    fn valid_journey_walks_to_its_leaves() {
        let (j, d) = run(OK);
        assert!(d.iter().all(|d| d.severity != Severity::Error), "{d:?}");
        let j = j.unwrap();
        assert_eq!(j.choose(&[], 0), Some(Step::Answer("sejour.etudiant")));
        match j.choose(&[], 1) {
            Some(Step::Ask(n)) => assert_eq!(n.id, "b"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            j.choose(&["b".into()], 1),
            Some(Step::Answer("sejour.vie_privee_familiale"))
        );
        assert_eq!(j.choose(&["b".into()], 7), None);
        assert_eq!(j.taps_to_leaves()["sejour.salarie"], 3);
    }

    #[test]
    fn paths_are_rebuilt_from_the_start_and_offers_found() {
        let (j, _) = run(OK);
        let j = j.unwrap();
        assert_eq!(j.path_to("a"), Some(vec!["a".to_owned()]));
        assert_eq!(j.path_to("b"), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(j.path_to("zz"), None);
        let mut offered = j.clone();
        offered.offered_by = vec!["sejour.premiere_demande".into()];
        let all = BTreeMap::from([(offered.id.clone(), offered)]);
        assert_eq!(
            offered_by(&all, "sejour.premiere_demande")
                .map(|j| j.id.as_str())
                .collect::<Vec<_>>(),
            vec!["parcours.test"]
        );
        assert_eq!(offered_by(&all, "sejour.etudiant").count(), 0);
    }

    #[test]
    fn cycles_unknown_targets_and_dead_ends_are_errors() {
        let cyc = OK.replace("intent = \"sejour.salarie\"", "next = \"a\"");
        let (_, d) = run(&cyc);
        assert!(d.iter().any(|d| d.message.contains("loops back")), "{d:?}");
        let unknown = OK.replace("sejour.salarie", "ddtm.inconnu");
        let (_, d) = run(&unknown);
        assert!(
            d.iter()
                .any(|d| d.message.contains("unknown intent `ddtm.inconnu`")),
            "{d:?}"
        );
        let dead = OK.replace(", intent = \"sejour.salarie\"", "");
        let (_, d) = run(&dead);
        assert!(
            d.iter().any(|d| d.message.contains("leads nowhere")),
            "{d:?}"
        );
    }
}
