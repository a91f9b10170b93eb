//! Tidy checks over the repository's text, in the style of rust-analyzer's `tidy` tests: things
//! a compiler does not see but a reader relies on.
//!
//! - every `docs/domain.md §N` the code cites is a section of `docs/domain.md`;
//! - every Cedar action of the schema has a door: a route of the HTTP API, a command of the
//!   `corridor` binary, or both (the table [`DOORS`]), and every door named there exists;
//! - no module doc (`//!`) names a function that no longer exists;
//! - no guard's refusal is made outside `decide/guards.rs` (and `order.rs`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::BIN;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `crates/`, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .expect("a readable directory")
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name == "target") {
                    continue;
                }
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = fs::read_to_string(&path).expect("a UTF-8 source file");
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("crates"), &mut out);
    assert!(out.len() > 50, "the walk found the workspace's sources");
    out
}

/// The path of a source file relative to the repository, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The section numbers `docs/domain.md` defines (`## §4 …` defines `4`).
fn domain_sections() -> BTreeSet<String> {
    let text = fs::read_to_string(root().join("docs/domain.md")).expect("docs/domain.md");
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start_matches('#');
            (rest.len() < line.len())
                .then(|| rest.trim_start().strip_prefix('§'))
                .flatten()
        })
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<String>()
                .trim_end_matches('.')
                .to_owned()
        })
        .collect()
}

/// The section numbers cited after `marker` in `text` (`domain.md §4.2` cites `4.2`).
fn cited_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .map(|(at, _)| {
            text.get(at + marker.len()..)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<String>()
                .trim_end_matches('.')
                .to_owned()
        })
        .collect()
}

#[test]
fn every_cited_domain_section_exists() {
    let sections = domain_sections();
    assert!(
        sections.contains("4") && sections.contains("6"),
        "docs/domain.md's headings are read ({sections:?})"
    );
    let mut missing = Vec::new();
    for (path, text) in sources() {
        // This file names the citation form in its own text and tests.
        if path.ends_with("tests/it/tidy.rs") {
            continue;
        }
        for cited in cited_after(&text, "domain.md §") {
            // `§4.2` is held by section 4 when there is no heading of its own for 4.2.
            let top = cited.split('.').next().unwrap_or_default().to_owned();
            if !sections.contains(&cited) && !sections.contains(&top) {
                missing.push(format!("{} cites docs/domain.md §{cited}", shown(&path)));
            }
        }
        assert!(
            !text.contains("DOMAIN.md §"),
            "{} cites DOMAIN.md, a file outside the repository: cite docs/domain.md",
            shown(&path)
        );
    }
    assert!(
        missing.is_empty(),
        "sections that docs/domain.md does not have:\n{}",
        missing.join("\n")
    );
}

/// A way in to an action.
#[derive(Debug, Clone, Copy)]
enum Door {
    /// A route of the HTTP API (or the witness), by its path template.
    Route(&'static str),
    /// A command of the `corridor` binary, by its words.
    Cli(&'static [&'static str]),
}

use Door::{Cli, Route};

