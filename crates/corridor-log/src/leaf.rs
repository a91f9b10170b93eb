//! corridor's public leaf format: what one log entry says about one event.
//!
//! ```text
//! corridor/leaf/v1
//! kind case_proposed
//! agreement us-rwa-2025
//! day 2025-08-04
//! commitment <base64 SHA-256(salt ‖ stored event bytes)>
//! ```
//!
//! A leaf names nobody: the event's kind, the agreement it concerns (`-` when it names none),
//! its UTC day, and a salted commitment to the event exactly as stored. The salt is kept by the
//! log's operator and given to the holder of an event, who can then check with
//! [`Leaf::opens_to`] that this exact event is the one the leaf commits to; without the salt
//! nobody can test guesses against the commitment.
//!
//! The store writes leaves with [`leaf_entry`]; verifiers read them back with [`Leaf::parse`],
//! which accepts only the canonical form (so one leaf cannot be read two ways).

use sha2::{Digest as _, Sha256};

use crate::hash::Hash;

/// The first line of every leaf.
pub const LEAF_FORMAT: &str = "corridor/leaf/v1";

/// What a leaf says in place of an agreement when the event names none (a court hold).
const NO_AGREEMENT: &str = "-";

/// The commitment to a stored event: `SHA-256(salt ‖ the stored event bytes)`.
#[must_use]
pub fn commitment(salt: &[u8; 32], stored_event: impl AsRef<[u8]>) -> Hash {
    let mut digest = Sha256::new();
    digest.update(salt);
    digest.update(stored_event.as_ref());
    Hash::from_bytes(digest.finalize().into())
}

/// The public leaf entry for an event.
#[must_use]
pub fn leaf_entry(kind: &str, agreement: Option<&str>, day: &str, commitment: &Hash) -> Vec<u8> {
    format!(
        "{LEAF_FORMAT}\nkind {kind}\nagreement {}\nday {day}\ncommitment {}\n",
        agreement.unwrap_or(NO_AGREEMENT),
        commitment.to_base64()
    )
    .into_bytes()
}

/// A parsed leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    kind: String,
    agreement: Option<String>,
    day: String,
    commitment: Hash,
}

/// Why bytes are not a canonical corridor leaf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    /// The leaf is not UTF-8.
    #[error("the leaf is not UTF-8")]
    NotUtf8,
    /// A line is missing or not the one expected.
    #[error("the leaf has no `{field}` line where one is expected")]
    MissingLine {
        /// The line expected (the format header or a field name).
        field: &'static str,
    },
    /// A field's value is empty or contains a space.
    #[error("the leaf's `{field}` is empty or contains a space")]
    InvalidValue {
        /// The field.
        field: &'static str,
    },
    /// The commitment is not the base64 of 32 bytes.
    #[error("the leaf's commitment is not the base64 of 32 bytes")]
    InvalidCommitment,
    /// The leaf parses, but writing it again gives other bytes (extra lines, spaces).
    #[error("the leaf is not in the canonical `{LEAF_FORMAT}` form")]
    NotCanonical,
}

impl Leaf {
    /// Parses a leaf entry, accepting only the exact bytes [`leaf_entry`] writes.
    ///
    /// # Errors
    /// The [`LeafError`] naming the first problem.
    pub fn parse(entry: &[u8]) -> Result<Self, LeafError> {
        let text = std::str::from_utf8(entry).map_err(|_| LeafError::NotUtf8)?;
        let mut lines = text.split('\n');
        if lines.next() != Some(LEAF_FORMAT) {
            return Err(LeafError::MissingLine { field: LEAF_FORMAT });
        }
        let mut field = |name: &'static str| {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name))
                .and_then(|line| line.strip_prefix(' '))
                .ok_or(LeafError::MissingLine { field: name })
                .and_then(|value| {
                    // Values are single tokens: an empty one or one with spaces would let two
                    // texts read as one leaf.
                    let token = !value.is_empty() && !value.contains(char::is_whitespace);
                    token
                        .then_some(value)
                        .ok_or(LeafError::InvalidValue { field: name })
                })
        };
        let kind = field("kind")?.to_owned();
        let agreement = field("agreement")?;
        let agreement = (agreement != NO_AGREEMENT).then(|| agreement.to_owned());
        let day = field("day")?.to_owned();
        let commitment =
            Hash::from_base64(field("commitment")?).map_err(|_| LeafError::InvalidCommitment)?;
        let leaf = Self {
            kind,
            agreement,
            day,
            commitment,
        };
        if leaf.to_entry() != entry {
            return Err(LeafError::NotCanonical);
        }
        Ok(leaf)
    }

    /// The leaf entry's bytes.
    #[must_use]
    pub fn to_entry(&self) -> Vec<u8> {
        leaf_entry(
            &self.kind,
            self.agreement.as_deref(),
            &self.day,
            &self.commitment,
        )
    }

    /// The event's kind.
    #[must_use]
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The agreement the event concerns, if the leaf names one.
    #[must_use]
    pub fn agreement(&self) -> Option<&str> {
        self.agreement.as_deref()
    }

    /// The event's UTC day, `YYYY-MM-DD`.
    #[must_use]
    pub fn day(&self) -> &str {
        &self.day
    }

    /// The salted commitment to the stored event.
    #[must_use]
    pub const fn commitment(&self) -> &Hash {
        &self.commitment
    }

    /// Whether the leaf commits to exactly these stored event bytes under this salt.
    #[must_use]
    pub fn opens_to(&self, salt: &[u8; 32], stored_event: impl AsRef<[u8]>) -> bool {
        commitment(salt, stored_event) == self.commitment
    }
}
