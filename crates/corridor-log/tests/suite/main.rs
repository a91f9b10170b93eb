//! corridor-log's integration tests, in one binary so they link once.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test fixtures outside `#[test]` functions should fail loudly, not propagate errors"
)]

mod boundary;
mod checkpoint;
mod cosignature;
mod cross_check;
mod leaf;
mod mldsa;
mod note;
mod proof_text;
mod rejection;
mod rfc6962;
mod robustness;
mod tiles;
mod witness;

use corridor_log::Hash;
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_log::tree::MemoryTree;

/// A hash from 64 hex digits.
pub fn h(hex_text: &str) -> Hash {
    let bytes: [u8; 32] = hex::decode(hex_text).unwrap().try_into().unwrap();
    Hash::from_bytes(bytes)
}

/// The entry corridor's tests put at leaf `index`: distinct, and of varying length.
pub fn entry(index: u64) -> Vec<u8> {
    let mut bytes = index.to_be_bytes().to_vec();
    bytes.resize(8 + usize::try_from(index % 7).unwrap(), 0xa5);
    bytes
}

/// A tree of `size` leaves holding [`entry`]`(0..size)`.
pub fn tree_of(size: u64) -> MemoryTree {
    let mut tree = MemoryTree::with_capacity(usize::try_from(size).unwrap());
    for index in 0..size {
        tree.append_entry(&entry(index)).unwrap();
    }
    tree
}

/// The 70,000-leaf tree of the tlog-tiles worked example, built once for all tests.
pub fn tree_70_000() -> &'static MemoryTree {
    static TREE: std::sync::OnceLock<MemoryTree> = std::sync::OnceLock::new();
    TREE.get_or_init(|| tree_of(70_000))
}

/// A deterministic generator for sampling sizes and indices (SplitMix64).
#[derive(Debug)]
pub struct Sampler(u64);

impl Sampler {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `[low, high)`.
    pub fn below(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low)
    }
}

/// A log signing key derived from a name, for tests only.
pub fn signer(name: &str) -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new(name).unwrap(), &seed(name))
}

/// A 32-byte seed derived from a label, for tests only.
pub fn seed(label: &str) -> [u8; 32] {
    corridor_log::hash::sha256(label.as_bytes()).to_bytes()
}
