//! What leaves the server about a case, built in one place from the field filter
//! ([`crate::disclosure`]): a field the caller may not see is absent and named in `withheld`.
//!
//! The CLI's `case show --json` prints the same [`CaseView`], so a caseworker's terminal and
//! the API never disagree about what a role may see.

use corridor_domain::MonitorAlert;
use corridor_domain::clock::{Whereabouts, aftercare, next_party_deadline, welfare_schedule};
use corridor_domain::{AgreementState, Case, PersonalData};
use corridor_store::vault::{self, MasterKey};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::disclosure::Disclosure;
use crate::error::AppError;

/// Whether the personal data is shown, withheld from this caller, or erased for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonalDataState {
    /// Shown, as far as the caller may see it (fields they may not see are absent).
    Shown,
    /// Withheld from this caller.
    Withheld,
    /// The case key was destroyed: nobody can read it any more.
    Erased,
}

/// The sealed personal data, as far as the caller may see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PersonalView {
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Date of birth (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Identity and travel documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<String>>,
    /// Contact details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Health notes (only with recorded consent, for the receiving state).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
}

/// The attributes the agreement's rules read, as far as the caller may see them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleView {
    /// Nationality (ISO 3166-1 alpha-3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Sex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Age in years when proposed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_years_at_proposal: Option<u32>,
    /// Languages understood.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// Vulnerabilities, at proposal and since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vec<String>>,
    /// Countries the person fears.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feared_countries: Option<Vec<String>>,
    /// Countries a decision protects the person from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_countries: Option<Vec<String>>,
    /// The removal order's legal basis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// A designation class orders may name (absent when none, or withheld).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designation: Option<String>,
    /// Detention place (absent when none, or withheld).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detention_place: Option<String>,
    /// The day the removal order was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_ordered_on: Option<String>,
    /// The fields withheld from this caller, by name.
    pub withheld: Vec<String>,
}

/// One welfare check of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WelfareView {
    /// When its window opens (a check from this moment on counts).
    pub window_opens_at: String,
    /// When it falls due.
    pub due_at: String,
    /// When its window closes (a check at this very moment still counts).
    pub window_ends_at: String,
    /// `upcoming`, `due`, `done`, `not_found` (checked, the person not found), `overdue` or
    /// `ended` (the person left first).
    pub state: String,
}

/// Where a person stands in the years after arrival, computed when asked and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AftercareView {
    /// Whole calendar months since arrival.
    pub months_since_arrival: i64,
    /// Checks done: the person found (seen well, with concerns, or refusing contact).
    pub checks_done: u32,
    /// Checks missed: the window closed without the person found.
    pub checks_missed: u32,
    /// Checks missed in a row, up to now.
    pub missed_in_a_row: u32,
    /// Checks due now.
    pub checks_due: u32,
    /// Checks still to come.
    pub checks_upcoming: u32,
    /// `known` or `unknown`.
    pub whereabouts: String,
    /// Since when the whereabouts are known (arrival, the last check that found the person,
    /// or their being found again) or unknown.
    pub whereabouts_since: String,
    /// Where the person moved on to from the receiving state, if they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onward_destination: Option<String>,
    /// When they moved on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onward_at: Option<String>,
    /// When the support period ends (or ended), where the terms set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_ends_at: Option<String>,
    /// The alerts raised to the monitoring body, oldest first: shown to its monitors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<AlertView>>,
}

/// An alert raised to the monitoring body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    /// When it was raised.
    pub at: String,
    /// `missed_checks` or `whereabouts_unknown`.
    pub reason: String,
    /// Since when: the due time of the first missed check, or when the whereabouts became
    /// unknown.
    pub since: String,
    /// How many checks were missed in a row (for `missed_checks`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// A case as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    /// The case id.
    pub case: String,
    /// Its agreement.
    pub agreement: String,
    /// The terms version it is decided under.
    pub terms_version: u32,
    /// Its status, as the caller may be told it: one of the case statuses, or `paused` (for a
    /// caller who may not know of a protection claim, which is also told `withdrawn` when
    /// protection is found).
    pub status: String,
    /// Its version: send it back in `If-Match` with a command.
    pub version: u64,
    /// Whether the personal data is shown.
    pub personal_data_state: PersonalDataState,
    /// The personal data, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<PersonalView>,
    /// The attributes the rules read.
    pub rule_attributes: RuleView,
    /// The next deadline of its clocks.
    pub next_deadline: Option<String>,
    /// The scheduled departure.
    pub departure: Option<String>,
    /// When it departed.
    pub departed_at: Option<String>,
    /// When it arrived.
    pub arrived_at: Option<String>,
    /// The holds that matched it.
    pub holds_matched: Vec<String>,
    /// The welfare-check schedule after arrival.
    pub welfare_checks: Vec<WelfareView>,
    /// How many safeguard refusals were recorded on it (absent for a caller who may not know
    /// of a protection claim: a pending one causes them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguard_refusals: Option<u64>,
    /// The years after arrival, for callers who see the whole case (the sending state, counsel,
    /// the monitors; alerts for the monitors alone); absent before arrival and for others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aftercare: Option<AftercareView>,
}

