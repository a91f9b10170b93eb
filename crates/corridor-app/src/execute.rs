//! The one path every command takes, over HTTP and from the command line alike
//! ([`crate::service`]): authenticate, decide the action with the policies (the access record
//! commits with the command), then let the store decide the command with the domain inside a
//! group commit.

use std::collections::{BTreeMap, BTreeSet};

use corridor_authz::{Action, AgreementFacts, CaseFacts, HoldFacts, ResourceFacts};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{
    AgreementState, Case, CaseId, Command, Context, Event, Hold, HoldId, HoldScope, Outcome,
    StreamId,
};

use crate::answers::{CommandOutcome, EventSummary};
use crate::authorize::{self, authorize_command};
use crate::caller::Caller;
use crate::committer::Job;
use crate::error::AppError;
use crate::state::App;

/// Every hold: what the facts of a case read to name the courts whose orders cover it.
pub async fn every_hold(state: &App) -> Result<Vec<Hold>, AppError> {
    Ok(state.store().holds().await?.into_values().collect())
}

/// The facts of a case, for the policies, given every hold ([`every_hold`]).
pub fn case_facts_with(
    case: &Case,
    agreement: &AgreementState,
    holds: &[Hold],
) -> Result<ResourceFacts, AppError> {
    let terms = agreement
        .latest()
        .ok_or_else(|| AppError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    Ok(ResourceFacts::Case(CaseFacts::of(case, terms, holds)))
}

/// The facts of a case, for the policies.
pub async fn case_facts(
    state: &App,
    case: &Case,
    agreement: &AgreementState,
) -> Result<ResourceFacts, AppError> {
    case_facts_with(case, agreement, &every_hold(state).await?)
}

/// The facts of an agreement, for the policies.
pub fn agreement_facts(agreement: &AgreementState) -> Result<ResourceFacts, AppError> {
    let terms = agreement
        .latest()
        .ok_or_else(|| AppError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    Ok(ResourceFacts::Agreement(AgreementFacts::of(terms)))
}

/// The facts of holds, for the policies, in order: each with the sending states of the
/// agreements it bears on (see [`HoldFacts::sending_states`]). The cases orders name are read
/// at once, however many there are.
pub async fn hold_facts(state: &App, holds: &[&Hold]) -> Result<Vec<ResourceFacts>, AppError> {
    let sending: BTreeMap<AgreementId, Country> = state
        .store()
        .agreements()
        .await?
        .iter()
        .filter_map(|agreement| Some((agreement.id.clone(), agreement.latest()?.sending)))
        .collect();
    let named: BTreeSet<CaseId> = holds
        .iter()
        .filter_map(|hold| match &hold.scope {
            HoldScope::Cases { cases } => Some(cases.iter().copied()),
            HoldScope::Class { .. } => None,
        })
        .flatten()
        .collect();
    let agreement_of: BTreeMap<CaseId, AgreementId> = if named.is_empty() {
        BTreeMap::new()
    } else {
        let ids: Vec<CaseId> = named.into_iter().collect();
        state
            .store()
            .cases_named(&ids)
            .await?
            .into_iter()
            .map(|(case, _)| (case.id, case.agreement))
            .collect()
    };
    let mut facts = Vec::with_capacity(holds.len());
    for hold in holds {
        let sending_states = match &hold.scope {
            HoldScope::Class { criteria } => sending
                .iter()
                .filter(|(id, _)| {
                    criteria.agreements.is_empty() || criteria.agreements.contains(*id)
                })
                .map(|(_, country)| *country)
                .collect(),
            HoldScope::Cases { cases } => {
                let mut every: Option<BTreeSet<Country>> = None;
                for case in cases {
                    let one: BTreeSet<Country> = agreement_of
                        .get(case)
                        .and_then(|agreement| sending.get(agreement).copied())
                        .into_iter()
                        .collect();
                    every = Some(match every {
                        None => one,
                        Some(so_far) => so_far.intersection(&one).copied().collect(),
                    });
                }
                every.unwrap_or_default()
            }
        };
        facts.push(ResourceFacts::Hold(HoldFacts {
            id: hold.id,
            court: hold.court.clone(),
            sending_states,
        }));
    }
    Ok(facts)
}

/// A case with its agreement, or not found (recorded as a denied `action` of `caller`, so that a
/// missing case costs what a concealed one does: see [`authorize::absent`]).
pub async fn load_case(
    state: &App,
    caller: &Caller,
    action: Action,
    id: CaseId,
) -> Result<(Case, AgreementState), AppError> {
    match state.store().case(id).await? {
        Some(found) => Ok(found),
        None => Err(missing_case(state, caller, action, id).await),
    }
}

/// The answer to an action on a case that does not exist, after the work a concealed one
/// costs: the holds its facts would have read, then the denied record ([`authorize::absent`]).
pub async fn missing_case(state: &App, caller: &Caller, action: Action, id: CaseId) -> AppError {
    if let Err(error) = every_hold(state).await {
        return error;
    }
    authorize::absent(state, caller, action, "case", &id).await
}

/// An agreement, or not found.
pub async fn load_agreement(state: &App, id: &AgreementId) -> Result<AgreementState, AppError> {
    state
        .store()
        .agreements()
        .await?
        .into_iter()
        .find(|agreement| agreement.id == *id)
        .ok_or_else(|| AppError::NotFound {
            what: format!("agreement {id}"),
        })
}

/// A hold, or not found (recorded as for a case: see [`load_case`]).
pub async fn load_hold(
    state: &App,
    caller: &Caller,
    action: Action,
    id: HoldId,
) -> Result<Hold, AppError> {
    match state.store().holds().await?.remove(&id) {
        Some(found) => Ok(found),
        None => {
            // The agreements a concealed hold's facts read: the same work.
            state.store().agreements().await?;
            Err(authorize::absent(state, caller, action, "hold", &id).await)
        }
    }
}

/// What an accepted command appended.
#[derive(Debug)]
pub struct Accepted {
    /// The events, with their sequence numbers.
    pub events: Vec<(u64, Event)>,
}

impl Accepted {
    /// The answer body; `case` names the case whose version to report.
    pub fn outcome(&self, case: Option<(CaseId, u64)>) -> CommandOutcome {
        let case_version = case.map(|(id, before)| {
            before
                + self
                    .events
                    .iter()
                    .filter(|(_, event)| event.body.stream() == StreamId::Case(id))
                    .count() as u64
        });
        CommandOutcome {
            outcome: "accepted".to_owned(),
            events: self
                .events
                .iter()
                .map(|(seq, event)| EventSummary::of(*seq, event))
                .collect(),
            case_version,
        }
    }
}

/// Authorizes `command` on `resource` for `caller` and executes it: the access record and the
/// command commit together; a refusal is an error carrying the core's code (a safeguard refusal
/// on a case is itself recorded first).
pub async fn execute(
    state: &App,
    caller: &Caller,
    resource: &ResourceFacts,
    command: Command,
    expected_version: Option<u64>,
    new_case_keys: Vec<(CaseId, Vec<u8>)>,
) -> Result<Accepted, AppError> {
    let actor = caller.authenticated()?.clone();
    let action = Action::of_command(&command);
    let access = authorize_command(state, caller, action, resource).await?;
    let mut jobs: Vec<Job> = access.into_iter().collect();
    jobs.push(Job::Command {
        command,
        context: Context {
            now: state.now(),
            actor,
        },
        expected_version,
        new_case_keys,
    });
    let result = state
        .committer()
        .write(jobs)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("the committer answered nothing".to_owned()))?;
    let executed = result?;
    let first = executed.seqs.map_or(0, |(first, _)| first);
    let appended = executed.seqs.map_or(0, |(first, last)| last + 1 - first);
    state.counters().events_appended(appended);
    match executed.outcome {
        Outcome::Accepted(events) => Ok(Accepted {
            events: (first..).zip(events).collect(),
        }),
        Outcome::Refused { refusal, recorded } => {
            if refusal.is_safeguard() {
                state.counters().safeguard_refused(refusal.code());
            }
            match (recorded, executed.seqs) {
                (Some(_), Some((seq, _))) => Err(AppError::RefusedRecorded { refusal, seq }),
                _ => Err(AppError::Refused(refusal)),
            }
        }
    }
}

/// Draws a random 64-bit id.
pub fn random_u64() -> Result<u64, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Draws random bytes.
pub fn random_array<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    Ok(bytes)
}