/// Every Cedar action and its doors. A new action fails [`every_action_has_a_door`] until it is
/// given one here; a door that goes away fails [`every_door_exists`].
const DOORS: &[(&str, &[Door])] = &[
    (
        "list_agreements",
        &[Route("/api/agreements"), Cli(&["agreement", "list"])],
    ),
    (
        "read_agreement",
        &[
            Route("/api/agreements/{agreement}"),
            Cli(&["agreement", "show"]),
        ],
    ),
    (
        "load_agreement",
        &[Route("/api/agreements"), Cli(&["agreement", "load"])],
    ),
    (
        "amend_agreement",
        &[Route("/api/agreements"), Cli(&["agreement", "load"])],
    ),
    (
        "change_agreement_status",
        &[
            Route("/api/agreements/{agreement}/status"),
            Cli(&["agreement", "status"]),
        ],
    ),
    (
        "list_cases",
        &[
            Route("/api/agreements/{agreement}/cases"),
            Route("/api/queue"),
            Cli(&["case", "list"]),
        ],
    ),
    (
        "read_case",
        &[Route("/api/cases/{case}"), Cli(&["case", "show"])],
    ),
    (
        "read_history",
        &[
            Route("/api/cases/{case}/history"),
            Cli(&["case", "history"]),
        ],
    ),
    (
        "read_access_records",
        &[
            Route("/api/agreements/{agreement}/access-records"),
            Cli(&["access", "list"]),
        ],
    ),
    (
        "read_committee_report",
        &[Route("/api/reports/{agreement}"), Cli(&["report"])],
    ),
    (
        "read_statistics",
        &[
            Route("/api/statistics"),
            Route("/api/statistics/releases"),
            Route("/public/statistics/{release}/{file}"),
            Cli(&["stats", "show"]),
            Cli(&["stats", "list"]),
        ],
    ),
    ("publish_statistics", &[Cli(&["stats", "publish"])]),
    (
        "read_public_report",
        &[Route("/api/reports/{agreement}"), Cli(&["report"])],
    ),
    (
        "propose",
        &[
            Route("/api/agreements/{agreement}/cases"),
            Cli(&["case", "propose"]),
        ],
    ),
    (
        "serve_notice",
        &[Route("/api/cases/{case}/notice"), Cli(&["case", "notice"])],
    ),
    (
        "claim_protection",
        &[
            Route("/api/cases/{case}/protection-claim"),
            Cli(&["case", "claim-protection"]),
        ],
    ),
    (
        "decide_protection",
        &[
            Route("/api/cases/{case}/protection-decision"),
            Cli(&["case", "decide-protection"]),
        ],
    ),
    (
        "request_transfer",
        &[
            Route("/api/cases/{case}/request"),
            Cli(&["case", "request"]),
        ],
    ),
    (
        "approve",
        &[
            Route("/api/cases/{case}/approve"),
            Cli(&["case", "approve"]),
        ],
    ),
    (
        "refuse",
        &[Route("/api/cases/{case}/refuse"), Cli(&["case", "refuse"])],
    ),
    (
        "extend_deadline",
        &[Route("/api/cases/{case}/extend"), Cli(&["case", "extend"])],
    ),
    (
        "schedule",
        &[
            Route("/api/cases/{case}/schedule"),
            Cli(&["case", "schedule"]),
        ],
    ),
    (
        "depart",
        &[Route("/api/cases/{case}/depart"), Cli(&["case", "depart"])],
    ),
    (
        "arrive",
        &[Route("/api/cases/{case}/arrive"), Cli(&["case", "arrive"])],
    ),
    (
        "record_vulnerability",
        &[
            Route("/api/cases/{case}/vulnerabilities"),
            Cli(&["case", "vulnerability"]),
        ],
    ),
    (
        "record_fear",
        &[Route("/api/cases/{case}/fears"), Cli(&["case", "fear"])],
    ),
    (
        "dispute_age",
        &[
            Route("/api/cases/{case}/age-dispute"),
            Cli(&["case", "age-dispute"]),
        ],
    ),
    (
        "decide_age",
        &[
            Route("/api/cases/{case}/age-decision"),
            Cli(&["case", "age-decision"]),
        ],
    ),
    (
        "lodge_receiving_claim",
        &[
            Route("/api/cases/{case}/receiving-claim"),
            Cli(&["case", "after"]),
        ],
    ),
    (
        "decide_receiving_claim",
        &[
            Route("/api/cases/{case}/receiving-claim-decision"),
            Cli(&["case", "after"]),
        ],
    ),
    (
        "lodge_appeal",
        &[Route("/api/cases/{case}/appeal"), Cli(&["case", "after"])],
    ),
    (
        "onward",
        &[Route("/api/cases/{case}/onward"), Cli(&["case", "onward"])],
    ),
    (
        "return",
        &[Route("/api/cases/{case}/return"), Cli(&["case", "after"])],
    ),
    (
        "settle",
        &[Route("/api/cases/{case}/settle"), Cli(&["case", "after"])],
    ),
    (
        "report_whereabouts_unknown",
        &[
            Route("/api/cases/{case}/whereabouts-unknown"),
            Cli(&["case", "after"]),
        ],
    ),
    (
        "report_whereabouts_known",
        &[
            Route("/api/cases/{case}/whereabouts-known"),
            Cli(&["case", "after"]),
        ],
    ),
    (
        "record_welfare_check",
        &[
            Route("/api/cases/{case}/welfare-checks"),
            Cli(&["case", "welfare"]),
        ],
    ),
    (
        "validate_detention",
        &[
            Route("/api/cases/{case}/detention-validated"),
            Cli(&["case", "after"]),
        ],
    ),
    (
        "withdraw",
        &[
            Route("/api/cases/{case}/withdraw"),
            Cli(&["case", "withdraw"]),
        ],
    ),
    (
        "erase",
        &[Route("/api/cases/{case}/erase"), Cli(&["case", "erase"])],
    ),
    (
        "register_hold",
        &[
            Route("/api/holds"),
            Route("/api/holds/dry-run"),
            Cli(&["hold", "register"]),
        ],
    ),
    (
        "stay_hold",
        &[Route("/api/holds/{hold}/stay"), Cli(&["hold", "stay"])],
    ),
    (
        "reactivate_hold",
        &[
            Route("/api/holds/{hold}/reactivate"),
            Cli(&["hold", "reactivate"]),
        ],
    ),
    (
        "amend_hold",
        &[Route("/api/holds/{hold}/amend"), Cli(&["hold", "amend"])],
    ),
    (
        "vacate_hold",
        &[Route("/api/holds/{hold}/vacate"), Cli(&["hold", "lift"])],
    ),
    (
        "list_holds",
        &[
            Route("/api/holds"),
            Route("/api/queue"),
            Cli(&["hold", "list"]),
        ],
    ),
    // Knowing of a hold is asked of each hold a list or a refusal would name.
    ("read_hold", &[Route("/api/holds"), Cli(&["hold", "list"])]),
    (
        "schedule_visit",
        &[
            Route("/api/agreements/{agreement}/visits"),
            Cli(&["monitor", "visit", "schedule"]),
        ],
    ),
    (
        "record_visit",
        &[
            Route("/api/agreements/{agreement}/visits/recorded"),
            Cli(&["monitor", "visit", "record"]),
        ],
    ),
    (
        "read_visits",
        &[
            Route("/api/agreements/{agreement}/visits"),
            Cli(&["monitor", "visit", "list"]),
        ],
    ),
    (
        "record_finding",
        &[
            Route("/api/agreements/{agreement}/findings"),
            Cli(&["monitor", "finding", "record"]),
        ],
    ),
    (
        "respond_to_finding",
        &[
            Route("/api/findings/{finding}/responses"),
            Cli(&["monitor", "finding", "respond"]),
        ],
    ),
    (
        "close_finding",
        &[
            Route("/api/findings/{finding}/close"),
            Cli(&["monitor", "finding", "close"]),
        ],
    ),
    (
        "read_findings",
        &[
            Route("/api/agreements/{agreement}/findings"),
            Route("/api/findings/{finding}"),
            Cli(&["monitor", "finding", "list"]),
            Cli(&["monitor", "finding", "show"]),
        ],
    ),
    (
        "read_monitoring_queue",
        &[
            Route("/api/monitoring/queue"),
            Route("/api/queue"),
            Cli(&["monitor", "queue"]),
        ],
    ),
    ("tick", &[Route("/api/tick"), Cli(&["tick"])]),
    ("check", &[Cli(&["check"])]),
    (
        "read_log",
        &[
            Route("/checkpoint"),
            Route("/tile/{path}"),
            Cli(&["log", "checkpoint"]),
        ],
    ),
    (
        "cosign_checkpoint",
        &[Route("/add-checkpoint"), Cli(&["witness", "serve"])],
    ),
    ("list_users", &[Route("/api/users"), Cli(&["user", "list"])]),
    ("add_user", &[Route("/api/users"), Cli(&["user", "add"])]),
    (
        "disable_user",
        &[
            Route("/api/users/{user}/disable"),
            Cli(&["user", "disable"]),
        ],
    ),
    (
        "set_user_role",
        &[Route("/api/users/{user}/role"), Cli(&["user", "role"])],
    ),
    (
        "issue_token",
        &[Route("/api/users/{user}/tokens"), Cli(&["user", "token"])],
    ),
    (
        "revoke_token",
        &[
            Route("/api/users/{user}/tokens/{token_id}"),
            Cli(&["user", "revoke-token"]),
        ],
    ),
    ("set_language", &[Route("/api/users/{user}/language")]),
    ("manage_keys", &[Cli(&["log", "key"]), Cli(&["init"])]),
    (
        "lodge_complaint",
        &[Route("/api/complaints"), Cli(&["complaint", "lodge"])],
    ),
    (
        "list_complaints",
        &[
            Route("/api/agreements/{agreement}/complaints"),
            Cli(&["complaint", "list"]),
        ],
    ),
    (
        "read_complaint",
        &[
            Route("/api/complaints/{complaint}"),
            Cli(&["complaint", "show"]),
        ],
    ),
    (
        "review_complaint",
        &[
            Route("/api/complaints/{complaint}/review"),
            Cli(&["complaint", "review"]),
        ],
    ),
    (
        "link_complaint",
        &[
            Route("/api/complaints/{complaint}/link"),
            Cli(&["complaint", "link"]),
        ],
    ),
    (
        "erase_complaint",
        &[
            Route("/api/complaints/{complaint}/erase"),
            Cli(&["complaint", "erase"]),
        ],
    ),
];

