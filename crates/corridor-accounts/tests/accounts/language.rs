//! The language an account holder chose for the web interface: none at first, set and cleared,
//! read with the session in one statement, and only ever a well-formed language tag.

use corridor_accounts::{AccountsError, LanguageTag};
use corridor_domain::UserId;

use crate::{Fixture, PASSWORD, T0, backends, client};

/// Proves a new account follows the browser (no language), that a language is stored, read
/// back alone and with the session, and cleared, on every backend, and that it is one
/// account's only.
#[tokio::test]
async fn a_language_is_set_read_with_the_session_and_cleared() {
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let alice = fixture.officer("alice").await;
        let bob = fixture.officer("bob").await;
        let accounts = &fixture.accounts;
        assert_eq!(accounts.language(&alice).await.unwrap(), None);
        let french = LanguageTag::parse("fr").unwrap();
        accounts.set_language(&alice, Some(&french)).await.unwrap();
        assert_eq!(
            accounts.language(&alice).await.unwrap(),
            Some(french.clone())
        );
        assert_eq!(accounts.language(&bob).await.unwrap(), None, "{backend:?}");

        let (session, _) = accounts
            .login("alice", PASSWORD, client(1), T0)
            .await
            .unwrap();
        let (actor, language) = accounts
            .session_with_language(&session, T0)
            .await
            .unwrap()
            .expect("a live session");
        assert_eq!(actor.user, alice);
        assert_eq!(language, Some(french));

        accounts.set_language(&alice, None).await.unwrap();
        let (_, language) = accounts
            .session_with_language(&session, T0)
            .await
            .unwrap()
            .expect("a live session");
        assert_eq!(language, None, "{backend:?}");

        let nobody = UserId::parse("nobody").unwrap();
        assert!(matches!(
            accounts.set_language(&nobody, None).await,
            Err(AccountsError::UnknownUser(_))
        ));
        assert!(matches!(
            accounts.language(&nobody).await,
            Err(AccountsError::UnknownUser(_))
        ));
        fixture.finish().await;
    }
}

/// Proves only the common shape of a BCP 47 tag is a language, kept in lowercase.
#[test]
fn a_language_tag_has_the_shape_of_bcp_47() {
    for (text, expected) in [
        ("en", Some("en")),
        ("fr", Some("fr")),
        ("FR-rw", Some("fr-rw")),
        ("kin", Some("kin")),
        ("zh-Hant-TW", Some("zh-hant-tw")),
        ("", None),
        ("f", None),
        ("fren", None),
        ("fr-", None),
        ("fr_RW", None),
        ("fr-toolongsubtag", None),
        ("français", None),
        ("fr-RW-aaaaaaaa-bbbbbbbb-cccccccc-dddd", None),
    ] {
        assert_eq!(
            LanguageTag::parse(text)
                .ok()
                .as_ref()
                .map(LanguageTag::as_str),
            expected,
            "{text:?}"
        );
    }
}
