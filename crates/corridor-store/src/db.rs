//! Opening a database: which backend, durability settings, and migrations.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::{AnyPool, AssertSqlSafe, Executor, Row, SqlSafeStr};

use crate::error::StoreError;

/// Which database the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: the embedded default.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// Appends the `VALUES` rows of a multi-row insert to `sql`: one parenthesised group of
    /// placeholders per row, of the row's width, numbered across the statement where the
    /// backend numbers them (`($1, $2), ($3, $4)` on PostgreSQL, `(?, ?), (?, ?)` on SQLite).
    pub(crate) fn push_value_rows(self, sql: &mut String, widths: impl Iterator<Item = usize>) {
        let mut n = 0usize;
        for (index, width) in widths.enumerate() {
            if index > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for column in 0..width {
                if column > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                match self {
                    Self::Sqlite => sql.push('?'),
                    Self::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
    }
}

/// Connections in a pool. SQLite serialises writers anyway; a few readers help the server.
pub const POOL_CONNECTIONS_MAX: u32 = 8;
/// How long a writer waits for the database lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "events",
        include_str!("../migrations/sqlite/0001_events.sql"),
    ),
    (2, "log", include_str!("../migrations/sqlite/0002_log.sql")),
    (
        3,
        "stream order",
        include_str!("../migrations/sqlite/0003_stream_order.sql"),
    ),
    (
        4,
        "deployment",
        include_str!("../migrations/sqlite/0004_deployment.sql"),
    ),
    (
        5,
        "complaints",
        include_str!("../migrations/sqlite/0005_complaints.sql"),
    ),
    (
        6,
        "statistics",
        include_str!("../migrations/sqlite/0006_statistics.sql"),
    ),
    (
        7,
        "release publication",
        include_str!("../migrations/sqlite/0007_release_publication.sql"),
    ),
    (
        8,
        "access records",
        include_str!("../migrations/sqlite/0008_access_records.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "events",
        include_str!("../migrations/postgres/0001_events.sql"),
    ),
    (
        2,
        "log",
        include_str!("../migrations/postgres/0002_log.sql"),
    ),
    (
        3,
        "stream order",
        include_str!("../migrations/postgres/0003_stream_order.sql"),
    ),
    (
        4,
        "deployment",
        include_str!("../migrations/postgres/0004_deployment.sql"),
    ),
    (
        5,
        "complaints",
        include_str!("../migrations/postgres/0005_complaints.sql"),
    ),
    (
        6,
        "statistics",
        include_str!("../migrations/postgres/0006_statistics.sql"),
    ),
    (
        7,
        "release publication",
        include_str!("../migrations/postgres/0007_release_publication.sql"),
    ),
    (
        8,
        "access records",
        include_str!("../migrations/postgres/0008_access_records.sql"),
    ),
];

/// The newest schema version this corridor knows. Every backend has every version, so a version
/// means the same schema on SQLite and PostgreSQL (checked when this file compiles).
pub const SCHEMA_VERSION_LATEST: i64 = 8;

/// The newest version in a migration list.
const fn newest(mut list: &[(i64, &str, &str)]) -> i64 {
    let mut newest = 0;
    while let Some(((version, _, _), rest)) = list.split_first() {
        if *version > newest {
            newest = *version;
        }
        list = rest;
    }
    newest
}

const _: () = assert!(
    newest(SQLITE_MIGRATIONS) == SCHEMA_VERSION_LATEST
        && newest(POSTGRES_MIGRATIONS) == SCHEMA_VERSION_LATEST
        && SQLITE_MIGRATIONS.len() == POSTGRES_MIGRATIONS.len(),
    "every backend must have every schema version"
);

impl Backend {
    /// Recognises the backend from a database URL.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Url {
                url: url.to_owned(),
                reason: "use `sqlite://PATH` or `postgres://…`".to_owned(),
            })
        }
    }

    fn migrations(self) -> &'static [(i64, &'static str, &'static str)] {
        match self {
            Self::Sqlite => SQLITE_MIGRATIONS,
            Self::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    fn migrator(self) -> Migrator {
        migrator(self.migrations(), None)
    }

    /// The migrator of this backend's versions up to `version` only: a database as an older
    /// corridor left it (test support, to prove what a later migration does to its rows).
    #[cfg(feature = "test-support")]
    pub(crate) fn migrator_up_to(self, version: i64) -> Migrator {
        let mut migrator = self.migrator();
        migrator.migrations = Cow::Owned(
            migrator
                .migrations
                .iter()
                .filter(|migration| migration.version <= version)
                .cloned()
                .collect(),
        );
        migrator
    }

    /// Recognises the backend of an open pool from its driver.
    pub async fn of_pool(pool: &AnyPool) -> Result<Self, StoreError> {
        let connection = pool.acquire().await?;
        match connection.backend_name() {
            "SQLite" => Ok(Self::Sqlite),
            "PostgreSQL" => Ok(Self::Postgres),
            other => Err(StoreError::Url {
                url: String::new(),
                reason: format!("the `{other}` backend is not supported; use SQLite or PostgreSQL"),
            }),
        }
    }

    /// The statement that opens a write transaction: SQLite takes the write lock at once, so two
    /// writers never both read the same "next sequence number".
    pub fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN ISOLATION LEVEL READ COMMITTED",
        }
    }

    /// The statement that starts a read-only transaction seeing one consistent snapshot
    /// (SQLite's deferred transaction in WAL mode fixes its snapshot at the first read).
    pub fn begin_snapshot(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN DEFERRED",
            Self::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }
}

