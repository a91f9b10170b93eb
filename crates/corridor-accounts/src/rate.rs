//! Login rate limits, kept in memory, as OWASP's authentication guidance describes: a limit
//! per user name that an attacker cannot turn against the user, and one per client address.
//!
//! - Per address: every attempt counts; past [`LOGIN_ATTEMPTS_PER_ADDRESS_MAX`] in a window,
//!   the address is refused whatever name it tries.
//! - Per user name: failures count. Past [`LOGIN_FAILURES_PER_USER_MAX`] in a window, the name
//!   is refused from every address that has failed for it in the window, but an address with no
//!   recent failure for it still gets its attempt: so ten wrong passwords from anywhere do not
//!   lock the user out, while a guesser needs a fresh address for every guess. Past
//!   [`LOGIN_FAILURES_PER_USER_CEILING`] failures in a window the name is refused from every
//!   address: the ceiling on guessing from many addresses.
//!
//! An attempt counts as a failure when it is let through, before the password is checked, and is
//! taken back when the password proves right ([`RateLimiter::succeeded`]): so concurrent guesses
//! cannot all pass before the first is counted. The check runs before the user is looked up, so
//! the limiter answers the same for names that exist and names that do not, and a refused attempt
//! costs no Argon2 work. Memory is bounded by [`RATE_LIMIT_KEYS_MAX`].

use std::collections::HashMap;
use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

/// How long one counting window lasts.
pub const LOGIN_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Failed logins for one user name in a window after which only addresses with no failure for
/// it in the window may try it.
pub const LOGIN_FAILURES_PER_USER_MAX: u32 = 10;
/// Failed logins for one user name in a window after which it is refused from every address.
pub const LOGIN_FAILURES_PER_USER_CEILING: u32 = 100;
/// Login attempts allowed per client address in one window. Higher than the per-user limit: a
/// ministry's staff may all sign in from behind one address.
pub const LOGIN_ATTEMPTS_PER_ADDRESS_MAX: u32 = 100;
/// Windows remembered at once; when full, expired windows are dropped, then the oldest.
pub const RATE_LIMIT_KEYS_MAX: usize = 100_000;

/// An IPv4 address, or the /64 prefix of an IPv6 address (one host usually holds a whole /64).
type AddressKey = [u8; 16];

/// What a window counts attempts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// Failures for a user name, as typed (bounded in length by the caller).
    User(String),
    /// Attempts from a client address.
    Address(AddressKey),
    /// Failures for a user name from a client address.
    UserAtAddress(String, AddressKey),
}

