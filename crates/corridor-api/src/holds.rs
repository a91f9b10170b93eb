//! Court holds over HTTP: list, register, stay, reactivate, amend, vacate; and the clock tick.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_authz::Action;
use corridor_domain::terms::AgreementId;
use corridor_domain::{ClassCriteria, Command, HoldId, HoldScope, ScopeChoice};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use corridor_app::AppError;

use crate::auth::Caller;
use crate::input;
use crate::json::JsonBody;
use crate::limits::TEXT_CHARS_MAX;
use crate::problem::refused_before_policy;
use crate::problem::{AccessProblems, ApiError, CommandProblems, CommonProblems};
use crate::state::AppState;
use corridor_app::answers::{CommandOutcome, HoldView, RegisteredHold};
use corridor_app::monitoring::TickOutcome;
use corridor_app::queues::{self, HoldDryRun};
use corridor_app::service::{self, NewHold};

/// The hold routes and the tick.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, register))
        .routes(routes!(dry_run))
        .routes(routes!(stay))
        .routes(routes!(reactivate))
        .routes(routes!(amend))
        .routes(routes!(vacate))
        .routes(routes!(tick))
}

/// Whom a hold covers: named cases, or a class by criteria (give one or the other).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeBody {
    /// Named cases (an individual order).
    #[serde(default)]
    pub cases: Vec<String>,
    /// Agreements a class order covers.
    #[serde(default)]
    pub agreements: Vec<String>,
    /// Nationalities (ISO 3166-1 alpha-3).
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// Legal bases of the removal order.
    #[serde(default)]
    pub legal_bases: Vec<String>,
    /// Designations.
    #[serde(default)]
    pub designations: Vec<String>,
    /// Detention places.
    #[serde(default)]
    pub detention_places: Vec<String>,
    /// Removal orders made on or after this day.
    #[serde(default)]
    pub removal_ordered_from: Option<String>,
    /// Removal orders made on or before this day.
    #[serde(default)]
    pub removal_ordered_until: Option<String>,
}

impl ScopeBody {
    fn parse(&self, name: &str) -> Result<HoldScope, ApiError> {
        let cases = input::each(&format!("{name}.cases"), &self.cases, input::case_in_body)?;
        let criteria = ClassCriteria {
            agreements: input::each::<AgreementId, _>(
                &format!("{name}.agreements"),
                &self.agreements,
                input::agreement_id,
            )?,
            nationalities: input::each(
                &format!("{name}.nationalities"),
                &self.nationalities,
                input::country,
            )?,
            legal_bases: input::each(
                &format!("{name}.legal_bases"),
                &self.legal_bases,
                input::label,
            )?,
            designations: input::each(
                &format!("{name}.designations"),
                &self.designations,
                input::label,
            )?,
            detention_places: input::each(
                &format!("{name}.detention_places"),
                &self.detention_places,
                input::label,
            )?,
            removal_ordered_from: self
                .removal_ordered_from
                .as_deref()
                .map(|day| input::date(&format!("{name}.removal_ordered_from"), day))
                .transpose()?,
            removal_ordered_until: self
                .removal_ordered_until
                .as_deref()
                .map(|day| input::date(&format!("{name}.removal_ordered_until"), day))
                .transpose()?,
        };
        HoldScope::of(cases, criteria).map_err(|choice| ApiError::App(AppError::InvalidInput {
            field: name.to_owned(),
            message: match choice {
                ScopeChoice::Both => {
                    "give either `cases` (an individual order) or class criteria, not both"
                }
                ScopeChoice::Neither => {
                    "give `cases` for an individual order, or class criteria (`nationalities`, `legal_bases`, …)"
                }
            }
            .to_owned(),
        }))
    }
}

/// `GET /api/holds`: every hold.
#[utoipa::path(
    get,
    path = "/api/holds",
    tag = "holds",
    responses(
        (status = 200, description = "Every hold, by id", body = Vec<HoldView>),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<HoldView>>, ApiError> {
    Ok(Json(service::list_holds(state.app(), &caller).await?))
}

/// A new hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The court, by the identifier its clerks act for.
    pub court: String,
    /// The court's reference.
    pub reference: String,
    /// Whom it covers.
    pub scope: ScopeBody,
    /// The order it depends on, if any (it falls with it).
    #[serde(default)]
    pub depends_on: Option<String>,
}

/// `POST /api/holds`: register a court hold. Scheduled cases it covers are pulled and cases in
/// transit recalled, in the same commit.
#[utoipa::path(
    post,
    path = "/api/holds",
    tag = "holds",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "The client's name for this registration, such as a UUID (1 to 255 printable ASCII characters, bare or quoted): sending the same registration again with the same key answers with the hold the first one made (200, `replayed`) instead of registering a second hold; the same key with other details is refused (422)")
    ),
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered; `Location` names the hold", body = RegisteredHold),
        (status = 200, description = "Registered before with this `Idempotency-Key`; nothing was appended now (`replayed`); `Location` names the hold", body = RegisteredHold),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<JsonBody<RegisterBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let new = match new_hold(&headers, body) {
        Ok(new) => new,
        Err(error) => {
            let resource = ("service".to_owned(), None);
            let action = Action::RegisterHold;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    let registered = service::register_hold(state.app(), &caller, new).await?;
    let status = if registered.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        [(header::LOCATION, format!("/api/holds/{}", registered.hold))],
        Json(registered),
    )
        .into_response())
}

