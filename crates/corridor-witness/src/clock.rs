//! Where the witness reads the time it stamps into each cosignature.
//!
//! A cosignature states "as of this time, this is the largest checkpoint consistent with
//! everything I have seen". Production reads the system clock; tests pass a fixed time so their
//! cosignatures are reproducible. The clock is a value in [`crate::server::WitnessState`], never
//! a global.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of Unix time in seconds. `None` means the time cannot be read (a system clock set
/// before 1970): the witness then refuses to cosign rather than state a false time.
#[derive(Clone)]
pub struct CosignClock(Arc<dyn Fn() -> Option<u64> + Send + Sync>);

impl CosignClock {
    /// The system clock.
    #[must_use]
    pub fn system() -> Self {
        Self::from_fn(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()
                .map(|elapsed| elapsed.as_secs())
        })
    }

    /// A clock that always reads `seconds`.
    #[must_use]
    pub fn fixed(seconds: u64) -> Self {
        Self::from_fn(move || Some(seconds))
    }

    /// A clock read through `now`.
    #[must_use]
    pub fn from_fn(now: impl Fn() -> Option<u64> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The current Unix time in seconds, if it can be read.
    #[must_use]
    pub fn now_seconds(&self) -> Option<u64> {
        (self.0)()
    }
}

impl fmt::Debug for CosignClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CosignClock").finish_non_exhaustive()
    }
}
