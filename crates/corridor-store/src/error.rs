//! The store's one error type.

use corridor_domain::{ApplyError, CaseId};

/// Everything that can go wrong below the domain.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not usable.
    #[error("database URL `{url}` is not usable: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The database could not be reached or opened.
    #[error("cannot open database `{url}`: {reason}")]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// Migrations failed, or the schema is newer than this corridor knows.
    #[error("cannot migrate the database schema: {0}")]
    Migrate(String),
    /// A database operation failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The command was decided against a version of the case that is no longer current.
    #[error("{case} is at version {current}, not {expected}: reload it and try again")]
    Conflict {
        /// The case.
        case: CaseId,
        /// The version the caller saw.
        expected: u64,
        /// The version now stored.
        current: u64,
    },
    /// Stored data is inconsistent: stop rather than serve it.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A stored agreement file no longer parses.
    #[error(transparent)]
    AgreementReplay(#[from] corridor_domain::ReplayError),
    /// Replaying events failed.
    #[error("stored events do not replay: {0}")]
    Replay(#[from] ApplyError),
    /// Sealing or opening personal data failed.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}