/// Turns a bare path into an SQLite URL, so `--database corridor.db` works.
pub fn normalise_url(url_or_path: &str) -> String {
    if url_or_path.contains("://") || url_or_path.starts_with("sqlite:") {
        url_or_path.to_owned()
    } else {
        format!("sqlite://{url_or_path}")
    }
}

/// A migrator for embedded `(version, description, sql)` migrations, recorded in `table` (sqlx's
/// default `_sqlx_migrations` when `None`). It refuses a database migrated by a newer version.
pub fn migrator(
    list: &'static [(i64, &'static str, &'static str)],
    table: Option<&'static str>,
) -> Migrator {
    let migrations = list
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    if let Some(table) = table {
        migrator.dangerous_set_table_name(table);
    }
    // A database migrated by a newer corridor must be refused, never silently used.
    migrator.set_ignore_missing(false);
    migrator
}

/// Opens a pool with corridor's durable settings and nothing else: SQLite in WAL mode with
/// `synchronous=FULL`, PostgreSQL with `synchronous_commit=on`. Every crate that keeps data
/// (the store, accounts, the witness) opens its database through this one function.
pub async fn open_durable_pool(
    url: &str,
    create: bool,
    connections_max: u32,
) -> Result<(AnyPool, Backend), StoreError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let in_memory = backend == Backend::Sqlite && is_in_memory_sqlite(url);
    let mut url = match in_memory_sqlite_name(url) {
        Some(named) => named,
        None => url.to_owned(),
    };
    if backend == Backend::Sqlite && create && !url.contains("mode=") {
        url.push_str(if url.contains('?') {
            "&mode=rwc"
        } else {
            "?mode=rwc"
        });
    }
    let options = AnyConnectOptions::from_str(&url).map_err(|error| StoreError::Url {
        url: redact(&url),
        reason: error.to_string(),
    })?;
    let mut pool_options = AnyPoolOptions::new();
    if in_memory {
        // An in-memory database lives as long as one connection to it is open: the pool keeps
        // one, and never retires it for age or idleness.
        pool_options = pool_options
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let pool = pool_options
        .max_connections(connections_max)
        .acquire_timeout(BUSY_TIMEOUT)
        // A PostgreSQL connection can die under the pool (a restart, a killed backend), so it
        // is pinged before use; an SQLite connection is a file handle in this process, and a
        // ping would only cost a round trip to its worker thread on every acquire.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                match backend {
                    Backend::Sqlite => {
                        // WAL lets readers run beside the writer; synchronous=FULL makes every
                        // commit durable before it returns, which is what "acknowledged" means.
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = FULL").await?;
                        connection.execute("PRAGMA busy_timeout = 30000").await?;
                        // 64 MiB of page cache: a group commit rewrites the same index pages.
                        connection.execute("PRAGMA cache_size = -65536").await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Backend::Postgres => {
                        connection.execute("SET synchronous_commit = on").await?;
                    }
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|error| StoreError::Connect {
            url: redact(&url),
            reason: error.to_string(),
        })?;
    Ok((pool, backend))
}

