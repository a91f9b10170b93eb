//! Which party a role may act for (docs/domain.md §2): the one rule, [`Role::acts_for`], and
//! [`Party::from_fields`], through which the accounts and a simulation's users file both name a
//! user's party.

use corridor_domain::terms::Country;
use corridor_domain::{Party, Role};

fn rwanda() -> Party {
    Party::State(Country::parse("RWA").unwrap())
}

/// An adjudicator acts for a state or one of its courts; a role given the wrong kind of party is
/// refused, whichever kind it is.
#[test]
fn each_role_acts_for_its_kind_of_party_only() {
    let court = Party::Court("kigali-high-court".to_owned());
    let body = Party::MonitoringBody("unhcr".to_owned());
    let parties = [rwanda(), court.clone(), body, Party::Clients, Party::None];
    let fits: &[(Role, &[usize])] = &[
        (Role::SendingOfficer, &[0]),
        (Role::SendingSupervisor, &[0]),
        (Role::Adjudicator, &[0, 1]),
        (Role::ReceivingOfficer, &[0]),
        (Role::CourtClerk, &[1]),
        (Role::Counsel, &[3]),
        (Role::Monitor, &[2]),
        (Role::Public, &[4]),
        (Role::Admin, &[4]),
        (Role::Auditor, &[4]),
    ];
    assert_eq!(fits.len(), Role::ALL.len());
    for (role, kinds) in fits {
        for (index, party) in parties.iter().enumerate() {
            assert_eq!(
                role.acts_for(party),
                kinds.contains(&index),
                "{role} for {party:?}"
            );
        }
    }
    assert!(Role::Adjudicator.acts_for(&court));
}

/// The fields of a form or a users file become the party, by the same rule: an adjudicator may
/// name a court, a clerk may not name a state, and each misfit names the field at fault.
#[test]
fn party_fields_follow_the_one_rule() {
    assert_eq!(
        Party::from_fields(Role::Adjudicator, None, Some("kigali"), None),
        Ok(Party::Court("kigali".to_owned()))
    );
    assert_eq!(
        Party::from_fields(Role::Adjudicator, Some("rwa"), None, None),
        Ok(rwanda())
    );
    assert_eq!(
        Party::from_fields(Role::Public, None, None, None),
        Ok(Party::None)
    );
    let misfits = [
        (
            Role::CourtClerk,
            (Some("RWA"), None, None),
            "state",
            "`court_clerk` acts for a court, not for a state",
        ),
        (
            Role::SendingOfficer,
            (None, Some("c"), None),
            "court",
            "`sending_officer` acts for a state, not for a court",
        ),
        (
            Role::Monitor,
            (None, None, None),
            "monitoring_body",
            "`monitor` acts for a monitoring body",
        ),
        (
            Role::Admin,
            (Some("RWA"), None, None),
            "state",
            "`admin` acts for no party, not for a state",
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
            Role::ReceivingOfficer,
            (Some("XX"), None, None),
            "state",
            "",
        ),
    ];
    for (role, (state, court, body), field, says) in misfits {
        let error = Party::from_fields(role, state, court, body).unwrap_err();
        assert_eq!(error.field, field, "{role}: {error}");
        assert!(error.message.starts_with(says), "{role}: {error}");
    }
}
