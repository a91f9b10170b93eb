//! Who is acting: a user, the role they hold and what that role acts for.

use std::fmt;

use corridor_terms::Country;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// The roles of DOMAIN.md §2. A user holds exactly one.
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
