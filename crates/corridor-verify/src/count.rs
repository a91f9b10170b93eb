//! Counting the log's leaves by kind, agreement and month, below a tree size, in one pass over
//! authenticated tiles and entry bundles, on every core.
//!
//! The hash tiles are authenticated first by corridor-log's `verify_tiles` (without the
//! bundles), while the level-0 tiles it reads are remembered (a full tile by its subtree root,
//! a partial one by its bytes). Then worker threads read each level-0 tile below the size again,
//! check it is the one authenticated, check its entry bundle against it, and count its entries.
//! A leaf is read only as far as its `kind`, `agreement` and `day` lines.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use corridor_log::hash::Hash;
use corridor_log::leaf::LEAF_FORMAT;
use corridor_log::tiles::{
    EntryBundles, FULL_TILE_WIDTH, TileId, TileSource, TileVerification, decode_entry_bundle,
    subtree_root, tile_hashes, tile_width, verify_entry_bundle, verify_tiles,
};
use corridor_stats::period::Month;

use crate::check::Refusal;
use crate::source::FetchError;

/// The most worker threads counting leaves.
pub const COUNT_THREADS_MAX: usize = 8;
/// How many level-0 tiles a worker takes at a time.
const TILES_PER_BATCH: u64 = 16;

/// Leaves counted by kind, agreement (`-` for none) and the month of their day.
pub type LeafCounts = HashMap<(String, String, Month), u64>;

/// Why the leaves could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    /// The log's tiles were refused (or could not be read).
    #[error(transparent)]
    Log(#[from] Refusal),
    /// A level-0 tile read for counting is not the one authenticated.
    #[error("tile `{tile}` changed between its authentication and its reading")]
    TileChanged {
        /// The tile.
        tile: TileId,
    },
    /// A bundle or tile could not be read, or does not match.
    #[error("entry bundle of `{tile}`: {reason}")]
    Bundle {
        /// The level-0 tile.
        tile: TileId,
        /// What went wrong.
        reason: String,
    },
    /// The tile arithmetic found no level-0 tile where one must be.
    #[error("no level-0 tile {index} in a tree of {size} leaves")]
    NoTile {
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

/// What a level-0 tile was when `verify_tiles` authenticated it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Full(Hash),
    Partial(Vec<u8>),
}

/// A tile source that remembers the level-0 tiles below `tiles` it serves.
struct Recording<'a, S> {
    source: &'a S,
    tiles: u64,
    seen: RefCell<Vec<Option<Seen>>>,
}

impl<S: TileSource<Error = FetchError>> TileSource for Recording<'_, S> {
    type Error = FetchError;

    fn tile(&self, tile: TileId) -> Result<std::borrow::Cow<'_, [u8]>, FetchError> {
        let bytes = self.source.tile(tile)?;
        if tile.level() == 0 && tile.index() < self.tiles {
            let seen = if tile.is_full() {
                // A tile of the wrong length is refused by `verify_tiles` right after.
                tile_hashes(tile, &bytes)
                    .ok()
                    .map(|hashes| Seen::Full(subtree_root(&hashes)))
            } else {
                Some(Seen::Partial(bytes.to_vec()))
            };
            let index = usize::try_from(tile.index()).unwrap_or(usize::MAX);
            if let Some(slot) = self.seen.borrow_mut().get_mut(index) {
                *slot = seen;
            }
        }
        Ok(bytes)
    }

    fn entry_bundle(&self, tile: TileId) -> Result<std::borrow::Cow<'_, [u8]>, FetchError> {
        self.source.entry_bundle(tile)
    }
}

