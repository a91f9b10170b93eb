//! corridor-log's benchmark: plain timing with `std::time::Instant`, one thread.
//!
//! `cargo bench -p corridor-log` measures, at 10,000,000 leaves (override with
//! `CORRIDOR_LOG_BENCH_LEAVES`):
//! - raw SHA-256 throughput, the yardstick for the rest;
//! - tree-only appends per second ([`CompactTree`], no storage): the target is at least
//!   1,000,000 per second on one core;
//! - inclusion and consistency proof time over a [`MemoryTree`];
//! - verification of the whole log from its tiles and entry bundles, as a ratio to the time raw
//!   SHA-256 needs for the same hashes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use corridor_log::Hash;
use corridor_log::hash::{leaf_hash, node_hash, sha256};
use corridor_log::tiles::{
    EntryBundles, TileId, TileSource, encode_entry_bundle, tile_bytes, tiles_for_size, verify_tiles,
};
use corridor_log::tree::{
    self, CompactTree, MemoryTree, consistency_proof, inclusion_proof, verify_consistency,
    verify_inclusion,
};

/// The default number of leaves.
const DEFAULT_LEAVES: u64 = 10_000_000;

/// The number of proofs timed (and verified) at the full size.
const PROOFS_TIMED: u64 = 100_000;

/// The appends-per-second floor the append path must clear.
const APPENDS_PER_SECOND_TARGET: f64 = 1_000_000.0;

/// The number of times each timing is repeated; the best run counts.
const RUNS: usize = 3;

/// The number of leaves whose root is recomputed after every append.
const ROOT_EVERY_APPEND_LEAVES: u64 = 1_000_000;

