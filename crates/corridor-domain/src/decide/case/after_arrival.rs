//! After arrival: the protection procedure in the receiving state and its appeal, onward
//! movement, return and settlement, the person's whereabouts and the monitors' welfare checks.

use corridor_terms::Country;

use super::CaseCtx;
use crate::case::{CaseStatus, ReceivingProcedure};
use crate::decide::guards::{after_arrival, no_monitor_hold, onward_permitted, status_in};
use crate::event::{Event, EventBody, WelfareOutcome};
use crate::refusal::Refusal;

/// `lodge_receiving_claim`: a claim lodged in the receiving state, once.
pub(super) fn lodge_receiving_claim(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    if c.case.receiving_procedure != ReceivingProcedure::None {
        return Err(c.invalid_state());
    }
    c.one(EventBody::ReceivingClaimLodged { case: c.id })
}

/// `decide_receiving_claim`: the decision on a pending claim or appeal.
pub(super) fn decide_receiving_claim(
    c: &CaseCtx<'_>,
    granted: bool,
) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    let appeal = match c.case.receiving_procedure {
        ReceivingProcedure::ClaimPending => false,
        ReceivingProcedure::AppealPending => true,
        _ => return Err(c.invalid_state()),
    };
    c.one(EventBody::ReceivingClaimDecided {
        case: c.id,
        granted,
        appeal,
    })
}

/// `lodge_appeal`: an appeal against a refused claim.
pub(super) fn lodge_appeal(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    if c.case.receiving_procedure != ReceivingProcedure::Refused {
        return Err(c.invalid_state());
    }
    c.one(EventBody::AppealLodged { case: c.id })
}

/// `onward`: a movement the onward rule and non-refoulement allow; back to the sending state it
/// is a return.
pub(super) fn onward(c: &CaseCtx<'_>, destination: Country) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    no_monitor_hold(c.snapshot, c.case)?;
    onward_permitted(c.case, c.terms, destination, c.sending, c.receiving)?;
    if destination == c.sending {
        c.one(EventBody::Returned { case: c.id })
    } else {
        c.one(EventBody::OnwardMoved {
            case: c.id,
            destination,
        })
    }
}

/// `return`: the person went back to the sending state.
pub(super) fn return_(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    c.one(EventBody::Returned { case: c.id })
}

/// `settle`: the person settled in the receiving state.
pub(super) fn settle(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    status_in(c.case, c.command, &[CaseStatus::Arrived])?;
    c.one(EventBody::Settled { case: c.id })
}

/// `report_whereabouts_unknown` (`known` false) and `report_whereabouts_known` (`known` true).
pub(super) fn whereabouts(c: &CaseCtx<'_>, known: bool) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    if known {
        status_in(c.case, c.command, &[CaseStatus::WhereaboutsUnknown])?;
        c.one(EventBody::WhereaboutsKnown { case: c.id })
    } else {
        status_in(
            c.case,
            c.command,
            &[CaseStatus::Arrived, CaseStatus::Settled],
        )?;
        c.one(EventBody::WhereaboutsUnknown { case: c.id })
    }
}

/// `record_welfare_check`: the monitoring body's check after arrival.
pub(super) fn welfare_check(
    c: &CaseCtx<'_>,
    outcome: WelfareOutcome,
) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    after_arrival(c.case, c.command)?;
    c.one(EventBody::WelfareCheckRecorded {
        case: c.id,
        outcome,
    })
}
