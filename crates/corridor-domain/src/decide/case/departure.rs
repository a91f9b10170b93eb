//! Scheduling the departure, the departure itself and the arrival: the steps every safeguard of
//! docs/domain.md §4 stands before.

use jiff::Timestamp;

use super::CaseCtx;
use crate::case::CaseStatus;
use crate::decide::counts_of;
use crate::decide::guards::{
    age_eligible, before_departure, caps, deadline_not_passed, fear_screened, in_force, no_hold,
    notice_period_run, protection_clear, receiving_approved, status_in, supervisor_approved,
    within_schedule,
};
use crate::event::{Event, EventBody};
use crate::refusal::Refusal;

/// `schedule`: a departure the notice, the approvals, the orders, the deadline and the caps allow.
pub(super) fn schedule(c: &CaseCtx<'_>, departure: Timestamp) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    protection_clear(c.case)?;
    fear_screened(c.case, c.receiving)?;
    age_eligible(c.case, c.terms)?;
    before_departure(c.case, c.command)?;
    in_force(c.agreement, c.context)?;
    if departure < c.context.now {
        return Err(Refusal::InvalidInput {
            field: "departure",
            reason: format!("{departure} is in the past"),
        });
    }
    no_hold(c.snapshot, c.case)?;
    notice_period_run(c.case, c.terms, c.context.now, Some(departure))?;
    receiving_approved(c.case)?;
    let status = c.case.status;
    status_in(
        c.case,
        c.command,
        &[CaseStatus::Accepted, CaseStatus::Scheduled],
    )?;
    supervisor_approved(c.case)?;
    deadline_not_passed(c.case, c.terms, c.context.now, Some(departure))?;
    let counts = counts_of(c.snapshot, &c.case.agreement);
    // A case already scheduled holds its own place under the caps.
    let own = u64::from(status == CaseStatus::Scheduled);
    caps(
        &c.latest.terms,
        counts.transferred + counts.scheduled - own,
        counts.present + counts.scheduled - own,
    )?;
    c.one(EventBody::TransferScheduled {
        case: c.id,
        departure,
    })
}

/// `depart`: the person leaves, within the schedule they were told of, if nothing stops it now.
pub(super) fn depart(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    protection_clear(c.case)?;
    fear_screened(c.case, c.receiving)?;
    age_eligible(c.case, c.terms)?;
    in_force(c.agreement, c.context)?;
    no_hold(c.snapshot, c.case)?;
    notice_period_run(c.case, c.terms, c.context.now, None)?;
    status_in(c.case, c.command, &[CaseStatus::Scheduled])?;
    supervisor_approved(c.case)?;
    within_schedule(c.case, c.terms, c.context)?;
    deadline_not_passed(c.case, c.terms, c.context.now, None)?;
    let counts = counts_of(c.snapshot, &c.case.agreement);
    caps(&c.latest.terms, counts.transferred, counts.present)?;
    c.one(EventBody::Departed { case: c.id })
}

/// `arrive`: the receiving state confirms the arrival of a person in transit.
pub(super) fn arrive(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    status_in(c.case, c.command, &[CaseStatus::InTransit])?;
    c.one(EventBody::Arrived { case: c.id })
}
