//! C2SP tlog-tiles: the static layout in which the log is published.
//!
//! A tile is a run of up to 256 consecutive node hashes at one tree level that is a multiple of
//! [`TILE_HEIGHT`]: tile level `T` holds tree level `8T`, and the hash at position `i` of tile
//! `N` is node `(8T, N * 256 + i)`. A *full* tile holds 256 hashes (8,192 bytes); the rightmost
//! tile of a level is *partial* (1–255 hashes) while the level is not a multiple of 256 long.
//! For a tree of size `s`, level `T` has `floor(s / 256^T)` hashes, so it has
//! `floor(s / 256^(T+1))` full tiles and one partial tile of width `floor(s / 256^T) mod 256`
//! when that is not zero. Partial tiles are never hashed into the level above.
//!
//! Paths: `tile/<L>/<N>[.p/<W>]` for hashes and `tile/entries/<N>[.p/<W>]` for entry bundles,
//! where `N` is written in 3-digit groups, all but the last prefixed by `x`
//! (`1234067` → `x001/x234/067`). Entry bundle `N` holds the entries whose leaf hashes form
//! level-0 tile `N`; each entry is a big-endian `u16` length followed by its bytes.
//!
//! A client must authenticate every tile it reads against a signed checkpoint:
//! - [`verify_tiles`] recomputes the root of a checkpoint from all of its tiles (and, on
//!   request, its entry bundles), checking every full tile against the level above and the
//!   partial tiles against the root;
//! - [`TileReader`] serves node hashes from tiles as a [`HashReader`], so proofs and roots can be
//!   computed from tiles; whatever it yields must still be checked against a checkpoint root
//!   (by [`crate::tree::verify_inclusion`] or [`crate::tree::verify_consistency`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use crate::checkpoint::parse_canonical_u64;
use crate::hash::{HASH_SIZE_BYTES, Hash, leaf_hash};
use crate::tree::{self, CompactTree, HashReader, NodeId, ProofError};

/// The number of tree levels a tile spans.
pub const TILE_HEIGHT: u8 = 8;

/// The number of hashes in a full tile (`2^TILE_HEIGHT`).
pub const FULL_TILE_WIDTH: u16 = 256;

/// The size of a full tile in bytes.
pub const FULL_TILE_SIZE_BYTES: usize = FULL_TILE_WIDTH as usize * HASH_SIZE_BYTES;

/// The highest tile level a path may name (tlog-tiles allows 0 to 63).
pub const MAX_TILE_LEVEL: u8 = 63;

/// The largest entry an entry bundle can hold: its length must fit a big-endian `u16`.
pub const MAX_ENTRY_SIZE_BYTES: usize = u16::MAX as usize;

/// The number of tile levels a tree of up to `u64::MAX` leaves can have (64 / 8).
const TILE_LEVELS_IN_U64_TREE: u8 = 8;

/// The number of decimal digits in each group of a tile index path.
const INDEX_GROUP_DIGITS: usize = 3;

/// The number of groups needed for the largest `u64` (20 digits).
const MAX_INDEX_GROUPS: usize = 7;

/// One tile: its level, its index within the level and its width (1–256 hashes, 256 = full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    level: u8,
    index: u64,
    // INVARIANT: 1 <= width <= FULL_TILE_WIDTH and level <= MAX_TILE_LEVEL.
    width: u16,
}

impl TileId {
    /// A tile of `width` hashes (256 for a full tile).
    ///
    /// # Errors
    /// [`TilePathError::LevelOutOfRange`] or [`TilePathError::WidthOutOfRange`].
    pub const fn new(level: u8, index: u64, width: u16) -> Result<Self, TilePathError> {
        if level > MAX_TILE_LEVEL {
            return Err(TilePathError::LevelOutOfRange { level });
        }
        if width == 0 || width > FULL_TILE_WIDTH {
            return Err(TilePathError::WidthOutOfRange { width });
        }
        Ok(Self {
            level,
            index,
            width,
        })
    }

