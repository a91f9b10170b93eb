//! The Merkle tree: incremental appends, proofs over stored node hashes, RFC 9162 verification.
//!
//! # Coordinates
//!
//! A node is named by its *level* and *index*: the level-`L` node with index `N` is the root of
//! the perfect subtree over leaves `[N * 2^L, (N + 1) * 2^L)`. Level 0 holds the leaf hashes.
//! This is the layout of C2SP tlog tiles, so a store of tiles, a SQL table keyed by
//! `(level, index)` and the in-memory [`MemoryTree`] can all serve the same [`HashReader`].
//! Only *perfect* subtrees are ever stored: the hash of a ragged range is recomputed from the
//! perfect subtrees it decomposes into, which is what lets a stored node never change once
//! written.
//!
//! # Pieces
//!
//! - [`CompactTree`] keeps the O(log n) "compact range" of an append-only tree — the roots of
//!   the perfect subtrees on its right edge — and gives the root after any append. Appending
//!   allocates nothing.
//! - [`root`], [`inclusion_proof`] and [`consistency_proof`] build RFC 9162 §2.1 values from any
//!   [`HashReader`], reading O(log n) nodes.
//! - [`verify_inclusion`] and [`verify_consistency`] are the RFC 9162 §2.1.3.2 and §2.1.4.2
//!   algorithms, returning a [`VerifyError`] that says what failed.

use crate::hash::{Hash, empty_root, leaf_hash, node_hash};

/// The number of levels a tree of up to `u64::MAX` leaves can have perfect subtrees at.
pub const MAX_TREE_LEVELS: usize = TREE_LEVELS as usize;

/// [`MAX_TREE_LEVELS`] as a level number bound.
const TREE_LEVELS: u8 = 64;

/// The coordinates of a perfect subtree: the level-`level` node with index `index` covers
/// leaves `[index * 2^level, (index + 1) * 2^level)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// The height of the subtree: 0 for a leaf.
    pub level: u8,
    /// The position of the subtree among those of its level, counting from the left.
    pub index: u64,
}

/// Reads the hash of a stored perfect subtree.
///
/// Implementations serve `node(level, index)` for every perfect subtree that lies entirely
/// within the tree they hold (`(index + 1) * 2^level <= size`), and fail for anything else.
/// Proof construction never asks for a node outside the tree size it is given.
pub trait HashReader {
    /// Why a node could not be read.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The hash of the level-`level` node with index `index`.
    ///
    /// # Errors
    /// When the node is not stored or the storage fails.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    type Error = R::Error;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        (**self).node(level, index)
    }
}

/// Why the tree could not take another leaf or be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// The tree already holds `u64::MAX` leaves.
    #[error("the tree is full")]
    Full,
    /// A restored frontier does not have one hash per set bit of the tree size.
    #[error("a tree of size {size} has {expected} frontier hashes, not {actual}")]
    FrontierLength {
        /// The tree size being restored.
        size: u64,
        /// The number of hashes such a tree has on its right edge.
        expected: usize,
        /// The number of hashes given.
        actual: usize,
    },
}

/// Why a proof or root could not be built from stored hashes.
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E: std::error::Error + 'static> {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old size {old_size} is larger than new size {new_size}")]
    OldSizeLarger {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// A node above the highest level a `u64`-sized tree has.
    #[error("no tree has nodes at level {level}")]
    LevelOutOfRange {
        /// The level asked for.
        level: u32,
    },
    /// The hash reader failed.
    #[error("cannot read the node hash at level {level}, index {index}")]
    Read {
        /// The level of the node that could not be read.
        level: u8,
        /// The index of the node that could not be read.
        index: u64,
        /// What the reader said.
        #[source]
        source: E,
    },
}

