//! RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256.
//!
//! - The hash of an empty tree is `SHA-256("")`.
//! - A leaf hash is `SHA-256(0x00 || entry)`.
//! - A node hash is `SHA-256(0x01 || left || right)`.
//!
//! The distinct prefixes keep a leaf from ever being mistaken for an interior node (the second
//! preimage attack RFC 6962 §2.1 guards against).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest as _, Sha256};

/// The size of a SHA-256 hash in bytes.
pub const HASH_SIZE_BYTES: usize = 32;

/// The domain-separation prefix of a leaf hash (RFC 6962 §2.1).
const LEAF_HASH_PREFIX: u8 = 0x00;

/// The domain-separation prefix of an interior node hash (RFC 6962 §2.1).
const NODE_HASH_PREFIX: u8 = 0x01;

/// A SHA-256 hash: a leaf hash, a node hash or a tree root.
///
/// Every 32-byte value is a valid hash, so the type has no invariant beyond its length; it exists
/// so that hashes cannot be confused with other byte strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash([u8; HASH_SIZE_BYTES]);

impl Hash {
    /// Wraps 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; HASH_SIZE_BYTES]) -> Self {
        Self(bytes)
    }

    /// Reads a hash from a slice that must be exactly 32 bytes long.
    ///
    /// # Errors
    /// [`HashParseError::WrongLength`] when the slice is not 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        let array: [u8; HASH_SIZE_BYTES] =
            bytes.try_into().map_err(|_| HashParseError::WrongLength {
                length_bytes: bytes.len(),
            })?;
        Ok(Self(array))
    }

    /// The 32 bytes of the hash.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; HASH_SIZE_BYTES] {
        &self.0
    }

    /// The 32 bytes of the hash, by value.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; HASH_SIZE_BYTES] {
        self.0
    }

    /// The standard, padded base64 encoding used by checkpoints and proof texts.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Parses the standard, padded base64 encoding of a 32-byte hash.
    ///
    /// # Errors
    /// [`HashParseError::Base64`] for text that is not canonical base64 and
    /// [`HashParseError::WrongLength`] when it does not decode to 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, HashParseError> {
        // The base64 of 32 bytes is exactly 44 characters; checking first bounds the work done
        // on hostile input before decoding.
        if text.len() != BASE64_HASH_LENGTH_CHARS {
            return Err(HashParseError::Base64);
        }
        let bytes = BASE64
            .decode(text.as_bytes())
            .map_err(|_| HashParseError::Base64)?;
        Self::from_slice(&bytes)
    }

    /// The lowercase hexadecimal encoding.
    #[must_use]
    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(HASH_SIZE_BYTES * 2);
        for byte in self.0 {
            for nibble in [byte >> 4, byte & 0x0f] {
                // A nibble is always below 16, so `from_digit` always yields a character.
                out.extend(char::from_digit(u32::from(nibble), 16));
            }
        }
        out
    }
}

/// The length of the padded base64 encoding of a 32-byte hash.
const BASE64_HASH_LENGTH_CHARS: usize = 44;

impl From<[u8; HASH_SIZE_BYTES]> for Hash {
    fn from(bytes: [u8; HASH_SIZE_BYTES]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Why bytes or text could not be read as a [`Hash`](struct@Hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// The input was not 32 bytes long.
    #[error("a hash is 32 bytes, not {length_bytes}")]
    WrongLength {
        /// The length that was given.
        length_bytes: usize,
    },
    /// The text was not the canonical padded base64 of 32 bytes.
    #[error("a hash must be the padded standard base64 of 32 bytes")]
    Base64,
}

/// The SHA-256 of arbitrary bytes.
#[must_use]
pub fn sha256(data: &[u8]) -> Hash {
    Hash(Sha256::digest(data).into())
}

/// The root of the empty tree: `SHA-256("")`.
#[must_use]
pub fn empty_root() -> Hash {
    sha256(b"")
}

/// The RFC 6962 leaf hash of an entry: `SHA-256(0x00 || entry)`.
#[must_use]
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_HASH_PREFIX]);
    hasher.update(entry);
    Hash(hasher.finalize().into())
}

