//! The monitoring body's work over HTTP (docs/monitoring.md): an agreement's visits and findings,
//! a finding's responses and its closing, and the monitor's queue.
//!
//! A new visit or finding takes an optional `Idempotency-Key`, as a proposal does; a response or
//! a closing needs none (the domain refuses a second response of one party and a second closing).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_app::AppError;
use corridor_app::answers::CommandOutcome;
use corridor_app::monitoring::{
    self, FindingView, FindingsView, MonitoringQueue, MonitoringRecorded, NewFinding, NewVisit,
    VisitsView,
};
use corridor_authz::Action;
use corridor_domain::monitoring::{
    AddressedParty, FindingCategory, FindingOutcome, Seen, Severity,
};
use corridor_domain::terms::AgreementId;
use corridor_domain::{FINDING_TEXT_LENGTH_MAX, VisitId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::input;
use crate::json::JsonBody;
use crate::limits::TEXT_CHARS_MAX;
use crate::problem::{
    AccessProblems, ApiError, CommandProblems, CommonProblems, refused_before_policy,
};
use crate::state::AppState;

/// The monitoring routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_visits, schedule_visit))
        .routes(routes!(record_visit))
        .routes(routes!(list_findings, record_finding))
        .routes(routes!(read_finding))
        .routes(routes!(respond))
        .routes(routes!(close))
        .routes(routes!(queue))
}

fn agreement_in_path(agreement: &str) -> Result<AgreementId, ApiError> {
    input::agreement_id("path.agreement", agreement)
}

/// One of a closed list of snake_case names.
fn one_of<T: Copy>(
    name: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    all: &[T],
    as_str: impl Fn(T) -> &'static str,
) -> Result<T, ApiError> {
    parse(value).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|item| as_str(*item)).collect();
        ApiError::App(AppError::InvalidInput {
            field: name.to_owned(),
            message: format!("`{value}` is not one of: {}", names.join(", ")),
        })
    })
}

/// A visit to schedule, or to record as made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitBody {
    /// Whether the agreement's parties are told of it in advance (`false`: an unannounced
    /// visit, which they see only once it is recorded).
    pub announced: bool,
    /// The day, `YYYY-MM-DD` (today or later to schedule, today or earlier to record).
    pub on: String,
    /// The place.
    pub place: String,
    /// The cases it concerns, all of the agreement (none: the place as a whole).
    #[serde(default)]
    pub cases: Vec<String>,
}

impl VisitBody {
    fn parse(&self, headers: &HeaderMap) -> Result<NewVisit, ApiError> {
        Ok(NewVisit {
            announced: self.announced,
            on: input::date("body.on", &self.on)?,
            place: input::text("body.place", &self.place, TEXT_CHARS_MAX)?,
            cases: input::each("body.cases", &self.cases, input::case_in_body)?,
            idempotency_key: input::idempotency_key(headers)?,
        })
    }
}

/// A visit made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedVisitBody {
    /// The visit scheduled before, if it was (absent: a visit recorded without a schedule).
    #[serde(default)]
    pub visit: Option<String>,
    /// Where, when, which cases.
    #[serde(flatten)]
    pub plan: VisitBody,
    /// People seen, by their case.
    #[serde(default)]
    pub seen_cases: Vec<String>,
    /// Others seen, each as a short label (a role, never a name: "centre manager").
    #[serde(default)]
    pub seen_others: Vec<String>,
}

/// The answer to a new visit or finding: 201 with `Location`, or 200 when replayed.
fn created(recorded: MonitoringRecorded, location: String) -> Response {
    let status = if recorded.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, [(header::LOCATION, location)], Json(recorded)).into_response()
}

