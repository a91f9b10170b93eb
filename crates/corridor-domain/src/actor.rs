//! Who is acting: a user, the role they hold and what that role acts for.

use std::fmt;

use corridor_terms::Country;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// The roles of docs/domain.md §2. A user holds exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Proposes cases, serves notices, requests, schedules and records departures.
    SendingOfficer,
    /// Approves transfers for scheduling (never one they proposed); may also do an officer's work.
    SendingSupervisor,
    /// Decides protection screenings.
    Adjudicator,
    /// Approves or refuses each person; confirms arrival; records what happens after it.
    ReceivingOfficer,
    /// Registers, stays, amends and vacates holds.
    CourtClerk,
    /// The person's lawyer: files protection claims for their own clients.
    Counsel,
    /// The independent monitoring body: welfare checks and findings.
    Monitor,
    /// Anyone: public routes only.
    Public,
    /// The operator: users, keys and agreement files, never case contents.
    Admin,
    /// Reads the access records (who read which case when, allowed or denied), nothing else:
    /// an inspectorate or data-protection officer, independent of the operator.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 10] = [
        Self::SendingOfficer,
        Self::SendingSupervisor,
        Self::Adjudicator,
        Self::ReceivingOfficer,
        Self::CourtClerk,
        Self::Counsel,
        Self::Monitor,
        Self::Public,
        Self::Admin,
        Self::Auditor,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendingOfficer => "sending_officer",
            Self::SendingSupervisor => "sending_supervisor",
            Self::Adjudicator => "adjudicator",
            Self::ReceivingOfficer => "receiving_officer",
            Self::CourtClerk => "court_clerk",
            Self::Counsel => "counsel",
            Self::Monitor => "monitor",
            Self::Public => "public",
            Self::Admin => "admin",
            Self::Auditor => "auditor",
        }
    }

    /// Parses a snake_case role name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a role acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Party {
    /// A state (sending or receiving officers, supervisors, adjudicators).
    State(Country),
    /// A court, by a short identifier.
    Court(String),
    /// A monitoring body, by the identifier agreement files use.
    MonitoringBody(String),
    /// Counsel acts for the cases that name them as counsel.
    Clients,
    /// The operator or the public: no party.
    None,
}

/// A user acting in a role for a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// Their one role.
    pub role: Role,
    /// What the role acts for.
    pub party: Party,
}

impl Actor {
    /// The state the actor acts for, if any.
    pub fn state(&self) -> Option<Country> {
        match &self.party {
            Party::State(country) => Some(*country),
            _ => None,
        }
    }
}

/// Longest court or monitoring-body identifier.
pub const PARTY_IDENTIFIER_LENGTH_MAX: usize = 64;

impl Role {
    /// Whether the role may act for `party` (docs/domain.md §2): state roles for a state (an
    /// adjudicator also for one of its courts), a court clerk for a court, counsel for their
    /// clients, a monitor for a monitoring body; the operator, the auditor and the public for no
    /// party. The one rule every way of naming a user's party (accounts, a simulation's users
    /// file) goes through; see [`Party::from_fields`].
    pub fn acts_for(self, party: &Party) -> bool {
        match self {
            Self::SendingOfficer | Self::SendingSupervisor | Self::ReceivingOfficer => {
                matches!(party, Party::State(_))
            }
            Self::Adjudicator => matches!(party, Party::State(_) | Party::Court(_)),
            Self::CourtClerk => matches!(party, Party::Court(_)),
            Self::Counsel => matches!(party, Party::Clients),
            Self::Monitor => matches!(party, Party::MonitoringBody(_)),
            Self::Admin | Self::Auditor | Self::Public => matches!(party, Party::None),
        }
    }

    /// What the role acts for, as a phrase: "a state", "a state or one of its courts", …
    pub fn party_needed(self) -> &'static str {
        match self {
            Self::SendingOfficer | Self::SendingSupervisor | Self::ReceivingOfficer => "a state",
            Self::Adjudicator => "a state or one of its courts",
            Self::CourtClerk => "a court",
            Self::Counsel => "their clients",
            Self::Monitor => "a monitoring body",
            Self::Admin | Self::Auditor | Self::Public => "no party",
        }
    }

    /// The party fields (`state`, `court`, `monitoring_body`) a form may give for the role.
    fn party_fields(self) -> &'static [&'static str] {
        match self {
            Self::SendingOfficer | Self::SendingSupervisor | Self::ReceivingOfficer => &["state"],
            Self::Adjudicator => &["state", "court"],
            Self::CourtClerk => &["court"],
            Self::Monitor => &["monitoring_body"],
            Self::Counsel | Self::Admin | Self::Auditor | Self::Public => &[],
        }
    }
}

/// Why the party fields given for a role do not fit it: the field at fault (`state`, `court` or
/// `monitoring_body`; `role` where the accounts refuse the role itself) and what is wrong, as a
/// sentence that names no field, so that the HTTP API (`body.state`), the command line
/// (`--state`) and a users file (`` `state` ``) can each name it their way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PartyFieldError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl Party {
    /// The party `role` acts for, from the fields a form, a command line or a users file gives:
    /// at most one of a state (ISO 3166-1 alpha-3), a court and a monitoring body, as
    /// [`Role::acts_for`] requires. Counsel act for their clients, and the operator, the auditor
    /// and the public for no party, so they take none. A court or monitoring-body identifier must
    /// pass [`Party::check_identifier`].
    pub fn from_fields(
        role: Role,
        state: Option<&str>,
        court: Option<&str>,
        monitoring_body: Option<&str>,
    ) -> Result<Self, PartyFieldError> {
        let error = |field: &'static str, message: String| PartyFieldError { field, message };
        let mut given = [
            ("state", state),
            ("court", court),
            ("monitoring_body", monitoring_body),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.map(|value| (field, value)));
        let needs = role.party_needed();
        let Some((field, value)) = given.next() else {
            return match (role, role.party_fields().first()) {
                (Role::Counsel, _) => Ok(Self::Clients),
                (_, None) => Ok(Self::None),
                (_, Some(first)) => Err(error(first, format!("`{role}` acts for {needs}"))),
            };
        };
        if let Some((second, _)) = given.next() {
            return Err(error(second, "give only one party".to_owned()));
        }
        if !role.party_fields().contains(&field) {
            let kind = field.replace('_', " ");
            return Err(error(
                field,
                format!("`{role}` acts for {needs}, not for a {kind}"),
            ));
        }
        let party = match field {
            "state" => Self::State(Country::parse(value).map_err(|message| error(field, message))?),
            "court" => Self::Court(value.to_owned()),
            _ => Self::MonitoringBody(value.to_owned()),
        };
        party
            .check_identifier()
            .map_err(|message| error(field, message))?;
        Ok(party)
    }

    /// Checks a court's or monitoring body's identifier: 1 to
    /// [`PARTY_IDENTIFIER_LENGTH_MAX`] ASCII letters, digits, `.`, `_` or `-`. Other parties
    /// have none and pass.
    pub fn check_identifier(&self) -> Result<(), String> {
        let (Self::Court(id) | Self::MonitoringBody(id)) = self else {
            return Ok(());
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if id.is_empty() || id.len() > PARTY_IDENTIFIER_LENGTH_MAX || !id.chars().all(allowed) {
            return Err(format!(
                "`{id}` is not a party identifier: use 1 to {PARTY_IDENTIFIER_LENGTH_MAX} ASCII letters, digits, `.`, `_` or `-`"
            ));
        }
        Ok(())
    }
}
