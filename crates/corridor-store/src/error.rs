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
    /// Migrations failed, or the database belongs to another program.
    #[error("cannot migrate the database schema: {0}")]
    Migrate(String),
    /// A newer corridor migrated the database: this one must not read or write it.
    #[error(
        "the database schema is at version {database}, newer than this corridor knows (up to {known}); \
         use the corridor that migrated it, or a newer one"
    )]
    SchemaTooNew {
        /// The newest schema version recorded in the database.
        database: i64,
        /// The newest schema version this corridor knows.
        known: i64,
    },
    /// A copy was aimed at a database that already holds data.
    #[error(
        "the target database is not empty (table `{table}` holds {rows} rows): copy only into a new, empty database"
    )]
    TargetNotEmpty {
        /// The first table found holding rows.
        table: String,
        /// How many.
        rows: u64,
    },
    /// The database is not the kind (real deployment or simulation) it was asked to be.
    #[error("{0}")]
    Deployment(String),
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
    /// Stored data does not decode, or does not agree with itself: stop rather than serve it.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A request is larger than a limit the store keeps: nothing was read or written.
    #[error("{what}: {value} is over the limit of {limit}")]
    Limit {
        /// What is limited, in words (`commands in one batch`).
        what: &'static str,
        /// The most allowed.
        limit: u64,
        /// How many were asked for.
        value: u64,
    },
    /// The caller asked for what the store does not do: a value of the wrong form, or a change
    /// the stored data forbids. Nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// An invariant corridor's own code keeps did not hold (the store's, or that of a caller in
    /// this workspace): a fault in corridor, not in the stored data.
    #[error("internal error in the store: {0}")]
    Internal(String),
    /// A statistics release with this id is already stored: a release is published once, and a
    /// correction is a new release naming the one it corrects.
    #[error("statistics release `{0}` already exists: publish a correction under a new id")]
    ReleaseExists(String),
    /// Another statistics release was stored after the one being stored was computed: it was
    /// protected against fewer releases than are now published, so it is not stored. Nothing
    /// was written; computing it again protects it against every release.
    #[error(
        "statistics release `{release}` was computed against {expected} earlier releases, but {stored} are now published: compute it again"
    )]
    ReleaseRaced {
        /// The release refused.
        release: String,
        /// How many earlier releases its computation was protected against.
        expected: u64,
        /// How many releases are stored now.
        stored: u64,
    },
    /// The operating system gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
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
