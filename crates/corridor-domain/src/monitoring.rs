//! The monitoring body's records: visits and findings, folded from their own streams.
//!
//! A visit is announced (the agreement's parties see it once it is scheduled) or unannounced
//! (they see it only once it is recorded). A finding is addressed to one or both states, each of
//! which responds once; the monitoring body closes it. A critical finding of onward-removal risk
//! on a case places that case under the monitor's hold until the finding is closed
//! ([`monitor_holds_on`]): decided like a court hold, from the findings every decision loads.

use std::collections::{BTreeMap, BTreeSet};

use corridor_terms::AgreementId;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::ids::{CaseId, FindingId, UserId, VisitId};

macro_rules! snake_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The snake_case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses a snake_case name.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

snake_enum! {
    /// What a finding is about.
    FindingCategory {
        /// The person risks being removed onward from the receiving state.
        OnwardRemovalRisk => "onward_removal_risk",
        /// Access to an asylum procedure in the receiving state.
        AsylumProcedureAccess => "asylum_procedure_access",
        /// Living conditions.
        LivingConditions => "living_conditions",
        /// Detention.
        Detention => "detention",
        /// Support and services.
        SupportAndServices => "support_and_services",
        /// How officials treat the person.
        TreatmentByOfficials => "treatment_by_officials",
        /// Documents.
        Documentation => "documentation",
    }
}

snake_enum! {
    /// How grave a finding is.
    Severity {
        /// For information.
        Information => "information",
        /// A concern.
        Concern => "concern",
        /// Serious.
        Serious => "serious",
        /// Critical.
        Critical => "critical",
    }
}

snake_enum! {
    /// A state a finding is addressed to.
    AddressedParty {
        /// The agreement's sending state.
        SendingState => "sending_state",
        /// The agreement's receiving state.
        ReceivingState => "receiving_state",
    }
}

snake_enum! {
    /// How the monitoring body closed a finding.
    FindingOutcome {
        /// The responses were accepted.
        Accepted => "accepted",
        /// The responses were not accepted.
        NotAccepted => "not_accepted",
        /// The finding goes to the agreement's joint committee.
        EscalatedToJointCommittee => "escalated_to_joint_committee",
    }
}

impl AddressedParty {
    /// The party a role responds for: sending officers and supervisors for the sending state,
    /// receiving officers for the receiving state; `None` for any other role.
    pub fn of_role(role: Role) -> Option<Self> {
        match role {
            Role::SendingOfficer | Role::SendingSupervisor => Some(Self::SendingState),
            Role::ReceivingOfficer => Some(Self::ReceivingState),
            _ => None,
        }
    }
}

/// Who was seen on a visit: cases by id, and others by a free-text label (never a name of a
/// person who has no case: a role such as "centre manager").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Seen {
    /// People seen, by their case.
    #[serde(default)]
    pub cases: BTreeSet<CaseId>,
    /// Others seen, each as a short label.
    #[serde(default)]
    pub others: Vec<String>,
}

/// What a visit concerns: where it goes, when, and which cases (none: the place as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPlan {
    /// The agreement.
    pub agreement: AgreementId,
    /// Whether the parties were told of it in advance.
    pub announced: bool,
    /// The day.
    pub on: Date,
    /// The place.
    pub place: String,
    /// The cases it concerns, all of the agreement; empty for a visit to a place.
    #[serde(default)]
    pub cases: BTreeSet<CaseId>,
}

/// A visit, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The visit.
    pub id: VisitId,
    /// What it concerns (as last scheduled or recorded).
    pub plan: VisitPlan,
    /// When it was scheduled, if it was scheduled before it was made.
    pub scheduled_at: Option<Timestamp>,
    /// When it was recorded as made, and who was seen.
    pub recorded: Option<(Timestamp, Seen)>,
    /// The monitor who recorded it last.
    pub by: Option<UserId>,
    /// The stream version.
    pub version: u64,
    /// The latest moment any of its events is dated.
    pub last_event_at: Timestamp,
}

impl Visit {
    /// Whether the agreement's parties may see the visit: an announced one once scheduled, an
    /// unannounced one once recorded.
    pub fn visible_to_parties(&self) -> bool {
        self.plan.announced || self.recorded.is_some()
    }
}

/// One party's response to a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingResponse {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: Option<UserId>,
    /// What they said.
    pub text: String,
}

/// What a finding says, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFacts {
    /// The agreement.
    pub agreement: AgreementId,
    /// The cases it concerns, all of the agreement; empty for the agreement as a whole.
    #[serde(default)]
    pub cases: BTreeSet<CaseId>,
    /// What it is about.
    pub category: FindingCategory,
    /// How grave it is.
    pub severity: Severity,
    /// The monitor's text. Stored as written, not sealed (docs/monitoring.md): a finding is
    /// about conditions, and its text must not name a person.
    pub text: String,
    /// The states it is addressed to (at least one).
    pub addressed: BTreeSet<AddressedParty>,
}

/// A finding, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The finding.
    pub id: FindingId,
    /// What it says.
    pub facts: FindingFacts,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// The monitor who recorded it.
    pub recorded_by: Option<UserId>,
    /// Each addressed party's response.
    pub responses: BTreeMap<AddressedParty, FindingResponse>,
    /// When and how the monitoring body closed it.
    pub closed: Option<(Timestamp, FindingOutcome)>,
    /// The stream version.
    pub version: u64,
    /// The latest moment any of its events is dated.
    pub last_event_at: Timestamp,
}

impl Finding {
    /// Whether the finding places each case it names under the monitor's hold while it is open:
    /// a critical finding of onward-removal risk.
    pub fn places_hold(&self) -> bool {
        self.facts.category == FindingCategory::OnwardRemovalRisk
            && self.facts.severity == Severity::Critical
            && !self.facts.cases.is_empty()
    }

    /// Whether the finding holds `case` now: it places a hold, names the case, and is open.
    pub fn holds(&self, case: CaseId) -> bool {
        self.closed.is_none() && self.places_hold() && self.facts.cases.contains(&case)
    }
}

/// The open findings that place `case` under the monitor's hold, oldest first.
pub fn monitor_holds_on(case: CaseId, findings: &BTreeMap<FindingId, Finding>) -> Vec<&Finding> {
    let mut holding: Vec<&Finding> = findings.values().filter(|f| f.holds(case)).collect();
    holding.sort_by_key(|finding| (finding.recorded_at, finding.id));
    holding
}
