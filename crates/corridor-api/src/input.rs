//! Request values become domain types here, in one step, with an error naming the field
//! (`body.nationality`, `path.case`, `query.limit`).

use axum::http::{HeaderMap, HeaderValue, header};
use corridor_domain::terms::{AgreementId, AgreementStatus, Country, Sex, Vulnerability};
use corridor_domain::{CaseId, ComplaintId, FindingId, HoldId, Label, Language, UserId, VisitId};
use jiff::Timestamp;
use jiff::civil::Date;

use corridor_app::limits::check_idempotency_key;

use corridor_app::AppError;

use crate::limits::{PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX};
use crate::problem::ApiError;

fn field<T>(
    name: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ApiError> {
    parse(value).map_err(|message| {
        ApiError::App(AppError::InvalidInput {
            field: name.to_owned(),
            message,
        })
    })
}

/// The `Idempotency-Key` header, if sent: 1 to [`IDEMPOTENCY_KEY_CHARS_MAX`] printable ASCII
/// characters, bare or as a quoted string (`"…"`, the form of the IETF draft).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let invalid = |message: String| {
        ApiError::App(AppError::InvalidInput {
            field: "header.Idempotency-Key".to_owned(),
            message,
        })
    };
    let text = value
        .to_str()
        .map_err(|_| invalid("it must be printable ASCII".to_owned()))?
        .trim();
    let key = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(text);
    check_idempotency_key(key).map_err(invalid)?;
    Ok(Some(key.to_owned()))
}

/// The header a client names a creation (a proposal, a hold registration) with, so that
/// retrying it creates nothing twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A query string, parsed: its rejection is 422 naming `query`.
pub fn query<T>(
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    query
        .map(|axum::extract::Query(value)| value)
        .map_err(|rejection| {
            ApiError::App(AppError::InvalidInput {
                field: "query".to_owned(),
                message: rejection.body_text(),
            })
        })
}

/// A page's `limit`: [`PAGE_SIZE_DEFAULT`] when absent, else 1 to [`PAGE_SIZE_MAX`].
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(PAGE_SIZE_DEFAULT);
    if limit == 0 || limit > PAGE_SIZE_MAX {
        return Err(ApiError::App(AppError::InvalidInput {
            field: "query.limit".to_owned(),
            message: format!("must be between 1 and {PAGE_SIZE_MAX}"),
        }));
    }
    Ok(limit)
}

/// A case id in the path.
pub fn case_id(value: &str) -> Result<CaseId, ApiError> {
    field("path.case", value, CaseId::parse)
}

/// A hold id in the path.
pub fn hold_id(value: &str) -> Result<HoldId, ApiError> {
    field("path.hold", value, HoldId::parse)
}

/// A finding id in the path.
pub fn finding_id(value: &str) -> Result<FindingId, ApiError> {
    field("path.finding", value, FindingId::parse)
}

/// A complaint id in the path.
pub fn complaint_id(value: &str) -> Result<ComplaintId, ApiError> {
    field("path.complaint", value, ComplaintId::parse)
}

/// A visit id in a body.
pub fn visit_in_body(name: &str, value: &str) -> Result<VisitId, ApiError> {
    field(name, value, VisitId::parse)
}

/// An agreement id.
pub fn agreement_id(name: &str, value: &str) -> Result<AgreementId, ApiError> {
    field(name, value, AgreementId::parse)
}

/// A case id in a body.
pub fn case_in_body(name: &str, value: &str) -> Result<CaseId, ApiError> {
    field(name, value, CaseId::parse)
}

/// A hold id in a body.
pub fn hold_in_body(name: &str, value: &str) -> Result<HoldId, ApiError> {
    field(name, value, HoldId::parse)
}

/// A country (ISO 3166-1 alpha-3).
pub fn country(name: &str, value: &str) -> Result<Country, ApiError> {
    field(name, value, Country::parse)
}

/// A day, `YYYY-MM-DD`.
pub fn date(name: &str, value: &str) -> Result<Date, ApiError> {
    field(name, value, |text| {
        text.parse::<Date>()
            .map_err(|error| format!("`{text}` is not a date (YYYY-MM-DD): {error}"))
    })
}

/// A moment, RFC 3339.
pub fn timestamp(name: &str, value: &str) -> Result<Timestamp, ApiError> {
    field(name, value, |text| {
        text.parse::<Timestamp>().map_err(|error| {
            format!("`{text}` is not a moment (e.g. 2025-09-01T08:00:00Z): {error}")
        })
    })
}

/// A label (legal basis, designation, detention place).
pub fn label(name: &str, value: &str) -> Result<Label, ApiError> {
    field(name, value, Label::parse)
}

/// A language tag.
pub fn language(name: &str, value: &str) -> Result<Language, ApiError> {
    field(name, value, Language::parse)
}

/// A login name.
pub fn user(name: &str, value: &str) -> Result<UserId, ApiError> {
    field(name, value, UserId::parse)
}

/// A sex.
pub fn sex(name: &str, value: &str) -> Result<Sex, ApiError> {
    field(name, value, |text| {
        Sex::parse(text).ok_or_else(|| format!("`{text}` is not one of female, male, other"))
    })
}

/// A vulnerability category.
pub fn vulnerability(name: &str, value: &str) -> Result<Vulnerability, ApiError> {
    field(name, value, |text| {
        Vulnerability::parse(text).ok_or_else(|| {
            let names: Vec<&str> = Vulnerability::ALL.iter().map(|v| v.as_str()).collect();
            format!(
                "`{text}` is not a vulnerability category (one of: {})",
                names.join(", ")
            )
        })
    })
}

/// An agreement lifecycle status.
pub fn agreement_status(name: &str, value: &str) -> Result<AgreementStatus, ApiError> {
    field(name, value, |text| {
        AgreementStatus::parse(text).ok_or_else(|| {
            let names: Vec<&str> = AgreementStatus::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "`{text}` is not an agreement status (one of: {})",
                names.join(", ")
            )
        })
    })
}

/// Every item of a list, each named by its index (`body.languages[2]`).
pub fn each<T, C: FromIterator<T>>(
    name: &str,
    values: &[String],
    parse: impl Fn(&str, &str) -> Result<T, ApiError>,
) -> Result<C, ApiError> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| parse(&format!("{name}[{index}]"), value))
        .collect()
}

/// A free-text field that must not be blank, must fit, and must hold no control character or
/// bidirectional override ([`corridor_domain::terms::check_text`]).
pub fn text(name: &str, value: &str, max_chars: usize) -> Result<String, ApiError> {
    field(name, value, corridor_domain::terms::check_text)?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::App(AppError::InvalidInput {
            field: name.to_owned(),
            message: "it is empty".to_owned(),
        }));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ApiError::App(AppError::InvalidInput {
            field: name.to_owned(),
            message: format!("it is longer than {max_chars} characters"),
        }));
    }
    Ok(trimmed.to_owned())
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
