//! Statistics releases end to end through the CLI: the demo's releases verify against its
//! exported log and a tampered or lying (yet correctly signed) copy is refused; `stats publish`
//! keeps its rules (period ended, checkpoint after it, the operator only, append-only,
//! corrections), and what it publishes is what `stats show` prints and `stats verify` accepts.

use std::collections::BTreeMap;
use std::path::Path;

use corridor_log::note::{Ed25519Signer, Note};
use corridor_stats::files::{self, NOTE_FILE};
use corridor_stats::manifest;
use corridor_stats::release::{Release, Value};

use crate::harness::{Run, Sandbox};

/// The demo's statistics signing key, its release directory and its exported log.
const DEMO_KEY_FILE: &str = "corridor-demo-statistics.key";
const DEMO_STATS_DIR: &str = "corridor-demo-statistics";
const DEMO_LOG_DIR: &str = "corridor-demo-log";

/// The value following `flag` in a line of words.
fn after<'a>(line: &'a str, flag: &str) -> &'a str {
    let mut words = line.split_whitespace();
    words
        .find(|word| *word == flag)
        .and_then(|_| words.next())
        .unwrap_or_else(|| panic!("no `{flag}` in {line}"))
}

/// Runs the demo in `sandbox` and returns the statistics key and the log key its line for
/// `release` prints.
fn demo_keys(sandbox: &Sandbox, release: &str) -> (String, String) {
    let output = sandbox
        .corridor(&[
            "demo",
            "--seed",
            "42",
            "--quiet",
            "--demo-database",
            "sqlite://a.db",
        ])
        .code(0)
        .stdout();
    let prefix = format!("Statistics release {release} verified");
    let line = output
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in\n{output}"));
    let dir = format!("{DEMO_STATS_DIR}/{release}");
    assert!(
        line.contains(&format!("corridor stats verify {dir} --log {DEMO_LOG_DIR}")),
        "{line}"
    );
    (
        after(line, "--key").to_owned(),
        after(line, "--log-key").to_owned(),
    )
}

/// `corridor stats verify DIR --log corridor-demo-log --key KEY --log-key LOG_KEY`.
fn verify(sandbox: &Sandbox, dir: &str, log: &str, key: &str, log_key: &str) -> Run {
    sandbox.corridor(&[
        "stats",
        "verify",
        dir,
        "--log",
        log,
        "--key",
        key,
        "--log-key",
        log_key,
    ])
}

/// Copies every file of the directory `from` into a new directory `to`.
fn copy_release(sandbox: &Sandbox, from: &str, to: &str) {
    std::fs::create_dir(sandbox.file(to)).expect("a new directory");
    for entry in std::fs::read_dir(sandbox.file(from)).expect("the release's directory") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), sandbox.file(to).join(entry.file_name())).expect("a copy");
    }
}

/// Every file of a directory, by name.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let entry = entry.expect("an entry");
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("the file"),
            )
        })
        .collect()
}

/// Writes `release` as a complete release into the new directory `to`: every file rewritten,
/// the manifest re-made and signed with `signer`, exactly as corridor publishes one.
fn write_signed(sandbox: &Sandbox, release: &Release, signer: &Ed25519Signer, to: &str) {
    let written = files::write(release).expect("the release's files");
    let mut note = Note::new(manifest::body(release, &written)).expect("a note");
    note.sign(signer).expect("signed");
    let dir = sandbox.file(to);
    std::fs::create_dir(&dir).expect("a new directory");
    for file in &written {
        std::fs::write(dir.join(&file.name), &file.bytes).expect("a file written");
    }
    std::fs::write(dir.join(NOTE_FILE), note.to_text()).expect("the note written");
}

/// The demo's own statistics signing key.
fn demo_signer(sandbox: &Sandbox) -> Ed25519Signer {
    let text = std::fs::read_to_string(sandbox.file(DEMO_KEY_FILE)).expect("the demo's key");
    let line = text.lines().next().expect("a key line");
    Ed25519Signer::parse(line.trim()).expect("a signing key")
}

/// Changes by `delta` the first exact total of `release` that `pick` accepts, and returns the
/// cell's measure, its old value and its new one.
fn change_exact_total(
    release: &mut Release,
    delta: i64,
    pick: impl Fn(u64) -> bool,
) -> (String, u64, u64) {
    let cell = release
        .cells
        .iter_mut()
        .find(|cell| cell.breakdown.is_empty() && matches!(cell.value, Value::Exact(n) if pick(n)))
        .expect("an exact total to change");
    let Value::Exact(old) = cell.value else {
        unreachable!("an exact cell was picked");
    };
    let new = old.checked_add_signed(delta).expect("a count in range");
    cell.value = Value::Exact(new);
    (cell.measure.clone(), old, new)
}

