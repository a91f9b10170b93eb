//! corridor's durable event store over sqlx: SQLite by default, PostgreSQL by URL.
//!
//! [`Store::execute`] decides a command with the domain and, in the same transaction, appends the
//! events (global sequence, per-stream version, optimistic concurrency) and updates the
//! projections. Nothing is reported as done until the commit is durable: SQLite runs in WAL mode
//! with `synchronous=FULL`, PostgreSQL with `synchronous_commit=on`. [`Store::check`] replays
//! every event and compares the result with the projections.
//!
//! Personal data is sealed per case ([`vault`]); the store keeps only wrapped case keys.

#![deny(missing_docs)]

mod access_codec;
pub mod case_cache;
mod copy;
mod db;
mod deployment;
mod error;
pub mod log;
mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod vault;

pub use copy::{CopyProgress, CopyReport, copy_database, verify_copy};
pub use db::{
    BUSY_TIMEOUT, Backend, Migrated, POOL_CONNECTIONS_MAX, SCHEMA_VERSION_LATEST,
    foreign_sqlite_tables, migrate_database, migration_versions, migrator, normalise_url,
    open_durable_pool, redact, schema_versions, table_exists,
};
pub use deployment::{Deployment, SIMULATION_ORIGIN_SUFFIX, has_acted, is_simulation_origin};
pub use error::StoreError;
pub use store::{
    BATCH_COMMANDS_MAX, COMPLAINTS_LISTED_MAX, CaseFilter, CaseRow, CaseSet, CheckReport, EventRow,
    Executed, NewRelease, PAGE_ROWS_MAX, RELEASE_FILE_BYTES_MAX, RELEASE_FILES_MAX, ReleaseSummary,
    Request, STATISTICS_BATCH_SEQS, STATISTICS_BATCH_STREAMS, STATISTICS_KINDS_MAX, Store,
    StoredEvent, StreamRange, StreamWalker, Write,
};
