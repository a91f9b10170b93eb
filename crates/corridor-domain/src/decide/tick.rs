//! `tick`: letting the clocks run. Every clock that has run out has its consequence, dated when it
//! ran out, and a consequence may start another clock (up to [`CONSEQUENCES_PER_CASE_MAX`]).

use super::guards::permitted;
use crate::clock::first_expired;
use crate::command::{Command, Context};
use crate::event::Event;
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::{Snapshot, case_terms};

/// Most clock consequences one case may produce in one tick (each can start another clock).
const CONSEQUENCES_PER_CASE_MAX: usize = 8;

/// The consequences of every clock that has run out by `context.now`.
pub(super) fn tick(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    permitted(context, command, &Parties::default())?;
    let mut events = Vec::new();
    for case in snapshot.cases.values() {
        let Some(terms) = case_terms(snapshot, case) else {
            continue;
        };
        let mut state = case.clone();
        for _ in 0..CONSEQUENCES_PER_CASE_MAX {
            let Some((ran_out, body)) = first_expired(&state, terms, context.now) else {
                break;
            };
            // Dated when the clock ran out, but never before what the case already records: a
            // step recorded after that moment and before this tick stays first.
            let at = ran_out.max(state.last_event_at);
            let consequence = Event { at, by: None, body };
            state.apply(
                at,
                None,
                &consequence.body,
                terms.clocks.detention_validation.is_some(),
            );
            events.push(consequence);
        }
    }
    Ok(events)
}
