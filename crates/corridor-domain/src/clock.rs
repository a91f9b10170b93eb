//! Clocks: deadlines that start at a named event and have a consequence when they run out.
//!
//! Nothing here is stored: "due" and "overdue" are computed from the events and the time asked
//! about. [`next_deadline`] gives the store a value to index so `tick` finds due cases quickly.

use corridor_terms::{ClockSpan, Terms};
use jiff::Timestamp;

use crate::case::{Case, CaseStatus, Detention};
use crate::event::{Acceptance, EventBody, MonitorAlert};

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
        // Alerts go to the monitoring body: without one named, nobody would read them.
        if terms.monitoring.is_some() {
            let alerts = [
                missed_checks_alert(case, terms),
                whereabouts_alert(case, terms),
            ];
            clocks.extend(
                alerts
                    .into_iter()
                    .flatten()
                    .map(|(at, alert)| (at, EventBody::MonitorAlertRaised { case: id, alert })),
            );
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

/// When the case's next clock runs out, among the clocks whose consequence the parties are
/// shown (not the monitoring body's alerts): the deadline a case view names.
pub fn next_party_deadline(case: &Case, terms: &Terms) -> Option<Timestamp> {
    running_clocks(case, terms)
        .into_iter()
        .filter(|(_, body)| !body.is_monitoring_record())
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
    /// Done, at this moment: the person was found (seen well, with concerns, or refusing
    /// contact).
    Done(Timestamp),
    /// Checked at this moment, but the person was not found: missed once its window closes,
    /// unless they are found within it.
    NotFound(Timestamp),
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
            Self::NotFound(_) => "not_found",
            Self::Overdue => "overdue",
            Self::Ended => "ended",
        }
    }
}

/// One welfare check of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WelfareItem {
    /// When its window opens (as long before the due time as it closes after it).
    pub window_opens_at: Timestamp,
    /// When it falls due.
    pub due_at: Timestamp,
    /// When its window closes: a check at this very moment still counts.
    pub window_ends_at: Timestamp,
    /// Where it stands at the time asked about.
    pub state: WelfareState,
}

impl WelfareItem {
    /// Whether the check was missed by `now`: its window has closed without the person being
    /// found in it.
    pub fn missed(&self, now: Timestamp) -> bool {
        match self.state {
            WelfareState::Overdue => true,
            WelfareState::NotFound(_) => now > self.window_ends_at,
            _ => false,
        }
    }
}

