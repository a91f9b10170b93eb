//! The body of a release's signed note (`release.note`, C2SP signed-note): what the release is,
//! which log checkpoint it was computed at, and the SHA-256 of every file, so that one signature
//! covers every byte published.
//!
//! ```text
//! corridor/statistics-release/v1
//! release 2026-11
//! origin corridor.example.org/log
//! size 1234
//! root <base64 root hash>
//! <sha256 hex> chart-us-rwa-2025.svg
//! <sha256 hex> datapackage.json
//! <sha256 hex> statistics.csv
//! <sha256 hex> statistics.json
//! ```
//!
//! Files are listed sorted by name, each once. [`parse`] accepts only the text [`body`] writes
//! (one text per manifest), so a signature cannot be moved onto a second reading of it. The
//! note is signed with corridor-log's `Note` by a key named `<log origin>/statistics`
//! ([`signer_name`]); verifiers open it with that key (corridor-verify's `stats`).

use sha2::{Digest as _, Sha256};

use crate::files::{NOTE_FILE, ReleaseFile};
use crate::release::Release;

/// The first line of every manifest.
pub const MANIFEST_FORMAT: &str = "corridor/statistics-release/v1";
/// The most files one manifest lists.
pub const FILES_MAX: usize = 1000;
/// The longest file name or release id.
pub const NAME_LENGTH_MAX: usize = 200;

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The release's id.
    pub release: String,
    /// The log's origin.
    pub origin: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The checkpoint's root hash, base64 as in the checkpoint.
    pub root: String,
    /// Every file's name and SHA-256, sorted by name.
    pub files: Vec<(String, [u8; 32])>,
}

/// Why a text is not a canonical manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The first line is not [`MANIFEST_FORMAT`].
    #[error("the manifest does not start with `{MANIFEST_FORMAT}`")]
    Format,
    /// A header line is missing or misspelt.
    #[error("line {line}: expected `{field} <value>`")]
    MissingField {
        /// The line, from 1.
        line: usize,
        /// The field expected.
        field: &'static str,
    },
    /// A value is empty, has a space or is too long.
    #[error("line {line}: the `{field}` is empty, too long or not one token")]
    InvalidValue {
        /// The line, from 1.
        line: usize,
        /// The field.
        field: &'static str,
    },
    /// The size is not a decimal without leading zeros.
    #[error("line {line}: `{text}` is not a tree size")]
    Size {
        /// The line, from 1.
        line: usize,
        /// The text.
        text: String,
    },
    /// A file line is not `<64 lowercase hex> <name>`.
    #[error("line {line}: expected `<sha256 in lowercase hex> <file name>`")]
    FileLine {
        /// The line, from 1.
        line: usize,
    },
    /// A file name has a path separator, a space, or names the note itself.
    #[error("line {line}: `{name}` is not a file name a release may list")]
    FileName {
        /// The line, from 1.
        line: usize,
        /// The name.
        name: String,
    },
    /// Files are not sorted by name, or one is listed twice.
    #[error("line {line}: `{name}` is not after the file above it (sorted, each once)")]
    Order {
        /// The line, from 1.
        line: usize,
        /// The name.
        name: String,
    },
    /// No file, or more than [`FILES_MAX`].
    #[error("a manifest lists between 1 and {FILES_MAX} files")]
    FileCount,
    /// The text does not end with exactly one newline, or has an empty line.
    #[error("the manifest is not in canonical form (lines end in one newline, none empty)")]
    NotCanonical,
}

/// The name of the key that signs a log's releases.
pub fn signer_name(origin: &str) -> String {
    format!("{origin}/statistics")
}

/// The SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(64);
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    text
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let digit = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (out, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *out = (digit(*high)? << 4) | digit(*low)?;
    }
    Some(hash)
}

