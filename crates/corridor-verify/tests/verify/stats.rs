//! Verifying a release of statistics against a synthetic log: a true release passes, and every
//! way of lying (a total overstated or understated, a breakdown that cannot add up, a changed
//! byte, a wrong key, a checkpoint the log never had) is refused by name.

use corridor_log::leaf::{commitment, leaf_entry};
use corridor_log::note::{Ed25519Signer, KeyName, Note, VerifierSet};
use corridor_stats::files::{CSV_FILE, NOTE_FILE, write as write_files};
use corridor_stats::manifest::{body, signer_name};
use corridor_stats::measure::Breakdown;
use corridor_stats::period::Month;
use corridor_stats::release::{
    AgreementInfo, LogPoint, RELEASE_FORMAT, Release, ReleaseCell, Value,
};
use corridor_verify::count::leaf_key;
use corridor_verify::source::Source;
use corridor_verify::stats::{StatsRefusal, verify_release};
use corridor_verify::tables::CellRefusal;

use crate::{ORIGIN, event_bytes, publish, salt, tree, trust, write};

/// The release's size: leaves from here on are after the release and must not be counted.
const RELEASE_SIZE: u64 = 600;

/// The key that signs releases.
fn statistics_signer(seed: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new(signer_name(ORIGIN)).unwrap(), &[seed; 32])
}

fn statistics_keys() -> VerifierSet {
    VerifierSet::new()
        .with(statistics_signer(9).verifier())
        .unwrap()
}

fn leaf(index: u64, kind: &str, agreement: Option<&str>, day: &str) -> Vec<u8> {
    leaf_entry(
        kind,
        agreement,
        day,
        &commitment(&salt(index), event_bytes(index)),
    )
}

/// A log of 700 leaves: in its first 600, 23 departures from the US to Rwanda over the first
/// quarter of 2026 (and 4 in December 2025), 12 proposals, 3 court holds, and monitoring
/// records; after them, more departures the release must not count.
fn log_entries() -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    let days = ["2026-01-05", "2026-02-17", "2026-03-31"];
    for index in 0..700u64 {
        let day = days[(index % 3) as usize];
        let entry = match index {
            0..23 => leaf(index, "departed", Some("us-rwa-2025"), day),
            23..27 => leaf(index, "departed", Some("us-rwa-2025"), "2025-12-30"),
            27..39 => leaf(index, "case_proposed", Some("us-rwa-2025"), day),
            39..42 => leaf(index, "hold_registered", None, day),
            600.. => leaf(index, "departed", Some("us-rwa-2025"), day),
            _ => leaf(index, "monitoring_record", None, "2026-02-01"),
        };
        entries.push(entry);
    }
    entries
}

fn cell(agreement: &str, measure: &str, breakdown: &[(&str, &str)], value: Value) -> ReleaseCell {
    ReleaseCell {
        agreement: agreement.to_owned(),
        period: "2026-Q1".to_owned(),
        measure: measure.to_owned(),
        breakdown: breakdown
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect(),
        value,
    }
}

/// A release the log bears out: exact totals, a 1-D table by sex, a 2-D table nationality × sex
/// with its margins, a measure the log does not count, and the court holds.
fn release(entries: &[Vec<u8>]) -> Release {
    let size = RELEASE_SIZE;
    let root = tree(&entries[..size as usize]).root().to_base64();
    let agreement = AgreementInfo {
        id: "us-rwa-2025".to_owned(),
        sending: "USA".to_owned(),
        receiving: "RWA".to_owned(),
        entry_into_force: Month::new(2025, 8).unwrap(),
        breakdowns: vec![Breakdown::Nationality, Breakdown::Sex],
    };
    let us = "us-rwa-2025";
    Release {
        format: RELEASE_FORMAT.to_owned(),
        id: "2026-Q1".to_owned(),
        period: "2026-Q1".to_owned(),
        corrects: None,
        checkpoint: LogPoint {
            origin: ORIGIN.to_owned(),
            size,
            root,
        },
        threshold: 5,
        base: 5,
        agreements: vec![agreement],
        cells: vec![
            cell(us, "departed", &[], Value::Exact(23)),
            cell(us, "proposed", &[], Value::Exact(12)),
            cell(us, "cases_pulled", &[], Value::Rounded(0)),
            cell("-", "hold_registered", &[], Value::Exact(3)),
            cell(us, "departed", &[("sex", "f")], Value::Rounded(10)),
            cell(us, "departed", &[("sex", "m")], Value::Rounded(15)),
            cell(us, "departed", &[("sex", "x")], Value::Suppressed),
            cell(
                us,
                "proposed",
                &[("nationality", "AFG")],
                Value::Rounded(10),
            ),
            cell(
                us,
                "proposed",
                &[("nationality", "other")],
                Value::Suppressed,
            ),
            cell(us, "proposed", &[("sex", "f")], Value::Suppressed),
            cell(us, "proposed", &[("sex", "m")], Value::Rounded(10)),
            cell(
                us,
                "proposed",
                &[("nationality", "AFG"), ("sex", "f")],
                Value::Suppressed,
            ),
            cell(
                us,
                "proposed",
                &[("nationality", "AFG"), ("sex", "m")],
                Value::Rounded(5),
            ),
            cell(
                us,
                "proposed",
                &[("nationality", "other"), ("sex", "f")],
                Value::Suppressed,
            ),
            cell(
                us,
                "proposed",
                &[("nationality", "other"), ("sex", "m")],
                Value::Suppressed,
            ),
        ],
    }
}

