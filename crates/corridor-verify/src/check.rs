//! The checks: a signed checkpoint, its witnesses' cosignatures, its tiles, its consistency with
//! a checkpoint trusted earlier, and one event's inclusion.
//!
//! Each refusal says exactly what failed ([`Refusal`]); a fork or a rollback against the trusted
//! checkpoint is its own kind ([`Refusal::is_split_view`]), so a monitor run from cron can tell
//! "the log lied" from "the network failed".

use corridor_log::checkpoint::{Checkpoint, CheckpointError, open_checkpoint};
use corridor_log::hash::{Hash, leaf_hash};
use corridor_log::leaf::{Leaf, LeafError};
use corridor_log::note::{KeyName, Note, Verifier, VerifierSet};
use corridor_log::proof_text::{InclusionProofText, ProofTextError};
use corridor_log::tiles::{
    EntryBundles, TileReader, TileSource, TileVerifyError, tiles_for_consistency_proof,
    verify_tiles,
};
use corridor_log::tree::{consistency_proof, verify_consistency};

use crate::source::FetchError;

/// Whom the verifier trusts: the log's keys for its origin, and the witnesses of which at least
/// `threshold` must have cosigned.
#[derive(Debug)]
pub struct Trust {
    origin: String,
    log: VerifierSet,
    witnesses: Vec<Box<dyn Verifier>>,
    // INVARIANT: threshold <= witnesses.len().
    threshold: usize,
}

impl Trust {
    /// Trusts checkpoints of `origin` signed by one of `log` keys, with no witness required.
    #[must_use]
    pub fn new(origin: impl Into<String>, log: VerifierSet) -> Self {
        Self {
            origin: origin.into(),
            log,
            witnesses: Vec::new(),
            threshold: 0,
        }
    }

    /// Also requires cosignatures from at least `threshold` of `witnesses`.
    ///
    /// # Errors
    /// [`Refusal::Threshold`] when `threshold` is above the number of witnesses.
    pub fn with_witnesses(
        mut self,
        witnesses: Vec<Box<dyn Verifier>>,
        threshold: usize,
    ) -> Result<Self, Refusal> {
        if threshold > witnesses.len() {
            return Err(Refusal::Threshold {
                threshold,
                witnesses: witnesses.len(),
            });
        }
        self.witnesses = witnesses;
        self.threshold = threshold;
        Ok(self)
    }

    /// The log's origin.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Opens a signed checkpoint: the origin is the log's, a log key signed it (and no log key's
    /// signature is bad), and enough witnesses cosigned it.
    ///
    /// # Errors
    /// [`Refusal::Checkpoint`], [`Refusal::Cosignature`] or [`Refusal::TooFewCosignatures`].
    pub fn open(&self, signed_checkpoint: &[u8]) -> Result<Opened, Refusal> {
        let signed = open_checkpoint(signed_checkpoint, &self.origin, &self.log)
            .map_err(Refusal::Checkpoint)?;
        let cosigned_by = self.check_cosignatures(signed.note())?;
        Ok(Opened {
            checkpoint: signed.checkpoint().clone(),
            text: signed.note().to_text(),
            cosigned_by,
        })
    }

    fn check_cosignatures(&self, note: &Note) -> Result<Vec<KeyName>, Refusal> {
        let mut cosigned_by = Vec::new();
        let mut missing = Vec::new();
        for witness in &self.witnesses {
            let mut found = false;
            for signature in note.signatures().iter().filter(|signature| {
                signature.name() == witness.name() && signature.key_id() == witness.key_id()
            }) {
                if !witness.verify(note.text(), signature.signature()) {
                    return Err(Refusal::Cosignature {
                        witness: witness.name().clone(),
                    });
                }
                found = true;
            }
            if found {
                cosigned_by.push(witness.name().clone());
            } else {
                missing.push(witness.name().to_string());
            }
        }
        if cosigned_by.len() < self.threshold {
            return Err(Refusal::TooFewCosignatures {
                threshold: self.threshold,
                verified: cosigned_by.len(),
                missing: missing.join(", "),
            });
        }
        Ok(cosigned_by)
    }
}

