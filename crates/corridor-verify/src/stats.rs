//! Verifies a release of public statistics against the public log, with nothing but the
//! published files and two keys: the statistics key that signs releases and the log's key.
//!
//! 1. `release.note` is a signed note (C2SP signed-note) by the statistics key over the
//!    release's manifest (`corridor_stats::manifest`): its id, the log checkpoint, and the
//!    SHA-256 of every file. Each listed file must have that hash.
//! 2. `statistics.json` is the release; it names the manifest's id and checkpoint.
//!    `statistics.csv` says the same cells, in the same order.
//! 3. The log's signed checkpoint opens with the log's key, its size is at least the release's,
//!    and the release's root is the log's root at that size (a consistency proof from the
//!    authenticated tiles). Every hash tile is authenticated, and every leaf below the release's
//!    size is read from an authenticated entry bundle and counted by kind, agreement and month.
//! 4. The cells agree with those counts and with each other ([`crate::tables`]).

use std::collections::BTreeMap;

use corridor_log::checkpoint::Checkpoint;
use corridor_log::hash::Hash;
use corridor_log::note::{NoteError, VerifierSet, open};
use corridor_stats::files::{CSV_FILE, CsvReadError, JSON_FILE, NOTE_FILE, read_csv};
use corridor_stats::manifest::{Manifest, ManifestError, parse, sha256};
use corridor_stats::release::{RELEASE_FORMAT, Release};

use crate::check::{Opened, Refusal, Trust, check_extends};
use crate::count::{CountError, LeafCounts, count_leaves};
use crate::source::{FetchError, Source};
use crate::tables::{CellRefusal, CellReport, check_cells};

