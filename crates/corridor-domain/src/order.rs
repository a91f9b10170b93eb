//! Time moves forward (docs/domain.md §4): no step is dated before what it follows.
//!
//! A command is refused as [`Refusal::TimeBeforeRecorded`] when its moment falls before the last
//! event of a stream its decision reads (its case, the case's agreement, every court order whose
//! scope reaches the case, the order it acts on) or writes (a case a new order pulls), by more
//! than the clock skew the deployment allows between servers sharing one database
//! ([`Snapshot::clock_skew`]). The refusal is not a safeguard and is never recorded: recording it
//! would itself write a backdated event. [`TimeOrder`] finds stored histories that break the rule.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::command::{Command, Context};
use crate::event::{Event, StreamId};
use crate::ids::HoldId;
use crate::refusal::Refusal;
use crate::snapshot::Snapshot;

/// The clock skew allowed between servers sharing one database unless the deployment sets
/// another: small, since every server's clock is the system clock.
pub const CLOCK_SKEW_DEFAULT: SignedDuration = SignedDuration::from_secs(2);

/// The latest moment an event of `stream` in the snapshot is dated, if the stream is loaded.
pub fn last_recorded(snapshot: &Snapshot, stream: &StreamId) -> Option<Timestamp> {
    match stream {
        StreamId::Agreement(id) => snapshot.agreements.get(id).map(|a| a.last_event_at),
        StreamId::Case(id) => snapshot.cases.get(id).map(|case| case.last_event_at),
        StreamId::Hold(id) => snapshot.holds.get(id).map(|hold| hold.last_event_at),
        StreamId::Visit(id) => snapshot.visits.get(id).map(|visit| visit.last_event_at),
        StreamId::Finding(id) => snapshot.findings.get(id).map(|f| f.last_event_at),
        // One stream for every server's access records: their order is the log's, not a rule.
        StreamId::Access => None,
        StreamId::Complaint(id) => snapshot.complaints.get(id).map(|c| c.last_event_at),
    }
}

/// Refuses a moment more than the allowed skew before the last event of `stream`. Only the
/// stream the command names and agreements (which are public) are named, with their last moment;
/// any other (an order reaching the case, a case an order pulls) is not: the caller may not know
/// it exists.
fn not_before(
    snapshot: &Snapshot,
    stream: &StreamId,
    named: Option<&StreamId>,
    at: Timestamp,
) -> Result<(), Refusal> {
    match last_recorded(snapshot, stream) {
        Some(recorded) if recorded.duration_since(at) > snapshot.clock_skew.abs() => {
            let told = named == Some(stream) || matches!(stream, StreamId::Agreement(_));
            Err(Refusal::TimeBeforeRecorded {
                stream: if told {
                    stream.to_string()
                } else {
                    "another stream this step reads or writes".to_owned()
                },
                recorded: told.then_some(recorded),
                at,
            })
        }
        _ => Ok(()),
    }
}

