//! What every application function shares: the store, the accounts, the policies, the
//! committer, the clock, the master key, and where the counts go ([`Counters`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use corridor_accounts::Accounts;
use corridor_authz::Authz;
use corridor_domain::UserId;
use corridor_store::Store;
use corridor_store::vault::MasterKey;
use jiff::Timestamp;

use crate::committer::Committer;

/// The clock the application reads "now" and "today" from. The domain reads no clock; the
/// application does, and tests and simulations fix it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// What the application counts as it works, for whoever keeps the figures (the HTTP server's
/// Prometheus metrics). Every label is from a closed set: a refusal code, a role.
pub trait Counters: Send + Sync {
    /// `count` events were appended to the store.
    fn events_appended(&self, count: u64);
    /// A safeguard refused a command, with this refusal code.
    fn safeguard_refused(&self, code: &'static str);
    /// The policies (or a token's scopes) denied a caller of this role.
    fn authorization_denied(&self, role: &'static str);
}

/// Counts nothing: the command line keeps no figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCounters;

impl Counters for NoCounters {
    fn events_appended(&self, _count: u64) {}
    fn safeguard_refused(&self, _code: &'static str) {}
    fn authorization_denied(&self, _role: &'static str) {}
}

/// Everything the application is built from.
pub struct AppConfig {
    /// The store.
    pub store: Arc<Store>,
    /// The accounts, on the store's database.
    pub accounts: Accounts,
    /// The loaded, validated policies.
    pub authz: Arc<Authz>,
    /// The master key that wraps case keys; without it, personal data can be neither sealed nor
    /// opened, and proposals and reads of personal fields fail with a clear error.
    pub master: Option<MasterKey>,
    /// The clock.
    pub clock: Clock,
    /// Counsel known without an account: the users file of a simulation (the command line's
    /// `--as` without accounts, the demo and tests). A deployment's counsel are accounts, and
    /// a name that is an account is judged by the account alone.
    pub simulated_counsel: BTreeSet<UserId>,
    /// Where the counts go.
    pub counters: Arc<dyn Counters>,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("store", &self.store)
            .field("master", &self.master.is_some())
            .finish_non_exhaustive()
    }
}

impl AppConfig {
    /// A configuration with the system clock, no master key and no counters, over an opened
    /// store and its accounts.
    pub fn new(store: Arc<Store>, accounts: Accounts, authz: Arc<Authz>) -> Self {
        Self {
            store,
            accounts,
            authz,
            master: None,
            clock: Arc::new(Timestamp::now),
            simulated_counsel: BTreeSet::new(),
            counters: Arc::new(NoCounters),
        }
    }
}

/// The application: what every application function runs over; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    accounts: Accounts,
    authz: Arc<Authz>,
    master: Option<MasterKey>,
    committer: Committer,
    clock: Clock,
    simulated_counsel: BTreeSet<UserId>,
    counters: Arc<dyn Counters>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.inner.store)
            .field("master", &self.inner.master.is_some())
            .finish_non_exhaustive()
    }
}

impl App {
    /// The application built from `config`. Starts the committer, so it must be called inside
    /// a Tokio runtime.
    pub fn new(config: AppConfig) -> Self {
        let committer = Committer::start(Arc::clone(&config.store));
        Self {
            inner: Arc::new(Inner {
                store: config.store,
                accounts: config.accounts,
                authz: config.authz,
                master: config.master,
                committer,
                clock: config.clock,
                simulated_counsel: config.simulated_counsel,
                counters: config.counters,
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

    /// The master key, if the application was given one.
    pub fn master(&self) -> Option<&MasterKey> {
        self.inner.master.as_ref()
    }

    /// The committer: the one writer, which groups concurrent writes into durable commits.
    pub fn committer(&self) -> &Committer {
        &self.inner.committer
    }

    /// Where the counts go.
    pub fn counters(&self) -> &dyn Counters {
        self.inner.counters.as_ref()
    }

    /// The moment now, by the application's clock.
    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }
}
