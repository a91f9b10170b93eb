//! The accounts tables: their migrations, recorded apart from the store's, in the store's
//! database. Opening the database (durable settings, backend) is `corridor_store`'s one way.

use sqlx::AnyPool;

pub use corridor_store::Backend;

use crate::error::AccountsError;

/// Where sqlx records which accounts migrations ran. Not `_sqlx_migrations`: that table belongs
/// to the store's migrator, which refuses versions it does not know.
pub const MIGRATIONS_TABLE: &str = "_corridor_accounts_migrations";

/// Connections in a pool opened by [`crate::Accounts::open`].
pub const POOL_CONNECTIONS_MAX: u32 = 4;

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "accounts",
        include_str!("../migrations/sqlite/0001_accounts.sql"),
    ),
    (
        2,
        "user language",
        include_str!("../migrations/sqlite/0002_user_language.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "accounts",
        include_str!("../migrations/postgres/0001_accounts.sql"),
    ),
    (
        2,
        "user language",
        include_str!("../migrations/postgres/0002_user_language.sql"),
    ),
];

impl From<corridor_store::StoreError> for AccountsError {
    fn from(error: corridor_store::StoreError) -> Self {
        match error {
            corridor_store::StoreError::Url { url, reason }
            | corridor_store::StoreError::Connect { url, reason } => Self::Url { url, reason },
            corridor_store::StoreError::Database(error) => Self::Database(error),
            other => Self::Migrate(other.to_string()),
        }
    }
}

/// Opens a pool with corridor's durable settings.
pub(crate) async fn connect(url: &str) -> Result<(AnyPool, Backend), AccountsError> {
    Ok(corridor_store::open_durable_pool(url, false, POOL_CONNECTIONS_MAX).await?)
}

/// Recognises the backend of an open pool.
pub(crate) async fn backend_of(pool: &AnyPool) -> Result<Backend, AccountsError> {
    Ok(Backend::of_pool(pool).await?)
}

/// Applies this crate's migrations, recorded in [`MIGRATIONS_TABLE`].
pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), AccountsError> {
    let list = match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    };
    corridor_store::migrator(list, Some(MIGRATIONS_TABLE))
        .run(pool)
        .await
        .map_err(|error| AccountsError::Migrate(error.to_string()))
}
