//! Keys of either algorithm, chosen per key: Ed25519 or ML-DSA-44 (FIPS 204).
//!
//! A deployment chooses, key by key, which algorithm signs:
//!
//! - the log's own checkpoint signatures ([`LogSigner`]): an Ed25519 note signature (type
//!   `0x01`), or an ML-DSA-44 cosignature by the log's key (type `0x06`, as C2SP
//!   tlog-checkpoint recommends); a log may hold one of each so that verifiers that know only
//!   Ed25519 keep working;
//! - a witness's cosignatures ([`Cosigner`], verified by [`CosignerVerifier`]): Ed25519
//!   cosignature/v1 (type `0x04`) or ML-DSA-44 (type `0x06`).
//!
//! Private key strings say their algorithm in their type byte, so one parser reads both. An
//! ML-DSA-44 key is boxed: it is a hundred times the size of an Ed25519 one.

use std::fmt;

use crate::cosignature::{CosignatureError, CosignatureSigner, CosignatureVerifier};
use crate::mldsa::{MlDsaCosignatureVerifier, MlDsaCosigner, SIGNATURE_TYPE_ML_DSA_44};
use crate::note::{
    Ed25519Signer, Ed25519Verifier, KeyError, KeyId, KeyName, NoteSignature, Verifier,
};

/// A signature algorithm a deployment chooses for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Ed25519: the signed-note default, understood by every verifier.
    Ed25519,
    /// ML-DSA-44 (FIPS 204): post-quantum, signature type `0x06`.
    MlDsa44,
}

impl Algorithm {
    /// The name used on command lines and in documentation: `ed25519` or `ml-dsa-44`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::MlDsa44 => "ml-dsa-44",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a private key string with `ed25519`, or as an ML-DSA-44 key when its type byte is
/// `0x06`.
fn parse_either<E, M>(
    text: &str,
    ed25519: impl FnOnce(&str) -> Result<E, KeyError>,
    ml_dsa: impl FnOnce(&str) -> Result<M, KeyError>,
) -> Result<Either<E, M>, KeyError> {
    match ed25519(text) {
        Ok(key) => Ok(Either::Ed25519(key)),
        Err(KeyError::WrongSignatureType {
            actual: SIGNATURE_TYPE_ML_DSA_44,
            ..
        }) => ml_dsa(text).map(Either::MlDsa44),
        Err(error) => Err(error),
    }
}

enum Either<E, M> {
    Ed25519(E),
    MlDsa44(M),
}

/// One of the log's checkpoint-signing keys. Its `Debug` output hides the seed.
#[expect(
    clippy::large_enum_variant,
    reason = "the ML-DSA-44 key (tens of kilobytes) is boxed; the Ed25519 one, a few hundred bytes, is not worth an allocation"
)]
#[derive(Debug, Clone)]
pub enum LogSigner {
    /// An Ed25519 note signer (type `0x01`).
    Ed25519(Ed25519Signer),
    /// An ML-DSA-44 cosigner named after the log's origin (type `0x06`).
    MlDsa44(Box<MlDsaCosigner>),
}

impl LogSigner {
    /// The signer of `algorithm` for a 32-byte seed the caller draws.
    #[must_use]
    pub fn from_seed(algorithm: Algorithm, name: KeyName, seed: &[u8; 32]) -> Self {
        match algorithm {
            Algorithm::Ed25519 => Self::Ed25519(Ed25519Signer::from_seed(name, seed)),
            Algorithm::MlDsa44 => Self::MlDsa44(Box::new(MlDsaCosigner::from_seed(name, seed))),
        }
    }