impl Manifest {
    /// The manifest of a release's files.
    pub fn of(release: &Release, files: &[ReleaseFile]) -> Self {
        let mut listed: Vec<(String, [u8; 32])> = files
            .iter()
            .map(|file| (file.name.clone(), sha256(&file.bytes)))
            .collect();
        listed.sort();
        Self {
            release: release.id.clone(),
            origin: release.checkpoint.origin.clone(),
            size: release.checkpoint.size,
            root: release.checkpoint.root.clone(),
            files: listed,
        }
    }

    /// Its text: the note body to sign.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{MANIFEST_FORMAT}\nrelease {}\norigin {}\nsize {}\nroot {}\n",
            self.release, self.origin, self.size, self.root
        );
        for (name, hash) in &self.files {
            text.push_str(&hex(hash));
            text.push(' ');
            text.push_str(name);
            text.push('\n');
        }
        text
    }

    /// The SHA-256 it lists for a file.
    pub fn hash_of(&self, name: &str) -> Option<&[u8; 32]> {
        self.files
            .iter()
            .find(|(listed, _)| listed == name)
            .map(|(_, hash)| hash)
    }
}

/// The signed note's body for a release and its files (from [`crate::files::write`]).
pub fn body(release: &Release, files: &[ReleaseFile]) -> String {
    Manifest::of(release, files).to_text()
}

/// Whether a value is one token: non-empty, at most [`NAME_LENGTH_MAX`] bytes, no whitespace or
/// control character.
fn token(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= NAME_LENGTH_MAX
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Parses a manifest, accepting only the text [`Manifest::to_text`] writes.
///
/// # Errors
/// The [`ManifestError`] naming the first problem and its line.
pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
    let body = text.strip_suffix('\n').ok_or(ManifestError::NotCanonical)?;
    let lines: Vec<&str> = body.split('\n').collect();
    if lines.iter().any(|line| line.is_empty()) {
        return Err(ManifestError::NotCanonical);
    }
    let mut lines = lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| (index + 1, line));
    if lines.next().map(|(_, line)| line) != Some(MANIFEST_FORMAT) {
        return Err(ManifestError::Format);
    }
    let mut field = |field: &'static str| {
        let (line, text) = lines
            .next()
            .ok_or(ManifestError::MissingField { line: 0, field })?;
        let value = text
            .strip_prefix(field)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or(ManifestError::MissingField { line, field })?;
        if token(value) {
            Ok((line, value.to_owned()))
        } else {
            Err(ManifestError::InvalidValue { line, field })
        }
    };
    let (_, release) = field("release")?;
    let (_, origin) = field("origin")?;
    let (size_line, size_text) = field("size")?;
    let (_, root) = field("root")?;
    let size = size_text
        .parse::<u64>()
        .ok()
        .filter(|size| size.to_string() == size_text)
        .ok_or(ManifestError::Size {
            line: size_line,
            text: size_text,
        })?;
    let files = parse_files(lines)?;
    let manifest = Manifest {
        release,
        origin,
        size,
        root,
        files,
    };
    // Every check above is meant to leave one spelling; this pairs them with the writer.
    if manifest.to_text() != text {
        return Err(ManifestError::NotCanonical);
    }
    Ok(manifest)
}

fn parse_files<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> Result<Vec<(String, [u8; 32])>, ManifestError> {
    let mut files: Vec<(String, [u8; 32])> = Vec::new();
    for (line, text) in lines {
        let (hash, name) = text
            .split_once(' ')
            .ok_or(ManifestError::FileLine { line })?;
        let hash = unhex(hash).ok_or(ManifestError::FileLine { line })?;
        if !token(name) || name.contains('/') || name.contains('\\') || name == NOTE_FILE {
            return Err(ManifestError::FileName {
                line,
                name: name.to_owned(),
            });
        }
        if files.last().is_some_and(|(last, _)| last.as_str() >= name) {
            return Err(ManifestError::Order {
                line,
                name: name.to_owned(),
            });
        }
        files.push((name.to_owned(), hash));
        if files.len() > FILES_MAX {
            return Err(ManifestError::FileCount);
        }
    }
    if files.is_empty() {
        return Err(ManifestError::FileCount);
    }
    Ok(files)
}