/// The welfare-check schedule of an arrived case as it stands at `now`: the terms' one-off
/// checks and recurring ones together, by due time.
///
/// Each check counts for the first scheduled item whose window contains it, from the window's
/// first moment to its last inclusive; a window opens as long before the due time as it closes
/// after it, so a monitor visiting a day early is credited. A check that found the person is
/// preferred to one that did not.
pub fn welfare_schedule(case: &Case, terms: &Terms, now: Timestamp) -> Vec<WelfareItem> {
    let Some(arrived_at) = case.arrived_at else {
        return Vec::new();
    };
    let mut used = vec![false; case.welfare_checks.len()];
    terms
        .clocks
        .welfare_checks_for(arrived_at)
        .into_iter()
        .map(|check| {
            let due_at = check.due_at;
            let window_ends_at = check.window.after(due_at);
            let window_opens_at = due_at
                .checked_sub(window_ends_at.duration_since(due_at))
                .unwrap_or(due_at);
            let inside = |at: Timestamp| at >= window_opens_at && at <= window_ends_at;
            let pick = |found: bool| {
                case.welfare_checks
                    .iter()
                    .zip(used.iter())
                    .position(|(done, used)| {
                        !*used && inside(done.at) && done.outcome.found() == found
                    })
            };
            let chosen = pick(true).or_else(|| pick(false));
            let state = match chosen.and_then(|index| {
                if let Some(taken) = used.get_mut(index) {
                    *taken = true;
                }
                case.welfare_checks.get(index)
            }) {
                Some(done) if done.outcome.found() => WelfareState::Done(done.at),
                Some(done) => WelfareState::NotFound(done.at),
                None if !case.status.is_after_arrival() => WelfareState::Ended,
                None if now < due_at => WelfareState::Upcoming,
                None if now <= window_ends_at => WelfareState::Due,
                None => WelfareState::Overdue,
            };
            WelfareItem {
                window_opens_at,
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

/// How many welfare checks missed in a row raise an alert to the monitoring body.
pub const MISSED_CHECKS_ALERT: u32 = 3;

/// One second: an alert is raised in the first second after a limit is passed (a check in a
/// window's last second counts; whereabouts unknown for exactly the terms' period are not yet
/// unknown for longer).
const ONE_SECOND: jiff::SignedDuration = jiff::SignedDuration::from_secs(1);

/// The moment just past `limit`.
fn just_after(limit: Timestamp) -> Timestamp {
    limit.checked_add(ONE_SECOND).unwrap_or(Timestamp::MAX)
}

/// The next alert about missed checks the case's schedule leads to, if no further check is
/// recorded: the first run of [`MISSED_CHECKS_ALERT`] checks missed in a row (a check that
/// found the person ends a run) not already alerted, and the moment its last window closed.
/// One alert per run: a run that goes on is not alerted again.
fn missed_checks_alert(case: &Case, terms: &Terms) -> Option<(Timestamp, MonitorAlert)> {
    let mut run = 0;
    let mut since = None;
    for item in welfare_schedule(case, terms, Timestamp::MAX) {
        match item.state {
            WelfareState::Done(_) => {
                run = 0;
                since = None;
            }
            WelfareState::Overdue | WelfareState::NotFound(_) => {
                run += 1;
                let first = *since.get_or_insert(item.due_at);
                let alert = MonitorAlert::MissedChecks {
                    count: run,
                    since: first,
                };
                let raised = case.alerts.iter().any(|(_, raised)| {
                    matches!(raised, MonitorAlert::MissedChecks { since, .. } if *since == first)
                });
                if run == MISSED_CHECKS_ALERT && !raised {
                    return Some((just_after(item.window_ends_at), alert));
                }
            }
            WelfareState::Upcoming | WelfareState::Due | WelfareState::Ended => return None,
        }
    }
    None
}

/// The alert about whereabouts unknown for longer than the terms allow, if one is due for the
/// current episode (each time the whereabouts become unknown is a new one).
fn whereabouts_alert(case: &Case, terms: &Terms) -> Option<(Timestamp, MonitorAlert)> {
    let since = case.whereabouts_unknown_since?;
    let after = terms.clocks.whereabouts_alert_after?;
    let raised = case.alerts.iter().any(|(_, raised)| {
        matches!(raised, MonitorAlert::WhereaboutsUnknown { since: at } if *at == since)
    });
    (case.status == CaseStatus::WhereaboutsUnknown && !raised).then(|| {
        (
            just_after(after.after(since)),
            MonitorAlert::WhereaboutsUnknown { since },
        )
    })
}

/// Where a person stands in the years after arrival, computed when asked and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aftercare {
    /// When the person arrived.
    pub arrived_at: Timestamp,
    /// Whole calendar months since arrival.
    pub months_since_arrival: i64,
    /// Checks done (the person found).
    pub checks_done: u32,
    /// Checks missed (the window closed without the person found).
    pub checks_missed: u32,
    /// Checks due now (window open, not yet done).
    pub checks_due: u32,
    /// Checks still to come.
    pub checks_upcoming: u32,
    /// Checks missed in a row up to now.
    pub missed_in_a_row: u32,
    /// Whether the whereabouts are known, since when.
    pub whereabouts: Whereabouts,
    /// Where and when the person moved on from the receiving state.
    pub onward: Option<(corridor_terms::Country, Timestamp)>,
    /// When the support period ends (or ended), where the terms set one.
    pub support_ends_at: Option<Timestamp>,
}

/// Whether a person's whereabouts are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whereabouts {
    /// Known since this moment (arrival, the last check that found them, or being found again).
    Known(Timestamp),
    /// Unknown since this moment.
    Unknown(Timestamp),
}

/// The aftercare status of an arrived case at `now`; `None` before arrival.
pub fn aftercare(case: &Case, terms: &Terms, now: Timestamp) -> Option<Aftercare> {
    let arrived_at = case.arrived_at?;
    let schedule = welfare_schedule(case, terms, now);
    let count = |wanted: fn(&WelfareItem) -> bool| {
        u32::try_from(schedule.iter().filter(|item| wanted(item)).count()).unwrap_or(u32::MAX)
    };
    let missed = |item: &WelfareItem| item.missed(now);
    let checks_missed =
        u32::try_from(schedule.iter().filter(|item| missed(item)).count()).unwrap_or(u32::MAX);
    let mut missed_in_a_row = 0;
    for item in &schedule {
        if matches!(item.state, WelfareState::Done(_)) {
            missed_in_a_row = 0;
        } else if missed(item) {
            missed_in_a_row += 1;
        }
    }
    let last_found = case
        .welfare_checks
        .iter()
        .filter(|check| check.outcome.found() && check.at <= now)
        .map(|check| check.at)
        .max();
    let whereabouts = match case.whereabouts_unknown_since {
        Some(since) if case.status == CaseStatus::WhereaboutsUnknown => Whereabouts::Unknown(since),
        _ => Whereabouts::Known(
            [Some(arrived_at), last_found, case.whereabouts_known_since]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(arrived_at),
        ),
    };
    let zone = jiff::tz::TimeZone::UTC;
    let months_since_arrival = arrived_at
        .to_zoned_datetime(zone.clone())
        .until((jiff::Unit::Month, &now.to_zoned_datetime(zone)))
        .map_or(0, |span| i64::from(span.get_months()));
    Some(Aftercare {
        arrived_at,
        months_since_arrival,
        checks_done: count(|item| matches!(item.state, WelfareState::Done(_))),
        checks_missed,
        checks_due: u32::try_from(
            schedule
                .iter()
                .filter(|item| {
                    matches!(item.state, WelfareState::Due)
                        || matches!(item.state, WelfareState::NotFound(_)) && !missed(item)
                })
                .count(),
        )
        .unwrap_or(u32::MAX),
        checks_upcoming: count(|item| matches!(item.state, WelfareState::Upcoming)),
        missed_in_a_row,
        whereabouts,
        onward: case.onward_destination.zip(case.onward_moved_at),
        support_ends_at: terms
            .clocks
            .support_period
            .map(|span| span.after(arrived_at)),
    })
}
