//! Cases over HTTP: propose, read, list, history, and every command of the case lifecycle, each
//! parsed into typed values and handed to `corridor_app::service`.
//!
//! Reads are decided by the policies (`read_case`, `read_history`, `list_cases`) and recorded;
//! what a caller sees of a case is then filtered in one place (`corridor_app::views`). Commands need
//! `If-Match` with the case's `ETag`, so nobody acts on a version they have not seen.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_domain::WelfareOutcome;
use corridor_domain::{CaseId, Command, NoticeFacts, PersonFacts, PersonalData};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use corridor_authz::Action;

use corridor_app::AppError;

use crate::auth::Caller;
use crate::input;
use crate::input::{etag, if_match};
use crate::json::JsonBody;
use crate::limits::TEXT_CHARS_MAX;
use crate::problem::{AccessProblems, ApiError, CommandProblems, CommonProblems};
use crate::state::AppState;
use corridor_app::answers::{CasePage, CommandOutcome, HistoryEvent, Proposed};
use corridor_app::disclosure::ShownStatus;
use corridor_app::service::{self, CaseQuery, NewCase};
use corridor_app::views::CaseView;

/// The case routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose, list))
        .routes(routes!(show))
        .routes(routes!(history))
        .routes(routes!(notice))
        .routes(routes!(claim_protection))
        .routes(routes!(decide_protection))
        .routes(routes!(request_transfer))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(extend_deadline))
        .routes(routes!(schedule))
        .routes(routes!(depart))
        .routes(routes!(arrive))
        .routes(routes!(record_vulnerability))
        .routes(routes!(record_fear))
        .routes(routes!(dispute_age))
        .routes(routes!(decide_age))
        .routes(routes!(lodge_receiving_claim))
        .routes(routes!(decide_receiving_claim))
        .routes(routes!(lodge_appeal))
        .routes(routes!(onward))
        .routes(routes!(record_return))
        .routes(routes!(settle))
        .routes(routes!(whereabouts_unknown))
        .routes(routes!(whereabouts_known))
        .routes(routes!(welfare_check))
        .routes(routes!(validate_detention))
        .routes(routes!(withdraw))
        .routes(routes!(erase))
}

/// A new case: the facts the rules read and the personal data to seal.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeBody {
    /// Full name (sealed; shown only to those the agreement allows).
    pub name: String,
    /// Date of birth, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub birth_date: String,
    /// Nationality (ISO 3166-1 alpha-3).
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub nationality: String,
    /// `female`, `male` or `other`.
    #[schema(pattern = "^(female|male|other)$")]
    pub sex: String,
    /// Vulnerability categories known at proposal.
    #[serde(default)]
    pub vulnerabilities: Vec<String>,
    /// Countries the person fears (ISO 3166-1 alpha-3).
    #[serde(default)]
    pub feared_countries: Vec<String>,
    /// Countries a decision protects the person from.
    #[serde(default)]
    pub protected_countries: Vec<String>,
    /// Languages the person understands (language tags).
    pub languages: Vec<String>,
    /// The removal order's legal basis: 1 to 64 lowercase letters, digits, `_` or `-`.
    #[schema(pattern = "^[a-z0-9_-]{1,64}$")]
    pub legal_basis: String,
    /// A designation class orders may name.
    #[serde(default)]
    pub designation: Option<String>,
    /// Detention place.
    #[serde(default)]
    pub detention_place: Option<String>,
    /// The day the removal order was made, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub removal_ordered_on: String,
    /// Whether the person consented to share health data with the receiving state.
    #[serde(default)]
    pub health_data_consent: bool,
    /// Identity and travel documents (sealed).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Contact details (sealed).
    #[serde(default)]
    pub contact: Option<String>,
    /// Health notes (sealed).
    #[serde(default)]
    pub health: Option<String>,
    /// The login name of the person's counsel.
    #[serde(default)]
    pub counsel: Option<String>,
}

