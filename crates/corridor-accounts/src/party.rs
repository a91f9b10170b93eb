//! Which party each role may act for, and how a party is written in the users table.
//!
//! The rule itself is the domain's ([`Role::acts_for`], [`Party::from_fields`]); this module adds
//! what only accounts need: `public` is no account, and a party is stored as text.

use corridor_domain::terms::Country;
use corridor_domain::{Party, PartyFieldError, Role};

use crate::error::AccountsError;

/// Checks that `role` may act for `party`: the domain's one rule ([`Role::acts_for`],
/// docs/domain.md §2: state roles for a state, an adjudicator also for one of its courts, a
/// court clerk for a court, counsel for their clients, a monitor for a monitoring body, an admin
/// or auditor for no party), and that a court's or monitoring body's identifier is well formed
/// ([`Party::check_identifier`]). `public` is no account: it is what the unauthenticated are.
pub fn check_binding(role: Role, party: &Party) -> Result<(), AccountsError> {
    if role == Role::Public || !role.acts_for(party) {
        return Err(AccountsError::RoleParty {
            role,
            party: party.clone(),
            expected: match role {
                Role::Public => "nothing: the public needs no account",
                _ => role.party_needed(),
            },
        });
    }
    check_identifier(party)
}

/// The party `role` acts for, from the fields a form or a command line gives: the domain's
/// [`Party::from_fields`] (the same function a simulation's users file reads its entries
/// with), refusing `public`, which is no account.
pub fn party_from_fields(
    role: Role,
    state: Option<&str>,
    court: Option<&str>,
    monitoring_body: Option<&str>,
) -> Result<Party, PartyFieldError> {
    if role == Role::Public {
        return Err(PartyFieldError {
            field: "role",
            message: "`public` is what callers without an account are: give another role"
                .to_owned(),
        });
    }
    Party::from_fields(role, state, court, monitoring_body)
}

fn check_identifier(party: &Party) -> Result<(), AccountsError> {
    match party {
        Party::Court(id) | Party::MonitoringBody(id) => party
            .check_identifier()
            .map_err(|_| AccountsError::PartyIdentifier(id.clone())),
        Party::State(_) | Party::Clients | Party::None => Ok(()),
    }
}

/// The party as stored: `state:RWA`, `court:ID`, `monitoring_body:ID`, `clients` or `none`.
pub(crate) fn encode(party: &Party) -> String {
    match party {
        Party::State(country) => format!("state:{}", country.code()),
        Party::Court(id) => format!("court:{id}"),
        Party::MonitoringBody(id) => format!("monitoring_body:{id}"),
        Party::Clients => "clients".to_owned(),
        Party::None => "none".to_owned(),
    }
}

/// Reads a stored party back; the inverse of [`encode`].
pub(crate) fn decode(text: &str) -> Result<Party, AccountsError> {
    let corrupt = || AccountsError::Corrupt(format!("party `{text}`"));
    let party = match text.split_once(':') {
        None if text == "clients" => Party::Clients,
        None if text == "none" => Party::None,
        Some(("state", code)) => Party::State(Country::parse(code).map_err(|_| corrupt())?),
        Some(("court", id)) => Party::Court(id.to_owned()),
        Some(("monitoring_body", id)) => Party::MonitoringBody(id.to_owned()),
        _ => return Err(corrupt()),
    };
    // Paired with the check on the way in: a row that would not be accepted is not used.
    check_identifier(&party).map_err(|_| corrupt())?;
    Ok(party)
}
