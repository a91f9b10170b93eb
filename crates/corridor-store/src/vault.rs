//! Sealed personal data: one key per case, wrapped by a master key.
//!
//! Personal data is sealed with XChaCha20-Poly1305 under a random 256-bit key that belongs to one
//! case; that key is stored only wrapped (XChaCha20-Poly1305 under a key derived from the master
//! key with HKDF-SHA-256). Both ciphertexts bind the case id as associated data, so a sealed blob
//! or a wrapped key copied to another case does not open. Destroying the wrapped key erases the
//! case: the events keep only ciphertext, which nobody can open any more.
//!
//! Randomness (keys and nonces) is passed in, so demos with a seed are reproducible.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use corridor_domain::{CaseId, ComplaintId, PersonalData, Sealed};
use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// Bytes in a key.
pub const KEY_BYTES: usize = 32;
/// Bytes in an XChaCha20 nonce.
pub const NONCE_BYTES: usize = 24;
/// Largest sealed personal-data blob accepted, before base64.
pub const SEALED_BYTES_MAX: usize = 64 * 1024;

const WRAP_INFO: &[u8] = b"corridor/v1/case-key-wrap";
const IDEMPOTENCY_INFO: &[u8] = b"corridor/v1/idempotent-case-id";
const SEAL_CONTEXT: &[u8] = b"corridor/v1/personal-data/";
const RECEIPT_INFO: &[u8] = b"corridor/v1/complaint-receipt";
const COMPLAINT_WRAP_CONTEXT: &[u8] = b"corridor/v1/complaint-key/";
const COMPLAINT_SEAL_CONTEXT: &[u8] = b"corridor/v1/complaint/";

/// Failures of sealing and opening.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The master key is not 32 bytes of hex or base64.
    #[error("the master key must be 32 bytes written as 64 hex digits or base64: {0}")]
    MasterKey(String),
    /// A ciphertext did not authenticate: wrong key, wrong case, or tampering.
    #[error("ciphertext for {case} does not authenticate (wrong key, wrong case, or altered data)")]
    Authentication {
        /// The case.
        case: CaseId,
    },
    /// The blob is malformed.
    #[error("sealed data for {case} is malformed: {reason}")]
    Malformed {
        /// The case.
        case: CaseId,
        /// Why.
        reason: String,
    },
}

/// The master key, held in memory only.
pub struct MasterKey {
    wrapping: XChaCha20Poly1305,
    idempotency: [u8; KEY_BYTES],
    receipt: [u8; KEY_BYTES],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    /// Builds the master key from 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"corridor master key"), &bytes);
        let mut wrapping_key = [0u8; KEY_BYTES];
        // 32 bytes is far below HKDF-SHA-256's 8160-byte limit, so expansion cannot fail.
        let _ = hkdf.expand(WRAP_INFO, &mut wrapping_key);
        let mut idempotency = [0u8; KEY_BYTES];
        let _ = hkdf.expand(IDEMPOTENCY_INFO, &mut idempotency);
        let mut receipt = [0u8; KEY_BYTES];
        let _ = hkdf.expand(RECEIPT_INFO, &mut receipt);
        Self {
            wrapping: XChaCha20Poly1305::new(&wrapping_key.into()),
            idempotency,
            receipt,
        }
    }

    /// The keyed hash (hex) a complaint's receipt code is stored as: HMAC-SHA-256 under a key
    /// derived from the master key. Without the master key nobody can test codes against the
    /// stored hashes; with the code, the hash finds its complaint.
    pub fn receipt_hash(&self, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.receipt)
            .unwrap_or_else(|_| <Hmac<Sha256> as hmac::KeyInit>::new(&Default::default()));
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Wraps a complaint's key for storage: nonce ‖ ciphertext, bound to the complaint's id.
    pub fn wrap_complaint_key(
        &self,
        complaint: ComplaintId,
        key: &[u8; KEY_BYTES],
        nonce: [u8; NONCE_BYTES],
    ) -> Vec<u8> {
        let aad = [COMPLAINT_WRAP_CONTEXT, complaint.to_string().as_bytes()].concat();
        let sealed = self
            .wrapping
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: key,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    /// Unwraps a stored complaint key; `None` if it does not authenticate.
    pub fn unwrap_complaint_key(
        &self,
        complaint: ComplaintId,
        wrapped: &[u8],
    ) -> Option<[u8; KEY_BYTES]> {
        let (nonce, sealed) = wrapped.split_at_checked(NONCE_BYTES)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let aad = [COMPLAINT_WRAP_CONTEXT, complaint.to_string().as_bytes()].concat();
        let key = self
            .wrapping
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .ok()?;
        key.try_into().ok()
    }

    /// The id a creation with an idempotency key gets: HMAC-SHA-256, under a key derived from
    /// the master key, of what is created (`kind`: `case`, `hold`), the user, where (the
    /// agreement of a case, the court of a hold) and the client's key. The same four always give
    /// the same id, so a retried creation finds what it made; nobody without the master key can
    /// tell which key gave which id.
    pub fn idempotent_id(
        &self,
        kind: &str,
        user: &str,
        within: &str,
        idempotency_key: &str,
    ) -> u64 {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.idempotency)
            .unwrap_or_else(|_| {
                // HMAC accepts keys of any length; this branch is unreachable.
                <Hmac<Sha256> as hmac::KeyInit>::new(&Default::default())
            });
        for part in [kind, user, within, idempotency_key] {
            // Length-prefixed, so no two different triples give the same input.
            mac.update(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
            mac.update(part.as_bytes());
        }
        let digest: [u8; 32] = mac.finalize().into_bytes().into();
        let first = digest.first_chunk::<8>().copied().unwrap_or_default();
        u64::from_be_bytes(first)
    }

    /// Parses a master key written as 64 hex digits or as base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let text = text.trim();
        let bytes = if text.len() == 2 * KEY_BYTES {
            hex::decode(text).map_err(|error| VaultError::MasterKey(error.to_string()))?
        } else {
            BASE64
                .decode(text)
                .map_err(|error| VaultError::MasterKey(error.to_string()))?
        };
        let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            VaultError::MasterKey(format!("got {} bytes", bytes.len()))
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// Wraps a case key for storage: nonce ‖ ciphertext.
    pub fn wrap(
        &self,
        case: CaseId,
        case_key: &[u8; KEY_BYTES],
        nonce: [u8; NONCE_BYTES],
    ) -> Vec<u8> {
        let aad = case.to_string();
        let sealed = self
            .wrapping
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: case_key,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    /// Unwraps a stored case key.
    pub fn unwrap_key(&self, case: CaseId, wrapped: &[u8]) -> Result<[u8; KEY_BYTES], VaultError> {
        let (nonce, sealed) = split_nonce(case, wrapped)?;
        let aad = case.to_string();
        let key = self
            .wrapping
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Authentication { case })?;
        key.try_into().map_err(|_| VaultError::Malformed {
            case,
            reason: "key length".to_owned(),
        })
    }
}

