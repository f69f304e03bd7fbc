//! Content: the source model, loaded from plain TOML files.
//!
//! One file per intent under `faq/<domain>/` and `intents/conv/`, plus the
//! registries in `intents/` (pictograms, glossary, lexicon) and the per-site
//! values in `faq/sites/`. Loading never drops a file silently: every
//! problem becomes a [`Diagnostic`] naming the file and line, and any error
//! makes [`crate::check::load`] fail as a whole so a server keeps its old content.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use crate::diagnostic::{line_of, ContentError, Diagnostic, Severity};
pub use crate::domain::Domain;
pub use crate::lang::Lang;
use crate::lexicon::Lexicon;

/// Largest content file we accept; a bigger one is a mistake, not content.
const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub text: String,
    pub picto: Option<String>,
    pub link: Option<Link>,
}

/// One intent: what people ask and what the assistant answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub domain: Domain,
    pub title: String,
    pub questions: Vec<String>,
    pub keywords: Vec<String>,
    pub answer: String,
    pub steps: Vec<Step>,
    pub pictos: Vec<String>,
    pub links: Vec<Link>,
    pub followups: Vec<String>,
    pub sources: Vec<String>,
    pub reviewed: Option<String>,
    /// The démarche's procedure sheet (`[sheet]`), when it is one.
    pub sheet: Option<Sheet>,
    /// The English text (`[en]`), when written.
    pub en: Option<Box<English>>,
    /// The language `title`, `answer`, `steps`, `links` and `sheet` are
    /// in: French as loaded; English in [`crate::locale::english`]'s copy
    /// when the intent has an `[en]` part.
    pub lang: Lang,
    pub path: PathBuf,
}

/// A démarche at a glance, as the préfecture kit's « fiches procédures »
/// give it: who it is for, where it is done, the papers, cost and delay.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    pub who: String,
    #[serde(rename = "where")]
    pub place: String,
    #[serde(default)]
    pub papers: Vec<String>,
    #[serde(default)]
    pub cost: Option<String>,
    #[serde(default)]
    pub delay: Option<String>,
}

impl Sheet {
    /// Every text of the sheet, in reading order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        [Some(self.who.as_str()), Some(self.place.as_str())]
            .into_iter()
            .flatten()
            .chain(self.papers.iter().map(String::as_str))
            .chain(self.cost.as_deref())
            .chain(self.delay.as_deref())
    }
}

/// An intent's English text (`[en]`). Pictograms are the French steps';
/// links must have the French URLs (checked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct English {
    pub title: String,
    pub answer: String,
    pub steps: Vec<Step>,
    pub links: Vec<Link>,
    pub sheet: Option<Sheet>,
}

#[cfg(test)]
impl Intent {
    /// A minimal intent for unit tests: an id, a title, paraphrases.
    pub(crate) fn for_tests(id: &str, title: &str, questions: &[&str]) -> Intent {
        Intent {
            id: id.into(),
            domain: Domain::of_id(id).unwrap_or(Domain::Sejour),
            title: title.into(),
            questions: questions.iter().map(|q| (*q).to_owned()).collect(),
            keywords: vec![],
            answer: "Réponse.".into(),
            steps: vec![],
            pictos: vec![],
            links: vec![],
            followups: vec![],
            sources: vec![],
            reviewed: None,
            sheet: None,
            en: None,
            lang: Lang::Fr,
            path: Default::default(),
        }
    }
}

/// A pictogram of the registry: a DSFR artwork and its alt text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Picto {
    pub id: String,
    /// `<category>/<name>` of the DSFR artwork pictogram.
    pub dsfr: String,
    pub alt: String,
    /// The English description (`alt_en`), shown in English replies.
    #[serde(skip)]
    pub alt_en: Option<String>,
}

impl Picto {
    /// Path of the SVG as served by the web layer.
    pub fn src(&self) -> String {
        format!("/assets/dsfr/artwork/pictograms/{}.svg", self.dsfr)
    }
}

