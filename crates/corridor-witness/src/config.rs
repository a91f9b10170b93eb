//! The witness's configuration, from key strings to a validated [`Witness`] in one step.
//!
//! A witness follows logs. Each log is known by its origin (the first line of its checkpoints)
//! and the verifier keys that sign its checkpoints, written as C2SP signed-note key strings
//! `<name>+<hex key id>+<base64(type || public key)>`: Ed25519 (type `0x01`) or ML-DSA-44
//! (type `0x06`, a log that signs post-quantum). By C2SP convention a log's key
//! is named after its origin, so [`KnownLog::from_verifier_key`] takes the origin from the key
//! name; [`KnownLog::new`] names the origin separately (a log whose key has another name, or
//! one with several keys during a rotation).
//!
//! The witness cosigns with its own cosigning key (C2SP tlog-cosignature), of the algorithm the
//! deployment chose: Ed25519 cosignature/v1 (type `0x04`) or ML-DSA-44 (type `0x06`), given as
//! `PRIVATE+KEY+<name>+<hex key id>+<base64(type || seed)>`. [`generate_cosigner_key`] makes one
//! from 32 seed bytes that the caller draws: this crate draws no randomness of its own.

use corridor_log::checkpoint::Checkpoint;
use corridor_log::hash::empty_root;
use corridor_log::keys::{Algorithm, Cosigner, LogVerifier};
use corridor_log::note::{KeyError, KeyName, Verifier as _, VerifierSet};
use corridor_log::witness::{Witness, WitnessConfigError};

/// The most verifier keys one log may have: enough for a rotation or two in progress, few
/// enough that a mistaken configuration cannot make every checkpoint check slow.
pub const MAX_KEYS_PER_LOG: usize = 8;

/// Why the witness configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The witness's cosigning key string does not parse.
    #[error("the witness cosigning key is not a valid cosignature signer key")]
    InvalidCosignerKey(#[source] KeyError),
    /// The key name for a new cosigning key is not a valid note key name.
    #[error("`{name}` is not a valid key name")]
    InvalidKeyName {
        /// The name given.
        name: String,
        /// Why it is invalid.
        #[source]
        source: KeyError,
    },
    /// A log's verifier key string does not parse.
    #[error("log verifier key `{key}` is not a valid note verifier key (Ed25519 or ML-DSA-44)")]
    InvalidLogKey {
        /// The key string given (a public key, safe to show).
        key: String,
        /// Why it is invalid.
        #[source]
        source: KeyError,
    },
    /// The origin cannot be a checkpoint's first line.
    #[error(
        "`{origin}` is not a valid log origin: it must be non-empty, without control characters"
    )]
    InvalidOrigin {
        /// The origin given.
        origin: String,
    },
    /// A log was given no key.
    #[error("log `{origin}` has no verifier key")]
    NoLogKeys {
        /// The log's origin.
        origin: String,
    },
    /// A log was given more than [`MAX_KEYS_PER_LOG`] keys.
    #[error("log `{origin}` has {count} verifier keys, more than the {MAX_KEYS_PER_LOG} allowed")]
    TooManyLogKeys {
        /// The log's origin.
        origin: String,
        /// How many keys were given.
        count: usize,
    },
    /// The same key is given twice for one log.
    #[error("log `{origin}` lists a verifier key twice")]
    DuplicateLogKey {
        /// The log's origin.
        origin: String,
        /// The duplicate key.
        #[source]
        source: KeyError,
    },
    /// Two logs have the same origin.
    #[error("log origin `{origin}` is configured twice")]
    DuplicateOrigin {
        /// The origin.
        origin: String,
    },
}

/// A log the witness follows: its origin and the keys that sign its checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownLog {
    // INVARIANT: a valid checkpoint origin (non-empty, no control characters).
    origin: String,
    // INVARIANT: 1 to MAX_KEYS_PER_LOG keys, no two with the same name and key id.
    keys: Vec<LogVerifier>,
}

impl KnownLog {
    /// A log whose origin is its key's name, the C2SP convention.
    ///
    /// # Errors
    /// [`ConfigError::InvalidLogKey`], or [`ConfigError::InvalidOrigin`] for a key name that
    /// cannot be an origin.
    pub fn from_verifier_key(key: &str) -> Result<Self, ConfigError> {
        let verifier = parse_log_key(key)?;
        let origin = verifier.name().as_str().to_owned();
        Self::from_verifiers(origin, vec![verifier])
    }