/// `POST /api/agreements/{agreement}/cases`: propose a case under an agreement.
#[utoipa::path(
    post,
    path = "/api/agreements/{agreement}/cases",
    tag = "cases",
    params(
        ("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$"),
        ("Idempotency-Key" = Option<String>, Header, description = "The client's name for this proposal, such as a UUID (1 to 255 printable ASCII characters, bare or quoted): sending the same proposal again with the same key answers with the case the first one made (200, `replayed`) instead of proposing a second case; the same key with other details is refused (422)")
    ),
    request_body = ProposeBody,
    responses(
        (status = 201, description = "Proposed; `Location` names the case, `ETag` its version", body = Proposed),
        (status = 200, description = "Proposed before with this `Idempotency-Key`; nothing was appended now (`replayed`); `Location` names the case, `ETag` its version today", body = Proposed),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(agreement): Path<String>,
    body: Result<JsonBody<ProposeBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let agreement_id = input::agreement_id("path.agreement", &agreement)?;
    // Refused before the policies are asked: a denied attempt on the record all the same.
    let new = match new_case(&headers, body) {
        Ok(new) => new,
        Err(error) => {
            let resource = (format!("agreement:{agreement_id}"), Some(agreement_id));
            return Err(crate::problem::refused_before_policy(
                state.app(),
                &caller,
                Action::Propose,
                resource,
                error,
            )
            .await);
        }
    };
    let proposed = service::propose(state.app(), &caller, agreement_id, new).await?;
    let (case, version) = (proposed.case.clone(), proposed.version);
    let status = if proposed.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        [
            (header::LOCATION, format!("/api/cases/{case}")),
            (header::ETAG, format!("\"{version}\"")),
        ],
        Json(proposed),
    )
        .into_response())
}

/// A proposal's body and headers as a new case, or the first thing wrong with them.
fn new_case(
    headers: &HeaderMap,
    body: Result<JsonBody<ProposeBody>, ApiError>,
) -> Result<NewCase, ApiError> {
    let JsonBody(body) = body?;
    let idempotency_key = input::idempotency_key(headers)?;
    new_case_of(body, idempotency_key)
}

/// A proposal's body, with the client's idempotency key, as a new case, or the first field
/// wrong in it (`invalid_input`, naming the field as `body.<name>`): what the route and the web
/// form both propose.
///
/// # Errors
/// The first field that is not valid.
pub fn new_case_of(
    body: ProposeBody,
    idempotency_key: Option<String>,
) -> Result<NewCase, ApiError> {
    let facts = PersonFacts {
        birth_date: input::date("body.birth_date", &body.birth_date)?,
        nationality: input::country("body.nationality", &body.nationality)?,
        sex: input::sex("body.sex", &body.sex)?,
        vulnerabilities: input::each(
            "body.vulnerabilities",
            &body.vulnerabilities,
            input::vulnerability,
        )?,
        feared_countries: input::each(
            "body.feared_countries",
            &body.feared_countries,
            input::country,
        )?,
        protected_countries: input::each(
            "body.protected_countries",
            &body.protected_countries,
            input::country,
        )?,
        languages: input::each("body.languages", &body.languages, input::language)?,
        legal_basis: input::label("body.legal_basis", &body.legal_basis)?,
        designation: body
            .designation
            .as_deref()
            .map(|value| input::label("body.designation", value))
            .transpose()?,
        detention_place: body
            .detention_place
            .as_deref()
            .map(|value| input::label("body.detention_place", value))
            .transpose()?,
        removal_ordered_on: input::date("body.removal_ordered_on", &body.removal_ordered_on)?,
        health_data_consent: body.health_data_consent,
    };
    let counsel = body
        .counsel
        .as_deref()
        .map(|value| input::user("body.counsel", value))
        .transpose()?;
    let personal = PersonalData {
        name: input::text("body.name", &body.name, TEXT_CHARS_MAX)?,
        birth_date: Some(facts.birth_date),
        documents: body
            .documents
            .iter()
            .enumerate()
            .map(|(index, document)| {
                input::text(
                    &format!("body.documents[{index}]"),
                    document,
                    TEXT_CHARS_MAX,
                )
            })
            .collect::<Result<_, _>>()?,
        contact: body
            .contact
            .as_deref()
            .map(|value| input::text("body.contact", value, TEXT_CHARS_MAX))
            .transpose()?,
        health: body
            .health
            .as_deref()
            .map(|value| input::text("body.health", value, TEXT_CHARS_MAX))
            .transpose()?,
    };
    Ok(NewCase {
        facts,
        personal,
        counsel,
        idempotency_key,
    })
}

