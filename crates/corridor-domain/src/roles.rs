//! The role table: which role, acting for which party, may ask each command (docs/domain.md §2).
//!
//! This is the one place the domain says who may ask what. The decider reads it through `check`
//! (called by the guard `permitted` in `decide/guards.rs`); the Cedar policies in
//! `crates/corridor-authz/policies/` must say the same, and the authz test
//! `role_table_matches_the_policies` compares the two over every command and every role.
//!
//! A row lists groups of askers. The first group is the command's own askers: a role in no group
//! is told that only they may (or, where they are the monitoring body, that only the agreement's
//! monitoring body may). Each group names the party its roles must act for.

use corridor_terms::Country;

use crate::actor::{Actor, Party, Role};
use crate::command::Command;
use crate::ids::UserId;
use crate::refusal::Refusal;

/// The party a role must act for to ask a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyRule {
    /// The role alone decides: the operator, or a clerk recording that their court validated a
    /// detention (detention places are not bound to courts).
    Any,
    /// The sending state of the agreement (of the case's agreement, for a case command).
    SendingState,
    /// The receiving state of the case's agreement. The policies further let a receiving officer
    /// touch only a case already requested of their state.
    ReceivingState,
    /// Counsel the case names.
    CounselOfCase,
    /// The monitoring body the case's agreement names.
    MonitoringBody,
    /// The court that made the order. The policies compare the courts (they see the order's);
    /// the decider reads the role only, since a new order names its court in the command itself.
    HoldCourt,
}

/// Roles that may ask a command when they act for the same kind of party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Askers {
    /// The roles.
    pub roles: &'static [Role],
    /// The party they must act for.
    pub party: PartyRule,
}

const SENDING: Askers = Askers {
    roles: &[Role::SendingOfficer, Role::SendingSupervisor],
    party: PartyRule::SendingState,
};
const SUPERVISOR: Askers = Askers {
    roles: &[Role::SendingSupervisor],
    party: PartyRule::SendingState,
};
const ADJUDICATOR: Askers = Askers {
    roles: &[Role::Adjudicator],
    party: PartyRule::SendingState,
};
const RECEIVING: Askers = Askers {
    roles: &[Role::ReceivingOfficer],
    party: PartyRule::ReceivingState,
};
const COUNSEL: Askers = Askers {
    roles: &[Role::Counsel],
    party: PartyRule::CounselOfCase,
};
const MONITOR: Askers = Askers {
    roles: &[Role::Monitor],
    party: PartyRule::MonitoringBody,
};
const CLERK: Askers = Askers {
    roles: &[Role::CourtClerk],
    party: PartyRule::HoldCourt,
};
const ANY_CLERK: Askers = Askers {
    roles: &[Role::CourtClerk],
    party: PartyRule::Any,
};
const PUBLIC: Askers = Askers {
    roles: &[Role::Public],
    party: PartyRule::Any,
};
const ADMIN: Askers = Askers {
    roles: &[Role::Admin],
    party: PartyRule::Any,
};

/// Every command, by [`Command::name`], with who may ask it.
pub const ROLE_TABLE: &[(&str, &[Askers])] = &[
    ("load_agreement", &[ADMIN]),
    ("change_agreement_status", &[ADMIN]),
    ("propose", &[SENDING]),
    ("serve_notice", &[SENDING]),
    ("claim_protection", &[SENDING, COUNSEL]),
    ("decide_protection", &[ADJUDICATOR]),
    ("request_transfer", &[SENDING]),
    ("approve", &[SUPERVISOR, RECEIVING]),
    ("refuse", &[RECEIVING]),
    ("extend_deadline", &[SENDING]),
    ("schedule", &[SENDING]),
    ("depart", &[SENDING]),
    ("arrive", &[RECEIVING]),
    ("record_vulnerability", &[SENDING, RECEIVING, MONITOR]),
    ("record_fear", &[SENDING, RECEIVING, COUNSEL, MONITOR]),
    ("dispute_age", &[SENDING, COUNSEL, MONITOR]),
    ("decide_age", &[ADJUDICATOR]),
    ("lodge_receiving_claim", &[RECEIVING]),
    ("decide_receiving_claim", &[RECEIVING]),
    ("lodge_appeal", &[RECEIVING]),
    ("onward", &[RECEIVING]),
    ("return", &[RECEIVING]),
    ("settle", &[RECEIVING]),
    ("report_whereabouts_unknown", &[RECEIVING, MONITOR]),
    ("report_whereabouts_known", &[RECEIVING, MONITOR]),
    ("record_welfare_check", &[MONITOR]),
    ("validate_detention", &[ANY_CLERK]),
    ("withdraw", &[SENDING]),
    ("erase", &[ADMIN]),
    ("register_hold", &[CLERK]),
    ("stay_hold", &[CLERK]),
    ("reactivate_hold", &[CLERK]),
    ("amend_hold", &[CLERK]),
    ("vacate_hold", &[CLERK]),
    ("schedule_visit", &[MONITOR]),
    ("record_visit", &[MONITOR]),
    ("record_finding", &[MONITOR]),
    ("respond_to_finding", &[SENDING, RECEIVING]),
    ("close_finding", &[MONITOR]),
    ("tick", &[ADMIN]),
    // Anyone, without an account; a government official who lodges one as the public can.
    ("lodge_complaint", &[PUBLIC]),
    ("review_complaint", &[MONITOR]),
    ("link_complaint", &[MONITOR]),
    ("erase_complaint", &[MONITOR]),
];

