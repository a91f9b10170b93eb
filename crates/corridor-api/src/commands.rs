//! The one path every command takes, over HTTP and from the command line alike
//! ([`crate::service`]): authenticate, decide the action with the policies (the access record
//! commits with the command), then let the store decide the command with the domain inside a
//! group commit.

use axum::http::{HeaderMap, HeaderValue, header};
use std::collections::{BTreeMap, BTreeSet};

use corridor_authz::{Action, AgreementFacts, CaseFacts, HoldFacts, ResourceFacts};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{
    AgreementState, Case, CaseId, Command, Context, Event, Hold, HoldId, HoldScope, Outcome,
    StreamId,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::authorize::{self, authorize_command};
use crate::committer::Job;
use crate::problem::ApiError;
use crate::state::AppState;

/// One appended event, as a command's answer names it: its place, its kind and its facts.
///
/// The caller caused these events, so they learn nothing new from the facts: what they sent,
/// and the ids of what it touched (cases a hold covers, cases the clocks moved). Sealed personal
/// data is never included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EventSummary {
    /// Its global sequence number (and log leaf).
    pub seq: u64,
    /// Its kind, such as `transfer_requested`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The stream it belongs to (`case-…`, `hold-…`, `agreement:…`).
    pub stream: String,
    /// When it happened.
    pub at: String,
    /// Who did it (absent when a clock or a cascade did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The event's facts, as stored, without its kind and without sealed personal data.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl EventSummary {
    /// The summary of event `seq`.
    pub fn of(seq: u64, event: &Event) -> Self {
        Self {
            seq,
            kind: event.body.kind(),
            stream: event.body.stream().to_string(),
            at: event.at.to_string(),
            by: event.by.as_ref().map(ToString::to_string),
            details: event_details(event),
        }
    }
}

/// An event's facts as stored, without its kind (`type`) and without sealed personal data
/// (`personal`, ciphertext that serves nobody).
pub fn event_details(event: &Event) -> serde_json::Value {
    // Serialising these plain data types cannot fail (see `Event::to_json`).
    let mut value = serde_json::to_value(&event.body).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("personal");
        object.remove("type");
    }
    value
}

/// What an accepted command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CommandOutcome {
    /// Always `accepted`; refusals are problems.
    pub outcome: &'static str,
    /// The events appended, in order (empty when there was nothing to record).
    pub events: Vec<EventSummary>,
    /// The case's version after the command, for a command on one case (also in `ETag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_version: Option<u64>,
}

/// Every hold: what the facts of a case read to name the courts whose orders cover it.
pub async fn every_hold(state: &AppState) -> Result<Vec<Hold>, ApiError> {
    Ok(state.store().holds().await?.into_values().collect())
}