fn split_nonce(case: CaseId, bytes: &[u8]) -> Result<(XNonce, &[u8]), VaultError> {
    if bytes.len() < NONCE_BYTES {
        return Err(VaultError::Malformed {
            case,
            reason: "shorter than a nonce".to_owned(),
        });
    }
    let (nonce, rest) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| VaultError::Malformed {
        case,
        reason: "nonce length".to_owned(),
    })?;
    Ok((XNonce::from(nonce), rest))
}

fn seal_aad(case: CaseId) -> Vec<u8> {
    [SEAL_CONTEXT, case.to_string().as_bytes()].concat()
}

/// Seals personal data with a case key: base64(nonce ‖ ciphertext).
pub fn seal(
    case: CaseId,
    case_key: &[u8; KEY_BYTES],
    nonce: [u8; NONCE_BYTES],
    data: &PersonalData,
) -> Sealed {
    let cipher = XChaCha20Poly1305::new(&(*case_key).into());
    let plain = serde_json::to_vec(data).unwrap_or_default();
    let aad = seal_aad(case);
    let sealed = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &plain,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    Sealed(BASE64.encode([nonce.as_slice(), &sealed].concat()))
}

/// Opens sealed personal data with the case key.
pub fn open(
    case: CaseId,
    case_key: &[u8; KEY_BYTES],
    sealed: &Sealed,
) -> Result<PersonalData, VaultError> {
    let bytes = BASE64
        .decode(&sealed.0)
        .map_err(|error| VaultError::Malformed {
            case,
            reason: error.to_string(),
        })?;
    if bytes.len() > SEALED_BYTES_MAX {
        return Err(VaultError::Malformed {
            case,
            reason: "too large".to_owned(),
        });
    }
    let (nonce, ciphertext) = split_nonce(case, &bytes)?;
    let cipher = XChaCha20Poly1305::new(&(*case_key).into());
    let aad = seal_aad(case);
    let plain = cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| VaultError::Authentication { case })?;
    serde_json::from_slice(&plain).map_err(|error| VaultError::Malformed {
        case,
        reason: error.to_string(),
    })
}

/// Seals one part of a complaint (`part`: `lodged`, `reply`) with the complaint's key:
/// base64(nonce ‖ ciphertext), bound to the complaint and the part.
pub fn seal_complaint(
    complaint: ComplaintId,
    part: &str,
    key: &[u8; KEY_BYTES],
    nonce: [u8; NONCE_BYTES],
    plain: &[u8],
) -> Sealed {
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    let aad = complaint_aad(complaint, part);
    let sealed = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    Sealed(BASE64.encode([nonce.as_slice(), &sealed].concat()))
}