    /// The tile level (tree level `8 * level`).
    #[must_use]
    pub const fn level(&self) -> u8 {
        self.level
    }

    /// The index of the tile within its level.
    #[must_use]
    pub const fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes (or, for an entry bundle, entries) in the tile.
    #[must_use]
    pub const fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile holds all 256 hashes.
    #[must_use]
    pub const fn is_full(&self) -> bool {
        self.width == FULL_TILE_WIDTH
    }

    /// The tile's size in bytes.
    #[must_use]
    pub const fn size_bytes(&self) -> usize {
        self.width as usize * HASH_SIZE_BYTES
    }

    /// The hash tile path, `tile/<L>/<N>[.p/<W>]`.
    #[must_use]
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            index_path(self.index),
            self.suffix()
        )
    }

    /// The entry bundle path, `tile/entries/<N>[.p/<W>]`, for a level-0 tile; `None` for the
    /// tiles of higher levels, which have no entry bundles.
    #[must_use]
    pub fn entries_path(&self) -> Option<String> {
        (self.level == 0)
            .then(|| format!("tile/entries/{}{}", index_path(self.index), self.suffix()))
    }

    fn suffix(&self) -> String {
        if self.is_full() {
            String::new()
        } else {
            format!(".p/{}", self.width)
        }
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// What a parsed tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    /// A hash tile, `tile/<L>/<N>[.p/<W>]`.
    Hashes(TileId),
    /// An entry bundle, `tile/entries/<N>[.p/<W>]`, named by its level-0 tile.
    Entries(TileId),
}

/// Why a tile path or tile coordinate is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TilePathError {
    /// The level is above [`MAX_TILE_LEVEL`].
    #[error("tile level {level} is above {MAX_TILE_LEVEL}")]
    LevelOutOfRange {
        /// The level given.
        level: u8,
    },
    /// The width is 0 or above 256.
    #[error("tile width {width} is outside 1 to {FULL_TILE_WIDTH}")]
    WidthOutOfRange {
        /// The width given.
        width: u16,
    },
    /// The path does not follow the tlog-tiles grammar.
    #[error("malformed tile path `{path}`: {reason}")]
    Malformed {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Writes a tile index in 3-digit groups, all but the last prefixed by `x`:
/// `1234067` → `x001/x234/067`, `0` → `000`.
#[must_use]
pub fn index_path(index: u64) -> String {
    let mut groups = Vec::with_capacity(MAX_INDEX_GROUPS);
    let mut rest = index;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let mut path = String::with_capacity(groups.len() * (INDEX_GROUP_DIGITS + 2));
    let last = groups.len().saturating_sub(1);
    for (position, group) in groups.iter().rev().enumerate() {
        if position != last {
            path.push('x');
        }
        path.push_str(&format!("{group:03}"));
        if position != last {
            path.push('/');
        }
    }
    path
}

/// Parses a tile or entry bundle path (without the log's URL prefix). Only the canonical form
/// is accepted: no leading zeros in the level or width, no needless `x000` groups.
///
/// # Errors
/// [`TilePathError`] describing what is wrong.
pub fn parse_tile_path(path: &str) -> Result<TilePath, TilePathError> {
    let malformed = |reason| TilePathError::Malformed {
        path: path.to_owned(),
        reason,
    };
    let rest = path
        .strip_prefix("tile/")
        .ok_or_else(|| malformed("it must start with `tile/`"))?;
    let (kind, rest) = rest
        .split_once('/')
        .ok_or_else(|| malformed("it has no tile index"))?;
    let (index_text, width) = match rest.split_once(".p/") {
        Some((index_text, width_text)) => {
            let width = parse_canonical_u64(width_text)
                .and_then(|width| u16::try_from(width).ok())
                .filter(|width| (1..FULL_TILE_WIDTH).contains(width))
                .ok_or_else(|| {
                    malformed("a partial width must be 1 to 255 without leading zeros")
                })?;
            (index_text, width)
        }
        None => (rest, FULL_TILE_WIDTH),
    };
    let index = parse_index_path(index_text).ok_or_else(|| malformed("bad tile index"))?;
    if kind == "entries" {
        return Ok(TilePath::Entries(TileId::new(0, index, width)?));
    }
    let level = parse_canonical_u64(kind)
        .and_then(|level| u8::try_from(level).ok())
        .ok_or_else(|| malformed("the level must be a decimal number without leading zeros"))?;
    Ok(TilePath::Hashes(TileId::new(level, index, width)?))
}

fn parse_index_path(text: &str) -> Option<u64> {
    let mut index: u64 = 0;
    let mut groups = text.split('/').peekable();
    let mut group_count = 0;
    while let Some(group) = groups.next() {
        group_count += 1;
        if group_count > MAX_INDEX_GROUPS {
            return None;
        }
        let digits = if groups.peek().is_some() {
            group.strip_prefix('x')?
        } else {
            group
        };
        if digits.len() != INDEX_GROUP_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: u64 = digits.parse().ok()?;
        index = index.checked_mul(1000)?.checked_add(value)?;
    }
    // Re-encoding rejects non-canonical forms such as `x000/001`.
    (index_path(index) == text).then_some(index)
}

/// The number of hashes at tile level `level` in a tree of `size` leaves: `floor(size / 256^level)`.
#[must_use]
pub fn hashes_at_tile_level(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0)
}