/// Per-site values (a préfecture, a DDTM, a France services), flattened as
/// `section.key` → value; the generic site holds the national wording.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub values: BTreeMap<String, String>,
    pub sources: BTreeMap<String, String>,
    pub path: PathBuf,
    /// The domains this site handles (`domains = ["ddtm", "fs"]`), in the
    /// order of its start screen; empty: every domain, in the usual order.
    /// An answer of another domain says where to go instead.
    pub domains: Vec<String>,
    /// The main topics offered at the start and when the assistant does
    /// not know (`topics = ["ddtm.contact_ddtm", ...]`, intent ids);
    /// empty: the national ones.
    pub topics: Vec<String>,
    /// Where a person's question may be sent, after they agree
    /// (`[handoff] email = "..."` or `url = "..."`, `label = "..."`).
    pub handoff: Option<Handoff>,
    /// The day the site's values were checked against their sources.
    pub reviewed: Option<String>,
}

/// A real route to a person that a site configures: an e-mail address
/// receiving the masked question, or the address of its contact form.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Handoff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who receives it, as the button says it (« le service des étrangers »).
    pub label: String,
}

/// All content, validated and ready to be compiled into a matcher index.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub root: PathBuf,
    pub intents: Vec<Intent>,
    pub pictos: BTreeMap<String, Picto>,
    pub glossary: BTreeMap<String, String>,
    /// The glossary's keys, ready to be found in reply texts.
    pub glossary_terms: crate::terms::GlossaryIndex,
    /// The glossary's English explanations (its `[en]` table).
    pub glossary_en: BTreeMap<String, String>,
    /// Words a reader may not know (`intents/jargon.toml`): an answer using
    /// one must have it explained in the glossary (`accueil check` warns).
    pub jargon: Vec<String>,
    /// The language of the texts: French as loaded, English in the copy
    /// [`crate::locale::english`] makes.
    pub lang: Lang,
    pub lexicon: Lexicon,
    pub generic: Site,
    pub sites: BTreeMap<String, Site>,
    /// Guided journeys (`faq/parcours/`), by id.
    pub journeys: BTreeMap<String, crate::journey::Journey>,
    /// Service notices of the site files (`[[notices]]`), national ones
    /// (from `_generique.toml`) with no site.
    pub notices: Vec<crate::notices::Notice>,
    /// Warnings found while loading (errors make loading fail).
    pub warnings: Vec<Diagnostic>,
    /// A short fingerprint of the files, shown in metrics and health.
    pub version: String,
    /// The fitted decision (`intents/decision.toml`, written by `accueil
    /// fit`); without it the matcher uses its hand-set rules.
    pub calibration: Option<crate::decision::Calibration>,
    /// The fitted combined decision of both views (`intents/fusion.toml`,
    /// written by `accueil fit` when the model files are there); used only
    /// when the semantic layer is on.
    pub fusion: Option<crate::fusion::Fusion>,
    /// Real French words, never "corrected" into another one (see
    /// [`crate::words`]); `None` when no list is installed.
    pub words: Option<std::sync::Arc<crate::words::WordList>>,
    /// The text of every intent, site and journey file as read at load, so
    /// checks point at lines without reading the files a second time.
    pub sources: BTreeMap<PathBuf, std::sync::Arc<str>>,
}

/// The fitted decision, under `intents/`.
pub const DECISION_FILE: &str = "decision.toml";

impl Content {
    /// Read and parse everything under `root` (the folder holding `faq/`
    /// and `intents/`): every file is read once, every problem a file has on
    /// its own becomes a diagnostic with its line. Rules across files are
    /// [`crate::check`]'s, run after this (see [`crate::check::load`]).
    pub fn parse(root: &Path) -> (Content, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut content = Content {
            root: root.to_path_buf(),
            ..Content::default()
        };
        let mut hasher = Fingerprint::default();

        let intents_dir = root.join("intents");
        let faq_dir = root.join("faq");
        for dir in [&intents_dir, &faq_dir] {
            if !dir.is_dir() {
                diags.push(Diagnostic {
                    path: dir.clone(),
                    line: 0,
                    severity: Severity::Error,
                    message: "folder not found (the content root must hold faq/ and intents/)"
                        .into(),
                });
            }
        }
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return (content, diags);
        }

