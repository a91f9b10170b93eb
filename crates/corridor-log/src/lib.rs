//! corridor's transparency log, sans I/O.
//!
//! corridor records every event as a leaf of a public transparency log that tools nobody on this
//! team wrote can verify. This crate holds everything about that log that is pure computation:
//!
//! - [`hash`]: RFC 6962 / RFC 9162 leaf and node hashing, and the [`Hash`](struct@Hash) newtype.
//! - [`tree`]: an incremental Merkle tree with O(log n) state ([`tree::CompactTree`]), proof
//!   construction over any store of node hashes ([`tree::HashReader`]), and RFC 9162 proof
//!   verification.
//! - [`tiles`]: C2SP tlog-tiles arithmetic, paths, entry bundles, a [`tiles::TileReader`] that
//!   serves node hashes from tiles, and whole-log verification from tiles.
//! - [`note`]: C2SP signed notes with Ed25519 keys.
//! - [`leaf`]: corridor's public leaf format and the salted commitment to a stored event.
//! - [`checkpoint`]: C2SP tlog-checkpoint bodies and signed checkpoints.
//! - [`cosignature`]: C2SP tlog-cosignature v1 (Ed25519, timestamped).
//! - [`mldsa`]: C2SP tlog-cosignature with ML-DSA-44 (type `0x06`), for witnesses and for the
//!   log's own post-quantum checkpoint signature.
//! - [`keys`]: keys of either algorithm, chosen per key: the log's checkpoint signers, a
//!   witness's cosigner and their verifiers, Ed25519 or ML-DSA-44.
//! - [`proof_text`]: the C2SP tlog-proof text format and a consistency-proof text form.
//! - [`witness`]: the decision logic of a C2SP tlog-witness `add-checkpoint` request.
//!
//! What this crate does *not* do is as important: it performs no I/O, reads no clock and draws
//! no randomness. Time arrives as `u64` Unix seconds, keys arrive as bytes, stored hashes arrive
//! through the [`tree::HashReader`] and [`tiles::TileSource`] traits. `tests/boundary.rs` fails
//! if a dependency outside the short list in `Cargo.toml` appears.
#![deny(missing_docs)]

pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod keys;
pub mod leaf;
pub mod mldsa;
pub mod note;
pub mod proof_text;
pub mod tiles;
pub mod tree;
pub mod witness;

pub use hash::Hash;
