//! corridor-accounts' integration tests, in one binary: every test runs against a fresh SQLite
//! file and a fresh PostgreSQL database, each opened by the store first, as the server will.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures should fail loudly, not propagate errors"
)]

mod credentials;
mod passwords;
mod rate_limit;
mod sessions;
mod store;
mod tokens;

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use corridor_accounts::Accounts;
use corridor_domain::terms::Country;
use corridor_domain::{Party, Role, UserId};
use jiff::{SignedDuration, Timestamp};
use sqlx::Connection as _;

/// A password that satisfies the length limits.
pub const PASSWORD: &str = "correct horse battery staple";
/// The fixed start of every test's clock: 2026-01-01T00:00:00Z.
pub const T0: Timestamp = Timestamp::constant(1_767_225_600, 0);

/// `T0` plus `span`.
pub fn at(span: SignedDuration) -> Timestamp {
    T0.checked_add(span).unwrap()
}

/// A client address for tests (TEST-NET-1).
pub fn client(last: u8) -> IpAddr {
    IpAddr::from([192, 0, 2, last])
}

/// The databases the accounts run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every backend: each test runs against all of them.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A fresh, empty database with a unique name.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _directory: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

/// Where the PostgreSQL tests create their databases; the machine's server by default.
fn postgres_admin_url() -> String {
    std::env::var("CORRIDOR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

async fn admin_execute(statement: String) {
    let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
}

impl TestDatabase {
    pub async fn fresh(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let directory = tempfile::tempdir().unwrap();
                let path = directory.path().join("corridor.db");
                Self {
                    url: format!("sqlite://{}", path.display()),
                    _directory: Some(directory),
                    postgres_name: None,
                }
            }
            Backend::Postgres => {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "corridor_accounts_test_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                admin_execute(format!("DROP DATABASE IF EXISTS {name}")).await;
                admin_execute(format!("CREATE DATABASE {name}")).await;
                let admin_url = postgres_admin_url();
                let base = admin_url.rsplit_once('/').unwrap().0;
                Self {
                    url: format!("{base}/{name}"),
                    _directory: None,
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// Drops a PostgreSQL database (an SQLite one goes with its temporary directory).
    pub async fn remove(self) {
        if let Some(name) = &self.postgres_name {
            admin_execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// A migrated database with the accounts open over the store's pool.
#[derive(Debug)]
pub struct Fixture {
    pub accounts: Accounts,
    pub database: TestDatabase,
    _store: corridor_store::Store,
}

impl Fixture {
    pub async fn new(backend: Backend) -> Self {
        let database = TestDatabase::fresh(backend).await;
        let store = corridor_store::Store::open(&database.url, true)
            .await
            .unwrap();
        let accounts = Accounts::from_pool(store.pool().clone()).await.unwrap();
        Self {
            accounts,
            database,
            _store: store,
        }
    }

    /// Adds `name` with [`PASSWORD`], in a role and party that fit together.
    pub async fn add(&self, name: &str, role: Role, party: Party) -> UserId {
        let user = UserId::parse(name).unwrap();
        self.accounts
            .add_user(&user, role, &party, PASSWORD, T0)
            .await
            .unwrap();
        user
    }

    /// Adds a sending officer for Rwanda.
    pub async fn officer(&self, name: &str) -> UserId {
        self.add(name, Role::SendingOfficer, rwanda()).await
    }

    pub async fn finish(self) {
        self.accounts.pool().close().await;
        self.database.remove().await;
    }
}

pub fn rwanda() -> Party {
    Party::State(Country::parse("RWA").unwrap())
}
