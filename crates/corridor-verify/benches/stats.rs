//! corridor-verify's `stats` benchmark: verifying a release of statistics against a log of
//! 10,000,000 leaves (override with `CORRIDOR_VERIFY_BENCH_LEAVES`), plain timing with
//! `std::time::Instant`.
//!
//! It writes, once per run, a synthetic log to a temporary directory as C2SP tiles (hash tiles,
//! entry bundles, a signed checkpoint), with leaves of four kinds over two agreements and the
//! court holds through 2026, and a release of 2026 whose exact totals are the leaves' counts,
//! broken down by sex (suppressed and rounded cells), signed. Then it times
//! `corridor_verify::stats::verify_release` end to end (signature, files, checkpoint
//! consistency, every hash tile, every entry bundle below the release's size, the cells), the
//! best of a few runs, and prints the leaf-counting pass on its own.
#![expect(
    clippy::indexing_slicing,
    reason = "the benchmark picks from fixed arrays by an index modulo their length"
)]

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use corridor_log::checkpoint::Checkpoint;
use corridor_log::hash::{Hash, leaf_hash};
use corridor_log::leaf::{commitment, leaf_entry};
use corridor_log::note::{Ed25519Signer, KeyName, Note, VerifierSet};
use corridor_log::tiles::{
    FULL_TILE_WIDTH, TileId, TileReader, encode_entry_bundle, subtree_root, tiles_for_root,
};
use corridor_stats::files::{NOTE_FILE, write as write_files};
use corridor_stats::manifest::{body, signer_name};
use corridor_stats::measure::Breakdown;
use corridor_stats::period::Month;
use corridor_stats::release::{
    AgreementInfo, LogPoint, RELEASE_FORMAT, Release, ReleaseCell, Value,
};
use corridor_verify::check::Trust;
use corridor_verify::count::count_leaves;
use corridor_verify::source::Source;
use corridor_verify::stats::verify_release;

/// The default number of leaves.
const DEFAULT_LEAVES: u64 = 10_000_000;
/// The number of timed runs; the best counts.
const RUNS: usize = 3;
/// The log's origin.
const ORIGIN: &str = "bench.corridor.test/log";
/// The agreements, and the court holds' `-`.
const AGREEMENTS: [Option<&str>; 3] = [Some("us-rwa-2025"), Some("uk-rwa-2024"), None];
/// The leaf kinds of an agreement's leaves, and the measures they count.
const KINDS: [(&str, &str); 3] = [
    ("case_proposed", "proposed"),
    ("departed", "departed"),
    ("arrived", "arrived"),
];

type Counts = BTreeMap<(String, String), u64>;

fn main() -> Result<(), Box<dyn Error>> {
    let leaves: u64 = match std::env::var("CORRIDOR_VERIFY_BENCH_LEAVES") {
        Ok(text) => text.parse()?,
        Err(_) => DEFAULT_LEAVES,
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!("corridor-verify stats benchmark: {leaves} leaves, {threads} core(s)");
    let dir = tempfile::tempdir()?;
    let (log_dir, release_dir) = (dir.path().join("log"), dir.path().join("release"));
    let started = Instant::now();
    let (counts, root) = write_log(&log_dir, leaves)?;
    let release = release(&counts, leaves, root);
    publish_release(&release_dir, &release)?;
    println!(
        "synthetic log and release written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("CORRIDOR_VERIFY_BENCH_WAIT").is_some() {
        // For profiling the verification alone: the files stay until a line is read.
        println!(
            "corridor-verify stats {} --log {} --key {} --log-key {}",
            release_dir.display(),
            log_dir.display(),
            statistics_signer()?.verifier().to_key_string(),
            Ed25519Signer::from_seed(KeyName::new(ORIGIN)?, &[7; 32])
                .verifier()
                .to_key_string()
        );
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
    }

    let log_signer = Ed25519Signer::from_seed(KeyName::new(ORIGIN)?, &[7; 32]);
    let trust = Trust::new(ORIGIN, VerifierSet::new().with(log_signer.verifier())?);
    let statistics = VerifierSet::new().with(statistics_signer()?.verifier())?;
    let (release_source, log_source) = (Source::Dir(release_dir), Source::Dir(log_dir));
    let mut best = Duration::MAX;
    let mut cells = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let report = verify_release(&release_source, &statistics, &log_source, &trust)?;
        best = best.min(started.elapsed());
        cells = report.release.cells.len();
        assert_eq!(report.leaves, leaves);
    }
    let seconds = best.as_secs_f64();
    println!(
        "stats verify (signature, files, checkpoint, every tile and bundle, {cells} cells): {seconds:.2} s ({:.1} M leaves/s) - target under 5 s: {}",
        leaves as f64 / seconds / 1e6,
        if seconds < 5.0 { "met" } else { "NOT met" }
    );
    let mut best_count = Duration::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        count_leaves(&log_source, leaves, &root, leaves)?;
        best_count = best_count.min(started.elapsed());
    }
    println!(
        "of which counting the leaves (tiles authenticated, bundles checked and read): {:.2} s",
        best_count.as_secs_f64()
    );
    Ok(())
}

/// The leaf at `index`: a kind and agreement in turn, its month by its place in the log.
fn entry(index: u64, leaves: u64) -> (Vec<u8>, (String, String)) {
    let agreement = AGREEMENTS[(index % 3) as usize];
    let kind = match agreement {
        Some(_) => KINDS[((index / 3) % 3) as usize].0,
        None => "hold_registered",
    };
    let month = 1 + index * 12 / leaves.max(1);
    let day = format!("2026-{month:02}-15");
    let mut salt = [0u8; 32];
    salt[..8].copy_from_slice(&index.to_be_bytes());
    let entry = leaf_entry(
        kind,
        agreement,
        &day,
        &commitment(&salt, index.to_le_bytes()),
    );
    (
        entry,
        (kind.to_owned(), agreement.unwrap_or("-").to_owned()),
    )
}

