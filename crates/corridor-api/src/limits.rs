//! Every limit the server enforces, as a named constant, and the per-client rate limiter. The
//! limits of the application itself (page sizes, text lengths, idempotency keys) are
//! `corridor_app::limits`, re-exported here.
//!
//! The rate limiter is a token bucket per client address, kept in memory: each client may send
//! [`RateLimit::burst_requests`] requests at once and then [`RateLimit::refill_per_second`] a
//! second. The key is the TCP peer address; behind a reverse proxy every client shares the
//! proxy's address, and trusting `X-Forwarded-For` is a decision for the deployment, not made
//! here. The limiter reads no clock of its own: callers pass the moment, so it is tested
//! without sleeping.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use corridor_app::limits::{
    IDEMPOTENCY_KEY_CHARS_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TEXT_CHARS_MAX,
};

/// The largest request body accepted. The largest agreement file shipped is under 3 KiB and a
/// command is smaller still; 64 KiB leaves room without inviting abuse.
pub const REQUEST_BODY_BYTES_MAX: usize = 64 * 1024;

/// Most header fields in one request. hyper itself answers a bare 431, with no body it lets a
/// server shape, past 100; below that, this limit answers with a problem.
pub const REQUEST_HEADERS_MAX: usize = 64;

/// Most bytes of header names and values in one request (16 KiB); past it, a 431 problem.
/// hyper's own bare 431 comes only past its read buffer (about 400 KiB).
pub const REQUEST_HEADER_BYTES_MAX: usize = 16 * 1024;

/// The longest request target (path and query), in bytes; past it, a 414 problem.
pub const REQUEST_URI_BYTES_MAX: usize = 8 * 1024;

/// The longest a request may take inside the server before it is answered with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests a client may send at once before the rate limit applies.
pub const RATE_LIMIT_BURST_REQUESTS: u32 = 200;

/// Requests a client may send per second, sustained.
pub const RATE_LIMIT_REFILL_PER_SECOND: u32 = 100;

/// Most client addresses the rate limiter tracks; past this, idle clients are forgotten first.
pub const RATE_LIMIT_CLIENTS_MAX: usize = 10_000;

/// The `Retry-After` sent when the rate limit never refills.
pub const RATE_LIMIT_RETRY_AFTER_SECONDS_MAX: u64 = 3_600;

/// The `Retry-After` sent when the database cannot be reached.
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

/// How long a full tile may be cached: it never changes, so a year (and `immutable`).
pub const FULL_TILE_MAX_AGE_SECONDS: u64 = 365 * 24 * 60 * 60;

/// How long a partial tile may be cached: its bytes never change either, but it is superseded
/// as the log grows, so clients should come back for the wider one.
pub const PARTIAL_TILE_MAX_AGE_SECONDS: u64 = 60;

/// A rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests a client may send at once.
    pub burst_requests: u32,
    /// Requests a client may send per second once the burst is spent; 0 never refills.
    pub refill_per_second: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            burst_requests: RATE_LIMIT_BURST_REQUESTS,
            refill_per_second: RATE_LIMIT_REFILL_PER_SECOND,
        }
    }
}

/// The rate limiter's answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Serve it.
    Allowed,
    /// Refuse it; a token is available again after this many seconds.
    Limited {
        /// Seconds until the next token.
        retry_after_seconds: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets by client address.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter with no client seen yet.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit it enforces.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes a token for one request of `client` at `now`, if it has one.
    pub fn check(&self, client: IpAddr, now: Instant) -> Decision {
        let burst = f64::from(self.limit.burst_requests);
        let refill = f64::from(self.limit.refill_per_second);
        // A poisoned lock only means another request panicked mid-update; the buckets are
        // still usable numbers, and refusing every client would be worse.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= RATE_LIMIT_CLIENTS_MAX && !buckets.contains_key(&client) {
            forget_idle(&mut buckets, now, burst, refill);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Decision::Allowed;
        }
        let retry_after_seconds = if refill > 0.0 {
            // At least one second: `Retry-After` counts whole seconds.
            let wait = ((1.0 - bucket.tokens) / refill).ceil();
            if wait.is_finite() && wait >= 1.0 {
                wait.min(RATE_LIMIT_RETRY_AFTER_SECONDS_MAX as f64) as u64
            } else {
                1
            }
        } else {
            RATE_LIMIT_RETRY_AFTER_SECONDS_MAX
        };
        Decision::Limited {
            retry_after_seconds,
        }
    }
}

/// Drops clients whose bucket has refilled (they are idle); if none has, the one seen longest
/// ago, so the map never grows past [`RATE_LIMIT_CLIENTS_MAX`].
fn forget_idle(buckets: &mut HashMap<IpAddr, Bucket>, now: Instant, burst: f64, refill: f64) {
    buckets.retain(|_, bucket| {
        bucket.tokens + now.saturating_duration_since(bucket.updated).as_secs_f64() * refill < burst
    });
    if buckets.len() >= RATE_LIMIT_CLIENTS_MAX
        && let Some(oldest) = buckets
            .iter()
            .min_by_key(|(_, bucket)| bucket.updated)
            .map(|(client, _)| *client)
    {
        buckets.remove(&oldest);
    }
}