/// The width of tile `(level, index)` in a tree of `size` leaves, or `None` when the tree has
/// no such tile.
#[must_use]
pub fn tile_width(size: u64, level: u8, index: u64) -> Option<u16> {
    let count = hashes_at_tile_level(size, level);
    let full_tiles = count / u64::from(FULL_TILE_WIDTH);
    let partial_width = count % u64::from(FULL_TILE_WIDTH);
    if index < full_tiles {
        Some(FULL_TILE_WIDTH)
    } else if index == full_tiles && partial_width > 0 {
        u16::try_from(partial_width).ok()
    } else {
        None
    }
}

/// Every tile of a tree of `size` leaves, level by level, in index order.
pub fn tiles_for_size(size: u64) -> impl Iterator<Item = TileId> {
    changed_tiles(0, size)
}

/// The tiles of the tree of `new_size` leaves that the tree of `old_size` leaves does not have
/// with the same content: new tiles and tiles that grew. Tiles never change once written
/// (the log is append-only), so these are all an incremental export must write. Level-0 tiles
/// in the list also name the entry bundles to write. Yields nothing when
/// `old_size >= new_size`.
pub fn changed_tiles(old_size: u64, new_size: u64) -> impl Iterator<Item = TileId> {
    let mut level: u8 = 0;
    let mut next_index: Option<u64> = None;
    std::iter::from_fn(move || {
        while level < TILE_LEVELS_IN_U64_TREE && old_size < new_size {
            let new_count = hashes_at_tile_level(new_size, level);
            let old_count = hashes_at_tile_level(old_size, level);
            if new_count == old_count {
                // Nothing changed here, so nothing changed above either.
                return None;
            }
            let width = u64::from(FULL_TILE_WIDTH);
            let index = *next_index.get_or_insert(old_count / width);
            let last_index = (new_count - 1) / width;
            if index <= last_index {
                next_index = Some(index + 1);
                let tile_width = (new_count - index * width).min(width);
                let tile_width = u16::try_from(tile_width).unwrap_or(FULL_TILE_WIDTH);
                return TileId::new(level, index, tile_width).ok();
            }
            level += 1;
            next_index = None;
        }
        None
    })
}

/// Where a node hash lives: the node `(level, index)` is the root of `count` consecutive hashes
/// starting at `offset` in tile `(tile_level, tile_index)`. When `level` is a multiple of 8,
/// `count` is 1 and the tile holds the node itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeTile {
    /// The tile level: `level / 8`.
    pub tile_level: u8,
    /// The tile index within its level.
    pub tile_index: u64,
    /// The position of the first hash under the node.
    pub offset: u16,
    /// The number of tile hashes under the node: `2^(level mod 8)`.
    pub count: u16,
}

