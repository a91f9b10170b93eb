//! The event store: decide, append and project in one transaction.
//!
//! A write is one transaction that (1) takes the write lock, (2) loads exactly what the command
//! reads ([`corridor_domain::needs`]), (3) decides, (4) appends the events with the next global
//! sequence numbers and stream versions, (5) updates the projections from the same events, and
//! (6) commits with the backend's durable setting. Only after the commit returns does the caller
//! hear that anything happened.
//!
//! [`Store`] is one type; its methods on events and projections are split by what they do (those
//! on the log are in [`crate::log`]):
//! - `write`: executing commands and appending access records (the group commit);
//! - `pending`: the rows a write transaction holds back and flushes as multi-row statements;
//! - `read`: the queries (events, cases, holds, agreements, listings);
//! - `check`: replaying every event against the projections, and rebuilding them;
//! - `statistics`: the streaming read a statistics release counts, the published releases and
//!   the rounding key;
//! - `access`: access records in their compact layout (schema version 8), read beside `events`;
//! - `checkpoint`: SQLite's WAL checkpoint, run beside the writer rather than in its commits;
//! - `rows`: what they share: stored events and projection rows, decoded and checked, and the
//!   loads more than one path needs (streams, holds, counts).
//!
//! The files depend one way only: `write` and `check` use `pending`; `write` folds agreements
//! through the cached loader in `read`; `write` and `statistics` use `access` (which uses the
//! log's leaf rule in [`crate::log`], and the log uses none of its items by path); every one of
//! them uses `rows`, which uses none of them.

pub(crate) mod access;
mod check;
mod checkpoint;
mod complaints;
mod pending;
mod read;
mod rows;
mod statistics;
mod write;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use corridor_domain::terms::AgreementId;
use corridor_domain::{AgreementState, CLOCK_SKEW_DEFAULT};
use corridor_log::tree::CompactTree;
use jiff::SignedDuration;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool};

use crate::case_cache::CaseCache;
use crate::db::{Backend, connect, sqlite_read_options};
use crate::deployment::{self, Deployment};
use crate::error::StoreError;

pub use check::CheckReport;
pub use complaints::COMPLAINTS_LISTED_MAX;
pub use read::{CaseFilter, CaseSet, PAGE_ROWS_MAX};
pub use rows::{CaseRow, StoredEvent};
pub use statistics::{
    EventRow, NewRelease, RELEASE_FILE_BYTES_MAX, RELEASE_FILES_MAX, ReleaseSummary,
    STATISTICS_BATCH_SEQS, STATISTICS_BATCH_STREAMS, STATISTICS_KINDS_MAX, StreamRange,
    StreamWalker,
};
pub use write::{BATCH_COMMANDS_MAX, Executed, Request, Write};