        content.pictos = load_registry(
            &intents_dir.join("pictos.toml"),
            &mut diags,
            &mut hasher,
            parse_pictos,
        );
        let glossary = load_registry(
            &intents_dir.join("glossary.toml"),
            &mut diags,
            &mut hasher,
            parse_glossary,
        );
        (content.glossary, content.glossary_en) = glossary;
        content.glossary_terms = glossary_terms(&content.glossary);
        let jargon_path = intents_dir.join("jargon.toml");
        if jargon_path.is_file() {
            content.jargon = load_registry(&jargon_path, &mut diags, &mut hasher, parse_jargon);
        }
        let lexicon_path = intents_dir.join("lexicon.toml");
        if let Some(text) = read_file(&lexicon_path, &mut diags, &mut hasher) {
            match Lexicon::from_toml(&text) {
                Ok(lex) => content.lexicon = lex,
                Err(e) => diags.push(Diagnostic {
                    path: lexicon_path.clone(),
                    line: e.line,
                    severity: Severity::Error,
                    message: e.message,
                }),
            }
        }

        content.words = crate::words::guard();
        let decision_path = intents_dir.join(DECISION_FILE);
        if decision_path.is_file() {
            if let Some(text) = read_file(&decision_path, &mut diags, &mut hasher) {
                match crate::decision::Calibration::from_toml(&text) {
                    Ok(c) => content.calibration = Some(c),
                    Err(message) => diags.push(Diagnostic {
                        path: decision_path.clone(),
                        line: 0,
                        severity: Severity::Error,
                        message,
                    }),
                }
            }
        }

        let fusion_path = intents_dir.join(crate::fusion::FUSION_FILE);
        if fusion_path.is_file() {
            if let Some(text) = read_file(&fusion_path, &mut diags, &mut hasher) {
                match crate::fusion::Fusion::from_toml(&text) {
                    Ok(f) => content.fusion = Some(f),
                    Err(message) => diags.push(Diagnostic {
                        path: fusion_path.clone(),
                        line: 0,
                        severity: Severity::Error,
                        message,
                    }),
                }
            }
        }

        let sites_dir = faq_dir.join("sites");
        let generic_path = sites_dir.join("_generique.toml");
        if let Some(text) = read_file(&generic_path, &mut diags, &mut hasher) {
            content.keep_source(&generic_path, &text);
            if let Some(site) = parse_site(&generic_path, &text, true, &mut diags) {
                content.generic = site;
            }
            let national = crate::notices::from_site_file(&generic_path, &text, None, &mut diags);
            content.notices.extend(national);
        }
        for path in toml_files(&sites_dir, &mut diags) {
            if path == generic_path {
                continue;
            }
            if let Some(text) = read_file(&path, &mut diags, &mut hasher) {
                content.keep_source(&path, &text);
                if let Some(site) = parse_site(&path, &text, false, &mut diags) {
                    let notices =
                        crate::notices::from_site_file(&path, &text, Some(&site.id), &mut diags);
                    content.notices.extend(notices);
                    content.sites.insert(site.id.clone(), site);
                }
            }
        }

