//! Password hashing: Argon2id with the argon2 crate's default parameters, stored as PHC strings.

use std::fmt;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params};

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

    /// A hash that no known password has, shaped exactly as [`PasswordPhc::hash`] shapes a
    /// stored one (Argon2id, the same version and cost parameters, a random salt of the same
    /// length) but whose output is random bytes rather than the output of a hash: what a login
    /// for a name that is no user is checked against.
    ///
    /// Verifying any password against it runs Argon2 in full with the stored hashes' parameters
    /// and then finds the outputs differ (a match would need a 256-bit guess), so an unknown name
    /// costs the one verification a known name costs. Making it costs no Argon2 run: opening
    /// the accounts, which every command does, pays nothing for a login it may never serve.
    pub(crate) fn unmatchable() -> Result<Self, AccountsError> {
        let argon2 = Argon2::default();
        let params = argon2.params();
        let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
        let mut output = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
        getrandom::fill(&mut salt).map_err(|error| AccountsError::Random(error.to_string()))?;
        getrandom::fill(&mut output).map_err(|error| AccountsError::Random(error.to_string()))?;
        let shape = |error: argon2::password_hash::phc::Error| {
            AccountsError::Hash(format!("unmatchable hash: {error}"))
        };
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(argon2::Version::default().into()),
            params: ParamsString::try_from(params)
                .map_err(|error| AccountsError::Hash(format!("unmatchable hash: {error}")))?,
            salt: Some(Salt::new(&salt).map_err(shape)?),
            hash: Some(Output::new(&output).map_err(shape)?),
        };
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

#[cfg(test)]
mod tests {
    //! The hash an unknown name is checked against costs what a stored hash costs.

    use argon2::password_hash::Error;

    use super::*;

    /// Proves that verifying a password against the unmatchable hash runs Argon2 with exactly a
    /// stored hash's parameters (algorithm, version, memory, passes, lanes, salt and output
    /// lengths) and fails only at the comparison of outputs, never early on a malformed hash:
    /// an unknown user's login costs one full verification, as a wrong password does.
    #[test]
    fn the_unmatchable_hash_costs_what_a_stored_hash_costs() {
        let password = "a synthetic password of no one";
        let stored_phc = PasswordPhc::hash(password).unwrap();
        let unmatchable_phc = PasswordPhc::unmatchable().unwrap();
        let stored = PasswordHash::new(stored_phc.as_str()).unwrap();
        let unmatchable = PasswordHash::new(unmatchable_phc.as_str()).unwrap();

        assert_eq!(unmatchable.algorithm, stored.algorithm);
        assert_eq!(unmatchable.version, stored.version);
        assert_eq!(unmatchable.params, stored.params);
        let salt_length = |hash: &PasswordHash| hash.salt.as_ref().map(|salt| salt.len());
        let output_length = |hash: &PasswordHash| hash.hash.as_ref().map(Output::len);
        assert_eq!(salt_length(&unmatchable), salt_length(&stored));
        assert_eq!(output_length(&unmatchable), output_length(&stored));
        assert!(salt_length(&unmatchable).is_some() && output_length(&unmatchable).is_some());

        // With a salt and an output present, `PasswordInvalid` comes only after Argon2 ran.
        assert_eq!(
            Argon2::default().verify_password(password.as_bytes(), &unmatchable),
            Err(Error::PasswordInvalid)
        );
        assert!(!unmatchable_phc.verify(password));
        assert!(stored_phc.verify(password));
        // Salt and output are drawn afresh each time.
        assert_ne!(PasswordPhc::unmatchable().unwrap(), unmatchable_phc);
    }
}
