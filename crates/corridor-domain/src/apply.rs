//! Applying events to state: the one fold every backend, every replay and [`crate::World`] use.
//!
//! The decider reads state and never changes it; this module changes it and decides nothing, so
//! neither imports the other.

use corridor_terms::AgreementId;

use crate::agreement::{AgreementState, ReplayError};
use crate::case::Case;
use crate::complaint::Complaint;
use crate::event::{Event, EventBody, StreamId};
use crate::hold::{Hold, HoldStatus};
use crate::ids::{CaseId, ComplaintId, FindingId, HoldId, VisitId};
use crate::monitoring::{Finding, FindingResponse, Visit};
use crate::snapshot::{Snapshot, case_terms};

/// An event could not be applied: the stored history is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// An event names a stream that has not started.
    #[error("event `{kind}` names {stream}, which has no first event")]
    MissingStream {
        /// The event kind.
        kind: &'static str,
        /// The stream.
        stream: String,
    },
    /// A first event for a stream that already exists.
    #[error("event `{kind}` starts {stream}, which already exists")]
    StreamExists {
        /// The event kind.
        kind: &'static str,
        /// The stream.
        stream: String,
    },
    /// A stored agreement file no longer parses.
    #[error(transparent)]
    Agreement(#[from] ReplayError),
}

/// Applies one event to the snapshot: the single fold every backend and every replay uses.
///
/// The event's stream must be in the snapshot (or start with this event), so callers load every
/// stream a decision touched; counts move with case status transitions.
pub fn apply_to_snapshot(snapshot: &mut Snapshot, event: &Event) -> Result<(), ApplyError> {
    match event.body.stream() {
        StreamId::Agreement(id) => apply_to_agreement(snapshot, id, event),
        StreamId::Case(id) => apply_to_case(snapshot, id, event),
        StreamId::Hold(id) => apply_to_hold(snapshot, id, event),
        StreamId::Visit(id) => apply_to_visit(snapshot, id, event),
        StreamId::Finding(id) => apply_to_finding(snapshot, id, event),
        // An access record changes no state: it is on the record, and in the log, only.
        StreamId::Access => {
            snapshot.access_records += 1;
            Ok(())
        }
        StreamId::Complaint(id) => apply_to_complaint(snapshot, id, event),
    }
}

/// A complaint's event: lodging starts it; later ones move it on. Nothing else changes: a
/// complaint never touches a case.
fn apply_to_complaint(
    snapshot: &mut Snapshot,
    id: ComplaintId,
    event: &Event,
) -> Result<(), ApplyError> {
    let kind = event.body.kind();
    if let Some(new) = Complaint::lodged(event.at, &event.body) {
        if snapshot.complaints.contains_key(&new.id) {
            return Err(ApplyError::StreamExists {
                kind,
                stream: new.id.to_string(),
            });
        }
        snapshot.complaints.insert(new.id, new);
        return Ok(());
    }
    snapshot
        .complaints
        .get_mut(&id)
        .ok_or_else(|| ApplyError::MissingStream {
            kind,
            stream: id.to_string(),
        })?
        .apply(event.at, &event.body);
    Ok(())
}

/// An agreement's event: the first loads it; later ones change its versions and status.
fn apply_to_agreement(
    snapshot: &mut Snapshot,
    id: AgreementId,
    event: &Event,
) -> Result<(), ApplyError> {
    let current = snapshot.agreements.remove(&id);
    if current.is_none() && !matches!(event.body, EventBody::AgreementLoaded { .. }) {
        return Err(ApplyError::MissingStream {
            kind: event.body.kind(),
            stream: format!("agreement:{id}"),
        });
    }
    if let Some(next) = AgreementState::apply(current, event.at, &event.body)? {
        snapshot.counts.entry(id.clone()).or_default();
        snapshot.agreements.insert(id, next);
    }
    Ok(())
}

/// A case's event: the proposal starts it; each later event moves it, and the counts with it.
fn apply_to_case(snapshot: &mut Snapshot, id: CaseId, event: &Event) -> Result<(), ApplyError> {
    let kind = event.body.kind();
    if let Some(new) = Case::proposed(event) {
        if snapshot.cases.contains_key(&new.id) {
            return Err(ApplyError::StreamExists {
                kind,
                stream: new.id.to_string(),
            });
        }
        snapshot
            .counts
            .entry(new.agreement.clone())
            .or_default()
            .record_transition(None, Some(new.status));
        snapshot.cases.insert(new.id, new);
        return Ok(());
    }
    let detention_required = snapshot
        .cases
        .get(&id)
        .and_then(|case| case_terms(snapshot, case))
        .is_some_and(|terms| terms.clocks.detention_validation.is_some());
    let case = snapshot
        .cases
        .get_mut(&id)
        .ok_or_else(|| ApplyError::MissingStream {
            kind,
            stream: id.to_string(),
        })?;
    let before = case.status;
    case.apply(event.at, event.by.as_ref(), &event.body, detention_required);
    let after = case.status;
    snapshot
        .counts
        .entry(case.agreement.clone())
        .or_default()
        .record_transition(Some(before), Some(after));
    Ok(())
}

