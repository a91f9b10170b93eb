//! The statistics releases over HTTP, for anyone (`read_statistics`): `GET /api/statistics`
//! (the latest release's `statistics.json`), `GET /api/statistics/releases` (every release,
//! newest first) and `GET /public/statistics/{release}/{file}` (any file of a release, `latest`
//! for the newest, exactly the bytes `corridor stats show` prints and `corridor stats publish`
//! wrote). Releases are append-only, so a named release's files never change.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use corridor_app::statistics::release::{self, LATEST, ReleasesView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::problem::{AccessProblems, ApiError, CommonProblems};
use crate::state::AppState;

/// The statistics routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(latest))
        .routes(routes!(releases))
        .routes(routes!(file))
}

/// `GET /api/statistics`: the latest release's `statistics.json` (public).
#[utoipa::path(
    get,
    path = "/api/statistics",
    tag = "statistics",
    responses(
        (status = 200, description = "The latest release's `statistics.json`: every published cell (exact, rounded or suppressed) with the log checkpoint it was computed at (docs/statistics.md)", content_type = "application/json", body = Object),
        (status = 404, description = "No release is published yet (`not_found`)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        AccessProblems, CommonProblems
    )
)]
pub async fn latest(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let bytes = release::file(state.app(), &caller, LATEST, "statistics.json").await?;
    Ok(respond(LATEST, "statistics.json", bytes))
}

/// `GET /api/statistics/releases`: every release, newest first (public).
#[utoipa::path(
    get,
    path = "/api/statistics/releases",
    tag = "statistics",
    responses(
        (status = 200, description = "Every release, newest first", body = ReleasesView),
        AccessProblems, CommonProblems
    )
)]
pub async fn releases(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ReleasesView>, ApiError> {
    Ok(Json(release::list(state.app(), &caller).await?))
}

/// `GET /public/statistics/{release}/{file}`: one file of a release (public).
#[utoipa::path(
    get,
    path = "/public/statistics/{release}/{file}",
    tag = "statistics",
    params(
        ("release" = String, Path, description = "The release's id, or `latest`"),
        ("file" = String, Path, description = "`statistics.json`, `statistics.csv` (with its HXL hashtag row), `datapackage.json`, a chart (`chart-<agreement>.svg`, as the data package lists them) or `release.note` (the signed note over the files' hashes)")
    ),
    responses(
        (status = 200, description = "The file, exactly as published", content(
            (String = "application/json"),
            (String = "text/csv"),
            (String = "image/svg+xml"),
            (String = "text/plain")
        )),
        (status = 404, description = "No such release or file (`not_found`)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        AccessProblems, CommonProblems
    )
)]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path((release_id, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bytes = release::file(state.app(), &caller, &release_id, &name).await?;
    Ok(respond(&release_id, &name, bytes))
}

/// The file's bytes with its media type. A named release never changes, so it may be cached;
/// `latest` moves when a release is published.
fn respond(release_id: &str, name: &str, bytes: Vec<u8>) -> Response {
    let media_type = match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8; header=present",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };
    let cache = if release_id == LATEST {
        "no-cache"
    } else {
        "public, max-age=86400"
    };
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response()
}
