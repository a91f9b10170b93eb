//! C2SP tlog-cosignature with ML-DSA-44 (FIPS 204): signature type `0x06`, post-quantum.
//!
//! The current C2SP texts define ML-DSA-44 for notes in one way only: the timestamped (sub)tree
//! *cosignature* of tlog-cosignature ("ML-DSA-44 signed message"), which signed-note lists as
//! type `0x06`. tlog-checkpoint ("Signatures") recommends that logs sign their own checkpoints
//! with that same cosignature type, so one key type serves both: a log's ML-DSA-44 checkpoint
//! signature is a cosignature by the log's key (named after its origin), and a witness's is a
//! cosignature by the witness's key. No plain "ML-DSA-44 signature over the note text" is
//! defined, and none is made here.
//!
//! - Key id: the first four bytes of `SHA-256(name || 0x0A || 0x06 || 1312-byte public key)`.
//! - Verifier key: `<name>+<hex key id>+<base64(0x06 || 1312-byte public key)>`.
//! - Signature bytes: `timestamped_signature` = 8-byte big-endian Unix seconds, then the
//!   2,420-byte ML-DSA-44 signature (pure ML-DSA, empty context) over the `cosigned_message`:
//!
//! ```text
//! struct {
//!     uint8 label[12] = "subtree/v1\n\0";
//!     opaque cosigner_name<1..2^8-1>;
//!     uint64 timestamp;
//!     opaque log_origin<1..2^8-1>;
//!     uint64 start;          (0 for a checkpoint)
//!     uint64 end;            (the tree size)
//!     uint8 hash[32];        (the root hash)
//! } cosigned_message;
//! ```
//!
//! Extension lines of the checkpoint are not signed (the spec's choice). Signer keys are 32-byte
//! ML-DSA seeds (FIPS 204 `ξ`); their string form, `PRIVATE+KEY+<name>+<hex key id>+base64(0x06
//! || seed)`, follows the Ed25519 signer keys' (the C2SP texts define no private key format).
//! Signing is deterministic (the crate draws no randomness).

use std::fmt;

use ml_dsa::{EncodedVerifyingKey, Keypair as _, MlDsa44, Signature, SigningKey, VerifyingKey};

use crate::checkpoint::Checkpoint;
use crate::cosignature::{CosignatureError, check_signer, check_timestamp};
use crate::note::{
    self, KeyError, KeyId, KeyName, NoteSignature, PRIVATE_KEY_PREFIX, Verifier, split_key_material,
};

/// The signature type byte of ML-DSA-44 (sub)tree cosignatures.
pub const SIGNATURE_TYPE_ML_DSA_44: u8 = 0x06;

/// The size of an ML-DSA-44 public key.
pub const ML_DSA_44_PUBLIC_KEY_SIZE_BYTES: usize = 1312;

/// The size of an ML-DSA-44 signature.
pub const ML_DSA_44_SIGNATURE_SIZE_BYTES: usize = 2420;

/// The size of an ML-DSA seed (FIPS 204 `ξ`).
pub const ML_DSA_SEED_SIZE_BYTES: usize = 32;

/// The fixed first 12 bytes of the signed message.
const LABEL: &[u8; 12] = b"subtree/v1\n\0";

/// The size of a timestamp in a `timestamped_signature`.
const TIMESTAMP_SIZE_BYTES: usize = 8;

/// The `cosigned_message` for a checkpoint (start 0, end its size) by `cosigner` at
/// `timestamp_seconds`.
///
/// # Errors
/// [`CosignatureError::FieldLength`] when the cosigner name or the origin is longer than 255
/// bytes.
pub fn cosigned_message(
    cosigner: &KeyName,
    timestamp_seconds: u64,
    checkpoint: &Checkpoint,
) -> Result<Vec<u8>, CosignatureError> {
    let name = cosigner.as_str().as_bytes();
    let origin = checkpoint.origin().as_bytes();
    let length = |field: &'static str, bytes: &[u8]| {
        u8::try_from(bytes.len()).map_err(|_| CosignatureError::FieldLength { field })
    };
    let mut message = Vec::with_capacity(LABEL.len() + 2 + name.len() + origin.len() + 24 + 32);
    message.extend_from_slice(LABEL);
    message.push(length("cosigner name", name)?);
    message.extend_from_slice(name);
    message.extend_from_slice(&timestamp_seconds.to_be_bytes());
    message.push(length("log origin", origin)?);
    message.extend_from_slice(origin);
    message.extend_from_slice(&0u64.to_be_bytes());
    message.extend_from_slice(&checkpoint.size().to_be_bytes());
    message.extend_from_slice(checkpoint.root().as_bytes());
    Ok(message)
}

fn parse_checkpoint(checkpoint_text: &str) -> Result<Checkpoint, CosignatureError> {
    Checkpoint::parse(checkpoint_text).map_err(|_| CosignatureError::NotACheckpoint)
}

/// An ML-DSA-44 cosigning key (a log's or a witness's). Its `Debug` output hides the seed.
#[derive(Clone)]
pub struct MlDsaCosigner {
    name: KeyName,
    key_id: KeyId,
    key: SigningKey<MlDsa44>,
}

