//! C2SP signed notes: text signed by one or more keys.
//!
//! ```text
//! If you think cryptography is the answer to your problem,
//! then you don't know what your problem is.
//!
//! — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=
//! ```
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(key id || signature)>` (em dash U+2014, space). The text and the
//! signatures split at the *last* blank line, so the text may itself contain blank lines. No
//! control characters but newline may appear anywhere. Key names are non-empty and contain no
//! Unicode spaces and no `+`.
//!
//! Keys are identified by name and a 4-byte key id; for Ed25519 the id is the first four bytes
//! of `SHA-256(name || 0x0A || 0x01 || public key)`. Keys travel as strings:
//! - verifier keys: `<name>+<hex key id>+<base64(0x01 || 32-byte public key)>`;
//! - signer keys: `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>`.
//!
//! Verification ([`open`], [`Note::verify`]) follows the spec: signatures from unknown keys
//! are ignored; a signature from a known key must verify, or the whole note is rejected; a
//! note with no verified signature is rejected. Notes with more than [`MAX_SIGNATURES`]
//! signature lines are refused before any verification (the spec requires accepting at least
//! 16; 100 matches Go's `sumdb/note`, and bounds the work a hostile note can cause).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use crate::hash::sha256;

/// The most signature lines a note may carry. The signed-note spec requires verifiers to accept
/// at least 16 ([`MIN_ACCEPTED_SIGNATURES`]).
pub const MAX_SIGNATURES: usize = 100;

/// The number of signatures the signed-note spec says every verifier must accept.
pub const MIN_ACCEPTED_SIGNATURES: usize = 16;

/// The largest note accepted, in bytes. Checkpoints are a few hundred bytes; this leaves room
/// for [`MAX_SIGNATURES`] post-quantum signatures of nearly 5 kB each while bounding memory.
pub const MAX_NOTE_SIZE_BYTES: usize = 1024 * 1024;

/// The signature type byte of plain Ed25519 note signatures.
pub const SIGNATURE_TYPE_ED25519: u8 = 0x01;

/// The prefix of every signature line: an em dash (U+2014) and a space.
const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";

/// The prefix of a signer key string.
pub(crate) const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";

/// The size of an Ed25519 public key or seed.
const ED25519_KEY_SIZE_BYTES: usize = 32;

/// The size of an Ed25519 signature.
pub(crate) const ED25519_SIGNATURE_SIZE_BYTES: usize = 64;

/// The size of a key id.
const KEY_ID_SIZE_BYTES: usize = 4;

// The limit must honour the spec's floor.
const _: () = assert!(MAX_SIGNATURES >= MIN_ACCEPTED_SIGNATURES);

/// A key name: non-empty, with no Unicode spaces, no `+` and no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyName(String);

impl KeyName {
    /// Validates a key name.
    ///
    /// # Errors
    /// [`KeyError::InvalidName`] when the name is empty or contains a space, `+` or a control
    /// character.
    pub fn new(name: impl Into<String>) -> Result<Self, KeyError> {
        let name = name.into();
        let valid = !name.is_empty()
            && !name
                .chars()
                .any(|c| c == '+' || c.is_whitespace() || c < ' ');
        if valid {
            Ok(Self(name))
        } else {
            Err(KeyError::InvalidName { name })
        }
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 4-byte key id, shown as 8 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(u32);

impl KeyId {
    /// A key id from its big-endian `u32` value.
    #[must_use]
    pub const fn from_u32(value: u32) -> Self {
        Self(value)
    }

    /// The key id as a `u32`.
    #[must_use]
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The key id's four bytes, big-endian.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; KEY_ID_SIZE_BYTES] {
        self.0.to_be_bytes()
    }

    /// Parses exactly eight lowercase hex digits.
    fn parse_hex(text: &str) -> Option<Self> {
        let canonical = text.len() == 2 * KEY_ID_SIZE_BYTES
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if canonical {
            u32::from_str_radix(text, 16).ok().map(Self)
        } else {
            None
        }
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// The recommended key id: the first 4 bytes of `SHA-256(name || 0x0A || type || public key)`.
#[must_use]
pub fn key_id(name: &KeyName, signature_type: u8, public_key: &[u8]) -> KeyId {
    let mut material = Vec::with_capacity(name.0.len() + 2 + public_key.len());
    material.extend_from_slice(name.0.as_bytes());
    material.push(b'\n');
    material.push(signature_type);
    material.extend_from_slice(public_key);
    let [b0, b1, b2, b3, ..] = sha256(&material).to_bytes();
    KeyId(u32::from_be_bytes([b0, b1, b2, b3]))
}

/// One signature line of a note: who signed, with which key, and the signature bytes (without
/// the key id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    name: KeyName,
    key_id: KeyId,
    // INVARIANT: non-empty (a signature line carries more than its key id).
    signature: Vec<u8>,
}

impl NoteSignature {
    /// A signature by key `(name, key_id)`.
    ///
    /// # Errors
    /// [`NoteError::EmptySignature`] when `signature` is empty.
    pub fn new(name: KeyName, key_id: KeyId, signature: Vec<u8>) -> Result<Self, NoteError> {
        if signature.is_empty() {
            return Err(NoteError::EmptySignature);
        }
        Ok(Self {
            name,
            key_id,
            signature,
        })
    }

    /// A signature made by this crate's signers.
    // INVARIANT: callers pass a 64-byte Ed25519 signature or a 72-byte timestamped one, never
    // an empty one.
    pub(crate) fn from_signer(name: &KeyName, key_id: KeyId, signature: Vec<u8>) -> Self {
        Self {
            name: name.clone(),
            key_id,
            signature,
        }
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

    /// The signature bytes, after the key id.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Parses one signature line, without its final newline.
    ///
    /// # Errors
    /// [`NoteError::MalformedSignatureLine`].
    pub fn parse_line(line: &str) -> Result<Self, NoteError> {
        let malformed = |reason| NoteError::MalformedSignatureLine { reason };
        let rest = line
            .strip_prefix(SIGNATURE_LINE_PREFIX)
            .ok_or(malformed("it must start with an em dash and a space"))?;
        let (name, encoded) = rest
            .split_once(' ')
            .ok_or(malformed("it needs a key name and a signature"))?;
        let name = KeyName::new(name).map_err(|_| malformed("the key name is invalid"))?;
        let bytes = BASE64
            .decode(encoded)
            .map_err(|_| malformed("the signature is not standard base64"))?;
        let (key_id, signature) = bytes
            .split_first_chunk::<KEY_ID_SIZE_BYTES>()
            .filter(|(_, signature)| !signature.is_empty())
            .ok_or(malformed("the signature is shorter than five bytes"))?;
        Ok(Self {
            name,
            key_id: KeyId(u32::from_be_bytes(*key_id)),
            signature: signature.to_vec(),
        })
    }

    /// The signature line, with its final newline.
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut bytes = Vec::with_capacity(KEY_ID_SIZE_BYTES + self.signature.len());
        bytes.extend_from_slice(&self.key_id.to_bytes());
        bytes.extend_from_slice(&self.signature);
        format!(
            "{SIGNATURE_LINE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(bytes)
        )
    }
}

/// Why a note could not be parsed, built or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_SIZE_BYTES`].
    #[error("the note is {size_bytes} bytes, above the {MAX_NOTE_SIZE_BYTES}-byte limit")]
    TooLarge {
        /// The note's size.
        size_bytes: usize,
    },
    /// The note is not UTF-8.
    #[error("the note is not valid UTF-8")]
    NotUtf8,
    /// The note contains a control character other than newline.
    #[error("the note contains a control character other than newline")]
    ControlCharacter,
    /// The text is empty or does not end in a newline.
    #[error("the note text must be non-empty and end in a newline")]
    MalformedText,
    /// There is no blank line followed by signature lines.
    #[error("the note has no blank line followed by signature lines")]
    MissingSignatures,
    /// A signature line is malformed.
    #[error("malformed signature line: {reason}")]
    MalformedSignatureLine {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signature with no bytes after the key id.
    #[error("a signature must have bytes after its key id")]
    EmptySignature,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("the note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A signature from a known key does not verify.
    #[error("the signature of known key `{name}+{key_id}` does not verify")]
    InvalidSignature {
        /// The key name.
        name: KeyName,
        /// The key id.
        key_id: KeyId,
    },
    /// No signature verified with a known key.
    #[error("no signature from a known key")]
    NoVerifiedSignature,
}

/// A note: text and its signatures. The text is valid (non-empty, newline-terminated, no
/// control characters but newline); the signatures are not necessarily verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    // INVARIANT: non-empty, ends in '\n', no control character but '\n'.
    text: String,
    // INVARIANT: at most MAX_SIGNATURES entries.
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// An unsigned note with this text.
    ///
    /// # Errors
    /// [`NoteError::MalformedText`], [`NoteError::ControlCharacter`] or [`NoteError::TooLarge`].
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        if text.len() > MAX_NOTE_SIZE_BYTES {
            return Err(NoteError::TooLarge {
                size_bytes: text.len(),
            });
        }
        check_characters(&text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::MalformedText);
        }
        Ok(Self {
            text,
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note without verifying its signatures (see [`open`]).
    ///
    /// # Errors
    /// The [`NoteError`] describing the first syntax problem.
    pub fn parse(message: &[u8]) -> Result<Self, NoteError> {
        if message.len() > MAX_NOTE_SIZE_BYTES {
            return Err(NoteError::TooLarge {
                size_bytes: message.len(),
            });
        }
        let message = std::str::from_utf8(message).map_err(|_| NoteError::NotUtf8)?;
        check_characters(message)?;
        // The text keeps its final newline; the blank line after it is a separator.
        let split = message.rfind("\n\n").ok_or(NoteError::MissingSignatures)?;
        let (text, separator_and_signatures) = message.split_at(split + 1);
        let signature_block = separator_and_signatures
            .strip_prefix('\n')
            .ok_or(NoteError::MissingSignatures)?;
        if signature_block.is_empty() || !signature_block.ends_with('\n') {
            return Err(NoteError::MissingSignatures);
        }
        let lines = signature_block.split_terminator('\n');
        let mut signatures = Vec::new();
        for line in lines {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text, with its final newline.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, verified or not, in order.
    #[must_use]
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature, replacing any earlier one by the same key.
    ///
    /// # Errors
    /// [`NoteError::TooManySignatures`] when the note already has [`MAX_SIGNATURES`] others.
    pub fn add_signature(&mut self, signature: NoteSignature) -> Result<(), NoteError> {
        self.signatures
            .retain(|s| (&s.name, s.key_id) != (&signature.name, signature.key_id));
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// Signs the text with an Ed25519 key and adds the signature.
    ///
    /// # Errors
    /// [`NoteError::TooManySignatures`].
    pub fn sign(&mut self, signer: &Ed25519Signer) -> Result<(), NoteError> {
        let signature = signer.sign(&self.text);
        self.add_signature(signature)
    }

    /// The signed note: the text, a blank line, then the signature lines.
    ///
    /// A note without signatures is not a signed note and has no text form to parse back; its
    /// rendering ends with the blank line.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 1 + 128 * self.signatures.len());
        out.push_str(&self.text);
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.to_line());
        }
        out
    }

    /// Verifies the signatures against a set of trusted keys.
    ///
    /// Signatures from unknown keys are ignored. Every signature from a known key must verify,
    /// else the whole note is rejected (a bad signature from a trusted key is evidence of
    /// tampering or a key mix-up, never something to skip). Returns the verified signatures,
    /// one per key.
    ///
    /// # Errors
    /// [`NoteError::InvalidSignature`] or [`NoteError::NoVerifiedSignature`].
    pub fn verify(&self, verifiers: &VerifierSet) -> Result<Vec<&NoteSignature>, NoteError> {
        let mut verified: Vec<&NoteSignature> = Vec::new();
        for signature in &self.signatures {
            let Some(verifier) = verifiers.find(&signature.name, signature.key_id) else {
                continue;
            };
            if !verifier.verify(&self.text, &signature.signature) {
                return Err(NoteError::InvalidSignature {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                });
            }
            let already = verified
                .iter()
                .any(|v| (&v.name, v.key_id) == (&signature.name, signature.key_id));
            if !already {
                verified.push(signature);
            }
        }
        if verified.is_empty() {
            return Err(NoteError::NoVerifiedSignature);
        }
        Ok(verified)
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A note whose signatures were checked against trusted keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    note: Note,
    verified: Vec<NoteSignature>,
}

impl VerifiedNote {
    /// The note, with all its signatures (verified or from unknown keys).
    #[must_use]
    pub const fn note(&self) -> &Note {
        &self.note
    }

    /// The verified text.
    #[must_use]
    pub fn text(&self) -> &str {
        self.note.text()
    }

    /// The signatures that verified, one per key.
    #[must_use]
    pub fn verified_signatures(&self) -> &[NoteSignature] {
        &self.verified
    }
}

/// Parses a signed note and verifies it against trusted keys ([`Note::parse`] then
/// [`Note::verify`]).
///
/// # Errors
/// The [`NoteError`] of either step.
pub fn open(message: &[u8], verifiers: &VerifierSet) -> Result<VerifiedNote, NoteError> {
    let note = Note::parse(message)?;
    let verified = note.verify(verifiers)?.into_iter().cloned().collect();
    Ok(VerifiedNote { note, verified })
}

fn check_characters(text: &str) -> Result<(), NoteError> {
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    Ok(())
}

/// A key that can check note signatures: identified by name and key id, it says whether a
/// signature over a text is valid.
pub trait Verifier: fmt::Debug + Send + Sync {
    /// The key name.
    fn name(&self) -> &KeyName;
    /// The key id.
    fn key_id(&self) -> KeyId;
    /// Whether `signature` (the bytes after the key id) is valid over `text`.
    fn verify(&self, text: &str, signature: &[u8]) -> bool;
}

// A boxed key is a key: key strings of several types parse to `Box<dyn Verifier>`.
impl<V: Verifier + ?Sized> Verifier for Box<V> {
    fn name(&self) -> &KeyName {
        (**self).name()
    }

    fn key_id(&self) -> KeyId {
        (**self).key_id()
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        (**self).verify(text, signature)
    }
}

/// A set of trusted keys, at most one per `(name, key id)`.
#[derive(Debug, Default)]
pub struct VerifierSet {
    verifiers: Vec<Box<dyn Verifier>>,
}

impl VerifierSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trusted key.
    ///
    /// # Errors
    /// [`KeyError::DuplicateKey`] when a key with the same name and id is already trusted: the
    /// set could not tell which one a signature names.
    pub fn add(&mut self, verifier: impl Verifier + 'static) -> Result<(), KeyError> {
        if self.find(verifier.name(), verifier.key_id()).is_some() {
            return Err(KeyError::DuplicateKey {
                name: verifier.name().clone(),
                key_id: verifier.key_id(),
            });
        }
        self.verifiers.push(Box::new(verifier));
        Ok(())
    }

    /// Adds a trusted key, builder style.
    ///
    /// # Errors
    /// [`KeyError::DuplicateKey`].
    pub fn with(mut self, verifier: impl Verifier + 'static) -> Result<Self, KeyError> {
        self.add(verifier)?;
        Ok(self)
    }

    /// The trusted key with this name and id.
    #[must_use]
    pub fn find(&self, name: &KeyName, key_id: KeyId) -> Option<&dyn Verifier> {
        self.verifiers
            .iter()
            .find(|v| v.name() == name && v.key_id() == key_id)
            .map(|v| &**v)
    }

    /// The number of trusted keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.verifiers.len()
    }

    /// Whether no key is trusted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.verifiers.is_empty()
    }
}

