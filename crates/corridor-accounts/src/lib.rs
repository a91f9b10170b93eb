//! corridor's accounts: who may sign in, as what, and for how long.
//!
//! A user holds exactly one [`Role`](corridor_domain::Role) bound to one
//! [`Party`](corridor_domain::Party) (docs/domain.md §2). Passwords are kept only as Argon2id PHC strings.
//! Browser sessions and API tokens are random 256-bit secrets of which only a SHA-256 is stored, so
//! a copy of the tables lets nobody act as a user. Every limit — session idle and absolute
//! lifetimes, login attempts per user name and per client address, token lifetimes and scopes — is
//! a named constant.
//!
//! [`Accounts::login`] never reveals whether a user exists: an unknown name, a wrong password and a
//! disabled user all answer [`LoginError::InvalidCredentials`], and each of them runs one Argon2
//! verification (against a dummy hash when there is no user), so they also cost the same work.
//!
//! The clock is never read here: every operation that depends on time takes `now` as a value.
//!
//! The tables live in the store's database but are migrated from this crate's own list, recorded
//! in [`MIGRATIONS_TABLE`], so the store's migrator never sees them. Open the store first: the
//! store refuses an SQLite file that holds tables but no record of its own migrations.

#![deny(missing_docs)]

mod accounts;
mod db;
mod error;
mod language;
mod party;
mod password;
mod rate;
mod secret;

pub use accounts::{
    Accounts, LiveToken, LoginStats, SESSION_ABSOLUTE_TIMEOUT, SESSION_IDLE_TIMEOUT,
    SESSIONS_PER_USER_MAX, TOKEN_LIFETIME_MAX, TOKEN_SCOPES_MAX, TOKENS_PER_USER_MAX, TokenInfo,
    USERS_LIST_MAX, UserInfo,
};
pub use corridor_domain::PartyFieldError;
pub use db::{Backend, MIGRATIONS_TABLE, POOL_CONNECTIONS_MAX};
pub use error::{AccountsError, LoginError};
pub use language::{LANGUAGE_TAG_LENGTH_MAX_BYTES, LanguageTag};
pub use party::{check_binding, party_from_fields};
pub use password::{PASSWORD_LENGTH_MAX_BYTES, PASSWORD_LENGTH_MIN_CHARS, PasswordPhc};
pub use rate::{
    LOGIN_ATTEMPTS_PER_ADDRESS_MAX, LOGIN_FAILURES_PER_USER_CEILING, LOGIN_FAILURES_PER_USER_MAX,
    LOGIN_WINDOW, RATE_LIMIT_KEYS_MAX, RateLimiter,
};
pub use secret::{SCOPE_EVERY_ACTION, SCOPE_LENGTH_MAX, Scope, SessionId, TokenId, TokenSecret};