/// Opens a part of a complaint sealed by [`seal_complaint`]; `None` if it does not authenticate.
pub fn open_complaint(
    complaint: ComplaintId,
    part: &str,
    key: &[u8; KEY_BYTES],
    sealed: &Sealed,
) -> Option<Vec<u8>> {
    let bytes = BASE64.decode(&sealed.0).ok()?;
    if bytes.len() > SEALED_BYTES_MAX {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at_checked(NONCE_BYTES)?;
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    let aad = complaint_aad(complaint, part);
    cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .ok()
}

fn complaint_aad(complaint: ComplaintId, part: &str) -> Vec<u8> {
    [
        COMPLAINT_SEAL_CONTEXT,
        complaint.to_string().as_bytes(),
        b"/",
        part.as_bytes(),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complaint's sealed text opens only with its key, for its id and part; its wrapped key
    /// only for its id; the receipt hash is keyed.
    #[test]
    fn complaint_seal_binds_key_id_and_part() {
        let master = MasterKey::from_bytes([7; KEY_BYTES]);
        let id = ComplaintId::from_u64(1);
        let key = [3; KEY_BYTES];
        let sealed = seal_complaint(id, "lodged", &key, [1; NONCE_BYTES], b"text");
        assert_eq!(
            open_complaint(id, "lodged", &key, &sealed).as_deref(),
            Some(&b"text"[..])
        );
        assert!(open_complaint(id, "reply", &key, &sealed).is_none());
        assert!(open_complaint(ComplaintId::from_u64(2), "lodged", &key, &sealed).is_none());
        assert!(open_complaint(id, "lodged", &[4; KEY_BYTES], &sealed).is_none());
        let wrapped = master.wrap_complaint_key(id, &key, [2; NONCE_BYTES]);
        assert_eq!(master.unwrap_complaint_key(id, &wrapped), Some(key));
        assert!(
            master
                .unwrap_complaint_key(ComplaintId::from_u64(2), &wrapped)
                .is_none()
        );
        let other = MasterKey::from_bytes([8; KEY_BYTES]);
        assert_ne!(master.receipt_hash("code"), other.receipt_hash("code"));
        assert_eq!(master.receipt_hash("code"), master.receipt_hash("code"));
        assert_eq!(master.receipt_hash("code").len(), 64);
    }

    /// Sealed data opens with its own key and case only; wrapped keys likewise.
    #[test]
    fn seal_binds_key_and_case() {
        let master = MasterKey::from_bytes([7; KEY_BYTES]);
        let case = CaseId::from_u64(1);
        let other = CaseId::from_u64(2);
        let key = [9; KEY_BYTES];
        let data = PersonalData {
            name: "Synthetic Person".to_owned(),
            ..PersonalData::default()
        };
        let sealed = seal(case, &key, [1; NONCE_BYTES], &data);
        assert_eq!(open(case, &key, &sealed).unwrap(), data);
        assert!(open(other, &key, &sealed).is_err());
        assert!(open(case, &[8; KEY_BYTES], &sealed).is_err());
        let wrapped = master.wrap(case, &key, [2; NONCE_BYTES]);
        assert_eq!(master.unwrap_key(case, &wrapped).unwrap(), key);
        assert!(master.unwrap_key(other, &wrapped).is_err());
        assert!(
            MasterKey::from_bytes([6; KEY_BYTES])
                .unwrap_key(case, &wrapped)
                .is_err()
        );
        assert!(!sealed.0.contains("Synthetic"));
    }

    /// Master keys parse from hex and base64 and refuse other lengths.
    #[test]
    fn master_key_parsing() {
        assert!(MasterKey::parse(&"ab".repeat(32)).is_ok());
        assert!(MasterKey::parse(&BASE64.encode([1u8; 32])).is_ok());
        assert!(MasterKey::parse("abcd").is_err());
        assert!(MasterKey::parse(&BASE64.encode([1u8; 31])).is_err());
    }

    /// An idempotent id depends on the kind, the user, where, the client's key and the master
    /// key, on all five and on nothing else; moving a byte between parts changes it.
    #[test]
    fn idempotent_ids_depend_on_every_part() {
        let master = MasterKey::from_bytes([7; KEY_BYTES]);
        let id = master.idempotent_id("case", "officer.ada", "us-rwa-2025", "k-1");
        assert_eq!(
            id,
            MasterKey::from_bytes([7; KEY_BYTES]).idempotent_id(
                "case",
                "officer.ada",
                "us-rwa-2025",
                "k-1"
            )
        );
        for other in [
            master.idempotent_id("hold", "officer.ada", "us-rwa-2025", "k-1"),
            master.idempotent_id("case", "officer.bo", "us-rwa-2025", "k-1"),
            master.idempotent_id("case", "officer.ada", "uk-rwa-2024", "k-1"),
            master.idempotent_id("case", "officer.ada", "us-rwa-2025", "k-2"),
            master.idempotent_id("case", "officer.ad", "aus-rwa-2025", "k-1"),
            MasterKey::from_bytes([6; KEY_BYTES]).idempotent_id(
                "case",
                "officer.ada",
                "us-rwa-2025",
                "k-1",
            ),
        ] {
            assert_ne!(other, id);
        }
    }
}