/// Why a proof did not verify. Each variant names the check that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The proof has the wrong number of hashes for the claimed index and sizes.
    #[error("the proof has {actual} hashes where {expected} are needed")]
    WrongProofLength {
        /// The number of hashes RFC 9162 prescribes for these sizes.
        expected: usize,
        /// The number of hashes given.
        actual: usize,
    },
    /// The root computed from an inclusion proof differs from the expected root.
    #[error("the inclusion proof leads to root {computed}, not {expected}")]
    RootMismatch {
        /// The trusted root.
        expected: Hash,
        /// The root the proof leads to.
        computed: Hash,
    },
    /// The old size is larger than the new size.
    #[error("old size {old_size} is larger than new size {new_size}")]
    OldSizeLarger {
        /// The claimed old size.
        old_size: u64,
        /// The claimed new size.
        new_size: u64,
    },
    /// Two trees of the same size have different roots: the log forked.
    #[error("two trees of size {size} have different roots")]
    EqualSizesDifferentRoots {
        /// The common size.
        size: u64,
    },
    /// The consistency proof does not lead to the old root.
    #[error("the consistency proof leads to old root {computed}, not {expected}")]
    OldRootMismatch {
        /// The trusted old root.
        expected: Hash,
        /// The old root the proof leads to.
        computed: Hash,
    },
    /// The consistency proof does not lead to the new root.
    #[error("the consistency proof leads to new root {computed}, not {expected}")]
    NewRootMismatch {
        /// The claimed new root.
        expected: Hash,
        /// The new root the proof leads to.
        computed: Hash,
    },
}

/// An append-only Merkle tree that keeps only its compact range: the roots of the perfect
/// subtrees along its right edge, one per set bit of the size.
///
/// Appending costs one node hash per trailing one bit of the size (one on average) and
/// allocates nothing; [`CompactTree::root`] costs one node hash per set bit of the size, so
/// callers that need the root after every append pay for it only when they ask.
#[derive(Clone)]
pub struct CompactTree {
    size: u64,
    // INVARIANT: for every set bit `L` of `size`, `frontier[L]` is the root of the level-`L`
    // perfect subtree on the right edge, node `(L, (size >> L) - 1)`. Other slots are stale.
    frontier: [Hash; MAX_TREE_LEVELS],
}

impl Default for CompactTree {
    fn default() -> Self {
        Self::new()
    }
}

// Equality ignores the stale slots: two trees are equal when their sizes and frontiers are.
impl PartialEq for CompactTree {
    fn eq(&self, other: &Self) -> bool {
        self.size == other.size && self.frontier().eq(other.frontier())
    }
}

impl Eq for CompactTree {}

impl std::fmt::Debug for CompactTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompactTree")
            .field("size", &self.size)
            .field("frontier", &self.frontier().collect::<Vec<_>>())
            .finish()
    }
}