/// Why a key or key string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key name is empty or contains a space, `+` or a control character.
    #[error("invalid key name `{name}`")]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The key string does not have the expected shape.
    #[error("malformed key string: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key is of another signature type.
    #[error("the key has signature type {actual:#04x}, not {expected:#04x}")]
    WrongSignatureType {
        /// The type this parser reads.
        expected: u8,
        /// The type in the key string.
        actual: u8,
    },
    /// The key id in the string is not the one computed from the name and key.
    #[error("key id {stated} does not match the key, whose id is {computed}")]
    KeyIdMismatch {
        /// The key id written in the string.
        stated: KeyId,
        /// The key id computed from the name and key.
        computed: KeyId,
    },
    /// The bytes are not a valid Ed25519 public key.
    #[error("not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// The same key is trusted twice.
    #[error("key `{name}+{key_id}` is already trusted")]
    DuplicateKey {
        /// The key name.
        name: KeyName,
        /// The key id.
        key_id: KeyId,
    },
}

/// An Ed25519 note verifier key (signature type `0x01`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: KeyName,
    key_id: KeyId,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// The verifier for a 32-byte Ed25519 public key.
    ///
    /// # Errors
    /// [`KeyError::InvalidPublicKey`].
    pub fn new(name: KeyName, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyError::InvalidPublicKey)?;
        let key_id = key_id(&name, SIGNATURE_TYPE_ED25519, public_key);
        Ok(Self { name, key_id, key })
    }

    /// Parses a verifier key string `<name>+<hex key id>+<base64(0x01 || public key)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = parse_verifier_key(text, SIGNATURE_TYPE_ED25519)?;
        Ok(Self { name, key_id, key })
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_key_string(&self) -> String {
        format_key(
            &self.name,
            self.key_id,
            SIGNATURE_TYPE_ED25519,
            self.key.as_bytes(),
        )
    }

    /// The raw public key.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl Verifier for Ed25519Verifier {
    fn name(&self) -> &KeyName {
        &self.name
    }

    fn key_id(&self) -> KeyId {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        verify_ed25519(&self.key, text.as_bytes(), signature)
    }
}

