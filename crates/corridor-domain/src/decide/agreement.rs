//! Agreement commands: loading an agreement file (new, or a new version) and recording a change
//! of its lifecycle status.

use corridor_terms::{AgreementId, AgreementStatus};

use super::guards::{amendment_continues, check_status_change, permitted, today_of};
use super::{agreement_state, event_by};
use crate::command::{Command, Context};
use crate::event::{Event, EventBody};
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::Snapshot;

/// `load_agreement`: a new agreement, or a new version of a known one that keeps its parties
/// and continues its lifecycle.
pub(super) fn load(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    file_name: &str,
    text: &str,
) -> Result<Vec<Event>, Refusal> {
    permitted(context, command, &Parties::default())?;
    let parsed = corridor_terms::parse_agreement(file_name, text).map_err(|errors| {
        Refusal::InvalidInput {
            field: "agreement file",
            reason: errors.to_string(),
        }
    })?;
    let existing = snapshot.agreements.get(&parsed.id);
    if let Some(existing) = existing {
        amendment_continues(existing, &parsed)?;
    }
    let terms_version = existing.map_or(1, |state| state.latest_version().saturating_add(1));
    Ok(vec![event_by(
        context,
        EventBody::AgreementLoaded {
            agreement: parsed.id,
            terms_version,
            file_name: file_name.to_owned(),
            text: text.to_owned(),
        },
    )])
}

/// `change_agreement_status`: a lifecycle step, dated today or earlier.
pub(super) fn change_status(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    agreement: &AgreementId,
    status: AgreementStatus,
    on: jiff::civil::Date,
) -> Result<Vec<Event>, Refusal> {
    permitted(context, command, &Parties::default())?;
    let state = agreement_state(snapshot, agreement)?;
    check_status_change(state, status, on, today_of(context))?;
    Ok(vec![event_by(
        context,
        EventBody::AgreementStatusChanged {
            agreement: agreement.clone(),
            status,
            on,
        },
    )])
}
