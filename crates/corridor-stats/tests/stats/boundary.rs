//! The crate's boundary: pure computation over tables (no files, network, clock, environment or
//! async runtime), on a short, fixed list of dependencies (`cargo tree -p corridor-stats`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The crate's normal dependencies, exactly: the solver (through good_lp, and directly where a
/// program is solved again from a shared basis), the HMAC and hash, errors, and the writers of a
/// release's files (JSON, CSV, SVG), each into memory.
const ALLOWED: [&str; 9] = [
    "csv",
    "good_lp",
    "hmac",
    "microlp",
    "plotters",
    "serde",
    "serde_json",
    "sha2",
    "thiserror",
];

/// Crates that must not be anywhere in its tree (a name, or a name followed by `-`).
const FORBIDDEN: [&str; 6] = ["sqlx", "tokio", "cedar", "axum", "ureq", "corridor-"];

/// Text that must not appear in its source: I/O, the clock, the environment, detached threads
/// and sleeping. The secondary suppression shares its independent programs between the cores
/// with *scoped* threads (`std::thread::scope`), all joined before it returns: the computation
/// stays a pure function of its inputs, whatever order the threads run in.
const FORBIDDEN_SOURCE: [&str; 9] = [
    "std::fs",
    "std::net",
    "std::io",
    "std::env",
    "std::time",
    "SystemTime",
    "Instant",
    "thread::spawn",
    "thread::sleep",
];

/// The crates of the normal dependency tree, by name; `depth` limits it.
fn tree(depth: Option<u32>) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let mut command = Command::new(cargo);
    command.args([
        "tree",
        "--offline",
        "--manifest-path",
        manifest,
        "-p",
        "corridor-stats",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]);
    if let Some(depth) = depth {
        command.args(["--depth", &depth.to_string()]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn direct_dependencies_are_the_allowlist() {
    // Proves the crate depends, normally, on exactly the solver, the HMAC, the hash and errors.
    let mut direct = tree(Some(1));
    assert!(direct.remove("corridor-stats"));
    let allowed: BTreeSet<String> = ALLOWED.into_iter().map(str::to_owned).collect();
    assert_eq!(direct, allowed);
}

#[test]
fn no_database_runtime_network_or_corridor_crate_in_the_tree() {
    // Proves the whole tree holds no database, async runtime, policy engine or HTTP client.
    let all = tree(None);
    assert!(all.contains("good_lp"), "{all:?}");
    let forbidden: Vec<&String> = all
        .iter()
        .filter(|name| *name != "corridor-stats")
        .filter(|name| {
            FORBIDDEN.iter().any(|bad| {
                *name == bad
                    || name.strip_prefix(bad).is_some_and(|rest| {
                        rest.is_empty() || rest.starts_with('-') || bad.ends_with('-')
                    })
            })
        })
        .collect();
    assert!(forbidden.is_empty(), "forbidden crates: {forbidden:?}");
}

#[test]
fn the_source_does_no_io_and_reads_no_clock() {
    // Proves no source file names the file system, network, standard streams, environment,
    // clock, detached threads or sleeping.
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = 0;
    for entry in std::fs::read_dir(&source).expect("the source directory") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a source file");
        files += 1;
        for forbidden in FORBIDDEN_SOURCE {
            assert!(
                !text.contains(forbidden),
                "{} names `{forbidden}`",
                path.display()
            );
        }
    }
    assert!(files >= 5, "the source files were read");
}
