//! Verifies a published corridor transparency log with nothing but its public files.
//!
//! corridor publishes its log as C2SP tlog-tiles (a signed `checkpoint`, hash tiles and entry
//! bundles). This crate checks them as an outsider would, with only the log's verifier key and
//! the keys of the witnesses it trusts:
//!
//! - [`source`]: reads the files from a directory or an HTTP URL;
//! - [`check`]: opens the checkpoint ([`check::Trust`]: the log's signature and a threshold of
//!   witness cosignatures), authenticates every tile and entry against its root, checks it
//!   extends the checkpoint trusted before (refusing a fork or a rollback), and checks one
//!   event's inclusion given the event and its salt;
//! - [`state`]: keeps the trusted checkpoint between runs, moved forward only after a
//!   successful check, written atomically;
//! - [`keys`]: reads verifier key strings;
//! - [`stats`]: verifies a release of public statistics against the log: its signature, its
//!   files, its checkpoint, and every cell against the leaves ([`count`]) and its breakdowns
//!   against their totals ([`tables`]).
//!
//! It depends on `corridor-log` (pure computation), a blocking HTTP client and the command-line
//! parser, and on nothing that opens a database, runs an async runtime or evaluates policies:
//! `tests/verify/boundary.rs` pins that.
#![deny(missing_docs)]

pub mod check;
pub mod count;
pub mod keys;
pub mod source;
pub mod state;
pub mod stats;
pub mod tables;

use check::{LogReport, Refusal, Trust, verify_log};
use source::Source;
use state::{StateError, StateFile};

/// Why [`monitor`] failed: the log was refused, or the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The log was refused.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The state file could not be read, trusted or written.
    #[error(transparent)]
    State(#[from] StateError),
}

/// One monitoring run: verifies the log published at `source` against `trust` and, with a state
/// file, against the checkpoint trusted last; only when every check passed is the new checkpoint
/// written to the state file.
///
/// # Errors
/// [`MonitorError`]; the state file is then left as it was.
pub fn monitor(
    source: &Source,
    trust: &Trust,
    state: Option<&StateFile>,
) -> Result<LogReport, MonitorError> {
    let trusted = match state {
        Some(state) => state.load(trust)?,
        None => None,
    };
    let checkpoint = source.checkpoint().map_err(|source| Refusal::Fetch {
        what: "checkpoint",
        source,
    })?;
    let report = verify_log(source, &checkpoint, trust, trusted.as_ref())?;
    if let Some(state) = state {
        state.store(&report.opened.text)?;
    }
    Ok(report)
}
