//! API tokens: shown once, stored hashed, scoped, expiring and revocable.

use corridor_accounts::{AccountsError, Scope, TOKEN_LIFETIME_MAX, TOKEN_SCOPES_MAX};
use corridor_domain::{Role, UserId};
use jiff::SignedDuration;
use sqlx::Row as _;

use crate::{Fixture, T0, at, backends};

fn scopes(names: &[&str]) -> Vec<Scope> {
    names
        .iter()
        .map(|name| Scope::parse(name).unwrap())
        .collect()
}

/// A token works with its text until it expires or is revoked; the database and the listing
/// hold only its SHA-256 and metadata; its scopes come back as given.
#[tokio::test]
async fn tokens_are_shown_once_stored_hashed_scoped_expiring_and_revocable() {
    let day = SignedDuration::from_hours(24);
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let (secret, id) = fixture
            .accounts
            .create_token(&alice, scopes(&["case.show", "case.list"]), at(day), T0)
            .await
            .unwrap();
        let text = secret.expose();
        assert!(text.starts_with("corridor_token_") && text.len() == "corridor_token_".len() + 64);
        assert_eq!(format!("{secret:?}"), "TokenSecret(…)");

        let (actor, granted) = fixture.accounts.token(text, T0).await.unwrap().unwrap();
        assert_eq!(
            (actor.user, actor.role),
            (alice.clone(), Role::SendingOfficer)
        );
        assert_eq!(
            granted.into_iter().collect::<Vec<_>>(),
            scopes(&["case.list", "case.show"])
        );

        let row = sqlx::query("SELECT token_id, secret_sha256, scopes FROM accounts_tokens")
            .fetch_one(fixture.accounts.pool())
            .await
            .unwrap();
        let stored: String = row.try_get("secret_sha256").unwrap();
        assert_eq!(stored.len(), 64);
        assert!(
            !text.contains(&stored) && !stored.contains(text),
            "{backend:?}: only a hash is kept"
        );
        let listed = fixture.accounts.list_tokens(&alice).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].id, listed[0].expires_at, listed[0].revoked_at),
            (id, at(day), None)
        );
        assert!(
            !format!("{listed:?}").contains(text),
            "the listing never shows the text"
        );

        // Expiry, on both sides.
        assert!(
            fixture
                .accounts
                .token(text, at(day - SignedDuration::from_millis(1)))
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(fixture.accounts.token(text, at(day)).await.unwrap(), None);
        // A wrong text, even one that differs in one digit, opens nothing.
        let mut wrong = text.to_owned();
        let last = if wrong.ends_with('0') { "1" } else { "0" };
        wrong.replace_range(wrong.len() - 1.., last);
        assert_eq!(fixture.accounts.token(&wrong, T0).await.unwrap(), None);

        // Revocation.
        assert!(fixture.accounts.revoke_token(id, T0).await.unwrap());
        assert_eq!(fixture.accounts.token(text, T0).await.unwrap(), None);
        assert!(
            !fixture.accounts.revoke_token(id, T0).await.unwrap(),
            "revoked once"
        );
        assert_eq!(
            fixture.accounts.list_tokens(&alice).await.unwrap()[0].revoked_at,
            Some(T0)
        );

        // A disabled user's tokens stop working.
        let (other, _) = fixture
            .accounts
            .create_token(&alice, scopes(&["case.show"]), at(day), T0)
            .await
            .unwrap();
        fixture.accounts.disable_user(&alice).await.unwrap();
        assert_eq!(
            fixture.accounts.token(other.expose(), T0).await.unwrap(),
            None
        );
        // …and they get no new one, told so rather than "no such user".
        let refused = fixture
            .accounts
            .create_token(&alice, scopes(&["case.show"]), at(day), T0)
            .await;
        assert!(
            matches!(&refused, Err(AccountsError::UserDisabled(user)) if *user == alice),
            "{refused:?}"
        );
        fixture.finish().await;
    }
}

/// Scopes must be action names, at least one and at most the limit; the lifetime must be
/// positive and at most the limit (exactly the limit is allowed); tokens are for known users.
#[tokio::test]
async fn token_limits_on_both_sides() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let create = |granted: Vec<Scope>, lifetime: SignedDuration| {
            let accounts = &fixture.accounts;
            let alice = alice.clone();
            async move {
                accounts
                    .create_token(&alice, granted, at(lifetime), T0)
                    .await
            }
        };
        let day = SignedDuration::from_hours(24);
        assert!(matches!(
            Scope::parse("Case Show"),
            Err(AccountsError::Scopes(_))
        ));
        assert!(matches!(
            create(Vec::new(), day).await,
            Err(AccountsError::Scopes(_))
        ));
        let many: Vec<Scope> = (0..=TOKEN_SCOPES_MAX)
            .map(|index| Scope::parse(&format!("action.{index}")).unwrap())
            .collect();
        assert!(matches!(
            create(many.clone(), day).await,
            Err(AccountsError::Scopes(_))
        ));
        assert!(
            create(many[..TOKEN_SCOPES_MAX].to_vec(), day).await.is_ok(),
            "exactly the most scopes"
        );

        let one = scopes(&["case.show"]);
        assert!(matches!(
            create(one.clone(), SignedDuration::ZERO).await,
            Err(AccountsError::TokenExpiry { .. })
        ));
        let beyond = TOKEN_LIFETIME_MAX + SignedDuration::from_millis(1);
        assert!(matches!(
            create(one.clone(), beyond).await,
            Err(AccountsError::TokenExpiry { .. })
        ));
        assert!(
            create(one.clone(), TOKEN_LIFETIME_MAX).await.is_ok(),
            "exactly the longest lifetime"
        );

        let nobody = UserId::parse("nobody").unwrap();
        let refused = fixture
            .accounts
            .create_token(&nobody, one, at(day), T0)
            .await;
        assert!(
            matches!(refused, Err(AccountsError::UnknownUser(_))),
            "{refused:?}"
        );
        fixture.finish().await;
    }
}

/// `*` is the one scope that is not an action name: it stands for every action, and survives
/// the round trip through the database; nothing else outside the action-name alphabet does.
#[tokio::test]
async fn the_every_action_scope_is_stored_and_read_back() {
    assert!(Scope::parse("*").unwrap().is_every_action());
    assert!(!Scope::parse("read_case").unwrap().is_every_action());
    for bad in ["**", "* read_case", "read_*", ""] {
        assert!(
            matches!(Scope::parse(bad), Err(AccountsError::Scopes(_))),
            "{bad}"
        );
    }
    let day = SignedDuration::from_hours(24);
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let (secret, _) = fixture
            .accounts
            .create_token(&alice, scopes(&["*", "read_case"]), at(day), T0)
            .await
            .unwrap();
        let (_, granted) = fixture
            .accounts
            .token(secret.expose(), T0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            granted.into_iter().collect::<Vec<_>>(),
            scopes(&["*", "read_case"])
        );
        fixture.finish().await;
    }
}