        let mut files: Vec<PathBuf> = Vec::new();
        for domain in Domain::ALL {
            files.extend(toml_files(&root.join(domain.folder()), &mut diags));
        }
        // Intent files placed in another folder of faq/ (not sites/) are
        // loaded too, so a new domain folder is never silently ignored.
        if let Ok(entries) = std::fs::read_dir(&faq_dir) {
            let mut extra: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name != "sites"
                        && name != "parcours"
                        && !Domain::ALL
                            .iter()
                            .any(|d| d.folder() == format!("faq/{name}"))
                })
                .collect();
            extra.sort();
            for dir in extra {
                files.extend(toml_files(&dir, &mut diags));
            }
        }
        for path in files {
            if let Some(text) = read_file(&path, &mut diags, &mut hasher) {
                content.keep_source(&path, &text);
                if let Some(intent) = parse_intent(&path, &text, &mut diags) {
                    content.intents.push(intent);
                }
            }
        }
        content.intents.sort_by(|a, b| a.id.cmp(&b.id));
        for path in toml_files(&faq_dir.join("parcours"), &mut diags) {
            if let Some(text) = read_file(&path, &mut diags, &mut hasher) {
                content.keep_source(&path, &text);
                if let Some(j) = crate::journey::parse(&path, &text, &mut diags) {
                    if content.journeys.contains_key(&j.id) {
                        diags.push(Diagnostic {
                            path: path.clone(),
                            line: 1,
                            severity: Severity::Error,
                            message: format!("duplicate journey id `{}`", j.id),
                        });
                    }
                    content.journeys.insert(j.id.clone(), j);
                }
            }
        }
        content.version = hasher.finish();
        (content, diags)
    }

    fn keep_source(&mut self, path: &Path, text: &str) {
        self.sources.insert(path.to_path_buf(), text.into());
    }

    /// The text a file had when it was loaded ("" for a file not kept).
    pub fn source(&self, path: &Path) -> &str {
        self.sources.get(path).map_or("", |t| t)
    }

    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents
            .binary_search_by(|i| i.id.as_str().cmp(id))
            .ok()
            .map(|k| &self.intents[k])
    }

    /// The value of a placeholder key for a site, or its generic wording.
    pub fn site_value<'a>(&'a self, site: Option<&'a Site>, key: &str) -> Option<&'a str> {
        site.and_then(|s| s.values.get(key))
            .or_else(|| self.generic.values.get(key))
            .map(String::as_str)
    }

    /// Replace every `{{key}}` in `text` with the site's value (or the
    /// generic wording). Unknown keys are left visible so `check` and tests
    /// catch them, never silently emptied.
    pub fn fill(&self, site: Option<&Site>, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    let key = after[..end].trim();
                    match self.site_value(site, key) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[start..start + 2 + end + 2]),
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Placeholders `{{key}}` used in a text, with their byte offsets.
pub fn placeholders(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{{") {
        let abs = from + start;
        match text[abs + 2..].find("}}") {
            Some(end) => {
                found.push((abs, text[abs + 2..abs + 2 + end].trim().to_owned()));
                from = abs + 2 + end + 2;
            }
            None => break,
        }
    }
    found
}

/// FNV-1a (`fnv`) over file names and bytes: a cheap, stable content
/// version; `0` until the first byte, as before.
#[derive(Default)]
struct Fingerprint(Option<fnv::FnvHasher>);

impl Fingerprint {
    fn update(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        self.0.get_or_insert_with(Default::default).write(bytes);
    }
    fn finish(&self) -> String {
        use std::hash::Hasher;
        format!("{:016x}", self.0.as_ref().map_or(0, Hasher::finish))
    }
}

fn toml_files(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            diags.push(Diagnostic {
                path: dir.to_path_buf(),
                line: 0,
                severity: Severity::Error,
                message: format!("cannot read folder: {e}"),
            });
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".toml") {
                true
            } else {
                if !name.starts_with('.') && !name.ends_with(".md") {
                    diags.push(Diagnostic {
                        path: p.clone(),
                        line: 0,
                        severity: Severity::Warning,
                        message: "not a .toml file: ignored".into(),
                    });
                }
                false
            }
        })
        .collect();
    files.sort();
    files
}

fn read_file(path: &Path, diags: &mut Vec<Diagnostic>, hasher: &mut Fingerprint) -> Option<String> {
    let err = |message: String| Diagnostic {
        path: path.to_path_buf(),
        line: 0,
        severity: Severity::Error,
        message,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            diags.push(err(format!(
                "file too large ({} bytes, limit {MAX_FILE_BYTES})",
                m.len()
            )));
            return None;
        }
        Ok(_) => {}
        Err(e) => {
            diags.push(err(format!("cannot read file: {e}")));
            return None;
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(&bytes);
            match String::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    let offset = e.utf8_error().valid_up_to();
                    let line = line_of(&String::from_utf8_lossy(&e.into_bytes()[..offset]), offset);
                    diags.push(Diagnostic {
                        path: path.to_path_buf(),
                        line,
                        severity: Severity::Error,
                        message: "file is not valid UTF-8 text".into(),
                    });
                    None
                }
            }
        }
        Err(e) => {
            diags.push(err(format!("cannot read file: {e}")));
            None
        }
    }
}

