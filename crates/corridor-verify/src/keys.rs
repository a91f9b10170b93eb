//! Verifier key strings (`<name>+<hex key id>+<base64(type || public key)>`, C2SP signed-note)
//! for the log and for its witnesses, of every type corridor verifies.

use corridor_log::cosignature::CosignatureVerifier;
use corridor_log::mldsa::{MlDsaCosignatureVerifier, SIGNATURE_TYPE_ML_DSA_44};
use corridor_log::note::{Ed25519Verifier, KeyError, Verifier};

/// A log's checkpoint-signing key: Ed25519 (type `0x01`), or ML-DSA-44 (type `0x06`, the
/// cosignature format C2SP tlog-checkpoint recommends logs sign with).
///
/// # Errors
/// The [`KeyError`] describing what is wrong with the string.
pub fn log_key(text: &str) -> Result<Box<dyn Verifier>, KeyError> {
    parse_either(text.trim(), Ed25519Verifier::parse)
}

/// A witness's cosigning key: Ed25519 cosignature v1 (type `0x04`) or ML-DSA-44 (type `0x06`).
///
/// # Errors
/// The [`KeyError`] describing what is wrong with the string.
pub fn witness_key(text: &str) -> Result<Box<dyn Verifier>, KeyError> {
    parse_either(text.trim(), CosignatureVerifier::parse)
}

/// Parses with `ed25519`, or as an ML-DSA-44 key when the type byte says so.
fn parse_either<V: Verifier + 'static>(
    text: &str,
    ed25519: fn(&str) -> Result<V, KeyError>,
) -> Result<Box<dyn Verifier>, KeyError> {
    match ed25519(text) {
        Ok(verifier) => Ok(Box::new(verifier)),
        Err(KeyError::WrongSignatureType {
            actual: SIGNATURE_TYPE_ML_DSA_44,
            ..
        }) => Ok(Box::new(MlDsaCosignatureVerifier::parse(text)?)),
        Err(error) => Err(error),
    }
}

/// The key that signs a deployment's releases of statistics (`<log origin>/statistics`):
/// Ed25519 (type `0x01`), a plain signed-note key.
///
/// # Errors
/// The [`KeyError`] describing what is wrong with the string.
pub fn statistics_key(text: &str) -> Result<Ed25519Verifier, KeyError> {
    Ed25519Verifier::parse(text.trim())
}
