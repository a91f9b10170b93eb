//! The request to the receiving state and the answers to it: requesting the transfer, the
//! receiving state's acceptance or refusal, the supervisor's approval, and extending the transfer
//! deadline.

use super::CaseCtx;
use crate::actor::Role;
use crate::case::CaseStatus;
use crate::decide::event_of_none;
use crate::decide::guards::{
    age_eligible, before_departure, deadline_not_passed, extension_allowed, fear_screened,
    in_force, not_self_approval, notice_served, protection_clear, reply_deadline_open, status_in,
    text_field,
};
use crate::event::{Acceptance, Event, EventBody};
use crate::refusal::Refusal;

/// `request_transfer`: asks the receiving state, once notice is served and nothing stops the
/// transfer; where the terms need no per-person approval, the terms accept the person at once.
pub(super) fn request_transfer(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    protection_clear(c.case)?;
    fear_screened(c.case, c.receiving)?;
    age_eligible(c.case, c.terms)?;
    in_force(c.agreement, c.context)?;
    notice_served(c.case)?;
    status_in(c.case, c.command, &[CaseStatus::Noticed])?;
    let mut events = vec![c.event(EventBody::TransferRequested { case: c.id })];
    if !c.terms.eligibility.per_person_approval {
        events.push(event_of_none(
            c.context,
            EventBody::AcceptedByReceivingState {
                case: c.id,
                acceptance: Acceptance::Terms,
            },
        ));
    }
    Ok(events)
}

/// `approve`: the receiving state accepts the person while its reply deadline runs, or a
/// supervisor who did not propose the case approves it for scheduling.
pub(super) fn approve(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    if c.role() == Role::ReceivingOfficer {
        status_in(c.case, c.command, &[CaseStatus::Requested])?;
        reply_deadline_open(c.case, c.terms, c.context)?;
        return c.one(EventBody::AcceptedByReceivingState {
            case: c.id,
            acceptance: Acceptance::Explicit,
        });
    }
    not_self_approval(c.case, &c.context.actor)?;
    before_departure(c.case, c.command)?;
    if c.case.status == CaseStatus::Scheduled {
        return Err(c.invalid_state());
    }
    c.one(EventBody::SupervisorApproved { case: c.id })
}

/// `refuse`: the receiving state refuses the person, with a reason, while its deadline runs.
pub(super) fn refuse(c: &CaseCtx<'_>, reason: &str) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    text_field("reason", reason)?;
    status_in(c.case, c.command, &[CaseStatus::Requested])?;
    reply_deadline_open(c.case, c.terms, c.context)?;
    c.one(EventBody::RefusedByReceivingState {
        case: c.id,
        reason: reason.to_owned(),
    })
}

/// `extend_deadline`: for a reason the terms allow, before the deadline has passed.
pub(super) fn extend_deadline(c: &CaseCtx<'_>, reason: &str) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    status_in(
        c.case,
        c.command,
        &[CaseStatus::Accepted, CaseStatus::Scheduled],
    )?;
    extension_allowed(c.terms, reason)?;
    deadline_not_passed(c.case, c.terms, c.context.now, None)?;
    c.one(EventBody::TransferDeadlineExtended {
        case: c.id,
        reason: reason.to_owned(),
    })
}
