//! Where a published log is read from: a directory or an `http(s)://` URL, laid out as C2SP
//! tlog-tiles (`checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`).
//!
//! Nothing read here is trusted for where it came from: the checkpoint is opened with the log's
//! key and every tile is authenticated against it ([`crate::check`]).

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use corridor_log::tiles::{TileId, TileSource};

/// The largest file read: a full tile is 8 KiB, an entry bundle at most 256 entries of 64 KiB.
pub const READ_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// How long one HTTP request may take, all of it.
pub const HTTP_TIMEOUT_SECONDS: u64 = 60;

/// A published log: a directory or an HTTP base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory written by `corridor log export` (or any tlog-tiles writer).
    Dir(PathBuf),
    /// A base URL the files are served under, without a trailing slash.
    Url(String),
}

/// A file of the published log could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read `{location}`: {reason}")]
pub struct FetchError {
    /// The file or URL.
    pub location: String,
    /// What went wrong.
    pub reason: String,
}

impl Source {
    /// A URL when the text starts with `http://` or `https://`, else a directory.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            Self::Url(text.trim_end_matches('/').to_owned())
        } else {
            Self::Dir(PathBuf::from(text))
        }
    }

    /// The bytes of the file at `path` (relative to the log's prefix), at most
    /// [`READ_BYTES_MAX`].
    ///
    /// # Errors
    /// [`FetchError`] naming the file and the cause.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        match self {
            Self::Dir(dir) => {
                let file = dir.join(path);
                let fail = |reason: String| FetchError {
                    location: file.display().to_string(),
                    reason,
                };
                let size = std::fs::metadata(&file)
                    .map_err(|error| fail(error.to_string()))?
                    .len();
                if size > READ_BYTES_MAX {
                    return Err(fail(format!(
                        "{size} bytes, above the {READ_BYTES_MAX}-byte limit"
                    )));
                }
                std::fs::read(&file).map_err(|error| fail(error.to_string()))
            }
            Self::Url(base) => {
                let url = format!("{base}/{path}");
                let fail = |reason: String| FetchError {
                    location: url.clone(),
                    reason,
                };
                let mut response = ureq::get(&url)
                    .config()
                    .timeout_global(Some(Duration::from_secs(HTTP_TIMEOUT_SECONDS)))
                    .build()
                    .call()
                    .map_err(|error| fail(error.to_string()))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(READ_BYTES_MAX)
                    .read_to_vec()
                    .map_err(|error| fail(error.to_string()))
            }
        }
    }

    /// The signed checkpoint's bytes.
    ///
    /// # Errors
    /// [`FetchError`].
    pub fn checkpoint(&self) -> Result<Vec<u8>, FetchError> {
        self.read("checkpoint")
    }
}

impl TileSource for Source {
    type Error = FetchError;

    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, FetchError> {
        self.read(&tile.path()).map(Cow::Owned)
    }

    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, FetchError> {
        let path = tile.entries_path().ok_or_else(|| FetchError {
            location: tile.path(),
            reason: "only level-0 tiles have entry bundles".to_owned(),
        })?;
        self.read(&path).map(Cow::Owned)
    }
}
