//! The witness's durable state: the latest checkpoint it cosigned for each origin.
//!
//! The state lives in a database of its own, SQLite (`sqlite://FILE`) or PostgreSQL
//! (`postgres://…`), in one table, `latest_checkpoints`: origin, tree size, root hash, the
//! signed checkpoint as the log sent it, the witness's cosignature line and its timestamp.
//!
//! The one write is [`WitnessStore::compare_and_swap`]: inside a write transaction, replace the
//! stored checkpoint *only if it is still the one the decision was made against* (an `UPDATE …
//! WHERE origin = $1 AND tree_size = $old AND root_hash = $old_root`, or an `INSERT … ON
//! CONFLICT DO NOTHING` when nothing was stored), read the row back and check it, then commit.
//! Two racing requests therefore cannot both advance the same stored checkpoint: the second
//! one's compare fails and it is decided again against the new state. SQLite runs in WAL mode
//! with `synchronous = FULL`, so a commit that returned is on disk before the witness answers.
//! A trigger in the schema refuses any update that would lower a tree size or change the root
//! at an unchanged size, whatever code runs it.
//!
//! Every row read is checked against itself: the signed checkpoint is parsed again and must
//! state the origin, size and root of its columns, or the read fails as
//! [`StoreError::Corrupt`]; stopping beats cosigning from corrupted state.

use corridor_log::checkpoint::{Checkpoint, parse_signed_checkpoint};
use corridor_log::hash::Hash;
use corridor_log::note::NoteSignature;
use corridor_log::witness::Cosign;
use corridor_store::Backend;
use sqlx::any::AnyRow;
use sqlx::migrate::MigrateError;
use sqlx::{AnyConnection, AnyPool, Row as _};

/// Connections in the pool. SQLite serialises writers anyway; a few connections let reads of
/// the stored checkpoint run beside a write.
pub const POOL_CONNECTIONS_MAX: u32 = 8;

/// How long a request waits for a connection or for SQLite's write lock before failing: the
/// one corridor value, set where every corridor database is opened.
pub use corridor_store::BUSY_TIMEOUT;

/// The largest tree size the witness can store: the databases hold signed 64-bit integers.
/// A log this large would have appended a billion entries a second for three centuries.
pub const MAX_STORED_TREE_SIZE: u64 = i64::MAX.unsigned_abs();

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "latest checkpoints",
    include_str!("../migrations/sqlite/0001_latest_checkpoints.sql"),
)];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "latest checkpoints",
    include_str!("../migrations/postgres/0001_latest_checkpoints.sql"),
)];

const SELECT_LATEST: &str = "SELECT origin, tree_size, root_hash, signed_checkpoint, cosignature, \
     cosigned_at_seconds FROM latest_checkpoints WHERE origin = $1";
const INSERT_FIRST: &str = "INSERT INTO latest_checkpoints \
     (origin, tree_size, root_hash, signed_checkpoint, cosignature, cosigned_at_seconds) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (origin) DO NOTHING";
const UPDATE_IF_UNCHANGED: &str = "UPDATE latest_checkpoints \
     SET tree_size = $2, root_hash = $3, signed_checkpoint = $4, cosignature = $5, \
     cosigned_at_seconds = $6 \
     WHERE origin = $1 AND tree_size = $7 AND root_hash = $8";

/// Everything that can go wrong with the witness's database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not usable.
    #[error("database URL `{url}` is not usable: {reason}")]
    Url {
        /// The URL, password redacted.
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
    /// The schema could not be migrated, or belongs to another program or a newer witness.
    #[error("cannot migrate the witness database: {0}")]
    Migrate(String),
    /// A database operation failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A stored row contradicts itself: stop rather than cosign from it.
    #[error("the stored checkpoint for `{origin}` is corrupt: {reason}")]
    Corrupt {
        /// The origin of the row.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The tree size is above [`MAX_STORED_TREE_SIZE`].
    #[error("tree size {size} is above the largest the witness can store")]
    TreeSizeOutOfRange {
        /// The tree size.
        size: u64,
    },
    /// The expected checkpoint passed to a compare-and-swap is for another origin than the
    /// new one: a caller bug.
    #[error("cannot replace the checkpoint of `{expected}` with one of `{actual}`")]
    OriginMismatch {
        /// The origin of the expected (stored) checkpoint.
        expected: String,
        /// The origin of the new checkpoint.
        actual: String,
    },
}

/// The latest checkpoint the witness cosigned for one origin, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    // INVARIANT: the body of `signed_checkpoint`.
    checkpoint: Checkpoint,
    signed_checkpoint: String,
    cosignature: NoteSignature,
    cosigned_at_seconds: u64,
}