/// A court order's event: registration starts it; later ones change its status or scope.
fn apply_to_hold(snapshot: &mut Snapshot, id: HoldId, event: &Event) -> Result<(), ApplyError> {
    let kind = event.body.kind();
    if let EventBody::HoldRegistered {
        hold,
        court,
        reference,
        scope,
        depends_on,
    } = &event.body
    {
        if snapshot.holds.contains_key(hold) {
            return Err(ApplyError::StreamExists {
                kind,
                stream: hold.to_string(),
            });
        }
        snapshot.holds.insert(
            *hold,
            Hold {
                id: *hold,
                court: court.clone(),
                reference: reference.clone(),
                scope: scope.clone(),
                depends_on: *depends_on,
                status: HoldStatus::Active,
                history: vec![(HoldStatus::Active, event.at)],
                amendments: 0,
                version: 1,
                last_event_at: event.at,
            },
        );
        return Ok(());
    }
    let hold = snapshot
        .holds
        .get_mut(&id)
        .ok_or_else(|| ApplyError::MissingStream {
            kind,
            stream: id.to_string(),
        })?;
    hold.version += 1;
    hold.last_event_at = hold.last_event_at.max(event.at);
    let status = match &event.body {
        EventBody::HoldStayed { .. } => Some(HoldStatus::Stayed),
        EventBody::HoldReactivated { .. } => Some(HoldStatus::Active),
        EventBody::HoldVacated { .. } => Some(HoldStatus::Vacated),
        EventBody::HoldAmended { scope, .. } => {
            hold.scope = scope.clone();
            hold.amendments += 1;
            None
        }
        _ => None,
    };
    if let Some(status) = status {
        hold.status = status;
        hold.history.push((status, event.at));
    }
    Ok(())
}

/// A visit's event: either may start it (a visit made unannounced is recorded without being
/// scheduled); a record completes a scheduled one.
fn apply_to_visit(snapshot: &mut Snapshot, id: VisitId, event: &Event) -> Result<(), ApplyError> {
    let kind = event.body.kind();
    let existing = snapshot.visits.get(&id);
    let (plan, recorded) = match &event.body {
        EventBody::VisitScheduled { plan, .. } => {
            if existing.is_some() {
                return Err(ApplyError::StreamExists {
                    kind,
                    stream: id.to_string(),
                });
            }
            (plan, None)
        }
        EventBody::VisitRecorded { plan, seen, .. } => (plan, Some((event.at, seen.clone()))),
        _ => return Ok(()),
    };
    let visit = snapshot.visits.entry(id).or_insert_with(|| Visit {
        id,
        plan: plan.clone(),
        scheduled_at: None,
        recorded: None,
        by: None,
        version: 0,
        last_event_at: event.at,
    });
    visit.plan = plan.clone();
    if recorded.is_none() {
        visit.scheduled_at = Some(event.at);
    }
    if recorded.is_some() {
        visit.recorded = recorded;
    }
    visit.by = event.by.clone();
    visit.version += 1;
    visit.last_event_at = visit.last_event_at.max(event.at);
    Ok(())
}

/// A finding's event: its record starts it; responses and the closing follow.
fn apply_to_finding(
    snapshot: &mut Snapshot,
    id: FindingId,
    event: &Event,
) -> Result<(), ApplyError> {
    let kind = event.body.kind();
    if let EventBody::FindingRecorded { facts, .. } = &event.body {
        if snapshot.findings.contains_key(&id) {
            return Err(ApplyError::StreamExists {
                kind,
                stream: id.to_string(),
            });
        }
        snapshot.findings.insert(
            id,
            Finding {
                id,
                facts: facts.clone(),
                recorded_at: event.at,
                recorded_by: event.by.clone(),
                responses: std::collections::BTreeMap::new(),
                closed: None,
                version: 1,
                last_event_at: event.at,
            },
        );
        return Ok(());
    }
    let finding = snapshot
        .findings
        .get_mut(&id)
        .ok_or_else(|| ApplyError::MissingStream {
            kind,
            stream: id.to_string(),
        })?;
    match &event.body {
        EventBody::FindingResponded { party, text, .. } => {
            finding.responses.insert(
                *party,
                FindingResponse {
                    at: event.at,
                    by: event.by.clone(),
                    text: text.clone(),
                },
            );
        }
        EventBody::FindingClosed { outcome, .. } => finding.closed = Some((event.at, *outcome)),
        _ => {}
    }
    finding.version += 1;
    finding.last_event_at = finding.last_event_at.max(event.at);
    Ok(())
}

/// Applies decided events to a copy of the snapshot, as the store will: used by callers that
/// decide several commands in a row against one snapshot.
pub fn applied(snapshot: &Snapshot, events: &[Event]) -> Result<Snapshot, ApplyError> {
    let mut next = snapshot.clone();
    for event in events {
        apply_to_snapshot(&mut next, event)?;
    }
    Ok(next)
}
