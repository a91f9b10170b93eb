//! The accounts tables: which backend, durable connection settings, and the separate migrator.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, SqlSafeStr};

use crate::error::AccountsError;

/// Where sqlx records which accounts migrations ran. Not `_sqlx_migrations`: that table belongs
/// to the store's migrator, which refuses versions it does not know.
pub const MIGRATIONS_TABLE: &str = "_corridor_accounts_migrations";

/// Connections in a pool opened by [`crate::Accounts::open`].
pub const POOL_CONNECTIONS_MAX: u32 = 4;
/// How long a writer waits for the SQLite lock, or a caller for a connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "accounts",
    include_str!("../migrations/sqlite/0001_accounts.sql"),
)];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "accounts",
    include_str!("../migrations/postgres/0001_accounts.sql"),
)];

/// Which database holds the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// Recognises the backend from a database URL.
    pub fn of_url(url: &str) -> Result<Self, AccountsError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(AccountsError::Url {
                url: redact(url),
                reason: "use `sqlite://PATH` or `postgres://…`".to_owned(),
            })
        }
    }

    /// Recognises the backend of an open pool from the driver's name.
    pub(crate) async fn of_pool(pool: &AnyPool) -> Result<Self, AccountsError> {
        let connection = pool.acquire().await?;
        match connection.backend_name() {
            "SQLite" => Ok(Self::Sqlite),
            "PostgreSQL" => Ok(Self::Postgres),
            other => Err(AccountsError::Url {
                url: String::new(),
                reason: format!("the `{other}` backend is not supported; use SQLite or PostgreSQL"),
            }),
        }
    }

    fn migrator(self) -> Migrator {
        let list = match self {
            Self::Sqlite => SQLITE_MIGRATIONS,
            Self::Postgres => POSTGRES_MIGRATIONS,
        };
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
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        // A database migrated by a newer corridor must be refused, never silently used.
        migrator.set_ignore_missing(false);
        migrator
    }
}

/// Opens a pool with durable settings (WAL and `synchronous=FULL` on SQLite,
/// `synchronous_commit=on` on PostgreSQL), as the store does.
pub(crate) async fn connect(url: &str) -> Result<(AnyPool, Backend), AccountsError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let options = AnyConnectOptions::from_str(url).map_err(|error| AccountsError::Url {
        url: redact(url),
        reason: error.to_string(),
    })?;
    let pool = AnyPoolOptions::new()
        .max_connections(POOL_CONNECTIONS_MAX)
        .acquire_timeout(BUSY_TIMEOUT)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                match backend {
                    Backend::Sqlite => {
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = FULL").await?;
                        connection.execute("PRAGMA busy_timeout = 30000").await?;
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
        .await?;
    Ok((pool, backend))
}

/// Applies this crate's migrations, recorded in [`MIGRATIONS_TABLE`].
pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), AccountsError> {
    backend
        .migrator()
        .run(pool)
        .await
        .map_err(|error| AccountsError::Migrate(error.to_string()))
}

/// A URL with any password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let scheme = url.get(..scheme_end + 3).unwrap_or_default();
            let credentials = url.get(scheme_end + 3..at).unwrap_or_default();
            let rest = url.get(at..).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!("{scheme}{user}:***{rest}"),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