impl CompactTree {
    /// An empty tree.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            size: 0,
            frontier: [Hash::from_bytes([0; 32]); MAX_TREE_LEVELS],
        }
    }

    /// Restores a tree from its size and its frontier hashes, ordered from the left (largest
    /// subtree) to the right (smallest), as [`CompactTree::frontier`] yields them.
    ///
    /// # Errors
    /// [`TreeError::FrontierLength`] when there is not one hash per set bit of `size`.
    pub fn from_frontier(size: u64, hashes: &[Hash]) -> Result<Self, TreeError> {
        let expected = frontier_length(size);
        if hashes.len() != expected {
            return Err(TreeError::FrontierLength {
                size,
                expected,
                actual: hashes.len(),
            });
        }
        let mut tree = Self::new();
        tree.size = size;
        let levels_high_to_low = set_bits_descending(size);
        for (level, hash) in levels_high_to_low.zip(hashes) {
            if let Some(slot) = tree.frontier.get_mut(usize::from(level)) {
                *slot = *hash;
            }
        }
        Ok(tree)
    }

    /// Restores a tree of `size` leaves by reading its frontier from stored node hashes.
    ///
    /// # Errors
    /// [`ProofError::Read`] when a frontier node cannot be read.
    pub fn from_reader<R: HashReader>(reader: &R, size: u64) -> Result<Self, ProofError<R::Error>> {
        let mut tree = Self::new();
        tree.size = size;
        for node in frontier_nodes(size) {
            let hash = read(reader, node)?;
            if let Some(slot) = tree.frontier.get_mut(usize::from(node.level)) {
                *slot = hash;
            }
        }
        Ok(tree)
    }

    /// The number of leaves.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash and returns its index.
    ///
    /// # Errors
    /// [`TreeError::Full`] when the tree already holds `u64::MAX` leaves.
    pub fn append(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        self.append_with(leaf, |_, _| {})
    }

    /// Hashes an entry as a leaf ([`leaf_hash`]) and appends it; returns its index.
    ///
    /// # Errors
    /// [`TreeError::Full`] when the tree already holds `u64::MAX` leaves.
    pub fn append_entry(&mut self, entry: &[u8]) -> Result<u64, TreeError> {
        self.append(leaf_hash(entry))
    }

    /// Appends a leaf hash and reports every perfect subtree the append completes, bottom up:
    /// first the leaf itself as node `(0, index)`, then each newly formed parent. A store that
    /// persists these reports holds every node a [`HashReader`] must serve.
    ///
    /// # Errors
    /// [`TreeError::Full`] when the tree already holds `u64::MAX` leaves.
    pub fn append_with(
        &mut self,
        leaf: Hash,
        mut on_node: impl FnMut(NodeId, &Hash),
    ) -> Result<u64, TreeError> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(TreeError::Full)?;
        on_node(NodeId { level: 0, index }, &leaf);
        let mut carry = leaf;
        // Adding one to the size clears its trailing one bits and sets the next zero bit: each
        // cleared bit's subtree merges with the carry, and the carry lands in the zero bit's
        // slot. `index < u64::MAX` guarantees a zero bit below level 64, so the loop always
        // stores the carry.
        for (level, slot) in (0u8..).zip(self.frontier.iter_mut()) {
            if (index >> level) & 1 == 0 {
                *slot = carry;
                break;
            }
            carry = node_hash(slot, &carry);
            let parent_level = level.saturating_add(1);
            on_node(
                NodeId {
                    level: parent_level,
                    index: index.checked_shr(u32::from(parent_level)).unwrap_or(0),
                },
                &carry,
            );
        }
        self.size = new_size;
        Ok(index)
    }

    /// The root hash: RFC 6962's `MTH` of all leaves appended so far.
    #[must_use]
    pub fn root(&self) -> Hash {
        // The smallest subtree is the rightmost, so the fold runs from the lowest set bit up,
        // each larger subtree becoming the left child of the running hash.
        let mut root: Option<Hash> = None;
        for (level, hash) in (0u8..).zip(self.frontier.iter()) {
            if (self.size >> level) & 1 == 1 {
                root = Some(match root {
                    None => *hash,
                    Some(right) => node_hash(hash, &right),
                });
            }
        }
        root.unwrap_or_else(empty_root)
    }

    /// The frontier: the right-edge perfect subtrees with their hashes, from the left (largest)
    /// to the right (smallest).
    pub fn frontier(&self) -> impl Iterator<Item = (NodeId, Hash)> + '_ {
        frontier_nodes(self.size).filter_map(|node| {
            self.frontier
                .get(usize::from(node.level))
                .map(|hash| (node, *hash))
        })
    }
}

/// An in-memory Merkle tree that stores every perfect subtree hash, level by level, as leaves
/// are appended. It serves [`HashReader`] for tests, benchmarks and small tools; a tree of
/// `n` leaves holds about `2n` hashes (64 bytes per leaf).
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    compact: CompactTree,
    // INVARIANT: `levels[L]` holds the hashes of nodes `(L, 0)`, `(L, 1)`, … in order, and has
    // exactly `size >> L` of them.
    levels: Vec<Vec<Hash>>,
}

/// A [`MemoryTree`] was asked for a node it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no node at level {level}, index {index} in a tree of size {size}")]
pub struct MissingNode {
    /// The requested level.
    pub level: u8,
    /// The requested index.
    pub index: u64,
    /// The size of the tree that was asked.
    pub size: u64,
}

impl MemoryTree {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty tree with room for `leaves` leaves before it reallocates.
    #[must_use]
    pub fn with_capacity(leaves: usize) -> Self {
        let mut levels = Vec::new();
        let mut capacity = leaves;
        while capacity > 0 {
            levels.push(Vec::with_capacity(capacity));
            capacity /= 2;
        }
        Self {
            compact: CompactTree::new(),
            levels,
        }
    }

    /// The number of leaves.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.compact.size()
    }

    /// Appends a leaf hash and returns its index.
    ///
    /// # Errors
    /// [`TreeError::Full`] when the tree already holds `u64::MAX` leaves.
    pub fn append(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        let levels = &mut self.levels;
        self.compact.append_with(leaf, |node, hash| {
            let level = usize::from(node.level);
            if levels.len() <= level {
                levels.resize_with(level + 1, Vec::new);
            }
            if let Some(hashes) = levels.get_mut(level) {
                hashes.push(*hash);
            }
        })
    }

    /// Hashes an entry as a leaf and appends it; returns its index.
    ///
    /// # Errors
    /// [`TreeError::Full`] when the tree already holds `u64::MAX` leaves.
    pub fn append_entry(&mut self, entry: &[u8]) -> Result<u64, TreeError> {
        self.append(leaf_hash(entry))
    }

    /// The root hash of the whole tree.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.compact.root()
    }

    /// The compact range of the whole tree.
    #[must_use]
    pub const fn compact(&self) -> &CompactTree {
        &self.compact
    }
}

