//! What every handler shares: the store, the metrics, the rate limiter and the clock.

use std::sync::Arc;

use corridor_store::Store;
use jiff::Timestamp;

use crate::limits::{RateLimit, RateLimiter};
use crate::telemetry::Metrics;

/// The clock the server reads "today" from. The domain reads no clock; the server does, and
/// tests fix it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The server's shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    metrics: Metrics,
    rate_limiter: RateLimiter,
    clock: Clock,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("rate_limit", &self.inner.rate_limiter.limit())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store`, with the default rate limit and the system clock.
    pub fn new(store: Arc<Store>) -> Self {
        Self::with(store, RateLimit::default(), Arc::new(Timestamp::now))
    }

    /// State with an explicit rate limit and clock.
    pub fn with(store: Arc<Store>, rate_limit: RateLimit, clock: Clock) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                metrics: Metrics::new(),
                rate_limiter: RateLimiter::new(rate_limit),
                clock,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The rate limiter.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    /// The moment now, by the server's clock.
    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }
}
