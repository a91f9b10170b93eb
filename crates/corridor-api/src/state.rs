//! What every handler shares: the store, the accounts, the policies, the committer, the metrics,
//! the rate limiter, the clock, and the witness when the server runs one.

use std::collections::BTreeSet;
use std::sync::Arc;

use corridor_accounts::Accounts;
use corridor_authz::Authz;
use corridor_domain::UserId;
use corridor_store::Store;
use corridor_store::vault::MasterKey;
use corridor_witness::WitnessState;
use jiff::Timestamp;

use crate::committer::Committer;
use crate::limits::{RateLimit, RateLimiter};
use crate::telemetry::Metrics;

/// The clock the server reads "today" from. The domain reads no clock; the server does, and
/// tests fix it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Everything a server is built from.
pub struct AppConfig {
    /// The store.
    pub store: Arc<Store>,
    /// The accounts, on the store's database.
    pub accounts: Accounts,
    /// The loaded, validated policies.
    pub authz: Arc<Authz>,
    /// The master key that wraps case keys; without it, personal data can be neither sealed nor
    /// opened, and proposals and reads of personal fields fail with a clear problem.
    pub master: Option<MasterKey>,
    /// The per-client rate limit.
    pub rate_limit: RateLimit,
    /// The clock.
    pub clock: Clock,
    /// Whether session cookies carry `Secure` (the server is reached over TLS, directly or
    /// through a proxy).
    pub secure_cookies: bool,
    /// A witness to serve at `POST /add-checkpoint` (C2SP tlog-witness), with its own key,
    /// database and followed logs; `None` serves no witness and `/add-checkpoint` is unknown.
    pub witness: Option<WitnessState>,
    /// Counsel known without an account: the users file of a simulation (the command line's
    /// `--as` without accounts, the demo and tests). A deployment's counsel are accounts, and
    /// a name that is an account is judged by the account alone.
    pub simulated_counsel: BTreeSet<UserId>,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("store", &self.store)
            .field("rate_limit", &self.rate_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("witness", &self.witness.is_some())
            .finish_non_exhaustive()
    }
}

impl AppConfig {
    /// A configuration with the system clock and the default rate limit, over an opened store
    /// and its accounts.
    pub fn new(store: Arc<Store>, accounts: Accounts, authz: Arc<Authz>) -> Self {
        Self {
            store,
            accounts,
            authz,
            master: None,
            rate_limit: RateLimit::default(),
            clock: Arc::new(Timestamp::now),
            secure_cookies: false,
            witness: None,
            simulated_counsel: BTreeSet::new(),
        }
    }
}

/// The server's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    accounts: Accounts,
    authz: Arc<Authz>,
    master: Option<MasterKey>,
    committer: Committer,
    metrics: Metrics,
    rate_limiter: RateLimiter,
    clock: Clock,
    secure_cookies: bool,
    witness: Option<WitnessState>,
    simulated_counsel: BTreeSet<UserId>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("rate_limit", &self.inner.rate_limiter.limit())
            .field("witness", &self.inner.witness.is_some())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state of a server built from `config`. Starts the committer, so it must be called
    /// inside a Tokio runtime.
    pub fn new(config: AppConfig) -> Self {
        let committer = Committer::start(Arc::clone(&config.store));
        Self {
            inner: Arc::new(Inner {
                store: config.store,
                accounts: config.accounts,
                authz: config.authz,
                master: config.master,
                committer,
                metrics: Metrics::new(),
                rate_limiter: RateLimiter::new(config.rate_limit),
                clock: config.clock,
                secure_cookies: config.secure_cookies,
                witness: config.witness,
                simulated_counsel: config.simulated_counsel,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    /// The policies.
    pub fn authz(&self) -> &Authz {
        &self.inner.authz
    }

    /// Whether `user` is counsel of the simulation's users file ([`AppConfig::simulated_counsel`]).
    pub fn simulated_counsel(&self, user: &UserId) -> bool {
        self.inner.simulated_counsel.contains(user)
    }

    /// The master key, if the server was given one.
    pub fn master(&self) -> Option<&MasterKey> {
        self.inner.master.as_ref()
    }

    /// The committer: the one writer, which groups concurrent writes into durable commits.
    pub fn committer(&self) -> &Committer {
        &self.inner.committer
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The rate limiter.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    /// Whether session cookies carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies
    }

    /// The witness the server runs, if it was given one.
    pub fn witness(&self) -> Option<&WitnessState> {
        self.inner.witness.as_ref()
    }

    /// The moment now, by the server's clock.
    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }
}