/// Why a release is refused.
#[derive(Debug, thiserror::Error)]
pub enum StatsRefusal {
    /// A file of the release could not be read.
    #[error("cannot read the release's `{file}`")]
    Fetch {
        /// The file.
        file: String,
        /// Where, and why.
        #[source]
        source: FetchError,
    },
    /// `release.note` is not a note signed by the statistics key.
    #[error("`{NOTE_FILE}` is not signed by the statistics key")]
    Signature(#[source] NoteError),
    /// The signed text is not a manifest.
    #[error("`{NOTE_FILE}` does not hold a release manifest")]
    Manifest(#[source] ManifestError),
    /// A file's bytes are not the ones the manifest signs.
    #[error("`{file}` is not the file the release signed: its SHA-256 differs")]
    FileHash {
        /// The file.
        file: String,
    },
    /// The manifest does not list a file every release has.
    #[error("the manifest does not list `{file}`")]
    Unlisted {
        /// The file.
        file: &'static str,
    },
    /// `statistics.json` is not a release.
    #[error("`{JSON_FILE}` is not a release: {reason}")]
    Json {
        /// What is wrong.
        reason: String,
    },
    /// `statistics.json` and the manifest disagree.
    #[error("`{JSON_FILE}` says {field} `{release}`, the signed manifest `{manifest}`")]
    ManifestMismatch {
        /// The field.
        field: &'static str,
        /// The JSON's value.
        release: String,
        /// The manifest's value.
        manifest: String,
    },
    /// `statistics.csv` is malformed.
    #[error(transparent)]
    Csv(#[from] CsvReadError),
    /// `statistics.csv` does not say what `statistics.json` says.
    #[error("`{CSV_FILE}` line {line} differs from `{JSON_FILE}`: {reason}")]
    CsvDiffers {
        /// The CSV's line.
        line: u64,
        /// What differs.
        reason: String,
    },
    /// The log was refused (its checkpoint, its tiles).
    #[error("the log was refused")]
    Log(#[source] Refusal),
    /// The release was computed at a checkpoint of another log.
    #[error("the release is of log `{release}`, the log given is `{log}`")]
    Origin {
        /// The release's origin.
        release: String,
        /// The log's.
        log: String,
    },
    /// The release's checkpoint is not a checkpoint of the log.
    #[error(
        "the release's checkpoint (size {size}, root {root}) is not the log's at that size: {reason}"
    )]
    NotInLog {
        /// The release's size.
        size: u64,
        /// The release's root.
        root: String,
        /// What the log says.
        reason: String,
    },
    /// The leaves could not be counted.
    #[error("the log's leaves could not be counted")]
    Count(#[source] CountError),
    /// A cell disagrees with the log or with the other cells.
    #[error("the release contradicts the log")]
    Cell(#[from] Box<CellRefusal>),
}

/// What [`verify_release`] established.
#[derive(Debug, Clone)]
pub struct ReleaseReport {
    /// The release.
    pub release: Release,
    /// Its signed manifest.
    pub manifest: Manifest,
    /// The log's checkpoint, opened.
    pub log: Opened,
    /// Hash tiles authenticated.
    pub tiles: u64,
    /// Leaves read and counted (the release's size).
    pub leaves: u64,
    /// The cells' checks.
    pub cells: CellReport,
}

/// Opens `release.note` with the statistics keys and parses its manifest.
///
/// # Errors
/// [`StatsRefusal::Signature`] or [`StatsRefusal::Manifest`].
pub fn open_manifest(note: &[u8], statistics: &VerifierSet) -> Result<Manifest, StatsRefusal> {
    let opened = open(note, statistics).map_err(StatsRefusal::Signature)?;
    parse(opened.text()).map_err(StatsRefusal::Manifest)
}

/// Verifies the release published at `release` against the log published at `log`.
///
/// # Errors
/// The [`StatsRefusal`] of the first check that fails.
pub fn verify_release(
    release: &Source,
    statistics: &VerifierSet,
    log: &Source,
    log_trust: &Trust,
) -> Result<ReleaseReport, StatsRefusal> {
    let (manifest, files) = read_signed_files(release, statistics)?;
    let parsed = read_release(&manifest, &files)?;
    let opened = open_log(log, log_trust)?;
    // The log's tiles are authenticated against its signed root (while counting) before any
    // of them is used to judge the release's checkpoint: a tampered log is reported as such.
    check_origin(&parsed, &opened)?;
    let (counts, tiles) = count(log, &parsed, &opened)?;
    check_checkpoint(log, &parsed, &opened)?;
    let cells = check_cells(&parsed, &counts)?;
    Ok(ReleaseReport {
        leaves: parsed.checkpoint.size,
        release: parsed,
        manifest,
        log: opened,
        tiles,
        cells,
    })
}

/// The manifest and every file it lists, each checked against its hash.
fn read_signed_files(
    release: &Source,
    statistics: &VerifierSet,
) -> Result<(Manifest, BTreeMap<String, Vec<u8>>), StatsRefusal> {
    let fetch = |file: &str| {
        release.read(file).map_err(|source| StatsRefusal::Fetch {
            file: file.to_owned(),
            source,
        })
    };
    let manifest = open_manifest(&fetch(NOTE_FILE)?, statistics)?;
    let mut files = BTreeMap::new();
    for (name, hash) in &manifest.files {
        let bytes = fetch(name)?;
        if sha256(&bytes) != *hash {
            return Err(StatsRefusal::FileHash { file: name.clone() });
        }
        files.insert(name.clone(), bytes);
    }
    Ok((manifest, files))
}

/// The release from its JSON, checked against the manifest and the CSV.
fn read_release(
    manifest: &Manifest,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Release, StatsRefusal> {
    let json = files
        .get(JSON_FILE)
        .ok_or(StatsRefusal::Unlisted { file: JSON_FILE })?;
    let csv = files
        .get(CSV_FILE)
        .ok_or(StatsRefusal::Unlisted { file: CSV_FILE })?;
    let release: Release = serde_json::from_slice(json).map_err(|error| StatsRefusal::Json {
        reason: error.to_string(),
    })?;
    if release.format != RELEASE_FORMAT {
        return Err(StatsRefusal::Json {
            reason: format!("the format is `{}`, not `{RELEASE_FORMAT}`", release.format),
        });
    }
    let mismatch = |field: &'static str, release: String, manifest: String| {
        (release != manifest).then_some(StatsRefusal::ManifestMismatch {
            field,
            release,
            manifest,
        })
    };
    let checkpoint = &release.checkpoint;
    if let Some(refusal) = mismatch("id", release.id.clone(), manifest.release.clone())
        .or_else(|| mismatch("origin", checkpoint.origin.clone(), manifest.origin.clone()))
        .or_else(|| {
            mismatch(
                "size",
                checkpoint.size.to_string(),
                manifest.size.to_string(),
            )
        })
        .or_else(|| mismatch("root", checkpoint.root.clone(), manifest.root.clone()))
    {
        return Err(refusal);
    }
    check_csv(&release, csv)?;
    Ok(release)
}

/// The CSV's rows must be the JSON's cells, in order, with the agreement's states and the
/// period's months.
fn check_csv(release: &Release, csv: &[u8]) -> Result<(), StatsRefusal> {
    let rows = read_csv(csv)?;
    let expected =
        corridor_stats::files::csv_bytes(release).map_err(|error| StatsRefusal::Json {
            reason: error.to_string(),
        })?;
    let expected_rows = read_csv(&expected)?;
    for (index, cell) in release.cells.iter().enumerate() {
        let line = index as u64 + 3;
        let differs = |reason: String| StatsRefusal::CsvDiffers { line, reason };
        let row = rows
            .get(index)
            .ok_or_else(|| differs("the CSV has fewer rows than there are cells".to_owned()))?;
        if row.cell != *cell {
            return Err(differs(format!(
                "the CSV's cell is {:?}, the JSON's {:?}",
                row.cell, cell
            )));
        }
        if expected_rows.get(index) != Some(row) {
            return Err(differs(
                "the sending or receiving state or the period's months are not the JSON's"
                    .to_owned(),
            ));
        }
    }
    if rows.len() > release.cells.len() {
        return Err(StatsRefusal::CsvDiffers {
            line: release.cells.len() as u64 + 3,
            reason: "the CSV has more rows than there are cells".to_owned(),
        });
    }
    Ok(())
}

fn open_log(log: &Source, trust: &Trust) -> Result<Opened, StatsRefusal> {
    let bytes = log.checkpoint().map_err(|source| {
        StatsRefusal::Log(Refusal::Fetch {
            what: "checkpoint",
            source,
        })
    })?;
    trust.open(&bytes).map_err(StatsRefusal::Log)
}

/// The release must be of this log, at a size it has.
fn check_origin(release: &Release, opened: &Opened) -> Result<(), StatsRefusal> {
    let point = &release.checkpoint;
    let checkpoint = &opened.checkpoint;
    if point.origin != checkpoint.origin() {
        return Err(StatsRefusal::Origin {
            release: point.origin.clone(),
            log: checkpoint.origin().to_owned(),
        });
    }
    if point.size > checkpoint.size() {
        return Err(StatsRefusal::NotInLog {
            size: point.size,
            root: point.root.clone(),
            reason: format!(
                "the log's signed checkpoint is at size {}, smaller",
                checkpoint.size()
            ),
        });
    }
    Ok(())
}

/// The release's checkpoint must be the log's at its size.
fn check_checkpoint(log: &Source, release: &Release, opened: &Opened) -> Result<(), StatsRefusal> {
    let point = &release.checkpoint;
    let checkpoint = &opened.checkpoint;
    let not_in_log = |reason: String| StatsRefusal::NotInLog {
        size: point.size,
        root: point.root.clone(),
        reason,
    };
    let root = Hash::from_base64(&point.root)
        .map_err(|_| not_in_log("the root is not the base64 of a hash".to_owned()))?;
    let claimed = Checkpoint::new(point.origin.clone(), point.size, root)
        .map_err(|error| not_in_log(error.to_string()))?;
    check_extends(log, &claimed, checkpoint.size(), checkpoint.root()).map_err(|refusal| {
        match refusal {
            Refusal::Rollback { size, .. } => not_in_log(format!(
                "the log's signed checkpoint is at size {size}, smaller"
            )),
            Refusal::Fork { reason, .. } => not_in_log(reason),
            other => StatsRefusal::Log(other),
        }
    })
}

fn count(
    log: &Source,
    release: &Release,
    opened: &Opened,
) -> Result<(LeafCounts, u64), StatsRefusal> {
    let checkpoint = &opened.checkpoint;
    count_leaves(
        log,
        checkpoint.size(),
        checkpoint.root(),
        release.checkpoint.size,
    )
    .map(|(counts, verification)| (counts, verification.tiles))
    .map_err(StatsRefusal::Count)
}

/// What a verified release report says, one line each, as `corridor-verify stats` and
/// `corridor stats verify` print it.
#[must_use]
pub fn report_lines(report: &ReleaseReport) -> Vec<String> {
    let point = &report.release.checkpoint;
    vec![
        format!(
            "ok: release `{}` ({}) of {} at size {}, root {}",
            report.release.id, report.release.period, point.origin, point.size, point.root
        ),
        format!(
            "  signed by the statistics key; {} files match their signed SHA-256; the CSV says the JSON's {} cells",
            report.manifest.files.len(),
            report.release.cells.len()
        ),
        format!(
            "  the log's signed checkpoint (size {}) extends the release's; {} tiles authenticated; {} leaves counted",
            report.log.checkpoint.size(),
            report.tiles,
            report.leaves
        ),
        format!(
            "  {} totals equal the log's leaves; {} breakdowns add up to their totals ({} tables solved at once)",
            report.cells.totals_against_log, report.cells.equations, report.cells.programs
        ),
    ]
}
