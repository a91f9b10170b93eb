//! Before the request: proposing a case, serving notice, the protection screening, an age
//! dispute, and withdrawing the case.

use corridor_terms::AgreementId;
use jiff::civil::Date;

use super::CaseCtx;
use crate::case::{Case, CaseStatus};
use crate::command::{Command, Context, NoticeFacts, PersonFacts};
use crate::decide::guards::{
    age_on_proposal, before_departure, eligible, in_force, not_a_national_of, notice_complete,
    permitted, protection_not_found, rule_attributes, status_in, text_field,
};
use crate::decide::{agreement_state, event_by};
use crate::event::{Event, EventBody, UnscheduleCause};
use crate::hold::holds_covering;
use crate::ids::{CaseId, UserId};
use crate::person::Sealed;
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::Snapshot;

/// What a proposal gives.
pub(in crate::decide) struct Proposal<'a> {
    /// The new case's id.
    pub case: CaseId,
    /// The agreement it is proposed under.
    pub agreement: &'a AgreementId,
    /// The facts the rules read.
    pub facts: &'a PersonFacts,
    /// The person's counsel.
    pub counsel: Option<&'a UserId>,
    /// The sealed personal data.
    pub personal: &'a Sealed,
}

/// `propose`: a new case under an agreement in force, for an eligible person, matched at once
/// against the orders in effect.
pub(in crate::decide) fn propose(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
    proposal: &Proposal<'_>,
) -> Result<Vec<Event>, Refusal> {
    let (case, agreement) = (proposal.case, proposal.agreement);
    if snapshot.cases.contains_key(&case) {
        return Err(Refusal::AlreadyExists {
            what: format!("case {case}"),
        });
    }
    let state = agreement_state(snapshot, agreement)?;
    let latest = state.latest().ok_or_else(|| Refusal::UnknownAgreement {
        agreement: agreement.clone(),
    })?;
    let parties = Parties {
        sending: Some(latest.sending),
        ..Parties::default()
    };
    permitted(context, command, &parties)?;
    in_force(state, context)?;
    let rule = rule_attributes(proposal.facts, context)?;
    eligible(&latest.terms, &rule, &rule.vulnerabilities)?;
    not_a_national_of(&latest.terms, &rule, latest.receiving)?;
    let event = event_by(
        context,
        EventBody::CaseProposed {
            case,
            agreement: agreement.clone(),
            terms_version: state.latest_version(),
            rule,
            counsel: proposal.counsel.cloned(),
            personal: proposal.personal.clone(),
        },
    );
    let proposed = Case::proposed(&event).ok_or(Refusal::UnknownCase { case })?;
    let mut events = vec![event];
    // A new case is matched against the orders in effect as it comes.
    for hold in holds_covering(&proposed, &snapshot.hold_index(), &snapshot.holds) {
        events.push(event_by(
            context,
            EventBody::HoldMatched {
                case,
                hold: hold.id,
            },
        ));
    }
    Ok(events)
}

/// `serve_notice`: a complete notice, before departure, unless protection was found.
pub(super) fn serve_notice(c: &CaseCtx<'_>, notice: &NoticeFacts) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    before_departure(c.case, c.command)?;
    protection_not_found(c.case)?;
    notice_complete(c.case, notice, c.receiving)?;
    c.one(EventBody::NoticeServed {
        case: c.id,
        language: notice.language.clone(),
        destination: notice.destination,
    })
}

/// `claim_protection`: by the sending state or the case's counsel, before departure; a scheduled
/// transfer is unscheduled.
pub(super) fn claim_protection(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    protection_not_found(c.case)?;
    if c.case.status == CaseStatus::ProtectionClaimed {
        return Err(c.invalid_state());
    }
    before_departure(c.case, c.command)?;
    let mut events = Vec::new();
    if c.case.status == CaseStatus::Scheduled {
        events.push(c.event(EventBody::TransferUnscheduled {
            case: c.id,
            cause: UnscheduleCause::ProtectionClaim,
        }));
    }
    events.push(c.event(EventBody::ProtectionClaimed { case: c.id }));
    Ok(events)
}

/// `decide_protection`: an adjudicator decides a pending claim.
pub(super) fn decide_protection(c: &CaseCtx<'_>, granted: bool) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    status_in(c.case, c.command, &[CaseStatus::ProtectionClaimed])?;
    c.one(EventBody::ProtectionDecided {
        case: c.id,
        granted,
    })
}

/// `dispute_age`: the birth date the person gives, before departure, one dispute at a time.
pub(super) fn dispute_age(
    c: &CaseCtx<'_>,
    claimed_birth_date: Date,
) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    before_departure(c.case, c.command)?;
    if c.case.age_disputed.is_some() {
        return Err(Refusal::InvalidInput {
            field: "case",
            reason: "the person's age is already disputed and not yet decided".to_owned(),
        });
    }
    c.one(EventBody::AgeDisputed {
        case: c.id,
        claimed_age_at_proposal: age_on_proposal(c.case, claimed_birth_date, "claimed birth date")?,
    })
}

/// `decide_age`: an adjudicator decides a pending dispute on an assessed birth date.
pub(super) fn decide_age(c: &CaseCtx<'_>, birth_date: Date) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    before_departure(c.case, c.command)?;
    if c.case.age_disputed.is_none() {
        return Err(Refusal::InvalidInput {
            field: "case",
            reason: "no age dispute is pending".to_owned(),
        });
    }
    c.one(EventBody::AgeDecided {
        case: c.id,
        age_at_proposal: age_on_proposal(c.case, birth_date, "birth date")?,
    })
}

/// `withdraw`: the sending state ends the case before departure, with a reason.
pub(super) fn withdraw(c: &CaseCtx<'_>, reason: &str) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    text_field("reason", reason)?;
    before_departure(c.case, c.command)?;
    c.one(EventBody::Withdrawn {
        case: c.id,
        reason: reason.to_owned(),
    })
}