/// `GET /api/cases/{case}`: a case, as far as the caller may see it.
#[utoipa::path(
    get,
    path = "/api/cases/{case}",
    tag = "cases",
    params(("case" = String, Path, description = "The case id (`case-…`)", pattern = "^case-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "The case; `ETag` is its version", body = CaseView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let id = input::case_id(&case)?;
    let view = service::read_case(state.app(), &caller, id).await?;
    Ok(([(header::ETAG, etag(view.version)?)], Json(view)).into_response())
}

/// `GET /api/cases/{case}/history`: the case's events. Callers who see only part of a case see
/// each event's kind and time, not its facts.
#[utoipa::path(
    get,
    path = "/api/cases/{case}/history",
    tag = "cases",
    params(("case" = String, Path, description = "The case id", pattern = "^case-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "The events, oldest first", body = Vec<HistoryEvent>),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<Json<Vec<HistoryEvent>>, ApiError> {
    caller.authenticated()?;
    let id = input::case_id(&case)?;
    Ok(Json(service::read_history(state.app(), &caller, id).await?))
}

/// The query of a case list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only cases in this status, as the caller is told it (a case status, or `paused`).
    pub status: Option<String>,
    /// At most this many cases (default 50, at most 100).
    pub limit: Option<u32>,
    /// Only cases whose id sorts after this one (the `next` of the previous page).
    pub after: Option<String>,
}

/// `GET /api/agreements/{agreement}/cases`: the agreement's cases the caller may see. Each case
/// shown is a recorded `read_case` decision.
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}/cases",
    tag = "cases",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$"), ListQuery),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CasePage>, ApiError> {
    caller.authenticated()?;
    let query = input::query(query)?;
    let agreement_id = input::agreement_id("path.agreement", &agreement)?;
    let limit = input::page_limit(query.limit)?;
    let status = query
        .status
        .as_deref()
        .map(|text| {
            ShownStatus::parse(text).ok_or_else(|| {
                ApiError::App(AppError::InvalidInput {
                    field: "query.status".to_owned(),
                    message: format!("`{text}` is not a case status"),
                })
            })
        })
        .transpose()?;
    let after = query
        .after
        .as_deref()
        .map(|text| input::case_in_body("query.after", text))
        .transpose()?;
    let query = CaseQuery {
        agreement: Some(agreement_id),
        status,
        limit,
        after,
    };
    Ok(Json(
        service::list_cases(state.app(), &caller, &query).await?,
    ))
}

/// Runs a command on one case: loads it for the policies, requires `If-Match`, answers with
/// the new `ETag`. A request refused before the policies are asked — its body (`make` fails),
/// or a missing or malformed `If-Match` — is recorded as a denied attempt at `action`.
async fn on_case(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    case: &str,
    action: Action,
    make: impl FnOnce(CaseId) -> Result<Command, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let id = input::case_id(case)?;
    let (command, expected) = match make(id).and_then(|command| Ok((command, if_match(headers)?))) {
        Ok(prepared) => prepared,
        Err(error) => {
            let code = error.problem().code;
            return Err(
                match service::record_refused_on_case(state.app(), caller, action, id, &code).await
                {
                    Ok(()) => error,
                    Err(unrecorded) => unrecorded.into(),
                },
            );
        }
    };
    let outcome = service::case_command(state.app(), caller, command, Some(expected)).await?;
    let version = outcome.case_version.unwrap_or(expected);
    Ok(([(header::ETAG, etag(version)?)], Json(outcome)).into_response())
}

/// A reason, for refusals, extensions and withdrawals.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why, as a sentence.
    pub reason: String,
}

/// A notice as served.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// The language it was written and explained in.
    pub language: String,
    /// The destination it names (ISO 3166-1 alpha-3).
    pub destination: String,
    /// Served on the person.
    pub on_person: bool,
    /// Served on the person's counsel.
    pub on_counsel: bool,
    /// Whether it explains how to contest the transfer.
    pub explains_how_to_contest: bool,
}

/// A decision: granted or not.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Whether protection was granted.
    pub granted: bool,
}

/// A scheduled departure.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// The departure, RFC 3339.
    pub departure: String,
}

/// A vulnerability found after proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityBody {
    /// The category.
    pub category: String,
}

/// A country the person fears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FearBody {
    /// The country (ISO 3166-1 alpha-3).
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub country: String,
}