/// A TOML syntax or shape error, turned into a diagnostic at its line.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Diagnostic {
    let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
    let mut message = e.message().trim().replace('\n', " ");
    const TOP_LEVEL: &[&str] = &[
        "`pictos`",
        "`followups`",
        "`sources`",
        "`keywords`",
        "`questions`",
        "`answer`",
        "`title`",
        "`reviewed`",
        "`id`",
    ];
    if message.contains("unknown field")
        && TOP_LEVEL
            .iter()
            .any(|k| message.contains(&format!("unknown field {k}")))
    {
        message.push_str(" (a plain key written after a [[steps]] or [[links]] header belongs to that table: move it above the first header)");
    }
    Diagnostic {
        path: path.to_path_buf(),
        line,
        severity: Severity::Error,
        message: format!("invalid TOML: {message}"),
    }
}

fn load_registry<T: Default>(
    path: &Path,
    diags: &mut Vec<Diagnostic>,
    hasher: &mut Fingerprint,
    parse: fn(&Path, &str, &mut Vec<Diagnostic>) -> T,
) -> T {
    match read_file(path, diags, hasher) {
        Some(text) => parse(path, &text, diags),
        None => T::default(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPicto {
    dsfr: Spanned<String>,
    alt: Spanned<String>,
    alt_en: Option<String>,
}

fn parse_pictos(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Picto> {
    let raw: BTreeMap<String, RawPicto> = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            diags.push(toml_error(path, text, &e));
            return BTreeMap::new();
        }
    };
    let mut out = BTreeMap::new();
    for (id, p) in raw {
        let dsfr = p.dsfr.get_ref();
        let ok = dsfr.split('/').count() == 2
            && dsfr
                .split('/')
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        if !ok {
            diags.push(Diagnostic {
                path: path.to_path_buf(),
                line: line_of(text, p.dsfr.span().start),
                severity: Severity::Error,
                message: format!(
                    "pictogram `{id}`: dsfr must be `<category>/<name>`, got `{dsfr}`"
                ),
            });
        }
        if p.alt.get_ref().trim().is_empty() {
            diags.push(Diagnostic {
                path: path.to_path_buf(),
                line: line_of(text, p.alt.span().start),
                severity: Severity::Error,
                message: format!("pictogram `{id}` has an empty alt text"),
            });
        }
        out.insert(
            id.clone(),
            Picto {
                id,
                dsfr: p.dsfr.into_inner(),
                alt: p.alt.into_inner(),
                alt_en: p.alt_en.filter(|a| !a.trim().is_empty()),
            },
        );
    }
    out
}

/// The glossary: French explanations at the top level, English ones in
/// its `[en]` table.
fn parse_glossary(
    path: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    #[derive(Deserialize)]
    struct RawGlossary {
        #[serde(default)]
        en: BTreeMap<String, String>,
        #[serde(flatten)]
        fr: BTreeMap<String, String>,
    }
    match toml::from_str::<RawGlossary>(text) {
        Ok(g) => {
            for (term, explanation) in g.fr.iter().chain(g.en.iter()) {
                if term.trim().is_empty() || explanation.trim().is_empty() {
                    diags.push(Diagnostic {
                        path: path.to_path_buf(),
                        line: line_containing_key(text, term),
                        severity: Severity::Error,
                        message: format!("glossary entry `{term}` is empty"),
                    });
                }
            }
            (g.fr, g.en)
        }
        Err(e) => {
            diags.push(toml_error(path, text, &e));
            Default::default()
        }
    }
}

/// A glossary's keys, ready to be found in texts.
pub fn glossary_terms(glossary: &BTreeMap<String, String>) -> crate::terms::GlossaryIndex {
    crate::terms::GlossaryIndex::new(glossary)
}

/// The jargon list: `terms = [...]`.
fn parse_jargon(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawJargon {
        terms: Vec<String>,
    }
    match toml::from_str::<RawJargon>(text) {
        Ok(j) => j.terms,
        Err(e) => {
            diags.push(toml_error(path, text, &e));
            Vec::new()
        }
    }
}

/// The line where `key` is defined in a flat TOML file (1 if not found).
fn line_containing_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("{key} ")) || l.starts_with(&format!("\"{key}\""))
        })
        .map_or(1, |p| p + 1)
}

