//! C2SP tlog-cosignature v1 for Ed25519: a witness's timestamped signature on a checkpoint.
//!
//! A cosignature is a note signature line on the checkpoint. Its key id uses signature type
//! `0x04`: the first four bytes of `SHA-256(name || 0x0A || 0x04 || public key)`. Its
//! signature bytes are a `timestamped_signature`: the 8-byte big-endian Unix time in seconds,
//! then the 64-byte Ed25519 signature over
//!
//! ```text
//! cosignature/v1
//! time <seconds>
//! <the whole checkpoint body, extension lines included>
//! ```
//!
//! The statement is: as of that time, this is the largest checkpoint consistent with
//! everything the cosigner has seen from that log. Timestamps above `2^63 - 1` are refused on
//! both sides, as the spec requires. Key strings follow the note formats with type byte `0x04`:
//! `<name>+<hex key id>+<base64(0x04 || public key)>` and
//! `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || seed)>`.
//!
//! The time arrives as a value: this crate reads no clock.

use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use crate::note::{
    self, ED25519_SIGNATURE_SIZE_BYTES, KeyError, KeyId, KeyName, NoteSignature, Verifier,
};

/// The signature type byte of Ed25519 cosignatures (v1).
pub const SIGNATURE_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// The first line of the signed message, for domain separation.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1\n";

/// The largest timestamp a cosignature may carry: `2^63 - 1` seconds.
pub const MAX_TIMESTAMP_SECONDS: u64 = i64::MAX.unsigned_abs();

/// The size of a timestamp in a `timestamped_signature`.
const TIMESTAMP_SIZE_BYTES: usize = 8;

/// Why a cosignature could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    /// The timestamp is above [`MAX_TIMESTAMP_SECONDS`].
    #[error("timestamp {seconds} is above 2^63 - 1")]
    TimestampOutOfRange {
        /// The timestamp.
        seconds: u64,
    },
    /// The signature is by another key.
    #[error("the signature is by `{name}+{key_id}`, not by this cosigner")]
    WrongKey {
        /// The key name on the signature.
        name: KeyName,
        /// The key id on the signature.
        key_id: KeyId,
    },
    /// The signature bytes are not a timestamp and a signature of the key's type.
    #[error(
        "a timestamped signature of this key type is {expected_bytes} bytes, not {length_bytes}"
    )]
    WrongLength {
        /// The length a timestamped signature of the key's type has (72 for Ed25519).
        expected_bytes: usize,
        /// The length received.
        length_bytes: usize,
    },
    /// The cosigned text is not a checkpoint (ML-DSA-44 cosignatures sign its parsed fields).
    #[error("the cosigned text is not a checkpoint")]
    NotACheckpoint,
    /// The cosigner name or the log origin is longer than the 255 bytes the signed message
    /// allows (ML-DSA-44).
    #[error("the {field} is longer than 255 bytes")]
    FieldLength {
        /// Which field.
        field: &'static str,
    },
    /// The Ed25519 signature does not verify.
    #[error("the cosignature does not verify")]
    Invalid,
}

/// Refuses a timestamp above [`MAX_TIMESTAMP_SECONDS`], on either side.
pub(crate) const fn check_timestamp(timestamp_seconds: u64) -> Result<(), CosignatureError> {
    if timestamp_seconds > MAX_TIMESTAMP_SECONDS {
        return Err(CosignatureError::TimestampOutOfRange {
            seconds: timestamp_seconds,
        });
    }
    Ok(())
}

/// Refuses a signature line that names another key than `(name, key_id)`.
pub(crate) fn check_signer(
    name: &KeyName,
    key_id: KeyId,
    signature: &NoteSignature,
) -> Result<(), CosignatureError> {
    if signature.name() != name || signature.key_id() != key_id {
        return Err(CosignatureError::WrongKey {
            name: signature.name().clone(),
            key_id: signature.key_id(),
        });
    }
    Ok(())
}

/// The message an Ed25519 v1 cosignature signs.
#[must_use]
pub fn signed_message(checkpoint_text: &str, timestamp_seconds: u64) -> String {
    format!("{COSIGNATURE_V1_HEADER}time {timestamp_seconds}\n{checkpoint_text}")
}

