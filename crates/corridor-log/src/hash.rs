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

/// Why bytes or text could not be read as a [`Hash`].
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
/// This is the hot path of every append, proof and verification, so it hashes one contiguous
/// 65-byte stack buffer in a single call rather than feeding three updates through the
/// hasher's block buffer.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut message = [0u8; 1 + 2 * HASH_SIZE_BYTES];
    let (prefix, children) = message.split_at_mut(1);
    let (left_slot, right_slot) = children.split_at_mut(HASH_SIZE_BYTES);
    prefix.fill(NODE_HASH_PREFIX);
    left_slot.copy_from_slice(&left.0);
    right_slot.copy_from_slice(&right.0);
    sha256(&message)
}

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