    /// Parses a private key string of either type.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Ok(
            match parse_either(text, Ed25519Signer::parse, MlDsaCosigner::parse)? {
                Either::Ed25519(key) => Self::Ed25519(key),
                Either::MlDsa44(key) => Self::MlDsa44(Box::new(key)),
            },
        )
    }

    /// The algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::Ed25519,
            Self::MlDsa44(_) => Algorithm::MlDsa44,
        }
    }

    /// The key name (by convention the log's origin).
    #[must_use]
    pub const fn name(&self) -> &KeyName {
        match self {
            Self::Ed25519(key) => key.name(),
            Self::MlDsa44(key) => key.name(),
        }
    }

    /// The private key string. It contains the secret seed.
    #[must_use]
    pub fn to_private_key_string(&self) -> String {
        match self {
            Self::Ed25519(key) => key.to_private_key_string(),
            Self::MlDsa44(key) => key.to_private_key_string(),
        }
    }

    /// The verifier key string, for whoever checks the log's checkpoints.
    #[must_use]
    pub fn verifier_key_string(&self) -> String {
        match self {
            Self::Ed25519(key) => key.verifier().to_key_string(),
            Self::MlDsa44(key) => key.verifier().to_key_string(),
        }
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> Box<dyn Verifier> {
        match self {
            Self::Ed25519(key) => Box::new(key.verifier()),
            Self::MlDsa44(key) => Box::new(key.verifier()),
        }
    }

    /// Signs a checkpoint's note text; an ML-DSA-44 signature states `timestamp_seconds` (Unix
    /// seconds, given by the caller), an Ed25519 one states no time.
    ///
    /// # Errors
    /// [`CosignatureError`] from the ML-DSA-44 cosignature (a text that is no checkpoint, a
    /// timestamp out of range).
    pub fn sign(
        &self,
        checkpoint_text: &str,
        timestamp_seconds: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        match self {
            Self::Ed25519(key) => Ok(key.sign(checkpoint_text)),
            Self::MlDsa44(key) => key.cosign(checkpoint_text, timestamp_seconds),
        }
    }
}

/// A witness's cosigning key. Its `Debug` output hides the seed.
#[expect(
    clippy::large_enum_variant,
    reason = "the ML-DSA-44 key (tens of kilobytes) is boxed; the Ed25519 one, a few hundred bytes, is not worth an allocation"
)]
#[derive(Debug, Clone)]
pub enum Cosigner {
    /// Ed25519 cosignature/v1 (type `0x04`).
    Ed25519(CosignatureSigner),
    /// ML-DSA-44 (type `0x06`).
    MlDsa44(Box<MlDsaCosigner>),
}

impl From<CosignatureSigner> for Cosigner {
    fn from(key: CosignatureSigner) -> Self {
        Self::Ed25519(key)
    }
}

impl From<MlDsaCosigner> for Cosigner {
    fn from(key: MlDsaCosigner) -> Self {
        Self::MlDsa44(Box::new(key))
    }
}

impl Cosigner {
    /// The cosigner of `algorithm` for a 32-byte seed the caller draws.
    #[must_use]
    pub fn from_seed(algorithm: Algorithm, name: KeyName, seed: &[u8; 32]) -> Self {
        match algorithm {
            Algorithm::Ed25519 => Self::Ed25519(CosignatureSigner::from_seed(name, seed)),
            Algorithm::MlDsa44 => Self::MlDsa44(Box::new(MlDsaCosigner::from_seed(name, seed))),
        }
    }

    /// Parses a private key string of either type (`0x04` or `0x06`).
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Ok(
            match parse_either(text, CosignatureSigner::parse, MlDsaCosigner::parse)? {
                Either::Ed25519(key) => Self::Ed25519(key),
                Either::MlDsa44(key) => Self::MlDsa44(Box::new(key)),
            },
        )
    }

    /// The algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::Ed25519,
            Self::MlDsa44(_) => Algorithm::MlDsa44,
        }
    }

    /// The private key string. It contains the secret seed.
    #[must_use]
    pub fn to_private_key_string(&self) -> String {
        match self {
            Self::Ed25519(key) => key.to_private_key_string(),
            Self::MlDsa44(key) => key.to_private_key_string(),
        }
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> CosignerVerifier {
        match self {
            Self::Ed25519(key) => CosignerVerifier::Ed25519(key.verifier()),
            Self::MlDsa44(key) => CosignerVerifier::MlDsa44(Box::new(key.verifier())),
        }
    }

    /// Cosigns a checkpoint body at `timestamp_seconds` (Unix seconds, given by the caller).
    ///
    /// # Errors
    /// [`CosignatureError`].
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp_seconds: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        match self {
            Self::Ed25519(key) => key.cosign(checkpoint_text, timestamp_seconds),
            Self::MlDsa44(key) => key.cosign(checkpoint_text, timestamp_seconds),
        }
    }
}