    /// A log with an explicit origin and one or more verifier keys.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOrigin`], [`ConfigError::InvalidLogKey`],
    /// [`ConfigError::NoLogKeys`], [`ConfigError::TooManyLogKeys`] or
    /// [`ConfigError::DuplicateLogKey`].
    pub fn new(origin: impl Into<String>, keys: &[&str]) -> Result<Self, ConfigError> {
        let verifiers = keys
            .iter()
            .map(|key| parse_log_key(key))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_verifiers(origin.into(), verifiers)
    }

    fn from_verifiers(origin: String, keys: Vec<LogVerifier>) -> Result<Self, ConfigError> {
        // The origin is checked the way a checkpoint's first line is, so a configured log can
        // match a checkpoint at all.
        if Checkpoint::new(origin.as_str(), 0, empty_root()).is_err() {
            return Err(ConfigError::InvalidOrigin { origin });
        }
        if keys.is_empty() {
            return Err(ConfigError::NoLogKeys { origin });
        }
        if keys.len() > MAX_KEYS_PER_LOG {
            return Err(ConfigError::TooManyLogKeys {
                origin,
                count: keys.len(),
            });
        }
        let log = Self { origin, keys };
        // Building the set checks that no key is listed twice.
        log.verifier_set()?;
        Ok(log)
    }

    /// The log's origin.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's verifier keys.
    #[must_use]
    pub fn keys(&self) -> &[LogVerifier] {
        &self.keys
    }

    fn verifier_set(&self) -> Result<VerifierSet, ConfigError> {
        let mut set = VerifierSet::new();
        for key in &self.keys {
            set.add(key.clone())
                .map_err(|source| ConfigError::DuplicateLogKey {
                    origin: self.origin.clone(),
                    source,
                })?;
        }
        Ok(set)
    }
}

fn parse_log_key(key: &str) -> Result<LogVerifier, ConfigError> {
    LogVerifier::parse(key).map_err(|source| ConfigError::InvalidLogKey {
        key: key.to_owned(),
        source,
    })
}

/// The witness: its cosigning key (a private key string) and the logs it follows.
///
/// # Errors
/// [`ConfigError::InvalidCosignerKey`], [`ConfigError::DuplicateOrigin`], or
/// [`ConfigError::DuplicateLogKey`].
pub fn build_witness(cosigner_key: &str, logs: &[KnownLog]) -> Result<Witness, ConfigError> {
    let cosigner = Cosigner::parse(cosigner_key).map_err(ConfigError::InvalidCosignerKey)?;
    let mut witness = Witness::new(cosigner);
    for log in logs {
        witness
            .add_log(log.origin.clone(), log.verifier_set()?)
            .map_err(|error| match error {
                WitnessConfigError::DuplicateOrigin { origin } => {
                    ConfigError::DuplicateOrigin { origin }
                }
            })?;
    }
    Ok(witness)
}

/// A new cosigning key string `PRIVATE+KEY+<name>+<hex key id>+<base64(type || seed)>` of
/// `algorithm` (Ed25519 cosignature/v1 `0x04` or ML-DSA-44 `0x06`) from 32 seed bytes the caller
/// draws from a secure random source. The string holds the secret seed.
///
/// # Errors
/// [`ConfigError::InvalidKeyName`].
pub fn generate_cosigner_key(
    algorithm: Algorithm,
    name: &str,
    seed: &[u8; 32],
) -> Result<String, ConfigError> {
    let key_name = KeyName::new(name).map_err(|source| ConfigError::InvalidKeyName {
        name: name.to_owned(),
        source,
    })?;
    Ok(Cosigner::from_seed(algorithm, key_name, seed).to_private_key_string())
}

/// The public verifier key string of a cosigning key, to hand to the logs and monitors that
/// check this witness's cosignatures.
///
/// # Errors
/// [`ConfigError::InvalidCosignerKey`].
pub fn cosigner_verifier_key(cosigner_key: &str) -> Result<String, ConfigError> {
    let cosigner = Cosigner::parse(cosigner_key).map_err(ConfigError::InvalidCosignerKey)?;
    Ok(cosigner.verifier().to_key_string())
}