/// The RFC 6962 interior node hash: `SHA-256(0x01 || left || right)`.
///
/// This is the hot path of every append, proof and tile verification, and its input always has
/// the same length: 65 bytes, which SHA-256 pads to exactly two 64-byte blocks (`0x80`, zeros,
/// then the message length in bits). The padded blocks are laid out on the stack and handed to
/// `sha2`'s compression function in one call, which skips the streaming hasher's buffering and
/// length bookkeeping; a test checks the result against `Sha256::digest` on random inputs.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    // Layout: 0x01 | left (32) | right (32) | 0x80 | zeros | length in bits (8, big-endian).
    let mut padded = [0u8; NODE_PADDED_SIZE_BYTES];
    let (prefix, rest) = padded.split_at_mut(1);
    let (left_slot, rest) = rest.split_at_mut(HASH_SIZE_BYTES);
    let (right_slot, rest) = rest.split_at_mut(HASH_SIZE_BYTES);
    let (padding, rest) = rest.split_at_mut(1);
    let (_zeros, length) = rest.split_at_mut(rest.len() - 8);
    prefix.fill(NODE_HASH_PREFIX);
    left_slot.copy_from_slice(&left.0);
    right_slot.copy_from_slice(&right.0);
    padding.fill(SHA256_PADDING_FIRST_BYTE);
    length.copy_from_slice(&NODE_MESSAGE_SIZE_BITS.to_be_bytes());
    let (blocks, _) = padded.as_chunks::<SHA256_BLOCK_SIZE_BYTES>();
    let mut state = SHA256_INITIAL_STATE;
    sha2::block_api::compress256(&mut state, blocks);
    let mut digest = [0u8; HASH_SIZE_BYTES];
    let (words, _) = digest.as_chunks_mut::<4>();
    for (bytes, word) in words.iter_mut().zip(state) {
        *bytes = word.to_be_bytes();
    }
    Hash(digest)
}

/// SHA-256's block size.
const SHA256_BLOCK_SIZE_BYTES: usize = 64;

/// A node message (`0x01 || left || right`) with its SHA-256 padding: two blocks.
const NODE_PADDED_SIZE_BYTES: usize = 2 * SHA256_BLOCK_SIZE_BYTES;

/// The length of a node message in bits, as SHA-256 padding records it.
const NODE_MESSAGE_SIZE_BITS: u64 = (1 + 2 * HASH_SIZE_BYTES as u64) * 8;

/// The first padding byte: a single 1 bit after the message.
const SHA256_PADDING_FIRST_BYTE: u8 = 0x80;

/// SHA-256's initial hash value, H(0) of FIPS 180-4 §5.3.3 (`sha2` does not export it).
const SHA256_INITIAL_STATE: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

#[cfg(test)]
mod tests {
    use super::*;

    // The empty root, leaf and node prefixes match the definitions in RFC 6962 §2.1.
    #[test]
    fn hashes_follow_rfc6962_definitions() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(leaf_hash(b"abc"), sha256(b"\x00abc"));
        let left = leaf_hash(b"l");
        let right = leaf_hash(b"r");
        let mut joined = vec![1u8];
        joined.extend_from_slice(left.as_bytes());
        joined.extend_from_slice(right.as_bytes());
        assert_eq!(node_hash(&left, &right), sha256(&joined));
    }

    // The two-block node hash equals the streaming SHA-256 of `0x01 || left || right` for
    // many different inputs, so the hand-laid padding can never drift from the standard.
    #[test]
    fn node_hash_matches_streaming_sha256() {
        let mut left = sha256(b"seed-left");
        let mut right = sha256(b"seed-right");
        for _ in 0..1_000 {
            let mut message = vec![NODE_HASH_PREFIX];
            message.extend_from_slice(left.as_bytes());
            message.extend_from_slice(right.as_bytes());
            let expected = Hash(Sha256::digest(&message).into());
            assert_eq!(node_hash(&left, &right), expected);
            (left, right) = (expected, sha256(left.as_bytes()));
        }
    }

    // Base64 round-trips and rejects wrong lengths and non-canonical encodings.
    #[test]
    fn base64_is_strict() {
        let hash = leaf_hash(b"x");
        assert_eq!(Hash::from_base64(&hash.to_base64()), Ok(hash));
        assert_eq!(
            Hash::from_base64("AAAA"),
            Err(HashParseError::Base64),
            "too short"
        );
        // The last character carries two spare bits; setting them is non-canonical.
        let mut text = Hash::default().to_base64();
        text.replace_range(42..43, "B");
        assert_eq!(Hash::from_base64(&text), Err(HashParseError::Base64));
        assert_eq!(
            Hash::from_slice(&[0u8; 31]),
            Err(HashParseError::WrongLength { length_bytes: 31 })
        );
    }
}
