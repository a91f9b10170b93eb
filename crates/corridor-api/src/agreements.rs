//! Agreements over HTTP: the public list and detail, loading a file, recording a status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::commands::CommandOutcome;
use crate::input;
use crate::json::JsonBody;
use crate::problem::{AccessProblems, ApiError, CommandProblems, CommonProblems};
use crate::service;
use crate::state::AppState;

/// The agreement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, load))
        .routes(routes!(show))
        .routes(routes!(change_status))
}

/// The two states party to an agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartiesView {
    /// The sending state (ISO 3166-1 alpha-3).
    pub sending: String,
    /// The receiving state (ISO 3166-1 alpha-3).
    pub receiving: String,
}

/// One agreement as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    /// The agreement's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The parties.
    pub parties: PartiesView,
    /// Its status on the server's today (UTC).
    pub status: &'static str,
    /// The latest terms version.
    pub terms_version: u32,
}

/// The agreement list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementsView {
    /// Every agreement, by id.
    pub agreements: Vec<AgreementView>,
}

/// A dated status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    /// The status entered.
    pub status: &'static str,
    /// The day it was entered.
    pub on: String,
}

/// One agreement in detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementDetail {
    /// The summary.
    #[serde(flatten)]
    pub agreement: AgreementView,
    /// The monitoring body, if the agreement names one.
    pub monitoring_body: Option<String>,
    /// Every status it entered, in order.
    pub status_history: Vec<StatusView>,
    /// The name of the file its latest terms were loaded from.
    pub file_name: String,
    /// That file's text, as reviewed and loaded (docs/agreements.md describes the format):
    /// the terms in full, with the source of each.
    pub text: String,
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
    Ok(Json(service::list_agreements(&state, &caller).await?))
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
    Ok(Json(service::read_agreement(&state, &caller, &id).await?))
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
    let outcome = service::load_agreement(&state, &caller, file_name, body.text).await?;
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
        service::change_agreement_status(&state, &caller, id, status, on).await?,
    ))
}
