//! The state file: the signed checkpoint the verifier trusted last, kept between runs.
//!
//! It holds the signed checkpoint exactly as published (a note, with its cosignatures). On each
//! run the file is opened with the same keys as the published checkpoint, so an edited state file
//! is refused rather than trusted, and it is replaced only after every check of the new
//! checkpoint passed. The replacement is atomic and durable: the new text goes to a temporary
//! file in the same directory, is synced, renamed over the old one, and the directory is synced;
//! a crash leaves the old state or the new one, never a torn file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use corridor_log::checkpoint::Checkpoint;

use crate::check::{Refusal, Trust};

/// A state file at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFile {
    path: PathBuf,
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but cannot be read, or cannot be written.
    #[error("state file `{path}`: {action}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file does not hold a checkpoint the log's keys (and witnesses) accept.
    #[error(
        "state file `{path}` does not hold a checkpoint of this log that verifies: it was edited, or belongs to another log or key"
    )]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Why the checkpoint in it was refused.
        #[source]
        source: Refusal,
    },
}

impl StateFile {
    /// The state file at `path` (it need not exist yet).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The trusted checkpoint, opened with `trust`; `None` on the first run (no file).
    ///
    /// # Errors
    /// [`StateError::Io`] or [`StateError::Untrusted`].
    pub fn load(&self, trust: &Trust) -> Result<Option<Checkpoint>, StateError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    path: self.path.clone(),
                    action: "cannot read it",
                    source,
                });
            }
        };
        let opened = trust.open(&bytes).map_err(|source| StateError::Untrusted {
            path: self.path.clone(),
            source,
        })?;
        Ok(Some(opened.checkpoint))
    }

    /// Replaces the state with `signed_checkpoint`, atomically and durably.
    ///
    /// # Errors
    /// [`StateError::Io`].
    pub fn store(&self, signed_checkpoint: &str) -> Result<(), StateError> {
        let io = |action| {
            let path = self.path.clone();
            move |source| StateError::Io {
                path,
                action,
                source,
            }
        };
        let directory = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let temporary = directory.join(name);
        let mut file =
            std::fs::File::create(&temporary).map_err(io("cannot create its temporary file"))?;
        file.write_all(signed_checkpoint.as_bytes())
            .map_err(io("cannot write its temporary file"))?;
        file.sync_all()
            .map_err(io("cannot sync its temporary file"))?;
        drop(file);
        std::fs::rename(&temporary, &self.path).map_err(io("cannot move it into place"))?;
        std::fs::File::open(&directory)
            .and_then(|directory| directory.sync_all())
            .map_err(io("cannot sync its directory"))
    }
}