/// Writes a release's files and its note signed by `signer` to `dir`.
fn publish_release(dir: &std::path::Path, release: &Release, signer: &Ed25519Signer) {
    let files = write_files(release).unwrap();
    for file in &files {
        write(dir, &file.name, &file.bytes);
    }
    let mut note = Note::new(body(release, &files)).unwrap();
    note.sign(signer).unwrap();
    write(dir, NOTE_FILE, note.to_text().as_bytes());
}

/// A published log and release: their directories.
struct Published {
    log: tempfile::TempDir,
    release: tempfile::TempDir,
}

fn published(change: impl FnOnce(&mut Release)) -> Published {
    let entries = log_entries();
    let log = tempfile::tempdir().unwrap();
    publish(log.path(), &entries, &[]);
    let mut release = release(&entries);
    change(&mut release);
    let dir = tempfile::tempdir().unwrap();
    publish_release(dir.path(), &release, &statistics_signer(9));
    Published { log, release: dir }
}

fn verify(published: &Published) -> Result<corridor_verify::stats::ReleaseReport, StatsRefusal> {
    verify_release(
        &Source::Dir(published.release.path().to_path_buf()),
        &statistics_keys(),
        &Source::Dir(published.log.path().to_path_buf()),
        &trust(&[], 0),
    )
}

#[test]
fn a_true_release_verifies_against_the_log() {
    // Proves a release whose totals are the log's leaf counts (below its size only) and whose
    // breakdowns can add up verifies, and says what it checked.
    let published = published(|_| {});
    let report = verify(&published).unwrap();
    assert_eq!(report.leaves, RELEASE_SIZE);
    assert_eq!(report.log.checkpoint.size(), 700);
    assert_eq!(report.cells.totals_against_log, 3);
    // departed by sex: 1; proposed: the nationality and sex margins of the total, and the rows
    // and columns of the inner cells: 2 + 2 + 2.
    assert_eq!(report.cells.equations, 7);
    assert_eq!(report.cells.programs, 1);
    assert_eq!(report.manifest.files.len(), 5);
}

fn cell_refusal(result: Result<impl std::fmt::Debug, StatsRefusal>) -> CellRefusal {
    match result {
        Err(StatsRefusal::Cell(refusal)) => *refusal,
        other => panic!("expected a cell refusal, got {other:?}"),
    }
}

#[test]
fn an_overstated_or_understated_total_is_refused_naming_the_cell_and_the_log() {
    // Proves an exact total one above or below the log's leaf count is refused, naming the
    // agreement, period and measure, and what the log holds.
    for published_total in [24, 22] {
        let published = published(|release| release.cells[0].value = Value::Exact(published_total));
        let refusal = cell_refusal(verify(&published));
        let CellRefusal::Total { cell, log, .. } = &refusal else {
            panic!("expected a total refusal, got {refusal:?}");
        };
        assert_eq!(*log, 23);
        assert_eq!(
            (
                cell.agreement.as_str(),
                cell.period.as_str(),
                cell.measure.as_str()
            ),
            ("us-rwa-2025", "2026-Q1", "departed")
        );
        assert_eq!(
            refusal.to_string(),
            format!(
                "agreement `us-rwa-2025`, period `2026-Q1`, measure `departed`, total: published exactly {published_total}, but the log holds 23 such leaves"
            )
        );
    }
    let holds = published(|release| release.cells[3].value = Value::Exact(2));
    assert!(matches!(
        cell_refusal(verify(&holds)),
        CellRefusal::Total { cell, log: 3, .. } if cell.agreement == "-"
    ));
}

