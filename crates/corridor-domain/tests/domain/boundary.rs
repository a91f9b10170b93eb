//! The domain's boundary (STYLE.md 2): its normal dependencies are exactly a short allowlist, no
//! crate in its runtime dependency tree does I/O or draws randomness, and its source reads no
//! clock, touches no file, socket or process and draws no random numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The domain's normal dependencies, exactly.
const ALLOWED: [&str; 5] = ["corridor-terms", "jiff", "serde", "serde_json", "thiserror"];

/// Crates that do I/O (runtimes, sockets, HTTP, databases, files) or draw randomness, by exact
/// name; any crate whose name starts with one of these followed by `-` counts too (`tokio-util`,
/// `sqlx-core`, `hyper-util`).
const FORBIDDEN: &[&str] = &[
    "tokio",
    "mio",
    "socket2",
    "async-std",
    "async-io",
    "smol",
    "sqlx",
    "rusqlite",
    "libsqlite3-sys",
    "postgres",
    "tokio-postgres",
    "diesel",
    "axum",
    "hyper",
    "reqwest",
    "ureq",
    "curl",
    "h2",
    "tower",
    "tonic",
    "native-tls",
    "openssl",
    "rustls",
    "tempfile",
    "fs-err",
    "notify",
    "walkdir",
    "rand",
    "rand_core",
    "rand_chacha",
    "getrandom",
    "fastrand",
];

/// Text that must not appear in the domain's source: I/O, the clock and randomness.
const FORBIDDEN_SOURCE: [&str; 8] = [
    "std::fs",
    "std::net",
    "std::process",
    "Timestamp::now",
    "SystemTime",
    "Instant::now",
    "rand::",
    "getrandom",
];

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|bad| {
        name == *bad
            || name
                .strip_prefix(bad)
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

/// The host triple, so that dependencies for other platforms (wasm glue and the like) are left out.
fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_owned()
}

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host(),
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The resolved dependency graph: for each package id, its name, whether it is a proc macro, and
/// the ids of its normal (not dev, not build) dependencies.
struct Graph {
    names: BTreeMap<String, String>,
    proc_macros: BTreeSet<String>,
    normal: BTreeMap<String, Vec<String>>,
}

impl Graph {
    fn load() -> Self {
        let metadata = metadata();
        let mut names = BTreeMap::new();
        let mut proc_macros = BTreeSet::new();
        for package in metadata["packages"].as_array().unwrap() {
            let id = package["id"].as_str().unwrap().to_owned();
            names.insert(id.clone(), package["name"].as_str().unwrap().to_owned());
            let is_proc_macro = package["targets"].as_array().unwrap().iter().any(|target| {
                target["kind"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|kind| kind == "proc-macro")
            });
            if is_proc_macro {
                proc_macros.insert(id);
            }
        }
        let mut normal = BTreeMap::new();
        for node in metadata["resolve"]["nodes"].as_array().unwrap() {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dep| dep["pkg"].as_str().unwrap().to_owned())
                .collect();
            normal.insert(node["id"].as_str().unwrap().to_owned(), deps);
        }
        Self {
            names,
            proc_macros,
            normal,
        }
    }

    fn id_of(&self, name: &str) -> String {
        self.names
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(id, _)| id.clone())
            .expect("the package is in the workspace")
    }

    fn name(&self, id: &str) -> &str {
        &self.names[id]
    }
}

/// The domain depends, normally, on exactly the allowlisted crates.
#[test]
fn direct_dependencies_are_the_allowlist() {
    let graph = Graph::load();
    let domain = graph.id_of("corridor-domain");
    let direct: BTreeSet<&str> = graph.normal[&domain]
        .iter()
        .map(|id| graph.name(id))
        .collect();
    assert_eq!(direct, ALLOWED.into_iter().collect::<BTreeSet<_>>());
}

/// No crate the domain runs with (proc macros' own deps aside) does I/O or draws randomness.
#[test]
fn no_io_crate_in_the_runtime_tree() {
    let graph = Graph::load();
    let domain = graph.id_of("corridor-domain");
    let mut seen = BTreeSet::new();
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut stack = vec![(domain.clone(), "corridor-domain".to_owned())];
    while let Some((id, path)) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        paths.insert(graph.name(&id).to_owned(), path.clone());
        if graph.proc_macros.contains(&id) {
            continue;
        }
        for dep in &graph.normal[&id] {
            stack.push((dep.clone(), format!("{path} -> {}", graph.name(dep))));
        }
    }
    let bad: Vec<&String> = paths
        .iter()
        .filter(|(name, _)| is_forbidden(name))
        .map(|(_, path)| path)
        .collect();
    assert!(
        bad.is_empty(),
        "I/O or randomness crates in the domain's tree:\n{bad:#?}"
    );
    // The walk really covered the tree.
    assert!(
        paths.contains_key("jiff")
            && paths.contains_key("corridor-terms")
            && paths.contains_key("serde_core")
    );
}

/// The deny list catches what it names and its sub-crates, and nothing else.
#[test]
fn forbidden_crates_are_recognised() {
    for name in [
        "tokio",
        "tokio-util",
        "sqlx-core",
        "hyper-util",
        "getrandom",
        "mio",
        "rustls",
    ] {
        assert!(is_forbidden(name), "{name}");
    }
    for name in [
        "serde",
        "jiff",
        "toml",
        "random-name",
        "tokionic",
        "thiserror",
    ] {
        assert!(!is_forbidden(name), "{name}");
    }
}

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Every line of `text` that names forbidden source, as `file:line: pattern`.
fn scan(file: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for pattern in FORBIDDEN_SOURCE {
            if line.contains(pattern) {
                found.push(format!(
                    "{file}:{}: `{pattern}` in `{}`",
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

/// The domain's source does no I/O, reads no clock and draws no randomness.
#[test]
fn source_reads_no_clock_and_does_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    assert!(files.len() > 10, "the scan found the sources");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        found.extend(scan(
            &file.strip_prefix(root).unwrap().display().to_string(),
            &text,
        ));
    }
    assert!(
        found.is_empty(),
        "the domain must not do I/O or read the clock:\n{}",
        found.join("\n")
    );
}

/// The source scan finds each pattern, and names the file and line.
#[test]
fn source_scan_finds_what_it_looks_for() {
    let text = "fn ok() {}\nlet now = jiff::Timestamp::now();\nuse std::fs::File;\n";
    assert_eq!(
        scan("src/x.rs", text),
        [
            "src/x.rs:2: `Timestamp::now` in `let now = jiff::Timestamp::now();`",
            "src/x.rs:3: `std::fs` in `use std::fs::File;`",
        ]
    );
}
