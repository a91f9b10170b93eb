//! Counting the log's leaves by kind, agreement and month, below a tree size, in one pass over
//! authenticated tiles and entry bundles, on every core.
//!
//! Worker threads take the level-0 tiles in batches: each reads a tile, and below the size its
//! entry bundle, checks the bundle's leaf hashes against the tile, counts the entries, and
//! hashes the tile into its level-1 node. Then the tiles above are read once and checked as
//! corridor-log's `verify_tiles` checks them (each hash equal to the node computed from the
//! tiles below, the partial tiles giving the signed root), so every level-0 tile is read and
//! hashed once, in parallel, and none is trusted for where it came from. A leaf is read only as
//! far as its `kind`, `agreement` and `day` lines.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use corridor_log::hash::Hash;
use corridor_log::leaf::LEAF_FORMAT;
use corridor_log::tiles::{
    FULL_TILE_WIDTH, TileId, TileReader, TileSource, TileVerification, decode_entry_bundle,
    hashes_at_tile_level, subtree_root, tile_hashes, tile_width, verify_entry_bundle,
};
use corridor_stats::period::Month;

use crate::source::FetchError;

/// The most worker threads counting leaves.
pub const COUNT_THREADS_MAX: usize = 8;
/// How many level-0 tiles a worker takes at a time.
const TILES_PER_BATCH: u64 = 16;
/// The most tile levels of a tree of at most `u64::MAX` leaves.
const TILE_LEVELS_MAX: u8 = 8;

/// Leaves counted by kind, agreement (`-` for none) and the month of their day.
pub type LeafCounts = HashMap<(String, String, Month), u64>;

/// Why the leaves could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    /// A tile or bundle could not be read.
    #[error("cannot read `{tile}`")]
    Fetch {
        /// The tile (or, for a bundle, its level-0 tile).
        tile: TileId,
        /// Where, and why.
        #[source]
        source: FetchError,
    },
    /// A hash tile is malformed or does not match the tiles below it.
    #[error("tile `{tile}`: {reason}")]
    Tile {
        /// The tile.
        tile: TileId,
        /// What is wrong.
        reason: String,
    },
    /// An entry bundle does not match its level-0 tile.
    #[error("entry bundle of `{tile}`: {reason}")]
    Bundle {
        /// The level-0 tile.
        tile: TileId,
        /// What went wrong.
        reason: String,
    },
    /// The tiles lead to another root than the signed checkpoint's.
    #[error("the tiles lead to root {computed}, not the checkpoint's {expected}")]
    Root {
        /// The checkpoint's root.
        expected: Hash,
        /// The root the tiles give.
        computed: Hash,
    },
    /// The tile arithmetic found no tile where one must be.
    #[error("no tile {index} at level {level} in a tree of {size} leaves")]
    NoTile {
        /// The level.
        level: u8,
        /// The tile's index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A worker thread stopped before reporting its counts.
    #[error("a counting thread failed")]
    WorkerFailed,
    /// A leaf is not a corridor leaf.
    #[error("leaf {index} is not a `{LEAF_FORMAT}` leaf with a `YYYY-MM-DD` day")]
    Leaf {
        /// The leaf's index.
        index: u64,
    },
}

/// What one worker found: counts by raw key, the level-1 node of each full level-0 tile it
/// read, and the partial level-0 tile if it read it.
#[derive(Default)]
struct Found {
    counts: HashMap<Vec<u8>, u64>,
    nodes: Vec<(u64, Hash)>,
    partial: Option<(TileId, Vec<u8>)>,
}

type WorkerResult = Result<Found, (u64, CountError)>;

/// The workers' findings merged: counts by raw key, the level-1 nodes in order, the partial
/// level-0 tile.
type Merged = (HashMap<Vec<u8>, u64>, Vec<Hash>, Option<(TileId, Vec<u8>)>);