fn parse_site(path: &Path, text: &str, generic: bool, diags: &mut Vec<Diagnostic>) -> Option<Site> {
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            diags.push(toml_error(path, text, &e));
            return None;
        }
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_owned();
    let mut site = Site {
        path: path.to_path_buf(),
        ..Site::default()
    };
    let mut bad = |message: String| {
        diags.push(Diagnostic {
            path: path.to_path_buf(),
            line: 1,
            severity: Severity::Error,
            message,
        });
    };
    for (key, value) in table {
        match (key.as_str(), value) {
            ("id", toml::Value::String(s)) => site.id = s,
            ("nom", toml::Value::String(s)) | ("name", toml::Value::String(s)) => {
                site.name = s.clone();
                site.values.insert("nom".into(), s);
            }
            ("kind", toml::Value::String(s)) => site.kind = s,
            ("reviewed", toml::Value::String(s)) => site.reviewed = Some(s),
            ("reviewed", toml::Value::Datetime(d)) => site.reviewed = Some(d.to_string()),
            ("domains", toml::Value::Array(list)) | ("topics", toml::Value::Array(list)) => {
                let mut ids = Vec::new();
                for v in list {
                    match v {
                        toml::Value::String(s) => ids.push(s),
                        _ => bad(format!("`{key}` must be a list of strings")),
                    }
                }
                if key == "domains" {
                    site.domains = ids;
                } else {
                    site.topics = ids;
                }
            }
            ("handoff", toml::Value::Table(t)) => {
                let mut handoff = Handoff::default();
                for (k, v) in t {
                    match (k.as_str(), v) {
                        ("email", toml::Value::String(s)) => handoff.email = Some(s),
                        ("url", toml::Value::String(s)) => handoff.url = Some(s),
                        ("label", toml::Value::String(s)) => handoff.label = s,
                        (k, _) => bad(format!(
                            "handoff.{k}: only `email`, `url` and `label` (strings) are known"
                        )),
                    }
                }
                site.handoff = Some(handoff);
            }
            // Service notices: read with their lines by `notices::from_site_file`.
            ("notices", toml::Value::Array(_)) => {}
            ("sources", toml::Value::Table(t)) => {
                for (k, v) in t {
                    match v {
                        toml::Value::String(s) => {
                            site.sources.insert(k, s);
                        }
                        _ => bad(format!("sources.{k} must be a URL string")),
                    }
                }
            }
            (_, toml::Value::String(s)) => {
                site.values.insert(key, s);
            }
            (section, toml::Value::Table(t)) => {
                for (k, v) in t {
                    match v {
                        toml::Value::String(s) => {
                            site.values.insert(format!("{section}.{k}"), s);
                        }
                        _ => bad(format!("{section}.{k} must be a string")),
                    }
                }
            }
            (k, _) => bad(format!("`{k}` must be a string or a table of strings")),
        }
    }
    if generic {
        site.id = String::new();
    } else {
        if site.id.is_empty() {
            site.id = stem.clone();
        }
        if site.id != stem {
            bad(format!(
                "site id `{}` must match the file name `{stem}`",
                site.id
            ));
        }
        if !site
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            bad(format!(
                "site id `{}` must use lowercase letters, digits, - or _",
                site.id
            ));
        }
        if site.name.is_empty() {
            bad("site has no `nom`".into());
        }
    }
    Some(site)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    label: String,
    url: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    text: Spanned<String>,
    picto: Option<Spanned<String>>,
    link: Option<RawLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntent {
    id: Spanned<String>,
    title: Option<String>,
    questions: Vec<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    answer: Spanned<String>,
    #[serde(default)]
    steps: Vec<RawStep>,
    #[serde(default)]
    pictos: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<RawLink>,
    #[serde(default)]
    followups: Vec<Spanned<String>>,
    #[serde(default)]
    sources: Vec<String>,
    reviewed: Option<toml::Value>,
    sheet: Option<Sheet>,
    en: Option<RawEnglish>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnglishStep {
    text: String,
    link: Option<RawLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnglish {
    title: String,
    answer: String,
    #[serde(default)]
    steps: Vec<RawEnglishStep>,
    #[serde(default)]
    links: Vec<RawLink>,
    sheet: Option<Sheet>,
}

/// Source positions of an intent's parts, kept for `check` to report lines.
pub(crate) fn intent_positions(text: &str) -> Option<IntentPositions> {
    let raw: RawIntent = toml::from_str(text).ok()?;
    Some(IntentPositions {
        id: line_of(text, raw.id.span().start),
        answer: line_of(text, raw.answer.span().start),
        questions: raw
            .questions
            .iter()
            .map(|q| line_of(text, q.span().start))
            .collect(),
        steps: raw
            .steps
            .iter()
            .map(|s| line_of(text, s.text.span().start))
            .collect(),
        step_pictos: raw
            .steps
            .iter()
            .map(|s| s.picto.as_ref().map(|p| line_of(text, p.span().start)))
            .collect(),
        pictos: raw
            .pictos
            .iter()
            .map(|p| line_of(text, p.span().start))
            .collect(),
        followups: raw
            .followups
            .iter()
            .map(|f| line_of(text, f.span().start))
            .collect(),
        link_urls: raw
            .links
            .iter()
            .map(|l| line_of(text, l.url.span().start))
            .chain(
                raw.steps
                    .iter()
                    .filter_map(|s| s.link.as_ref())
                    .map(|l| line_of(text, l.url.span().start)),
            )
            .collect(),
    })
}

/// Line numbers of an intent file's parts.
#[derive(Debug, Default, Clone)]
pub(crate) struct IntentPositions {
    pub id: usize,
    pub answer: usize,
    pub questions: Vec<usize>,
    pub steps: Vec<usize>,
    pub step_pictos: Vec<Option<usize>>,
    pub pictos: Vec<usize>,
    pub followups: Vec<usize>,
    /// Links first, then step links, in order.
    pub link_urls: Vec<usize>,
}

fn parse_intent(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Intent> {
    let raw: RawIntent = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            diags.push(toml_error(path, text, &e));
            return None;
        }
    };
    let id_line = line_of(text, raw.id.span().start);
    let id = raw.id.into_inner();
    let err = |line: usize, message: String| Diagnostic {
        path: path.to_path_buf(),
        line,
        severity: Severity::Error,
        message,
    };
    let Some(domain) = Domain::of_id(&id) else {
        diags.push(err(
            id_line,
            format!("intent id `{id}` must start with sejour., ddtm., fs. or conv."),
        ));
        return None;
    };
    let valid_id = id.split_once('.').is_some_and(|(_, rest)| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    });
    if !valid_id {
        diags.push(err(
            id_line,
            format!("intent id `{id}`: after the prefix use lowercase letters, digits and _"),
        ));
    }
    if let Some(name) = path.file_stem().and_then(|s| s.to_str()) {
        let expected = id.split_once('.').map(|(_, r)| r).unwrap_or("");
        if name != expected {
            diags.push(err(
                id_line,
                format!(
                    "file name `{name}.toml` does not match id `{id}` (expected `{expected}.toml`)"
                ),
            ));
        }
    }
    let reviewed = match raw.reviewed {
        None => None,
        Some(toml::Value::String(s)) => Some(s),
        Some(toml::Value::Datetime(d)) => Some(d.to_string()),
        Some(_) => {
            diags.push(err(
                id_line,
                "`reviewed` must be a date like 2026-11-22".into(),
            ));
            None
        }
    };
    let link = |l: RawLink| Link {
        label: l.label,
        url: l.url.into_inner(),
    };
    let steps: Vec<Step> = raw
        .steps
        .into_iter()
        .map(|s| Step {
            text: s.text.into_inner(),
            picto: s.picto.map(Spanned::into_inner),
            link: s.link.map(link),
        })
        .collect();
    // English steps show the French steps' pictograms (one set to review).
    let en = raw.en.map(|e| {
        Box::new(English {
            title: e.title,
            answer: e.answer.trim().to_owned(),
            steps: e
                .steps
                .into_iter()
                .enumerate()
                .map(|(k, s)| Step {
                    text: s.text,
                    picto: steps.get(k).and_then(|f| f.picto.clone()),
                    link: s.link.map(link),
                })
                .collect(),
            links: e.links.into_iter().map(link).collect(),
            sheet: e.sheet,
        })
    });
    Some(Intent {
        title: raw.title.unwrap_or_else(|| id.clone()),
        id,
        domain,
        questions: raw.questions.into_iter().map(Spanned::into_inner).collect(),
        keywords: raw.keywords,
        answer: raw.answer.into_inner().trim().to_owned(),
        steps,
        pictos: raw.pictos.into_iter().map(Spanned::into_inner).collect(),
        links: raw.links.into_iter().map(link).collect(),
        followups: raw.followups.into_iter().map(Spanned::into_inner).collect(),
        sources: raw.sources,
        reviewed,
        sheet: raw.sheet,
        en,
        lang: Lang::Fr,
        path: path.to_path_buf(),
    })
}