fn main() -> Result<(), Box<dyn Error>> {
    let leaves: u64 = match std::env::var("CORRIDOR_LOG_BENCH_LEAVES") {
        Ok(text) => text.parse()?,
        Err(_) => DEFAULT_LEAVES,
    };
    println!("corridor-log benchmark: {leaves} leaves, one thread");

    // Raw SHA-256: the message shapes the log hashes (a leaf of an 8-byte entry and a 65-byte
    // node), one `Sha256::digest` call each, and bulk throughput for reference. The machine is
    // shared, so every timing is the best of a few runs.
    let raw_nodes = best_of(RUNS, || {
        let mut node_message = [1u8; 65];
        for i in 0..leaves {
            overwrite(&mut node_message, &i.to_le_bytes());
            black_box(sha256(black_box(&node_message)));
        }
    });
    let raw_leaves = best_of(RUNS, || {
        let mut leaf_message = [0u8; 9];
        for i in 0..leaves {
            overwrite(&mut leaf_message, &i.to_be_bytes());
            black_box(sha256(black_box(&leaf_message)));
        }
    });
    let bulk = vec![0x5au8; 64 * 1024 * 1024];
    let raw_bulk = best_of(RUNS, || {
        black_box(sha256(black_box(&bulk)));
    });
    let bulk_megabytes = bulk.len() as f64 / 1e6;
    println!(
        "raw SHA-256 (sha2 Sha256::digest): {:.2} M node-sized (65 B) digests/s, {:.2} M leaf-sized (9 B) digests/s, {:.0} MB/s bulk",
        per_second(leaves, raw_nodes) / 1e6,
        per_second(leaves, raw_leaves) / 1e6,
        bulk_megabytes / raw_bulk.as_secs_f64()
    );
    let ours_nodes = best_of(RUNS, || {
        let mut left = [1u8; 32];
        let right = Hash::from_bytes([2; 32]);
        for i in 0..leaves {
            overwrite(&mut left, &i.to_le_bytes());
            black_box(node_hash(black_box(&Hash::from_bytes(left)), &right));
        }
    });
    println!(
        "node_hash (two-block compress): {:.2} M/s, {:.2}x the digest call",
        per_second(leaves, ours_nodes) / 1e6,
        raw_nodes.as_secs_f64() / ours_nodes.as_secs_f64()
    );

    // Tree-only appends: leaf hash plus the node hashes the append completes.
    let mut compact = CompactTree::new();
    let appends = best_of(RUNS, || {
        compact = CompactTree::new();
        for i in 0..leaves {
            // The tree cannot fill at these sizes; a refused append would show in the root check.
            let _index = compact.append_entry(&i.to_be_bytes());
        }
    });
    if compact.size() != leaves {
        return Err("appends were refused".into());
    }
    let appends_per_second = per_second(leaves, appends);
    println!(
        "tree-only appends (CompactTree::append_entry): {:.2} M/s ({:.0} ns each) - target {:.0} M/s: {}",
        appends_per_second / 1e6,
        nanos_each(leaves, appends),
        APPENDS_PER_SECOND_TARGET / 1e6,
        if appends_per_second >= APPENDS_PER_SECOND_TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
    let leaf_hashes: Vec<Hash> = (0..leaves.min(ROOT_EVERY_APPEND_LEAVES))
        .map(|i| leaf_hash(&i.to_be_bytes()))
        .collect();
    let hashed_appends = best_of(RUNS, || {
        let mut tree = CompactTree::new();
        for leaf in &leaf_hashes {
            let _index = tree.append(*leaf);
        }
        black_box(tree);
    });
    let rooted_appends = best_of(RUNS, || {
        let mut tree = CompactTree::new();
        for leaf in &leaf_hashes {
            let _index = tree.append(*leaf);
            black_box(tree.root());
        }
    });
    let counted = leaf_hashes.len() as u64;
    println!(
        "appends of precomputed leaf hashes: {:.2} M/s; with the root after every append: {:.2} M/s (first {counted} leaves)",
        per_second(counted, hashed_appends) / 1e6,
        per_second(counted, rooted_appends) / 1e6
    );

    // A MemoryTree of the same leaves, then proofs at the full size.
    let (memory, build) = timed(|| -> Result<MemoryTree, Box<dyn Error>> {
        let mut memory = MemoryTree::with_capacity(usize::try_from(leaves)?);
        for i in 0..leaves {
            memory.append_entry(&i.to_be_bytes())?;
        }
        Ok(memory)
    });
    let memory = memory?;
    if memory.root() != compact.root() {
        return Err("the memory tree and the compact tree disagree".into());
    }
    println!(
        "MemoryTree build: {:.2} s ({:.2} M appends/s, storing every node)",
        build.as_secs_f64(),
        per_second(leaves, build) / 1e6
    );
    let root = memory.root();
    let mut rng = SplitMix64(0x5eed);
    let indices: Vec<u64> = (0..PROOFS_TIMED).map(|_| rng.next() % leaves).collect();
    let (proofs, proving) = timed(|| {
        indices
            .iter()
            .map(|&index| inclusion_proof(&memory, index, leaves))
            .collect::<Result<Vec<_>, _>>()
    });
    let proofs = proofs?;
    let (verified, verifying) = timed(|| {
        indices.iter().zip(&proofs).all(|(&index, proof)| {
            let leaf = leaf_hash(&index.to_be_bytes());
            verify_inclusion(&leaf, index, leaves, proof, &root).is_ok()
        })
    });
    if !verified {
        return Err("an inclusion proof did not verify".into());
    }
    let proof_length = proofs.first().map_or(0, Vec::len);
    println!(
        "inclusion proof at {leaves} leaves (MemoryTree): {:.2} µs to build, {:.2} µs to verify ({proof_length} hashes, mean of {PROOFS_TIMED})",
        nanos_each(PROOFS_TIMED, proving) / 1e3,
        nanos_each(PROOFS_TIMED, verifying) / 1e3
    );
    let old_sizes: Vec<u64> = (0..PROOFS_TIMED)
        .map(|_| 1 + rng.next() % (leaves - 1))
        .collect();
    let (consistency, consistency_time) = timed(|| {
        old_sizes
            .iter()
            .map(|&old| consistency_proof(&memory, old, leaves))
            .collect::<Result<Vec<_>, _>>()
    });
    let consistency = consistency?;
    let sample_old = old_sizes.first().copied().unwrap_or(1);
    let sample_proof = consistency.first().map_or(&[][..], Vec::as_slice);
    verify_consistency(
        sample_old,
        leaves,
        &tree::root(&memory, sample_old)?,
        &root,
        sample_proof,
    )?;
    println!(
        "consistency proof to {leaves} leaves (MemoryTree): {:.2} µs to build (mean of {PROOFS_TIMED})",
        nanos_each(PROOFS_TIMED, consistency_time) / 1e3
    );

    // The published log: every tile and entry bundle, then verification from them alone.
    let (published, export) = timed(|| publish(&memory, leaves));
    let published = published?;
    println!(
        "tile export: {} tiles and {} bundles in {:.2} s",
        published.tiles.len(),
        published.bundles.len(),
        export.as_secs_f64()
    );
    drop(memory);
    let report = verify_tiles(&published, leaves, &root, EntryBundles::Verify)?;
    let with_bundles = best_of(RUNS, || {
        black_box(verify_tiles(&published, leaves, &root, EntryBundles::Verify).is_ok());
    });
    let tiles_only = best_of(RUNS, || {
        black_box(verify_tiles(&published, leaves, &root, EntryBundles::Skip).is_ok());
    });
    // The least any verifier must do: hash every entry, and hash every node once.
    let raw_same_work = raw_leaves + raw_nodes;
    println!(
        "verify {leaves} leaves from tiles + bundles: {:.2} s ({} tiles, {} entries); raw SHA-256 for the same {} digests: {:.2} s; ratio {:.2}",
        with_bundles.as_secs_f64(),
        report.tiles,
        report.entries,
        2 * leaves - 1,
        raw_same_work.as_secs_f64(),
        with_bundles.as_secs_f64() / raw_same_work.as_secs_f64()
    );
    println!(
        "verify {leaves} leaves from hash tiles only: {:.2} s; raw SHA-256 for the same {} node digests: {:.2} s; ratio {:.2}",
        tiles_only.as_secs_f64(),
        leaves - 1,
        raw_nodes.as_secs_f64(),
        tiles_only.as_secs_f64() / raw_nodes.as_secs_f64()
    );
    black_box(node_hash(&root, &root));
    Ok(())
}

/// Runs `work` and returns its result with the wall time it took.
#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark must read the clock; the library never does"
)]
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed())
}

