//! C2SP tlog-checkpoint: the signed statement of a log's size and root.
//!
//! ```text
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//! ```
//!
//! The body is the origin (a non-empty line naming the log), the tree size in decimal with no
//! leading zeros, the base64 root hash, then optional non-empty extension lines; every line ends
//! in a newline. A signed checkpoint is a [signed note](crate::note) with that body; corridor's
//! log always signs with Ed25519.
//!
//! Parsing is strict: anything a careful producer would not emit (a leading zero, a `+` sign, a
//! non-canonical base64 root, an empty extension line, a missing final newline) is refused, so
//! two parties can never read one checkpoint text as two different statements.

use std::fmt;

use crate::hash::{Hash, HashParseError};
use crate::note::{Ed25519Signer, Note, NoteError, VerifierSet};

/// A checkpoint body: origin, tree size, root hash and extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    // INVARIANT: non-empty, no control characters (hence no newline).
    origin: String,
    size: u64,
    root: Hash,
    // INVARIANT: each line non-empty, without control characters.
    extension_lines: Vec<String>,
}

/// Why a checkpoint body or signed checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The origin line is empty.
    #[error("the origin must not be empty")]
    EmptyOrigin,
    /// A line contains a control character.
    #[error("checkpoint lines must not contain control characters")]
    ControlCharacter,
    /// The body does not end in a newline.
    #[error("the checkpoint must end in a newline")]
    MissingFinalNewline,
    /// The body has fewer than three lines.
    #[error("the checkpoint needs an origin, a size and a root hash")]
    MissingLines,
    /// The size line is not a canonical decimal `u64`.
    #[error("the tree size `{text}` is not a decimal number without leading zeros")]
    InvalidSize {
        /// The size line.
        text: String,
    },
    /// The root hash line is not the base64 of 32 bytes.
    #[error("the root hash is invalid")]
    InvalidRoot(#[source] HashParseError),
    /// An extension line is empty.
    #[error("extension lines must not be empty")]
    EmptyExtensionLine,
    /// The checkpoint is from another log.
    #[error("the checkpoint is for origin `{actual}`, not `{expected}`")]
    OriginMismatch {
        /// The origin the caller expects.
        expected: String,
        /// The origin in the checkpoint.
        actual: String,
    },
    /// The signed note around the checkpoint is malformed or not verified.
    #[error(transparent)]
    Note(#[from] NoteError),
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    ///
    /// # Errors
    /// [`CheckpointError::EmptyOrigin`] or [`CheckpointError::ControlCharacter`].
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        let origin = origin.into();
        check_line(&origin)?;
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        Ok(Self {
            origin,
            size,
            root,
            extension_lines: Vec::new(),
        })
    }

    /// The same checkpoint with extension lines. C2SP does not recommend them (monitors cannot
    /// audit them); corridor's log writes none.
    ///
    /// # Errors
    /// [`CheckpointError::EmptyExtensionLine`] or [`CheckpointError::ControlCharacter`].
    pub fn with_extension_lines(mut self, lines: Vec<String>) -> Result<Self, CheckpointError> {
        for line in &lines {
            check_line(line)?;
            if line.is_empty() {
                return Err(CheckpointError::EmptyExtensionLine);
            }
        }
        self.extension_lines = lines;
        Ok(self)
    }

    /// Parses a checkpoint body (a note text).
    ///
    /// # Errors
    /// The [`CheckpointError`] describing the first problem.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::MissingLines);
        };
        let size = parse_size(size)?;
        let root = Hash::from_base64(root).map_err(CheckpointError::InvalidRoot)?;
        Self::new(origin, size, root)?.with_extension_lines(lines.map(str::to_owned).collect())
    }

    /// The origin: the log's identity.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// The root hash of the tree of that size.
    #[must_use]
    pub const fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines.
    #[must_use]
    pub fn extension_lines(&self) -> &[String] {
        &self.extension_lines
    }

    /// The body text, ending in a newline.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for line in &self.extension_lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// The checkpoint as a note signed by the log's Ed25519 key.
    ///
    /// # Errors
    /// [`NoteError`] when the body is too large for a note.
    pub fn sign(&self, signer: &Ed25519Signer) -> Result<Note, NoteError> {
        let mut note = Note::new(self.to_text())?;
        note.sign(signer)?;
        Ok(note)
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A checkpoint whose note verified against the log's trusted keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

impl SignedCheckpoint {
    /// The checkpoint body.
    #[must_use]
    pub const fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The note, with every signature it carried (the log's and any cosignatures).
    #[must_use]
    pub const fn note(&self) -> &Note {
        &self.note
    }
}

/// Parses a signed checkpoint, checks it is from `origin`, and verifies it against the log's
/// trusted keys.
///
/// # Errors
/// [`CheckpointError::Note`] for a malformed or unverified note, another [`CheckpointError`]
/// for a malformed body, [`CheckpointError::OriginMismatch`] for another log's checkpoint.
pub fn open_checkpoint(
    message: &[u8],
    origin: &str,
    verifiers: &VerifierSet,
) -> Result<SignedCheckpoint, CheckpointError> {
    let (note, checkpoint) = parse_signed_checkpoint(message)?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::OriginMismatch {
            expected: origin.to_owned(),
            actual: checkpoint.origin,
        });
    }
    note.verify(verifiers)?;
    Ok(SignedCheckpoint { checkpoint, note })
}

/// Parses a signed checkpoint without verifying any signature: for callers that must read the
/// origin to choose the keys (a witness). Nothing in it may be trusted until
/// [`Note::verify`] succeeds.
///
/// # Errors
/// [`CheckpointError`] for a malformed note or body.
pub fn parse_signed_checkpoint(message: &[u8]) -> Result<(Note, Checkpoint), CheckpointError> {
    let note = Note::parse(message)?;
    let checkpoint = Checkpoint::parse(note.text())?;
    Ok((note, checkpoint))
}

fn check_line(line: &str) -> Result<(), CheckpointError> {
    // The signed-note rule: nothing below U+0020 (a newline would split the line).
    if line.chars().any(|c| c < ' ') {
        return Err(CheckpointError::ControlCharacter);
    }
    Ok(())
}

/// Parses a decimal `u64` with no sign and no leading zeros (but `0` itself).
pub(crate) fn parse_canonical_u64(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    parse_canonical_u64(text).ok_or_else(|| CheckpointError::InvalidSize {
        text: text.to_owned(),
    })
}
