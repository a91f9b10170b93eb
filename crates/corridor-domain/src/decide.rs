//! The decider: `decide(snapshot, command, context) -> Result<events, Refusal>`.
//!
//! Every guard of DOMAIN.md §4 lives here and only here. A guard is a small function that returns
//! `Err(Refusal)`; each command lists the guards it must pass, in the order a caseworker would
//! want to hear about them.

use corridor_terms::{AgreementStatus, OnwardRule, Terms};

use crate::actor::{Actor, Party, Role};
use crate::agreement::AgreementState;
use crate::case::{Case, CaseStatus, Detention, ReceivingProcedure, SafeguardCause};
use crate::clock::{
    departure_window, earliest_departure, first_expired, lead_time_from, transfer_deadline,
};
use crate::command::{Command, Context, NoticeFacts, PersonFacts};
use crate::event::{Acceptance, Event, EventBody, UnscheduleCause};
use crate::hold::{Hold, HoldScope, HoldStatus, effective, holds_covering};
use crate::order;
use crate::person::{RuleAttributes, age_years};
use crate::refusal::{CapKind, Refusal};
use crate::snapshot::{Counts, STATUSES_A_HOLD_PULLS, Snapshot, depends_on_chain};
use crate::world::apply_to_snapshot;

/// Most events one command may emit. A class hold over very many scheduled cases is the largest;
/// past this the caller must split the work (the store reports it as a limit, never truncates).
pub const EVENTS_PER_COMMAND_MAX: usize = 1_000_000;

/// Most clock consequences one case may produce in one tick (each can start another clock).
const CONSEQUENCES_PER_CASE_MAX: usize = 8;

/// The age from which a person is no longer a minor (the `minor` vulnerability).
pub const ADULT_AGE_YEARS: u8 = 18;

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