fn shown<T>(allowed: bool, name: &'static str, withheld: &mut Vec<String>, value: T) -> Option<T> {
    if allowed {
        Some(value)
    } else {
        withheld.push(name.to_owned());
        None
    }
}

/// Opens the case's personal data (under its wrapped key, `None` once erased) when the
/// disclosure shows any of it, and filters it.
///
/// # Errors
/// 503 without the master key; a store or vault failure.
pub fn open_personal(
    wrapped: Option<&[u8]>,
    master: Option<&MasterKey>,
    case: &Case,
    disclosure: &Disclosure,
) -> Result<Option<PersonalData>, AppError> {
    if !disclosure.any_personal() {
        return Ok(None);
    }
    let (Some(sealed), Some(wrapped)) = (&case.personal, wrapped) else {
        return Ok(None);
    };
    let master = master.ok_or(AppError::NoMasterKey)?;
    let key = master.unwrap_key(case.id, wrapped).map_err(|error| {
        AppError::Internal(format!("unwrapping the key of {}: {error}", case.id))
    })?;
    let data = vault::open(case.id, &key, sealed)
        .map_err(|error| AppError::Internal(format!("opening {}: {error}", case.id)))?;
    Ok(Some(disclosure.filter(data)))
}

/// The view of `case` that `disclosure` allows, with its personal data already opened and
/// filtered (see [`open_personal`]), and the version the caller is told ([`told_version`]).
pub fn case_view(
    case: &Case,
    agreement: &AgreementState,
    disclosure: &Disclosure,
    personal: Option<PersonalData>,
    now: Timestamp,
) -> CaseView {
    CaseView {
        version: told_version(case, agreement, disclosure),
        ..view_of(case, agreement, disclosure, personal, now)
    }
}

