//! Agreements over HTTP: the public list and detail, loading a file, recording a status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::input;
use crate::json::JsonBody;
use crate::problem::{AccessProblems, ApiError, CommandProblems, CommonProblems};
use crate::state::AppState;
use corridor_app::answers::{AgreementDetail, AgreementsView, CommandOutcome};
use corridor_app::service;

/// The agreement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, load))
        .routes(routes!(show))
        .routes(routes!(change_status))
}

/// `GET /api/agreements`: every agreement with its parties and its status today (public).
#[utoipa::path(
    get,
    path = "/api/agreements",
    tag = "agreements",
    responses(
        (status = 200, description = "Every agreement", body = AgreementsView),
        AccessProblems, CommonProblems
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AgreementsView>, ApiError> {
    Ok(Json(service::list_agreements(state.app(), &caller).await?))
}

/// `GET /api/agreements/{agreement}`: one agreement, with its status history (public).
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}",
    tag = "agreements",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$")),
    responses(
        (status = 200, description = "The agreement", body = AgreementDetail),
        AccessProblems, CommonProblems
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
) -> Result<Json<AgreementDetail>, ApiError> {
    let id = input::agreement_id("path.agreement", &agreement)?;
    Ok(Json(
        service::read_agreement(state.app(), &caller, &id).await?,
    ))
}

/// An agreement file to load.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBody {
    /// The file's name, for errors and the record.
    pub file_name: String,
    /// The file's TOML text (docs/agreements.md describes the format).
    pub text: String,
}

/// `POST /api/agreements`: load an agreement file, or a new version of a known one. Every
/// error in the file is reported, with line, column and field.
#[utoipa::path(
    post,
    path = "/api/agreements",
    tag = "agreements",
    request_body = LoadBody,
    responses(
        (status = 201, description = "Loaded", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn load(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<LoadBody>,
) -> Result<Response, ApiError> {
    caller.authenticated()?;
    let file_name = input::text("body.file_name", &body.file_name, 255)?;
    let outcome = service::load_agreement(state.app(), &caller, file_name, body.text).await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

/// A status to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// The status entered (`signed`, `in_force`, `suspended`, `terminated`, …).
    pub status: String,
    /// The day it was entered, `YYYY-MM-DD` (today when absent).
    #[serde(default)]
    pub on: Option<String>,
}

/// `POST /api/agreements/{agreement}/status`: record that an agreement entered a status.
#[utoipa::path(
    post,
    path = "/api/agreements/{agreement}/status",
    tag = "agreements",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Recorded", body = CommandOutcome),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> Result<Json<CommandOutcome>, ApiError> {
    caller.authenticated()?;
    let id = input::agreement_id("path.agreement", &agreement)?;
    let status = input::agreement_status("body.status", &body.status)?;
    let on = body
        .on
        .as_deref()
        .map(|day| input::date("body.on", day))
        .transpose()?;
    Ok(Json(
        service::change_agreement_status(state.app(), &caller, id, status, on).await?,
    ))
}
