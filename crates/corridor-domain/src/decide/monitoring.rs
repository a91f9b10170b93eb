//! The monitoring body's records: visits (scheduled, planned unannounced, recorded) and findings
//! (recorded, answered by the parties they are addressed to, closed). Who may ask is the role
//! table's; every guard is in `guards.rs`.

use std::collections::BTreeSet;

use corridor_terms::AgreementId;

use super::guards::{
    finding_addressed_to, finding_not_responded, finding_open, long_text_field, permitted,
    text_field, today_of,
};
use super::{agreement_state, event_by};
use crate::agreement::AgreementState;
use crate::command::{Command, Context};
use crate::event::{Event, EventBody};
use crate::ids::{CaseId, FindingId, VisitId};
use crate::monitoring::{AddressedParty, Finding, FindingFacts, Seen, VisitPlan};
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::Snapshot;

/// Longest finding or response text, in characters.
pub const FINDING_TEXT_LENGTH_MAX: usize = 4_000;

/// Most cases one visit or finding may name, and most others seen on one visit.
pub const MONITORING_CASES_MAX: usize = 200;

/// A visit or finding command.
pub(super) fn decide_monitoring(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    match command {
        Command::ScheduleVisit { visit, plan } => {
            schedule_visit(snapshot, command, context, *visit, plan)
        }
        Command::RecordVisit { visit, plan, seen } => {
            record_visit(snapshot, command, context, *visit, plan, seen)
        }
        Command::RecordFinding { finding, facts } => {
            record_finding(snapshot, command, context, *finding, facts)
        }
        Command::RespondToFinding { finding, text } => {
            respond(snapshot, command, context, *finding, text)
        }
        Command::CloseFinding { finding, outcome } => {
            let found = finding_state(snapshot, *finding)?;
            let agreement = agreement_state(snapshot, &found.facts.agreement)?;
            permitted_for(context, command, agreement)?;
            finding_open(found)?;
            Ok(vec![event_by(
                context,
                EventBody::FindingClosed {
                    finding: *finding,
                    outcome: *outcome,
                },
            )])
        }
        _ => Err(Refusal::InvalidInput {
            field: "command",
            reason: "it is not a monitoring command".to_owned(),
        }),
    }
}

/// Who may ask, for the agreement's parties as its latest version names them.
fn permitted_for(
    context: &Context,
    command: &Command,
    agreement: &AgreementState,
) -> Result<(), Refusal> {
    let latest = agreement.latest();
    let parties = Parties {
        sending: latest.map(|a| a.sending),
        receiving: latest.map(|a| a.receiving),
        counsel: None,
        monitoring_body: latest
            .and_then(|a| a.terms.monitoring.as_ref())
            .map(|body| body.id.as_str()),
    };
    permitted(context, command, &parties)
}

/// `schedule_visit`: an announced visit, or an unannounced one planned, on a day not past.
fn schedule_visit(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    visit: VisitId,
    plan: &VisitPlan,
) -> Result<Vec<Event>, Refusal> {
    let agreement = agreement_state(snapshot, &plan.agreement)?;
    permitted_for(context, command, agreement)?;
    if snapshot.visits.contains_key(&visit) {
        return Err(Refusal::AlreadyExists {
            what: format!("visit {visit}"),
        });
    }
    valid_plan(snapshot, plan)?;
    let today = today_of(context);
    if plan.on < today {
        return Err(Refusal::InvalidInput {
            field: "date",
            reason: format!(
                "{} is before today ({today}); record a visit already made instead",
                plan.on
            ),
        });
    }
    Ok(vec![event_by(
        context,
        EventBody::VisitScheduled {
            visit,
            plan: plan.clone(),
        },
    )])
}

