//! The errors of the accounts boundary: one enum for administration, one for login.

use corridor_domain::{Party, Role, UserId};
use jiff::SignedDuration;

/// Why an accounts operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountsError {
    /// The database URL names no supported backend or cannot be parsed.
    #[error("cannot use database `{url}`: {reason}")]
    Url {
        /// The URL, with any password redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// The database could not be reached or a statement failed.
    #[error("accounts database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The accounts migrations could not be applied.
    #[error("cannot migrate the accounts tables: {0}")]
    Migrate(String),
    /// A row in the accounts tables does not decode: the database was changed behind corridor.
    #[error("the accounts tables hold a corrupt row: {0}")]
    Corrupt(String),
    /// A user of that name exists already.
    #[error("user `{0}` exists already")]
    UserExists(UserId),
    /// No user has that name.
    #[error("no user `{0}`")]
    UnknownUser(UserId),
    /// The user has acted on the record, so their role and party are theirs for good: a change
    /// would let one person hold two roles on the cases they acted on.
    #[error(
        "`{0}` has acted on the record, so their role cannot change: one person would hold two roles on the cases they acted on; disable the account and add a new one for the new role"
    )]
    RoleFixed(UserId),
    /// The user is disabled: they may not log in, and get no new token.
    #[error("user `{0}` is disabled and gets no new token")]
    UserDisabled(UserId),
    /// The role cannot act for that party (docs/domain.md §2).
    #[error("role `{role}` cannot act for {party:?}: {expected}")]
    RoleParty {
        /// The role asked for.
        role: Role,
        /// The party asked for.
        party: Party,
        /// What the role needs.
        expected: &'static str,
    },
    /// A court or monitoring-body identifier is malformed.
    #[error("`{0}` is not a party identifier: use 1 to 64 ASCII letters, digits, `.`, `_` or `-`")]
    PartyIdentifier(String),
    /// The password is shorter than the minimum or longer than the maximum.
    #[error("a password must have at least {min_chars} characters and at most {max_bytes} bytes")]
    PasswordLength {
        /// [`crate::PASSWORD_LENGTH_MIN_CHARS`].
        min_chars: usize,
        /// [`crate::PASSWORD_LENGTH_MAX_BYTES`].
        max_bytes: usize,
    },
    /// Argon2 failed (out of memory, or a malformed stored hash).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The operating system's random source failed.
    #[error("cannot draw random bytes: {0}")]
    Random(String),
    /// A token scope is not an action name, or there are too many or none.
    #[error("invalid token scopes: {0}")]
    Scopes(String),
    /// A token's expiry is not in the future or lies beyond [`crate::TOKEN_LIFETIME_MAX`].
    #[error("a token must expire after now and within {max_days} days")]
    TokenExpiry {
        /// The longest lifetime, in days.
        max_days: i64,
    },
    /// The user has [`crate::TOKENS_PER_USER_MAX`] live tokens already.
    #[error("user `{0}` has the most live tokens allowed; revoke one first")]
    TooManyTokens(UserId),
    /// A blocking task (Argon2 runs on one) was cancelled or panicked.
    #[error("a background task failed: {0}")]
    Task(String),
}

/// Why a login was refused. Deliberately coarse: an unknown user, a wrong password and a disabled
/// user are the same [`LoginError::InvalidCredentials`], so the answer reveals nothing.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The name and password do not identify an enabled user.
    #[error("invalid user name or password")]
    InvalidCredentials,
    /// Too many attempts for this user name or from this client address.
    #[error("too many login attempts; retry in {} seconds", retry_after.as_secs())]
    RateLimited {
        /// How long until the window that refused the attempt ends.
        retry_after: SignedDuration,
    },
    /// The accounts database failed. Not a statement about the credentials: it maps to a 503,
    /// never to a 401, and reveals nothing about the user either.
    #[error(transparent)]
    Unavailable(#[from] AccountsError),
}
