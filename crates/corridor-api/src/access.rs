//! The access records over HTTP: `GET /api/agreements/{agreement}/access-records`, read by
//! `corridor_app::access` (which decides and records the read).

use axum::Json;
use axum::extract::{Path, Query, State};
use corridor_app::access::{AccessQuery, AccessRecordPage, list_access_records};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::input;
use crate::problem::{AccessProblems, ApiError, CommonProblems};
use crate::state::AppState;

/// The access records route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The query of the access records route.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the records about this case (`case-…`).
    pub case: Option<String>,
    /// Only records after this sequence number (the `next` of the previous page).
    pub after: Option<u64>,
    /// At most this many records (default 50, at most 100).
    pub limit: Option<u32>,
}

/// `GET /api/agreements/{agreement}/access-records`: who read or acted on the agreement and its
/// cases, when, allowed or denied, by which policies. For the monitoring body of the agreement
/// and for auditors; the read is itself recorded.
#[utoipa::path(
    get,
    path = "/api/agreements/{agreement}/access-records",
    tag = "access records",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$"), ListQuery),
    responses(
        (status = 200, description = "A page of access records, oldest first", body = AccessRecordPage),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AccessRecordPage>, ApiError> {
    caller.authenticated()?;
    let query = input::query(query)?;
    let limit = input::page_limit(query.limit)?;
    let query = AccessQuery {
        agreement: input::agreement_id("path.agreement", &agreement)?,
        case: query
            .case
            .as_deref()
            .map(|text| input::case_in_body("query.case", text))
            .transpose()?,
        after: query.after.unwrap_or(0),
        limit,
    };
    Ok(Json(
        list_access_records(state.app(), &caller, &query).await?,
    ))
}