/// The actions `policies/corridor.cedarschema` declares.
fn schema_actions() -> BTreeSet<String> {
    let schema =
        fs::read_to_string(root().join("crates/corridor-authz/policies/corridor.cedarschema"))
            .expect("the Cedar schema");
    schema
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("action "))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        })
        .collect()
}

#[test]
fn every_action_has_a_door() {
    let actions = schema_actions();
    assert!(
        actions.len() > 40,
        "the schema's actions are read ({})",
        actions.len()
    );
    let tabled: BTreeSet<String> = DOORS
        .iter()
        .map(|(action, _)| (*action).to_owned())
        .collect();
    assert_eq!(
        DOORS.len(),
        tabled.len(),
        "an action is listed twice in DOORS"
    );
    let without: Vec<_> = actions.difference(&tabled).collect();
    assert!(
        without.is_empty(),
        "Cedar actions with no route or command (give each a door, or remove it): {without:?}"
    );
    let unknown: Vec<_> = tabled.difference(&actions).collect();
    assert!(
        unknown.is_empty(),
        "DOORS names actions the schema does not: {unknown:?}"
    );
    for (action, doors) in DOORS {
        assert!(!doors.is_empty(), "{action} has no door");
    }
}

/// Every string literal that names a route in the HTTP crates' sources.
fn route_literals() -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for (path, text) in sources() {
        let shown = shown(&path);
        let http = ["crates/corridor-api/src/", "crates/corridor-witness/src/"]
            .iter()
            .any(|prefix| shown.starts_with(prefix));
        if !http {
            continue;
        }
        for piece in text.split('"').skip(1).step_by(2) {
            if piece.starts_with('/') && !piece.contains(' ') {
                routes.insert(piece.to_owned());
            }
        }
    }
    routes
}

