//! Confidential complaints to the monitoring body: lodging one (anyone, no account), moving it
//! on, linking it to a case and erasing it (monitors of the agreement's body). Every event is in
//! the complaint's own stream; nothing here writes to a case.

use super::guards::{complaint_not_erased, complaint_status_may_become, permitted};
use super::{agreement_state, event_by, event_of_none};
use crate::command::{Command, Context};
use crate::complaint::{Complaint, ComplaintStatus};
use crate::event::{Event, EventBody};
use crate::ids::ComplaintId;
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::Snapshot;

/// A complaint command: who may ask is checked first (for the monitoring body the complaint's
/// agreement names), then the command's own rules.
pub(super) fn decide_complaint(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    if matches!(command, Command::LodgeComplaint { .. }) {
        return lodge(snapshot, command, context);
    }
    let id = command.complaint().ok_or_else(|| Refusal::InvalidInput {
        field: "command",
        reason: "it is not a complaint command".to_owned(),
    })?;
    let current = complaint_state(snapshot, id)?;
    let monitoring_body = agreement_state(snapshot, &current.agreement)?
        .latest()
        .and_then(|terms| terms.terms.monitoring.as_ref())
        .map(|body| body.id.as_str());
    let parties = Parties {
        monitoring_body,
        ..Parties::default()
    };
    permitted(context, command, &parties)?;
    let body = match command {
        Command::ReviewComplaint { status, reply, .. } => {
            review(current, *status, reply.as_ref())?;
            EventBody::ComplaintReviewed {
                complaint: id,
                status: *status,
                reply: reply.clone(),
            }
        }
        Command::LinkComplaint { case, .. } => {
            // A case of another agreement, or none, is answered alike: the monitor learns
            // nothing of cases outside what its body monitors.
            match snapshot.cases.get(case) {
                Some(found) if found.agreement == current.agreement => {}
                _ => return Err(Refusal::UnknownCase { case: *case }),
            }
            EventBody::ComplaintLinked {
                complaint: id,
                case: *case,
            }
        }
        _ => {
            complaint_not_erased(current)?;
            EventBody::ComplaintErased { complaint: id }
        }
    };
    Ok(vec![event_by(context, body)])
}

/// `lodge_complaint`: anyone, without an account, to the monitoring body the agreement names.
fn lodge(snapshot: &Snapshot, command: &Command, context: &Context) -> Result<Vec<Event>, Refusal> {
    let Command::LodgeComplaint {
        complaint,
        agreement,
        complainant,
        receipt,
        sealed,
    } = command
    else {
        return Err(Refusal::InvalidInput {
            field: "command",
            reason: "it is not a lodging".to_owned(),
        });
    };
    let state = agreement_state(snapshot, agreement)?;
    let body = state
        .latest()
        .and_then(|terms| terms.terms.monitoring.as_ref());
    permitted(context, command, &Parties::default())?;
    if body.is_none() {
        return Err(Refusal::InvalidInput {
            field: "agreement",
            reason: "it names no monitoring body to receive a complaint".to_owned(),
        });
    }
    if snapshot.complaints.contains_key(complaint) {
        return Err(Refusal::AlreadyExists {
            what: format!("complaint {complaint}"),
        });
    }
    // Lodged by nobody on record: the holder is known only by their receipt's hash.
    Ok(vec![event_of_none(
        context,
        EventBody::ComplaintLodged {
            complaint: *complaint,
            agreement: agreement.clone(),
            complainant: *complainant,
            receipt: receipt.clone(),
            sealed: sealed.clone(),
        },
    )])
}

/// `review_complaint`: the move must be allowed; a reply needs the complaint's key, so none
/// after erasure, and replying needs a reply.
fn review(
    current: &Complaint,
    status: ComplaintStatus,
    reply: Option<&crate::person::Sealed>,
) -> Result<(), Refusal> {
    complaint_status_may_become(current, status)?;
    if reply.is_some() {
        complaint_not_erased(current)?;
    }
    if status == ComplaintStatus::Replied && reply.is_none() {
        return Err(Refusal::InvalidInput {
            field: "reply",
            reason: "replying needs the reply's text".to_owned(),
        });
    }
    Ok(())
}

fn complaint_state(snapshot: &Snapshot, id: ComplaintId) -> Result<&Complaint, Refusal> {
    snapshot
        .complaints
        .get(&id)
        .ok_or(Refusal::UnknownComplaint { complaint: id })
}