/// An age dispute: the birth date the person gives.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeDisputeBody {
    /// The birth date the person gives, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub claimed_birth_date: String,
}

/// An age assessment's decision: the birth date it found.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeDecisionBody {
    /// The assessed birth date, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub birth_date: String,
}

/// An onward movement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnwardBody {
    /// The destination (ISO 3166-1 alpha-3).
    pub destination: String,
}

/// A welfare check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WelfareBody {
    /// `seen_well`, `seen_with_concerns`, `not_found` or `refused_contact` (the stored names
    /// `well`, `concerns` and `not_seen` are accepted too).
    pub outcome: String,
}

/// Defines a command route with no body.
macro_rules! case_command {
    ($name:ident, $path:literal, $summary:literal, $variant:ident) => {
        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            tag = "case commands",
            summary = $summary,
            params(
                ("case" = String, Path, description = "The case id", pattern = "^case-[0-9a-f]{16}$"),
                ("If-Match" = String, Header, description = "The case's `ETag`, such as `\"3\"`")
            ),
            responses(
                (status = 200, description = "Accepted; `ETag` is the new version", body = CommandOutcome),
                AccessProblems, CommandProblems, CommonProblems
            ),
            security(("session" = []), ("token" = []))
        )]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            headers: HeaderMap,
            Path(case): Path<String>,
        ) -> Result<Response, ApiError> {
            on_case(&state, &caller, &headers, &case, Action::$variant, |case| {
                Ok(Command::$variant { case })
            })
            .await
        }
    };
}

/// Defines a command route with a JSON body turned into the command by `$make`.
macro_rules! case_command_with {
    ($name:ident, $maker:ident, $path:literal, $summary:literal, $body:ty, $action:ident, |$case:ident, $value:ident| $make:expr) => {
        #[doc = concat!("The command of `", stringify!($name), "` on a case from its body (", $summary, "), or the first field wrong in it: what the route and the web form both post.")]
        ///
        /// # Errors
        /// A field that is not valid (`invalid_input`, naming the field).
        pub fn $maker($case: CaseId, $value: $body) -> Result<Command, ApiError> {
            Ok($make)
        }

        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            tag = "case commands",
            summary = $summary,
            params(
                ("case" = String, Path, description = "The case id", pattern = "^case-[0-9a-f]{16}$"),
                ("If-Match" = String, Header, description = "The case's `ETag`, such as `\"3\"`")
            ),
            request_body = $body,
            responses(
                (status = 200, description = "Accepted; `ETag` is the new version", body = CommandOutcome),
                AccessProblems, CommandProblems, CommonProblems
            ),
            security(("session" = []), ("token" = []))
        )]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            headers: HeaderMap,
            Path(case): Path<String>,
            body: Result<JsonBody<$body>, ApiError>,
        ) -> Result<Response, ApiError> {
            let make = |case: CaseId| -> Result<Command, ApiError> {
                let JsonBody(value) = body?;
                $maker(case, value)
            };
            on_case(&state, &caller, &headers, &case, Action::$action, make).await
        }
    };
}

