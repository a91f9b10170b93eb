//! Clocks: deadlines that start at a named event and have a consequence when they run out.
//!
//! Nothing here is stored: "due" and "overdue" are computed from the events and the time asked
//! about. [`next_deadline`] gives the store a value to index so `tick` finds due cases quickly.

use corridor_terms::{ClockSpan, Terms};
use jiff::Timestamp;

use crate::case::{Case, CaseStatus, Detention};
use crate::event::{Acceptance, EventBody};

/// The transfer deadline of an accepted case, with its extension if one was granted.
pub fn transfer_deadline(case: &Case, terms: &Terms) -> Option<Timestamp> {
    let (accepted_at, acceptance) = case.accepted?;
    // Silence accepts at the reply deadline itself, whenever the tick recording it ran.
    let accepted_at = match (acceptance, case.requested_at, terms.clocks.reply_deadline) {
        (Acceptance::Silence, Some(requested_at), Some(reply)) => reply.after(requested_at),
        _ => accepted_at,
    };
    let base = terms.clocks.transfer_deadline?;
    let span = case
        .deadline_extension
        .as_ref()
        .and_then(|reason| {
            terms
                .clocks
                .transfer_deadline_extensions
                .iter()
                .find(|extension| &extension.reason == reason)
        })
        .map_or(base, |extension| extension.deadline);
    Some(span.after(accepted_at))
}

/// The earliest departure a served notice allows: the notice lead time and the fear-claim
/// window must both have run, and, where the terms say an earlier schedule restarts the notice,
/// the lead time from the last time a departure earlier than the one told of was scheduled.
pub fn earliest_departure(case: &Case, terms: &Terms) -> Option<Timestamp> {
    let (served_at, _) = case.notice.as_ref()?;
    let after = |span: Option<ClockSpan>| span.map_or(*served_at, |span| span.after(*served_at));
    let notice = after(terms.clocks.notice_lead_time).max(after(terms.clocks.fear_claim_window));
    Some(match case.rescheduled_earlier_at {
        Some(at) => notice.max(lead_time_from(terms, at)),
        None => notice,
    })
}

/// When the notice lead time, restarted at `at` by an earlier schedule, has run (`at` itself
/// when the terms restart nothing).
pub fn lead_time_from(terms: &Terms, at: Timestamp) -> Timestamp {
    match (
        terms.clocks.earlier_schedule_restarts_notice,
        terms.clocks.notice_lead_time,
    ) {
        (true, Some(lead)) => lead.after(at),
        _ => at,
    }
}

/// The window around the scheduled departure in which the person may leave, as the terms set
/// it: `(earliest, latest)`, `latest` `None` where the terms set no limit after it.
pub fn departure_window(scheduled: Timestamp, terms: &Terms) -> (Timestamp, Option<Timestamp>) {
    let earliest = terms
        .clocks
        .departure_window_before
        .map_or(scheduled, |window| window.before(scheduled));
    let latest = terms
        .clocks
        .departure_window_after
        .map(|window| window.after(scheduled));
    (earliest, latest)
}

/// Every clock of the case that is running, with the moment it runs out and what that causes.
fn running_clocks(case: &Case, terms: &Terms) -> Vec<(Timestamp, EventBody)> {
    let id = case.id;
    let mut clocks = Vec::new();
    if case.status == CaseStatus::Requested
        && let (Some(requested_at), Some(reply)) = (case.requested_at, terms.clocks.reply_deadline)
    {
        let body = if terms.clocks.silence_accepts {
            EventBody::AcceptedByReceivingState {
                case: id,
                acceptance: Acceptance::Silence,
            }
        } else {
            EventBody::RequestLapsed { case: id }
        };
        clocks.push((reply.after(requested_at), body));
    }
    if matches!(case.status, CaseStatus::Accepted | CaseStatus::Scheduled)
        && let Some(deadline) = transfer_deadline(case, terms)
    {
        clocks.push((deadline, EventBody::TransferDeadlineExpired { case: id }));
    }
    if case.status.is_after_arrival()
        && let Some(arrived_at) = case.arrived_at
    {
        if let (false, Some(support)) = (case.support_ended, terms.clocks.support_period) {
            clocks.push((
                support.after(arrived_at),
                EventBody::SupportPeriodEnded { case: id },
            ));
        }
        if let (Detention::Pending, Some(validation)) =
            (case.detention, terms.clocks.detention_validation)
        {
            clocks.push((
                validation.after(arrived_at),
                EventBody::DetentionValidationLapsed { case: id },
            ));
        }
    }
    clocks
}

