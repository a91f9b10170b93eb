//! Court orders (holds): registering, staying, reactivating, amending and vacating one, and the
//! cases an order taking effect pulls (scheduled ones are unscheduled, those in transit recalled).

use super::guards::{hold_status_is, permitted, text_field};
use super::{event_by, event_of_none};
use crate::case::CaseStatus;
use crate::command::{Command, Context};
use crate::event::{Event, EventBody, UnscheduleCause};
use crate::hold::{Hold, HoldScope, HoldStatus, effective};
use crate::ids::HoldId;
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::{STATUSES_A_HOLD_PULLS, Snapshot, depends_on_chain};

/// A hold command: who may ask is checked first, then the command's own rules.
pub(super) fn decide_hold(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    permitted(context, command, &Parties::default())?;
    match command {
        Command::RegisterHold {
            hold,
            court,
            reference,
            scope,
            depends_on,
        } => register(
            snapshot,
            context,
            new_hold(*hold, court, reference, scope, *depends_on, context),
        ),
        Command::StayHold { hold } => {
            let current = hold_state(snapshot, *hold)?;
            hold_status_is(current, HoldStatus::Active, "stayed")?;
            Ok(vec![event_by(
                context,
                EventBody::HoldStayed { hold: *hold },
            )])
        }
        Command::ReactivateHold { hold } => reactivate(snapshot, context, *hold),
        Command::AmendHold { hold, scope } => amend(snapshot, context, *hold, scope),
        Command::VacateHold { hold } => vacate(snapshot, context, *hold),
        _ => Err(Refusal::InvalidInput {
            field: "command",
            reason: "it is not a hold command".to_owned(),
        }),
    }
}

/// `register_hold`: a new order, in effect at once unless the order it depends on is stayed.
fn register(snapshot: &Snapshot, context: &Context, new: Hold) -> Result<Vec<Event>, Refusal> {
    if snapshot.holds.contains_key(&new.id) {
        return Err(Refusal::AlreadyExists {
            what: format!("hold {}", new.id),
        });
    }
    text_field("court", &new.court)?;
    text_field("reference", &new.reference)?;
    valid_scope(&new.scope)?;
    if let Some(parent) = &new.depends_on {
        let parent = snapshot
            .holds
            .get(parent)
            .ok_or(Refusal::UnknownHold { hold: *parent })?;
        if parent.status == HoldStatus::Vacated {
            return Err(Refusal::InvalidInput {
                field: "depends_on",
                reason: format!("{} is vacated", parent.id),
            });
        }
    }
    let mut events = vec![event_by(
        context,
        EventBody::HoldRegistered {
            hold: new.id,
            court: new.court.clone(),
            reference: new.reference.clone(),
            scope: new.scope.clone(),
            depends_on: new.depends_on,
        },
    )];
    let (id, scope) = (new.id, new.scope.clone());
    let mut after = snapshot.holds.clone();
    after.insert(id, new);
    if after.get(&id).is_some_and(|h| effective(h, &after)) {
        events.extend(pull_covered_cases(snapshot, &[&scope], id, context));
    }
    Ok(events)
}

/// `reactivate_hold`: a stayed order, and every active order depending on it, take effect again.
fn reactivate(snapshot: &Snapshot, context: &Context, hold: HoldId) -> Result<Vec<Event>, Refusal> {
    let current = hold_state(snapshot, hold)?;
    hold_status_is(current, HoldStatus::Stayed, "reactivated")?;
    let mut events = vec![event_by(context, EventBody::HoldReactivated { hold })];
    let mut after = snapshot.holds.clone();
    if let Some(target) = after.get_mut(&hold) {
        target.status = HoldStatus::Active;
    }
    for revived in after.values() {
        if effective(revived, &after) && depends_on_chain(revived, hold, &after) {
            events.extend(pull_covered_cases(
                snapshot,
                &[&revived.scope],
                revived.id,
                context,
            ));
        }
    }
    Ok(dedupe_case_effects(events))
}