/// The streams a command's decision reads, besides those it writes.
fn streams_read(snapshot: &Snapshot, command: &Command) -> Vec<StreamId> {
    let mut streams = Vec::new();
    let hold = |id: &HoldId| StreamId::Hold(*id);
    match command {
        Command::LoadAgreement { .. } | Command::Tick => {}
        Command::ChangeAgreementStatus { agreement, .. } | Command::Propose { agreement, .. } => {
            streams.push(StreamId::Agreement(agreement.clone()));
        }
        Command::RegisterHold { depends_on, .. } => streams.extend(depends_on.iter().map(hold)),
        Command::ScheduleVisit { plan, .. } | Command::RecordVisit { plan, .. } => {
            streams.push(StreamId::Agreement(plan.agreement.clone()));
            streams.extend(plan.cases.iter().map(|id| StreamId::Case(*id)));
        }
        Command::RecordFinding { facts, .. } => {
            streams.push(StreamId::Agreement(facts.agreement.clone()));
            streams.extend(facts.cases.iter().map(|id| StreamId::Case(*id)));
        }
        Command::RespondToFinding { finding, .. } | Command::CloseFinding { finding, .. } => {
            if let Some(found) = snapshot.findings.get(finding) {
                streams.push(StreamId::Agreement(found.facts.agreement.clone()));
            }
        }
        // A complaint's own stream only: its agreement is read for the monitoring body, whose
        // changes do not date a complaint, and a linked case is read, never written.
        Command::LodgeComplaint { complaint, .. }
        | Command::ReviewComplaint { complaint, .. }
        | Command::LinkComplaint { complaint, .. }
        | Command::EraseComplaint { complaint } => streams.push(StreamId::Complaint(*complaint)),
        Command::StayHold { hold: id }
        | Command::ReactivateHold { hold: id }
        | Command::AmendHold { hold: id, .. }
        | Command::VacateHold { hold: id } => {
            streams.push(hold(id));
            if let Some(parent) = snapshot.holds.get(id).and_then(|h| h.depends_on) {
                streams.push(hold(&parent));
            }
        }
        _ => {
            let Some(case) = command.case().and_then(|id| snapshot.cases.get(&id)) else {
                return streams;
            };
            streams.push(StreamId::Case(case.id));
            streams.push(StreamId::Agreement(case.agreement.clone()));
            // Every order that reaches the case, whatever its status now: a step dated before an
            // order was stayed or vacated would be decided as if the order had not been in force.
            streams.extend(
                snapshot
                    .holds
                    .values()
                    .filter(|h| h.scope.covers(case))
                    .map(|h| hold(&h.id)),
            );
            // Every finding that places or placed the case under the monitor's hold, likewise.
            streams.extend(
                snapshot
                    .findings
                    .values()
                    .filter(|f| f.places_hold() && f.facts.cases.contains(&case.id))
                    .map(|f| StreamId::Finding(f.id)),
            );
        }
    }
    streams
}

/// Refuses a command dated before what its decision reads.
pub(crate) fn command_not_backdated(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<(), Refusal> {
    let named = named_stream(command);
    streams_read(snapshot, command)
        .iter()
        .try_for_each(|stream| not_before(snapshot, stream, named.as_ref(), context.now))
}

/// Refuses events dated before the last event of the stream each is appended to.
pub(crate) fn events_not_backdated(
    snapshot: &Snapshot,
    command: &Command,
    events: &[Event],
) -> Result<(), Refusal> {
    let named = named_stream(command);
    events
        .iter()
        .try_for_each(|event| not_before(snapshot, &event.body.stream(), named.as_ref(), event.at))
}

/// The stream a command names: its case, its order or its agreement.
fn named_stream(command: &Command) -> Option<StreamId> {
    match command {
        Command::ChangeAgreementStatus { agreement, .. } => {
            Some(StreamId::Agreement(agreement.clone()))
        }
        Command::RegisterHold { hold, .. }
        | Command::StayHold { hold }
        | Command::ReactivateHold { hold }
        | Command::AmendHold { hold, .. }
        | Command::VacateHold { hold } => Some(StreamId::Hold(*hold)),
        _ => command
            .complaint()
            .map(StreamId::Complaint)
            .or_else(|| command.case().map(StreamId::Case))
            .or_else(|| command.visit().map(StreamId::Visit))
            .or_else(|| command.finding().map(StreamId::Finding)),
    }
}

/// Reads a stored history in order and says where an event is dated before an earlier event of
/// its own stream by more than the allowed skew (`corridor check`).
#[derive(Debug, Clone)]
pub struct TimeOrder {
    skew: SignedDuration,
    latest: BTreeMap<String, Timestamp>,
}

impl TimeOrder {
    /// A reader allowing `skew`.
    pub fn new(skew: SignedDuration) -> Self {
        Self {
            skew: skew.abs(),
            latest: BTreeMap::new(),
        }
    }

    /// Takes the next event in stored order; a description of the violation, if it is one.
    pub fn see(&mut self, event: &Event) -> Option<String> {
        let stream = event.body.stream();
        if stream == StreamId::Access {
            return None;
        }
        let latest = self.latest.entry(stream.to_string()).or_insert(event.at);
        let problem = (latest.duration_since(event.at) > self.skew).then(|| {
            format!(
                "`{}` is dated {}, before the stream's earlier event at {}: time went backwards",
                event.body.kind(),
                event.at,
                latest
            )
        });
        *latest = (*latest).max(event.at);
        problem
    }
}
