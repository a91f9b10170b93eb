//! Users and their passwords: Argon2id PHC strings, roles bound to parties.

use corridor_accounts::{AccountsError, PASSWORD_LENGTH_MIN_CHARS, check_binding};
use corridor_domain::{Party, Role, UserId};
use sqlx::Row as _;

use crate::{BACKENDS, Fixture, PASSWORD, T0, rwanda};

/// Password hashes are Argon2id PHC strings with the crate's default parameters, salted per user,
/// and neither the stored row nor the API ever holds the password.
#[tokio::test]
async fn password_hashes_are_argon2id_phc_strings_never_the_password() {
    for backend in BACKENDS {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let bob = fixture.officer("bob").await;
        let hash = fixture.accounts.password_hash(&alice).await.unwrap();
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{backend:?}: {}",
            hash.as_str()
        );
        assert!(!hash.as_str().contains(PASSWORD));
        // The same password under two users gives two hashes: each has its own salt.
        assert_ne!(hash, fixture.accounts.password_hash(&bob).await.unwrap());
        let rows =
            sqlx::query("SELECT name, role, party, password_phc FROM accounts_users ORDER BY name")
                .fetch_all(fixture.accounts.pool())
                .await
                .unwrap();
        assert_eq!(rows.len(), 2);
        for row in &rows {
            let stored: String = row.try_get("password_phc").unwrap();
            assert!(stored.starts_with("$argon2id$") && !stored.contains(PASSWORD));
        }
        let first: String = rows[0].try_get("password_phc").unwrap();
        assert_eq!(first, hash.as_str());
        fixture.finish().await;
    }
}

/// A role is bound to the kind of party DOMAIN.md §2 gives it, `public` is no account, a name is
/// taken once, and a short password is refused before anything is stored.
#[tokio::test]
async fn roles_bind_to_their_parties() {
    let court = Party::Court("kigali-high-court".to_owned());
    let body = Party::MonitoringBody("unhcr".to_owned());
    let fits = [
        (Role::SendingOfficer, rwanda()),
        (Role::SendingSupervisor, rwanda()),
        (Role::Adjudicator, rwanda()),
        (Role::Adjudicator, court.clone()),
        (Role::ReceivingOfficer, rwanda()),
        (Role::CourtClerk, court.clone()),
        (Role::Counsel, Party::Clients),
        (Role::Monitor, body.clone()),
        (Role::Admin, Party::None),
    ];
    for (role, party) in &fits {
        assert!(check_binding(*role, party).is_ok(), "{role} for {party:?}");
    }
    let misfits = [
        (Role::SendingOfficer, Party::None),
        (Role::CourtClerk, rwanda()),
        (Role::Counsel, rwanda()),
        (Role::Monitor, Party::Clients),
        (Role::Admin, rwanda()),
        (Role::Public, Party::None),
    ];
    for (role, party) in &misfits {
        assert!(
            matches!(
                check_binding(*role, party),
                Err(AccountsError::RoleParty { .. })
            ),
            "{role} for {party:?}"
        );
    }
    assert!(matches!(
        check_binding(Role::CourtClerk, &Party::Court("no spaces".to_owned())),
        Err(AccountsError::PartyIdentifier(_))
    ));

    for backend in BACKENDS {
        let fixture = Fixture::new(backend).await;
        let carol = UserId::parse("carol").unwrap();
        let short = "x".repeat(PASSWORD_LENGTH_MIN_CHARS - 1);
        let refused = fixture
            .accounts
            .add_user(&carol, Role::Admin, &Party::None, &short, T0)
            .await;
        assert!(
            matches!(refused, Err(AccountsError::PasswordLength { .. })),
            "{refused:?}"
        );
        let refused = fixture
            .accounts
            .add_user(&carol, Role::Public, &Party::None, PASSWORD, T0)
            .await;
        assert!(
            matches!(refused, Err(AccountsError::RoleParty { .. })),
            "{refused:?}"
        );
        assert!(fixture.accounts.list_users().await.unwrap().is_empty());

        fixture.add("carol", Role::CourtClerk, court.clone()).await;
        let again = fixture
            .accounts
            .add_user(&carol, Role::Admin, &Party::None, PASSWORD, T0)
            .await;
        assert!(
            matches!(again, Err(AccountsError::UserExists(_))),
            "{again:?}"
        );
        fixture.add("admin", Role::Admin, Party::None).await;
        let users = fixture.accounts.list_users().await.unwrap();
        let summary: Vec<_> = users
            .iter()
            .map(|user| (user.user.as_str(), user.role, user.party.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("admin", Role::Admin, Party::None),
                ("carol", Role::CourtClerk, court.clone())
            ]
        );
        fixture.finish().await;
    }
}
