//! Verifier key strings (`<name>+<hex key id>+<base64(type || public key)>`, C2SP signed-note)
//! for the log and for its witnesses.

use corridor_log::cosignature::CosignatureVerifier;
use corridor_log::note::{Ed25519Verifier, KeyError, Verifier};

/// A log's checkpoint-signing key: Ed25519 (type `0x01`).
///
/// # Errors
/// The [`KeyError`] describing what is wrong with the string.
pub fn log_key(text: &str) -> Result<Box<dyn Verifier>, KeyError> {
    Ok(Box::new(Ed25519Verifier::parse(text.trim())?))
}

/// A witness's cosigning key: Ed25519 cosignature v1 (type `0x04`).
///
/// # Errors
/// The [`KeyError`] describing what is wrong with the string.
pub fn witness_key(text: &str) -> Result<Box<dyn Verifier>, KeyError> {
    Ok(Box::new(CosignatureVerifier::parse(text.trim())?))
}
