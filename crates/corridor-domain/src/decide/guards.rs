//! Every guard of docs/domain.md §4, and only guards: each is a small function that returns
//! `Err(Refusal)`. The commands (`agreement.rs`, `hold.rs`, `case/`) list the guards they must
//! pass, in the order a caseworker would want to hear about them; who may ask is [`permitted`],
//! which reads the role table (`crate::roles`).
//!
//! A transfer deadline is a moment at which the clock has run out: `tick` expires the case at it,
//! so every guard treats "at the deadline" as "past it", and the two can never disagree.

use corridor_terms::{AgreementStatus, OnwardRule, Terms};
use jiff::Timestamp;

use super::REASON_LENGTH_MAX;
use crate::actor::Actor;
use crate::agreement::AgreementState;
use crate::case::{Case, CaseStatus, ReceivingProcedure, SafeguardCause};
use crate::clock::{departure_window, earliest_departure, lead_time_from, transfer_deadline};
use crate::command::{Command, Context, NoticeFacts, PersonFacts};
use crate::hold::{Hold, HoldStatus, holds_covering};
use crate::monitoring::{AddressedParty, Finding, monitor_holds_on};
use crate::person::{RuleAttributes, age_years};
use crate::refusal::{CapKind, Refusal};
use crate::roles::{self, Parties};
use crate::snapshot::{Snapshot, case_terms};

/// The age from which a person is no longer a minor (the `minor` vulnerability).
pub const ADULT_AGE_YEARS: u8 = 18;

/// Who may ask: the role table lets the actor's role, acting for its party, ask the command.
pub(super) fn permitted(
    context: &Context,
    command: &Command,
    parties: &Parties<'_>,
) -> Result<(), Refusal> {
    roles::check(command, &context.actor, parties)
}

/// An agreement file's status history, after the last change already known, must continue the
/// lifecycle from where it stands: an amendment must not bring a terminated agreement back into
/// force. The entries are appended on replay (see `AgreementState::apply`).
pub(super) fn amendment_continues(
    existing: &AgreementState,
    parsed: &corridor_terms::Agreement,
) -> Result<(), Refusal> {
    let first = existing.versions.first();
    if first
        .is_some_and(|first| first.sending != parsed.sending || first.receiving != parsed.receiving)
    {
        return Err(Refusal::InvalidInput {
            field: "agreement file",
            reason: "an amendment cannot change the parties".to_owned(),
        });
    }
    let Some(last) = existing.last_status() else {
        return Ok(());
    };
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
    Ok(())
}

/// An extension of the transfer deadline only for a reason the terms allow.
pub(super) fn extension_allowed(terms: &Terms, reason: &str) -> Result<(), Refusal> {
    let extensions = &terms.clocks.transfer_deadline_extensions;
    if extensions.iter().any(|e| e.reason == reason) {
        return Ok(());
    }
    let allowed: Vec<&str> = extensions.iter().map(|e| e.reason.as_str()).collect();
    Err(Refusal::InvalidInput {
        field: "reason",
        reason: format!(
            "the terms allow extensions only for: {}",
            list_or_none(&allowed)
        ),
    })
}

/// The transfer deadline has not passed at `now` (nor at `departure`, when one is given).
pub(super) fn deadline_not_passed(
    case: &Case,
    terms: &Terms,
    now: jiff::Timestamp,
    departure: Option<jiff::Timestamp>,
) -> Result<(), Refusal> {
    match transfer_deadline(case, terms) {
        Some(deadline) if now >= deadline || departure.is_some_and(|at| at >= deadline) => {
            Err(Refusal::TransferDeadlinePassed { deadline })
        }
        _ => Ok(()),
    }
}

