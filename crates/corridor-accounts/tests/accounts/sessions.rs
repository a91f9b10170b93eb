//! Browser sessions: fresh ids, server-side logout, idle and absolute expiry, disabled users.

use corridor_accounts::{LoginError, SESSION_ABSOLUTE_TIMEOUT, SESSION_IDLE_TIMEOUT, SessionId};
use corridor_domain::{Party, Role};
use jiff::SignedDuration;
use sqlx::Row as _;

use crate::{Fixture, PASSWORD, T0, at, backends, client, rwanda};

const MILLISECOND: SignedDuration = SignedDuration::from_millis(1);

/// Each login issues a new session id, the database holds only its SHA-256, and the actor is the
/// user's one role and party.
#[tokio::test]
async fn login_issues_a_new_session_id_each_time() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let (first, actor) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let (second, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        assert_ne!(first, second);
        assert_eq!(
            (actor.user, actor.role, actor.party),
            (alice, Role::SendingOfficer, rwanda())
        );
        for session in [&first, &second] {
            assert!(
                fixture
                    .accounts
                    .session(session, T0)
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        let stored: Vec<String> = sqlx::query("SELECT id_sha256 FROM accounts_sessions")
            .fetch_all(fixture.accounts.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("id_sha256").unwrap())
            .collect();
        assert_eq!(stored.len(), 2);
        for session in [&first, &second] {
            assert!(
                !stored.contains(&session.expose()),
                "{backend:?}: the id itself is never stored"
            );
        }
        // A well-formed id that was never issued opens nothing.
        assert_eq!(
            fixture
                .accounts
                .session(&SessionId::from_bytes([7; 32]), T0)
                .await
                .unwrap(),
            None
        );
        fixture.finish().await;
    }
}

/// Logout deletes the session on the server: the id stops working even if the client keeps it,
/// and other sessions of the same user go on.
#[tokio::test]
async fn logout_invalidates_the_session_server_side() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let (kept, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let (ended, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        assert!(fixture.accounts.logout(&ended).await.unwrap());
        assert_eq!(fixture.accounts.session(&ended, T0).await.unwrap(), None);
        assert!(
            !fixture.accounts.logout(&ended).await.unwrap(),
            "a second logout finds nothing"
        );
        assert!(fixture.accounts.session(&kept, T0).await.unwrap().is_some());
        fixture.finish().await;
    }
}

/// A session unused for just under the idle timeout lives on (and each use restarts the count);
/// unused for exactly the idle timeout it is over, and stays over.
#[tokio::test]
async fn idle_expiry_on_both_sides_of_the_limit() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let (used, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let (idle, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let just_before = at(SESSION_IDLE_TIMEOUT - MILLISECOND);
        assert!(
            fixture
                .accounts
                .session(&used, just_before)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            fixture
                .accounts
                .session(&idle, at(SESSION_IDLE_TIMEOUT))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            fixture.accounts.session(&idle, T0).await.unwrap(),
            None,
            "an expired session is deleted"
        );
        // `used` was touched just before the limit, so the idle count restarted there.
        let later = just_before
            .checked_add(SESSION_IDLE_TIMEOUT - MILLISECOND)
            .unwrap();
        assert!(
            fixture
                .accounts
                .session(&used, later)
                .await
                .unwrap()
                .is_some()
        );
        let too_late = later.checked_add(SESSION_IDLE_TIMEOUT).unwrap();
        assert_eq!(
            fixture.accounts.session(&used, too_late).await.unwrap(),
            None
        );
        fixture.finish().await;
    }
}

/// However busy, a session lives until just under the absolute timeout and is over at it.
#[tokio::test]
async fn absolute_expiry_on_both_sides_of_the_limit() {
    let step = SESSION_IDLE_TIMEOUT / 2;
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let (session, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let mut elapsed = step;
        while elapsed < SESSION_ABSOLUTE_TIMEOUT {
            assert!(
                fixture
                    .accounts
                    .session(&session, at(elapsed))
                    .await
                    .unwrap()
                    .is_some(),
                "{elapsed:?}"
            );
            elapsed += step;
        }
        let just_before = at(SESSION_ABSOLUTE_TIMEOUT - MILLISECOND);
        assert!(
            fixture
                .accounts
                .session(&session, just_before)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            fixture
                .accounts
                .session(&session, at(SESSION_ABSOLUTE_TIMEOUT))
                .await
                .unwrap(),
            None
        );
        fixture.finish().await;
    }
}

/// A disabled user cannot log in, even with the right password, and the sessions they held stop
/// working at once; a changed role ends sessions too.
#[tokio::test]
async fn disabled_users_cannot_log_in_and_their_sessions_stop() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let bob = fixture.officer("bob").await;
        let (session, _) = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let (bobs, _) = fixture
            .accounts
            .login("bob", PASSWORD, client(1), T0)
            .await
            .unwrap();
        fixture.accounts.disable_user(&alice).await.unwrap();
        assert_eq!(fixture.accounts.session(&session, T0).await.unwrap(), None);
        let before = fixture.accounts.login_stats();
        let refused = fixture
            .accounts
            .login("alice", PASSWORD, client(1), T0)
            .await;
        assert!(
            matches!(refused, Err(LoginError::InvalidCredentials)),
            "{refused:?}"
        );
        assert_eq!(
            fixture.accounts.login_stats().user_hash_verifications,
            before.user_hash_verifications + 1
        );
        assert!(
            fixture
                .accounts
                .list_users()
                .await
                .unwrap()
                .iter()
                .any(|user| user.user == alice && user.disabled)
        );

        fixture
            .accounts
            .set_role(&bob, Role::Admin, &Party::None, T0)
            .await
            .unwrap();
        assert_eq!(
            fixture.accounts.session(&bobs, T0).await.unwrap(),
            None,
            "a new role asks for a new login"
        );
        let (_, actor) = fixture
            .accounts
            .login("bob", PASSWORD, client(1), T0)
            .await
            .unwrap();
        assert_eq!((actor.role, actor.party), (Role::Admin, Party::None));
        fixture.finish().await;
    }
}
