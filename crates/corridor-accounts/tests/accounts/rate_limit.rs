//! Login rate limits per user name and per client address.
//!
//! Attempts with a password over the length limit count like any other but skip Argon2, which
//! keeps these tests fast; the attempt at the limit uses the right password to show it is allowed.

use corridor_accounts::{
    LOGIN_ATTEMPTS_PER_ADDRESS_MAX, LOGIN_ATTEMPTS_PER_USER_MAX, LOGIN_WINDOW, LoginError,
    PASSWORD_LENGTH_MAX_BYTES,
};
use jiff::{SignedDuration, Timestamp};

use crate::{Fixture, PASSWORD, T0, at, backends, client};

fn too_long() -> String {
    "x".repeat(PASSWORD_LENGTH_MAX_BYTES + 1)
}

fn retry_after(result: Result<impl Sized, LoginError>) -> Option<SignedDuration> {
    match result {
        Err(LoginError::RateLimited { retry_after }) => Some(retry_after),
        _ => None,
    }
}

/// Per user name: the attempt at the limit is allowed, one more is refused with the time left in
/// the window (from any address, and for unknown names alike), and the next window allows again.
#[tokio::test]
async fn per_user_limit_on_both_sides_and_the_window_resets() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let login = |password: String, address: u8, now: Timestamp| {
            let accounts = &fixture.accounts;
            async move {
                accounts
                    .login("alice", &password, client(address), now)
                    .await
            }
        };
        for attempt in 1..LOGIN_ATTEMPTS_PER_USER_MAX {
            let refused = login(too_long(), attempt as u8, T0).await;
            assert!(
                matches!(refused, Err(LoginError::InvalidCredentials)),
                "attempt {attempt}: {refused:?}"
            );
        }
        assert!(
            login(PASSWORD.to_owned(), 200, T0).await.is_ok(),
            "the attempt at the limit is allowed"
        );
        assert_eq!(
            retry_after(login(PASSWORD.to_owned(), 201, T0).await),
            Some(LOGIN_WINDOW)
        );
        let late = at(LOGIN_WINDOW - SignedDuration::from_millis(1));
        assert_eq!(
            retry_after(login(PASSWORD.to_owned(), 201, late).await),
            Some(SignedDuration::from_millis(1))
        );
        assert!(
            login(PASSWORD.to_owned(), 201, at(LOGIN_WINDOW))
                .await
                .is_ok(),
            "a new window"
        );

        // An unknown name is limited exactly like a known one.
        for _ in 0..LOGIN_ATTEMPTS_PER_USER_MAX {
            assert!(matches!(
                fixture
                    .accounts
                    .login("nobody", &too_long(), client(9), T0)
                    .await,
                Err(LoginError::InvalidCredentials)
            ));
        }
        assert!(
            retry_after(
                fixture
                    .accounts
                    .login("nobody", PASSWORD, client(9), T0)
                    .await
            )
            .is_some()
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