impl StoredCheckpoint {
    /// The checkpoint body.
    #[must_use]
    pub const fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed checkpoint as the log sent it.
    #[must_use]
    pub fn signed_checkpoint(&self) -> &str {
        &self.signed_checkpoint
    }

    /// The witness's cosignature on it.
    #[must_use]
    pub const fn cosignature(&self) -> &NoteSignature {
        &self.cosignature
    }

    /// When the witness cosigned it, in Unix seconds.
    #[must_use]
    pub const fn cosigned_at_seconds(&self) -> u64 {
        self.cosigned_at_seconds
    }
}

/// What a [`WitnessStore::compare_and_swap`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// The new checkpoint is stored and durable.
    Stored,
    /// The stored checkpoint was no longer the expected one; nothing was written.
    Lost,
}

fn migrations(backend: Backend) -> &'static [(i64, &'static str, &'static str)] {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    }
}

impl From<corridor_store::StoreError> for StoreError {
    fn from(error: corridor_store::StoreError) -> Self {
        match error {
            corridor_store::StoreError::Url { url, reason } => Self::Url { url, reason },
            corridor_store::StoreError::Connect { url, reason } => Self::Connect { url, reason },
            corridor_store::StoreError::Database(error) => Self::Database(error),
            other => Self::Migrate(other.to_string()),
        }
    }
}

/// The witness's database: a pool over SQLite or PostgreSQL, migrated.
#[derive(Debug, Clone)]
pub struct WitnessStore {
    pool: AnyPool,
    backend: Backend,
}

