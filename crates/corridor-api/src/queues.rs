//! The caller's work queue over HTTP (`GET /api/queue`): what waits for them now, for their
//! role, computed by `corridor_app::queues` when asked.

use axum::Json;
use axum::extract::State;
use corridor_app::queues::{self, WorkQueue};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::problem::{AccessProblems, ApiError, CommonProblems};
use crate::state::AppState;

/// The queue route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(queue))
}

/// `GET /api/queue`: the caller's work queue, for their role.
#[utoipa::path(
    get,
    path = "/api/queue",
    tag = "cases",
    responses(
        (status = 200, description = "The caller's queue, by `kind`: a sending officer's open cases with their clocks (`cases`), a supervisor's approvals (`supervisor_approvals`), a receiving official's transfer requests (`transfer_requests`), a clerk's orders and the cases they matched (`holds`), a monitor's queue (`monitoring`); most urgent first. Every case shown is recorded as read; cases passed over leave no trace", body = WorkQueue),
        AccessProblems, CommonProblems
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<WorkQueue>, ApiError> {
    caller.authenticated()?;
    Ok(Json(queues::work_queue(state.app(), &caller).await?))
}