impl NodeTile {
    /// The smallest width the tile must have to hold the node.
    #[must_use]
    pub const fn min_width(&self) -> u16 {
        self.offset + self.count
    }
}

/// Which tile holds (the hashes under) node `(level, index)`; `None` when the node lies beyond
/// any `u64`-sized tree.
#[must_use]
pub fn tile_for_node(level: u8, index: u64) -> Option<NodeTile> {
    if usize::from(level) >= tree::MAX_TREE_LEVELS {
        return None;
    }
    let tile_level = level / TILE_HEIGHT;
    let height_in_tile = level % TILE_HEIGHT;
    // The node covers 2^height_in_tile hashes of tree level 8 * tile_level.
    let first = index.checked_shl(u32::from(height_in_tile))?;
    if first.checked_shr(u32::from(height_in_tile)) != Some(index) {
        return None;
    }
    let width = u64::from(FULL_TILE_WIDTH);
    Some(NodeTile {
        tile_level,
        tile_index: first / width,
        offset: u16::try_from(first % width).ok()?,
        count: 1u16 << height_in_tile,
    })
}

/// Why a tile's bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The tile has the wrong number of bytes for its width.
    #[error("tile `{tile}` has {actual_bytes} bytes, not {expected_bytes}")]
    WrongLength {
        /// The tile.
        tile: TileId,
        /// Its width times 32.
        expected_bytes: usize,
        /// The length received.
        actual_bytes: usize,
    },
    /// The tree of the given size has no tile with these coordinates and width.
    #[error("a tree of size {size} has no tile `{tile}`")]
    NotInTree {
        /// The tile.
        tile: TileId,
        /// The tree size.
        size: u64,
    },
}

/// Splits a tile's bytes into its hashes, checking its length against its width.
///
/// # Errors
/// [`TileError::WrongLength`].
pub fn tile_hashes(tile: TileId, bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    if bytes.len() != tile.size_bytes() {
        return Err(TileError::WrongLength {
            tile,
            expected_bytes: tile.size_bytes(),
            actual_bytes: bytes.len(),
        });
    }
    Ok(bytes
        .chunks_exact(HASH_SIZE_BYTES)
        .filter_map(|chunk| Hash::from_slice(chunk).ok())
        .collect())
}

/// The bytes of `tile`, read from stored node hashes (for exporting tiles).
///
/// # Errors
/// [`ProofError::Read`] when a hash cannot be read.
pub fn tile_bytes<R: HashReader>(
    reader: &R,
    tile: TileId,
) -> Result<Vec<u8>, ProofError<R::Error>> {
    // Tile levels 8 and above hold tree levels beyond any `u64`-sized tree.
    let tree_level = tile
        .level
        .checked_mul(TILE_HEIGHT)
        .filter(|level| usize::from(*level) < tree::MAX_TREE_LEVELS)
        .ok_or(ProofError::LevelOutOfRange {
            level: u32::from(tile.level) * u32::from(TILE_HEIGHT),
        })?;
    let first = tile.index.saturating_mul(u64::from(FULL_TILE_WIDTH));
    let mut bytes = Vec::with_capacity(tile.size_bytes());
    for position in 0..u64::from(tile.width) {
        let index = first.saturating_add(position);
        let hash = reader
            .node(tree_level, index)
            .map_err(|source| ProofError::Read {
                level: tree_level,
                index,
                source,
            })?;
        bytes.extend_from_slice(hash.as_bytes());
    }
    Ok(bytes)
}

/// The root of the perfect subtree whose bottom row is `hashes` (a power-of-two count), or the
/// RFC 6962 root of any run of hashes.
#[must_use]
pub fn subtree_root(hashes: &[Hash]) -> Hash {
    let mut compact = CompactTree::new();
    for hash in hashes {
        // A slice cannot hold u64::MAX hashes, so the tree never fills.
        let _index = compact.append(*hash);
    }
    compact.root()
}