fn decide_bodies(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    let event = |body: EventBody| Event {
        at: context.now,
        by: Some(context.actor.user.clone()),
        body,
    };
    match command {
        Command::LoadAgreement { file_name, text } => {
            permit(context, command, &[Role::Admin])?;
            let parsed = corridor_terms::parse_agreement(file_name, text).map_err(|errors| {
                Refusal::InvalidInput {
                    field: "agreement file",
                    reason: errors.to_string(),
                }
            })?;
            let existing = snapshot.agreements.get(&parsed.id);
            if let Some(existing) = existing {
                let first = existing.versions.first();
                if first.is_some_and(|first| {
                    first.sending != parsed.sending || first.receiving != parsed.receiving
                }) {
                    return Err(Refusal::InvalidInput {
                        field: "agreement file",
                        reason: "an amendment cannot change the parties".to_owned(),
                    });
                }
                // The file's history entries after the last one known are appended on replay (see
                // `AgreementState::apply`), so they must continue the lifecycle from where it
                // stands: an amendment must not bring a terminated agreement back into force.
                if let Some(last) = existing.last_status() {
                    let mut status = last.status;
                    for change in parsed
                        .status_history
                        .iter()
                        .filter(|change| change.on > last.on)
                    {
                        if !status.may_become(change.status) {
                            return Err(Refusal::InvalidInput {
                                field: "agreement file",
                                reason: format!(
                                    "its status history would take the agreement from {status} to {} on {}",
                                    change.status, change.on
                                ),
                            });
                        }
                        status = change.status;
                    }
                }
            }
            let terms_version =
                existing.map_or(1, |state| state.latest_version().saturating_add(1));
            Ok(vec![event(EventBody::AgreementLoaded {
                agreement: parsed.id,
                terms_version,
                file_name: file_name.clone(),
                text: text.clone(),
            })])
        }
        Command::ChangeAgreementStatus {
            agreement,
            status,
            on,
        } => {
            permit(context, command, &[Role::Admin])?;
            let state = agreement_state(snapshot, agreement)?;
            check_status_change(state, *status, *on, today_of(context))?;
            Ok(vec![event(EventBody::AgreementStatusChanged {
                agreement: agreement.clone(),
                status: *status,
                on: *on,
            })])
        }
        Command::Propose {
            case,
            agreement,
            facts,
            counsel,
            personal,
        } => {
            if snapshot.cases.contains_key(case) {
                return Err(Refusal::AlreadyExists {
                    what: format!("case {case}"),
                });
            }
            let state = agreement_state(snapshot, agreement)?;
            let latest = state.latest().ok_or_else(|| Refusal::UnknownAgreement {
                agreement: agreement.clone(),
            })?;
            permit_for_state(
                context,
                command,
                &[Role::SendingOfficer, Role::SendingSupervisor],
                latest.sending,
            )?;
            in_force(state, context)?;
            let rule = rule_attributes(facts, context)?;
            eligible(&latest.terms, &rule, &rule.vulnerabilities)?;
            not_a_national_of(&latest.terms, &rule, latest.receiving)?;
            let proposal = event(EventBody::CaseProposed {
                case: *case,
                agreement: agreement.clone(),
                terms_version: state.latest_version(),
                rule,
                counsel: counsel.clone(),
                personal: personal.clone(),
            });
            let proposed = Case::proposed(&proposal).ok_or(Refusal::UnknownCase { case: *case })?;
            let mut events = vec![proposal];
            // A new case is matched against the orders in effect as it comes.
            for hold in holds_covering(&proposed, &snapshot.hold_index(), &snapshot.holds) {
                events.push(event(EventBody::HoldMatched {
                    case: *case,
                    hold: hold.id,
                }));
            }
            Ok(events)
        }
        Command::RegisterHold {
            hold,
            court,
            reference,
            scope,
            depends_on,
        } => {
            permit(context, command, &[Role::CourtClerk])?;
            if snapshot.holds.contains_key(hold) {
                return Err(Refusal::AlreadyExists {
                    what: format!("hold {hold}"),
                });
            }
            text_field("court", court)?;
            text_field("reference", reference)?;
            scope.validate().map_err(|reason| Refusal::InvalidInput {
                field: "scope",
                reason,
            })?;
            if let Some(parent) = depends_on {
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
            let mut events = vec![event(EventBody::HoldRegistered {
                hold: *hold,
                court: court.clone(),
                reference: reference.clone(),
                scope: scope.clone(),
                depends_on: *depends_on,
            })];
            let mut after = snapshot.holds.clone();
            after.insert(
                *hold,
                new_hold(*hold, court, reference, scope, *depends_on, context),
            );
            if after.get(hold).is_some_and(|h| effective(h, &after)) {
                events.extend(pull_covered_cases(snapshot, &[scope], *hold, context));
            }
            Ok(events)
        }
        Command::StayHold { hold } => {
            permit(context, command, &[Role::CourtClerk])?;
            let current = hold_state(snapshot, *hold)?;
            hold_status_is(current, HoldStatus::Active, "stayed")?;
            Ok(vec![event(EventBody::HoldStayed { hold: *hold })])
        }
        Command::ReactivateHold { hold } => {
            permit(context, command, &[Role::CourtClerk])?;
            let current = hold_state(snapshot, *hold)?;
            hold_status_is(current, HoldStatus::Stayed, "reactivated")?;
            let mut events = vec![event(EventBody::HoldReactivated { hold: *hold })];
            let mut after = snapshot.holds.clone();
            if let Some(target) = after.get_mut(hold) {
                target.status = HoldStatus::Active;
            }
            // The order and every active order depending on it take effect again.
            for revived in after.values() {
                if effective(revived, &after) && depends_on_chain(revived, *hold, &after) {
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
        Command::AmendHold { hold, scope } => {
            permit(context, command, &[Role::CourtClerk])?;
            let current = hold_state(snapshot, *hold)?;
            if current.status == HoldStatus::Vacated {
                return Err(Refusal::InvalidInput {
                    field: "hold",
                    reason: format!("{hold} is vacated and cannot be amended"),
                });
            }
            scope.validate().map_err(|reason| Refusal::InvalidInput {
                field: "scope",
                reason,
            })?;
            let mut events = vec![event(EventBody::HoldAmended {
                hold: *hold,
                scope: scope.clone(),
            })];
            if effective(current, &snapshot.holds) {
                events.extend(pull_covered_cases(snapshot, &[scope], *hold, context));
            }
            Ok(events)
        }
        Command::VacateHold { hold } => {
            permit(context, command, &[Role::CourtClerk])?;
            let current = hold_state(snapshot, *hold)?;
            if current.status == HoldStatus::Vacated {
                return Err(Refusal::InvalidInput {
                    field: "hold",
                    reason: format!("{hold} is already vacated"),
                });
            }
            let mut events = vec![event(EventBody::HoldVacated {
                hold: *hold,
                because_of: None,
            })];
            // An order that depends on another falls with it, and so on down the chain.
            for dependent in snapshot.holds.values() {
                if dependent.id != *hold
                    && dependent.status != HoldStatus::Vacated
                    && depends_on_chain(dependent, *hold, &snapshot.holds)
                {
                    events.push(Event {
                        at: context.now,
                        by: None,
                        body: EventBody::HoldVacated {
                            hold: dependent.id,
                            because_of: Some(*hold),
                        },
                    });
                }
            }
            Ok(events)
        }
        Command::Tick => {
            permit(context, command, &[Role::Admin])?;
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
                    // Dated when the clock ran out, but never before what the case already
                    // records: a step recorded after that moment and before this tick stays first.
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
        _ => decide_case(snapshot, command, context),
    }
}

// A transfer deadline is a moment at which the clock has run out: `tick` expires the case at it,
// so every guard treats "at the deadline" as "past it", and the two can never disagree.
/// A case command. Where the case's status is the consequence of a safeguard (recalled by an
/// order, withdrawn for an excluded vulnerability, expired, protected), a step the status does not
/// allow is refused with that safeguard's code and facts, so the refusal names the rule that
/// stopped the person and is recorded as one.
fn decide_case(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    // A status a safeguard caused is final, so whatever check of the step came first, the
    // safeguard is what stops it. Who may ask, and bad input, are answered as such.
    decide_case_command(snapshot, command, context).map_err(|refusal| match refusal {
        Refusal::NotPermitted { .. }
        | Refusal::InvalidInput { .. }
        | Refusal::UnknownCase { .. }
        | Refusal::UnknownAgreement { .. }
        | Refusal::UnknownHold { .. } => refusal,
        other => command
            .case()
            .and_then(|id| snapshot.cases.get(&id))
            .and_then(|case| safeguard_behind(snapshot, case))
            .unwrap_or(other),
    })
}

/// The refusal of the safeguard whose consequence the case's status is, if it is one.
fn safeguard_behind(snapshot: &Snapshot, case: &Case) -> Option<Refusal> {
    Some(match case.safeguard_cause? {
        SafeguardCause::Hold(id) => {
            let hold = snapshot.holds.get(&id)?;
            Refusal::HoldActive {
                hold: id,
                court: hold.court.clone(),
                reference: hold.reference.clone(),
            }
        }
        SafeguardCause::Vulnerability(vulnerability) => Refusal::Ineligible {
            reasons: vec![format!("the vulnerability `{vulnerability}` is excluded")],
        },
        SafeguardCause::TransferDeadline => Refusal::TransferDeadlinePassed {
            deadline: case_terms(snapshot, case)
                .and_then(|terms| transfer_deadline(case, terms))
                .unwrap_or(case.last_event_at),
        },
        SafeguardCause::Protection => Refusal::ProtectionFound,
    })
}

fn decide_case_command(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    let id = command.case().ok_or(Refusal::InvalidInput {
        field: "command",
        reason: "it names no case".to_owned(),
    })?;
    let case = snapshot
        .cases
        .get(&id)
        .ok_or(Refusal::UnknownCase { case: id })?;
    let agreement = agreement_state(snapshot, &case.agreement)?;
    let terms = agreement
        .terms(case.terms_version)
        .ok_or_else(|| Refusal::UnknownAgreement {
            agreement: case.agreement.clone(),
        })?;
    let latest = agreement
        .latest()
        .ok_or_else(|| Refusal::UnknownAgreement {
            agreement: case.agreement.clone(),
        })?;
    let (sending, receiving) = (latest.sending, latest.receiving);
    let sending_roles = [Role::SendingOfficer, Role::SendingSupervisor];
    let by = Some(context.actor.user.clone());
    let one = |body: EventBody| {
        Ok(vec![Event {
            at: context.now,
            by: by.clone(),
            body,
        }])
    };
    let status = case.status;

    match command {
        Command::ServeNotice { notice, .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            before_departure(case, command)?;
            protection_not_found(case)?;
            notice_complete(case, notice, receiving)?;
            one(EventBody::NoticeServed {
                case: id,
                language: notice.language.clone(),
                destination: notice.destination,
            })
        }
        Command::ClaimProtection { .. } => {
            match context.actor.role {
                Role::Counsel => counsel_of(case, &context.actor, command)?,
                _ => permit_for_state(context, command, &sending_roles, sending)?,
            }
            protection_not_found(case)?;
            if status == CaseStatus::ProtectionClaimed {
                return Err(Refusal::InvalidState {
                    command: command.name(),
                    status,
                });
            }
            before_departure(case, command)?;
            let mut events = Vec::new();
            if status == CaseStatus::Scheduled {
                events.push(Event {
                    at: context.now,
                    by: by.clone(),
                    body: EventBody::TransferUnscheduled {
                        case: id,
                        cause: UnscheduleCause::ProtectionClaim,
                    },
                });
            }
            events.push(Event {
                at: context.now,
                by: by.clone(),
                body: EventBody::ProtectionClaimed { case: id },
            });
            Ok(events)
        }
        Command::DecideProtection { granted, .. } => {
            permit_for_state(context, command, &[Role::Adjudicator], sending)?;
            status_in(case, command, &[CaseStatus::ProtectionClaimed])?;
            one(EventBody::ProtectionDecided {
                case: id,
                granted: *granted,
            })
        }
        Command::RequestTransfer { .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            protection_clear(case)?;
            fear_screened(case, receiving)?;
            age_eligible(case, terms)?;
            in_force(agreement, context)?;
            if status == CaseStatus::Proposed {
                return Err(Refusal::NoticeMissing);
            }
            status_in(case, command, &[CaseStatus::Noticed])?;
            let mut events = vec![Event {
                at: context.now,
                by: by.clone(),
                body: EventBody::TransferRequested { case: id },
            }];
            if !terms.eligibility.per_person_approval {
                events.push(Event {
                    at: context.now,
                    by: None,
                    body: EventBody::AcceptedByReceivingState {
                        case: id,
                        acceptance: Acceptance::Terms,
                    },
                });
            }
            Ok(events)
        }
        Command::Approve { .. } => match context.actor.role {
            Role::ReceivingOfficer => {
                permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
                status_in(case, command, &[CaseStatus::Requested])?;
                reply_deadline_open(case, terms, context)?;
                one(EventBody::AcceptedByReceivingState {
                    case: id,
                    acceptance: Acceptance::Explicit,
                })
            }
            _ => {
                permit_for_state(context, command, &[Role::SendingSupervisor], sending)?;
                not_self_approval(case, &context.actor)?;
                before_departure(case, command)?;
                if status == CaseStatus::Scheduled {
                    return Err(Refusal::InvalidState {
                        command: command.name(),
                        status,
                    });
                }
                one(EventBody::SupervisorApproved { case: id })
            }
        },
        Command::Refuse { reason, .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            text_field("reason", reason)?;
            status_in(case, command, &[CaseStatus::Requested])?;
            reply_deadline_open(case, terms, context)?;
            one(EventBody::RefusedByReceivingState {
                case: id,
                reason: reason.clone(),
            })
        }
        Command::ExtendDeadline { reason, .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            status_in(
                case,
                command,
                &[CaseStatus::Accepted, CaseStatus::Scheduled],
            )?;
            if !terms
                .clocks
                .transfer_deadline_extensions
                .iter()
                .any(|e| &e.reason == reason)
            {
                let allowed: Vec<&str> = terms
                    .clocks
                    .transfer_deadline_extensions
                    .iter()
                    .map(|e| e.reason.as_str())
                    .collect();
                return Err(Refusal::InvalidInput {
                    field: "reason",
                    reason: format!(
                        "the terms allow extensions only for: {}",
                        list_or_none(&allowed)
                    ),
                });
            }
            if let Some(deadline) = transfer_deadline(case, terms)
                && deadline <= context.now
            {
                return Err(Refusal::TransferDeadlinePassed { deadline });
            }
            one(EventBody::TransferDeadlineExtended {
                case: id,
                reason: reason.clone(),
            })
        }
        Command::Schedule { departure, .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            protection_clear(case)?;
            fear_screened(case, receiving)?;
            age_eligible(case, terms)?;
            before_departure(case, command)?;
            in_force(agreement, context)?;
            if *departure < context.now {
                return Err(Refusal::InvalidInput {
                    field: "departure",
                    reason: format!("{departure} is in the past"),
                });
            }
            no_hold(snapshot, case)?;
            let mut earliest = earliest_departure(case, terms).ok_or(Refusal::NoticeMissing)?;
            // A departure earlier than the one the person was told of is a new schedule: the
            // notice lead time runs again from now where the terms say so.
            if case.told_departure.is_some_and(|told| *departure < told) {
                earliest = earliest.max(lead_time_from(terms, context.now));
            }
            if *departure < earliest {
                return Err(Refusal::NoticePeriodRunning {
                    earliest_departure: earliest,
                });
            }
            if matches!(status, CaseStatus::Noticed | CaseStatus::Requested) {
                return Err(Refusal::NotApprovedByReceivingState);
            }
            status_in(
                case,
                command,
                &[CaseStatus::Accepted, CaseStatus::Scheduled],
            )?;
            supervisor_approved(case)?;
            if let Some(deadline) = transfer_deadline(case, terms)
                && (*departure >= deadline || context.now >= deadline)
            {
                return Err(Refusal::TransferDeadlinePassed { deadline });
            }
            let counts = snapshot
                .counts
                .get(&case.agreement)
                .copied()
                .unwrap_or_default();
            // A case already scheduled holds its own place under the caps.
            let own = u64::from(status == CaseStatus::Scheduled);
            caps(
                &latest.terms,
                counts.transferred + counts.scheduled - own,
                counts.present + counts.scheduled - own,
            )?;
            one(EventBody::TransferScheduled {
                case: id,
                departure: *departure,
            })
        }
        Command::Depart { .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            protection_clear(case)?;
            fear_screened(case, receiving)?;
            age_eligible(case, terms)?;
            in_force(agreement, context)?;
            no_hold(snapshot, case)?;
            let earliest = earliest_departure(case, terms).ok_or(Refusal::NoticeMissing)?;
            if context.now < earliest {
                return Err(Refusal::NoticePeriodRunning {
                    earliest_departure: earliest,
                });
            }
            status_in(case, command, &[CaseStatus::Scheduled])?;
            supervisor_approved(case)?;
            within_schedule(case, terms, context)?;
            if let Some(deadline) = transfer_deadline(case, terms)
                && context.now >= deadline
            {
                return Err(Refusal::TransferDeadlinePassed { deadline });
            }
            let counts = snapshot
                .counts
                .get(&case.agreement)
                .copied()
                .unwrap_or_default();
            caps(&latest.terms, counts.transferred, counts.present)?;
            one(EventBody::Departed { case: id })
        }
        Command::Arrive { .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            status_in(case, command, &[CaseStatus::InTransit])?;
            one(EventBody::Arrived { case: id })
        }
        Command::RecordVulnerability { category, .. } => {
            match context.actor.role {
                Role::Monitor => monitor_of(latest, &context.actor, command)?,
                Role::ReceivingOfficer => {
                    permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?
                }
                _ => permit_for_state(context, command, &sending_roles, sending)?,
            }
            if status.is_final() {
                return Err(Refusal::InvalidState {
                    command: command.name(),
                    status,
                });
            }
            if case.vulnerabilities().contains(category) {
                return Err(Refusal::InvalidInput {
                    field: "category",
                    reason: format!("`{category}` is already recorded"),
                });
            }
            let excluded = terms
                .eligibility
                .excluded_vulnerabilities
                .contains(category);
            one(EventBody::VulnerabilityRecorded {
                case: id,
                category: *category,
                excluded,
            })
        }
        Command::RecordFear { country, .. } => {
            match context.actor.role {
                Role::Counsel => counsel_of(case, &context.actor, command)?,
                Role::Monitor => monitor_of(latest, &context.actor, command)?,
                Role::ReceivingOfficer => {
                    permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
                    after_arrival(case, command)?;
                }
                _ => permit_for_state(context, command, &sending_roles, sending)?,
            }
            if case.feared_countries().contains(country) {
                return Err(Refusal::InvalidInput {
                    field: "country",
                    reason: format!(
                        "a fear of {} ({country}) is already recorded",
                        country.name()
                    ),
                });
            }
            one(EventBody::FearRecorded {
                case: id,
                country: *country,
            })
        }
        Command::DisputeAge {
            claimed_birth_date, ..
        } => {
            match context.actor.role {
                Role::Counsel => counsel_of(case, &context.actor, command)?,
                Role::Monitor => monitor_of(latest, &context.actor, command)?,
                _ => permit_for_state(context, command, &sending_roles, sending)?,
            }
            before_departure(case, command)?;
            if case.age_disputed.is_some() {
                return Err(Refusal::InvalidInput {
                    field: "case",
                    reason: "the person's age is already disputed and not yet decided".to_owned(),
                });
            }
            one(EventBody::AgeDisputed {
                case: id,
                claimed_age_at_proposal: age_on_proposal(
                    case,
                    *claimed_birth_date,
                    "claimed birth date",
                )?,
            })
        }
        Command::DecideAge { birth_date, .. } => {
            permit_for_state(context, command, &[Role::Adjudicator], sending)?;
            before_departure(case, command)?;
            if case.age_disputed.is_none() {
                return Err(Refusal::InvalidInput {
                    field: "case",
                    reason: "no age dispute is pending".to_owned(),
                });
            }
            one(EventBody::AgeDecided {
                case: id,
                age_at_proposal: age_on_proposal(case, *birth_date, "birth date")?,
            })
        }
        Command::LodgeReceivingClaim { .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            after_arrival(case, command)?;
            if case.receiving_procedure != ReceivingProcedure::None {
                return Err(Refusal::InvalidState {
                    command: command.name(),
                    status,
                });
            }
            one(EventBody::ReceivingClaimLodged { case: id })
        }
        Command::DecideReceivingClaim { granted, .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            after_arrival(case, command)?;
            let appeal = match case.receiving_procedure {
                ReceivingProcedure::ClaimPending => false,
                ReceivingProcedure::AppealPending => true,
                _ => {
                    return Err(Refusal::InvalidState {
                        command: command.name(),
                        status,
                    });
                }
            };
            one(EventBody::ReceivingClaimDecided {
                case: id,
                granted: *granted,
                appeal,
            })
        }
        Command::LodgeAppeal { .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            after_arrival(case, command)?;
            if case.receiving_procedure != ReceivingProcedure::Refused {
                return Err(Refusal::InvalidState {
                    command: command.name(),
                    status,
                });
            }
            one(EventBody::AppealLodged { case: id })
        }
        Command::Onward { destination, .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            after_arrival(case, command)?;
            onward_permitted(case, terms, *destination, sending, receiving)?;
            if *destination == sending {
                one(EventBody::Returned { case: id })
            } else {
                one(EventBody::OnwardMoved {
                    case: id,
                    destination: *destination,
                })
            }
        }
        Command::Return { .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            after_arrival(case, command)?;
            one(EventBody::Returned { case: id })
        }
        Command::Settle { .. } => {
            permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?;
            status_in(case, command, &[CaseStatus::Arrived])?;
            one(EventBody::Settled { case: id })
        }
        Command::ReportWhereaboutsUnknown { .. } => {
            match context.actor.role {
                Role::Monitor => monitor_of(latest, &context.actor, command)?,
                _ => permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?,
            }
            status_in(case, command, &[CaseStatus::Arrived, CaseStatus::Settled])?;
            one(EventBody::WhereaboutsUnknown { case: id })
        }
        Command::ReportWhereaboutsKnown { .. } => {
            match context.actor.role {
                Role::Monitor => monitor_of(latest, &context.actor, command)?,
                _ => permit_for_state(context, command, &[Role::ReceivingOfficer], receiving)?,
            }
            status_in(case, command, &[CaseStatus::WhereaboutsUnknown])?;
            one(EventBody::WhereaboutsKnown { case: id })
        }
        Command::RecordWelfareCheck { outcome, .. } => {
            monitor_of(latest, &context.actor, command)?;
            after_arrival(case, command)?;
            one(EventBody::WelfareCheckRecorded {
                case: id,
                outcome: *outcome,
            })
        }
        Command::ValidateDetention { .. } => {
            permit(context, command, &[Role::CourtClerk])?;
            if case.detention != Detention::Pending {
                return Err(Refusal::InvalidInput {
                    field: "case",
                    reason: format!("detention of {id} is not awaiting validation"),
                });
            }
            // The period has run once its clock has, whether or not a tick has recorded the lapse
            // yet: validation must not depend on when the clocks were last run.
            if let (Some(arrived_at), Some(period)) =
                (case.arrived_at, terms.clocks.detention_validation)
                && period.after(arrived_at) <= context.now
            {
                return Err(Refusal::InvalidInput {
                    field: "case",
                    reason: format!(
                        "detention of {id} had to be validated by {}, so it has lapsed",
                        period.after(arrived_at)
                    ),
                });
            }
            one(EventBody::DetentionValidated { case: id })
        }
        Command::Withdraw { reason, .. } => {
            permit_for_state(context, command, &sending_roles, sending)?;
            text_field("reason", reason)?;
            before_departure(case, command)?;
            one(EventBody::Withdrawn {
                case: id,
                reason: reason.clone(),
            })
        }
        Command::Erase { .. } => {
            permit(context, command, &[Role::Admin])?;
            if case.personal.is_none() {
                return Err(Refusal::InvalidInput {
                    field: "case",
                    reason: format!("the personal data of {id} is already erased"),
                });
            }
            one(EventBody::PersonalDataErased { case: id })
        }
        Command::LoadAgreement { .. }
        | Command::ChangeAgreementStatus { .. }
        | Command::Propose { .. }
        | Command::RegisterHold { .. }
        | Command::StayHold { .. }
        | Command::ReactivateHold { .. }
        | Command::AmendHold { .. }
        | Command::VacateHold { .. }
        | Command::Tick => Err(Refusal::InvalidInput {
            field: "command",
            reason: "it is not a case command".to_owned(),
        }),
    }
}

// ----- guards -------------------------------------------------------------------------------

/// The day `context.now` falls on (UTC): the day agreement statuses are read on.
fn today_of(context: &Context) -> jiff::civil::Date {
    context
        .now
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

/// A status change takes effect the day it is recorded or earlier, never later: a change dated
/// after today is refused (it would otherwise be the last one recorded while another status is
/// in effect, and lock the agreement). The lifecycle rule reads the status in effect today,
/// and the date may not precede it. A later change an agreement file scheduled is superseded
/// (see `AgreementState::apply`).
fn check_status_change(
    state: &AgreementState,
    status: AgreementStatus,
    on: jiff::civil::Date,
    today: jiff::civil::Date,
) -> Result<(), Refusal> {
    if on > today {
        return Err(Refusal::InvalidInput {
            field: "date",
            reason: format!(
                "{on} is after today ({today}); a status change is recorded on the day it takes effect"
            ),
        });
    }
    let Some(effective) = state
        .status_history
        .iter()
        .rfind(|change| change.on <= today)
    else {
        return Ok(());
    };
    if !effective.status.may_become(status) {
        return Err(Refusal::InvalidInput {
            field: "status",
            reason: format!(
                "an agreement cannot go from {} to {status}",
                effective.status
            ),
        });
    }
    if on < effective.on {
        return Err(Refusal::InvalidInput {
            field: "date",
            reason: format!(
                "{on} is before the status in effect ({} since {})",
                effective.status, effective.on
            ),
        });
    }
    Ok(())
}

fn permit(context: &Context, command: &Command, roles: &[Role]) -> Result<(), Refusal> {
    if roles.contains(&context.actor.role) {
        Ok(())
    } else {
        let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
        Err(Refusal::NotPermitted {
            role: context.actor.role,
            command: command.name(),
            reason: format!("only {} may", names.join(" or ")),
        })
    }
}

fn permit_for_state(
    context: &Context,
    command: &Command,
    roles: &[Role],
    state: corridor_terms::Country,
) -> Result<(), Refusal> {
    permit(context, command, roles)?;
    match context.actor.state() {
        Some(own) if own == state => Ok(()),
        _ => Err(Refusal::NotPermitted {
            role: context.actor.role,
            command: command.name(),
            reason: format!("they do not act for {} ({state})", state.name()),
        }),
    }
}

fn counsel_of(case: &Case, actor: &Actor, command: &Command) -> Result<(), Refusal> {
    if case.counsel.as_ref() == Some(&actor.user) {
        Ok(())
    } else {
        Err(Refusal::NotPermitted {
            role: actor.role,
            command: command.name(),
            reason: format!("{} is not counsel in this case", actor.user),
        })
    }
}

fn monitor_of(
    agreement: &corridor_terms::Agreement,
    actor: &Actor,
    command: &Command,
) -> Result<(), Refusal> {
    let body = agreement
        .terms
        .monitoring
        .as_ref()
        .map(|body| body.id.as_str());
    match (&actor.role, &actor.party, body) {
        (Role::Monitor, Party::MonitoringBody(own), Some(body)) if own == body => Ok(()),
        _ => Err(Refusal::NotPermitted {
            role: actor.role,
            command: command.name(),
            reason: "only the agreement's monitoring body may".to_owned(),
        }),
    }
}

fn in_force(agreement: &AgreementState, context: &Context) -> Result<(), Refusal> {
    let today = context
        .now
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    match agreement.status_on(today) {
        AgreementStatus::InForce => Ok(()),
        status => Err(Refusal::AgreementNotInForce {
            agreement: agreement.id.clone(),
            status,
        }),
    }
}

/// The oldest age a birth date may give: anyone older is a mistyped date, not a person.
const AGE_YEARS_MAX: u8 = 120;

/// The age in years on `today` of someone born on `birth`, refused with the real reason when
/// the date is after today or makes the person older than [`AGE_YEARS_MAX`] (a date such as
/// `0001-01-01`, whose age does not even fit the counter, is the latter).
///
/// `field` names the input, and `too_late` says why a date after `today` is refused.
fn plausible_age(
    birth: jiff::civil::Date,
    today: jiff::civil::Date,
    field: &'static str,
    too_late: &dyn Fn() -> String,
) -> Result<u8, Refusal> {
    if birth > today {
        return Err(Refusal::InvalidInput {
            field,
            reason: format!("{birth} is {}", too_late()),
        });
    }
    match age_years(birth, today).filter(|age| *age <= AGE_YEARS_MAX) {
        Some(age) => Ok(age),
        None => Err(Refusal::InvalidInput {
            field,
            reason: format!(
                "{birth} would make the person more than {AGE_YEARS_MAX} years old, which is not plausible"
            ),
        }),
    }
}

/// What the safeguards read of a person, as a proposal at `context.now` records it (the age is
/// the age on that day).
pub fn rule_attributes(facts: &PersonFacts, context: &Context) -> Result<RuleAttributes, Refusal> {
    let today = context
        .now
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let age = plausible_age(facts.birth_date, today, "birth date", &|| {
        "in the future".to_owned()
    })?;
    if facts.languages.is_empty() {
        return Err(Refusal::InvalidInput {
            field: "languages",
            reason: "at least one language the person understands is needed to serve notice"
                .to_owned(),
        });
    }
    if facts.removal_ordered_on > today {
        return Err(Refusal::InvalidInput {
            field: "removal order date",
            reason: format!("{} is in the future", facts.removal_ordered_on),
        });
    }
    Ok(RuleAttributes {
        nationality: facts.nationality,
        age_years_at_proposal: age,
        sex: facts.sex,
        vulnerabilities: facts.vulnerabilities.clone(),
        feared_countries: facts.feared_countries.clone(),
        protected_countries: facts.protected_countries.clone(),
        languages: facts.languages.clone(),
        legal_basis: facts.legal_basis.clone(),
        designation: facts.designation.clone(),
        detention_place: facts.detention_place.clone(),
        removal_ordered_on: facts.removal_ordered_on,
        health_data_consent: facts.health_data_consent,
    })
}

fn eligible(
    terms: &Terms,
    rule: &RuleAttributes,
    vulnerabilities: &std::collections::BTreeSet<corridor_terms::Vulnerability>,
) -> Result<(), Refusal> {
    let rules = &terms.eligibility;
    let mut reasons = Vec::new();
    if rules.excluded_nationalities.contains(&rule.nationality) {
        reasons.push(format!(
            "nationals of {} ({}) are excluded",
            rule.nationality.name(),
            rule.nationality
        ));
    }
    let age = age_reasons(
        rules,
        rule.age_years_at_proposal,
        vulnerabilities,
        AgeBasis::Recorded,
    );
    let (age_minimum, age_minor) = age.split_at(usize::from(
        rules
            .age_years_min
            .is_some_and(|minimum| rule.age_years_at_proposal < minimum),
    ));
    reasons.extend(age_minimum.iter().cloned());
    if let Some(sexes) = &rules.sexes
        && !sexes.contains(&rule.sex)
    {
        let allowed: Vec<&str> = sexes.iter().map(|sex| sex.as_str()).collect();
        reasons.push(format!(
            "only {} people may be transferred",
            allowed.join(" or ")
        ));
    }
    for vulnerability in vulnerabilities.intersection(&rules.excluded_vulnerabilities) {
        reasons.push(format!("the vulnerability `{vulnerability}` is excluded"));
    }
    reasons.extend(age_minor.iter().cloned());
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Ineligible { reasons })
    }
}

/// Where the age the rules read comes from, for the sentence that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgeBasis {
    /// The birth date recorded at proposal.
    Recorded,
    /// An age assessment's decision.
    Assessed,
    /// The birth date the person gives, while the age is disputed.
    Disputed,
}

/// Why an age (in whole years on the day of the proposal) makes a person ineligible: under the
/// minimum age, and a minor where the terms exclude minors. Minority is a fact of the birth date,
/// not a tag someone must remember to record.
fn age_reasons(
    rules: &corridor_terms::Eligibility,
    age: u8,
    vulnerabilities: &std::collections::BTreeSet<corridor_terms::Vulnerability>,
    basis: AgeBasis,
) -> Vec<String> {
    let who = match basis {
        AgeBasis::Recorded => format!("the person is {age}"),
        AgeBasis::Assessed => format!("the person is {age} by the age assessment"),
        AgeBasis::Disputed => format!(
            "the person is {age} by the birth date they give, which binds while their age is disputed,"
        ),
    };
    let mut reasons = Vec::new();
    if let Some(minimum) = rules.age_years_min
        && age < minimum
    {
        reasons.push(format!("{who} and the minimum age is {minimum}"));
    }
    let minor = corridor_terms::Vulnerability::Minor;
    if age < ADULT_AGE_YEARS
        && rules.excluded_vulnerabilities.contains(&minor)
        && !vulnerabilities.contains(&minor)
    {
        reasons.push(format!("{who} and minors (`{minor}`) are excluded"));
    }
    reasons
}

/// The age rules again at a later step, on the age the case reads now (an assessment, or a
/// pending dispute's younger age).
fn age_eligible(case: &Case, terms: &Terms) -> Result<(), Refusal> {
    let basis = match (case.age_disputed, case.age_decided) {
        (Some(claimed), _)
            if claimed < case.age_decided.unwrap_or(case.rule.age_years_at_proposal) =>
        {
            AgeBasis::Disputed
        }
        (_, Some(_)) => AgeBasis::Assessed,
        _ => AgeBasis::Recorded,
    };
    let reasons = age_reasons(
        &terms.eligibility,
        case.age_for_rules(),
        &case.vulnerabilities(),
        basis,
    );
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Ineligible { reasons })
    }
}

/// The age in whole years on the day the case was proposed for someone born on `birth_date`.
fn age_on_proposal(
    case: &Case,
    birth_date: jiff::civil::Date,
    field: &'static str,
) -> Result<u8, Refusal> {
    let proposed_on = case
        .proposed_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    plausible_age(birth_date, proposed_on, field, &|| {
        format!("after the day the case was proposed ({proposed_on})")
    })
}

/// A third-country transfer sends nobody to their own country, unless the terms say so.
fn not_a_national_of(
    terms: &Terms,
    rule: &RuleAttributes,
    receiving: corridor_terms::Country,
) -> Result<(), Refusal> {
    if rule.nationality == receiving && !terms.eligibility.receiving_state_nationals {
        return Err(Refusal::Ineligible {
            reasons: vec![format!(
                "the person is a national of {} ({receiving}), the receiving state, and a third-country transfer sends nobody to their own country",
                receiving.name()
            )],
        });
    }
    Ok(())
}

fn notice_complete(
    case: &Case,
    notice: &NoticeFacts,
    receiving: corridor_terms::Country,
) -> Result<(), Refusal> {
    let mut defects = Vec::new();
    if !case.rule.languages.contains(&notice.language) {
        let known: Vec<&str> = case.rule.languages.iter().map(|l| l.as_str()).collect();
        defects.push(format!(
            "is in `{}`, which the person is not recorded as understanding ({})",
            notice.language,
            known.join(", ")
        ));
    }
    if !notice.on_person {
        defects.push("was not served on the person".to_owned());
    }
    if case.counsel.is_some() && !notice.on_counsel {
        defects.push("was not served on the person's counsel".to_owned());
    }
    if notice.destination != receiving {
        defects.push(format!(
            "names {} instead of the receiving state {receiving}",
            notice.destination
        ));
    }
    if !notice.explains_how_to_contest {
        defects.push("does not explain how to contest the transfer".to_owned());
    }
    if defects.is_empty() {
        Ok(())
    } else {
        Err(Refusal::NoticeDeficient { defects })
    }
}

/// Departure only within the window of the schedule the person was told of.
fn within_schedule(case: &Case, terms: &Terms, context: &Context) -> Result<(), Refusal> {
    let Some(scheduled) = case.departure else {
        return Ok(());
    };
    let (earliest, latest) = departure_window(scheduled, terms);
    if context.now < earliest || latest.is_some_and(|latest| context.now > latest) {
        return Err(Refusal::DepartureOutsideSchedule {
            scheduled,
            earliest,
            latest,
        });
    }
    Ok(())
}

/// A fear of the receiving state itself, learnt at any time, stops the transfer until a protection
/// screening decided after it.
fn fear_screened(case: &Case, receiving: corridor_terms::Country) -> Result<(), Refusal> {
    match case.fear_recorded_at(receiving) {
        Some(feared_at)
            if case
                .protection_decided_at
                .is_none_or(|decided| decided < feared_at) =>
        {
            Err(Refusal::FearNotScreened { country: receiving })
        }
        _ => Ok(()),
    }
}

fn protection_not_found(case: &Case) -> Result<(), Refusal> {
    if case.status == CaseStatus::Protected {
        Err(Refusal::ProtectionFound)
    } else {
        Ok(())
    }
}

fn protection_clear(case: &Case) -> Result<(), Refusal> {
    protection_not_found(case)?;
    match case.protection_claim_filed_at {
        Some(filed_at) => Err(Refusal::ProtectionClaimPending { filed_at }),
        None => Ok(()),
    }
}

fn no_hold(snapshot: &Snapshot, case: &Case) -> Result<(), Refusal> {
    match holds_covering(case, &snapshot.hold_index(), &snapshot.holds).first() {
        Some(hold) => Err(Refusal::HoldActive {
            hold: hold.id,
            court: hold.court.clone(),
            reference: hold.reference.clone(),
        }),
        None => Ok(()),
    }
}

/// The receiving state may answer a request only while its reply deadline runs: once it has run,
/// the request lapsed or silence accepted, whether or not a tick has recorded it yet.
fn reply_deadline_open(case: &Case, terms: &Terms, context: &Context) -> Result<(), Refusal> {
    let (Some(requested_at), Some(reply)) = (case.requested_at, terms.clocks.reply_deadline) else {
        return Ok(());
    };
    let deadline = reply.after(requested_at);
    if deadline > context.now {
        return Ok(());
    }
    let consequence = if terms.clocks.silence_accepts {
        "silence accepted the person"
    } else {
        "the request lapsed"
    };
    Err(Refusal::InvalidInput {
        field: "case",
        reason: format!("the reply deadline passed at {deadline}, so {consequence}"),
    })
}

fn supervisor_approved(case: &Case) -> Result<(), Refusal> {
    match &case.supervisor_approval {
        None => Err(Refusal::NotApprovedBySupervisor),
        // Checked again here, not only at approval, so that no path around `approve` exists.
        Some(approver) if case.proposed_by.as_ref() == Some(approver) => {
            Err(Refusal::SelfApproval {
                user: approver.clone(),
            })
        }
        Some(_) => Ok(()),
    }
}

fn not_self_approval(case: &Case, actor: &Actor) -> Result<(), Refusal> {
    if case.proposed_by.as_ref() == Some(&actor.user) {
        Err(Refusal::SelfApproval {
            user: actor.user.clone(),
        })
    } else {
        Ok(())
    }
}

fn caps(
    terms: &Terms,
    transferred_or_reserved: u64,
    present_or_reserved: u64,
) -> Result<(), Refusal> {
    if let Some(limit) = terms.caps.transferred_total_max
        && transferred_or_reserved >= limit
    {
        return Err(Refusal::CapReached {
            cap: CapKind::TransferredTotal,
            limit,
            current: transferred_or_reserved,
        });
    }
    if let Some(limit) = terms.caps.present_max
        && present_or_reserved >= limit
    {
        return Err(Refusal::CapReached {
            cap: CapKind::Present,
            limit,
            current: present_or_reserved,
        });
    }
    Ok(())
}

fn onward_permitted(
    case: &Case,
    terms: &Terms,
    destination: corridor_terms::Country,
    sending: corridor_terms::Country,
    receiving: corridor_terms::Country,
) -> Result<(), Refusal> {
    let prohibited = |reason: String| {
        Err(Refusal::OnwardDestinationProhibited {
            destination,
            reason,
        })
    };
    if destination == receiving {
        return Err(Refusal::InvalidInput {
            field: "destination",
            reason: format!("{destination} is the receiving state itself"),
        });
    }
    // Non-refoulement comes first: it holds whatever the onward rule says, and a fear learnt at
    // any time binds.
    if case.feared_countries().contains(&destination) {
        return prohibited("the person fears persecution or harm there".to_owned());
    }
    if case.rule.protected_countries.contains(&destination) {
        return prohibited("a decision protects the person from being sent there".to_owned());
    }
    let claim_open = matches!(
        case.receiving_procedure,
        ReceivingProcedure::ClaimPending
            | ReceivingProcedure::AppealPending
            | ReceivingProcedure::Granted
    );
    if claim_open && destination == case.rule.nationality && destination != sending {
        return prohibited(
            "the person's protection claim in the receiving state is pending or granted, so they may not be sent to their country of nationality"
                .to_owned(),
        );
    }
    match terms.onward {
        OnwardRule::SendingStateOnly if destination != sending => prohibited(format!(
            "the agreement allows onward movement only back to the sending state ({sending})"
        )),
        _ => Ok(()),
    }
}

fn before_departure(case: &Case, command: &Command) -> Result<(), Refusal> {
    if case.status.is_before_departure() {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

fn after_arrival(case: &Case, command: &Command) -> Result<(), Refusal> {
    if case.status.is_after_arrival() {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

fn status_in(case: &Case, command: &Command, allowed: &[CaseStatus]) -> Result<(), Refusal> {
    if allowed.contains(&case.status) {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

fn text_field(field: &'static str, text: &str) -> Result<(), Refusal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Refusal::InvalidInput {
            field,
            reason: "it is empty".to_owned(),
        });
    }
    if text.chars().count() > REASON_LENGTH_MAX {
        return Err(Refusal::InvalidInput {
            field,
            reason: format!("it is longer than {REASON_LENGTH_MAX} characters"),
        });
    }
    if text.chars().any(char::is_control) {
        return Err(Refusal::InvalidInput {
            field,
            reason: "it contains control characters".to_owned(),
        });
    }
    Ok(())
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

// ----- lookups ------------------------------------------------------------------------------

fn agreement_state<'a>(
    snapshot: &'a Snapshot,
    id: &corridor_terms::AgreementId,
) -> Result<&'a AgreementState, Refusal> {
    snapshot
        .agreements
        .get(id)
        .ok_or_else(|| Refusal::UnknownAgreement {
            agreement: id.clone(),
        })
}

fn hold_state(snapshot: &Snapshot, id: crate::ids::HoldId) -> Result<&Hold, Refusal> {
    snapshot
        .holds
        .get(&id)
        .ok_or(Refusal::UnknownHold { hold: id })
}

fn hold_status_is(hold: &Hold, expected: HoldStatus, verb: &str) -> Result<(), Refusal> {
    if hold.status == expected {
        Ok(())
    } else {
        Err(Refusal::InvalidInput {
            field: "hold",
            reason: format!(
                "{} is {} and cannot be {verb}",
                hold.id,
                hold.status.as_str()
            ),
        })
    }
}

/// The terms a case keeps.
pub fn case_terms<'a>(snapshot: &'a Snapshot, case: &Case) -> Option<&'a Terms> {
    snapshot
        .agreements
        .get(&case.agreement)?
        .terms(case.terms_version)
}

fn new_hold(
    id: crate::ids::HoldId,
    court: &str,
    reference: &str,
    scope: &HoldScope,
    depends_on: Option<crate::ids::HoldId>,
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
    hold: crate::ids::HoldId,
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

/// Applies decided events to a copy of the snapshot, as the store will: used by callers that
/// decide several commands in a row against one snapshot.
pub fn applied(
    snapshot: &Snapshot,
    events: &[Event],
) -> Result<Snapshot, crate::world::ApplyError> {
    let mut next = snapshot.clone();
    for event in events {
        apply_to_snapshot(&mut next, event)?;
    }
    Ok(next)
}

/// Counts of the agreement, or zero.
pub fn counts_of(snapshot: &Snapshot, agreement: &corridor_terms::AgreementId) -> Counts {
    snapshot.counts.get(agreement).copied().unwrap_or_default()
}