/// `GET /api/agreements/{agreement}/visits`: the agreement's visits the caller may see.
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}/visits",
    tag = "monitoring",
    params(("agreement" = String, Path, description = "The agreement id")),
    responses(
        (status = 200, description = "The visits the caller may see: every one for the monitoring body; for the agreement's states an announced visit once scheduled and an unannounced one once recorded, without cases not requested of the receiving state", body = VisitsView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list_visits(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
) -> Result<Json<VisitsView>, ApiError> {
    caller.authenticated()?;
    let agreement = agreement_in_path(&agreement)?;
    Ok(Json(
        monitoring::list_visits(state.app(), &caller, &agreement).await?,
    ))
}

/// `POST /api/agreements/{agreement}/visits`: schedule an announced visit, or plan an
/// unannounced one.
#[utoipa::path(
    post,
    path = "/api/agreements/{agreement}/visits",
    tag = "monitoring",
    params(
        ("agreement" = String, Path, description = "The agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "The client's name for this request: the same request again with the same key answers with the visit the first one made (200, `replayed`)")
    ),
    request_body = VisitBody,
    responses(
        (status = 201, description = "Scheduled; `Location` names the agreement's visits", body = MonitoringRecorded),
        (status = 200, description = "Scheduled before with this `Idempotency-Key` (`replayed`)", body = MonitoringRecorded),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn schedule_visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<VisitBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let agreement = agreement_in_path(&agreement)?;
    let new = match body.and_then(|JsonBody(body)| body.parse(&headers)) {
        Ok(new) => new,
        Err(error) => {
            let resource = (format!("agreement:{agreement}"), Some(agreement));
            let action = Action::ScheduleVisit;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    let location = format!("/api/agreements/{agreement}/visits");
    let recorded = monitoring::schedule_visit(state.app(), &caller, agreement, new).await?;
    Ok(created(recorded, location))
}

fn recorded_visit(
    body: RecordedVisitBody,
    headers: &HeaderMap,
) -> Result<(Option<VisitId>, NewVisit, Seen), ApiError> {
    let visit = body
        .visit
        .as_deref()
        .map(|id| input::visit_in_body("body.visit", id))
        .transpose()?;
    let seen = Seen {
        cases: input::each("body.seen_cases", &body.seen_cases, input::case_in_body)?,
        others: body
            .seen_others
            .iter()
            .enumerate()
            .map(|(index, label)| {
                input::text(&format!("body.seen_others[{index}]"), label, TEXT_CHARS_MAX)
            })
            .collect::<Result<_, _>>()?,
    };
    Ok((visit, body.plan.parse(headers)?, seen))
}

/// `POST /api/agreements/{agreement}/visits/recorded`: record a visit made, scheduled before
/// (`visit`) or not.
#[utoipa::path(
    post,
    path = "/api/agreements/{agreement}/visits/recorded",
    tag = "monitoring",
    params(
        ("agreement" = String, Path, description = "The agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "For a visit recorded without a schedule: the same request again with the same key answers with the visit the first one made (200, `replayed`)")
    ),
    request_body = RecordedVisitBody,
    responses(
        (status = 201, description = "Recorded; `Location` names the agreement's visits", body = MonitoringRecorded),
        (status = 200, description = "Recorded before with this `Idempotency-Key` (`replayed`)", body = MonitoringRecorded),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn record_visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<RecordedVisitBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let agreement = agreement_in_path(&agreement)?;
    let (visit, new, seen) = match body.and_then(|JsonBody(body)| recorded_visit(body, &headers)) {
        Ok(parsed) => parsed,
        Err(error) => {
            let resource = (format!("agreement:{agreement}"), Some(agreement));
            let action = Action::RecordVisit;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    let location = format!("/api/agreements/{agreement}/visits");
    let recorded =
        monitoring::record_visit(state.app(), &caller, agreement, visit, new, seen).await?;
    Ok(created(recorded, location))
}

/// A new finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingBody {
    /// The cases it concerns, all of the agreement (none: the agreement as a whole).
    #[serde(default)]
    pub cases: Vec<String>,
    /// `onward_removal_risk`, `asylum_procedure_access`, `living_conditions`, `detention`,
    /// `support_and_services`, `treatment_by_officials` or `documentation`.
    pub category: String,
    /// `information`, `concern`, `serious` or `critical`.
    pub severity: String,
    /// The finding (conditions, not names: it is stored as written, not sealed).
    pub text: String,
    /// The states it is addressed to: `sending_state`, `receiving_state`, or both.
    pub addressed: Vec<String>,
}

fn new_finding(body: FindingBody, headers: &HeaderMap) -> Result<NewFinding, ApiError> {
    Ok(NewFinding {
        cases: input::each("body.cases", &body.cases, input::case_in_body)?,
        category: one_of(
            "body.category",
            &body.category,
            FindingCategory::parse,
            FindingCategory::ALL,
            FindingCategory::as_str,
        )?,
        severity: one_of(
            "body.severity",
            &body.severity,
            Severity::parse,
            Severity::ALL,
            Severity::as_str,
        )?,
        text: input::text("body.text", &body.text, FINDING_TEXT_LENGTH_MAX)?,
        addressed: body
            .addressed
            .iter()
            .enumerate()
            .map(|(index, party)| {
                one_of(
                    &format!("body.addressed[{index}]"),
                    party,
                    AddressedParty::parse,
                    AddressedParty::ALL,
                    AddressedParty::as_str,
                )
            })
            .collect::<Result<BTreeSet<_>, _>>()?,
        idempotency_key: input::idempotency_key(headers)?,
    })
}

/// `GET /api/agreements/{agreement}/findings`: the agreement's findings the caller may see.
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}/findings",
    tag = "monitoring",
    params(("agreement" = String, Path, description = "The agreement id")),
    responses(
        (status = 200, description = "The findings the caller may see: every one for the monitoring body; for a state those addressed to it, with its own response, without cases not requested of the receiving state", body = FindingsView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list_findings(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
) -> Result<Json<FindingsView>, ApiError> {
    caller.authenticated()?;
    let agreement = agreement_in_path(&agreement)?;
    Ok(Json(
        monitoring::list_findings(state.app(), &caller, &agreement).await?,
    ))
}

/// `POST /api/agreements/{agreement}/findings`: record a finding. A critical finding of
/// `onward_removal_risk` on cases places them under the monitor's hold until it is closed.
#[utoipa::path(
    post,
    path = "/api/agreements/{agreement}/findings",
    tag = "monitoring",
    params(
        ("agreement" = String, Path, description = "The agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "The client's name for this request: the same request again with the same key answers with the finding the first one made (200, `replayed`)")
    ),
    request_body = FindingBody,
    responses(
        (status = 201, description = "Recorded; `Location` names the finding", body = MonitoringRecorded),
        (status = 200, description = "Recorded before with this `Idempotency-Key` (`replayed`)", body = MonitoringRecorded),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn record_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<FindingBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let agreement = agreement_in_path(&agreement)?;
    let new = match body.and_then(|JsonBody(body)| new_finding(body, &headers)) {
        Ok(new) => new,
        Err(error) => {
            let resource = (format!("agreement:{agreement}"), Some(agreement));
            let action = Action::RecordFinding;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    let recorded = monitoring::record_finding(state.app(), &caller, agreement, new).await?;
    let location = format!("/api/findings/{}", recorded.id);
    Ok(created(recorded, location))
}

/// `GET /api/findings/{finding}`: one finding, as the caller may see it.
#[utoipa::path(
    get,
    path = "/api/findings/{finding}",
    tag = "monitoring",
    params(("finding" = String, Path, description = "The finding id", pattern = "^finding-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "The finding; one not addressed to the caller's state is not found", body = FindingView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn read_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(finding): Path<String>,
) -> Result<Json<FindingView>, ApiError> {
    caller.authenticated()?;
    let id = input::finding_id(&finding)?;
    Ok(Json(
        monitoring::read_finding(state.app(), &caller, id).await?,
    ))
}

/// A response to a finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// The state's response.
    pub text: String,
}

/// `POST /api/findings/{finding}/responses`: respond to a finding for the state the caller acts
/// for (once per state, while it is open).
#[utoipa::path(
    post,
    path = "/api/findings/{finding}/responses",
    tag = "monitoring",
    params(("finding" = String, Path, description = "The finding id", pattern = "^finding-[0-9a-f]{16}$")),
    request_body = ResponseBody,
    responses(
        (status = 200, description = "Responded", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Path(finding): Path<String>,
    body: Result<JsonBody<ResponseBody>, ApiError>,
) -> Result<Json<CommandOutcome>, ApiError> {
    caller.authenticated()?;
    let id = input::finding_id(&finding)?;
    let text = match body
        .and_then(|JsonBody(body)| input::text("body.text", &body.text, FINDING_TEXT_LENGTH_MAX))
    {
        Ok(text) => text,
        Err(error) => {
            let resource = (id.to_string(), None);
            let action = Action::RespondToFinding;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    Ok(Json(
        monitoring::respond_to_finding(state.app(), &caller, id, text).await?,
    ))
}

/// How a finding is closed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// `accepted`, `not_accepted` or `escalated_to_joint_committee`.
    pub outcome: String,
}

/// `POST /api/findings/{finding}/close`: close a finding (once), which lifts the monitor's hold
/// it placed.
#[utoipa::path(
    post,
    path = "/api/findings/{finding}/close",
    tag = "monitoring",
    params(("finding" = String, Path, description = "The finding id", pattern = "^finding-[0-9a-f]{16}$")),
    request_body = CloseBody,
    responses(
        (status = 200, description = "Closed", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(finding): Path<String>,
    body: Result<JsonBody<CloseBody>, ApiError>,
) -> Result<Json<CommandOutcome>, ApiError> {
    caller.authenticated()?;
    let id = input::finding_id(&finding)?;
    let outcome = match body.and_then(|JsonBody(body)| {
        one_of(
            "body.outcome",
            &body.outcome,
            FindingOutcome::parse,
            FindingOutcome::ALL,
            FindingOutcome::as_str,
        )
    }) {
        Ok(outcome) => outcome,
        Err(error) => {
            let resource = (id.to_string(), None);
            let action = Action::CloseFinding;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    Ok(Json(
        monitoring::close_finding(state.app(), &caller, id, outcome).await?,
    ))
}

/// `GET /api/monitoring/queue`: the monitor's queue across the agreements its body monitors.
#[utoipa::path(
    get,
    path = "/api/monitoring/queue",
    tag = "monitoring",
    responses(
        (status = 200, description = "Welfare checks due or overdue, people whose whereabouts are unknown, visits planned and responses to findings awaited, most urgent first", body = MonitoringQueue),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MonitoringQueue>, ApiError> {
    caller.authenticated()?;
    Ok(Json(
        monitoring::monitoring_queue(state.app(), &caller).await?,
    ))
}