/// A checkpoint that passed [`Trust::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The checkpoint body.
    pub checkpoint: Checkpoint,
    /// The signed checkpoint as text, every signature kept: what a state file stores.
    pub text: String,
    /// The witnesses whose cosignatures verified.
    pub cosigned_by: Vec<KeyName>,
}

/// What [`verify_log`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReport {
    /// The published checkpoint, opened.
    pub opened: Opened,
    /// Hash tiles authenticated against its root.
    pub tiles: u64,
    /// Entries whose leaf hash was checked against the level-0 tiles.
    pub entries: u64,
    /// The size of the trusted checkpoint it was found consistent with, if one was given.
    pub consistent_with: Option<u64>,
}

/// Why the verifier refuses a log, a proof or its own configuration.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// A file could not be read.
    #[error("cannot read the {what}")]
    Fetch {
        /// What was being read.
        what: &'static str,
        /// Where, and why it failed.
        #[source]
        source: FetchError,
    },
    /// The checkpoint is malformed, from another log, or not signed by the log's key.
    #[error("the checkpoint is not a checkpoint signed by the log's key")]
    Checkpoint(#[source] CheckpointError),
    /// A cosignature claiming a trusted witness's key does not verify.
    #[error("the cosignature of witness `{witness}` does not verify")]
    Cosignature {
        /// The witness's key name.
        witness: KeyName,
    },
    /// Fewer witnesses cosigned than the threshold.
    #[error("{verified} witness cosignature(s) verified, {threshold} required; missing: {missing}")]
    TooFewCosignatures {
        /// The number required.
        threshold: usize,
        /// The number that verified.
        verified: usize,
        /// The witnesses without a cosignature, comma-separated.
        missing: String,
    },
    /// More witnesses required than given.
    #[error("a threshold of {threshold} needs at least {threshold} witnesses, {witnesses} given")]
    Threshold {
        /// The threshold.
        threshold: usize,
        /// The number of witness keys given.
        witnesses: usize,
    },
    /// A tile or entry bundle does not match the signed checkpoint.
    #[error("the published tiles do not match the signed checkpoint")]
    Tiles(#[source] TileVerifyError<FetchError>),
    /// The log is smaller than a checkpoint already trusted.
    #[error(
        "ROLLBACK: the log is at size {size}, behind the trusted checkpoint of size {trusted_size}; the log deleted entries or shows a different view"
    )]
    Rollback {
        /// The trusted size.
        trusted_size: u64,
        /// The published size.
        size: u64,
    },
    /// The log is not an extension of a checkpoint already trusted.
    #[error(
        "FORK: the log at size {size} is not consistent with the trusted checkpoint of size {trusted_size} ({reason}); the log rewrote its history or shows a different view"
    )]
    Fork {
        /// The trusted size.
        trusted_size: u64,
        /// The published size.
        size: u64,
        /// What did not match.
        reason: String,
    },
    /// The proof text is malformed or does not verify.
    #[error("the inclusion proof does not verify")]
    Proof(#[source] ProofTextError),
    /// The proof carries no leaf.
    #[error(
        "the proof carries no leaf in its `extra` line (make it with `corridor log prove --event SEQ`)"
    )]
    NoLeaf,
    /// The proof's leaf is not a corridor leaf.
    #[error("the proof's leaf is not a corridor leaf")]
    Leaf(#[source] LeafError),
    /// The event and salt do not open the leaf's commitment.
    #[error(
        "the event and salt do not open the leaf's commitment: this is not the event the log holds at index {index}"
    )]
    NotThisEvent {
        /// The leaf index.
        index: u64,
    },
}