/// Checks an Ed25519 signature with the strict rules (canonical encodings, no small-order
/// keys), which honest signers always satisfy and which leave no room for malleability.
pub(crate) fn verify_ed25519(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}

/// An Ed25519 note signer key (signature type `0x01`). Its `Debug` output hides the seed.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: KeyName,
    key_id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    /// The signer for a 32-byte Ed25519 seed (the RFC 8032 private key). The crate draws no
    /// randomness: callers generate the seed.
    #[must_use]
    pub fn from_seed(name: KeyName, seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id(
            &name,
            SIGNATURE_TYPE_ED25519,
            key.verifying_key().as_bytes(),
        );
        Self { name, key_id, key }
    }

    /// Parses a signer key string `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
    ///
    /// # Errors
    /// The [`KeyError`] describing what is wrong.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = parse_signer_key(text, SIGNATURE_TYPE_ED25519)?;
        Ok(Self { name, key_id, key })
    }

    /// The signer key string. It contains the private seed: keep it secret.
    #[must_use]
    pub fn to_private_key_string(&self) -> String {
        format!(
            "{PRIVATE_KEY_PREFIX}{}",
            format_key(
                &self.name,
                self.key_id,
                SIGNATURE_TYPE_ED25519,
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
    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs a note text.
    #[must_use]
    pub fn sign(&self, text: &str) -> NoteSignature {
        let signature = self.key.sign(text.as_bytes());
        NoteSignature::from_signer(&self.name, self.key_id, signature.to_bytes().to_vec())
    }
}

/// Formats `<name>+<hex key id>+<base64(type || key)>`.
pub(crate) fn format_key(name: &KeyName, key_id: KeyId, signature_type: u8, key: &[u8]) -> String {
    let mut material = Vec::with_capacity(1 + key.len());
    material.push(signature_type);
    material.extend_from_slice(key);
    format!("{name}+{key_id}+{}", BASE64.encode(material))
}

/// Splits `<name>+<hex key id>+<base64(type || key material)>` and checks its type byte; the key
/// material is returned as it is, for the caller to check its length.
pub(crate) fn split_key_material(
    text: &str,
    signature_type: u8,
) -> Result<(KeyName, KeyId, Vec<u8>), KeyError> {
    // The base64 part may itself contain `+`, so split off only the first two fields.
    let mut fields = text.splitn(3, '+');
    let (Some(name), Some(id), Some(encoded)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(KeyError::Malformed {
            reason: "expected `<name>+<key id>+<key>`",
        });
    };
    let name = KeyName::new(name)?;
    let stated = KeyId::parse_hex(id).ok_or(KeyError::Malformed {
        reason: "the key id must be eight lowercase hex digits",
    })?;
    let mut material = BASE64.decode(encoded).map_err(|_| KeyError::Malformed {
        reason: "the key is not standard base64",
    })?;
    let actual_type = *material.first().ok_or(KeyError::Malformed {
        reason: "the key is empty",
    })?;
    if actual_type != signature_type {
        return Err(KeyError::WrongSignatureType {
            expected: signature_type,
            actual: actual_type,
        });
    }
    material.remove(0);
    Ok((name, stated, material))
}

/// Splits `<name>+<hex key id>+<base64(type || 32 bytes)>` and checks its type byte.
fn split_key(text: &str, signature_type: u8) -> Result<(KeyName, KeyId, [u8; 32]), KeyError> {
    let (name, stated, key) = split_key_material(text, signature_type)?;
    let key: [u8; ED25519_KEY_SIZE_BYTES] = key.try_into().map_err(|_| KeyError::Malformed {
        reason: "an Ed25519 key is 32 bytes",
    })?;
    Ok((name, stated, key))
}

/// Parses a verifier key string of the given signature type and checks its key id.
pub(crate) fn parse_verifier_key(
    text: &str,
    signature_type: u8,
) -> Result<(KeyName, KeyId, VerifyingKey), KeyError> {
    let (name, stated, public_key) = split_key(text, signature_type)?;
    let computed = key_id(&name, signature_type, &public_key);
    if computed != stated {
        return Err(KeyError::KeyIdMismatch { stated, computed });
    }
    let key = VerifyingKey::from_bytes(&public_key).map_err(|_| KeyError::InvalidPublicKey)?;
    Ok((name, stated, key))
}

/// Parses a signer key string of the given signature type and checks its key id against the
/// public key derived from the seed.
pub(crate) fn parse_signer_key(
    text: &str,
    signature_type: u8,
) -> Result<(KeyName, KeyId, SigningKey), KeyError> {
    let rest = text
        .strip_prefix(PRIVATE_KEY_PREFIX)
        .ok_or(KeyError::Malformed {
            reason: "a signer key starts with `PRIVATE+KEY+`",
        })?;
    let (name, stated, seed) = split_key(rest, signature_type)?;
    let key = SigningKey::from_bytes(&seed);
    let computed = key_id(&name, signature_type, key.verifying_key().as_bytes());
    if computed != stated {
        return Err(KeyError::KeyIdMismatch { stated, computed });
    }
    Ok((name, stated, key))
}