/// Authenticates every hash tile of the tree of `size` leaves against `root`, then counts the
/// leaves below `below` (at most `size`) from their authenticated entry bundles.
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
    let width = u64::from(FULL_TILE_WIDTH);
    let tiles = below.div_ceil(width);
    let recording = Recording {
        source,
        tiles,
        seen: RefCell::new(vec![None; usize::try_from(tiles).unwrap_or(0)]),
    };
    let verification =
        verify_tiles(&recording, size, root, EntryBundles::Skip).map_err(Refusal::Tiles)?;
    let seen = recording.seen.into_inner();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, COUNT_THREADS_MAX);
    let next = AtomicU64::new(0);
    let results: Mutex<Vec<Result<HashMap<Vec<u8>, u64>, (u64, CountError)>>> =
        Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let result = count_worker(source, size, below, &seen, &next);
                if let Ok(mut results) = results.lock() {
                    results.push(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    merge(results, threads).map(|counts| (counts, verification))
}

/// The workers' counts merged and decoded; the error of the first tile if any failed.
fn merge(
    results: Vec<Result<HashMap<Vec<u8>, u64>, (u64, CountError)>>,
    threads: usize,
) -> Result<LeafCounts, CountError> {
    let mut first_error: Option<(u64, CountError)> = None;
    let mut raw: HashMap<Vec<u8>, u64> = HashMap::new();
    let finished = results.len();
    for result in results {
        match result {
            Ok(counts) => {
                for (key, count) in counts {
                    *raw.entry(key).or_default() += count;
                }
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
    if finished != threads {
        // A worker panicked before reporting: its tiles were not counted.
        return Err(CountError::WorkerFailed);
    }
    let mut counts = LeafCounts::new();
    for (key, count) in raw {
        // Every key passed `leaf_key`, which checks what decoding needs.
        let (kind, agreement, month) = decode_key(&key).ok_or(CountError::WorkerFailed)?;
        *counts.entry((kind, agreement, month)).or_default() += count;
    }
    Ok(counts)
}

/// One worker: takes batches of level-0 tiles until none is left.
fn count_worker<S: TileSource<Error = FetchError>>(
    source: &S,
    size: u64,
    below: u64,
    seen: &[Option<Seen>],
    next: &AtomicU64,
) -> Result<HashMap<Vec<u8>, u64>, (u64, CountError)> {
    let mut counts: HashMap<Vec<u8>, u64> = HashMap::new();
    let tiles = seen.len() as u64;
    loop {
        let first = next.fetch_add(TILES_PER_BATCH, Ordering::Relaxed);
        if first >= tiles {
            return Ok(counts);
        }
        for index in first..(first + TILES_PER_BATCH).min(tiles) {
            let expected = usize::try_from(index)
                .ok()
                .and_then(|index| seen.get(index))
                .and_then(Option::as_ref);
            count_tile(source, size, below, index, expected, &mut counts)
                .map_err(|error| (index, error))?;
        }
    }
}

/// Reads one level-0 tile and its bundle, checks them, and counts its entries below `below`.
fn count_tile<S: TileSource<Error = FetchError>>(
    source: &S,
    size: u64,
    below: u64,
    index: u64,
    expected: Option<&Seen>,
    counts: &mut HashMap<Vec<u8>, u64>,
) -> Result<(), CountError> {
    let bundle_error = |tile: TileId, reason: String| CountError::Bundle { tile, reason };
    let tile = tile_width(size, 0, index)
        .and_then(|width| TileId::new(0, index, width).ok())
        .ok_or(CountError::NoTile { index, size })?;
    let bytes = source
        .tile(tile)
        .map_err(|error| bundle_error(tile, error.to_string()))?;
    let hashes = tile_hashes(tile, &bytes).map_err(|error| bundle_error(tile, error.to_string()))?;
    let authentic = match expected {
        Some(Seen::Full(root)) => tile.is_full() && subtree_root(&hashes) == *root,
        Some(Seen::Partial(seen)) => !tile.is_full() && seen.as_slice() == &*bytes,
        None => false,
    };
    if !authentic {
        return Err(CountError::TileChanged { tile });
    }
    let bundle = source
        .entry_bundle(tile)
        .map_err(|error| bundle_error(tile, error.to_string()))?;
    verify_entry_bundle(tile, &bundle, &hashes)
        .map_err(|error| bundle_error(tile, error.to_string()))?;
    let entries =
        decode_entry_bundle(&bundle).map_err(|error| bundle_error(tile, error.to_string()))?;
    let first = index * u64::from(FULL_TILE_WIDTH);
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