impl WitnessStore {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`) with durable settings
    /// and applies the schema. With `create`, a missing SQLite file is created.
    ///
    /// # Errors
    /// [`StoreError::Url`], [`StoreError::Connect`] or [`StoreError::Migrate`] (also for a
    /// database that belongs to another program or was migrated by a newer witness).
    pub async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        // The one corridor way to open a database: WAL + synchronous=FULL on SQLite, so the
        // witness answers only after its commit is durable; synchronous_commit on PostgreSQL.
        let (pool, backend) =
            corridor_store::open_durable_pool(url, create, POOL_CONNECTIONS_MAX).await?;
        if let Err(error) = migrate(&pool, backend).await {
            pool.close().await;
            return Err(error);
        }
        Ok(Self { pool, backend })
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    ///
    /// # Errors
    /// [`StoreError::Database`], or [`StoreError::Corrupt`] when the row contradicts itself.
    pub async fn latest(&self, origin: &str) -> Result<Option<StoredCheckpoint>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_latest(&mut connection, origin).await
    }

    /// Stores the checkpoint a decision cosigned, if the stored checkpoint for its origin is
    /// still `expected` (the one the decision was made against; `None` when nothing was
    /// stored). The write is durable when this returns [`Swap::Stored`]; on [`Swap::Lost`]
    /// nothing was written and the caller decides again against the new state.
    ///
    /// # Errors
    /// [`StoreError::OriginMismatch`] when `expected` is another origin's checkpoint,
    /// [`StoreError::TreeSizeOutOfRange`], [`StoreError::Database`], or
    /// [`StoreError::Corrupt`] when the row read back is not the one written.
    pub async fn compare_and_swap(
        &self,
        expected: Option<&Checkpoint>,
        cosign: &Cosign,
    ) -> Result<Swap, StoreError> {
        let new = cosign.checkpoint();
        let origin = new.origin();
        if let Some(expected) = expected
            && expected.origin() != origin
        {
            return Err(StoreError::OriginMismatch {
                expected: expected.origin().to_owned(),
                actual: origin.to_owned(),
            });
        }
        let new_size = to_i64(new.size())?;
        let cosigned_at = to_i64(cosign.timestamp_seconds())?;
        let cosignature = cosign.cosignature().to_line();
        let mut transaction = self.pool.begin_with(self.backend.begin_write()).await?;
        let query = match expected {
            None => sqlx::query(INSERT_FIRST),
            Some(_) => sqlx::query(UPDATE_IF_UNCHANGED),
        }
        .bind(origin)
        .bind(new_size)
        .bind(new.root().to_base64())
        .bind(cosign.signed_checkpoint())
        .bind(cosignature.as_str())
        .bind(cosigned_at);
        let query = match expected {
            None => query,
            Some(expected) => query
                .bind(to_i64(expected.size())?)
                .bind(expected.root().to_base64()),
        };
        let rows_affected = query.execute(&mut *transaction).await?.rows_affected();
        match rows_affected {
            0 => {
                transaction.rollback().await?;
                return Ok(Swap::Lost);
            }
            1 => {}
            _ => {
                transaction.rollback().await?;
                return Err(corrupt(origin, "one origin matched several rows"));
            }
        }
        // Read the row back inside the transaction: what is committed must be what was decided.
        let stored = read_latest(&mut transaction, origin).await?;
        let written = stored.as_ref().is_some_and(|stored| {
            stored.checkpoint == *new
                && stored.signed_checkpoint == cosign.signed_checkpoint()
                && stored.cosignature == *cosign.cosignature()
                && stored.cosigned_at_seconds == cosign.timestamp_seconds()
        });
        if !written {
            transaction.rollback().await?;
            return Err(corrupt(origin, "the row read back is not the row written"));
        }
        transaction.commit().await?;
        Ok(Swap::Stored)
    }
}

async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Sqlite {
        refuse_foreign_sqlite(pool).await?;
    }
    let latest = migrations(backend)
        .iter()
        .map(|(version, _, _)| *version)
        .max()
        .unwrap_or(0);
    corridor_store::migrator(migrations(backend), None)
        .run(pool)
        .await
        .map_err(|error| match error {
            // sqlx calls this "missing"; here it means a newer witness migrated the database.
            MigrateError::VersionMissing(version) if version > latest => StoreError::Migrate(format!(
                "the schema is at version {version}, newer than this witness knows (up to {latest})"
            )),
            // Another program's migration under the same version number.
            MigrateError::VersionMismatch(version) => StoreError::Migrate(format!(
                "migration {version} in the database is not the witness's: give the witness a \
                 database of its own"
            )),
            error => StoreError::Migrate(error.to_string()),
        })
}

/// Refuses an SQLite database that holds tables but no record of migrations: it belongs to
/// another program, and the witness must not add its table to it.
async fn refuse_foreign_sqlite(pool: &AnyPool) -> Result<(), StoreError> {
    match corridor_store::foreign_sqlite_tables(pool).await? {
        None => Ok(()),
        Some(names) => Err(StoreError::Migrate(format!(
            "the database holds tables that are not the witness's ({}); give the witness a database \
             of its own",
            names.join(", ")
        ))),
    }
}

async fn read_latest(
    connection: &mut AnyConnection,
    origin: &str,
) -> Result<Option<StoredCheckpoint>, StoreError> {
    let row = sqlx::query(SELECT_LATEST)
        .bind(origin)
        .fetch_optional(&mut *connection)
        .await?;
    row.map(|row| decode_row(&row, origin)).transpose()
}

/// Decodes a row and checks it against itself.
fn decode_row(row: &AnyRow, origin: &str) -> Result<StoredCheckpoint, StoreError> {
    let stored_origin: String = row.try_get("origin")?;
    let tree_size: i64 = row.try_get("tree_size")?;
    let root_hash: String = row.try_get("root_hash")?;
    let signed_checkpoint: String = row.try_get("signed_checkpoint")?;
    let cosignature: String = row.try_get("cosignature")?;
    let cosigned_at: i64 = row.try_get("cosigned_at_seconds")?;

    let (_, checkpoint) =
        parse_signed_checkpoint(signed_checkpoint.as_bytes()).map_err(|error| {
            corrupt(
                origin,
                &format!("the signed checkpoint does not parse: {error}"),
            )
        })?;
    let tree_size = u64::try_from(tree_size).map_err(|_| corrupt(origin, "negative tree size"))?;
    let root = Hash::from_base64(&root_hash).map_err(|_| corrupt(origin, "invalid root hash"))?;
    // INVARIANT: the columns restate the signed checkpoint, which is the record.
    if stored_origin != origin
        || checkpoint.origin() != origin
        || checkpoint.size() != tree_size
        || *checkpoint.root() != root
    {
        return Err(corrupt(
            origin,
            "the columns do not match the signed checkpoint",
        ));
    }
    let cosignature = cosignature
        .strip_suffix('\n')
        .and_then(|line| NoteSignature::parse_line(line).ok())
        .ok_or_else(|| corrupt(origin, "the cosignature line does not parse"))?;
    let cosigned_at_seconds =
        u64::try_from(cosigned_at).map_err(|_| corrupt(origin, "negative cosignature time"))?;
    Ok(StoredCheckpoint {
        checkpoint,
        signed_checkpoint,
        cosignature,
        cosigned_at_seconds,
    })
}

fn corrupt(origin: &str, reason: &str) -> StoreError {
    StoreError::Corrupt {
        origin: origin.to_owned(),
        reason: reason.to_owned(),
    }
}

fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::TreeSizeOutOfRange { size: value })
}
