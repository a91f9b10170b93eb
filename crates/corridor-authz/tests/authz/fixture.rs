//! The world every test decides in: one agreement, one case under it, one hold, and a principal
//! per role that either belongs to the resource's party ("own") or does not ("other").

use corridor_authz::{
    AgreementFacts, CaseFacts, HoldFacts, Principal, ResourceFacts, ResourceKind,
};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{Actor, CaseId, HoldId, Party, Role, UserId};

/// The two sides of every column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The principal's party is the resource's: own state (and, for a receiving officer, a case
    /// requested of it), own client, own monitoring body, own court.
    Own,
    /// It is not: another state, another lawyer's client, another body, another court, or (for a
    /// receiving officer) a case of their state not yet requested of it, or an agreement whose
    /// receiving state is another.
    Other,
}

pub const SENDING: &str = "GBR";
pub const RECEIVING: &str = "RWA";
pub const THIRD_STATE: &str = "FRA";
pub const MONITORING_BODY: &str = "independent-monitor";
pub const COURT: &str = "high-court";
pub const COUNSEL: &str = "counsel.own";

fn country(code: &str) -> anyhow::Result<Country> {
    Country::parse(code).map_err(anyhow::Error::msg)
}

fn user(name: &str) -> anyhow::Result<UserId> {
    UserId::parse(name).map_err(anyhow::Error::msg)
}

/// The principal of `role` on `side`.
pub fn principal(role: Role, side: Side) -> anyhow::Result<Principal> {
    let own = side == Side::Own;
    let (name, party) = match role {
        Role::SendingOfficer | Role::SendingSupervisor | Role::Adjudicator => (
            "official",
            Party::State(country(if own { SENDING } else { THIRD_STATE })?),
        ),
        // The receiving officer is always of the receiving state; the side changes the case.
        Role::ReceivingOfficer => ("official", Party::State(country(RECEIVING)?)),
        Role::CourtClerk => (
            "clerk",
            Party::Court(if own { COURT } else { "other-court" }.to_owned()),
        ),
        Role::Counsel => (if own { COUNSEL } else { "counsel.other" }, Party::Clients),
        Role::Monitor => (
            "monitor",
            Party::MonitoringBody(if own { MONITORING_BODY } else { "other-body" }.to_owned()),
        ),
        Role::Public => return Ok(Principal::anonymous()),
        Role::Admin => ("operator", Party::None),
        Role::Auditor => ("auditor", Party::None),
    };
    Ok(Principal::from_actor(&Actor {
        user: user(name)?,
        role,
        party,
    }))
}

pub fn agreement() -> anyhow::Result<AgreementFacts> {
    Ok(AgreementFacts {
        id: AgreementId::parse("gbr-rwa-2024").map_err(anyhow::Error::msg)?,
        sending: country(SENDING)?,
        receiving: country(RECEIVING)?,
        monitoring_body: Some(MONITORING_BODY.to_owned()),
    })
}

/// The resource an action of `kind` acts on, as `role` sees it from `side`.
pub fn resource(kind: ResourceKind, role: Role, side: Side) -> anyhow::Result<ResourceFacts> {
    Ok(match kind {
        ResourceKind::Service => ResourceFacts::Service,
        ResourceKind::Log => ResourceFacts::Log,
        // A receiving officer's other agreement is one where another state receives.
        ResourceKind::Agreement if role == Role::ReceivingOfficer && side == Side::Other => {
            ResourceFacts::Agreement(AgreementFacts {
                receiving: country(THIRD_STATE)?,
                ..agreement()?
            })
        }
        ResourceKind::Agreement => ResourceFacts::Agreement(agreement()?),
        ResourceKind::Case => ResourceFacts::Case(CaseFacts {
            id: CaseId::from_u64(0x0123_4567_89ab_cdef),
            agreement: agreement()?,
            counsel: Some(user(COUNSEL)?),
            requested: !(role == Role::ReceivingOfficer && side == Side::Other),
            courts: [COURT.to_owned()].into_iter().collect(),
        }),
        ResourceKind::Hold => ResourceFacts::Hold(HoldFacts {
            id: HoldId::from_u64(7),
            court: COURT.to_owned(),
            sending_states: [country(SENDING)?].into_iter().collect(),
        }),
        ResourceKind::User => ResourceFacts::User(user("someone")?),
    })
}
