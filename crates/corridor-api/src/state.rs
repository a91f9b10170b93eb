//! What every handler shares: the application ([`App`]: the store, the accounts, the policies,
//! the committer, the clock), the metrics, the rate limiter, and the witness when the server
//! runs one.

use std::collections::BTreeSet;
use std::sync::Arc;

use corridor_accounts::Accounts;
use corridor_app::{App, Clock};
use corridor_authz::Authz;
use corridor_domain::UserId;
use corridor_store::Store;
use corridor_store::vault::MasterKey;
use corridor_witness::WitnessState;
use jiff::Timestamp;

use crate::limits::{RateLimit, RateLimiter};
use crate::telemetry::Metrics;

/// Everything a server is built from: what the application is built from (handed on to
/// [`corridor_app::AppConfig`]) and what only the HTTP door has (rate limit, cookies, witness).
pub struct ServerConfig {
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
    /// The languages the web interface ships (their tags, such as `en` and `fr`): an account
    /// may choose only one of these (`PUT /api/users/{user}/language`). Empty accepts any
    /// well-formed language tag, and the interface falls back to the browser's language for
    /// one it lacks. corridor-api knows no catalogue; `corridor serve` fills this from
    /// corridor-web's.
    pub languages: Vec<String>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("store", &self.store)
            .field("rate_limit", &self.rate_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("witness", &self.witness.is_some())
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
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
            languages: Vec::new(),
        }
    }
}

/// The server's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    app: App,
    metrics: Arc<Metrics>,
    rate_limiter: RateLimiter,
    secure_cookies: bool,
    witness: Option<WitnessState>,
    languages: Vec<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("app", &self.inner.app)
            .field("rate_limit", &self.inner.rate_limiter.limit())
            .field("witness", &self.inner.witness.is_some())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state of a server built from `config`. Starts the application's committer, so it
    /// must be called inside a Tokio runtime.
    pub fn new(config: ServerConfig) -> Self {
        let metrics = Arc::new(Metrics::new());
        let mut app = corridor_app::AppConfig::new(config.store, config.accounts, config.authz);
        app.master = config.master;
        app.clock = config.clock;
        app.simulated_counsel = config.simulated_counsel;
        app.counters = metrics.clone();
        Self {
            inner: Arc::new(Inner {
                app: App::new(app),
                metrics,
                rate_limiter: RateLimiter::new(config.rate_limit),
                secure_cookies: config.secure_cookies,
                witness: config.witness,
                languages: config.languages,
            }),
        }
    }

    /// The application the handlers call.
    pub fn app(&self) -> &App {
        &self.inner.app
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.inner.app.store()
    }

    /// The accounts.
    pub fn accounts(&self) -> &Accounts {
        self.inner.app.accounts()
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

    /// The languages an account may choose for the web interface ([`ServerConfig::languages`]).
    pub fn languages(&self) -> &[String] {
        &self.inner.languages
    }

    /// The witness the server runs, if it was given one.
    pub fn witness(&self) -> Option<&WitnessState> {
        self.inner.witness.as_ref()
    }

    /// The moment now, by the application's clock.
    pub fn now(&self) -> Timestamp {
        self.inner.app.now()
    }
}
