//! corridor-store's integration tests, in one binary: the storage contract suite (STYLE.md 13).
//!
//! The same seeded command sequences run against the in-memory reference
//! ([`corridor_domain::World`]), SQLite and PostgreSQL, and must give the same outcomes, the same
//! projections and the same log roots. Every test gets fresh databases with unique names from
//! [`corridor_store::testing`]; PostgreSQL tests fail when the server cannot be reached, unless
//! `CORRIDOR_TEST_SKIP_POSTGRES=1`.
//!
//! Every module is `#[cfg(test)]` so that clippy holds the helpers to the rules for tests.

#[cfg(test)]
mod access;
#[cfg(test)]
mod case_cache;
#[cfg(test)]
mod checkpoint;
#[cfg(test)]
mod concurrent;
#[cfg(test)]
mod contract;
#[cfg(test)]
mod copy;
#[cfg(test)]
mod deployment;
#[cfg(test)]
mod holds;
#[cfg(test)]
mod operations;
#[cfg(test)]
mod schema;
#[cfg(test)]
mod sequence;
#[cfg(test)]
mod statistics;

/// What every test shares: actors, agreements, fixed keys and a store over a fresh database.
#[cfg(test)]
pub mod harness {
    use corridor_domain::{Actor, Command, Context, Outcome, Role};
    use corridor_store::testing::TestDatabase;
    use corridor_store::{Backend, Store};
    use jiff::Timestamp;

    /// The agreement files the sequences run under, with the names they are loaded as.
    pub const AGREEMENTS: [(&str, &str); 3] = [
        (
            "us-rwa-2025.toml",
            include_str!("../../../../agreements/us-rwa-2025.toml"),
        ),
        (
            "ita-alb-2023.toml",
            include_str!("../../../../agreements/ita-alb-2023.toml"),
        ),
        (
            "gbr-rwa-2024.toml",
            include_str!("../../../../agreements/gbr-rwa-2024.toml"),
        ),
    ];

    /// The log's salt key in every test: fixed, so that identical sequences give identical roots.
    pub const SALT_KEY: [u8; 32] = [0x5a; 32];
    /// The master key that wraps case keys in every test.
    pub const MASTER_KEY: [u8; 32] = [0x4d; 32];
    /// The log origin in every test.
    pub const ORIGIN: &str = "contract.corridor.invalid/log";
    /// When the sequences start: a Monday, with us-rwa-2025 in force (from 1 Aug 2025).
    pub const START: &str = "2025-08-04T09:00:00Z";

    /// The synthetic users, by name: role and party.
    pub const USERS: [(&str, Role, &str); 13] = [
        ("admin", Role::Admin, "none"),
        ("officer.us", Role::SendingOfficer, "state:USA"),
        ("supervisor.us", Role::SendingSupervisor, "state:USA"),
        ("supervisor2.us", Role::SendingSupervisor, "state:USA"),
        ("adjudicator.us", Role::Adjudicator, "state:USA"),
        ("receiver.rw", Role::ReceivingOfficer, "state:RWA"),
        ("officer.it", Role::SendingOfficer, "state:ITA"),
        ("supervisor.it", Role::SendingSupervisor, "state:ITA"),
        ("receiver.al", Role::ReceivingOfficer, "state:ALB"),
        ("officer.gb", Role::SendingOfficer, "state:GBR"),
        ("clerk", Role::CourtClerk, "court:dc"),
        ("counsel", Role::Counsel, "clients"),
        (
            "monitor",
            Role::Monitor,
            "monitoring_body:medp-monitoring-committee",
        ),
    ];

    /// The actor of a user in [`USERS`].
    pub fn actor(name: &str) -> Actor {
        let (_, role, party) = USERS
            .iter()
            .find(|(user, _, _)| *user == name)
            .unwrap_or_else(|| panic!("no test user `{name}`"));
        corridor_testkit::actor(name, *role, corridor_testkit::party(party))
    }

    /// `user` acting at `now`.
    pub fn context(user: &str, now: Timestamp) -> Context {
        Context {
            now,
            actor: actor(user),
        }
    }

    /// A store over a fresh database, its log configured with [`ORIGIN`] and [`SALT_KEY`].
    #[derive(Debug)]
    pub struct Fixture {
        pub store: Store,
        pub database: TestDatabase,
    }

    impl Fixture {
        pub async fn new(backend: Backend, label: &str) -> Self {
            let database = TestDatabase::create(backend, label).await.unwrap();
            Self::over(database).await
        }

        /// The store over a database already created.
        pub async fn over(database: TestDatabase) -> Self {
            let store = Store::open(database.url(), true).await.unwrap();
            store
                .configure_log(Some(ORIGIN), Some(SALT_KEY))
                .await
                .unwrap();
            Self { store, database }
        }

        /// A store over a fresh database with nothing in it, not even log metadata.
        pub async fn empty(backend: Backend, label: &str) -> Self {
            let database = TestDatabase::create(backend, label).await.unwrap();
            let store = Store::open(database.url(), true).await.unwrap();
            Self { store, database }
        }

        /// The fixture with every agreement of [`AGREEMENTS`] loaded at [`START`].
        pub async fn with_agreements(backend: Backend, label: &str) -> Self {
            let fixture = Self::new(backend, label).await;
            fixture.load_agreements().await;
            fixture
        }

        pub async fn load_agreements(&self) {
            let now: Timestamp = START.parse().unwrap();
            for (file_name, text) in AGREEMENTS {
                let load = Command::LoadAgreement {
                    file_name: file_name.to_owned(),
                    text: text.to_owned(),
                };
                let executed = self
                    .store
                    .execute(&load, &context("admin", now), None, &[])
                    .await
                    .unwrap();
                assert!(
                    matches!(executed.outcome, Outcome::Accepted(_)),
                    "{executed:?}"
                );
            }
        }

        pub fn backend(&self) -> Backend {
            self.database.backend()
        }

        /// Closes the store and drops the database.
        pub async fn finish(self) {
            self.store.close().await;
            self.database.remove().await.unwrap();
        }
    }
}
