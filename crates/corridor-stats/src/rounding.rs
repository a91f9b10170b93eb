//! Keyed unbiased random rounding, and the deployment's protection settings.
//!
//! A count `v` with remainder `r = v mod base` is published as `v - r` (down) or `v - r + base`
//! (up). The direction comes from a draw `d`, the first 8 bytes of HMAC-SHA256 over the cell's
//! [`CellDefinition::canonical_bytes`] under the deployment's secret key, reduced modulo the
//! base: up when `d < r`. Over cells the draw is uniform, so a cell rounds up with probability
//! `r / base` and its expected published value is its true value (unbiased); the published value
//! is within `base - 1` of the truth. Because the draw depends on the definition only, the same
//! cell rounds the same way in every release: averaging many releases gains nothing.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::table::CellDefinition;
use crate::{DEFAULT_BASE, DEFAULT_THRESHOLD, MINIMUM_THRESHOLD, StatsError};

/// A deployment's disclosure-control settings: the suppression threshold, the rounding base and
/// the secret rounding key. The key never leaves it (its `Debug` does not print it).
#[derive(Clone)]
pub struct Protection {
    // INVARIANT: threshold >= MINIMUM_THRESHOLD, base >= 1, key not empty.
    threshold: u64,
    base: u64,
    key: Vec<u8>,
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Protection")
            .field("threshold", &self.threshold)
            .field("base", &self.base)
            .field("key", &"<secret>")
            .finish()
    }
}

impl Protection {
    /// The defaults (threshold 5, base 5) with the deployment's rounding key.
    pub fn new(key: &[u8]) -> Result<Self, StatsError> {
        if key.is_empty() {
            return Err(StatsError::KeyEmpty);
        }
        Ok(Self {
            threshold: DEFAULT_THRESHOLD,
            base: DEFAULT_BASE,
            key: key.to_vec(),
        })
    }

    /// The same settings with another threshold; refuses one below [`MINIMUM_THRESHOLD`].
    pub fn with_threshold(mut self, threshold: u64) -> Result<Self, StatsError> {
        if threshold < MINIMUM_THRESHOLD {
            return Err(StatsError::ThresholdTooLow(threshold));
        }
        self.threshold = threshold;
        Ok(self)
    }

    /// The same settings with another rounding base; 1 means no rounding.
    pub fn with_base(mut self, base: u64) -> Result<Self, StatsError> {
        if base == 0 {
            return Err(StatsError::BaseZero);
        }
        self.base = base;
        Ok(self)
    }

    /// Counts from 1 to `threshold - 1` are suppressed.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// Published counts are multiples of the base.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The cell's draw: the first 8 bytes of HMAC-SHA256(key, definition), big-endian.
    pub fn draw(&self, definition: &CellDefinition) -> u64 {
        // HMAC takes keys of any length; the error branch cannot be reached, and an empty key is
        // refused at construction anyway.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return 0;
        };
        mac.update(&definition.canonical_bytes());
        let tag = mac.finalize().into_bytes();
        let mut first = [0_u8; 8];
        for (out, byte) in first.iter_mut().zip(tag.iter()) {
            *out = *byte;
        }
        u64::from_be_bytes(first)
    }

    /// Whether a count of this cell with remainder `remainder` (`0 < remainder < base`) rounds up.
    pub fn rounds_up(&self, definition: &CellDefinition, remainder: u64) -> bool {
        // The modulo bias is below base / 2^64: far below anything measurable.
        self.draw(definition) % self.base < remainder
    }

    /// The published value of a count of this cell: a multiple of the base within `base - 1`.
    pub fn round(&self, definition: &CellDefinition, count: u64) -> u64 {
        let remainder = count % self.base;
        if remainder == 0 {
            return count;
        }
        let down = count - remainder;
        if self.rounds_up(definition, remainder) {
            down.saturating_add(self.base)
        } else {
            down
        }
    }
}