/// Asserts the correctly signed but lying copy `dir` is refused, naming the cell's measure,
/// what it publishes and what the log holds.
#[track_caller]
fn refused_against_log(
    sandbox: &Sandbox,
    dir: &str,
    keys: &(String, String),
    lie: &(String, u64, u64),
) {
    let (measure, old, new) = lie;
    let run = verify(sandbox, dir, DEMO_LOG_DIR, &keys.0, &keys.1).code(1);
    let stderr = run.stderr();
    for wanted in [
        format!("measure `{measure}`"),
        format!("published exactly {new}, but the log holds {old} such leaves"),
    ] {
        assert!(stderr.contains(&wanted), "`{wanted}` is not in:\n{stderr}");
    }
    // Said once: the cell is the refusal's cause, not repeated in its message.
    assert_eq!(
        stderr
            .matches(&format!(
                "measure `{measure}`, total: published exactly {new}"
            ))
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.starts_with("error: the release contradicts the log: agreement `"),
        "{stderr}"
    );
}

#[test]
fn the_demo_release_verifies_and_a_tampered_or_lying_copy_is_refused() {
    // Proves the demo's release 2025 verifies against its exported log with the keys the demo
    // prints; a copy with one byte of statistics.csv changed is refused naming the file; and a
    // copy that over- or understates an exact total by one, re-signed with the demo's own
    // statistics key (so every hash and the signature hold), is refused naming the measure and
    // the count the log holds.
    let sandbox = Sandbox::new();
    let keys = demo_keys(&sandbox, "2025");
    let original = format!("{DEMO_STATS_DIR}/2025");
    let run = verify(&sandbox, &original, DEMO_LOG_DIR, &keys.0, &keys.1).code(0);
    assert!(!run.stdout().is_empty());

    copy_release(&sandbox, &original, "tampered");
    let csv = sandbox.file("tampered/statistics.csv");
    let mut bytes = std::fs::read(&csv).expect("the CSV");
    let last_digit = bytes
        .iter()
        .rposition(u8::is_ascii_digit)
        .expect("a digit in the CSV");
    bytes[last_digit] = if bytes[last_digit] == b'9' {
        b'8'
    } else {
        bytes[last_digit] + 1
    };
    std::fs::write(&csv, bytes).expect("the CSV rewritten");
    let stderr = verify(&sandbox, "tampered", DEMO_LOG_DIR, &keys.0, &keys.1)
        .code(1)
        .stderr();
    assert!(
        stderr.contains("`statistics.csv` is not the file the release signed"),
        "{stderr}"
    );

    let json = std::fs::read(sandbox.file(&format!("{original}/statistics.json"))).expect("JSON");
    let release: Release = serde_json::from_slice(&json).expect("a release");
    let signer = demo_signer(&sandbox);
    // The demo's files are what files::write and the key make of its release: the re-signed
    // copy differs from it only by the changed cell.
    write_signed(&sandbox, &release, &signer, "resigned");
    verify(&sandbox, "resigned", DEMO_LOG_DIR, &keys.0, &keys.1).code(0);

    let mut over = release.clone();
    let overstated = change_exact_total(&mut over, 1, |_| true);
    write_signed(&sandbox, &over, &signer, "overstated");
    refused_against_log(&sandbox, "overstated", &keys, &overstated);

    let mut under = release;
    let understated = change_exact_total(&mut under, -1, |n| n > 0);
    write_signed(&sandbox, &under, &signer, "understated");
    refused_against_log(&sandbox, "understated", &keys, &understated);
}

/// `corridor stats publish out ARGS… --as USER`, at the sandbox's clock.
fn publish(sandbox: &Sandbox, user: &str, args: &[&str]) -> Run {
    let mut full = vec!["--as", user, "stats", "publish", "out"];
    full.extend_from_slice(args);
    sandbox.corridor(&full)
}

/// Asserts a publication is refused with exit status 4 (refused, like every refused command)
/// and `code` first in its error.
#[track_caller]
fn publish_refused(sandbox: &Sandbox, user: &str, args: &[&str], code: &str) {
    let stderr = publish(sandbox, user, args).code(4).stderr();
    assert!(
        stderr.contains(&format!("error: {code}: ")),
        "`{code}` is not the refusal:\n{stderr}"
    );
}