/// `amend_hold`: a new scope, which pulls the cases it covers if the order is in effect.
fn amend(
    snapshot: &Snapshot,
    context: &Context,
    hold: HoldId,
    scope: &HoldScope,
) -> Result<Vec<Event>, Refusal> {
    let current = hold_state(snapshot, hold)?;
    if current.status == HoldStatus::Vacated {
        return Err(Refusal::InvalidInput {
            field: "hold",
            reason: format!("{hold} is vacated and cannot be amended"),
        });
    }
    valid_scope(scope)?;
    let mut events = vec![event_by(
        context,
        EventBody::HoldAmended {
            hold,
            scope: scope.clone(),
        },
    )];
    if effective(current, &snapshot.holds) {
        events.extend(pull_covered_cases(snapshot, &[scope], hold, context));
    }
    Ok(events)
}

/// `vacate_hold`: the order ends, and every order depending on it falls with it, down the chain.
fn vacate(snapshot: &Snapshot, context: &Context, hold: HoldId) -> Result<Vec<Event>, Refusal> {
    let current = hold_state(snapshot, hold)?;
    if current.status == HoldStatus::Vacated {
        return Err(Refusal::InvalidInput {
            field: "hold",
            reason: format!("{hold} is already vacated"),
        });
    }
    let mut events = vec![event_by(
        context,
        EventBody::HoldVacated {
            hold,
            because_of: None,
        },
    )];
    for dependent in snapshot.holds.values() {
        if dependent.id != hold
            && dependent.status != HoldStatus::Vacated
            && depends_on_chain(dependent, hold, &snapshot.holds)
        {
            events.push(event_of_none(
                context,
                EventBody::HoldVacated {
                    hold: dependent.id,
                    because_of: Some(hold),
                },
            ));
        }
    }
    Ok(events)
}

fn valid_scope(scope: &HoldScope) -> Result<(), Refusal> {
    scope.validate().map_err(|reason| Refusal::InvalidInput {
        field: "scope",
        reason,
    })
}

fn hold_state(snapshot: &Snapshot, id: HoldId) -> Result<&Hold, Refusal> {
    snapshot
        .holds
        .get(&id)
        .ok_or(Refusal::UnknownHold { hold: id })
}

fn new_hold(
    id: HoldId,
    court: &str,
    reference: &str,
    scope: &HoldScope,
    depends_on: Option<HoldId>,
    context: &Context,
) -> Hold {
    Hold {
        id,
        court: court.to_owned(),
        reference: reference.to_owned(),
        scope: scope.clone(),
        depends_on,
        status: HoldStatus::Active,
        history: vec![(HoldStatus::Active, context.now)],
        amendments: 0,
        version: 1,
        last_event_at: context.now,
    }
}

/// The events a hold taking effect causes: scheduled cases it covers are unscheduled, and those
/// in transit are recalled. The snapshot holds exactly the covered cases in those statuses.
fn pull_covered_cases(
    snapshot: &Snapshot,
    scopes: &[&HoldScope],
    hold: HoldId,
    context: &Context,
) -> Vec<Event> {
    let mut events = Vec::new();
    for case in snapshot.cases.values() {
        if !STATUSES_A_HOLD_PULLS.contains(&case.status) || !scopes.iter().any(|s| s.covers(case)) {
            continue;
        }
        let body = match case.status {
            CaseStatus::Scheduled => EventBody::TransferUnscheduled {
                case: case.id,
                cause: UnscheduleCause::Hold { hold },
            },
            _ => EventBody::Recalled {
                case: case.id,
                hold: Some(hold),
            },
        };
        events.push(Event {
            at: context.now,
            by: None,
            body: EventBody::HoldMatched {
                case: case.id,
                hold,
            },
        });
        events.push(Event {
            at: context.now,
            by: None,
            body,
        });
    }
    events
}

/// Keeps only the first effect per case when several revived orders cover the same case.
fn dedupe_case_effects(events: Vec<Event>) -> Vec<Event> {
    let mut pulled = std::collections::BTreeSet::new();
    events
        .into_iter()
        .filter(|event| match &event.body {
            EventBody::TransferUnscheduled { case, .. } | EventBody::Recalled { case, .. } => {
                pulled.insert(*case)
            }
            _ => true,
        })
        .collect()
}