/// Bytes of an SQLite file a read-only connection maps into memory (SQLite caps it at its
/// build's `SQLITE_MAX_MMAP_SIZE`).
const READ_MMAP_BYTES: u64 = 1 << 40;

/// Rows a read-only connection's worker thread may read ahead of the reader.
const READ_ROW_BUFFER: usize = 1024;

/// For an SQLite file, the options of a read-only connection to it through sqlx's own SQLite
/// driver (not the `Any` driver, whose per-row copies a long read pays for every row): what the
/// statistics walk reads on. `None` for PostgreSQL and for an in-memory SQLite database (which
/// only the pool's own connections see).
pub(crate) fn sqlite_read_options(
    url: &str,
) -> Result<Option<sqlx::sqlite::SqliteConnectOptions>, StoreError> {
    if Backend::of_url(url)? != Backend::Sqlite || is_in_memory_sqlite(url) {
        return Ok(None);
    }
    let options =
        sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|error| StoreError::Url {
            url: redact(url),
            reason: error.to_string(),
        })?;
    // The pool has opened (and migrated) the file: a reader never creates it, never writes, and
    // leaves the journal mode (WAL, set by the pool) as it is. The file is read through a memory
    // map (as much of it as SQLite's build maps, 2 GiB by default): a page read is then no
    // system call and no copy. SQLite's worker thread may read up to `READ_ROW_BUFFER` rows ahead
    // of the reader (sqlx's default is 50), so that the two threads switch less often.
    Ok(Some(
        options
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", READ_MMAP_BYTES.to_string())
            .row_buffer_size(READ_ROW_BUFFER),
    ))
}

/// Whether `url` names an in-memory SQLite database (`sqlite::memory:`, `mode=memory`).
fn is_in_memory_sqlite(url: &str) -> bool {
    in_memory_sqlite_name(url).is_some() || url.contains("mode=memory")
}

/// For `sqlite::memory:` (or `sqlite://:memory:`), the URL of one named, shared-cache in-memory
/// database, unique to this call.
///
/// sqlx's `Any` driver turns the URL into SQLite options again for every connection it opens,
/// and sqlx gives each `:memory:` a new name each time: every pooled connection was a separate,
/// empty database, so a query that did not run on the connection the migrations ran on failed
/// with "no such table: _sqlx_migrations". One fixed name makes the pool one database.
fn in_memory_sqlite_name(url: &str) -> Option<String> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    if database != ":memory:" {
        return None;
    }
    let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut named = format!(
        "sqlite:file:corridor-memory-{}-{number}?mode=memory&cache=shared",
        std::process::id()
    );
    for param in params.split('&').filter(|param| {
        !param.is_empty() && !param.starts_with("mode=") && !param.starts_with("cache=")
    }) {
        named.push('&');
        named.push_str(param);
    }
    Some(named)
}

/// What migrating a database did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The backend.
    pub backend: Backend,
    /// Schema versions recorded before.
    pub before: Vec<i64>,
    /// Schema versions recorded after: every version this corridor knows.
    pub after: Vec<i64>,
}

impl Migrated {
    /// The versions this run applied.
    pub fn applied(&self) -> Vec<i64> {
        self.after
            .iter()
            .copied()
            .filter(|version| !self.before.contains(version))
            .collect()
    }
}

/// Opens the store's database with durable settings and applies its migrations.
pub async fn connect(url: &str, create: bool) -> Result<(AnyPool, Backend), StoreError> {
    let (pool, migrated) = open_migrated(url, create).await?;
    Ok((pool, migrated.backend))
}