impl Refusal {
    /// Whether the log contradicts a checkpoint already trusted (a fork or a rollback): evidence
    /// of misbehaviour, not a failure to read.
    #[must_use]
    pub const fn is_split_view(&self) -> bool {
        matches!(self, Self::Fork { .. } | Self::Rollback { .. })
    }
}

/// Verifies a published log: opens `signed_checkpoint` with `trust`, authenticates every tile
/// and entry bundle of `source` against its root, and, given the checkpoint trusted before,
/// checks the new one extends it (a consistency proof built from the authenticated tiles and
/// checked against both signed roots).
///
/// # Errors
/// The [`Refusal`] of the first check that fails.
pub fn verify_log<S: TileSource<Error = FetchError>>(
    source: &S,
    signed_checkpoint: &[u8],
    trust: &Trust,
    trusted: Option<&Checkpoint>,
) -> Result<LogReport, Refusal> {
    let opened = trust.open(signed_checkpoint)?;
    let (size, root) = (opened.checkpoint.size(), *opened.checkpoint.root());
    let report = verify_tiles(source, size, &root, EntryBundles::Verify).map_err(Refusal::Tiles)?;
    let consistent_with = match trusted {
        Some(trusted) => {
            check_extends(source, trusted, size, &root)?;
            Some(trusted.size())
        }
        None => None,
    };
    Ok(LogReport {
        opened,
        tiles: report.tiles,
        entries: report.entries,
        consistent_with,
    })
}

/// Checks that the tree of `size` leaves and root `root` (authenticated) extends `trusted`.
pub(crate) fn check_extends<S: TileSource<Error = FetchError>>(
    source: &S,
    trusted: &Checkpoint,
    size: u64,
    root: &Hash,
) -> Result<(), Refusal> {
    let trusted_size = trusted.size();
    if size < trusted_size {
        return Err(Refusal::Rollback { trusted_size, size });
    }
    let fork = |reason: String| Refusal::Fork {
        trusted_size,
        size,
        reason,
    };
    let mut reader = TileReader::new(size);
    for tile in tiles_for_consistency_proof(trusted_size, size) {
        let bytes = source.tile(tile).map_err(|source| Refusal::Fetch {
            what: "tile for the consistency proof",
            source,
        })?;
        reader
            .insert(tile, &bytes)
            .map_err(|error| fork(format!("tile `{tile}`: {error}")))?;
    }
    let proof = consistency_proof(&reader, trusted_size, size)
        .map_err(|error| fork(format!("no consistency proof from the tiles: {error}")))?;
    verify_consistency(trusted_size, size, trusted.root(), root, &proof)
        .map_err(|error| fork(error.to_string()))
}

/// What [`verify_event`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventReport {
    /// The checkpoint the proof leads to, opened.
    pub opened: Opened,
    /// The event's leaf index.
    pub index: u64,
    /// The leaf that commits to the event.
    pub leaf: Leaf,
}

/// Verifies that `event` (the stored event's exact bytes) with `salt` is the event the log holds
/// at the proof's index: the proof's leaf (its `extra` line) opens to the event under the salt,
/// and the leaf is included in a checkpoint `trust` accepts.
///
/// # Errors
/// The [`Refusal`] of the first check that fails.
pub fn verify_event(
    proof_text: &str,
    event: &[u8],
    salt: &[u8; 32],
    trust: &Trust,
) -> Result<EventReport, Refusal> {
    let proof = InclusionProofText::parse(proof_text).map_err(Refusal::Proof)?;
    let entry = proof.extra.as_deref().ok_or(Refusal::NoLeaf)?;
    let leaf = Leaf::parse(entry).map_err(Refusal::Leaf)?;
    if !leaf.opens_to(salt, event) {
        return Err(Refusal::NotThisEvent { index: proof.index });
    }
    proof
        .verify(&leaf_hash(entry), &trust.origin, &trust.log)
        .map_err(Refusal::Proof)?;
    let opened = trust.open(proof.checkpoint.as_bytes())?;
    Ok(EventReport {
        opened,
        index: proof.index,
        leaf,
    })
}