/// Who may ask the command named `name` ([`Command::name`]); nobody for a name not in the table.
pub fn askers(name: &str) -> &'static [Askers] {
    ROLE_TABLE
        .iter()
        .find(|(command, _)| *command == name)
        .map_or(&[], |(_, askers)| *askers)
}

/// The party `role` must act for to ask the command named `name`, or `None` if the role may not
/// ask it at all.
pub fn may_ask(role: Role, name: &str) -> Option<PartyRule> {
    askers(name)
        .iter()
        .find(|group| group.roles.contains(&role))
        .map(|group| group.party)
}

/// The parties a command concerns, as far as the decider knows them when it checks the asker.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Parties<'a> {
    /// The agreement's sending state.
    pub sending: Option<Country>,
    /// The agreement's receiving state.
    pub receiving: Option<Country>,
    /// Counsel the case names.
    pub counsel: Option<&'a UserId>,
    /// The monitoring body the agreement names.
    pub monitoring_body: Option<&'a str>,
}

/// Refuses the command unless the table lets the actor's role, acting for its party, ask it.
pub(crate) fn check(
    command: &Command,
    actor: &Actor,
    parties: &Parties<'_>,
) -> Result<(), Refusal> {
    let refused = |reason: String| Refusal::NotPermitted {
        role: actor.role,
        command: command.name(),
        reason,
    };
    let askers = askers(command.name());
    let Some(group) = askers
        .iter()
        .find(|group| group.roles.contains(&actor.role))
    else {
        return Err(refused(match askers.first() {
            Some(first) if first.party == PartyRule::MonitoringBody => {
                MONITORING_BODY_ONLY.to_owned()
            }
            Some(first) => {
                let names: Vec<&str> = first.roles.iter().map(|role| role.as_str()).collect();
                format!("only {} may", names.join(" or "))
            }
            None => "nobody may".to_owned(),
        }));
    };
    match group.party {
        PartyRule::Any | PartyRule::HoldCourt => Ok(()),
        PartyRule::SendingState => acts_for_state(actor, parties.sending).map_err(refused),
        PartyRule::ReceivingState => acts_for_state(actor, parties.receiving).map_err(refused),
        PartyRule::CounselOfCase if parties.counsel == Some(&actor.user) => Ok(()),
        PartyRule::CounselOfCase => Err(refused(format!(
            "{} is not counsel in this case",
            actor.user
        ))),
        PartyRule::MonitoringBody => match (&actor.party, parties.monitoring_body) {
            (Party::MonitoringBody(own), Some(body)) if own == body => Ok(()),
            _ => Err(refused(MONITORING_BODY_ONLY.to_owned())),
        },
    }
}

const MONITORING_BODY_ONLY: &str = "only the agreement's monitoring body may";

fn acts_for_state(actor: &Actor, state: Option<Country>) -> Result<(), String> {
    match (actor.state(), state) {
        (Some(own), Some(state)) if own == state => Ok(()),
        (_, Some(state)) => Err(format!("they do not act for {} ({state})", state.name())),
        (_, None) => Err("the command names no state they could act for".to_owned()),
    }
}
