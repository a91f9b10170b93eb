//! Login rate limits per user name, per user name and address, and per client address: brute
//! force is refused, and failures from elsewhere do not lock a user out.
//!
//! Attempts with a password over the length limit count like any other but skip Argon2, which
//! keeps these tests fast; the attempt at the limit uses the right password to show it is allowed.

use corridor_accounts::{
    LOGIN_ATTEMPTS_PER_ADDRESS_MAX, LOGIN_FAILURES_PER_USER_CEILING, LOGIN_FAILURES_PER_USER_MAX,
    LOGIN_WINDOW, LoginError, PASSWORD_LENGTH_MAX_BYTES,
};
use jiff::{SignedDuration, Timestamp};

use crate::{Fixture, PASSWORD, T0, at, backends, client};

fn too_long() -> String {
    "x".repeat(PASSWORD_LENGTH_MAX_BYTES + 1)
}

/// Alice's login at `T0` from `client(address)`.
async fn alice(
    fixture: &Fixture,
    password: String,
    address: u8,
) -> Result<(corridor_accounts::SessionId, corridor_domain::Actor), LoginError> {
    fixture
        .accounts
        .login("alice", &password, client(address), T0)
        .await
}

fn retry_after(result: Result<impl Sized, LoginError>) -> Option<SignedDuration> {
    match result {
        Err(LoginError::RateLimited { retry_after }) => Some(retry_after),
        _ => None,
    }
}

/// Brute force from one address: after the failures a name allows, that address is refused
/// even the right password, with the time left in the window, for unknown names alike; the next
/// window allows again.
#[tokio::test]
async fn brute_force_from_one_address_is_refused_until_the_window_ends() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let login = |name: &'static str, password: String, now: Timestamp| {
            let accounts = &fixture.accounts;
            async move { accounts.login(name, &password, client(7), now).await }
        };
        for name in ["alice", "nobody"] {
            for attempt in 0..LOGIN_FAILURES_PER_USER_MAX {
                let refused = login(name, too_long(), T0).await;
                assert!(
                    matches!(refused, Err(LoginError::InvalidCredentials)),
                    "{name}, attempt {attempt}: {refused:?}"
                );
            }
            assert_eq!(
                retry_after(login(name, PASSWORD.to_owned(), T0).await),
                Some(LOGIN_WINDOW),
                "{name}"
            );
        }
        let late = at(LOGIN_WINDOW - SignedDuration::from_millis(1));
        assert_eq!(
            retry_after(login("alice", PASSWORD.to_owned(), late).await),
            Some(SignedDuration::from_millis(1))
        );
        assert!(
            login("alice", PASSWORD.to_owned(), at(LOGIN_WINDOW))
                .await
                .is_ok(),
            "a new window"
        );
        fixture.finish().await;
    }
}

/// Lockout abuse: failures from one address do not lock the user out of another address with
/// no recent failure for the name, and a successful login there counts no failure; once that
/// address fails too, it is refused like the first.
#[tokio::test]
async fn failures_elsewhere_do_not_lock_the_user_out() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let login = |password: String, address: u8| alice(&fixture, password, address);
        for _ in 0..LOGIN_FAILURES_PER_USER_MAX + 5 {
            let _ = login(too_long(), 66).await;
        }
        assert!(retry_after(login(PASSWORD.to_owned(), 66).await).is_some());
        for _ in 0..3 {
            assert!(
                login(PASSWORD.to_owned(), 1).await.is_ok(),
                "the user's own address"
            );
        }
        assert!(matches!(
            login(too_long(), 2).await,
            Err(LoginError::InvalidCredentials)
        ));
        assert_eq!(
            retry_after(login(PASSWORD.to_owned(), 2).await),
            Some(LOGIN_WINDOW),
            "an address that failed while the name is over its limit"
        );
        assert!(login(PASSWORD.to_owned(), 1).await.is_ok());
        fixture.finish().await;
    }
}

/// Brute force from many addresses: each new address gets its guess until the name's ceiling,
/// after which every address is refused, the right password too.
#[tokio::test]
async fn guessing_from_many_addresses_meets_the_ceiling() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let login = |password: String, address: u8| alice(&fixture, password, address);
        let ceiling = u8::try_from(LOGIN_FAILURES_PER_USER_CEILING).unwrap();
        for address in 0..ceiling {
            let refused = login(too_long(), address).await;
            assert!(
                matches!(refused, Err(LoginError::InvalidCredentials)),
                "address {address}: {refused:?}"
            );
        }
        assert_eq!(
            retry_after(login(PASSWORD.to_owned(), ceiling).await),
            Some(LOGIN_WINDOW)
        );
        fixture.finish().await;
    }
}

/// Per client address: many names from one address hit the address limit at the same point,
/// while another address is unaffected.
#[tokio::test]
async fn per_address_limit_on_both_sides() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        for attempt in 1..LOGIN_ATTEMPTS_PER_ADDRESS_MAX {
            let name = format!("guess-{attempt}");
            let refused = fixture
                .accounts
                .login(&name, &too_long(), client(1), T0)
                .await;
            assert!(
                matches!(refused, Err(LoginError::InvalidCredentials)),
                "attempt {attempt}: {refused:?}"
            );
        }
        assert!(
            fixture
                .accounts
                .login("alice", PASSWORD, client(1), T0)
                .await
                .is_ok(),
            "at the limit"
        );
        assert_eq!(
            retry_after(
                fixture
                    .accounts
                    .login("alice", PASSWORD, client(1), T0)
                    .await
            ),
            Some(LOGIN_WINDOW)
        );
        assert!(
            fixture
                .accounts
                .login("alice", PASSWORD, client(2), T0)
                .await
                .is_ok(),
            "another address"
        );
        assert!(
            fixture
                .accounts
                .login("alice", PASSWORD, client(1), at(LOGIN_WINDOW))
                .await
                .is_ok()
        );
        fixture.finish().await;
    }
}