#[test]
fn publishing_keeps_its_rules_and_what_it_publishes_verifies() {
    // Proves `stats publish` refuses a month that has not ended, a caller other than the
    // operator, and a checkpoint made before the month ended; then publishes the month's files,
    // never rewrites them (release_exists), publishes a correction naming what it corrects and
    // refuses to correct an unknown release; `stats list` lists both newest first; `stats show`
    // prints the anonymous public exactly the published CSV; and the release verifies against
    // the exported log.
    let mut sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    for name in ["Ana Ejemplo", "Bea Ejemplo", "Cruz Ejemplo"] {
        sandbox.propose("officer.ada", name);
    }
    sandbox.corridor(&["log", "checkpoint"]).code(0);
    let key = sandbox.corridor(&["stats", "key"]).code(0).stdout();
    let key = key.trim().to_owned();

    // The sandbox's clock is in August 2025.
    publish_refused(
        &sandbox,
        "admin",
        &["--period", "2025-08"],
        "period_not_ended",
    );

    sandbox.set_now("2025-09-01T10:00:00Z");
    let stderr = publish(&sandbox, "officer.ada", &["--period", "2025-08"])
        .code(4)
        .stderr();
    assert!(stderr.contains("error: forbidden: "), "{stderr}");
    publish_refused(
        &sandbox,
        "admin",
        &["--period", "2025-08"],
        "checkpoint_before_period_end",
    );
    assert!(!sandbox.file("out/2025-08").exists());

    sandbox.corridor(&["log", "checkpoint"]).code(0);
    let published = sandbox.json_as(
        "admin",
        0,
        &["stats", "publish", "out", "--period", "2025-08"],
    );
    assert_eq!(published["release"], "2025-08", "{published}");
    let dir = sandbox.file("out/2025-08");
    let files = files_of(&dir);
    for name in [
        "statistics.json",
        "statistics.csv",
        "datapackage.json",
        "release.note",
        "chart-us-rwa-2025.svg",
    ] {
        assert!(files.contains_key(name), "no {name} in {:?}", files.keys());
    }

    publish_refused(
        &sandbox,
        "admin",
        &["--period", "2025-08"],
        "release_exists",
    );
    assert_eq!(
        files_of(&dir),
        files,
        "a refused publication changed the files"
    );

    let correction = sandbox.json_as(
        "admin",
        0,
        &[
            "stats",
            "publish",
            "out",
            "--period",
            "2025-08",
            "--corrects",
            "2025-08",
        ],
    );
    assert_eq!(
        correction["release"], "2025-08-correction-1",
        "{correction}"
    );
    let corrected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(sandbox.file("out/2025-08-correction-1/statistics.json"))
            .expect("the correction's JSON"),
    )
    .expect("JSON");
    assert_eq!(corrected["corrects"], "2025-08");
    publish_refused(
        &sandbox,
        "admin",
        &["--period", "2025-08", "--corrects", "nope"],
        "unknown_release",
    );
    assert_eq!(files_of(&dir), files);

    let list = sandbox
        .corridor(&["--json", "stats", "list"])
        .code(0)
        .json();
    let ids: Vec<&str> = list["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|release| release["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids, ["2025-08-correction-1", "2025-08"], "{list}");

    let shown = sandbox
        .corridor(&[
            "stats",
            "show",
            "--release",
            "2025-08",
            "--file",
            "statistics.csv",
        ])
        .code(0)
        .stdout();
    assert_eq!(shown.as_bytes(), files["statistics.csv"].as_slice());
    let stderr = sandbox
        .corridor(&[
            "stats",
            "show",
            "--release",
            "2024-01",
            "--file",
            "statistics.csv",
        ])
        .code(4)
        .stderr();
    assert!(stderr.contains("error: not_found: "), "{stderr}");

    sandbox.corridor(&["log", "export", "public"]).code(0);
    let log_key = sandbox.corridor(&["log", "key"]).code(0).stdout();
    for release in ["out/2025-08", "out/2025-08-correction-1"] {
        verify(&sandbox, release, "public", &key, log_key.trim()).code(0);
    }
}

/// How many synthetic people live through the year of
/// `a_year_of_releases_from_the_demos_population_keeps_every_suppressed_cell_hidden`: the one
/// knob of its scale (docs/statistics.md gives the time it takes).
const PEOPLE_PER_YEAR: u32 = 100;

/// The ids of the year's releases, in the order the demo publishes them.
fn year_release_ids(year: u16) -> Vec<String> {
    let mut ids: Vec<String> = (1..=12).map(|month| format!("{year}-{month:02}")).collect();
    ids.extend((1..=4).map(|quarter| format!("{year}-q{quarter}")));
    ids.push(year.to_string());
    ids.push(format!("since-entry-to-{year}-12"));
    ids
}