/// Why an entry bundle could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// An entry is longer than a `u16` length prefix can describe.
    #[error("entry {entry} is {length_bytes} bytes, above the {MAX_ENTRY_SIZE_BYTES}-byte limit")]
    EntryTooLarge {
        /// The position of the entry in the bundle.
        entry: usize,
        /// Its length.
        length_bytes: usize,
    },
    /// A bundle holds more entries than a tile.
    #[error("a bundle holds at most {FULL_TILE_WIDTH} entries")]
    TooManyEntries,
    /// The bytes end inside a length prefix or inside an entry.
    #[error("the bundle is truncated inside entry {entry}")]
    Truncated {
        /// The position of the entry that is cut short.
        entry: usize,
    },
}

/// Encodes entries as an entry bundle: each a big-endian `u16` length, then its bytes.
///
/// # Errors
/// [`BundleError::EntryTooLarge`] or [`BundleError::TooManyEntries`].
pub fn encode_entry_bundle<I, E>(entries: I) -> Result<Vec<u8>, BundleError>
where
    I: IntoIterator<Item = E>,
    E: AsRef<[u8]>,
{
    let mut bundle = Vec::new();
    for (position, entry) in entries.into_iter().enumerate() {
        if position >= usize::from(FULL_TILE_WIDTH) {
            return Err(BundleError::TooManyEntries);
        }
        let entry = entry.as_ref();
        let length = u16::try_from(entry.len()).map_err(|_| BundleError::EntryTooLarge {
            entry: position,
            length_bytes: entry.len(),
        })?;
        bundle.extend_from_slice(&length.to_be_bytes());
        bundle.extend_from_slice(entry);
    }
    Ok(bundle)
}

/// Decodes an entry bundle into its entries, borrowing from `bundle`.
///
/// # Errors
/// [`BundleError::Truncated`] or [`BundleError::TooManyEntries`].
pub fn decode_entry_bundle(bundle: &[u8]) -> Result<Vec<&[u8]>, BundleError> {
    let mut entries = Vec::new();
    let mut rest = bundle;
    while !rest.is_empty() {
        let position = entries.len();
        if position >= usize::from(FULL_TILE_WIDTH) {
            return Err(BundleError::TooManyEntries);
        }
        let truncated = BundleError::Truncated { entry: position };
        let (prefix, after_prefix) = rest.split_first_chunk::<2>().ok_or(truncated.clone())?;
        let length = usize::from(u16::from_be_bytes(*prefix));
        if after_prefix.len() < length {
            return Err(truncated);
        }
        let (entry, after_entry) = after_prefix.split_at(length);
        entries.push(entry);
        rest = after_entry;
    }
    Ok(entries)
}

/// Serves node hashes from the tiles of a tree of a given size, as a [`HashReader`].
///
/// Tiles are checked for the width they must have at that size when they are added, but not
/// authenticated: whatever is computed from them must be checked against a signed checkpoint
/// root before it is trusted.
#[derive(Debug, Clone, Default)]
pub struct TileReader {
    size: u64,
    tiles: BTreeMap<(u8, u64), Vec<Hash>>,
}

/// A [`TileReader`] could not serve a node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileReadError {
    /// The node lies outside the tree the reader holds.
    #[error("node at level {level}, index {index} is outside a tree of size {size}")]
    NodeOutsideTree {
        /// The node's level.
        level: u8,
        /// The node's index.
        index: u64,
        /// The reader's tree size.
        size: u64,
    },
    /// The tile holding the node was not added.
    #[error("tile at level {tile_level}, index {tile_index} is needed but missing")]
    MissingTile {
        /// The missing tile's level.
        tile_level: u8,
        /// The missing tile's index.
        tile_index: u64,
    },
}

impl TileReader {
    /// An empty reader for the tree of `size` leaves.
    #[must_use]
    pub fn new(size: u64) -> Self {
        Self {
            size,
            tiles: BTreeMap::new(),
        }
    }

