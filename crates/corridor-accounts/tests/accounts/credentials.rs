//! Login never reveals whether a user exists.

use corridor_accounts::{LoginError, LoginStats};

use crate::{Fixture, PASSWORD, T0, backends, client};

/// An unknown user and a wrong password give the same error, and both run one Argon2
/// verification: the unknown name against the dummy hash, the known one against its own hash.
#[tokio::test]
async fn unknown_user_and_wrong_password_give_the_same_answer() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        fixture.officer("alice").await;
        let stats = |fixture: &Fixture| fixture.accounts.login_stats();
        assert_eq!(stats(&fixture), LoginStats::default());

        let unknown = fixture
            .accounts
            .login("mallory", PASSWORD, client(1), T0)
            .await
            .unwrap_err();
        assert_eq!(
            stats(&fixture),
            LoginStats {
                user_hash_verifications: 0,
                dummy_hash_verifications: 1
            }
        );
        let wrong = fixture
            .accounts
            .login("alice", "not the password at all", client(1), T0)
            .await
            .unwrap_err();
        assert_eq!(
            stats(&fixture),
            LoginStats {
                user_hash_verifications: 1,
                dummy_hash_verifications: 1
            }
        );
        // A name that could never be a user takes the dummy path too.
        let malformed = fixture
            .accounts
            .login("Not A Name", PASSWORD, client(1), T0)
            .await
            .unwrap_err();
        assert_eq!(
            stats(&fixture),
            LoginStats {
                user_hash_verifications: 1,
                dummy_hash_verifications: 2
            }
        );

        for error in [&unknown, &wrong, &malformed] {
            assert!(
                matches!(error, LoginError::InvalidCredentials),
                "{backend:?}: {error:?}"
            );
            assert_eq!(error.to_string(), "invalid user name or password");
        }
        fixture.finish().await;
    }
}
