//! Secrets handed to clients — session ids and API tokens — and the names of token scopes.
//!
//! A secret is 256 random bits. The database keeps only its SHA-256, so reading the tables does
//! not let anyone act as a user; SHA-256 (not Argon2) suffices because the secret has full entropy.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::AccountsError;

const SECRET_BYTES: usize = 32;
/// What every API token's text starts with, so that scanners can recognise a leaked one.
const TOKEN_PREFIX: &str = "corridor_token_";

fn random_bytes() -> Result<[u8; SECRET_BYTES], AccountsError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|error| AccountsError::Random(error.to_string()))?;
    Ok(bytes)
}

/// The SHA-256 of a secret's text, in hex: the only form the database holds.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A browser session id: 256 random bits, written as 64 hex digits in the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId([u8; SECRET_BYTES]);

impl SessionId {
    /// Draws a fresh id from the operating system's random source.
    pub fn generate() -> Result<Self, AccountsError> {
        random_bytes().map(Self)
    }

    /// Wraps 256 bits the caller drew (tests use fixed ones).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(bytes)
    }

    /// Parses the cookie form: exactly 64 hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let mut bytes = [0u8; SECRET_BYTES];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The cookie form. Hand it to the client and nowhere else.
    pub fn expose(&self) -> String {
        hex::encode(self.0)
    }

    /// The SHA-256 the database holds.
    pub(crate) fn storage_key(&self) -> String {
        sha256_hex(&self.expose())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(…)")
    }
}

/// An API token's text: shown once when the token is created, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub(crate) fn generate() -> Result<Self, AccountsError> {
        Ok(Self(format!(
            "{TOKEN_PREFIX}{}",
            hex::encode(random_bytes()?)
        )))
    }

    /// The text to show the user, once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}

/// Names a token for listing and revoking, written `token-` and 16 hex digits. Not a secret.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(u64);

impl TokenId {
    pub(crate) fn generate() -> Result<Self, AccountsError> {
        getrandom::u64()
            .map(Self)
            .map_err(|error| AccountsError::Random(error.to_string()))
    }

    /// Parses `token-0123456789abcdef`.
    pub fn parse(text: &str) -> Option<Self> {
        text.strip_prefix("token-")
            .filter(|digits| digits.len() == 16)
            .and_then(|digits| u64::from_str_radix(digits, 16).ok())
            .map(Self)
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token-{:016x}", self.0)
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Longest action name a scope may hold.
pub const SCOPE_LENGTH_MAX: usize = 64;

/// The scope that allows every action the token's user may do.
pub const SCOPE_EVERY_ACTION: &str = "*";

/// One action a token may perform, by the action's name (`read_case`, `register_hold`, …), or
/// [`SCOPE_EVERY_ACTION`].
///
/// INVARIANT: either exactly `*`, or 1 to [`SCOPE_LENGTH_MAX`] characters of lowercase ASCII
/// letters, digits, `.`, `_` and `-`; so a space-separated list of scopes is unambiguous.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

impl Scope {
    /// Parses an action name, or `*`.
    pub fn parse(text: &str) -> Result<Self, AccountsError> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        let is_name =
            !text.is_empty() && text.len() <= SCOPE_LENGTH_MAX && text.chars().all(allowed);
        if !is_name && text != SCOPE_EVERY_ACTION {
            return Err(AccountsError::Scopes(format!(
                "`{text}` is not an action name: use `*` or 1 to {SCOPE_LENGTH_MAX} lowercase letters, digits, `.`, `_` or `-`"
            )));
        }
        Ok(Self(text.to_owned()))
    }

    /// Whether this is the scope of every action, `*`.
    pub fn is_every_action(&self) -> bool {
        self.0 == SCOPE_EVERY_ACTION
    }

    /// The action name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.0)
    }
}