/// The event store.
#[derive(Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Whether the database is a simulation, as recorded in it (read when the store opens, set
    /// by [`Store::record_deployment`]).
    simulation: AtomicBool,
    /// Agreements folded from their events, by stream version; reparsing a file on every
    /// command would dominate the write path.
    agreements: Mutex<BTreeMap<AgreementId, AgreementState>>,
    /// The log's frontier and salt key as of the last commit of this process. Valid while the
    /// log has exactly as many leaves as it holds: the log only grows, so an unchanged size means
    /// nobody else appended.
    log: Mutex<Option<(CompactTree, [u8; 32])>>,
    /// Cases read before, for the next read (see [`crate::case_cache`]).
    cases: CaseCache,
    /// The connection every write transaction of this process runs on, kept between commits
    /// so its page cache stays warm (SQLite empties a connection's cache whenever another
    /// connection of the pool has written). Dropped after a failed write: the next reconnects.
    writer: tokio::sync::Mutex<Option<PoolConnection<Any>>>,
    /// How far a command may be dated before the last event of a stream it reads (servers
    /// sharing one database may disagree on the time by this much): see [`Store::with_clock_skew`].
    clock_skew: SignedDuration,
    /// How many reads this store has answered ([`Store::reads`]).
    reads: AtomicU64,
    /// For an SQLite file, how the statistics walks open their own read-only connections
    /// through sqlx's SQLite driver (see [`StreamWalker`]); `None` on PostgreSQL and in memory.
    sqlite_reads: Option<sqlx::sqlite::SqliteConnectOptions>,
    /// The names of `access_names` seen committed (see [`access`]).
    names: Mutex<access::Names>,
    /// The log's salt key and leaf rule, once read: what rebuilding a compact access record's
    /// leaf needs, and neither changes once the log has a leaf.
    leaf_context: Mutex<Option<([u8; 32], crate::log::LeafRule)>>,
    /// Whether new access records are written as JSON events with stored leaves, as before
    /// schema version 8 (only tests and benchmarks that compare the layouts set it).
    legacy_access: AtomicBool,
    /// The leaves counted by [`Store::leaf_counts_by_month`] so far: below which size, and the
    /// counts. Leaves are never changed or removed, so the counts below a size never change and
    /// a later call counts only the leaves added since.
    pub(crate) leaf_counts: Mutex<Option<(u64, crate::log::MonthCounts)>>,
    /// For an SQLite file, the WAL checkpoints run beside the writer (see [`checkpoint`]);
    /// `None` on PostgreSQL and in memory.
    checkpoints: Option<checkpoint::Checkpoints>,
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and applies migrations.
    pub async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        let sqlite_reads = sqlite_read_options(url)?;
        let (pool, backend) = connect(url, create).await?;
        let deployment = match pool.acquire().await {
            Ok(mut conn) => deployment::read(&mut conn).await,
            Err(error) => Err(error.into()),
        };
        let deployment = match deployment {
            Ok(deployment) => deployment,
            Err(error) => {
                pool.close().await;
                return Err(error);
            }
        };
        let checkpoints = sqlite_reads
            .is_some()
            .then(checkpoint::Checkpoints::default);
        Ok(Self {
            checkpoints,
            pool,
            backend,
            simulation: AtomicBool::new(deployment.is_simulation()),
            agreements: Mutex::new(BTreeMap::new()),
            log: Mutex::new(None),
            cases: CaseCache::default(),
            writer: tokio::sync::Mutex::new(None),
            clock_skew: CLOCK_SKEW_DEFAULT,
            reads: AtomicU64::new(0),
            sqlite_reads,
            names: Mutex::new(access::Names::default()),
            leaf_context: Mutex::new(None),
            legacy_access: AtomicBool::new(false),
            leaf_counts: Mutex::new(None),
        })
    }

    /// Sets the clock skew allowed between servers sharing this database (default
    /// [`CLOCK_SKEW_DEFAULT`]): a command dated more than this before the last event of a stream
    /// it reads is refused as `time_before_recorded`, and `check` reports stored events out of
    /// order by more than this.
    pub fn with_clock_skew(mut self, skew: SignedDuration) -> Self {
        self.clock_skew = skew.abs();
        self
    }

    /// The clock skew allowed between servers sharing this database.
    pub fn clock_skew(&self) -> SignedDuration {
        self.clock_skew
    }

    /// What the database is for, as recorded in it: a database without a record is real.
    pub fn deployment(&self) -> Deployment {
        if self.simulation.load(Ordering::Acquire) {
            Deployment::Simulation
        } else {
            Deployment::Real
        }
    }

    /// Records what a new database is for, before its first event and before its log origin is
    /// configured. A database keeps the kind it was created as: asking for the other is
    /// refused ([`StoreError::Deployment`]), and a database holding events without a record is
    /// a real deployment.
    pub async fn record_deployment(&self, asked: Deployment) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        deployment::record(&mut conn, asked).await?;
        self.simulation
            .store(asked.is_simulation(), Ordering::Release);
        Ok(())
    }

    /// How many reads this store has answered since it opened: one per call of a query method
    /// (`read`'s, the complaints' and `decide_without_writing`), and one more for each further
    /// batch of `BIND_BATCH` (500) ids a batch read binds, whatever the rows answered. What a
    /// page or a queue costs the database is told by the difference before and after it: a
    /// function that reads once per case shows here as a count that grows with the cases. The
    /// write path's own reads, inside its transaction, are not counted.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Counts `statements` reads ([`Store::reads`]).
    fn count_reads(&self, statements: usize) {
        self.reads.fetch_add(
            u64::try_from(statements).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Counts one read ([`Store::reads`]).
    fn count_read(&self) {
        self.count_reads(1);
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for read-only callers in this workspace (benchmarks, checks).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        // The pool waits for every connection to come back, the writer's included.
        self.writer.lock().await.take();
        self.pool.close().await;
    }
}
