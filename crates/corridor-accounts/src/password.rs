//! Password hashing: Argon2id with the argon2 crate's default parameters, stored as PHC strings.

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2};

use crate::error::AccountsError;

/// Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; corridor's
/// users guard data about people's safety).
pub const PASSWORD_LENGTH_MIN_CHARS: usize = 12;
/// Longest password accepted, in bytes: long enough for any passphrase, short enough that nobody
/// can make the server hash megabytes.
pub const PASSWORD_LENGTH_MAX_BYTES: usize = 1024;

/// An Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
///
/// INVARIANT: parses as a PHC string whose algorithm is Argon2id.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordPhc(String);

impl PasswordPhc {
    /// Accepts a stored PHC string, refusing anything that is not Argon2id.
    pub fn parse(text: &str) -> Result<Self, AccountsError> {
        let hash = PasswordHash::new(text)
            .map_err(|error| AccountsError::Hash(format!("stored hash: {error}")))?;
        if hash.algorithm.as_str() != Algorithm::Argon2id.ident().as_str() {
            return Err(AccountsError::Hash(format!(
                "stored hash uses `{}`, not argon2id",
                hash.algorithm
            )));
        }
        Ok(Self(text.to_owned()))
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hashes a password with a fresh random salt. Slow by design: call it off the async runtime.
    pub(crate) fn hash(password: &str) -> Result<Self, AccountsError> {
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|error| AccountsError::Hash(error.to_string()))?;
        Self::parse(&hash.to_string())
    }

    /// Whether `password` matches. Slow by design: call it off the async runtime.
    pub(crate) fn verify(&self, password: &str) -> bool {
        // INVARIANT: `self.0` parsed when the value was made, so this parse cannot fail; treat a
        // failure as a mismatch rather than a panic.
        PasswordHash::new(&self.0).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
    }
}

impl fmt::Debug for PasswordPhc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The salt and hash are not secrets, but there is no reason to print them either.
        f.write_str("PasswordPhc($argon2id$…)")
    }
}

/// Checks a new password's length against the named limits.
pub(crate) fn check_length(password: &str) -> Result<(), AccountsError> {
    if password.chars().count() < PASSWORD_LENGTH_MIN_CHARS
        || password.len() > PASSWORD_LENGTH_MAX_BYTES
    {
        return Err(AccountsError::PasswordLength {
            min_chars: PASSWORD_LENGTH_MIN_CHARS,
            max_bytes: PASSWORD_LENGTH_MAX_BYTES,
        });
    }
    Ok(())
}
