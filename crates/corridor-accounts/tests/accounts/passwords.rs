//! Users and their passwords: Argon2id PHC strings, roles bound to parties.

use corridor_accounts::{
    AccountsError, PASSWORD_LENGTH_MIN_CHARS, check_binding, party_from_fields,
};
use corridor_domain::{Party, Role, UserId};
use sqlx::Row as _;

use crate::{Fixture, PASSWORD, T0, backends, rwanda};

/// Password hashes are Argon2id PHC strings with the crate's default parameters, salted per user,
/// and neither the stored row nor the API ever holds the password.
#[tokio::test]
async fn password_hashes_are_argon2id_phc_strings_never_the_password() {
    for backend in backends() {
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

/// A role is bound to the kind of party docs/domain.md §2 gives it, `public` is no account, a name is
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

    for backend in backends() {
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

/// Party fields from a form or a command line become the party the role needs, and each misfit
/// names the field at fault and what the role acts for, agreeing with `check_binding`.
#[test]
fn party_fields_become_the_party_the_role_needs() {
    let fits = [
        (Role::SendingOfficer, (Some("rwa"), None, None), rwanda()),
        (
            Role::Adjudicator,
            (None, Some("kigali"), None),
            Party::Court("kigali".to_owned()),
        ),
        (
            Role::Monitor,
            (None, None, Some("unhcr")),
            Party::MonitoringBody("unhcr".to_owned()),
        ),
        (Role::Counsel, (None, None, None), Party::Clients),
        (Role::Admin, (None, None, None), Party::None),
    ];
    for (role, (state, court, body), party) in fits {
        assert_eq!(
            party_from_fields(role, state, court, body),
            Ok(party),
            "{role}"
        );
    }
    let misfits = [
        (
            Role::ReceivingOfficer,
            (None, None, None),
            "state",
            "`receiving_officer` acts for a state",
        ),
        (
            Role::Adjudicator,
            (None, None, None),
            "state",
            "`adjudicator` acts for a state or one of its courts",
        ),
        (
            Role::CourtClerk,
            (Some("RWA"), None, None),
            "state",
            "`court_clerk` acts for a court, not for a state",
        ),
        (
            Role::Admin,
            (None, Some("c"), None),
            "court",
            "`admin` acts for no party, not for a court",
        ),
        (
            Role::Counsel,
            (None, None, Some("m")),
            "monitoring_body",
            "`counsel` acts for their clients, not for a monitoring body",
        ),
        (
            Role::Adjudicator,
            (Some("RWA"), Some("c"), None),
            "court",
            "give only one party",
        ),
        (
            Role::CourtClerk,
            (None, Some("no spaces"), None),
            "court",
            "`no spaces` is not a party identifier",
        ),
        (
            Role::Public,
            (None, None, None),
            "role",
            "`public` is what callers without an account are",
        ),
    ];
    for (role, (state, court, body), field, says) in misfits {
        let error = party_from_fields(role, state, court, body).unwrap_err();
        assert_eq!(error.field, field, "{role}: {error}");
        assert!(error.message.starts_with(says), "{role}: {error}");
    }
    assert_eq!(
        party_from_fields(Role::SendingOfficer, Some("XX"), None, None)
            .unwrap_err()
            .field,
        "state"
    );
}
