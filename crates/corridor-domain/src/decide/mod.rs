//! The decider: `decide(snapshot, command, context) -> Result<events, Refusal>`.
//!
//! Split by meaning: agreement commands in `agreement.rs`, court orders in `hold.rs`, the clocks
//! in `tick.rs`, case commands in `case/` (by stage of the lifecycle), and every guard of
//! docs/domain.md §4 in `guards.rs` and only there. Who may ask which command is the role table of
//! `crate::roles`. The decider only reads state: applying events is `crate::apply`'s.

mod agreement;
mod case;
mod complaint;
mod guards;
mod hold;
mod monitoring;
mod tick;

use crate::command::{Command, Context};
use crate::event::{Event, EventBody};
use crate::order;
use crate::refusal::Refusal;
use crate::snapshot::{Counts, Snapshot};

pub use guards::rule_attributes;
pub use monitoring::{FINDING_TEXT_LENGTH_MAX, MONITORING_CASES_MAX};

/// Most events one command may emit. A class hold over very many scheduled cases is the largest;
/// past this the caller must split the work (the store reports it as a limit, never truncates).
pub const EVENTS_PER_COMMAND_MAX: usize = 1_000_000;

/// Longest free-text reason accepted.
pub const REASON_LENGTH_MAX: usize = 500;

/// Decides a command against the snapshot: the events it causes, or why it is refused.
pub fn decide(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    order::command_not_backdated(snapshot, command, context)?;
    let body = decide_bodies(snapshot, command, context)?;
    order::events_not_backdated(snapshot, command, &body)?;
    if body.len() > EVENTS_PER_COMMAND_MAX {
        return Err(Refusal::InvalidInput {
            field: "command",
            reason: format!(
                "it would emit {} events, more than the {EVENTS_PER_COMMAND_MAX} one command may",
                body.len()
            ),
        });
    }
    Ok(body)
}

/// The `safeguard_triggered` event to record for a refusal, when a safeguard refused a command
/// on an existing case.
pub fn refusal_event(command: &Command, refusal: &Refusal, context: &Context) -> Option<Event> {
    if !refusal.is_safeguard() {
        return None;
    }
    let case = command.case()?;
    Some(Event {
        at: context.now,
        by: Some(context.actor.user.clone()),
        body: EventBody::SafeguardTriggered {
            case,
            command: command.name().to_owned(),
            code: refusal.code().to_owned(),
            facts: refusal.facts(),
        },
    })
}

/// Sends the command to the module that decides its kind.
fn decide_bodies(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    match command {
        Command::LoadAgreement { file_name, text } => {
            agreement::load(snapshot, command, context, file_name, text)
        }
        Command::ChangeAgreementStatus {
            agreement,
            status,
            on,
        } => agreement::change_status(snapshot, command, context, agreement, *status, *on),
        Command::Propose {
            case,
            agreement,
            facts,
            counsel,
            personal,
        } => case::proposal::propose(
            snapshot,
            command,
            context,
            &case::proposal::Proposal {
                case: *case,
                agreement,
                facts,
                counsel: counsel.as_ref(),
                personal,
            },
        ),
        Command::RegisterHold { .. }
        | Command::StayHold { .. }
        | Command::ReactivateHold { .. }
        | Command::AmendHold { .. }
        | Command::VacateHold { .. } => hold::decide_hold(snapshot, command, context),
        Command::ScheduleVisit { .. }
        | Command::RecordVisit { .. }
        | Command::RecordFinding { .. }
        | Command::RespondToFinding { .. }
        | Command::CloseFinding { .. } => monitoring::decide_monitoring(snapshot, command, context),
        Command::Tick => tick::tick(snapshot, command, context),
        Command::LodgeComplaint { .. }
        | Command::ReviewComplaint { .. }
        | Command::LinkComplaint { .. }
        | Command::EraseComplaint { .. } => complaint::decide_complaint(snapshot, command, context),
        _ => case::decide_case(snapshot, command, context),
    }
}

/// The event an actor's command records now.
fn event_by(context: &Context, body: EventBody) -> Event {
    Event {
        at: context.now,
        by: Some(context.actor.user.clone()),
        body,
    }
}

/// The event the deployment itself records now, caused by a command but asked by nobody.
fn event_of_none(context: &Context, body: EventBody) -> Event {
    Event {
        at: context.now,
        by: None,
        body,
    }
}

// ----- lookups ------------------------------------------------------------------------------

fn agreement_state<'a>(
    snapshot: &'a Snapshot,
    id: &corridor_terms::AgreementId,
) -> Result<&'a crate::agreement::AgreementState, Refusal> {
    snapshot
        .agreements
        .get(id)
        .ok_or_else(|| Refusal::UnknownAgreement {
            agreement: id.clone(),
        })
}

/// Counts of the agreement, or zero.
pub fn counts_of(snapshot: &Snapshot, agreement: &corridor_terms::AgreementId) -> Counts {
    snapshot.counts.get(agreement).copied().unwrap_or_default()
}