#[test]
fn a_breakdown_that_cannot_add_up_to_its_total_is_refused() {
    // Proves moving one rounded cell so the cells by sex exceed the log's total is refused,
    // naming the total, the key and the log's count; and a 2-D table whose inner cells cannot
    // give their row margin is refused by that margin.
    let moved = published(|release| release.cells[5].value = Value::Rounded(30));
    let refusal = cell_refusal(verify(&moved));
    let CellRefusal::Breakdown {
        margin, key, low, ..
    } = &refusal
    else {
        panic!("expected a breakdown refusal, got {refusal:?}");
    };
    assert_eq!((margin.measure.as_str(), key.as_str()), ("departed", "sex"));
    assert!(margin.breakdown.is_empty());
    assert_eq!(*low, 6 + 26);
    assert!(
        refusal.to_string().contains("the log holds 23 such leaves"),
        "{refusal}"
    );

    let inner = published(|release| release.cells[12].value = Value::Rounded(20));
    let refusal = cell_refusal(verify(&inner));
    assert!(
        matches!(&refusal, CellRefusal::Breakdown { margin, key, .. }
            if margin.breakdown == [("nationality".to_owned(), "AFG".to_owned())] && key == "sex"),
        "{refusal:?}"
    );
}

#[test]
fn a_changed_byte_is_refused_naming_the_file() {
    // Proves one flipped byte in a listed file is caught against the signed SHA-256.
    let published = published(|_| {});
    let path = published.release.path().join(CSV_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    assert!(matches!(
        verify(&published),
        Err(StatsRefusal::FileHash { file }) if file == CSV_FILE
    ));
}

#[test]
fn a_release_signed_by_another_key_is_refused() {
    // Proves a note signed by a key other than the statistics key given is refused.
    let entries = log_entries();
    let log = tempfile::tempdir().unwrap();
    publish(log.path(), &entries, &[]);
    let dir = tempfile::tempdir().unwrap();
    publish_release(dir.path(), &release(&entries), &statistics_signer(10));
    let published = Published { log, release: dir };
    assert!(matches!(
        verify(&published),
        Err(StatsRefusal::Signature(_))
    ));
}

#[test]
fn a_checkpoint_the_log_never_had_is_refused() {
    // Proves a release claiming the root of another tree at its size, or a size beyond the
    // log's signed checkpoint, is refused before any cell is read.
    let other_root = tree(&log_entries()[..599]).root().to_base64();
    let wrong_root = published(|release| release.checkpoint.root = other_root);
    assert!(matches!(
        verify(&wrong_root),
        Err(StatsRefusal::NotInLog {
            size: RELEASE_SIZE,
            ..
        })
    ));
    let too_big = published(|release| release.checkpoint.size = 701);
    let refusal = verify(&too_big).unwrap_err();
    assert!(
        matches!(&refusal, StatsRefusal::NotInLog { size: 701, reason, .. } if reason.contains("700")),
        "{refusal:?}"
    );
}

#[test]
fn a_csv_that_differs_from_the_json_is_refused_even_when_signed() {
    // Proves the CSV must say the JSON's cells: a signed CSV with one value changed is refused
    // by its line.
    let published = published(|_| {});
    let dir = published.release.path();
    let csv = std::fs::read_to_string(dir.join(CSV_FILE)).unwrap();
    let changed = csv.replacen(",23,exact", ",24,exact", 1);
    assert_ne!(csv, changed);
    std::fs::write(dir.join(CSV_FILE), &changed).unwrap();
    // Re-sign the changed files, as a careless (or dishonest) publisher would.
    let files: Vec<corridor_stats::files::ReleaseFile> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_name() != NOTE_FILE)
        .map(|entry| corridor_stats::files::ReleaseFile {
            name: entry.file_name().to_string_lossy().into_owned(),
            bytes: std::fs::read(entry.path()).unwrap(),
        })
        .collect();
    let release: Release =
        serde_json::from_slice(&std::fs::read(dir.join("statistics.json")).unwrap()).unwrap();
    let mut note = Note::new(body(&release, &files)).unwrap();
    note.sign(&statistics_signer(9)).unwrap();
    write(dir, NOTE_FILE, note.to_text().as_bytes());
    assert!(matches!(
        verify(&published),
        Err(StatsRefusal::CsvDiffers { line: 3, .. })
    ));
}