#[test]
fn a_year_of_releases_from_the_demos_population_keeps_every_suppressed_cell_hidden() {
    // Proves issue 16's differencing rule on the demo's own generator: `corridor demo --people N`
    // drives the application through a year of synthetic cases under the demo's agreements and
    // publishes the year's releases in order (12 months, 4 quarters, the year, since entry), each
    // protected against those before it; every release verifies against the exported log with
    // `corridor stats verify`; and the audit that reads only the releases, all of them together
    // (`corridor_stats::release_audit`), finds no suppressed cell whose interval of consistent
    // values is narrower than the rule asks. The releases do suppress cells, so a differencing
    // leak would show here.
    let sandbox = Sandbox::new();
    let people = PEOPLE_PER_YEAR.to_string();
    let output = sandbox
        .corridor(&[
            "demo",
            "--seed",
            "42",
            "--quiet",
            "--people",
            &people,
            "--demo-database",
            "sqlite://population.db",
        ])
        .code(0)
        .stdout();
    let lines: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with("Statistics release "))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|line| line.split_whitespace().nth(2).expect("a release id"))
        .collect();
    assert_eq!(ids, year_release_ids(2026), "{output}");

    let mut releases: Vec<Release> = Vec::new();
    for (line, id) in lines.iter().zip(&ids) {
        let dir = format!("{DEMO_STATS_DIR}/{id}");
        verify(
            &sandbox,
            &dir,
            DEMO_LOG_DIR,
            after(line, "--key"),
            after(line, "--log-key"),
        )
        .code(0);
        let json =
            std::fs::read(sandbox.file(&format!("{dir}/statistics.json"))).expect("the JSON");
        releases.push(serde_json::from_slice(&json).expect("a release"));
    }

    // The population reached every agreement in force: each proposed people in the year.
    let year = releases.get(16).expect("the year's release");
    for agreement in [
        "us-rwa-2025",
        "ita-alb-2023",
        "dublin-iii-deu-ita",
        "demo-training",
    ] {
        let proposed = year.cells.iter().find(|cell| {
            cell.agreement == agreement && cell.measure == "proposed" && cell.breakdown.is_empty()
        });
        assert!(
            matches!(proposed, Some(cell) if matches!(cell.value, Value::Exact(n) if n > 0)),
            "no people proposed under {agreement} in 2026: {proposed:?}"
        );
    }

    let suppressed = releases
        .iter()
        .flat_map(|release| &release.cells)
        .filter(|cell| cell.value == Value::Suppressed)
        .count();
    assert!(
        suppressed > 0,
        "the year's releases suppress nothing: the audit would prove nothing"
    );
    let intervals =
        corridor_stats::release_audit::audit_releases(&releases).expect("the audit solves");
    assert_eq!(
        intervals.len(),
        suppressed,
        "the audit bounds every suppressed cell"
    );
    let narrow: Vec<String> = intervals
        .iter()
        .filter(|interval| !interval.protects())
        .map(|interval| {
            format!(
                "{} {} {} {:?}: {}..{:?} (the rule asks {})",
                interval.release,
                interval.cell.agreement,
                interval.cell.measure,
                interval.cell.breakdown,
                interval.low,
                interval.high,
                interval.required
            )
        })
        .collect();
    assert!(
        narrow.is_empty(),
        "{} of {suppressed} suppressed cells are narrowed below the rule by reading the year's releases together:\n{}",
        narrow.len(),
        narrow.join("\n")
    );
}

#[test]
fn a_quarter_published_without_an_id_gets_its_label_in_lower_case() {
    // Proves `stats publish --period 2025-Q3` without `--release` publishes under the quarter's
    // label in lower case (`2025-q3`, a valid release id), writes its files under that name and
    // lists it so; an id given with a capital letter is still refused.
    let mut sandbox = Sandbox::new();
    sandbox.init_with_us_rwa();
    sandbox.propose("officer.ada", "Ana Ejemplo");
    sandbox.corridor(&["stats", "key"]).code(0);
    sandbox.set_now("2025-10-01T10:00:00Z");
    sandbox.corridor(&["log", "checkpoint"]).code(0);
    let stderr = publish(
        &sandbox,
        "admin",
        &["--period", "2025-Q3", "--release", "2025-Q3"],
    )
    .code(4)
    .stderr();
    assert!(
        stderr.contains("error: invalid_input: release: `2025-Q3` is not a release id"),
        "{stderr}"
    );
    let published = sandbox.json_as(
        "admin",
        0,
        &["stats", "publish", "out", "--period", "2025-Q3"],
    );
    assert_eq!(published["release"], "2025-q3", "{published}");
    assert!(sandbox.file("out/2025-q3/statistics.json").exists());
    let list = sandbox
        .corridor(&["--json", "stats", "list"])
        .code(0)
        .json();
    assert_eq!(list["releases"][0]["id"], "2025-q3", "{list}");
    assert_eq!(list["releases"][0]["period"], "2025-Q3", "{list}");
}
