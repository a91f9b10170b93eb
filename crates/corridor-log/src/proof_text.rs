//! Proofs as text that can be stored, mailed and verified offline.
//!
//! # Inclusion: C2SP tlog-proof
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 opaque data>        (optional, not authenticated)
//! index <leaf index>
//! <base64 hash>                      (the inclusion proof, leaf sibling first)
//! …
//!
//! <signed checkpoint, verbatim>
//! ```
//!
//! [`InclusionProofText::verify`] opens the checkpoint with the log's keys and checks the
//! inclusion proof against its root.
//!
//! # Consistency: corridor's text form
//!
//! C2SP has no consistency-proof file format, so corridor uses this one:
//!
//! ```text
//! corridor/tlog-consistency@v1
//! old <size of the older tree>
//! <base64 hash>                      (the RFC 9162 consistency proof, in order)
//! …
//!
//! <signed checkpoint of the newer tree, verbatim>
//! ```
//!
//! Everything after the first line is exactly a C2SP tlog-witness `add-checkpoint` request
//! body, so a stored proof can be replayed to a witness by dropping the header. The older tree
//! is not carried: the verifier must already trust it (a checkpoint it verified earlier), and
//! [`ConsistencyProofText::verify`] checks the proof from that checkpoint to the new one.
//!
//! Every line ends in a newline; numbers are decimal without leading zeros; hashes are padded
//! standard base64. At most [`MAX_PROOF_HASHES`] hash lines are read.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checkpoint::{
    Checkpoint, CheckpointError, SignedCheckpoint, open_checkpoint, parse_canonical_u64,
};
use crate::hash::Hash;
use crate::note::VerifierSet;
use crate::tree::{VerifyError, verify_consistency, verify_inclusion};

/// The first line of a C2SP tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The first line of corridor's consistency-proof text.
pub const CONSISTENCY_PROOF_HEADER: &str = "corridor/tlog-consistency@v1";

/// The most hash lines read: a tree of up to `u64::MAX` leaves is at most 64 levels deep, and
/// no inclusion or consistency proof in it is longer.
pub const MAX_PROOF_HASHES: usize = 64;

/// Why a proof text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofTextError {
    /// The first line is not the expected header.
    #[error("the proof must start with `{expected}`")]
    MissingHeader {
        /// The header this format starts with.
        expected: &'static str,
    },
    /// A line does not follow the format.
    #[error("malformed proof text: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// More hash lines than allowed.
    #[error("the proof has more than {max} hashes")]
    TooManyHashes {
        /// The limit.
        max: usize,
    },
    /// A hash line is not the base64 of 32 bytes.
    #[error("proof hash {position} is not the base64 of 32 bytes")]
    InvalidHash {
        /// The position of the hash line, from 0.
        position: usize,
    },
    /// The checkpoint is malformed, from another log, or not signed by the log.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The consistency proof starts from another tree size than the trusted checkpoint's.
    #[error(
        "the proof starts at size {proof_old_size}, the trusted checkpoint has size {trusted_size}"
    )]
    OldSizeMismatch {
        /// The old size in the proof.
        proof_old_size: u64,
        /// The size of the trusted checkpoint.
        trusted_size: u64,
    },
    /// The proof does not verify against the checkpoint.
    #[error(transparent)]
    Proof(#[from] VerifyError),
}

/// A C2SP tlog-proof: a leaf index, its inclusion proof and the signed checkpoint it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProofText {
    /// Opaque application data; not authenticated by anything.
    pub extra: Option<Vec<u8>>,
    /// The leaf index.
    pub index: u64,
    /// The inclusion proof, leaf sibling first.
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim (a signed note, ending in a newline).
    pub checkpoint: String,
}

impl InclusionProofText {
    /// The text form.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            text.push_str(&format!("extra {}\n", BASE64.encode(extra)));
        }
        text.push_str(&format!("index {}\n", self.index));
        push_hashes(&mut text, &self.proof);
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    /// Parses the text form (without verifying anything).
    ///
    /// # Errors
    /// The [`ProofTextError`] describing the first problem.
    pub fn parse(text: &str) -> Result<Self, ProofTextError> {
        let mut rest = text;
        if next_line(&mut rest)? != TLOG_PROOF_HEADER {
            return Err(ProofTextError::MissingHeader {
                expected: TLOG_PROOF_HEADER,
            });
        }
        let mut line = next_line(&mut rest)?;
        let mut extra = None;
        if let Some(encoded) = line.strip_prefix("extra ") {
            extra = Some(
                BASE64
                    .decode(encoded)
                    .map_err(|_| ProofTextError::Malformed {
                        reason: "the extra data is not standard base64",
                    })?,
            );
            line = next_line(&mut rest)?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_canonical_u64)
            .ok_or(ProofTextError::Malformed {
                reason: "expected `index <decimal>`",
            })?;
        let proof = parse_hash_lines(&mut rest, MAX_PROOF_HASHES)?;
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint: non_empty_checkpoint(rest)?.to_owned(),
        })
    }

    /// Verifies that `leaf_hash` is at `self.index` in the log `origin`: opens the checkpoint
    /// with the log's keys, then checks the inclusion proof against its root. Returns the
    /// verified checkpoint.
    ///
    /// # Errors
    /// [`ProofTextError::Checkpoint`] or [`ProofTextError::Proof`].
    pub fn verify(
        &self,
        leaf_hash: &Hash,
        origin: &str,
        verifiers: &VerifierSet,
    ) -> Result<SignedCheckpoint, ProofTextError> {
        let signed = open_checkpoint(self.checkpoint.as_bytes(), origin, verifiers)?;
        let checkpoint = signed.checkpoint();
        verify_inclusion(
            leaf_hash,
            self.index,
            checkpoint.size(),
            &self.proof,
            checkpoint.root(),
        )?;
        Ok(signed)
    }
}