case_command_with!(
    notice,
    notice_command,
    "/api/cases/{case}/notice",
    "Serve notice.",
    NoticeBody,
    ServeNotice,
    |case, body| {
        Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: input::language("body.language", &body.language)?,
                on_person: body.on_person,
                on_counsel: body.on_counsel,
                destination: input::country("body.destination", &body.destination)?,
                explains_how_to_contest: body.explains_how_to_contest,
            },
        }
    }
);
case_command!(
    claim_protection,
    "/api/cases/{case}/protection-claim",
    "File a protection claim (takes the case off any schedule).",
    ClaimProtection
);
case_command_with!(
    decide_protection,
    decide_protection_command,
    "/api/cases/{case}/protection-decision",
    "Decide the protection screening.",
    DecisionBody,
    DecideProtection,
    |case, body| {
        Command::DecideProtection {
            case,
            granted: body.granted,
        }
    }
);
case_command!(
    request_transfer,
    "/api/cases/{case}/request",
    "Request the transfer of the receiving state.",
    RequestTransfer
);
case_command!(
    approve,
    "/api/cases/{case}/approve",
    "Approve: the receiving state's acceptance, or the sending supervisor's approval.",
    Approve
);
case_command_with!(
    refuse,
    refuse_command,
    "/api/cases/{case}/refuse",
    "Refuse the person (receiving state).",
    ReasonBody,
    Refuse,
    |case, body| {
        Command::Refuse {
            case,
            reason: input::text("body.reason", &body.reason, TEXT_CHARS_MAX)?,
        }
    }
);
case_command_with!(
    extend_deadline,
    extend_deadline_command,
    "/api/cases/{case}/extend",
    "Extend the transfer deadline, with a reason.",
    ReasonBody,
    ExtendDeadline,
    |case, body| {
        Command::ExtendDeadline {
            case,
            reason: input::text("body.reason", &body.reason, TEXT_CHARS_MAX)?,
        }
    }
);
case_command_with!(
    schedule,
    schedule_command,
    "/api/cases/{case}/schedule",
    "Schedule the departure.",
    ScheduleBody,
    Schedule,
    |case, body| {
        Command::Schedule {
            case,
            departure: input::timestamp("body.departure", &body.departure)?,
        }
    }
);
case_command!(
    depart,
    "/api/cases/{case}/depart",
    "Record the departure.",
    Depart
);
case_command!(
    arrive,
    "/api/cases/{case}/arrive",
    "Confirm arrival.",
    Arrive
);
case_command_with!(
    record_vulnerability,
    record_vulnerability_command,
    "/api/cases/{case}/vulnerabilities",
    "Record a vulnerability found after proposal.",
    VulnerabilityBody,
    RecordVulnerability,
    |case, body| {
        Command::RecordVulnerability {
            case,
            category: input::vulnerability("body.category", &body.category)?,
        }
    }
);
case_command_with!(
    record_fear,
    record_fear_command,
    "/api/cases/{case}/fears",
    "Record a country the person fears, learnt after proposal: it binds every later transfer and onward decision.",
    FearBody,
    RecordFear,
    |case, body| {
        Command::RecordFear {
            case,
            country: input::country("body.country", &body.country)?,
        }
    }
);
case_command_with!(
    dispute_age,
    dispute_age_command,
    "/api/cases/{case}/age-dispute",
    "Dispute the person's age: until an adjudicator decides, the younger age binds every decision.",
    AgeDisputeBody,
    DisputeAge,
    |case, body| {
        Command::DisputeAge {
            case,
            claimed_birth_date: input::date("body.claimed_birth_date", &body.claimed_birth_date)?,
        }
    }
);
case_command_with!(
    decide_age,
    decide_age_command,
    "/api/cases/{case}/age-decision",
    "Decide an age dispute on the birth date an assessment found.",
    AgeDecisionBody,
    DecideAge,
    |case, body| {
        Command::DecideAge {
            case,
            birth_date: input::date("body.birth_date", &body.birth_date)?,
        }
    }
);
case_command!(
    lodge_receiving_claim,
    "/api/cases/{case}/receiving-claim",
    "Record a protection claim lodged in the receiving state.",
    LodgeReceivingClaim
);
case_command_with!(
    decide_receiving_claim,
    decide_receiving_claim_command,
    "/api/cases/{case}/receiving-claim-decision",
    "Record the receiving state's decision on that claim.",
    DecisionBody,
    DecideReceivingClaim,
    |case, body| {
        Command::DecideReceivingClaim {
            case,
            granted: body.granted,
        }
    }
);
case_command!(
    lodge_appeal,
    "/api/cases/{case}/appeal",
    "Record an appeal.",
    LodgeAppeal
);
case_command_with!(
    onward,
    onward_command,
    "/api/cases/{case}/onward",
    "Record an onward movement (checked against the agreement's onward rule).",
    OnwardBody,
    Onward,
    |case, body| {
        Command::Onward {
            case,
            destination: input::country("body.destination", &body.destination)?,
        }
    }
);
case_command!(
    record_return,
    "/api/cases/{case}/return",
    "Record the person's return.",
    Return
);
case_command!(
    settle,
    "/api/cases/{case}/settle",
    "Record that the person settled.",
    Settle
);
case_command!(
    whereabouts_unknown,
    "/api/cases/{case}/whereabouts-unknown",
    "Report the person's whereabouts unknown.",
    ReportWhereaboutsUnknown
);
case_command!(
    whereabouts_known,
    "/api/cases/{case}/whereabouts-known",
    "Report the person found again.",
    ReportWhereaboutsKnown
);
case_command_with!(
    welfare_check,
    welfare_check_command,
    "/api/cases/{case}/welfare-checks",
    "Record a welfare check.",
    WelfareBody,
    RecordWelfareCheck,
    |case, body| {
        Command::RecordWelfareCheck {
            case,
            outcome: WelfareOutcome::parse(&body.outcome).ok_or_else(|| {
                ApiError::App(AppError::InvalidInput {
                    field: "body.outcome".to_owned(),
                    message: format!(
                        "`{}` is not one of {}",
                        body.outcome,
                        WelfareOutcome::names()
                    ),
                })
            })?,
        }
    }
);
case_command!(
    validate_detention,
    "/api/cases/{case}/detention-validated",
    "Record that a court validated detention.",
    ValidateDetention
);
case_command_with!(
    withdraw,
    withdraw_command,
    "/api/cases/{case}/withdraw",
    "Withdraw the case, with a reason.",
    ReasonBody,
    Withdraw,
    |case, body| {
        Command::Withdraw {
            case,
            reason: input::text("body.reason", &body.reason, TEXT_CHARS_MAX)?,
        }
    }
);
case_command!(
    erase,
    "/api/cases/{case}/erase",
    "Destroy the case's key: its personal data is erased, the log still verifies.",
    Erase
);