/// The facts of a case, for the policies, given every hold ([`every_hold`]).
pub fn case_facts_with(
    case: &Case,
    agreement: &AgreementState,
    holds: &[Hold],
) -> Result<ResourceFacts, ApiError> {
    let terms = agreement
        .latest()
        .ok_or_else(|| ApiError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    Ok(ResourceFacts::Case(CaseFacts::of(case, terms, holds)))
}

/// The facts of a case, for the policies.
pub async fn case_facts(
    state: &AppState,
    case: &Case,
    agreement: &AgreementState,
) -> Result<ResourceFacts, ApiError> {
    case_facts_with(case, agreement, &every_hold(state).await?)
}

/// The facts of an agreement, for the policies.
pub fn agreement_facts(agreement: &AgreementState) -> Result<ResourceFacts, ApiError> {
    let terms = agreement
        .latest()
        .ok_or_else(|| ApiError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    Ok(ResourceFacts::Agreement(AgreementFacts::of(terms)))
}

/// The facts of holds, for the policies, in order: each with the sending states of the
/// agreements it bears on (see [`HoldFacts::sending_states`]).
pub async fn hold_facts(state: &AppState, holds: &[&Hold]) -> Result<Vec<ResourceFacts>, ApiError> {
    let sending: BTreeMap<AgreementId, Country> = state
        .store()
        .agreements()
        .await?
        .iter()
        .filter_map(|agreement| Some((agreement.id.clone(), agreement.latest()?.sending)))
        .collect();
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
                    let found = state.store().case(*case).await?;
                    let one: BTreeSet<Country> = found
                        .and_then(|(case, _)| sending.get(&case.agreement).copied())
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

/// A case with its agreement, or 404 (recorded as a denied `action` of `caller`, so that a
/// missing case costs what a concealed one does: see [`authorize::absent`]).
pub async fn load_case(
    state: &AppState,
    caller: &Caller,
    action: Action,
    id: CaseId,
) -> Result<(Case, AgreementState), ApiError> {
    match state.store().case(id).await? {
        Some(found) => Ok(found),
        None => Err(missing_case(state, caller, action, id).await),
    }
}

/// The answer to an action on a case that does not exist, after the work a concealed one
/// costs: the holds its facts would have read, then the denied record ([`authorize::absent`]).
pub async fn missing_case(
    state: &AppState,
    caller: &Caller,
    action: Action,
    id: CaseId,
) -> ApiError {
    if let Err(error) = every_hold(state).await {
        return error;
    }
    authorize::absent(state, caller, action, "case", &id).await
}

/// An agreement, or 404.
pub async fn load_agreement(
    state: &AppState,
    id: &AgreementId,
) -> Result<AgreementState, ApiError> {
    state
        .store()
        .agreements()
        .await?
        .into_iter()
        .find(|agreement| agreement.id == *id)
        .ok_or_else(|| ApiError::NotFound {
            what: format!("agreement {id}"),
        })
}

/// A hold, or 404 (recorded as for a case: see [`load_case`]).
pub async fn load_hold(
    state: &AppState,
    caller: &Caller,
    action: Action,
    id: HoldId,
) -> Result<Hold, ApiError> {
    match state.store().holds().await?.remove(&id) {
        Some(found) => Ok(found),
        None => {
            // The agreements a concealed hold's facts read: the same work.
            state.store().agreements().await?;
            Err(authorize::absent(state, caller, action, "hold", &id).await)
        }
    }
}

/// The version in `If-Match`: 428 when absent, 412 when it is not one this server issued.
pub fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    let text = value.to_str().map_err(|_| ApiError::InvalidPrecondition)?;
    text.trim()
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|digits| digits.parse::<u64>().ok())
        .ok_or(ApiError::InvalidPrecondition)
}

/// The `ETag` of a version.
pub fn etag(version: u64) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&format!("\"{version}\""))
        .map_err(|error| ApiError::Internal(format!("an ETag: {error}")))
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
            outcome: "accepted",
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
    state: &AppState,
    caller: &Caller,
    resource: &ResourceFacts,
    command: Command,
    expected_version: Option<u64>,
    new_case_keys: Vec<(CaseId, Vec<u8>)>,
) -> Result<Accepted, ApiError> {
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
        .ok_or_else(|| ApiError::Internal("the committer answered nothing".to_owned()))?;
    let executed = result?;
    let first = executed.seqs.map_or(0, |(first, _)| first);
    let appended = executed.seqs.map_or(0, |(first, last)| last + 1 - first);
    state.metrics().events_appended(appended);
    match executed.outcome {
        Outcome::Accepted(events) => Ok(Accepted {
            events: (first..).zip(events).collect(),
        }),
        Outcome::Refused { refusal, recorded } => {
            if refusal.is_safeguard() {
                state.metrics().safeguard_refused(refusal.code());
            }
            match (recorded, executed.seqs) {
                (Some(_), Some((seq, _))) => Err(ApiError::RefusedRecorded { refusal, seq }),
                _ => Err(ApiError::Refused(refusal)),
            }
        }
    }
}

/// Draws a random 64-bit id.
pub fn random_u64() -> Result<u64, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|error| ApiError::Internal(format!("no randomness: {error}")))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Draws random bytes.
pub fn random_array<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| ApiError::Internal(format!("no randomness: {error}")))?;
    Ok(bytes)
}