/// `POST /api/holds/dry-run`: what registering this order would do now (the same body as
/// registering), decided by the domain as registering is and written nowhere but the
/// decision's access record: how many cases it would match, pull off the schedule and recall.
#[utoipa::path(
    post,
    path = "/api/holds/dry-run",
    tag = "holds",
    request_body = RegisterBody,
    responses(
        (status = 200, description = "What registering the order would do now; nothing was registered", body = HoldDryRun),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn dry_run(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<JsonBody<RegisterBody>, ApiError>,
) -> Result<Json<HoldDryRun>, ApiError> {
    caller.authenticated()?;
    let order = match new_hold(&headers, body) {
        Ok(order) => order,
        Err(error) => {
            let resource = ("service".to_owned(), None);
            let action = Action::RegisterHold;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    Ok(Json(
        queues::hold_dry_run(state.app(), &caller, order).await?,
    ))
}

/// A registration's body and headers as a new hold, or the first thing wrong with them.
fn new_hold(
    headers: &HeaderMap,
    body: Result<JsonBody<RegisterBody>, ApiError>,
) -> Result<NewHold, ApiError> {
    let JsonBody(body) = body?;
    Ok(NewHold {
        idempotency_key: input::idempotency_key(headers)?,
        court: input::text("body.court", &body.court, TEXT_CHARS_MAX)?,
        reference: input::text("body.reference", &body.reference, TEXT_CHARS_MAX)?,
        scope: body.scope.parse("body.scope")?,
        depends_on: body
            .depends_on
            .as_deref()
            .map(|id| input::hold_in_body("body.depends_on", id))
            .transpose()?,
    })
}

async fn on_hold(
    state: &AppState,
    caller: &Caller,
    hold: &str,
    make: impl FnOnce(HoldId) -> Command,
) -> Result<Json<CommandOutcome>, ApiError> {
    caller.authenticated()?;
    let id = input::hold_id(hold)?;
    Ok(Json(
        service::hold_command(state.app(), caller, id, make(id)).await?,
    ))
}

/// `POST /api/holds/{hold}/stay`: stay a hold.
#[utoipa::path(
    post,
    path = "/api/holds/{hold}/stay",
    tag = "holds",
    params(("hold" = String, Path, description = "The hold id", pattern = "^hold-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "Stayed", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn stay(
    State(state): State<AppState>,
    caller: Caller,
    Path(hold): Path<String>,
) -> Result<Json<CommandOutcome>, ApiError> {
    on_hold(&state, &caller, &hold, |hold| Command::StayHold { hold }).await
}

/// `POST /api/holds/{hold}/reactivate`: reactivate a stayed hold.
#[utoipa::path(
    post,
    path = "/api/holds/{hold}/reactivate",
    tag = "holds",
    params(("hold" = String, Path, description = "The hold id", pattern = "^hold-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "Reactivated", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(hold): Path<String>,
) -> Result<Json<CommandOutcome>, ApiError> {
    on_hold(&state, &caller, &hold, |hold| Command::ReactivateHold {
        hold,
    })
    .await
}

/// A hold's new scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendBody {
    /// Whom it covers now.
    pub scope: ScopeBody,
}

/// `POST /api/holds/{hold}/amend`: change whom a hold covers.
#[utoipa::path(
    post,
    path = "/api/holds/{hold}/amend",
    tag = "holds",
    params(("hold" = String, Path, description = "The hold id", pattern = "^hold-[0-9a-f]{16}$")),
    request_body = AmendBody,
    responses(
        (status = 200, description = "Amended", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn amend(
    State(state): State<AppState>,
    caller: Caller,
    Path(hold): Path<String>,
    body: Result<JsonBody<AmendBody>, ApiError>,
) -> Result<Json<CommandOutcome>, ApiError> {
    caller.authenticated()?;
    let id = input::hold_id(&hold)?;
    let scope = match body.and_then(|JsonBody(body)| body.scope.parse("body.scope")) {
        Ok(scope) => scope,
        Err(error) => {
            let resource = (id.to_string(), None);
            let action = Action::AmendHold;
            return Err(refused_before_policy(state.app(), &caller, action, resource, error).await);
        }
    };
    on_hold(&state, &caller, &hold, |hold| Command::AmendHold {
        hold,
        scope,
    })
    .await
}

/// `POST /api/holds/{hold}/vacate`: vacate a hold (orders depending on it fall with it).
#[utoipa::path(
    post,
    path = "/api/holds/{hold}/vacate",
    tag = "holds",
    params(("hold" = String, Path, description = "The hold id", pattern = "^hold-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "Vacated", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn vacate(
    State(state): State<AppState>,
    caller: Caller,
    Path(hold): Path<String>,
) -> Result<Json<CommandOutcome>, ApiError> {
    on_hold(&state, &caller, &hold, |hold| Command::VacateHold { hold }).await
}

/// `POST /api/tick`: let the clocks run to now (silence accepts, requests lapse, deadlines
/// expire).
#[utoipa::path(
    post,
    path = "/api/tick",
    tag = "operations",
    responses(
        (status = 200, description = "What the clocks caused, and the responses to the monitoring body's findings overdue now", body = TickOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn tick(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TickOutcome>, ApiError> {
    Ok(Json(service::tick(state.app(), &caller).await?))
}
