//! corridor-accounts' integration tests, in one binary: every test runs against a fresh SQLite
//! file and a fresh PostgreSQL database, each opened by the store first, as the server will.
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures should fail loudly, not propagate errors"
)]

mod credentials;
mod language;
mod passwords;
mod rate_limit;
mod roles;
mod sessions;
mod store;
mod tokens;

use std::net::IpAddr;

use corridor_accounts::Accounts;
use corridor_domain::terms::Country;
use corridor_domain::{Party, Role, UserId};
use jiff::{SignedDuration, Timestamp};

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

pub use corridor_store::Backend;

/// Every backend: each test runs against SQLite, and PostgreSQL unless
/// `CORRIDOR_TEST_SKIP_POSTGRES=1`.
pub fn backends() -> Vec<Backend> {
    corridor_store::testing::backends()
}

/// A fresh, empty database with a unique name, from the workspace's one test-database helper.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    inner: corridor_store::testing::TestDatabase,
}

impl TestDatabase {
    pub async fn fresh(backend: Backend) -> Self {
        let inner = corridor_store::testing::TestDatabase::create(backend, "accounts")
            .await
            .unwrap();
        Self {
            url: inner.url().to_owned(),
            inner,
        }
    }

    /// Drops a PostgreSQL database (an SQLite one goes with its temporary directory).
    pub async fn remove(self) {
        self.inner.remove().await.unwrap();
    }
}

/// A migrated database with the accounts open over the store's pool.
#[derive(Debug)]
pub struct Fixture {
    pub accounts: Accounts,
    pub database: TestDatabase,
    store: corridor_store::Store,
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
            store,
        }
    }

    /// The store the accounts share a database with.
    pub fn store(&self) -> &corridor_store::Store {
        &self.store
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
        // The store's close first gives back the connection it keeps for writes.
        self.store.close().await;
        self.accounts.pool().close().await;
        self.database.remove().await;
    }
}

pub fn rwanda() -> Party {
    Party::State(Country::parse("RWA").unwrap())
}
