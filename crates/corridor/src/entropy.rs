//! Where ids, keys and nonces come from: the operating system, or a seed for reproducible demos.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// A source of randomness. Demos and tests use a seed so two runs write identical bytes.
#[derive(Debug)]
pub enum Entropy {
    /// The operating system's generator.
    System,
    /// A ChaCha20 stream from a seed.
    Seeded(Box<ChaCha20Rng>),
}

impl Entropy {
    /// A seeded source.
    pub fn seeded(seed: u64) -> Self {
        Self::Seeded(Box::new(ChaCha20Rng::seed_from_u64(seed)))
    }

    /// Fills `buffer` with random bytes.
    pub fn fill(&mut self, buffer: &mut [u8]) -> anyhow::Result<()> {
        match self {
            Self::System => getrandom::fill(buffer).map_err(|error| {
                anyhow::anyhow!("the operating system gave no randomness: {error}")
            }),
            Self::Seeded(rng) => {
                rng.fill_bytes(buffer);
                Ok(())
            }
        }
    }

    /// A random array.
    pub fn array<const N: usize>(&mut self) -> anyhow::Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.fill(&mut bytes)?;
        Ok(bytes)
    }

    /// A random 64-bit number.
    pub fn u64(&mut self) -> anyhow::Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}
