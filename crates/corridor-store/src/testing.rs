//! Test support (feature `test-support`): fresh, uniquely named databases on every backend.
//!
//! Every test binary of the workspace that needs a database gets it here, so there is one way to
//! create and drop a PostgreSQL test database. PostgreSQL tests run against the server named by
//! `CORRIDOR_TEST_POSTGRES_URL` (default: the machine's server, user `postgres`, trust auth). A
//! server that cannot be reached fails the test, loudly: a PostgreSQL test that quietly passes
//! without PostgreSQL proves nothing. Setting `CORRIDOR_TEST_SKIP_POSTGRES=1` leaves PostgreSQL
//! out of [`backends`] on a machine that has none.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::{Connection as _, PgConnection, Row as _};

use crate::db::Backend;
use crate::error::StoreError;

/// The environment variable naming the PostgreSQL server (an admin URL, database included).
pub const POSTGRES_URL_ENV: &str = "CORRIDOR_TEST_POSTGRES_URL";
/// The environment variable that, set to `1`, leaves PostgreSQL out of [`backends`].
pub const SKIP_POSTGRES_ENV: &str = "CORRIDOR_TEST_SKIP_POSTGRES";
/// The server the PostgreSQL tests use when [`POSTGRES_URL_ENV`] is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Where PostgreSQL test databases are created and dropped from.
pub fn postgres_admin_url() -> String {
    std::env::var(POSTGRES_URL_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Whether the PostgreSQL tests were asked to stand down ([`SKIP_POSTGRES_ENV`] is `1`).
pub fn postgres_skipped() -> bool {
    std::env::var(SKIP_POSTGRES_ENV).is_ok_and(|value| value == "1")
}

/// Every backend a test should run against: SQLite always, PostgreSQL unless skipped.
pub fn backends() -> Vec<Backend> {
    if postgres_skipped() {
        vec![Backend::Sqlite]
    } else {
        vec![Backend::Sqlite, Backend::Postgres]
    }
}

/// How a PostgreSQL test database orders text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collation {
    /// The server's default (its template database's).
    Default,
    /// An ICU collation that ignores punctuation at the first level, as glibc's `en_US.UTF-8`
    /// does: `hold.` sorts before `hold-1`. A query that relies on byte order breaks under it.
    PunctuationIgnored,
}

/// A fresh, empty database with a unique name: an SQLite file in a temporary directory, or a
/// PostgreSQL database that [`TestDatabase::remove`] drops.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    backend: Backend,
    _directory: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl TestDatabase {
    /// A fresh database on `backend`; `label` (letters, digits, `_`) goes into its name.
    pub async fn create(backend: Backend, label: &str) -> Result<Self, StoreError> {
        Self::create_with(backend, label, Collation::Default).await
    }

    /// A fresh database on `backend` with a collation (PostgreSQL only; SQLite always orders
    /// text by bytes).
    pub async fn create_with(
        backend: Backend,
        label: &str,
        collation: Collation,
    ) -> Result<Self, StoreError> {
        match backend {
            Backend::Sqlite => {
                let directory = tempfile::Builder::new()
                    .prefix("corridor-test-")
                    .tempdir()
                    .map_err(|error| StoreError::Connect {
                        url: "sqlite://…".to_owned(),
                        reason: format!("no temporary directory: {error}"),
                    })?;
                let path = directory.path().join(format!("{}.db", clean(label)));
                Ok(Self {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    _directory: Some(directory),
                    postgres_name: None,
                })
            }
            Backend::Postgres => {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "corridor_{}_test_{}_{}",
                    clean(label),
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let create = match collation {
                    Collation::Default => format!("CREATE DATABASE {name}"),
                    Collation::PunctuationIgnored => format!(
                        "CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu \
                         ICU_LOCALE 'en-US-u-ka-shifted' LOCALE 'C.UTF-8'"
                    ),
                };
                sweep_abandoned().await?;
                admin(&[format!("DROP DATABASE IF EXISTS {name}"), create]).await?;
                let admin_url = postgres_admin_url();
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                Ok(Self {
                    url: format!("{base}/{name}"),
                    backend,
                    _directory: None,
                    postgres_name: Some(name),
                })
            }
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Creates the database and migrates it to the schema versions up to `version` only, as an
    /// older corridor left it, returning a pool on it: to prove what a later migration does to
    /// rows written before it. Opening a [`crate::Store`] on it afterwards applies the rest.
    pub async fn migrate_up_to(&self, version: i64) -> Result<sqlx::AnyPool, StoreError> {
        let (pool, backend) = crate::db::open_durable_pool(&self.url, true, 1).await?;
        backend
            .migrator_up_to(version)
            .run(&pool)
            .await
            .map_err(|error| StoreError::Migrate(error.to_string()))?;
        Ok(pool)
    }

    /// Drops a PostgreSQL database (an SQLite file goes with its temporary directory). Close
    /// every pool on it first; connections still open are ended.
    pub async fn remove(self) -> Result<(), StoreError> {
        if let Some(name) = &self.postgres_name {
            admin(&[format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")]).await?;
        }
        Ok(())
    }
}

/// Drops test databases left behind by test processes that are gone (a test that fails before
/// [`TestDatabase::remove`] leaves its database), once per process, on a server on this machine. A database is abandoned when
/// the process id in its name (`corridor_LABEL_test_PID_N`) no longer runs on this machine.
async fn sweep_abandoned() -> Result<(), StoreError> {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let url = postgres_admin_url();
    // Process ids mean something only on this machine: a shared server is never swept.
    if !is_local(&url) {
        return Ok(());
    }
    let mut connection = connect_admin(&url).await?;
    let rows = sqlx::query(
        "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'corridor%test%'",
    )
    .fetch_all(&mut connection)
    .await?;
    connection.close().await?;
    let mut drops = Vec::new();
    for row in rows {
        let name: String = row.try_get("name")?;
        let mut parts = name.rsplitn(3, '_');
        let (Some(counter), Some(pid), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let ours = rest.starts_with("corridor_")
            && rest.ends_with("_test")
            && counter.chars().all(|c| c.is_ascii_digit())
            && pid.chars().all(|c| c.is_ascii_digit());
        if ours && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            drops.push(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
    if !drops.is_empty() {
        admin(&drops).await?;
    }
    Ok(())
}

/// Whether a PostgreSQL URL names a server on this machine.
fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1" | "")
}

/// A label reduced to what a database name may hold unquoted.
fn clean(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect()
}

/// Connects to the PostgreSQL admin database, saying what to do if there is no server.
async fn connect_admin(url: &str) -> Result<PgConnection, StoreError> {
    PgConnection::connect(url)
        .await
        .map_err(|error| StoreError::Connect {
            url: crate::db::redact(url),
            reason: format!(
                "{error}; the PostgreSQL tests need a server: start one, point \
                 {POSTGRES_URL_ENV} at one, or set {SKIP_POSTGRES_ENV}=1 to leave them out"
            ),
        })
}

/// Runs statements on the PostgreSQL admin database.
async fn admin(statements: &[String]) -> Result<(), StoreError> {
    let mut connection = connect_admin(&postgres_admin_url()).await?;
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut connection)
            .await?;
    }
    connection.close().await?;
    Ok(())
}