/// [`case_view`] with the case's own version.
fn view_of(
    case: &Case,
    agreement: &AgreementState,
    disclosure: &Disclosure,
    personal: Option<PersonalData>,
    now: Timestamp,
) -> CaseView {
    let terms = agreement.terms(case.terms_version);
    let rule = &case.rule;
    let mut withheld = Vec::new();
    let rule_attributes = RuleView {
        nationality: shown(
            disclosure.nationality,
            "nationality",
            &mut withheld,
            rule.nationality.to_string(),
        ),
        sex: shown(
            disclosure.sex,
            "sex",
            &mut withheld,
            rule.sex.as_str().to_owned(),
        ),
        age_years_at_proposal: shown(
            disclosure.age,
            "age_years_at_proposal",
            &mut withheld,
            u32::from(rule.age_years_at_proposal),
        ),
        languages: shown(
            disclosure.languages,
            "languages",
            &mut withheld,
            rule.languages.iter().map(ToString::to_string).collect(),
        ),
        vulnerabilities: shown(
            disclosure.vulnerabilities,
            "vulnerabilities",
            &mut withheld,
            case.vulnerabilities()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect(),
        ),
        feared_countries: shown(
            disclosure.protection_facts,
            "feared_countries",
            &mut withheld,
            case.feared_countries()
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        protected_countries: shown(
            disclosure.protection_facts,
            "protected_countries",
            &mut withheld,
            rule.protected_countries
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        legal_basis: shown(
            disclosure.removal_order,
            "legal_basis",
            &mut withheld,
            rule.legal_basis.to_string(),
        ),
        designation: shown(
            disclosure.removal_order,
            "designation",
            &mut withheld,
            rule.designation.as_ref().map(ToString::to_string),
        )
        .flatten(),
        detention_place: shown(
            disclosure.removal_order,
            "detention_place",
            &mut withheld,
            rule.detention_place.as_ref().map(ToString::to_string),
        )
        .flatten(),
        removal_ordered_on: shown(
            disclosure.removal_order,
            "removal_ordered_on",
            &mut withheld,
            rule.removal_ordered_on.to_string(),
        ),
        withheld: Vec::new(),
    };
    let (personal_data_state, personal_data) = match (&case.personal, personal) {
        (None, _) => (PersonalDataState::Erased, None),
        (Some(_), Some(data)) => (
            PersonalDataState::Shown,
            Some(personal_view(disclosure, data)),
        ),
        (Some(_), None) => (PersonalDataState::Withheld, None),
    };
    CaseView {
        case: case.id.to_string(),
        agreement: case.agreement.to_string(),
        terms_version: case.terms_version,
        status: disclosure.status(case.status).as_str().to_owned(),
        version: case.version,
        personal_data_state,
        personal_data,
        rule_attributes: RuleView {
            withheld,
            ..rule_attributes
        },
        next_deadline: terms
            .and_then(|terms| next_party_deadline(case, terms))
            .map(|at| at.to_string()),
        departure: case.departure.map(|at| at.to_string()),
        departed_at: case.departed_at.map(|at| at.to_string()),
        arrived_at: case.arrived_at.map(|at| at.to_string()),
        holds_matched: case.holds_matched.iter().map(ToString::to_string).collect(),
        welfare_checks: terms
            .map(|terms| welfare_schedule(case, terms, now))
            .unwrap_or_default()
            .iter()
            .map(|item| WelfareView {
                window_opens_at: item.window_opens_at.to_string(),
                due_at: item.due_at.to_string(),
                window_ends_at: item.window_ends_at.to_string(),
                state: item.state.as_str().to_owned(),
            })
            .collect(),
        safeguard_refusals: disclosure
            .protection_facts
            .then_some(case.safeguard_refusals),
        aftercare: terms
            .filter(|_| disclosure.whole_case())
            .and_then(|terms| aftercare_view(case, terms, disclosure, now)),
    }
}

/// The years after arrival as `disclosure` allows them: alerts only for the monitors.
fn aftercare_view(
    case: &Case,
    terms: &corridor_domain::terms::Terms,
    disclosure: &Disclosure,
    now: Timestamp,
) -> Option<AftercareView> {
    let status = aftercare(case, terms, now)?;
    let (whereabouts, since) = match status.whereabouts {
        Whereabouts::Known(since) => ("known", since),
        Whereabouts::Unknown(since) => ("unknown", since),
    };
    let alerts = disclosure.monitoring.then(|| {
        case.alerts
            .iter()
            .map(|(at, alert)| {
                let (since, count) = match alert {
                    MonitorAlert::MissedChecks { count, since } => (since, Some(*count)),
                    MonitorAlert::WhereaboutsUnknown { since } => (since, None),
                };
                AlertView {
                    at: at.to_string(),
                    reason: alert.reason().to_owned(),
                    since: since.to_string(),
                    count,
                }
            })
            .collect()
    });
    Some(AftercareView {
        months_since_arrival: status.months_since_arrival,
        checks_done: status.checks_done,
        checks_missed: status.checks_missed,
        missed_in_a_row: status.missed_in_a_row,
        checks_due: status.checks_due,
        checks_upcoming: status.checks_upcoming,
        whereabouts: whereabouts.to_owned(),
        whereabouts_since: since.to_string(),
        onward_destination: status.onward.map(|(country, _)| country.to_string()),
        onward_at: status.onward.map(|(_, at)| at.to_string()),
        support_ends_at: status.support_ends_at.map(|at| at.to_string()),
        alerts,
    })
}

/// The version a caller who sees only part of a case is told (and sends back in `If-Match`):
/// a fingerprint of what they see, not the count of the case's events, which would rise with
/// events hidden from them (a protection claim decided between two reads, a refusal recorded,
/// a notice served again). It changes only when their view of the case does. The view is
/// taken without its personal data (which changes only by erasure, shown by
/// `personal_data_state`) and at a fixed moment, so that the welfare schedule's states, which
/// move with the clock, do not change it. Callers who see the whole case are told the count:
/// of every event for the monitors, and of every event but the monitoring body's own records
/// for the sending state and counsel (an alert raised by the clock moves nothing they see).
pub fn told_version(case: &Case, agreement: &AgreementState, disclosure: &Disclosure) -> u64 {
    if *disclosure == Disclosure::EVERYTHING {
        return case.version;
    }
    if disclosure.whole_case() {
        return case.version.saturating_sub(case.monitoring_records);
    }
    let mut view = view_of(case, agreement, disclosure, None, Timestamp::UNIX_EPOCH);
    view.version = 0;
    // Serialising this plain view cannot fail; an empty text would only make every version
    // the same, which If-Match then treats as unchanged.
    let text = serde_json::to_vec(&view).unwrap_or_default();
    let digest = Sha256::digest(&text);
    let mut bytes = [0u8; 8];
    for (byte, source) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *source;
    }
    // 48 bits: a JSON number every client reads exactly.
    u64::from_be_bytes(bytes) >> 16
}

fn personal_view(disclosure: &Disclosure, data: PersonalData) -> PersonalView {
    PersonalView {
        name: Some(data.name).filter(|_| disclosure.name),
        birth_date: data
            .birth_date
            .filter(|_| disclosure.birth_date)
            .map(|d| d.to_string()),
        documents: Some(data.documents).filter(|_| disclosure.documents),
        contact: data.contact.filter(|_| disclosure.contact),
        health: data.health.filter(|_| disclosure.health),
    }
}