#[test]
fn a_leaf_is_read_only_as_far_as_its_kind_agreement_and_month() {
    // Proves the fast reader takes the kind, agreement and month of a canonical leaf and
    // refuses a leaf with another header, a two-word kind or a day that is not a date.
    let entry = leaf(1, "departed", Some("us-rwa-2025"), "2026-02-17");
    assert_eq!(
        leaf_key(&entry),
        Some(&b"kind departed\nagreement us-rwa-2025\nday 2026-02"[..])
    );
    let text = String::from_utf8(entry).unwrap();
    for bad in [
        text.replace("corridor/leaf/v1", "corridor/leaf/v2"),
        text.replace("kind departed", "kind de parted"),
        text.replace("2026-02-17", "2026-13-17"),
        text.replace("2026-02-17", "2026-02-1"),
        text.replace("\ncommitment", "\nextra x\ncommitment"),
    ] {
        assert_eq!(leaf_key(bad.as_bytes()), None, "{bad}");
    }
}

#[test]
fn a_table_whose_equations_hold_one_by_one_but_not_together_is_refused() {
    // Proves the linear program: 12 proposals, Afghans at least 11 (15 rounded) and women at
    // least 11, but no Afghan woman (a published zero): every row and column can add up alone,
    // yet the women would have to be non-Afghans, of whom there is at most one.
    let published = published(|release| {
        release.cells[7].value = Value::Rounded(15);
        release.cells[9].value = Value::Rounded(15);
        release.cells[10].value = Value::Suppressed;
        release.cells[11].value = Value::Rounded(0);
        release.cells[12].value = Value::Suppressed;
    });
    let refusal = cell_refusal(verify(&published));
    assert_eq!(
        refusal,
        CellRefusal::Table {
            agreement: "us-rwa-2025".to_owned(),
            period: "2026-Q1".to_owned(),
            measure: "proposed".to_owned(),
        }
    );
}

#[test]
fn a_tampered_log_tile_is_refused_before_any_cell_is_believed() {
    // Proves the counting pass authenticates what it reads: a changed level-0 tile no longer
    // matches its entry bundle, and a changed level-1 tile no longer matches the tiles below.
    use corridor_verify::count::CountError;
    for (path, bundle) in [("tile/0/001", true), ("tile/1/000.p/2", false)] {
        let published = published(|_| {});
        let file = published.log.path().join(path);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[40] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        let refusal = verify(&published).unwrap_err();
        match (&refusal, bundle) {
            (StatsRefusal::Count(CountError::Bundle { tile, .. }), true)
            | (StatsRefusal::Count(CountError::Tile { tile, .. }), false) => {
                assert_eq!(tile.path(), path);
            }
            _ => panic!("{path}: unexpected {refusal:?}"),
        }
    }
}

#[test]
fn the_stats_command_exits_0_1_or_2_and_reads_a_release_over_http() {
    // Proves `corridor-verify stats` verifies a release served over HTTP against a log in a
    // directory (exit 0, saying what it checked), refuses an overstated total naming the cell
    // (exit 1), and refuses a malformed key as bad usage (exit 2).
    use crate::cli::{run, serve};
    let statistics_key = statistics_signer(9).verifier().to_key_string();
    let log_key = crate::log_signer().verifier().to_key_string();
    let good = published(|_| {});
    let url = serve(good.release.path().to_path_buf());
    let log = good.log.path().to_str().unwrap();
    let output = run(&[
        "stats",
        &url,
        "--log",
        log,
        "--key",
        &statistics_key,
        "--log-key",
        &log_key,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("ok: release `2026-Q1`"), "{stdout}");
    assert!(stdout.contains("600 leaves counted"), "{stdout}");

    let overstated = published(|release| release.cells[0].value = Value::Exact(24));
    let output = run(&[
        "stats",
        overstated.release.path().to_str().unwrap(),
        "--log",
        overstated.log.path().to_str().unwrap(),
        "--key",
        &statistics_key,
        "--log-key",
        &log_key,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("measure `departed`, total: published exactly 24, but the log holds 23"),
        "{stderr}"
    );

    let output = run(&[
        "stats",
        &url,
        "--log",
        log,
        "--key",
        "not-a-key",
        "--log-key",
        &log_key,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--key"));
}