/// A witness's cosignature verifier key: Ed25519 cosignature/v1 (type `0x04`) or ML-DSA-44
/// (type `0x06`).
#[expect(
    clippy::large_enum_variant,
    reason = "the ML-DSA-44 key (tens of kilobytes) is boxed; the Ed25519 one, a few hundred bytes, is not worth an allocation"
)]
#[derive(Debug, Clone, PartialEq)]
pub enum CosignerVerifier {
    /// Ed25519 cosignature/v1.
    Ed25519(CosignatureVerifier),
    /// ML-DSA-44.
    MlDsa44(Box<MlDsaCosignatureVerifier>),
}

impl From<CosignatureVerifier> for CosignerVerifier {
    fn from(key: CosignatureVerifier) -> Self {
        Self::Ed25519(key)
    }
}

impl From<MlDsaCosignatureVerifier> for CosignerVerifier {
    fn from(key: MlDsaCosignatureVerifier) -> Self {
        Self::MlDsa44(Box::new(key))
    }
}

impl CosignerVerifier {
    /// Parses a verifier key string of either type.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Ok(
            match parse_either(
                text,
                CosignatureVerifier::parse,
                MlDsaCosignatureVerifier::parse,
            )? {
                Either::Ed25519(key) => Self::Ed25519(key),
                Either::MlDsa44(key) => Self::MlDsa44(Box::new(key)),
            },
        )
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_key_string(&self) -> String {
        match self {
            Self::Ed25519(key) => key.to_key_string(),
            Self::MlDsa44(key) => key.to_key_string(),
        }
    }

    /// Verifies a cosignature on a checkpoint body and returns its timestamp.
    ///
    /// # Errors
    /// The [`CosignatureError`] naming the check that failed.
    pub fn verify_cosignature(
        &self,
        checkpoint_text: &str,
        signature: &NoteSignature,
    ) -> Result<u64, CosignatureError> {
        match self {
            Self::Ed25519(key) => key.verify_cosignature(checkpoint_text, signature),
            Self::MlDsa44(key) => key.verify_cosignature(checkpoint_text, signature),
        }
    }
}

impl Verifier for CosignerVerifier {
    fn name(&self) -> &KeyName {
        match self {
            Self::Ed25519(key) => key.name(),
            Self::MlDsa44(key) => key.name(),
        }
    }

    fn key_id(&self) -> KeyId {
        match self {
            Self::Ed25519(key) => key.key_id(),
            Self::MlDsa44(key) => key.key_id(),
        }
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        match self {
            Self::Ed25519(key) => key.verify(text, signature),
            Self::MlDsa44(key) => key.verify(text, signature),
        }
    }
}

/// A log's checkpoint verifier key: Ed25519 (type `0x01`) or ML-DSA-44 (type `0x06`).
#[expect(
    clippy::large_enum_variant,
    reason = "the ML-DSA-44 key (tens of kilobytes) is boxed; the Ed25519 one, a few hundred bytes, is not worth an allocation"
)]
#[derive(Debug, Clone, PartialEq)]
pub enum LogVerifier {
    /// Ed25519.
    Ed25519(Ed25519Verifier),
    /// ML-DSA-44.
    MlDsa44(Box<MlDsaCosignatureVerifier>),
}

impl LogVerifier {
    /// Parses a verifier key string of either type.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Ok(
            match parse_either(
                text,
                Ed25519Verifier::parse,
                MlDsaCosignatureVerifier::parse,
            )? {
                Either::Ed25519(key) => Self::Ed25519(key),
                Either::MlDsa44(key) => Self::MlDsa44(Box::new(key)),
            },
        )
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_key_string(&self) -> String {
        match self {
            Self::Ed25519(key) => key.to_key_string(),
            Self::MlDsa44(key) => key.to_key_string(),
        }
    }
}

impl Verifier for LogVerifier {
    fn name(&self) -> &KeyName {
        match self {
            Self::Ed25519(key) => key.name(),
            Self::MlDsa44(key) => key.name(),
        }
    }

    fn key_id(&self) -> KeyId {
        match self {
            Self::Ed25519(key) => key.key_id(),
            Self::MlDsa44(key) => key.key_id(),
        }
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        match self {
            Self::Ed25519(key) => key.verify(text, signature),
            Self::MlDsa44(key) => key.verify(text, signature),
        }
    }
}