    /// The tree size the reader serves.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// Adds a tile's bytes.
    ///
    /// # Errors
    /// [`TileError::NotInTree`] when the tree has no such tile at that width,
    /// [`TileError::WrongLength`] when the bytes do not match the width.
    pub fn insert(&mut self, tile: TileId, bytes: &[u8]) -> Result<(), TileError> {
        if tile_width(self.size, tile.level, tile.index) != Some(tile.width) {
            return Err(TileError::NotInTree {
                tile,
                size: self.size,
            });
        }
        let hashes = tile_hashes(tile, bytes)?;
        self.tiles.insert((tile.level, tile.index), hashes);
        Ok(())
    }
}

impl HashReader for TileReader {
    type Error = TileReadError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, TileReadError> {
        let outside = TileReadError::NodeOutsideTree {
            level,
            index,
            size: self.size,
        };
        let end = index
            .checked_add(1)
            .and_then(|end| end.checked_shl(u32::from(level)))
            .filter(|end| end.checked_shr(u32::from(level)) == index.checked_add(1));
        if end.is_none_or(|end| end > self.size) {
            return Err(outside);
        }
        let location = tile_for_node(level, index).ok_or(outside)?;
        let missing = TileReadError::MissingTile {
            tile_level: location.tile_level,
            tile_index: location.tile_index,
        };
        let hashes = self
            .tiles
            .get(&(location.tile_level, location.tile_index))
            .ok_or(missing.clone())?;
        let start = usize::from(location.offset);
        let under_node = hashes
            .get(start..start + usize::from(location.count))
            .ok_or(missing)?;
        Ok(subtree_root(under_node))
    }
}

/// The tiles that computing the root of a tree of `size` leaves reads.
#[must_use]
pub fn tiles_for_root(size: u64) -> Vec<TileId> {
    let recorder = NodeRecorder::default();
    // The recorder never fails, so only the recorded nodes matter.
    let _root = tree::root(&recorder, size);
    recorder.tiles(size)
}

/// The tiles that the inclusion proof of leaf `index` in a tree of `size` leaves reads.
#[must_use]
pub fn tiles_for_inclusion_proof(index: u64, size: u64) -> Vec<TileId> {
    let recorder = NodeRecorder::default();
    let _proof = tree::inclusion_proof(&recorder, index, size);
    recorder.tiles(size)
}

/// The tiles that the consistency proof from `old_size` to `new_size` reads.
#[must_use]
pub fn tiles_for_consistency_proof(old_size: u64, new_size: u64) -> Vec<TileId> {
    let recorder = NodeRecorder::default();
    let _proof = tree::consistency_proof(&recorder, old_size, new_size);
    recorder.tiles(new_size)
}

/// A [`HashReader`] that answers every read with a placeholder and remembers what was asked,
/// so the tiles a computation needs can be listed before fetching them.
#[derive(Debug, Default)]
struct NodeRecorder {
    nodes: std::cell::RefCell<Vec<NodeId>>,
}

impl NodeRecorder {
    fn tiles(&self, size: u64) -> Vec<TileId> {
        let mut tiles: Vec<TileId> = self
            .nodes
            .borrow()
            .iter()
            .filter_map(|node| tile_for_node(node.level, node.index))
            .filter_map(|location| {
                let width = tile_width(size, location.tile_level, location.tile_index)?;
                TileId::new(location.tile_level, location.tile_index, width).ok()
            })
            .collect();
        tiles.sort_unstable();
        tiles.dedup();
        tiles
    }
}

impl HashReader for NodeRecorder {
    type Error = std::convert::Infallible;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        self.nodes.borrow_mut().push(NodeId { level, index });
        Ok(Hash::default())
    }
}

/// Where [`verify_tiles`] reads tiles and entry bundles from.
pub trait TileSource {
    /// Why a tile or bundle could not be read.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The bytes of a hash tile.
    ///
    /// # Errors
    /// When the tile cannot be read.
    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, Self::Error>;

    /// The bytes of the entry bundle of a level-0 tile.
    ///
    /// # Errors
    /// When the bundle cannot be read.
    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, Self::Error>;
}

/// Whether [`verify_tiles`] also checks the entry bundles against the level-0 tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryBundles {
    /// Decode every bundle and check each entry's leaf hash.
    Verify,
    /// Check the hash tiles only.
    Skip,
}