impl fmt::Debug for MlDsaCosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlDsaCosigner")
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl MlDsaCosigner {
    /// The cosigner for a 32-byte ML-DSA seed; callers generate the seed.
    #[must_use]
    pub fn from_seed(name: KeyName, seed: &[u8; ML_DSA_SEED_SIZE_BYTES]) -> Self {
        let key = SigningKey::<MlDsa44>::from_seed(&(*seed).into());
        let public_key = key.verifying_key().encode();
        let key_id = note::key_id(&name, SIGNATURE_TYPE_ML_DSA_44, &public_key);
        Self { name, key_id, key }
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x06 || seed)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let rest = text
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .ok_or(KeyError::Malformed {
                reason: "a signer key starts with `PRIVATE+KEY+`",
            })?;
        let (name, stated, seed) = split_key_material(rest, SIGNATURE_TYPE_ML_DSA_44)?;
        let seed: [u8; ML_DSA_SEED_SIZE_BYTES] =
            seed.try_into().map_err(|_| KeyError::Malformed {
                reason: "an ML-DSA seed is 32 bytes",
            })?;
        let signer = Self::from_seed(name, &seed);
        if signer.key_id != stated {
            return Err(KeyError::KeyIdMismatch {
                stated,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    /// The signer key string. It contains the private seed: keep it secret.
    #[must_use]
    pub fn to_private_key_string(&self) -> String {
        format!(
            "{PRIVATE_KEY_PREFIX}{}",
            note::format_key(
                &self.name,
                self.key_id,
                SIGNATURE_TYPE_ML_DSA_44,
                &self.key.to_seed()
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
    pub fn verifier(&self) -> MlDsaCosignatureVerifier {
        MlDsaCosignatureVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Cosigns a checkpoint body at `timestamp_seconds` (Unix seconds, given by the caller).
    ///
    /// # Errors
    /// [`CosignatureError::TimestampOutOfRange`], [`CosignatureError::NotACheckpoint`] or
    /// [`CosignatureError::FieldLength`].
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp_seconds: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        check_timestamp(timestamp_seconds)?;
        let checkpoint = parse_checkpoint(checkpoint_text)?;
        let message = cosigned_message(&self.name, timestamp_seconds, &checkpoint)?;
        // Pure ML-DSA with the empty context; the context is at most 255 bytes, so this cannot
        // fail, and the error is reported rather than assumed away.
        let signature = self
            .key
            .expanded_key()
            .sign_deterministic(&message, &[])
            .map_err(|_| CosignatureError::Invalid)?;
        let mut bytes = Vec::with_capacity(TIMESTAMP_SIZE_BYTES + ML_DSA_44_SIGNATURE_SIZE_BYTES);
        bytes.extend_from_slice(&timestamp_seconds.to_be_bytes());
        bytes.extend_from_slice(&signature.encode());
        NoteSignature::new(self.name.clone(), self.key_id, bytes)
            .map_err(|_| CosignatureError::Invalid)
    }
}

/// An ML-DSA-44 cosignature verifier key (signature type `0x06`).
#[derive(Debug, Clone, PartialEq)]
pub struct MlDsaCosignatureVerifier {
    name: KeyName,
    key_id: KeyId,
    key: VerifyingKey<MlDsa44>,
}

impl MlDsaCosignatureVerifier {
    /// Parses `<name>+<hex key id>+<base64(0x06 || 1312-byte public key)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, stated, public_key) = split_key_material(text, SIGNATURE_TYPE_ML_DSA_44)?;
        let encoded =
            EncodedVerifyingKey::<MlDsa44>::try_from(public_key.as_slice()).map_err(|_| {
                KeyError::Malformed {
                    reason: "an ML-DSA-44 public key is 1312 bytes",
                }
            })?;
        let computed = note::key_id(&name, SIGNATURE_TYPE_ML_DSA_44, &public_key);
        if computed != stated {
            return Err(KeyError::KeyIdMismatch { stated, computed });
        }
        Ok(Self {
            name,
            key_id: stated,
            key: VerifyingKey::decode(&encoded),
        })
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_key_string(&self) -> String {
        note::format_key(
            &self.name,
            self.key_id,
            SIGNATURE_TYPE_ML_DSA_44,
            &self.key.encode(),
        )
    }

    /// The 1312-byte public key.
    #[must_use]
    pub fn public_key(&self) -> Vec<u8> {
        self.key.encode().to_vec()
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
        let wrong_length = || CosignatureError::WrongLength {
            expected_bytes: TIMESTAMP_SIZE_BYTES + ML_DSA_44_SIGNATURE_SIZE_BYTES,
            length_bytes: bytes.len(),
        };
        let (timestamp, signature) = bytes
            .split_first_chunk::<TIMESTAMP_SIZE_BYTES>()
            .ok_or_else(wrong_length)?;
        let signature = Signature::<MlDsa44>::try_from(signature).map_err(|_| {
            if signature.len() == ML_DSA_44_SIGNATURE_SIZE_BYTES {
                // The right length but not a valid encoding (hint bits out of range).
                CosignatureError::Invalid
            } else {
                wrong_length()
            }
        })?;
        let timestamp_seconds = u64::from_be_bytes(*timestamp);
        check_timestamp(timestamp_seconds)?;
        let checkpoint = parse_checkpoint(checkpoint_text)?;
        let message = cosigned_message(&self.name, timestamp_seconds, &checkpoint)?;
        if self.key.verify_with_context(&message, &[], &signature) {
            Ok(timestamp_seconds)
        } else {
            Err(CosignatureError::Invalid)
        }
    }
}

impl Verifier for MlDsaCosignatureVerifier {
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
