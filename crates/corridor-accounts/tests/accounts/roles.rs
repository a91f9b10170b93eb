//! An account is one person with one role: once it has acted on the record its role and party
//! cannot change, so nobody holds two roles on the cases they acted on.

use corridor_accounts::AccountsError;
use corridor_domain::terms::Country;
use corridor_domain::{Actor, Command, Context, Party, Role};

use crate::{Fixture, T0, backends};

/// The shipped United States–Rwanda agreement, loaded to give an account something it did.
const US_RWA: &str = include_str!("../../../../agreements/us-rwa-2025.toml");

#[tokio::test]
async fn an_account_that_has_acted_keeps_its_role() {
    // Proves `set_role` re-roles an account that has done nothing, and refuses (`RoleFixed`)
    // to give another role or party to one an event names, leaving it as it was.
    for backend in backends() {
        let fixture = Fixture::new(backend).await;
        let usa = Party::State(Country::parse("USA").unwrap());
        let ada = fixture.add("ada", Role::Admin, Party::None).await;
        let ben = fixture.add("ben", Role::SendingOfficer, usa.clone()).await;
        let load = Command::LoadAgreement {
            file_name: "us-rwa-2025.toml".to_owned(),
            text: US_RWA.to_owned(),
        };
        let context = Context {
            now: T0,
            actor: Actor {
                user: ada.clone(),
                role: Role::Admin,
                party: Party::None,
            },
        };
        fixture
            .store()
            .execute(&load, &context, None, &[])
            .await
            .unwrap();

        let refused = fixture
            .accounts
            .set_role(&ada, Role::SendingSupervisor, &usa, T0)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AccountsError::RoleFixed(user) if *user == ada),
            "{backend:?}: {refused}"
        );
        let kept = fixture.accounts.user(&ada).await.unwrap().unwrap();
        assert_eq!((kept.role, kept.party), (Role::Admin, Party::None));

        fixture
            .accounts
            .set_role(&ben, Role::SendingSupervisor, &usa, T0)
            .await
            .unwrap();
        let moved = fixture.accounts.user(&ben).await.unwrap().unwrap();
        assert_eq!(moved.role, Role::SendingSupervisor, "{backend:?}");
        fixture.finish().await;
    }
}