/// Ids of all intents, for quick membership tests.
pub fn id_set(content: &Content) -> BTreeSet<&str> {
    content.intents.iter().map(|i| i.id.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled() {
        let mut c = Content::default();
        c.generic
            .values
            .insert("prefecture.nom".into(), "votre préfecture".into());
        let mut site = Site::default();
        site.values.insert(
            "prefecture.nom".into(),
            "la préfecture de la Moselle".into(),
        );
        let t = "Allez à {{prefecture.nom}} ou {{ inconnu }}.";
        assert_eq!(
            c.fill(None, t),
            "Allez à votre préfecture ou {{ inconnu }}."
        );
        assert_eq!(
            c.fill(Some(&site), t),
            "Allez à la préfecture de la Moselle ou {{ inconnu }}."
        );
        assert_eq!(
            placeholders(t),
            vec![(9, "prefecture.nom".into()), (31, "inconnu".into())]
        );
        assert_eq!(c.fill(None, "a {{ b"), "a {{ b");
    }

    #[test]
    fn line_numbers() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn domains_from_ids() {
        assert_eq!(Domain::of_id("sejour.x"), Some(Domain::Sejour));
        assert_eq!(Domain::of_id("fs.x"), Some(Domain::FranceServices));
        assert_eq!(Domain::of_id("autre.x"), None);
    }

    #[test]
    fn bad_toml_gives_line() {
        let mut d = Vec::new();
        let r = parse_intent(
            Path::new("x/bonjour.toml"),
            "id = \"conv.bonjour\"\nquestions = [\n  \"a\",\n  oops\n]\nanswer = \"b\"\n",
            &mut d,
        );
        assert!(r.is_none());
        assert_eq!(d[0].line, 4, "{}", d[0]);
        assert!(d[0]
            .to_string()
            .starts_with("x/bonjour.toml:4: error: invalid TOML"));
    }

    #[test]
    fn unknown_field_is_an_error() {
        let mut d = Vec::new();
        let r = parse_intent(
            Path::new("x/bonjour.toml"),
            "id = \"conv.bonjour\"\nquestions = [\"a\"]\nanswer = \"b\"\nanwser = \"c\"\n",
            &mut d,
        );
        assert!(r.is_none());
        assert!(d[0].message.contains("anwser"), "{}", d[0]);
    }
}
