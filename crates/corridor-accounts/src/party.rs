//! Which party each role may act for, and how a party is written in the users table.

use corridor_domain::terms::Country;
use corridor_domain::{Party, Role};

use crate::error::AccountsError;

/// Longest court or monitoring-body identifier.
const PARTY_IDENTIFIER_LENGTH_MAX: usize = 64;

/// Checks that `role` may act for `party` (DOMAIN.md §2): state roles for a state (an adjudicator
/// also for a court), a court clerk for a court, counsel for their clients, a monitor for a
/// monitoring body, and an admin for no party. `public` is no account: it is what the
/// unauthenticated are.
pub fn check_binding(role: Role, party: &Party) -> Result<(), AccountsError> {
    let (fits, expected) = match role {
        Role::SendingOfficer | Role::SendingSupervisor | Role::ReceivingOfficer => {
            (matches!(party, Party::State(_)), "a state")
        }
        Role::Adjudicator => (
            matches!(party, Party::State(_) | Party::Court(_)),
            "a state or one of its courts",
        ),
        Role::CourtClerk => (matches!(party, Party::Court(_)), "a court"),
        Role::Counsel => (matches!(party, Party::Clients), "their clients"),
        Role::Monitor => (
            matches!(party, Party::MonitoringBody(_)),
            "a monitoring body",
        ),
        Role::Admin | Role::Auditor => (matches!(party, Party::None), "no party"),
        Role::Public => (false, "nothing: the public needs no account"),
    };
    if !fits {
        return Err(AccountsError::RoleParty {
            role,
            party: party.clone(),
            expected,
        });
    }
    match party {
        Party::Court(id) | Party::MonitoringBody(id) => check_identifier(id),
        Party::State(_) | Party::Clients | Party::None => Ok(()),
    }
}

/// Why the party fields given for a role do not fit it: the field at fault (`role`, `state`,
/// `court` or `monitoring_body`) and what is wrong, as a sentence that names no field, so that
/// the HTTP API (`body.state`) and the command line (`--state`) can each name it their way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PartyFieldError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The party `role` acts for, from the fields a form or a command line gives: at most one of a
/// state (ISO 3166-1 alpha-3), a court and a monitoring body, as [`check_binding`] requires.
/// Counsel act for their clients and an admin for no party, so they take none.
pub fn party_from_fields(
    role: Role,
    state: Option<&str>,
    court: Option<&str>,
    monitoring_body: Option<&str>,
) -> Result<Party, PartyFieldError> {
    let error = |field: &'static str, message: String| PartyFieldError { field, message };
    let given: Vec<(&'static str, &str)> = [
        ("state", state),
        ("court", court),
        ("monitoring_body", monitoring_body),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|value| (field, value)))
    .collect();
    let (allowed, needs): (&[&'static str], &str) = match role {
        Role::SendingOfficer | Role::SendingSupervisor | Role::ReceivingOfficer => {
            (&["state"], "a state")
        }
        Role::Adjudicator => (&["state", "court"], "a state or one of its courts"),
        Role::CourtClerk => (&["court"], "a court"),
        Role::Monitor => (&["monitoring_body"], "a monitoring body"),
        Role::Counsel => (&[], "their clients"),
        Role::Admin | Role::Auditor => (&[], "no party"),
        Role::Public => {
            return Err(error(
                "role",
                "`public` is what callers without an account are: give another role".to_owned(),
            ));
        }
    };
    let mut given = given.into_iter();
    let Some((field, value)) = given.next() else {
        return match (role, allowed.first()) {
            (Role::Counsel, _) => Ok(Party::Clients),
            (_, None) => Ok(Party::None),
            (_, Some(first)) => Err(error(first, format!("`{role}` acts for {needs}"))),
        };
    };
    if let Some((second, _)) = given.next() {
        return Err(error(second, "give only one party".to_owned()));
    }
    if !allowed.contains(&field) {
        let kind = field.replace('_', " ");
        return Err(error(
            field,
            format!("`{role}` acts for {needs}, not for a {kind}"),
        ));
    }
    let party = match field {
        "state" => Party::State(Country::parse(value).map_err(|message| error(field, message))?),
        "court" => Party::Court(value.to_owned()),
        _ => Party::MonitoringBody(value.to_owned()),
    };
    // The same check as every other way in, so the two cannot disagree.
    check_binding(role, &party).map_err(|cause| error(field, cause.to_string()))?;
    Ok(party)
}

fn check_identifier(id: &str) -> Result<(), AccountsError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if id.is_empty() || id.len() > PARTY_IDENTIFIER_LENGTH_MAX || !id.chars().all(allowed) {
        return Err(AccountsError::PartyIdentifier(id.to_owned()));
    }
    Ok(())
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
    if let Party::Court(id) | Party::MonitoringBody(id) = &party {
        check_identifier(id).map_err(|_| corrupt())?;
    }
    Ok(party)
}