#[test]
fn every_door_exists() {
    let routes = route_literals();
    let mut commands = BTreeSet::new();
    for (action, doors) in DOORS {
        for door in *doors {
            match door {
                Route(route) => assert!(
                    routes.contains(*route),
                    "{action}: no route {route} in corridor-api or corridor-witness"
                ),
                Cli(words) => {
                    commands.insert(*words);
                }
            }
        }
    }
    for words in commands {
        let output = Command::new(BIN)
            .args(words)
            .arg("--help")
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "`corridor {} --help` fails: {}",
            words.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The snake_case names a module doc line writes as code that reads as a function or module:
/// a path (`service::read_case`), a call (`read_case()`), or an intra-doc link
/// (``[`read_case`]``). Returns the last segment of each.
fn named_in_doc(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pieces = line.split('`');
    let mut before = pieces.next().unwrap_or_default();
    while let (Some(code), Some(after)) = (pieces.next(), pieces.next()) {
        let linked = before.ends_with('[') && after.starts_with(']');
        let called = code.ends_with("()");
        let code = code.trim_end_matches("()");
        let pathed = code.contains("::");
        let is_path = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if is_path && (linked || called || pathed) {
            let last = code.rsplit("::").next().unwrap_or_default();
            let snake = last
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && last
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if snake && !["self", "crate", "super"].contains(&last) {
                names.push(last.to_owned());
            }
        }
        before = after;
    }
    names
}

/// Whether `name` is defined somewhere: a function, a module, a macro, a field, a source file
/// or a crate (`corridor_api`).
fn defined(name: &str, sources: &[(PathBuf, String)], files: &BTreeSet<String>) -> bool {
    if files.contains(name) || name.starts_with("corridor") || is_external(name) {
        return true;
    }
    let patterns = [
        format!("fn {name}("),
        format!("fn {name}<"),
        format!("mod {name};"),
        format!("mod {name} {{"),
        format!("macro_rules! {name}"),
        format!(" {name}: "),
        format!("static {name}"),
    ];
    sources.iter().any(|(_, text)| {
        patterns
            .iter()
            .any(|pattern| text.contains(pattern.as_str()))
    })
}

/// Names of other crates' items that module docs may mention (`tokio::spawn`, `serde_json`).
fn is_external(name: &str) -> bool {
    [
        "std",
        "core",
        "alloc",
        "tokio",
        "sqlx",
        "serde",
        "serde_json",
        "axum",
        "jiff",
        "cedar",
        "toml",
        "clap",
        "tracing",
        "sha2",
        "ed25519_dalek",
        "ml_dsa",
        "hkdf",
        "hmac",
        "chacha20poly1305",
        "argon2",
        "utoipa",
        "utoipa_axum",
        "metrics",
        "tower_http",
        "ureq",
        "ct_merkle",
        "proptest",
        "insta",
        "csv",
        "hex",
        "base64",
        "getrandom",
        "rand_chacha",
    ]
    .contains(&name)
}

#[test]
fn no_module_doc_names_a_function_that_does_not_exist() {
    let sources = sources();
    let files: BTreeSet<String> = sources
        .iter()
        .filter_map(|(path, _)| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .collect();
    let mut stale = Vec::new();
    for (path, text) in &sources {
        for (number, line) in text.lines().enumerate() {
            let Some(doc) = line.trim_start().strip_prefix("//!") else {
                continue;
            };
            for name in named_in_doc(doc) {
                if !defined(&name, &sources, &files) {
                    stale.push(format!("{}:{}: `{name}`", shown(path), number + 1));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "module docs name what no longer exists:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_doc_reader_finds_what_it_should() {
    assert_eq!(
        named_in_doc(" calls [`read_case`] and `service::list_cases`, `tick()`, not `plain`"),
        vec!["read_case", "list_cases", "tick"]
    );
    assert!(named_in_doc(" the [`Store`] and `Store`, `x y`").is_empty());
    assert_eq!(named_in_doc(" [`Store::execute`]"), vec!["execute"]);
    assert_eq!(
        cited_after("see docs/domain.md §4.2. and domain.md §6", "domain.md §"),
        ["4.2", "6"]
    );
}

/// The refusals a guard gives, by name: the safeguards (`Refusal::is_safeguard`) and the rule
/// that time moves forward.
const SAFEGUARD_REFUSALS: &[&str] = &[
    "HoldActive",
    "NoticePeriodRunning",
    "NoticeMissing",
    "NoticeDeficient",
    "ProtectionClaimPending",
    "ProtectionFound",
    "NotApprovedByReceivingState",
    "NotApprovedBySupervisor",
    "AgreementNotInForce",
    "CapReached",
    "Ineligible",
    "SelfApproval",
    "TransferDeadlinePassed",
    "OnwardDestinationProhibited",
    "DepartureOutsideSchedule",
    "FearNotScreened",
    "TimeBeforeRecorded",
];

/// Whether `text` at `at` (just after `Refusal::Name`) makes a refusal rather than matching one:
/// a struct or tuple with values, not `{ .. }`, a pattern's `|`, or a match arm's `=>`.
fn constructs(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line = rest.get(..line_end).unwrap_or_default().trim_start();
    let pattern = line.starts_with("{ ..")
        || line.starts_with("=>")
        || line.starts_with('|')
        || line.is_empty()
        || line.contains("=>");
    !pattern
}

/// Guards live in one place: no code outside the decider's guards (`decide/guards.rs`, and
/// `order.rs` for the rule that time moves forward) makes a guard's refusal. The one exception is the
/// application layer's concealment, which rewords a refusal the decider made for a caller who may
/// not learn its cause (`conceal_protection` in corridor-app's `service.rs`), and the test kit's
/// one example of every refusal (`corridor-testkit`'s `refusals.rs`, for the catalogue tests),
/// which no production code depends on.
#[test]
fn no_guard_refusal_is_made_outside_the_guards() {
    let allowed = [
        "crates/corridor-domain/src/decide/guards.rs",
        "crates/corridor-domain/src/order.rs",
        "crates/corridor-domain/src/refusal.rs",
        "crates/corridor-app/src/service.rs",
        "crates/corridor-testkit/src/refusals.rs",
    ];
    let mut made = Vec::new();
    let mut seen_in_decider = 0;
    for (path, text) in sources() {
        let shown = shown(&path);
        if !shown.contains("/src/") {
            continue;
        }
        for name in SAFEGUARD_REFUSALS {
            let needle = format!("Refusal::{name}");
            for (at, _) in text.match_indices(&needle) {
                let after = at + needle.len();
                let next = text.get(after..).and_then(|rest| rest.chars().next());
                if next.is_some_and(|c| c.is_ascii_alphanumeric()) || !constructs(&text, after) {
                    continue;
                }
                if shown == "crates/corridor-domain/src/decide/guards.rs" {
                    seen_in_decider += 1;
                }
                if !allowed.iter().any(|prefix| shown.starts_with(prefix)) {
                    made.push(format!("{shown}: Refusal::{name}"));
                }
            }
        }
    }
    assert!(
        seen_in_decider > 10,
        "the scan finds the decider's own refusals ({seen_in_decider})"
    );
    assert!(
        made.is_empty(),
        "guard refusals made outside decide/guards.rs (a guard belongs there):\n{}",
        made.join("\n")
    );
}

/// A source file's module path inside its crate: `src/lib.rs` is `[]`, `src/a.rs` and
/// `src/a/mod.rs` are `["a"]`, `src/a/b.rs` is `["a", "b"]`.
fn module_path(src: &Path, file: &Path) -> Option<Vec<String>> {
    let relative = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if !matches!(stem, "lib" | "main" | "mod") {
        parts.push(stem.to_owned());
    }
    Some(parts)
}

/// The module paths `text` names through `crate::…` or `super::…` (braced lists included),
/// resolved against `own`, the module of the file (`is_dir_module`: a `mod.rs` or `lib.rs`).
fn referenced_paths(text: &str, own: &[String], is_dir_module: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            let mut parent = own.to_vec();
            if !is_dir_module {
                parent.pop();
            }
            parent.pop();
            parent
        }),
    ] {
        for (at, _) in text.match_indices(prefix) {
            let before = text.get(..at).and_then(|head| head.chars().last());
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = text.get(at + prefix.len()..).unwrap_or_default();
            let items: Vec<&str> = if let Some(braced) = rest.strip_prefix('{') {
                braced
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .collect()
            } else {
                vec![rest]
            };
            for item in items {
                let segments: Vec<String> = item
                    .trim()
                    .split("::")
                    .map(|segment| {
                        segment
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .take_while(|segment| !segment.is_empty())
                    .collect();
                let mut path = base.clone();
                path.extend(segments);
                out.push(path);
            }
        }
    }
    out
}

/// The circles between files of one crate: file A names an item of file B and B one of A,
/// directly or through others. A module and the files below it are one unit (a parent declares
/// its children), so edges between them are not counted.
fn file_circles(krate: &str) -> Vec<String> {
    let src = root().join("crates").join(krate).join("src");
    let files = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with(&src))
        .collect();
    circles_in(&src, files)
}

/// The code of `text` without its comments (a doc link is not an import).
fn code_of(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The circles between `files`, the sources of the crate whose `src` directory is `src`.
fn circles_in(src: &Path, files: Vec<(PathBuf, String)>) -> Vec<String> {
    let files: Vec<(PathBuf, Vec<String>, String)> = files
        .into_iter()
        .filter_map(|(path, text)| Some((path.clone(), module_path(src, &path)?, code_of(&text))))
        .collect();
    let modules: Vec<&Vec<String>> = files.iter().map(|(_, module, _)| module).collect();
    let within = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); files.len()];
    for (from, (path, own, text)) in files.iter().enumerate() {
        let is_dir_module = path
            .file_name()
            .is_some_and(|name| name == "mod.rs" || name == "lib.rs");
        for reference in referenced_paths(text, own, is_dir_module) {
            // The file whose module is the longest prefix of the path named.
            let target = modules
                .iter()
                .enumerate()
                .filter(|(_, module)| !module.is_empty() && reference.starts_with(module))
                .max_by_key(|(_, module)| module.len())
                .map(|(index, _)| index);
            if let Some(to) = target
                && !within(
                    own,
                    modules.get(to).map_or(&[][..], |module| module.as_slice()),
                )
            {
                edges.get_mut(from).map(|set| set.insert(to));
            }
        }
    }
    // Each pair of files that reach each other is a circle.
    let reach = |start: usize| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &next in edges.get(node).into_iter().flatten() {
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        seen
    };
    let reached: Vec<BTreeSet<usize>> = (0..files.len()).map(reach).collect();
    let mut circles = Vec::new();
    for a in 0..files.len() {
        for b in (a + 1)..files.len() {
            if reached.get(a).is_some_and(|set| set.contains(&b))
                && reached.get(b).is_some_and(|set| set.contains(&a))
            {
                let name = |index: usize| files.get(index).map(|(path, ..)| shown(path));
                circles.push(format!("{:?} <-> {:?}", name(a), name(b)));
            }
        }
    }
    circles
}

/// The application layer and the store have no circle between their files, and in the domain
/// neither the decider nor the fold nor the reference is in one (issue 13: `service.rs` and the
/// HTTP handlers, `store.rs` and `pending.rs`, `decide.rs` and `world.rs` imported each other).
/// The domain's data types (`case.rs`, `hold.rs`, `event.rs`: an event names a hold's scope, a
/// case and a hold fold events) may name each other.
#[test]
fn no_circle_between_the_files_of_a_crate() {
    for krate in ["corridor-app", "corridor-store"] {
        let circles = file_circles(krate);
        assert!(
            circles.is_empty(),
            "{krate} has circles between files:\n{}",
            circles.join("\n")
        );
    }
    let behaviour: Vec<String> = file_circles("corridor-domain")
        .into_iter()
        .filter(|circle| {
            ["/decide/", "/world.rs", "/apply.rs", "/roles.rs"]
                .iter()
                .any(|file| circle.contains(file))
        })
        .collect();
    assert!(
        behaviour.is_empty(),
        "corridor-domain's decider is in a circle:\n{}",
        behaviour.join("\n")
    );
}

#[test]
fn the_circle_finder_sees_a_circle() {
    let own = vec!["a".to_owned()];
    assert_eq!(
        referenced_paths("use crate::b::f; use super::{c, d::e};", &own, false),
        vec![vec!["b", "f"], vec!["c"], vec!["d", "e"]]
    );
    let src = Path::new("/x/src");
    let file = |name: &str, text: &str| (src.join(name), text.to_owned());
    let circles = circles_in(
        src,
        vec![
            file("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;"),
            file("a.rs", "use crate::b::f;"),
            file("b.rs", "use crate::c::{g, h};"),
            file("c.rs", "pub fn g() { super::a::k() }\n/// [`crate::d::x`]"),
            file("d.rs", "/// Not an import: [`crate::a`]\nuse crate::c::g;"),
        ],
    );
    assert_eq!(
        circles.len(),
        3,
        "a, b and c reach each other, d is outside: {circles:?}"
    );
}

/// The application layer knows no HTTP: no web framework or HTTP types among its dependencies
/// or in its source.
#[test]
fn the_application_layer_knows_no_http() {
    let manifest =
        fs::read_to_string(root().join("crates/corridor-app/Cargo.toml")).expect("its manifest");
    for crate_name in [
        "axum",
        "http",
        "hyper",
        "tower",
        "tower-http",
        "utoipa-axum",
        "cookie",
    ] {
        assert!(
            !manifest
                .lines()
                .any(|line| line.starts_with(&format!("{crate_name} "))
                    || line.starts_with(&format!("{crate_name}."))
                    || line.starts_with(&format!("{crate_name}="))),
            "corridor-app depends on {crate_name}"
        );
    }
    for (path, text) in sources() {
        if shown(&path).starts_with("crates/corridor-app/src/") {
            for http in ["axum::", "http::", "StatusCode", "HeaderMap"] {
                assert!(!text.contains(http), "{} names {http}", shown(&path));
            }
        }
    }
}