/// A witness's Ed25519 cosigning key. Its `Debug` output hides the seed.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: KeyName,
    key_id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosignatureSigner")
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// The cosigner for a 32-byte Ed25519 seed; callers generate the seed.
    #[must_use]
    pub fn from_seed(name: KeyName, seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let key_id = note::key_id(
            &name,
            SIGNATURE_TYPE_COSIGNATURE_V1,
            key.verifying_key().as_bytes(),
        );
        Self { name, key_id, key }
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || seed)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = note::parse_signer_key(text, SIGNATURE_TYPE_COSIGNATURE_V1)?;
        Ok(Self { name, key_id, key })
    }

    /// The signer key string. It contains the private seed: keep it secret.
    #[must_use]
    pub fn to_private_key_string(&self) -> String {
        format!(
            "PRIVATE+KEY+{}",
            note::format_key(
                &self.name,
                self.key_id,
                SIGNATURE_TYPE_COSIGNATURE_V1,
                self.key.as_bytes()
            )
        )
    }

    /// The key name.
    #[must_use]
    pub const fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key id.
    #[must_use]
    pub const fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Cosigns a checkpoint body at `timestamp_seconds` (Unix seconds, given by the caller).
    ///
    /// # Errors
    /// [`CosignatureError::TimestampOutOfRange`].
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp_seconds: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        check_timestamp(timestamp_seconds)?;
        let message = signed_message(checkpoint_text, timestamp_seconds);
        let signature = self.key.sign(message.as_bytes());
        let mut bytes = Vec::with_capacity(TIMESTAMP_SIZE_BYTES + ED25519_SIGNATURE_SIZE_BYTES);
        bytes.extend_from_slice(&timestamp_seconds.to_be_bytes());
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(NoteSignature::from_signer(&self.name, self.key_id, bytes))
    }
}

/// A witness's Ed25519 cosignature verifier key (signature type `0x04`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: KeyName,
    key_id: KeyId,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// The verifier for a 32-byte Ed25519 public key.
    ///
    /// # Errors
    /// [`KeyError::InvalidPublicKey`].
    pub fn new(name: KeyName, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyError::InvalidPublicKey)?;
        let key_id = note::key_id(&name, SIGNATURE_TYPE_COSIGNATURE_V1, public_key);
        Ok(Self { name, key_id, key })
    }

    /// Parses `<name>+<hex key id>+<base64(0x04 || public key)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = note::parse_verifier_key(text, SIGNATURE_TYPE_COSIGNATURE_V1)?;
        Ok(Self { name, key_id, key })
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_key_string(&self) -> String {
        note::format_key(
            &self.name,
            self.key_id,
            SIGNATURE_TYPE_COSIGNATURE_V1,
            self.key.as_bytes(),
        )
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
        check_signer(&self.name, self.key_id, signature)?;
        self.check(checkpoint_text, signature.signature())
    }

    fn check(&self, checkpoint_text: &str, bytes: &[u8]) -> Result<u64, CosignatureError> {
        let wrong_length = CosignatureError::WrongLength {
            expected_bytes: TIMESTAMP_SIZE_BYTES + ED25519_SIGNATURE_SIZE_BYTES,
            length_bytes: bytes.len(),
        };
        let (timestamp, ed25519_signature) = bytes
            .split_first_chunk::<TIMESTAMP_SIZE_BYTES>()
            .ok_or(wrong_length.clone())?;
        if ed25519_signature.len() != ED25519_SIGNATURE_SIZE_BYTES {
            return Err(wrong_length);
        }
        let timestamp_seconds = u64::from_be_bytes(*timestamp);
        check_timestamp(timestamp_seconds)?;
        let message = signed_message(checkpoint_text, timestamp_seconds);
        if note::verify_ed25519(&self.key, message.as_bytes(), ed25519_signature) {
            Ok(timestamp_seconds)
        } else {
            Err(CosignatureError::Invalid)
        }
    }
}

impl Verifier for CosignatureVerifier {
    fn name(&self) -> &KeyName {
        &self.name
    }

    fn key_id(&self) -> KeyId {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        self.check(text, signature).is_ok()
    }
}