/// When the case's next clock runs out, if any is running.
pub fn next_deadline(case: &Case, terms: &Terms) -> Option<Timestamp> {
    running_clocks(case, terms)
        .into_iter()
        .map(|(at, _)| at)
        .min()
}

/// The consequence of the earliest clock that has run out by `now`, if any, dated when it ran
/// out. Callers apply it and ask again, since one consequence can start another clock.
pub fn first_expired(case: &Case, terms: &Terms, now: Timestamp) -> Option<(Timestamp, EventBody)> {
    running_clocks(case, terms)
        .into_iter()
        .filter(|(at, _)| *at <= now)
        .min_by_key(|(at, _)| *at)
}

/// Where one scheduled welfare check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WelfareState {
    /// Not yet due.
    Upcoming,
    /// Due now, within its window.
    Due,
    /// Done, at this moment.
    Done(Timestamp),
    /// Its window closed with no check.
    Overdue,
    /// The person left the receiving state before it was done.
    Ended,
}

impl WelfareState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Due => "due",
            Self::Done(_) => "done",
            Self::Overdue => "overdue",
            Self::Ended => "ended",
        }
    }
}

/// One welfare check of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WelfareItem {
    /// When it falls due.
    pub due_at: Timestamp,
    /// When its window closes.
    pub window_ends_at: Timestamp,
    /// Where it stands at the time asked about.
    pub state: WelfareState,
}

/// The welfare-check schedule of an arrived case as it stands at `now`.
///
/// Each check counts for the first scheduled item whose window contains it; a window opens as
/// long before the due time as it closes after it, so a monitor visiting a day early is credited.
pub fn welfare_schedule(case: &Case, terms: &Terms, now: Timestamp) -> Vec<WelfareItem> {
    let Some(arrived_at) = case.arrived_at else {
        return Vec::new();
    };
    let mut used = vec![false; case.welfare_checks.len()];
    terms
        .clocks
        .welfare_checks
        .iter()
        .map(|rule| {
            let due_at = rule.offset.after(arrived_at);
            let window_ends_at = rule.window.after(due_at);
            let window_opens_at = due_at
                .checked_sub(window_ends_at.duration_since(due_at))
                .unwrap_or(due_at);
            let done = case
                .welfare_checks
                .iter()
                .zip(used.iter_mut())
                .find(|(check, used)| {
                    !**used && check.at >= window_opens_at && check.at <= window_ends_at
                });
            let state = match done {
                Some((check, used)) => {
                    *used = true;
                    WelfareState::Done(check.at)
                }
                None if !case.status.is_after_arrival() => WelfareState::Ended,
                None if now < due_at => WelfareState::Upcoming,
                None if now <= window_ends_at => WelfareState::Due,
                None => WelfareState::Overdue,
            };
            WelfareItem {
                due_at,
                window_ends_at,
                state,
            }
        })
        .collect()
}

/// Where one addressed party's response to a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseState {
    /// Awaited, and the period has not run (at the due moment itself it is still in time).
    Awaited,
    /// Awaited, and the period has run.
    Overdue,
    /// Given, at this moment.
    Responded(Timestamp),
    /// Not given, and the finding was closed without it.
    Closed,
}

impl ResponseState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Awaited => "awaited",
            Self::Overdue => "overdue",
            Self::Responded(_) => "responded",
            Self::Closed => "closed",
        }
    }
}

/// One addressed party's response clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseClock {
    /// The party.
    pub party: crate::monitoring::AddressedParty,
    /// When its response is due; `None` where the terms set no period.
    pub due_at: Option<Timestamp>,
    /// Where it stands at the time asked about.
    pub state: ResponseState,
}

/// The response clocks of a finding at `now`, one per addressed party, under the agreement's
/// terms (its latest version: a finding belongs to the agreement, not to one case's terms).
///
/// Each period runs from the moment the finding is recorded. A response due at `due_at` is in
/// time at `due_at` itself and overdue from the first moment after it. Nothing here is stored.
pub fn finding_responses(
    finding: &crate::monitoring::Finding,
    terms: &Terms,
    now: Timestamp,
) -> Vec<ResponseClock> {
    let due_at = terms
        .clocks
        .finding_response
        .map(|period| period.after(finding.recorded_at));
    finding
        .facts
        .addressed
        .iter()
        .map(|party| {
            let state = match (finding.responses.get(party), finding.closed, due_at) {
                (Some(response), _, _) => ResponseState::Responded(response.at),
                (None, Some(_), _) => ResponseState::Closed,
                (None, None, Some(due)) if now > due => ResponseState::Overdue,
                (None, None, _) => ResponseState::Awaited,
            };
            ResponseClock {
                party: *party,
                due_at,
                state,
            }
        })
        .collect()
}
