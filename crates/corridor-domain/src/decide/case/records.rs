//! What may be recorded at any stage: a vulnerability or a fear learnt after the proposal, a
//! court's validation of detention, and the erasure of the personal data.

use corridor_terms::{Country, Vulnerability};

use super::CaseCtx;
use crate::actor::Role;
use crate::case::Detention;
use crate::decide::guards::after_arrival;
use crate::event::{Event, EventBody};
use crate::refusal::Refusal;

/// `record_vulnerability`: once each, on a case not yet final; the terms say whether it excludes
/// the person.
pub(super) fn record_vulnerability(
    c: &CaseCtx<'_>,
    category: Vulnerability,
) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    if c.case.status.is_final() {
        return Err(c.invalid_state());
    }
    if c.case.vulnerabilities().contains(&category) {
        return Err(Refusal::InvalidInput {
            field: "category",
            reason: format!("`{category}` is already recorded"),
        });
    }
    let excluded = c
        .terms
        .eligibility
        .excluded_vulnerabilities
        .contains(&category);
    c.one(EventBody::VulnerabilityRecorded {
        case: c.id,
        category,
        excluded,
    })
}

/// `record_fear`: once each country, at any time; the receiving state only after arrival.
pub(super) fn record_fear(c: &CaseCtx<'_>, country: Country) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    if c.role() == Role::ReceivingOfficer {
        after_arrival(c.case, c.command)?;
    }
    if c.case.feared_countries().contains(&country) {
        return Err(Refusal::InvalidInput {
            field: "country",
            reason: format!(
                "a fear of {} ({country}) is already recorded",
                country.name()
            ),
        });
    }
    c.one(EventBody::FearRecorded {
        case: c.id,
        country,
    })
}

/// `validate_detention`: while the detention awaits validation and its period has not run.
pub(super) fn validate_detention(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    let id = c.id;
    if c.case.detention != Detention::Pending {
        return Err(Refusal::InvalidInput {
            field: "case",
            reason: format!("detention of {id} is not awaiting validation"),
        });
    }
    // The period has run once its clock has, whether or not a tick has recorded the lapse yet:
    // validation must not depend on when the clocks were last run.
    if let (Some(arrived_at), Some(period)) =
        (c.case.arrived_at, c.terms.clocks.detention_validation)
        && period.after(arrived_at) <= c.context.now
    {
        return Err(Refusal::InvalidInput {
            field: "case",
            reason: format!(
                "detention of {id} had to be validated by {}, so it has lapsed",
                period.after(arrived_at)
            ),
        });
    }
    c.one(EventBody::DetentionValidated { case: id })
}

/// `erase`: destroys the case's key, once.
pub(super) fn erase(c: &CaseCtx<'_>) -> Result<Vec<Event>, Refusal> {
    c.permitted()?;
    if c.case.personal.is_none() {
        return Err(Refusal::InvalidInput {
            field: "case",
            reason: format!("the personal data of {} is already erased", c.id),
        });
    }
    c.one(EventBody::PersonalDataErased { case: c.id })
}