/// corridor's consistency-proof text: a proof from an older tree size to a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProofText {
    /// The size of the older tree.
    pub old_size: u64,
    /// The consistency proof.
    pub proof: Vec<Hash>,
    /// The signed checkpoint of the newer tree, verbatim.
    pub checkpoint: String,
}

impl ConsistencyProofText {
    /// The text form.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{CONSISTENCY_PROOF_HEADER}\n{}",
            old_size_body(self.old_size, &self.proof, &self.checkpoint)
        )
    }

    /// Parses the text form (without verifying anything).
    ///
    /// # Errors
    /// The [`ProofTextError`] describing the first problem.
    pub fn parse(text: &str) -> Result<Self, ProofTextError> {
        let mut rest = text;
        if next_line(&mut rest)? != CONSISTENCY_PROOF_HEADER {
            return Err(ProofTextError::MissingHeader {
                expected: CONSISTENCY_PROOF_HEADER,
            });
        }
        let (old_size, proof, checkpoint) = parse_old_size_body(rest, MAX_PROOF_HASHES)?;
        Ok(Self {
            old_size,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// Verifies that the signed checkpoint extends `trusted`, a checkpoint of the same log the
    /// caller verified before. Returns the new verified checkpoint.
    ///
    /// # Errors
    /// [`ProofTextError::OldSizeMismatch`], [`ProofTextError::Checkpoint`] or
    /// [`ProofTextError::Proof`].
    pub fn verify(
        &self,
        trusted: &Checkpoint,
        verifiers: &VerifierSet,
    ) -> Result<SignedCheckpoint, ProofTextError> {
        if self.old_size != trusted.size() {
            return Err(ProofTextError::OldSizeMismatch {
                proof_old_size: self.old_size,
                trusted_size: trusted.size(),
            });
        }
        let signed = open_checkpoint(self.checkpoint.as_bytes(), trusted.origin(), verifiers)?;
        let new = signed.checkpoint();
        verify_consistency(
            trusted.size(),
            new.size(),
            trusted.root(),
            new.root(),
            &self.proof,
        )?;
        Ok(signed)
    }
}

/// `old <size>\n`, the hash lines, a blank line, then the signed checkpoint: the tlog-witness
/// request body.
pub(crate) fn old_size_body(old_size: u64, proof: &[Hash], signed_checkpoint: &str) -> String {
    let mut text = format!("old {old_size}\n");
    push_hashes(&mut text, proof);
    text.push('\n');
    text.push_str(signed_checkpoint);
    text
}

/// Parses [`old_size_body`]'s format, reading at most `max_hashes` hash lines.
pub(crate) fn parse_old_size_body(
    text: &str,
    max_hashes: usize,
) -> Result<(u64, Vec<Hash>, &str), ProofTextError> {
    let mut rest = text;
    let old_size = next_line(&mut rest)?
        .strip_prefix("old ")
        .and_then(parse_canonical_u64)
        .ok_or(ProofTextError::Malformed {
            reason: "expected `old <decimal>`",
        })?;
    let proof = parse_hash_lines(&mut rest, max_hashes)?;
    Ok((old_size, proof, non_empty_checkpoint(rest)?))
}

fn push_hashes(text: &mut String, hashes: &[Hash]) {
    for hash in hashes {
        text.push_str(&hash.to_base64());
        text.push('\n');
    }
}

/// Reads hash lines up to and including the blank line that ends them.
fn parse_hash_lines(rest: &mut &str, max_hashes: usize) -> Result<Vec<Hash>, ProofTextError> {
    let mut hashes = Vec::new();
    loop {
        let line = next_line(rest)?;
        if line.is_empty() {
            return Ok(hashes);
        }
        if hashes.len() == max_hashes {
            return Err(ProofTextError::TooManyHashes { max: max_hashes });
        }
        let hash = Hash::from_base64(line).map_err(|_| ProofTextError::InvalidHash {
            position: hashes.len(),
        })?;
        hashes.push(hash);
    }
}

/// Takes one newline-terminated line off the front of `rest`.
fn next_line<'a>(rest: &mut &'a str) -> Result<&'a str, ProofTextError> {
    let (line, after) = rest.split_once('\n').ok_or(ProofTextError::Malformed {
        reason: "a line is missing or does not end in a newline",
    })?;
    *rest = after;
    Ok(line)
}

fn non_empty_checkpoint(rest: &str) -> Result<&str, ProofTextError> {
    if rest.is_empty() {
        return Err(ProofTextError::Malformed {
            reason: "the signed checkpoint is missing",
        });
    }
    Ok(rest)
}