impl HashReader for MemoryTree {
    type Error = MissingNode;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.levels
            .get(usize::from(level))
            .and_then(|hashes| hashes.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(MissingNode {
                level,
                index,
                size: self.size(),
            })
    }
}

/// The root of the tree's first `size` leaves, read from stored perfect subtrees.
///
/// # Errors
/// [`ProofError::Read`] when a node cannot be read.
pub fn root<R: HashReader>(reader: &R, size: u64) -> Result<Hash, ProofError<R::Error>> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_root(reader, 0, size)
}

/// The RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves, from the
/// leaf's sibling up to the root's child.
///
/// # Errors
/// [`ProofError::IndexOutOfRange`] when `index >= size`, [`ProofError::Read`] when a node cannot
/// be read.
pub fn inclusion_proof<R: HashReader>(
    reader: &R,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // Walk RFC 9162's PATH recursion from the root down, collecting the sibling of each
    // step; the proof lists them from the bottom up, hence the reversal.
    let mut proof = Vec::with_capacity(inclusion_proof_length(index, size));
    let (mut low, mut high) = (0, size);
    while high - low > 1 {
        let middle = low + largest_power_of_two_below(high - low);
        if index < middle {
            proof.push(range_root(reader, middle, high)?);
            high = middle;
        } else {
            proof.push(range_root(reader, low, middle)?);
            low = middle;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The RFC 9162 §2.1.4.1 consistency proof from the tree of `old_size` leaves to the tree of
/// `new_size` leaves.
///
/// The proof is empty when `old_size` is 0 or equal to `new_size`: RFC 9162's algorithm
/// assumes `0 < old_size < new_size`, and in those two cases there is nothing to prove beyond
/// comparing roots (which [`verify_consistency`] does).
///
/// # Errors
/// [`ProofError::OldSizeLarger`] when `old_size > new_size`, [`ProofError::Read`] when a node
/// cannot be read.
pub fn consistency_proof<R: HashReader>(
    reader: &R,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    if old_size > new_size {
        return Err(ProofError::OldSizeLarger { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // RFC 9162's SUBPROOF recursion, unrolled from the root down. `old_is_complete_subtree` is
    // the RFC's `b`: whether the old tree is, so far, a complete subtree of the current range
    // (in which case its root is known to the verifier and is left out of the proof).
    let mut proof = Vec::with_capacity(consistency_proof_length(old_size, new_size));
    let (mut low, mut high) = (0, new_size);
    let mut old_is_complete_subtree = true;
    while old_size != high {
        let middle = low + largest_power_of_two_below(high - low);
        if old_size <= middle {
            proof.push(range_root(reader, middle, high)?);
            high = middle;
        } else {
            proof.push(range_root(reader, low, middle)?);
            low = middle;
            old_is_complete_subtree = false;
        }
    }
    if !old_is_complete_subtree {
        proof.push(range_root(reader, low, high)?);
    }
    proof.reverse();
    Ok(proof)
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves
/// (0 when `index >= size`).
#[must_use]
pub fn inclusion_proof_length(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    let (mut low, mut high, mut length) = (0, size, 0);
    while high - low > 1 {
        let middle = low + largest_power_of_two_below(high - low);
        if index < middle {
            high = middle;
        } else {
            low = middle;
        }
        length += 1;
    }
    length
}

/// The number of hashes in the consistency proof from `old_size` to `new_size` leaves
/// (0 unless `0 < old_size < new_size`).
#[must_use]
pub fn consistency_proof_length(old_size: u64, new_size: u64) -> usize {
    if old_size == 0 || old_size >= new_size {
        return 0;
    }
    let (mut low, mut high, mut length) = (0, new_size, 0);
    let mut old_is_complete_subtree = true;
    while old_size != high {
        let middle = low + largest_power_of_two_below(high - low);
        if old_size <= middle {
            high = middle;
        } else {
            low = middle;
            old_is_complete_subtree = false;
        }
        length += 1;
    }
    if !old_is_complete_subtree {
        length += 1;
    }
    length
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2): that `leaf_hash` is leaf `index` of the
/// tree of `size` leaves whose root is `root`.
///
/// # Errors
/// The [`VerifyError`] naming the check that failed.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, size, proof)?;
    if computed != *root {
        return Err(VerifyError::RootMismatch {
            expected: *root,
            computed,
        });
    }
    Ok(())
}

/// The root an inclusion proof leads to (RFC 9162 §2.1.3.2 without the final comparison).
///
/// # Errors
/// [`VerifyError::IndexOutOfRange`] or [`VerifyError::WrongProofLength`].
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    // The length check makes the RFC's in-loop `sn == 0` and final `sn == 0` checks
    // unreachable, and lets the error say what length was expected. They stay below anyway:
    // they cost nothing and keep the algorithm as written in the RFC.
    let expected = inclusion_proof_length(index, size);
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    let mut first_node = index;
    let mut second_node = size - 1;
    let mut running = *leaf_hash;
    for sibling in proof {
        if second_node == 0 {
            return Err(wrong_length);
        }
        if first_node & 1 == 1 || first_node == second_node {
            running = node_hash(sibling, &running);
            while first_node & 1 == 0 && first_node != 0 {
                first_node >>= 1;
                second_node >>= 1;
            }
        } else {
            running = node_hash(&running, sibling);
        }
        first_node >>= 1;
        second_node >>= 1;
    }
    if second_node != 0 {
        return Err(wrong_length);
    }
    Ok(running)
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2): that the tree of `old_size` leaves with
/// root `old_root` is a prefix of the tree of `new_size` leaves with root `new_root`.
///
/// The RFC's algorithm assumes `0 < old_size < new_size`; the other cases are decided here
/// first:
/// - `old_size > new_size` is rejected;
/// - equal sizes need an empty proof and equal roots;
/// - old size 0 needs an empty proof and `old_root` equal to the empty-tree hash (every tree
///   extends the empty tree, but a size-0 tree claiming another root is bogus).
///
/// # Errors
/// The [`VerifyError`] naming the check that failed.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::OldSizeLarger { old_size, new_size });
    }
    let expected = consistency_proof_length(old_size, new_size);
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    if old_size == new_size {
        if old_root != new_root {
            return Err(VerifyError::EqualSizesDifferentRoots { size: old_size });
        }
        return Ok(());
    }
    if old_size == 0 {
        let empty = empty_root();
        if *old_root != empty {
            return Err(VerifyError::OldRootMismatch {
                expected: empty,
                computed: *old_root,
            });
        }
        return Ok(());
    }

    // Step 2: when the old tree is a complete subtree, its root is the implicit first element.
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        proof.split_first().ok_or(wrong_length)?
    };
    let mut first_node = old_size - 1;
    let mut second_node = new_size - 1;
    while first_node & 1 == 1 {
        first_node >>= 1;
        second_node >>= 1;
    }
    let mut old_running = *first;
    let mut new_running = *first;
    for sibling in rest {
        if second_node == 0 {
            return Err(wrong_length);
        }
        if first_node & 1 == 1 || first_node == second_node {
            old_running = node_hash(sibling, &old_running);
            new_running = node_hash(sibling, &new_running);
            while first_node & 1 == 0 && first_node != 0 {
                first_node >>= 1;
                second_node >>= 1;
            }
        } else {
            new_running = node_hash(&new_running, sibling);
        }
        first_node >>= 1;
        second_node >>= 1;
    }
    if second_node != 0 {
        return Err(wrong_length);
    }
    if old_running != *old_root {
        return Err(VerifyError::OldRootMismatch {
            expected: *old_root,
            computed: old_running,
        });
    }
    if new_running != *new_root {
        return Err(VerifyError::NewRootMismatch {
            expected: *new_root,
            computed: new_running,
        });
    }
    Ok(())
}

/// The hash of leaves `[start, end)` for a range that RFC 9162's recursion produces: `start` is
/// a multiple of the smallest power of two not below `end - start`, so the range splits into
/// perfect subtrees of decreasing size, one per set bit of its length.
fn range_root<R: HashReader>(
    reader: &R,
    start: u64,
    end: u64,
) -> Result<Hash, ProofError<R::Error>> {
    // Fold from the smallest (rightmost) subtree leftwards, as in `CompactTree::root`: one
    // perfect subtree per set bit of the length, lowest bit first.
    let mut running: Option<Hash> = None;
    let mut higher_bits = end - start;
    while higher_bits != 0 {
        // The trailing zeros of a non-zero u64 are fewer than 64, so this never breaks.
        let Ok(level) = u8::try_from(higher_bits.trailing_zeros()) else {
            break;
        };
        // Once this bit is cleared, what is left counts the leaves before this subtree.
        higher_bits &= higher_bits - 1;
        let node = NodeId {
            level,
            index: (start + higher_bits) >> level,
        };
        let hash = read(reader, node)?;
        running = Some(match running {
            None => hash,
            Some(right) => node_hash(&hash, &right),
        });
    }
    Ok(running.unwrap_or_else(empty_root))
}

fn read<R: HashReader>(reader: &R, node: NodeId) -> Result<Hash, ProofError<R::Error>> {
    reader
        .node(node.level, node.index)
        .map_err(|source| ProofError::Read {
            level: node.level,
            index: node.index,
            source,
        })
}

/// The right-edge perfect subtrees of a tree of `size` leaves, from the left (largest).
fn frontier_nodes(size: u64) -> impl Iterator<Item = NodeId> {
    set_bits_descending(size).map(move |level| NodeId {
        level,
        index: (size >> level) - 1,
    })
}

fn frontier_length(size: u64) -> usize {
    // A u64 has at most 64 set bits, which always fits a usize.
    usize::try_from(size.count_ones()).unwrap_or(MAX_TREE_LEVELS)
}

fn set_bits_descending(value: u64) -> impl Iterator<Item = u8> {
    (0..TREE_LEVELS)
        .rev()
        .filter(move |bit| (value >> bit) & 1 == 1)
}

/// The largest power of two strictly below `n`, for `n >= 2` (RFC 6962's split point `k`).
fn largest_power_of_two_below(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The split point is the largest power of two strictly smaller than the size.
    #[test]
    fn split_point_is_largest_power_of_two_below() {
        for (n, k) in [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (u64::MAX, 1 << 63),
        ] {
            assert_eq!(largest_power_of_two_below(n), k, "n = {n}");
        }
    }

    // A compact tree restored from its frontier, or from stored nodes, continues identically.
    #[test]
    fn compact_tree_restores_from_frontier_and_reader() {
        let mut memory = MemoryTree::new();
        for i in 0u32..1000 {
            memory.append_entry(&i.to_be_bytes()).unwrap();
            let size = memory.size();
            let frontier: Vec<Hash> = memory.compact().frontier().map(|(_, h)| h).collect();
            let restored = CompactTree::from_frontier(size, &frontier).unwrap();
            assert_eq!(restored, *memory.compact());
            let read_back = CompactTree::from_reader(&memory, size).unwrap();
            assert_eq!(read_back.root(), memory.root());
        }
        assert_eq!(
            CompactTree::from_frontier(3, &[Hash::default()]),
            Err(TreeError::FrontierLength {
                size: 3,
                expected: 2,
                actual: 1
            })
        );
    }

    // The full tree refuses another leaf instead of wrapping around.
    #[test]
    fn full_tree_refuses_appends() {
        let mut tree =
            CompactTree::from_frontier(u64::MAX, &[Hash::default(); MAX_TREE_LEVELS]).unwrap();
        assert_eq!(tree.append(Hash::default()), Err(TreeError::Full));
        // One below full still takes a leaf, reporting the level-63 parent it completes.
        let mut almost = CompactTree::from_frontier(u64::MAX - 1, &[Hash::default(); 63]).unwrap();
        let mut levels = Vec::new();
        almost
            .append_with(Hash::default(), |node, _| levels.push(node.level))
            .unwrap();
        assert_eq!(levels, vec![0]);
        tree = almost;
        assert_eq!(tree.size(), u64::MAX);
    }

    // Asking for a proof outside the tree is a typed error, not a panic.
    #[test]
    fn proofs_outside_the_tree_are_errors() {
        let mut memory = MemoryTree::new();
        memory.append_entry(b"a").unwrap();
        assert!(matches!(
            inclusion_proof(&memory, 1, 1),
            Err(ProofError::IndexOutOfRange { index: 1, size: 1 })
        ));
        assert!(matches!(
            consistency_proof(&memory, 2, 1),
            Err(ProofError::OldSizeLarger { .. })
        ));
        assert!(matches!(
            root(&memory, 2),
            Err(ProofError::Read {
                level: 1,
                index: 0,
                ..
            })
        ));
    }
}