fn address_key(address: IpAddr) -> AddressKey {
    match address {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            for byte in octets.iter_mut().skip(8) {
                *byte = 0;
            }
            octets
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: Timestamp,
    attempts: u32,
}

/// Fixed-window counters of login attempts and failures.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<Key, Window>,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets one attempt for `user_name` from `address` at `now` through, counting it (as a
    /// failure until [`RateLimiter::succeeded`] says otherwise), or refuses it with how long to
    /// wait. A refused attempt is not counted.
    pub fn attempt(
        &mut self,
        user_name: &str,
        address: IpAddr,
        now: Timestamp,
    ) -> Result<(), SignedDuration> {
        let address = address_key(address);
        let user = Key::User(user_name.to_owned());
        let pair = Key::UserAtAddress(user_name.to_owned(), address);
        let by_address = Key::Address(address);
        let failed_here = self.count_of(&pair, now) > 0;
        let user_limit = if failed_here {
            LOGIN_FAILURES_PER_USER_MAX
        } else {
            LOGIN_FAILURES_PER_USER_CEILING
        };
        let refusals = [
            (&by_address, LOGIN_ATTEMPTS_PER_ADDRESS_MAX),
            (&user, user_limit),
        ];
        let retry_after = refusals
            .iter()
            .filter_map(|(key, limit)| self.refusal(key, *limit, now))
            .max();
        if let Some(wait) = retry_after {
            return Err(wait);
        }
        for key in [by_address, user, pair] {
            self.count(key, now);
        }
        Ok(())
    }

    /// Takes back the failure [`RateLimiter::attempt`] counted for `user_name` from `address`:
    /// the password was right. The address's attempt stays counted.
    pub fn succeeded(&mut self, user_name: &str, address: IpAddr, now: Timestamp) {
        let pair = Key::UserAtAddress(user_name.to_owned(), address_key(address));
        for key in [Key::User(user_name.to_owned()), pair] {
            if let Some(window) = self.windows.get_mut(&key)
                && !expired(window, now)
            {
                window.attempts = window.attempts.saturating_sub(1);
            }
        }
    }

    /// What `key` has counted in its window at `now`.
    fn count_of(&self, key: &Key, now: Timestamp) -> u32 {
        self.windows
            .get(key)
            .filter(|window| !expired(window, now))
            .map_or(0, |window| window.attempts)
    }

    /// How long to wait, when `key` has reached `limit` in its window at `now`.
    fn refusal(&self, key: &Key, limit: u32, now: Timestamp) -> Option<SignedDuration> {
        let window = self
            .windows
            .get(key)
            .filter(|window| !expired(window, now))?;
        (window.attempts >= limit)
            .then(|| LOGIN_WINDOW.saturating_sub(now.duration_since(window.started_at)))
    }

    fn count(&mut self, key: Key, now: Timestamp) {
        if !self.windows.contains_key(&key) && self.windows.len() >= RATE_LIMIT_KEYS_MAX {
            self.make_room(now);
        }
        let window = self.windows.entry(key).or_insert(Window {
            started_at: now,
            attempts: 0,
        });
        if expired(window, now) {
            *window = Window {
                started_at: now,
                attempts: 0,
            };
        }
        window.attempts = window.attempts.saturating_add(1);
    }

    /// Drops expired windows; if none had expired, drops the oldest one.
    fn make_room(&mut self, now: Timestamp) {
        self.windows.retain(|_, window| !expired(window, now));
        if self.windows.len() >= RATE_LIMIT_KEYS_MAX {
            let oldest = self
                .windows
                .iter()
                .min_by_key(|(_, window)| window.started_at)
                .map(|(key, _)| key.clone());
            if let Some(key) = oldest {
                self.windows.remove(&key);
            }
        }
    }
}

fn expired(window: &Window, now: Timestamp) -> bool {
    now.duration_since(window.started_at) >= LOGIN_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IPv6 addresses in one /64 share a window; IPv4 addresses do not share with each other.
    #[test]
    fn addresses_group_by_prefix() {
        let parse = |text: &str| text.parse::<IpAddr>().map(address_key).ok();
        assert_eq!(parse("2001:db8::1"), parse("2001:db8::ffff:2"));
        assert_ne!(parse("2001:db8:0:1::1"), parse("2001:db8:0:2::1"));
        assert_ne!(parse("192.0.2.1"), parse("192.0.2.2"));
    }

    /// A full table drops the oldest window to admit a new key, and never grows past the limit.
    #[test]
    fn memory_is_bounded() {
        let mut limiter = RateLimiter::new();
        let address: IpAddr = [192, 0, 2, 1].into();
        for index in 0..RATE_LIMIT_KEYS_MAX {
            let started_at = Timestamp::from_millisecond(i64::try_from(index).unwrap_or(i64::MAX))
                .unwrap_or_default();
            limiter.count(Key::User(format!("u{index}")), started_at);
        }
        assert_eq!(limiter.windows.len(), RATE_LIMIT_KEYS_MAX);
        assert!(
            limiter
                .attempt(
                    "newcomer",
                    address,
                    Timestamp::from_second(200).unwrap_or_default()
                )
                .is_ok()
        );
        assert!(limiter.windows.len() <= RATE_LIMIT_KEYS_MAX);
        assert!(!limiter.windows.contains_key(&Key::User("u0".to_owned())));
    }
}