/// The day `context.now` falls on (UTC): the day agreement statuses are read on.
pub(super) fn today_of(context: &Context) -> jiff::civil::Date {
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
pub(super) fn check_status_change(
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

pub(super) fn in_force(agreement: &AgreementState, context: &Context) -> Result<(), Refusal> {
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
pub(super) fn plausible_age(
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

pub(super) fn eligible(
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
pub(super) fn age_eligible(case: &Case, terms: &Terms) -> Result<(), Refusal> {
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
pub(super) fn age_on_proposal(
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
pub(super) fn not_a_national_of(
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

pub(super) fn notice_complete(
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
pub(super) fn within_schedule(
    case: &Case,
    terms: &Terms,
    context: &Context,
) -> Result<(), Refusal> {
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
pub(super) fn fear_screened(
    case: &Case,
    receiving: corridor_terms::Country,
) -> Result<(), Refusal> {
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

pub(super) fn protection_not_found(case: &Case) -> Result<(), Refusal> {
    if case.status == CaseStatus::Protected {
        Err(Refusal::ProtectionFound)
    } else {
        Ok(())
    }
}

pub(super) fn protection_clear(case: &Case) -> Result<(), Refusal> {
    protection_not_found(case)?;
    match case.protection_claim_filed_at {
        Some(filed_at) => Err(Refusal::ProtectionClaimPending { filed_at }),
        None => Ok(()),
    }
}

pub(super) fn no_hold(snapshot: &Snapshot, case: &Case) -> Result<(), Refusal> {
    match holds_covering(case, &snapshot.hold_index(), &snapshot.holds).first() {
        Some(hold) => Err(Refusal::HoldActive {
            hold: hold.id,
            court: hold.court.clone(),
            reference: hold.reference.clone(),
        }),
        None => Ok(()),
    }
}

/// No open finding of the monitoring body places the case under the monitor's hold (a critical
/// finding of onward-removal risk naming the case): checked like a court hold, from the findings
/// every decision loads.
pub(super) fn no_monitor_hold(snapshot: &Snapshot, case: &Case) -> Result<(), Refusal> {
    match monitor_holds_on(case.id, &snapshot.findings).first() {
        Some(finding) => Err(Refusal::MonitorHold {
            finding: finding.id,
            category: finding.facts.category,
            severity: finding.facts.severity,
        }),
        None => Ok(()),
    }
}

/// A finding takes responses, and is closed, only while it is open.
pub(super) fn finding_open(finding: &Finding) -> Result<(), Refusal> {
    match finding.closed {
        Some((_, outcome)) => Err(Refusal::FindingClosed {
            finding: finding.id,
            outcome,
        }),
        None => Ok(()),
    }
}

/// Only a party the finding is addressed to responds to it.
pub(super) fn finding_addressed_to(
    finding: &Finding,
    party: AddressedParty,
) -> Result<(), Refusal> {
    if finding.facts.addressed.contains(&party) {
        Ok(())
    } else {
        Err(Refusal::FindingNotAddressed {
            finding: finding.id,
            party,
        })
    }
}

/// Each addressed party responds once: a response is the party's answer on the record, and a
/// correction is a matter for the joint committee, not a second answer.
pub(super) fn finding_not_responded(
    finding: &Finding,
    party: AddressedParty,
) -> Result<(), Refusal> {
    match finding.responses.get(&party) {
        Some(response) => Err(Refusal::FindingAlreadyResponded {
            finding: finding.id,
            party,
            responded_at: response.at,
        }),
        None => Ok(()),
    }
}

/// The receiving state may answer a request only while its reply deadline runs: once it has run,
/// the request lapsed or silence accepted, whether or not a tick has recorded it yet.
pub(super) fn reply_deadline_open(
    case: &Case,
    terms: &Terms,
    context: &Context,
) -> Result<(), Refusal> {
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

pub(super) fn supervisor_approved(case: &Case) -> Result<(), Refusal> {
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

pub(super) fn not_self_approval(case: &Case, actor: &Actor) -> Result<(), Refusal> {
    if case.proposed_by.as_ref() == Some(&actor.user) {
        Err(Refusal::SelfApproval {
            user: actor.user.clone(),
        })
    } else {
        Ok(())
    }
}

pub(super) fn caps(
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

pub(super) fn onward_permitted(
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

pub(super) fn before_departure(case: &Case, command: &Command) -> Result<(), Refusal> {
    if case.status.is_before_departure() {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

pub(super) fn after_arrival(case: &Case, command: &Command) -> Result<(), Refusal> {
    if case.status.is_after_arrival() {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

pub(super) fn status_in(
    case: &Case,
    command: &Command,
    allowed: &[CaseStatus],
) -> Result<(), Refusal> {
    if allowed.contains(&case.status) {
        Ok(())
    } else {
        Err(Refusal::InvalidState {
            command: command.name(),
            status: case.status,
        })
    }
}

pub(super) fn text_field(field: &'static str, text: &str) -> Result<(), Refusal> {
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

/// A free text up to `max` characters: not empty, no control characters but line breaks.
pub(super) fn long_text_field(field: &'static str, text: &str, max: usize) -> Result<(), Refusal> {
    let invalid = |reason: String| Err(Refusal::InvalidInput { field, reason });
    if text.trim().is_empty() {
        return invalid("it is empty".to_owned());
    }
    if text.chars().count() > max {
        return invalid(format!("it is longer than {max} characters"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return invalid("it contains control characters other than line breaks".to_owned());
    }
    Ok(())
}

pub(super) fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

pub(super) fn hold_status_is(hold: &Hold, expected: HoldStatus, verb: &str) -> Result<(), Refusal> {
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

/// Notice has been served before the transfer is requested.
pub(super) fn notice_served(case: &Case) -> Result<(), Refusal> {
    if case.status == CaseStatus::Proposed {
        return Err(Refusal::NoticeMissing);
    }
    Ok(())
}

/// The receiving state has accepted the person before a departure is scheduled.
pub(super) fn receiving_approved(case: &Case) -> Result<(), Refusal> {
    if matches!(case.status, CaseStatus::Noticed | CaseStatus::Requested) {
        return Err(Refusal::NotApprovedByReceivingState);
    }
    Ok(())
}

/// The notice lead time has run: by `departure` when one is scheduled, by `now` when the person
/// leaves. A departure earlier than the one the person was told of is a new schedule: the lead
/// time runs again from `now` where the terms say so.
pub(super) fn notice_period_run(
    case: &Case,
    terms: &Terms,
    now: Timestamp,
    departure: Option<Timestamp>,
) -> Result<(), Refusal> {
    let mut earliest = earliest_departure(case, terms).ok_or(Refusal::NoticeMissing)?;
    let when = match departure {
        Some(departure) => {
            if case.told_departure.is_some_and(|told| departure < told) {
                earliest = earliest.max(lead_time_from(terms, now));
            }
            departure
        }
        None => now,
    };
    if when < earliest {
        return Err(Refusal::NoticePeriodRunning {
            earliest_departure: earliest,
        });
    }
    Ok(())
}

/// The refusal of the safeguard whose consequence the case's status is, if it is one.
pub(super) fn safeguard_behind(snapshot: &Snapshot, case: &Case) -> Option<Refusal> {
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

/// A complaint may move only as [`ComplaintStatus::may_become`] allows.
pub(super) fn complaint_status_may_become(
    complaint: &crate::complaint::Complaint,
    next: crate::complaint::ComplaintStatus,
) -> Result<(), Refusal> {
    if complaint.status.may_become(next) {
        Ok(())
    } else {
        Err(Refusal::ComplaintStatusNotAllowed {
            from: complaint.status,
            to: next,
        })
    }
}

/// Nothing is sealed for, or erased from, a complaint whose key was destroyed.
pub(super) fn complaint_not_erased(complaint: &crate::complaint::Complaint) -> Result<(), Refusal> {
    if complaint.erased {
        Err(Refusal::ComplaintErased {
            complaint: complaint.id,
        })
    } else {
        Ok(())
    }
}