/// Writes `bytes` over `message` after its first (prefix) byte, so each digest differs.
fn overwrite(message: &mut [u8], bytes: &[u8]) {
    if let Some(slot) = message.get_mut(1..=bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

/// The shortest of `runs` runs of `work`.
fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| timed(&mut work).1)
        .min()
        .unwrap_or_default()
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn nanos_each(count: u64, elapsed: Duration) -> f64 {
    elapsed.as_nanos() as f64 / count as f64
}

/// The log as a static host would serve it.
#[derive(Debug, Default)]
struct Published {
    tiles: HashMap<TileId, Vec<u8>>,
    bundles: HashMap<TileId, Vec<u8>>,
}

#[derive(Debug)]
struct NotPublished(TileId);

impl std::fmt::Display for NotPublished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not published", self.0)
    }
}

impl Error for NotPublished {}

impl TileSource for Published {
    type Error = NotPublished;

    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, NotPublished> {
        self.tiles
            .get(&tile)
            .map(|bytes| Cow::Borrowed(bytes.as_slice()))
            .ok_or(NotPublished(tile))
    }

    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, NotPublished> {
        self.bundles
            .get(&tile)
            .map(|bytes| Cow::Borrowed(bytes.as_slice()))
            .ok_or(NotPublished(tile))
    }
}

fn publish(memory: &MemoryTree, size: u64) -> Result<Published, Box<dyn Error>> {
    let mut published = Published::default();
    for tile in tiles_for_size(size) {
        published.tiles.insert(tile, tile_bytes(memory, tile)?);
        if tile.level() == 0 {
            let first = tile.index() * 256;
            let entries = (first..first + u64::from(tile.width())).map(u64::to_be_bytes);
            published
                .bundles
                .insert(tile, encode_entry_bundle(entries)?);
        }
    }
    Ok(published)
}

/// A deterministic generator for sampling indices.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