fn write_file(dir: &Path, path: &str, bytes: &[u8]) -> Result<(), Box<dyn Error>> {
    let file = dir.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(file, bytes)?;
    Ok(())
}

/// Writes the log's tiles, bundles and signed checkpoint; returns the leaf counts by kind and
/// agreement, and the root.
fn write_log(dir: &Path, leaves: u64) -> Result<(Counts, Hash), Box<dyn Error>> {
    let width = u64::from(FULL_TILE_WIDTH);
    let mut counts = Counts::new();
    let mut above: Vec<Hash> = Vec::new();
    for tile_index in 0..leaves.div_ceil(width) {
        let first = tile_index * width;
        let entries: Vec<Vec<u8>> = (first..(first + width).min(leaves))
            .map(|index| {
                let (entry, key) = entry(index, leaves);
                *counts.entry(key).or_default() += 1;
                entry
            })
            .collect();
        let hashes: Vec<Hash> = entries.iter().map(|entry| leaf_hash(entry)).collect();
        let tile = TileId::new(0, tile_index, u16::try_from(entries.len())?)?;
        write_file(dir, &tile.path(), &hash_bytes(&hashes))?;
        let bundle = encode_entry_bundle(entries.iter())?;
        write_file(dir, &tile.entries_path().ok_or("no bundle path")?, &bundle)?;
        if tile.is_full() {
            above.push(subtree_root(&hashes));
        }
    }
    let mut level = 1u8;
    while !above.is_empty() {
        let mut next = Vec::new();
        for (index, chunk) in above.chunks(usize::from(FULL_TILE_WIDTH)).enumerate() {
            let tile = TileId::new(level, index as u64, u16::try_from(chunk.len())?)?;
            write_file(dir, &tile.path(), &hash_bytes(chunk))?;
            if tile.is_full() {
                next.push(subtree_root(chunk));
            }
        }
        above = next;
        level += 1;
    }
    let mut reader = TileReader::new(leaves);
    for tile in tiles_for_root(leaves) {
        reader.insert(tile, &std::fs::read(dir.join(tile.path()))?)?;
    }
    let root = corridor_log::tree::root(&reader, leaves)?;
    let signer = Ed25519Signer::from_seed(KeyName::new(ORIGIN)?, &[7; 32]);
    let note = Checkpoint::new(ORIGIN, leaves, root)?.sign(&signer)?;
    write_file(dir, "checkpoint", note.to_text().as_bytes())?;
    Ok((counts, root))
}

fn hash_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|hash| *hash.as_bytes()).collect()
}

fn cell(agreement: &str, measure: &str, breakdown: &[(&str, &str)], value: Value) -> ReleaseCell {
    ReleaseCell {
        agreement: agreement.to_owned(),
        period: "2026".to_owned(),
        measure: measure.to_owned(),
        breakdown: breakdown
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect(),
        value,
    }
}

/// The release of 2026 the log bears out: every total exact, broken down by sex with two
/// suppressed cells and a zero.
fn release(counts: &Counts, leaves: u64, root: Hash) -> Release {
    let mut cells = Vec::new();
    for agreement in AGREEMENTS.iter().flatten() {
        for (kind, measure) in KINDS {
            let total = counts
                .get(&(kind.to_owned(), (*agreement).to_owned()))
                .copied()
                .unwrap_or(0);
            cells.push(cell(agreement, measure, &[], Value::Exact(total)));
            cells.push(cell(agreement, measure, &[("sex", "f")], Value::Suppressed));
            cells.push(cell(agreement, measure, &[("sex", "m")], Value::Suppressed));
            cells.push(cell(agreement, measure, &[("sex", "x")], Value::Rounded(0)));
        }
    }
    let holds = counts
        .get(&("hold_registered".to_owned(), "-".to_owned()))
        .copied()
        .unwrap_or(0);
    cells.push(cell("-", "hold_registered", &[], Value::Exact(holds)));
    let agreement = |id: &str, sending: &str| AgreementInfo {
        id: id.to_owned(),
        sending: sending.to_owned(),
        receiving: "RWA".to_owned(),
        entry_into_force: Month::new(2025, 8).unwrap_or_else(|| unreachable!()),
        breakdowns: vec![Breakdown::Sex],
    };
    Release {
        format: RELEASE_FORMAT.to_owned(),
        id: "2026".to_owned(),
        period: "2026".to_owned(),
        corrects: None,
        checkpoint: LogPoint {
            origin: ORIGIN.to_owned(),
            size: leaves,
            root: root.to_base64(),
        },
        threshold: 5,
        base: 5,
        agreements: vec![
            agreement("us-rwa-2025", "USA"),
            agreement("uk-rwa-2024", "GBR"),
        ],
        cells,
    }
}

fn statistics_signer() -> Result<Ed25519Signer, Box<dyn Error>> {
    Ok(Ed25519Signer::from_seed(
        KeyName::new(signer_name(ORIGIN))?,
        &[9; 32],
    ))
}

fn publish_release(dir: &Path, release: &Release) -> Result<(), Box<dyn Error>> {
    let files = write_files(release)?;
    for file in &files {
        write_file(dir, &file.name, &file.bytes)?;
    }
    let mut note = Note::new(body(release, &files))?;
    note.sign(&statistics_signer()?)?;
    write_file(dir, NOTE_FILE, note.to_text().as_bytes())?;
    Ok(())
}
