//! The layers point one way, checked on the source itself.
//!
//! Between crates, cargo forbids cycles, and the manifests say the order:
//! engine ← service ← http ← the binary. Inside each crate, this test maps
//! every `crate::module` path written in code (comments and doc lines
//! skipped) from one top-level module to another and fails on a cycle,
//! naming it. The crate root (`lib.rs`) is the crate itself, not a module,
//! so its items are left out. It also keeps the engine free of the server's
//! dependencies and of the clock: no tokio, axum, sled or `SystemTime::now`.
//!
//! The same graph is printed by `cargo test --test it layers -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("source folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code lines only: `//` comments (and `//!`, `///`) dropped.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named by `crate::x` paths in `text`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // Skip identifiers that merely end in "crate" (`my_crate::`).
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

/// The module graph of one crate: top-level module → modules it uses.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        let uses = graph.entry(module.clone()).or_default();
        for used in crate_paths(&code(&text)) {
            if used != module {
                uses.insert(used);
            }
        }
    }
    // Names that are items of the crate root, not modules.
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| modules.contains(m));
    }
    graph
}

/// A cycle in `graph`, as a path that returns to its start, if any.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = path.iter().position(|m| m == next).expect("on path");
                    let mut found = path[from..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, graph, state, path) {
                        return Some(found);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(found) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(found);
            }
        }
    }
    None
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_module_cycle_in_any_crate() {
    for krate in ["engine", "service", "http"] {
        let graph = graph(&root().join("crates").join(krate).join("src"));
        assert!(graph.len() > 3, "{krate}: modules found");
        println!("== accueil-{krate}");
        for (module, uses) in &graph {
            let uses: Vec<&str> = uses.iter().map(String::as_str).collect();
            println!("{module} -> {}", uses.join(" "));
        }
        if let Some(found) = cycle(&graph) {
            panic!("accueil-{krate}: import cycle {}", found.join(" -> "));
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default();
    assert_eq!(cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        crate_paths(&code(
            "use crate::content::X; accueil_crate::y; // crate::z"
        )),
        ["content".to_owned()].into_iter().collect()
    );
    assert_eq!(code("a // crate::z\nb"), "a \nb");
}

/// The `[dependencies]` of a crate's manifest (dev-dependencies apart).
fn dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
        .expect("manifest");
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
        } else if section == "[dependencies]" {
            if let Some(name) = line.split(['.', ' ', '=']).next().filter(|n| !n.is_empty()) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

#[test]
fn the_service_knows_no_server_and_the_postgres_backend_no_http() {
    let service = dependencies("service");
    for dep in [
        "tokio",
        "axum",
        "hyper",
        "accueil-http",
        "accueil-postgres",
        "tokio-postgres",
    ] {
        assert!(
            !service.iter().any(|d| d == dep),
            "accueil-service depends on {dep}"
        );
    }
    assert!(
        service.iter().any(|d| d == "sled"),
        "the embedded backend is the service's"
    );
    let postgres = dependencies("postgres");
    assert!(
        postgres.iter().any(|d| d == "accueil-service"),
        "{postgres:?}"
    );
    assert!(
        !postgres.iter().any(|d| d == "accueil-http" || d == "axum"),
        "{postgres:?}"
    );
    assert!(dependencies("http").iter().any(|d| d == "accueil-postgres"));
}

#[test]
fn the_engine_has_no_server_store_or_clock() {
    let manifest =
        std::fs::read_to_string(root().join("crates/engine/Cargo.toml")).expect("manifest");
    for dep in [
        "tokio",
        "axum",
        "sled",
        "hyper",
        "tower",
        "accueil-service",
        "accueil-http",
    ] {
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with(dep)),
            "the engine crate depends on {dep}"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/engine/src"), &mut files);
    for file in files {
        let text = code(&std::fs::read_to_string(&file).expect("source"));
        for banned in [
            "SystemTime::now",
            "Instant::now",
            // jiff's clock readings: the engine only parses and formats.
            "Timestamp::now",
            "Zoned::now",
            "tokio::",
            "sled::",
            "axum::",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: the engine takes time and I/O from its caller",
                file.display()
            );
        }
    }
}

/// The server asks its settings' clock for the time, so tests move a
/// manual clock instead of sleeping; only the clock module reads the
/// system's time (`Instant` for measuring durations is fine).
#[test]
fn the_server_reads_time_only_through_its_clock() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/http/src"), &mut files);
    rust_files(&root().join("crates/service/src"), &mut files);
    for file in files {
        let name = file.to_string_lossy().replace('\\', "/");
        if name.ends_with("service/src/clock.rs") || name.ends_with("service/src/store/mod.rs") {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).expect("source"));
        for banned in [
            "SystemTime::now",
            "Timestamp::now",
            "Zoned::now",
            "now_millis()",
        ] {
            assert!(
                !text.contains(banned),
                "{} calls {banned}: ask the state's clock (AppState::now)",
                file.display()
            );
        }
    }
}