/// The command `action` on `case` from its body as JSON (`null` or `{}` for a command without
/// one), parsed by the same functions as the command's route: what the web interface's one
/// form handler posts. A body that does not fit is `invalid_input` naming the field.
///
/// # Errors
/// A missing or invalid field, or an action that is not a command on a case.
pub fn case_command_of(
    action: Action,
    case: CaseId,
    body: serde_json::Value,
) -> Result<Command, ApiError> {
    fn parsed<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
        serde_json::from_value(body).map_err(|error| {
            let message = error.to_string();
            // serde names a missing or unknown field between backquotes.
            let field = message
                .split('`')
                .nth(1)
                .filter(|_| message.contains("field"))
                .map_or_else(|| "body".to_owned(), |name| format!("body.{name}"));
            ApiError::App(AppError::InvalidInput { field, message })
        })
    }
    match action {
        Action::ServeNotice => notice_command(case, parsed(body)?),
        Action::ClaimProtection => Ok(Command::ClaimProtection { case }),
        Action::DecideProtection => decide_protection_command(case, parsed(body)?),
        Action::RequestTransfer => Ok(Command::RequestTransfer { case }),
        Action::Approve => Ok(Command::Approve { case }),
        Action::Refuse => refuse_command(case, parsed(body)?),
        Action::ExtendDeadline => extend_deadline_command(case, parsed(body)?),
        Action::Schedule => schedule_command(case, parsed(body)?),
        Action::Depart => Ok(Command::Depart { case }),
        Action::Arrive => Ok(Command::Arrive { case }),
        Action::RecordVulnerability => record_vulnerability_command(case, parsed(body)?),
        Action::RecordFear => record_fear_command(case, parsed(body)?),
        Action::DisputeAge => dispute_age_command(case, parsed(body)?),
        Action::DecideAge => decide_age_command(case, parsed(body)?),
        Action::LodgeReceivingClaim => Ok(Command::LodgeReceivingClaim { case }),
        Action::DecideReceivingClaim => decide_receiving_claim_command(case, parsed(body)?),
        Action::LodgeAppeal => Ok(Command::LodgeAppeal { case }),
        Action::Onward => onward_command(case, parsed(body)?),
        Action::Return => Ok(Command::Return { case }),
        Action::Settle => Ok(Command::Settle { case }),
        Action::ReportWhereaboutsUnknown => Ok(Command::ReportWhereaboutsUnknown { case }),
        Action::ReportWhereaboutsKnown => Ok(Command::ReportWhereaboutsKnown { case }),
        Action::RecordWelfareCheck => welfare_check_command(case, parsed(body)?),
        Action::ValidateDetention => Ok(Command::ValidateDetention { case }),
        Action::Withdraw => withdraw_command(case, parsed(body)?),
        Action::Erase => Ok(Command::Erase { case }),
        other => Err(ApiError::App(AppError::InvalidInput {
            field: "path.action".to_owned(),
            message: format!("`{}` is not a command on a case", other.as_str()),
        })),
    }
}