/// Opens (with `create`, creates) the store's database, applies its migrations and says which
/// ran: what `corridor db migrate` reports.
pub async fn migrate_database(url: &str, create: bool) -> Result<Migrated, StoreError> {
    let (pool, migrated) = open_migrated(url, create).await?;
    pool.close().await;
    Ok(migrated)
}

async fn open_migrated(url: &str, create: bool) -> Result<(AnyPool, Migrated), StoreError> {
    let (pool, backend) = open_durable_pool(url, create, POOL_CONNECTIONS_MAX).await?;
    match migrate_pool(&pool, backend).await {
        Ok(migrated) => Ok((pool, migrated)),
        Err(error) => {
            pool.close().await;
            Err(error)
        }
    }
}

async fn migrate_pool(pool: &AnyPool, backend: Backend) -> Result<Migrated, StoreError> {
    if backend == Backend::Sqlite {
        refuse_foreign_sqlite(pool).await?;
    }
    let before = schema_versions(pool).await?;
    // Checked before sqlx sees the database, so that the refusal names both versions whatever
    // else differs.
    if let Some(newest) = before.iter().copied().max()
        && newest > SCHEMA_VERSION_LATEST
    {
        return Err(StoreError::SchemaTooNew {
            database: newest,
            known: SCHEMA_VERSION_LATEST,
        });
    }
    backend
        .migrator()
        .run(pool)
        .await
        .map_err(|error| match error {
            // sqlx calls this "missing"; for corridor it means a newer corridor migrated the database.
            MigrateError::VersionMissing(version) if version > SCHEMA_VERSION_LATEST => {
                StoreError::SchemaTooNew {
                    database: version,
                    known: SCHEMA_VERSION_LATEST,
                }
            }
            error => StoreError::Migrate(error.to_string()),
        })?;
    Ok(Migrated {
        backend,
        before,
        after: schema_versions(pool).await?,
    })
}

/// The store's schema versions recorded in a database, oldest first; empty before the first
/// migration.
pub async fn schema_versions(pool: &AnyPool) -> Result<Vec<i64>, StoreError> {
    migration_versions(pool, "_sqlx_migrations").await
}

/// The versions a migrator recorded in `table` (as given to [`migrator`]), oldest first; empty
/// when the table does not exist.
pub async fn migration_versions(pool: &AnyPool, table: &str) -> Result<Vec<i64>, StoreError> {
    if !table_exists(pool, table).await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT version FROM \"{}\" WHERE success ORDER BY version",
        table.replace('"', "\"\"")
    )))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get::<i64, _>("version"))
        .collect::<Result<_, _>>()?)
}

/// Whether the database holds a table of this name.
pub async fn table_exists(pool: &AnyPool, table: &str) -> Result<bool, StoreError> {
    let sql = match Backend::of_pool(pool).await? {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let count: i64 = sqlx::query(sql)
        .bind(table.to_owned())
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    Ok(count > 0)
}

/// Refuses an SQLite database that holds tables but no record of corridor's migrations: it
/// belongs to another program, and corridor must not add its tables to it (nor may the demo,
/// which replaces only databases without corridor events, delete it).
async fn refuse_foreign_sqlite(pool: &AnyPool) -> Result<(), StoreError> {
    match foreign_sqlite_tables(pool).await? {
        None => Ok(()),
        Some(names) => Err(StoreError::Migrate(format!(
            "the database holds tables that are not corridor's ({}); give corridor a database of its own",
            names.join(", ")
        ))),
    }
}

/// The tables of an SQLite database that has tables but no `_sqlx_migrations` record (so
/// belongs to another program); `None` for an empty or migrated database.
pub async fn foreign_sqlite_tables(pool: &AnyPool) -> Result<Option<Vec<String>>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let names = rows
        .iter()
        .map(|row| row.try_get::<String, _>("name"))
        .collect::<Result<Vec<_>, _>>()?;
    if names.is_empty() || names.iter().any(|name| name == "_sqlx_migrations") {
        Ok(None)
    } else {
        Ok(Some(names))
    }
}

/// A URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = url.get(scheme_end + 3..at).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme_end + 3).unwrap_or_default(),
                    url.get(at..).unwrap_or_default()
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