/// `record_visit`: a visit made, on a day not in the future; a scheduled one keeps its agreement
/// and whether it was announced.
fn record_visit(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    visit: VisitId,
    plan: &VisitPlan,
    seen: &Seen,
) -> Result<Vec<Event>, Refusal> {
    let agreement = agreement_state(snapshot, &plan.agreement)?;
    permitted_for(context, command, agreement)?;
    if let Some(existing) = snapshot.visits.get(&visit) {
        if existing.recorded.is_some() {
            return Err(Refusal::AlreadyExists {
                what: format!("a record of visit {visit}"),
            });
        }
        if existing.plan.agreement != plan.agreement || existing.plan.announced != plan.announced {
            return Err(Refusal::InvalidInput {
                field: "visit",
                reason: format!(
                    "{visit} was scheduled under {} as {}; a record keeps both",
                    existing.plan.agreement,
                    if existing.plan.announced {
                        "announced"
                    } else {
                        "unannounced"
                    }
                ),
            });
        }
    }
    valid_plan(snapshot, plan)?;
    let today = today_of(context);
    if plan.on > today {
        return Err(Refusal::InvalidInput {
            field: "date",
            reason: format!(
                "{} is after today ({today}); a visit is recorded once made",
                plan.on
            ),
        });
    }
    cases_of(snapshot, &plan.agreement, &seen.cases, "seen")?;
    if seen.others.len() > MONITORING_CASES_MAX {
        return Err(Refusal::InvalidInput {
            field: "seen",
            reason: format!("it names more than {MONITORING_CASES_MAX} others"),
        });
    }
    for label in &seen.others {
        text_field("seen", label)?;
    }
    Ok(vec![event_by(
        context,
        EventBody::VisitRecorded {
            visit,
            plan: plan.clone(),
            seen: seen.clone(),
        },
    )])
}

fn valid_plan(snapshot: &Snapshot, plan: &VisitPlan) -> Result<(), Refusal> {
    text_field("place", &plan.place)?;
    cases_of(snapshot, &plan.agreement, &plan.cases, "cases")
}

/// Every case named exists and is a case of the agreement.
fn cases_of(
    snapshot: &Snapshot,
    agreement: &AgreementId,
    cases: &BTreeSet<CaseId>,
    field: &'static str,
) -> Result<(), Refusal> {
    if cases.len() > MONITORING_CASES_MAX {
        return Err(Refusal::InvalidInput {
            field,
            reason: format!("it names more than {MONITORING_CASES_MAX} cases"),
        });
    }
    for id in cases {
        let case = snapshot
            .cases
            .get(id)
            .ok_or(Refusal::UnknownCase { case: *id })?;
        if &case.agreement != agreement {
            return Err(Refusal::InvalidInput {
                field,
                reason: format!("{id} is a case of {}, not of {agreement}", case.agreement),
            });
        }
    }
    Ok(())
}

/// `record_finding`: on cases of one agreement, or on the agreement as a whole, addressed to at
/// least one of its states.
fn record_finding(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    finding: FindingId,
    facts: &FindingFacts,
) -> Result<Vec<Event>, Refusal> {
    let agreement = agreement_state(snapshot, &facts.agreement)?;
    permitted_for(context, command, agreement)?;
    if snapshot.findings.contains_key(&finding) {
        return Err(Refusal::AlreadyExists {
            what: format!("finding {finding}"),
        });
    }
    cases_of(snapshot, &facts.agreement, &facts.cases, "cases")?;
    long_text_field("text", &facts.text, FINDING_TEXT_LENGTH_MAX)?;
    if facts.addressed.is_empty() {
        return Err(Refusal::InvalidInput {
            field: "addressed",
            reason: "a finding is addressed to the sending state, the receiving state, or both"
                .to_owned(),
        });
    }
    Ok(vec![event_by(
        context,
        EventBody::FindingRecorded {
            finding,
            facts: facts.clone(),
        },
    )])
}

/// `respond_to_finding`: the party the actor's role acts for answers, once, while it is open.
fn respond(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    finding: FindingId,
    text: &str,
) -> Result<Vec<Event>, Refusal> {
    let found = finding_state(snapshot, finding)?;
    let agreement = agreement_state(snapshot, &found.facts.agreement)?;
    permitted_for(context, command, agreement)?;
    let party = AddressedParty::of_role(context.actor.role).ok_or(Refusal::NotPermitted {
        role: context.actor.role,
        command: command.name(),
        reason: "only a state's officers respond to a finding".to_owned(),
    })?;
    finding_open(found)?;
    finding_addressed_to(found, party)?;
    finding_not_responded(found, party)?;
    long_text_field("text", text, FINDING_TEXT_LENGTH_MAX)?;
    Ok(vec![event_by(
        context,
        EventBody::FindingResponded {
            finding,
            party,
            text: text.to_owned(),
        },
    )])
}

fn finding_state(snapshot: &Snapshot, id: FindingId) -> Result<&Finding, Refusal> {
    snapshot
        .findings
        .get(&id)
        .ok_or(Refusal::UnknownFinding { finding: id })
}
