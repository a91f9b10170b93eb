//! The verifier's boundary: it installs alone, without a database, an async runtime, a policy
//! engine or corridor's store (`cargo tree -p corridor-verify`).

use std::collections::BTreeSet;
use std::process::Command;

/// The verifier's normal dependencies, exactly: with `stats`, the release's pure model and files
/// (corridor-stats), JSON, and the linear-program solver that checks its breakdowns.
const ALLOWED: [&str; 8] = [
    "clap",
    "corridor-log",
    "corridor-stats",
    "good_lp",
    "hex",
    "serde_json",
    "thiserror",
    "ureq",
];

/// Crates that must not be anywhere in its tree; a name counts when it is one of these or starts
/// with one followed by `-` (`sqlx-core`, `tokio-util`, `cedar-policy`).
const FORBIDDEN: [&str; 13] = [
    "sqlx",
    "tokio",
    "cedar",
    "libsqlite3",
    "postgres",
    "axum",
    "hyper",
    "mio",
    "corridor-store",
    "corridor-domain",
    "corridor-api",
    "corridor-authz",
    "corridor-witness",
];

/// The crates of the verifier's normal dependency tree, by name; `depth` limits it.
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
        "corridor-verify",
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
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn direct_dependencies_are_the_allowlist() {
    // Proves the verifier depends, normally, on exactly the log, HTTP, CLI and error crates.
    let mut direct = tree(Some(1));
    assert!(direct.remove("corridor-verify"));
    assert_eq!(
        direct,
        ALLOWED
            .into_iter()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
    );
}

#[test]
fn no_database_runtime_or_policy_crate_in_the_tree() {
    // Proves nothing in the verifier's whole tree is sqlx, tokio, Cedar or corridor's server side.
    let all = tree(None);
    assert!(
        all.contains("ureq") && all.contains("corridor-log"),
        "{all:?}"
    );
    let forbidden: Vec<&String> = all
        .iter()
        .filter(|name| {
            FORBIDDEN.iter().any(|bad| {
                *name == bad
                    || name
                        .strip_prefix(bad)
                        .is_some_and(|rest| rest.starts_with('-'))
            })
        })
        .collect();
    assert!(forbidden.is_empty(), "forbidden crates: {forbidden:?}");
}
