//! The joint committee's report over HTTP: `GET /api/reports/{agreement}?period=…`, computed and
//! decided by `corridor_app::report` (`read_committee_report` or `read_public_report`, the read
//! recorded), and written out here as Markdown, HTML or CSV.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use corridor_app::AppError;
use corridor_app::report::{Period, ReportFormat, ReportQuery, ReportVersion, read_report};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::input;
use crate::problem::{AccessProblems, ApiError, CommonProblems};
use crate::state::AppState;

/// The report route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

/// The query of the report route.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The period: a year (`2026`), a quarter (`2026-Q3`) or a month (`2026-07`), in UTC.
    pub period: String,
    /// `committee` (in full; the monitoring body and the sending state's supervisors) or
    /// `public` (the default: no case, small counts hidden; anyone).
    pub version: Option<String>,
    /// `md` (the default), `html` (a printable page) or `csv` (the figures).
    pub format: Option<String>,
}

/// A bad query parameter, as a problem naming it.
fn bad(field: &str, message: String) -> ApiError {
    ApiError::App(AppError::InvalidInput {
        field: format!("query.{field}"),
        message,
    })
}

/// `GET /api/reports/{agreement}`: the joint committee's report on the agreement for a period.
/// The public version is for anyone; the committee's for the agreement's monitoring body and
/// the sending state's supervisors (the monitoring body's own sections for its monitors only).
/// Computed when asked, never stored; the read is recorded.
#[utoipa::path(
    get,
    path = "/api/reports/{agreement}",
    tag = "reports",
    params(("agreement" = String, Path, description = "The agreement id", pattern = "^[a-z][a-z0-9-]{0,63}$"), ReportParams),
    responses(
        (status = 200, description = "The report, as Markdown, a printable HTML page or CSV", content(
            (String = "text/markdown"),
            (String = "text/html"),
            (String = "text/csv")
        )),
        AccessProblems, CommonProblems
    )
)]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(agreement): Path<String>,
    query: Result<Query<ReportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let params = input::query(query)?;
    let agreement = input::agreement_id("path.agreement", &agreement)?;
    let period = Period::parse(&params.period).map_err(|message| bad("period", message))?;
    let version = ReportVersion::parse(params.version.as_deref().unwrap_or("public"))
        .map_err(|message| bad("version", message))?;
    let format = ReportFormat::parse(params.format.as_deref().unwrap_or("md"))
        .map_err(|message| bad("format", message))?;
    let query = ReportQuery {
        agreement,
        period,
        version,
    };
    let report = read_report(state.app(), &caller, &query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type()),
            // A report read is a decision on the record; a cache must not answer the next one.
            (header::CACHE_CONTROL, "no-store"),
        ],
        format.render(&report),
    )
        .into_response())
}