/// What [`verify_tiles`] checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TileVerification {
    /// The number of hash tiles read and authenticated.
    pub tiles: u64,
    /// The number of entries whose leaf hash was checked.
    pub entries: u64,
}

/// Why [`verify_tiles`] rejected a log.
#[derive(Debug, thiserror::Error)]
pub enum TileVerifyError<E: std::error::Error + 'static> {
    /// The source could not provide a tile or bundle.
    #[error("cannot read `{tile}`")]
    Source {
        /// The tile (or, for a bundle, its level-0 tile).
        tile: TileId,
        /// What the source said.
        #[source]
        source: E,
    },
    /// A tile has the wrong length.
    #[error(transparent)]
    Tile(#[from] TileError),
    /// A tile hash differs from the hash of the full tile below it.
    #[error("hash {position} of tile `{tile}` does not match the tiles below it")]
    TileMismatch {
        /// The tile.
        tile: TileId,
        /// The position of the first wrong hash.
        position: u16,
    },
    /// An entry bundle could not be decoded.
    #[error("entry bundle of `{tile}` is malformed")]
    Bundle {
        /// The level-0 tile of the bundle.
        tile: TileId,
        /// What is wrong.
        #[source]
        source: BundleError,
    },
    /// An entry bundle has the wrong number of entries.
    #[error("entry bundle of `{tile}` has {actual} entries, not {expected}")]
    EntryCount {
        /// The level-0 tile of the bundle.
        tile: TileId,
        /// The tile's width.
        expected: u16,
        /// The number of entries decoded.
        actual: usize,
    },
    /// An entry's leaf hash differs from its level-0 tile hash.
    #[error("entry {position} of bundle `{tile}` does not match its leaf hash")]
    EntryMismatch {
        /// The level-0 tile of the bundle.
        tile: TileId,
        /// The position of the entry.
        position: u16,
    },
    /// The root computed from the tiles differs from the checkpoint root.
    #[error("the tiles lead to root {computed}, not the checkpoint's {expected}")]
    RootMismatch {
        /// The checkpoint root.
        expected: Hash,
        /// The root computed from the tiles.
        computed: Hash,
    },
}

/// Verifies every tile of a tree of `size` leaves against its checkpoint `root`, reading each
/// tile once, level by level.
///
/// Every full tile is hashed and checked against its entry in the level above; every tile
/// above level 0 is checked against the hashes of the full tiles below it; the partial tiles
/// give the root, which must equal `root`. With [`EntryBundles::Verify`], each level-0 tile's
/// entry bundle must decode to entries whose leaf hashes are exactly that tile. So no tile is
/// trusted because of where it came from: each is authenticated by the checkpoint root.
///
/// Memory stays at one tile plus the level-1 hashes (`size / 256` hashes).
///
/// # Errors
/// The [`TileVerifyError`] naming the first tile or check that failed.
pub fn verify_tiles<S: TileSource>(
    source: &S,
    size: u64,
    root: &Hash,
    entries: EntryBundles,
) -> Result<TileVerification, TileVerifyError<S::Error>> {
    let mut report = TileVerification::default();
    let mut partial_tiles = TileReader::new(size);
    // The hashes of the current level, as computed from the full tiles of the level below.
    let mut expected_from_below: Vec<Hash> = Vec::new();
    for level in 0..TILE_LEVELS_IN_U64_TREE {
        let count = hashes_at_tile_level(size, level);
        if count == 0 {
            break;
        }
        let capacity = usize::try_from(count / u64::from(FULL_TILE_WIDTH)).unwrap_or(0);
        let mut computed_for_above = Vec::with_capacity(capacity);
        let level_tiles = tiles_for_size(size)
            .skip_while(|tile| tile.level < level)
            .take_while(|tile| tile.level == level);
        for tile in level_tiles {
            let bytes = source
                .tile(tile)
                .map_err(|source| TileVerifyError::Source { tile, source })?;
            let hashes = tile_hashes(tile, &bytes)?;
            if level > 0 {
                check_against_below(tile, &hashes, &expected_from_below)?;
            } else if entries == EntryBundles::Verify {
                report.entries += check_entry_bundle(source, tile, &hashes)?;
            }
            if tile.is_full() {
                computed_for_above.push(subtree_root(&hashes));
            } else {
                partial_tiles.insert(tile, &bytes)?;
            }
            report.tiles += 1;
        }
        expected_from_below = computed_for_above;
    }
    // Every node the root needs lies in a partial tile (the right edge), all of which were
    // inserted above; a failure here would mean the tile arithmetic is wrong, and reporting a
    // root mismatch is the safe answer.
    let computed = tree::root(&partial_tiles, size).unwrap_or_default();
    if computed != *root {
        return Err(TileVerifyError::RootMismatch {
            expected: *root,
            computed,
        });
    }
    Ok(report)
}

