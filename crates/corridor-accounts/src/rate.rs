//! Login rate limits: a fixed window per user name and per client address, kept in memory.
//!
//! Every attempt counts, successful or not, and the check runs before the user is looked up, so
//! the limiter answers the same for names that exist and names that do not, and a refused attempt
//! costs no Argon2 work. Memory is bounded by [`RATE_LIMIT_KEYS_MAX`].

use std::collections::HashMap;
use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

/// How long one counting window lasts.
pub const LOGIN_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Login attempts allowed per user name in one window.
pub const LOGIN_ATTEMPTS_PER_USER_MAX: u32 = 10;
/// Login attempts allowed per client address in one window. Higher than the per-user limit: a
/// ministry's staff may all sign in from behind one address.
pub const LOGIN_ATTEMPTS_PER_ADDRESS_MAX: u32 = 100;
/// Windows remembered at once; when full, expired windows are dropped, then the oldest.
pub const RATE_LIMIT_KEYS_MAX: usize = 100_000;

/// What a window counts attempts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A user name, as typed (bounded in length by the caller).
    User(String),
    /// An IPv4 address, or the /64 prefix of an IPv6 address (one host usually holds a whole /64).
    Address([u8; 16]),
}

impl Key {
    fn of_address(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Self::Address(v4.to_ipv6_mapped().octets()),
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                for byte in octets.iter_mut().skip(8) {
                    *byte = 0;
                }
                Self::Address(octets)
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: Timestamp,
    attempts: u32,
}

/// Fixed-window counters of login attempts.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<Key, Window>,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one attempt for `user_name` from `address` at `now`, or refuses it with how long
    /// to wait. A refused attempt is not counted.
    pub fn attempt(
        &mut self,
        user_name: &str,
        address: IpAddr,
        now: Timestamp,
    ) -> Result<(), SignedDuration> {
        let keys = [
            (Key::User(user_name.to_owned()), LOGIN_ATTEMPTS_PER_USER_MAX),
            (Key::of_address(address), LOGIN_ATTEMPTS_PER_ADDRESS_MAX),
        ];
        let mut retry_after: Option<SignedDuration> = None;
        for (key, limit) in &keys {
            if let Some(window) = self.windows.get(key).filter(|window| !expired(window, now))
                && window.attempts >= *limit
            {
                let wait = LOGIN_WINDOW.saturating_sub(now.duration_since(window.started_at));
                retry_after = Some(retry_after.map_or(wait, |other| other.max(wait)));
            }
        }
        if let Some(wait) = retry_after {
            return Err(wait);
        }
        for (key, _) in keys {
            self.count(key, now);
        }
        Ok(())
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
        let parse = |text: &str| text.parse::<IpAddr>().map(Key::of_address).ok();
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
