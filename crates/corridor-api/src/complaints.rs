//! Confidential complaints over HTTP (docs/api.md, "Confidential complaints"), read and written
//! by `corridor_app::complaints`.
//!
//! The holder's routes, `POST /api/complaints` and `POST /api/complaints/status`, take no
//! `Caller`: they read no cookie or token (so they need no CSRF token, and a complaint is never
//! tied to an account), and the receipt code travels in the body, never in a URL. Both are
//! behind the per-client rate limit and the body limit like every API route, and neither is
//! counted in `/metrics` (see `server::record`). The monitoring body's routes are ordinary
//! authenticated routes, refused to every other role before anything about complaints is read.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use corridor_app::complaints::{
    self, ComplaintReceipt, ComplaintStatusView, ComplaintSummary, ComplaintView, NewComplaint,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::input;
use crate::json::JsonBody;
use crate::problem::{AccessProblems, ApiError, CommandProblems, CommonProblems};
use crate::state::AppState;

/// Whether `route` (a matched route template) is a complaint route, which `/metrics` never
/// counts: the holder's and the monitoring body's alike.
pub fn is_complaint_route(route: &str) -> bool {
    route.starts_with("/api/complaints") || route.ends_with("/complaints")
}

/// The complaint routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lodge))
        .routes(routes!(status))
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(review))
        .routes(routes!(link))
        .routes(routes!(erase))
}

/// A complaint to lodge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LodgeBody {
    /// The agreement whose monitoring body receives it.
    pub agreement: String,
    /// Who lodges it: `person` (the person concerned), `counsel` or `organisation` (acting for them).
    pub complainant: String,
    /// The case it concerns, as the complainant knows it (kept sealed).
    #[serde(default)]
    pub case_reference: Option<String>,
    /// The complaint, at most 20,000 bytes (kept sealed).
    pub text: String,
    /// How the monitoring body may reach the complainant, if they wish (kept sealed).
    #[serde(default)]
    pub contact: Option<String>,
}

/// `POST /api/complaints`: lodge a confidential complaint with an agreement's monitoring body,
/// without an account. Answers the one-time receipt code: the only way to read the status and
/// the reply later, shown once.
#[utoipa::path(
    post,
    path = "/api/complaints",
    tag = "complaints",
    request_body = LodgeBody,
    responses(
        (status = 201, description = "Lodged: the receipt code, shown once", body = ComplaintReceipt),
        (status = 404, description = "No such agreement (`not_found`)", content_type = "application/problem+json"),
        (status = 403, description = "The agreement names no monitoring body (`not_permitted`)", content_type = "application/problem+json"),
        CommonProblems
    )
)]
pub async fn lodge(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LodgeBody>,
) -> Result<Response, ApiError> {
    let receipt = complaints::lodge(
        state.app(),
        NewComplaint {
            agreement: body.agreement,
            complainant: body.complainant,
            case_reference: body.case_reference,
            text: body.text,
            contact: body.contact,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

/// A receipt code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    /// The receipt code lodging answered.
    pub receipt: String,
}

/// `POST /api/complaints/status`: what the holder of a receipt code may read (status, the day
/// it was lodged, the monitoring body's reply). A wrong code gets one answer, always the same.
#[utoipa::path(
    post,
    path = "/api/complaints/status",
    tag = "complaints",
    request_body = ReceiptBody,
    responses(
        (status = 200, description = "The complaint's status and reply", body = ComplaintStatusView),
        (status = 404, description = "No complaint with this receipt code (`not_found`: one answer for every wrong code)", content_type = "application/problem+json"),
        CommonProblems
    )
)]
pub async fn status(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ReceiptBody>,
) -> Result<Json<ComplaintStatusView>, ApiError> {
    Ok(Json(complaints::status(state.app(), &body.receipt).await?))
}

/// `GET /api/agreements/{agreement}/complaints`: the agreement's complaints, newest first, for
/// its monitoring body only.
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}/complaints",
    tag = "complaints",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$")),
    responses(
        (status = 200, description = "The complaints", body = Vec<ComplaintSummary>),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
) -> Result<Json<Vec<ComplaintSummary>>, ApiError> {
    caller.authenticated()?;
    let agreement = input::agreement_id("path.agreement", &agreement)?;
    Ok(Json(
        complaints::list(state.app(), &caller, &agreement).await?,
    ))
}

/// `GET /api/complaints/{complaint}`: one complaint, opened, for its monitoring body only.
#[utoipa::path(
    get,
    path = "/api/complaints/{complaint}",
    tag = "complaints",
    params(("complaint" = String, Path, description = "The complaint id", pattern = "^complaint-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "The complaint", body = ComplaintView),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(complaint): Path<String>,
) -> Result<Json<ComplaintView>, ApiError> {
    caller.authenticated()?;
    let id = input::complaint_id(&complaint)?;
    Ok(Json(complaints::read(state.app(), &caller, id).await?))
}

/// A complaint moved on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `under_review`, `replied` or `closed`.
    pub status: String,
    /// The reply the holder of the receipt reads (needed to reply; kept sealed).
    #[serde(default)]
    pub reply: Option<String>,
}

/// `POST /api/complaints/{complaint}/review`: move a complaint on, with a reply or not.
#[utoipa::path(
    post,
    path = "/api/complaints/{complaint}/review",
    tag = "complaints",
    params(("complaint" = String, Path, description = "The complaint id", pattern = "^complaint-[0-9a-f]{16}$")),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "Recorded", body = ComplaintSummary),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(complaint): Path<String>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<ComplaintSummary>, ApiError> {
    caller.authenticated()?;
    let id = input::complaint_id(&complaint)?;
    Ok(Json(
        complaints::review(state.app(), &caller, id, &body.status, body.reply).await?,
    ))
}

/// A case to link a complaint to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The case (`case-…`), of the complaint's agreement.
    pub case: String,
}

/// `POST /api/complaints/{complaint}/link`: link a complaint to a case of its agreement. Recorded
/// in the complaint's stream only: the case's version and `ETag` do not move.
#[utoipa::path(
    post,
    path = "/api/complaints/{complaint}/link",
    tag = "complaints",
    params(("complaint" = String, Path, description = "The complaint id", pattern = "^complaint-[0-9a-f]{16}$")),
    request_body = LinkBody,
    responses(
        (status = 200, description = "Linked", body = ComplaintSummary),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Path(complaint): Path<String>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Json<ComplaintSummary>, ApiError> {
    caller.authenticated()?;
    let id = input::complaint_id(&complaint)?;
    let case = input::case_in_body("body.case", &body.case)?;
    Ok(Json(
        complaints::link(state.app(), &caller, id, case).await?,
    ))
}

/// `POST /api/complaints/{complaint}/erase`: destroy a complaint's key. Its text, contact,
/// reference and reply become unreadable; the log still verifies.
#[utoipa::path(
    post,
    path = "/api/complaints/{complaint}/erase",
    tag = "complaints",
    params(("complaint" = String, Path, description = "The complaint id", pattern = "^complaint-[0-9a-f]{16}$")),
    responses(
        (status = 200, description = "Erased", body = ComplaintSummary),
        AccessProblems, CommandProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    Path(complaint): Path<String>,
) -> Result<Json<ComplaintSummary>, ApiError> {
    caller.authenticated()?;
    let id = input::complaint_id(&complaint)?;
    Ok(Json(complaints::erase(state.app(), &caller, id).await?))
}