fn check_against_below<E: std::error::Error + 'static>(
    tile: TileId,
    hashes: &[Hash],
    expected_from_below: &[Hash],
) -> Result<(), TileVerifyError<E>> {
    let first = usize::try_from(tile.index)
        .ok()
        .and_then(|index| index.checked_mul(usize::from(FULL_TILE_WIDTH)));
    let expected = first.and_then(|first| {
        let end = first.checked_add(hashes.len())?;
        expected_from_below.get(first..end)
    });
    let mismatch = |position: usize| TileVerifyError::TileMismatch {
        tile,
        position: u16::try_from(position).unwrap_or(u16::MAX),
    };
    let expected = expected.ok_or_else(|| mismatch(0))?;
    match hashes
        .iter()
        .zip(expected)
        .position(|(got, want)| got != want)
    {
        Some(position) => Err(mismatch(position)),
        None => Ok(()),
    }
}

fn check_entry_bundle<S: TileSource>(
    source: &S,
    tile: TileId,
    hashes: &[Hash],
) -> Result<u64, TileVerifyError<S::Error>> {
    let bundle = source
        .entry_bundle(tile)
        .map_err(|source| TileVerifyError::Source { tile, source })?;
    verify_entry_bundle(tile, &bundle, hashes).map_err(|error| match error {
        EntryBundleError::Bundle(source) => TileVerifyError::Bundle { tile, source },
        EntryBundleError::Count { expected, actual } => TileVerifyError::EntryCount {
            tile,
            expected,
            actual,
        },
        EntryBundleError::Mismatch { position } => {
            TileVerifyError::EntryMismatch { tile, position }
        }
    })?;
    Ok(u64::from(tile.width))
}

/// Why an entry bundle does not match its level-0 tile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryBundleError {
    /// The bundle could not be decoded.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The bundle has the wrong number of entries.
    #[error("the bundle has {actual} entries, not {expected}")]
    Count {
        /// The tile's width.
        expected: u16,
        /// The number of entries decoded.
        actual: usize,
    },
    /// An entry's leaf hash differs from the tile.
    #[error("entry {position} does not match its leaf hash")]
    Mismatch {
        /// The position of the entry.
        position: u16,
    },
}

/// Checks that an entry bundle decodes to exactly the entries whose leaf hashes are `hashes`
/// (the level-0 tile `tile`).
///
/// # Errors
/// [`EntryBundleError`] naming what differs.
pub fn verify_entry_bundle(
    tile: TileId,
    bundle: &[u8],
    hashes: &[Hash],
) -> Result<(), EntryBundleError> {
    let entries = decode_entry_bundle(bundle)?;
    if entries.len() != usize::from(tile.width) || hashes.len() != entries.len() {
        return Err(EntryBundleError::Count {
            expected: tile.width,
            actual: entries.len(),
        });
    }
    match entries
        .iter()
        .zip(hashes)
        .position(|(entry, hash)| leaf_hash(entry) != *hash)
    {
        Some(position) => Err(EntryBundleError::Mismatch {
            position: u16::try_from(position).unwrap_or(u16::MAX),
        }),
        None => Ok(()),
    }
}