/// Authenticates every tile of the tree of `size` leaves against its signed `root`, and counts
/// the leaves below `below` (at most `size`) from their entry bundles.
///
/// # Errors
/// [`CountError`] naming the tile, bundle or leaf.
pub fn count_leaves<S>(
    source: &S,
    size: u64,
    root: &Hash,
    below: u64,
) -> Result<(LeafCounts, TileVerification), CountError>
where
    S: TileSource<Error = FetchError> + Sync,
{
    let below = below.min(size);
    let tiles = hashes_at_tile_level(size, 0).div_ceil(u64::from(FULL_TILE_WIDTH));
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, COUNT_THREADS_MAX);
    let next = AtomicU64::new(0);
    let results: Mutex<Vec<WorkerResult>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let result = count_worker(source, size, below, tiles, &next);
                if let Ok(mut results) = results.lock() {
                    results.push(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let (raw, level_one, partial) = merge(results, threads)?;
    let upper_tiles = verify_upper_levels(source, size, root, level_one, partial)?;
    let mut counts = LeafCounts::new();
    for (key, count) in raw {
        // Every key passed `leaf_key`, which checks what decoding needs.
        let (kind, agreement, month) = decode_key(&key).ok_or(CountError::WorkerFailed)?;
        *counts.entry((kind, agreement, month)).or_default() += count;
    }
    Ok((
        counts,
        TileVerification {
            tiles: tiles + upper_tiles,
            entries: below,
        },
    ))
}

/// The workers' findings merged: counts, the level-1 nodes in order, the partial level-0 tile;
/// the error of the first tile if any failed.
fn merge(results: Vec<WorkerResult>, threads: usize) -> Result<Merged, CountError> {
    if results.len() != threads {
        return Err(CountError::WorkerFailed);
    }
    let mut first_error: Option<(u64, CountError)> = None;
    let mut raw: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut nodes = Vec::new();
    let mut partial = None;
    for result in results {
        match result {
            Ok(found) => {
                for (key, count) in found.counts {
                    *raw.entry(key).or_default() += count;
                }
                nodes.extend(found.nodes);
                partial = partial.or(found.partial);
            }
            Err((tile, error)) => {
                if first_error.as_ref().is_none_or(|(first, _)| tile < *first) {
                    first_error = Some((tile, error));
                }
            }
        }
    }
    if let Some((_, error)) = first_error {
        return Err(error);
    }
    nodes.sort_unstable_by_key(|(index, _)| *index);
    Ok((
        raw,
        nodes.into_iter().map(|(_, node)| node).collect(),
        partial,
    ))
}

/// One worker: takes batches of level-0 tiles until none is left.
fn count_worker<S: TileSource<Error = FetchError>>(
    source: &S,
    size: u64,
    below: u64,
    tiles: u64,
    next: &AtomicU64,
) -> WorkerResult {
    let mut found = Found::default();
    loop {
        let first = next.fetch_add(TILES_PER_BATCH, Ordering::Relaxed);
        if first >= tiles {
            return Ok(found);
        }
        for index in first..(first + TILES_PER_BATCH).min(tiles) {
            level_zero_tile(source, size, below, index, &mut found)
                .map_err(|error| (index, error))?;
        }
    }
}

/// Reads one level-0 tile, hashes it into its level-1 node (or keeps it, if partial), and
/// below `below` checks its bundle and counts its entries.
fn level_zero_tile<S: TileSource<Error = FetchError>>(
    source: &S,
    size: u64,
    below: u64,
    index: u64,
    found: &mut Found,
) -> Result<(), CountError> {
    let tile = tile_width(size, 0, index)
        .and_then(|width| TileId::new(0, index, width).ok())
        .ok_or(CountError::NoTile {
            level: 0,
            index,
            size,
        })?;
    let bytes = source
        .tile(tile)
        .map_err(|source| CountError::Fetch { tile, source })?;
    let hashes = tile_hashes(tile, &bytes).map_err(|error| CountError::Tile {
        tile,
        reason: error.to_string(),
    })?;
    let first = index * u64::from(FULL_TILE_WIDTH);
    if first < below {
        count_bundle(source, tile, &hashes, first, below, &mut found.counts)?;
    }
    if tile.is_full() {
        found.nodes.push((index, subtree_root(&hashes)));
    } else {
        found.partial = Some((tile, bytes.into_owned()));
    }
    Ok(())
}

/// Checks a level-0 tile's entry bundle against its hashes and counts its entries below `below`.
fn count_bundle<S: TileSource<Error = FetchError>>(
    source: &S,
    tile: TileId,
    hashes: &[Hash],
    first: u64,
    below: u64,
    counts: &mut HashMap<Vec<u8>, u64>,
) -> Result<(), CountError> {
    let bundle_error = |reason: String| CountError::Bundle { tile, reason };
    let bundle = source
        .entry_bundle(tile)
        .map_err(|source| CountError::Fetch { tile, source })?;
    verify_entry_bundle(tile, &bundle, hashes).map_err(|error| bundle_error(error.to_string()))?;
    let entries = decode_entry_bundle(&bundle).map_err(|error| bundle_error(error.to_string()))?;
    for (offset, entry) in entries.iter().enumerate() {
        let leaf = first + offset as u64;
        if leaf >= below {
            break;
        }
        let key = leaf_key(entry).ok_or(CountError::Leaf { index: leaf })?;
        match counts.get_mut(key) {
            Some(count) => *count += 1,
            None => {
                counts.insert(key.to_vec(), 1);
            }
        }
    }
    Ok(())
}

/// Checks every tile above level 0 against the nodes computed from the tiles below it, and the
/// root the partial tiles give against the signed root, as `verify_tiles` does; returns the
/// number of tiles read.
fn verify_upper_levels<S: TileSource<Error = FetchError>>(
    source: &S,
    size: u64,
    root: &Hash,
    level_one: Vec<Hash>,
    partial: Option<(TileId, Vec<u8>)>,
) -> Result<u64, CountError> {
    let mut partial_tiles = TileReader::new(size);
    if let Some((tile, bytes)) = partial {
        partial_tiles
            .insert(tile, &bytes)
            .map_err(|error| CountError::Tile {
                tile,
                reason: error.to_string(),
            })?;
    }
    let mut expected_from_below = level_one;
    let mut read = 0;
    for level in 1..TILE_LEVELS_MAX {
        let count = hashes_at_tile_level(size, level);
        if count == 0 {
            break;
        }
        let mut computed_for_above = Vec::new();
        for index in 0..count.div_ceil(u64::from(FULL_TILE_WIDTH)) {
            let tile = tile_width(size, level, index)
                .and_then(|width| TileId::new(level, index, width).ok())
                .ok_or(CountError::NoTile { level, index, size })?;
            let bytes = source
                .tile(tile)
                .map_err(|source| CountError::Fetch { tile, source })?;
            let tile_error = |reason: String| CountError::Tile { tile, reason };
            let hashes =
                tile_hashes(tile, &bytes).map_err(|error| tile_error(error.to_string()))?;
            let first = usize::try_from(index * u64::from(FULL_TILE_WIDTH)).unwrap_or(usize::MAX);
            let expected = expected_from_below.get(first..first.saturating_add(hashes.len()));
            if let Some(position) = match expected {
                Some(expected) => hashes
                    .iter()
                    .zip(expected)
                    .position(|(got, want)| got != want),
                None => Some(0),
            } {
                return Err(tile_error(format!(
                    "hash {position} does not match the tiles below it"
                )));
            }
            if tile.is_full() {
                computed_for_above.push(subtree_root(&hashes));
            } else {
                partial_tiles
                    .insert(tile, &bytes)
                    .map_err(|error| tile_error(error.to_string()))?;
            }
            read += 1;
        }
        expected_from_below = computed_for_above;
    }
    // Every node the root needs lies in a partial tile (the right edge) or is a level-1 node
    // checked above; a failure to compute it is reported as a mismatch, the safe answer.
    let computed = corridor_log::tree::root(&partial_tiles, size).unwrap_or_default();
    if computed != *root {
        return Err(CountError::Root {
            expected: *root,
            computed,
        });
    }
    Ok(read)
}

/// The bytes `kind <kind>\nagreement <agreement>\nday <YYYY-MM>` of a leaf, read without
/// allocating: the header must be the format's, the three lines in order with single-token
/// values, the day a `YYYY-MM-DD`, and a `commitment` line must follow. The commitment itself is
/// not decoded: the leaf's hash, checked against the authenticated tile, already fixes it.
pub fn leaf_key(entry: &[u8]) -> Option<&[u8]> {
    let header = LEAF_FORMAT.len() + 1;
    if entry.get(..LEAF_FORMAT.len())? != LEAF_FORMAT.as_bytes() || *entry.get(header - 1)? != b'\n'
    {
        return None;
    }
    let rest = entry.get(header..)?;
    let kind_end = line_value(rest, b"kind ")?;
    let agreement_end = kind_end + 1 + line_value(rest.get(kind_end + 1..)?, b"agreement ")?;
    let day_start = agreement_end + 1;
    let day_line = rest.get(day_start..)?;
    let day = day_line.strip_prefix(b"day ")?;
    let (date, after) = (day.get(..10)?, day.get(10..)?);
    if !is_date(date) || !after.starts_with(b"\ncommitment ") {
        return None;
    }
    let key = rest.get(..day_start + 4 + 7)?;
    std::str::from_utf8(key).ok()?;
    Some(key)
}

/// The length of the line starting with `name` (a non-empty single-token value after it), up to
/// its newline.
fn line_value(text: &[u8], name: &[u8]) -> Option<usize> {
    let value = text.strip_prefix(name)?;
    let end = value.iter().position(|&byte| byte == b'\n')?;
    let token = value.get(..end)?;
    let single = !token.is_empty() && !token.iter().any(u8::is_ascii_whitespace);
    single.then_some(name.len() + end)
}

/// Whether ten bytes are `YYYY-MM-DD` with a month 01–12 and a day 01–31.
fn is_date(date: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| {
        date.get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| {
        date.get(range).map_or(0, |part| {
            part.iter()
                .fold(0u32, |value, digit| value * 10 + u32::from(digit - b'0'))
        })
    };
    date.len() == 10
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && date.get(4) == Some(&b'-')
        && date.get(7) == Some(&b'-')
        && (1970..=9999).contains(&number(0..4))
        && (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
}

/// Splits a key from [`leaf_key`] into its kind, agreement and month.
fn decode_key(key: &[u8]) -> Option<(String, String, Month)> {
    let text = std::str::from_utf8(key).ok()?;
    let mut lines = text.split('\n');
    let kind = lines.next()?.strip_prefix("kind ")?;
    let agreement = lines.next()?.strip_prefix("agreement ")?;
    let month = lines.next()?.strip_prefix("day ")?.parse().ok()?;
    Some((kind.to_owned(), agreement.to_owned(), month))
}
