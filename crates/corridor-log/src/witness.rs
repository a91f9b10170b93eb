//! The decision logic of a C2SP tlog-witness `add-checkpoint` request, without the HTTP.
//!
//! A log asks a witness to cosign its new checkpoint:
//!
//! ```text
//! POST <witness>/add-checkpoint
//!
//! old 20852014
//! PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
//! …                                   (at most 63 consistency proof lines)
//!
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```
//!
//! [`AddCheckpointRequest::parse`] reads the body and [`Witness::decide`] checks it against the
//! witness's configuration and the latest checkpoint it cosigned for that origin, in the order
//! the spec gives:
//!
//! | check | refusal | status |
//! | --- | --- | --- |
//! | the body parses | [`WitnessRefusal::Malformed`] | 400 |
//! | the origin is configured | [`WitnessRefusal::UnknownOrigin`] | 404 |
//! | a trusted log key signed it, and no trusted key's signature is bad | [`WitnessRefusal::Unauthenticated`] | 403 |
//! | old size ≤ checkpoint size | [`WitnessRefusal::OldSizeLarger`] | 400 |
//! | old size = the stored size | [`WitnessRefusal::OldSizeConflict`] (body: stored size) | 409 |
//! | a size-0 checkpoint has the empty tree's root | [`WitnessRefusal::EmptyTreeRoot`] | 422 |
//! | at equal sizes, equal roots | [`WitnessRefusal::RootConflict`] | 422 |
//! | the consistency proof verifies | [`WitnessRefusal::BadProof`] | 422 |
//!
//! The statuses are the current C2SP tlog-witness text's ("HTTP Interface", "add-checkpoint"):
//! a size-0 checkpoint whose root is not the empty tree's, and a checkpoint of the stored size
//! with another root, are "422 Unprocessable Entity" (earlier versions answered 409 for the
//! latter); only an old size that is not the stored one is a 409, with the stored size as body.
//!
//! [`monitoring_checkpoint`] builds what the spec's optional monitoring endpoint
//! (`GET <monitoring prefix>/<hex SHA-256 of the origin>/checkpoint`, "Monitor Retrieval
//! Mechanism") serves: the latest cosigned checkpoint with the log's verified signatures and the
//! witness's cosignature.
//!
//! On success, [`Cosign`] says what to persist and what to answer. The HTTP layer must persist
//! the new checkpoint *before* answering, and atomically with the check of the stored size (a
//! compare-and-swap on "stored size is still the old size"), or two racing requests can roll
//! the witness back. Reading the stored checkpoint, persisting it and reading the clock are the
//! caller's job.

use std::collections::BTreeMap;

use crate::checkpoint::{Checkpoint, CheckpointError, parse_signed_checkpoint};
use crate::cosignature::CosignatureError;
use crate::hash::{Hash, empty_root, sha256};
use crate::keys::Cosigner;
use crate::note::{Note, NoteError, NoteSignature, VerifierSet};
use crate::proof_text::{ProofTextError, old_size_body, parse_old_size_body};
use crate::tree::{VerifyError, verify_consistency};

/// The most consistency proof lines a request may carry (the tlog-witness limit).
pub const MAX_PROOF_LINES: usize = 63;

/// The largest request body read, in bytes. A checkpoint signed by a log and a few dozen
/// witnesses, plus 63 proof lines, is a few kilobytes; 128 KiB leaves room for post-quantum
/// signatures while bounding what one request can make the witness hold.
pub const MAX_REQUEST_BODY_BYTES: usize = 128 * 1024;

/// The content type of a 409 response body (the stored tree size and a newline).
pub const TREE_SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// A parsed `add-checkpoint` request body. The checkpoint is parsed but not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    old_size: u64,
    proof: Vec<Hash>,
    note: Note,
    checkpoint: Checkpoint,
    signed_checkpoint: String,
}

impl AddCheckpointRequest {
    /// Parses a request body.
    ///
    /// # Errors
    /// [`WitnessRefusal::Malformed`] (400).
    pub fn parse(body: &[u8]) -> Result<Self, WitnessRefusal> {
        if body.len() > MAX_REQUEST_BODY_BYTES {
            return Err(WitnessRefusal::Malformed(ProofTextError::Malformed {
                reason: "the request body is too large",
            }));
        }
        let text = std::str::from_utf8(body).map_err(|_| {
            WitnessRefusal::Malformed(ProofTextError::Malformed {
                reason: "the request body is not UTF-8",
            })
        })?;
        let (old_size, proof, signed_checkpoint) =
            parse_old_size_body(text, MAX_PROOF_LINES).map_err(WitnessRefusal::Malformed)?;
        let (note, checkpoint) = parse_signed_checkpoint(signed_checkpoint.as_bytes())
            .map_err(|error| WitnessRefusal::Malformed(ProofTextError::Checkpoint(error)))?;
        Ok(Self {
            old_size,
            proof,
            note,
            checkpoint,
            signed_checkpoint: signed_checkpoint.to_owned(),
        })
    }

    /// The request body a log sends: its previous size at this witness, the consistency proof
    /// from it, and the new signed checkpoint.
    #[must_use]
    pub fn encode(old_size: u64, proof: &[Hash], signed_checkpoint: &str) -> String {
        old_size_body(old_size, proof, signed_checkpoint)
    }

    /// The size the log believes the witness holds.
    #[must_use]
    pub const fn old_size(&self) -> u64 {
        self.old_size
    }

    /// The consistency proof from the old size to the checkpoint.
    #[must_use]
    pub fn proof(&self) -> &[Hash] {
        &self.proof
    }

    /// The submitted checkpoint (not yet verified).
    #[must_use]
    pub const fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The submitted checkpoint's origin: the key under which the caller looks up the stored
    /// checkpoint before calling [`Witness::decide`].
    #[must_use]
    pub fn origin(&self) -> &str {
        self.checkpoint.origin()
    }
}

/// Why the witness refuses to cosign, each mapped to the HTTP status the spec prescribes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessRefusal {
    /// The body is malformed (400).
    #[error("malformed request")]
    Malformed(#[source] ProofTextError),
    /// The witness does not know the log (404).
    #[error("unknown log origin `{origin}`")]
    UnknownOrigin {
        /// The checkpoint's origin.
        origin: String,
    },
    /// No trusted log key signed the checkpoint, or a trusted key's signature is bad (403).
    #[error("the checkpoint is not signed by the log")]
    Unauthenticated(#[source] NoteError),
    /// The old size is above the checkpoint size (400).
    #[error("old size {old_size} is larger than the checkpoint size {new_size}")]
    OldSizeLarger {
        /// The old size in the request.
        old_size: u64,
        /// The checkpoint size.
        new_size: u64,
    },
    /// The old size is not the size the witness holds (409, body: the stored size).
    #[error("the witness holds size {stored_size}, not the request's old size")]
    OldSizeConflict {
        /// The size of the latest checkpoint the witness cosigned.
        stored_size: u64,
    },
    /// A checkpoint of size 0 whose root is not the empty tree's (422).
    #[error("a checkpoint of size 0 must have the root of the empty tree")]
    EmptyTreeRoot,
    /// Same size as the stored checkpoint, different root: a fork (422).
    #[error("the checkpoint has the stored size {stored_size} but another root")]
    RootConflict {
        /// The size of the latest checkpoint the witness cosigned.
        stored_size: u64,
    },
    /// The consistency proof does not verify (422).
    #[error("the consistency proof does not verify")]
    BadProof(#[source] VerifyError),
    /// The stored checkpoint passed in belongs to another origin: a caller bug (500).
    #[error("the stored checkpoint is for `{stored}`, the request for `{requested}`")]
    StoredOriginMismatch {
        /// The stored checkpoint's origin.
        stored: String,
        /// The request's origin.
        requested: String,
    },
    /// The cosignature could not be made, e.g. the clock is beyond 2^63 - 1 seconds (500).
    #[error("cannot cosign")]
    Cosigning(#[source] CosignatureError),
}

impl WitnessRefusal {
    /// The HTTP status code to answer with.
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) | Self::OldSizeLarger { .. } => 400,
            Self::Unauthenticated(_) => 403,
            Self::UnknownOrigin { .. } => 404,
            Self::OldSizeConflict { .. } => 409,
            Self::EmptyTreeRoot | Self::RootConflict { .. } | Self::BadProof(_) => 422,
            Self::StoredOriginMismatch { .. } | Self::Cosigning(_) => 500,
        }
    }

    /// The response body the spec prescribes, with its content type: for a 409, the stored
    /// tree size and a newline as [`TREE_SIZE_CONTENT_TYPE`]. Other refusals have no body.
    #[must_use]
    pub fn response_body(&self) -> Option<(&'static str, String)> {
        match self {
            Self::OldSizeConflict { stored_size } => {
                Some((TREE_SIZE_CONTENT_TYPE, format!("{stored_size}\n")))
            }
            _ => None,
        }
    }
}

/// Why a stored checkpoint cannot be served on the monitoring endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitoringError {
    /// The stored checkpoint's origin is not a log this witness follows.
    #[error("unknown log origin `{origin}`")]
    UnknownOrigin {
        /// The stored checkpoint's origin.
        origin: String,
    },
    /// The stored checkpoint no longer parses or verifies with the log's keys: the witness's
    /// state is corrupt, or the log's keys were changed under it.
    #[error("the stored checkpoint does not verify")]
    Stored(#[source] CheckpointError),
}

/// The path segment that names a log on the monitoring endpoint: the lowercase hex SHA-256 of
/// its origin (C2SP tlog-witness, "Monitor Retrieval Mechanism").
#[must_use]
pub fn origin_hash(origin: &str) -> String {
    sha256(origin.as_bytes()).to_hex()
}

/// Why the witness configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessConfigError {
    /// The origin is configured twice.
    #[error("log origin `{origin}` is configured twice")]
    DuplicateOrigin {
        /// The origin.
        origin: String,
    },
}

/// A witness: its cosigning key and the logs it follows, each with the keys it trusts for it.
#[derive(Debug)]
pub struct Witness {
    cosigner: Cosigner,
    logs: BTreeMap<String, VerifierSet>,
}

/// A successful `add-checkpoint`: what to persist, then what to answer (200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosign {
    checkpoint: Checkpoint,
    signed_checkpoint: String,
    cosignature: NoteSignature,
    timestamp_seconds: u64,
}

impl Cosign {
    /// The new latest checkpoint for its origin: persist it (atomically with the size check)
    /// before answering.
    #[must_use]
    pub const fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed checkpoint as received, for the witness's records.
    #[must_use]
    pub fn signed_checkpoint(&self) -> &str {
        &self.signed_checkpoint
    }

    /// The cosignature.
    #[must_use]
    pub const fn cosignature(&self) -> &NoteSignature {
        &self.cosignature
    }

    /// The time the cosignature states, in Unix seconds.
    #[must_use]
    pub const fn timestamp_seconds(&self) -> u64 {
        self.timestamp_seconds
    }

    /// The 200 response body: the cosignature line.
    #[must_use]
    pub fn response_body(&self) -> String {
        self.cosignature.to_line()
    }
}

impl Witness {
    /// A witness that follows no log yet, cosigning with `cosigner` (Ed25519 or ML-DSA-44).
    #[must_use]
    pub fn new(cosigner: impl Into<Cosigner>) -> Self {
        Self {
            cosigner: cosigner.into(),
            logs: BTreeMap::new(),
        }
    }

    /// Follows a log: its origin and the keys that sign its checkpoints.
    ///
    /// # Errors
    /// [`WitnessConfigError::DuplicateOrigin`].
    pub fn add_log(
        &mut self,
        origin: impl Into<String>,
        verifiers: VerifierSet,
    ) -> Result<(), WitnessConfigError> {
        let origin = origin.into();
        if self.logs.contains_key(&origin) {
            return Err(WitnessConfigError::DuplicateOrigin { origin });
        }
        self.logs.insert(origin, verifiers);
        Ok(())
    }

    /// The cosigning key.
    #[must_use]
    pub const fn cosigner(&self) -> &Cosigner {
        &self.cosigner
    }

    /// The origin of the followed log whose [`origin_hash`] is `hash` (lowercase hex).
    #[must_use]
    pub fn origin_of_hash(&self, hash: &str) -> Option<&str> {
        self.logs
            .keys()
            .find(|origin| origin_hash(origin) == hash)
            .map(String::as_str)
    }

    /// The monitoring endpoint's body for a stored checkpoint: the checkpoint with the log's
    /// signatures that verify with the keys this witness trusts for it, then `cosignature` (the
    /// one add-checkpoint returned). Signatures by keys the witness does not know are left out:
    /// it vouches only for what it checked.
    ///
    /// # Errors
    /// [`MonitoringError`].
    pub fn monitoring_checkpoint(
        &self,
        signed_checkpoint: &str,
        cosignature: &NoteSignature,
    ) -> Result<String, MonitoringError> {
        let (note, checkpoint) = parse_signed_checkpoint(signed_checkpoint.as_bytes())
            .map_err(MonitoringError::Stored)?;
        let verifiers =
            self.logs
                .get(checkpoint.origin())
                .ok_or_else(|| MonitoringError::UnknownOrigin {
                    origin: checkpoint.origin().to_owned(),
                })?;
        let stored = |error: NoteError| MonitoringError::Stored(CheckpointError::Note(error));
        let mut served = Note::new(note.text()).map_err(stored)?;
        for signature in note.verify(verifiers).map_err(stored)? {
            served.add_signature(signature.clone()).map_err(stored)?;
        }
        served.add_signature(cosignature.clone()).map_err(stored)?;
        Ok(served.to_text())
    }

    /// Decides an `add-checkpoint` request.
    ///
    /// `stored` is the latest checkpoint this witness cosigned for `request.origin()`, or
    /// `None` if it never cosigned one (the stored size is then 0). `now_seconds` is the
    /// current Unix time, stamped into the cosignature.
    ///
    /// # Errors
    /// The [`WitnessRefusal`] of the first check that fails, in the order of the module docs.
    pub fn decide(
        &self,
        request: &AddCheckpointRequest,
        stored: Option<&Checkpoint>,
        now_seconds: u64,
    ) -> Result<Cosign, WitnessRefusal> {
        let checkpoint = &request.checkpoint;
        let verifiers =
            self.logs
                .get(checkpoint.origin())
                .ok_or_else(|| WitnessRefusal::UnknownOrigin {
                    origin: checkpoint.origin().to_owned(),
                })?;
        request
            .note
            .verify(verifiers)
            .map_err(WitnessRefusal::Unauthenticated)?;
        if request.old_size > checkpoint.size() {
            return Err(WitnessRefusal::OldSizeLarger {
                old_size: request.old_size,
                new_size: checkpoint.size(),
            });
        }
        let (stored_size, stored_root) = match stored {
            Some(stored) if stored.origin() != checkpoint.origin() => {
                return Err(WitnessRefusal::StoredOriginMismatch {
                    stored: stored.origin().to_owned(),
                    requested: checkpoint.origin().to_owned(),
                });
            }
            Some(stored) => (stored.size(), *stored.root()),
            None => (0, empty_root()),
        };
        if request.old_size != stored_size {
            return Err(WitnessRefusal::OldSizeConflict { stored_size });
        }
        if checkpoint.size() == 0 && *checkpoint.root() != empty_root() {
            return Err(WitnessRefusal::EmptyTreeRoot);
        }
        // A same-size checkpoint with another root is a fork, whatever proof came with it.
        if checkpoint.size() == stored_size && *checkpoint.root() != stored_root {
            return Err(WitnessRefusal::RootConflict { stored_size });
        }
        verify_consistency(
            stored_size,
            checkpoint.size(),
            &stored_root,
            checkpoint.root(),
            &request.proof,
        )
        .map_err(|error| match error {
            VerifyError::EqualSizesDifferentRoots { .. } => {
                WitnessRefusal::RootConflict { stored_size }
            }
            other => WitnessRefusal::BadProof(other),
        })?;
        let cosignature = self
            .cosigner
            .cosign(request.note.text(), now_seconds)
            .map_err(WitnessRefusal::Cosigning)?;
        Ok(Cosign {
            checkpoint: checkpoint.clone(),
            signed_checkpoint: request.signed_checkpoint.clone(),
            cosignature,
            timestamp_seconds: now_seconds,
        })
    }
}
