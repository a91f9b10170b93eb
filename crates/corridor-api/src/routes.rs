//! The handlers: operations (`/healthz`, `/readyz`, `/metrics`), the public log at its C2SP
//! paths (`/checkpoint`, `/tile/…`) and the public agreement list under `/api/`; and the
//! OpenAPI description of the witness's `POST /add-checkpoint`, whose handler is the witness
//! crate's own.
//!
//! The log is served from the store's leaves and nodes, and only as far as the latest signed
//! checkpoint: a tile the checkpoint does not cover does not exist yet, because a client could
//! not authenticate it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_log::tiles::{self, FULL_TILE_WIDTH, TILE_HEIGHT, TileId, TilePath};
use serde::Serialize;

use crate::limits::{FULL_TILE_MAX_AGE_SECONDS, PARTIAL_TILE_MAX_AGE_SECONDS};
use crate::problem::ApiError;
use crate::state::AppState;

/// `GET /healthz`: the process is alive and answering. It touches nothing else, so a slow
/// database never gets a live process restarted.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Alive", body = Object, example = json!({"status": "ok"})))
)]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// What `/readyz` reports when ready.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// Always `ready`.
    pub status: &'static str,
    /// Leaves in the log.
    pub log_leaves: u64,
    /// Leaves the latest signed checkpoint covers, if there is one.
    pub checkpoint_leaves: Option<u64>,
}

/// `GET /readyz`: the database answers, its stored nodes give a root, and that root agrees with
/// the latest signed checkpoint. Each check reads a few dozen rows, so probes stay cheap; the
/// full replay is `corridor check`.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Ready),
        (status = 503, description = "Not ready (`not_ready`), with the reason", body = crate::problem::ProblemBody, content_type = "application/problem+json")
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let not_ready = |reason: String| ApiError::NotReady { reason };
    let store = state.store();
    let (size, _root) = store
        .tree_head()
        .await
        .map_err(|_| not_ready("the log cannot be read".to_owned()))?;
    let checkpoint = store
        .latest_checkpoint()
        .await
        .map_err(|_| not_ready("the checkpoints cannot be read".to_owned()))?;
    let checkpoint_leaves = match checkpoint {
        Some((checkpoint_size, checkpoint_root, _, _)) => {
            if checkpoint_size > size {
                return Err(not_ready(format!(
                    "the latest checkpoint covers {checkpoint_size} leaves but the log holds {size}"
                )));
            }
            let root = store
                .root_at(checkpoint_size)
                .await
                .map_err(|_| not_ready("the log cannot be read".to_owned()))?;
            if root != checkpoint_root {
                return Err(not_ready(format!(
                    "the stored log does not give the root of the checkpoint of size {checkpoint_size}"
                )));
            }
            Some(checkpoint_size)
        }
        None => None,
    };
    state
        .metrics()
        .log_size(size, checkpoint_leaves.unwrap_or(0));
    Ok(Json(Ready {
        status: "ready",
        log_leaves: size,
        checkpoint_leaves,
    }))
}

/// `GET /metrics`: every metric in the Prometheus text format, the log figures refreshed first.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Every metric, Prometheus text format 0.0.4", body = String, content_type = "text/plain"))
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    // Stale log figures are better than no metrics at all, so a failing read is logged, not
    // returned.
    match (
        state.store().tree_head().await,
        state.store().latest_checkpoint().await,
    ) {
        (Ok((size, _)), Ok(checkpoint)) => {
            state.metrics().log_size(
                size,
                checkpoint.map_or(0, |(checkpoint_size, ..)| checkpoint_size),
            );
        }
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(%error, "cannot refresh the log figures for /metrics")
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics().render(),
    )
        .into_response()
}

/// `GET /checkpoint`: the latest signed checkpoint, as its note text.
#[utoipa::path(
    get,
    path = "/checkpoint",
    tag = "log",
    responses(
        (status = 200, description = "The latest signed checkpoint (C2SP tlog-checkpoint signed note)", body = String, content_type = "text/plain"),
        (status = 404, description = "No checkpoint yet (`no_checkpoint`)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (`rate_limited`; `Retry-After` says when to retry)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "Unavailable (`database_unavailable`, `timeout`)", body = crate::problem::ProblemBody, content_type = "application/problem+json")
    )
)]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (_, _, note, _) = state
        .store()
        .latest_checkpoint()
        .await?
        .ok_or(ApiError::NoCheckpoint)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            // The checkpoint moves as the log grows: a client must always ask again.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        note,
    )
        .into_response())
}

/// `GET /tile/{*path}`: a hash tile or an entry bundle of the latest checkpoint.
#[utoipa::path(
    get,
    path = "/tile/{path}",
    tag = "log",
    params(("path" = String, Path, description = "The rest of a C2SP tlog-tiles path: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`, with `N` in `x001/x234/067` form")),
    responses(
        (status = 200, description = "The tile's hashes, or the entry bundle; an entry bundle is gzip-compressed (`Content-Encoding: gzip`, `Vary: Accept-Encoding`) when `Accept-Encoding` allows gzip. A strong `ETag` names each representation", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 304, description = "`If-None-Match` names the representation's `ETag`: the client has it already"),
        (status = 400, description = "Not a tile path (`invalid_tile_path`)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "The latest checkpoint has no such tile (`tile_not_found`, `no_checkpoint`)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (`rate_limited`; `Retry-After` says when to retry)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "Unavailable (`database_unavailable`, `timeout`)", body = crate::problem::ProblemBody, content_type = "application/problem+json")
    )
)]
pub async fn tile(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = format!("tile/{rest}");
    let parsed = tiles::parse_tile_path(&path).map_err(|error| ApiError::InvalidTilePath {
        reason: error.to_string(),
    })?;
    let (size, ..) = state
        .store()
        .latest_checkpoint()
        .await?
        .ok_or(ApiError::NoCheckpoint)?;
    let tile = match parsed {
        TilePath::Hashes(tile) | TilePath::Entries(tile) => tile,
    };
    // A tile exists at the checkpoint's size if the tree has at least as many hashes there as
    // asked for: a partial tile narrower than the current one is a prefix of it, and still
    // what an older checkpoint's reader needs.
    let available = tiles::tile_width(size, tile.level(), tile.index());
    if available.is_none_or(|width| width < tile.width()) {
        return Err(ApiError::TileNotFound { path });
    }
    let body = match parsed {
        TilePath::Hashes(tile) => crate::tile_encoding::Body {
            bytes: hash_tile(&state, tile).await?,
            compressible: false,
        },
        TilePath::Entries(tile) => crate::tile_encoding::Body {
            bytes: entry_bundle(&state, tile).await?,
            compressible: true,
        },
    };
    let cache = if tile.is_full() {
        format!("public, max-age={FULL_TILE_MAX_AGE_SECONDS}, immutable")
    } else {
        format!("public, max-age={PARTIAL_TILE_MAX_AGE_SECONDS}")
    };
    let cache =
        HeaderValue::from_str(&cache).map_err(|error| ApiError::Internal(error.to_string()))?;
    crate::tile_encoding::respond(&request_headers, body, cache)
}

/// `POST /add-checkpoint`: the witness's C2SP tlog-witness endpoint, served when the server is
/// given a witness ([`crate::ServerConfig::witness`]).
///
/// This function only carries the route's part of the OpenAPI document, listed by
/// `server::WitnessDocument` when a witness is served; it is never routed. The route is
/// [`corridor_witness::router`] itself, mounted by [`crate::router`] with its own body limit
/// ([`corridor_witness::server::MAX_REQUEST_BODY_BYTES`]) and its own answers (`text/plain`, and
/// `text/x.tlog.size` for a 409, as C2SP prescribes; never problem details), behind the same
/// rate limit, timeout, security headers and metrics as every other public route.
#[utoipa::path(
    post,
    path = "/add-checkpoint",
    tag = "witness",
    request_body(
        content = String,
        content_type = "text/plain",
        description = "`old <size the log believes the witness holds>`, then 0 to 63 lines of base64 consistency-proof hashes from that size, an empty line, and the signed checkpoint (C2SP tlog-witness). At most 128 KiB."
    ),
    responses(
        (status = 200, description = "Cosigned: the witness's cosignature line (C2SP tlog-cosignature), to add to the checkpoint's note", body = String, content_type = "text/plain"),
        (status = 400, description = "A malformed body, an old size above the checkpoint's, or a tree size the witness cannot store; the reason", body = String, content_type = "text/plain"),
        (status = 403, description = "The checkpoint has no valid signature by a known key of its log, or a bad one by a known key; the reason", body = String, content_type = "text/plain"),
        (status = 404, description = "The checkpoint's origin is not a log this witness follows; the reason", body = String, content_type = "text/plain"),
        (status = 409, description = "The old size is not the size the witness holds; the body is the stored size and a newline. The log sends again from that size", body = String, content_type = "text/x.tlog.size"),
        (status = 413, description = "The body is larger than 128 KiB", body = String, content_type = "text/plain"),
        (status = 422, description = "The consistency proof does not verify, the checkpoint has the stored size with another root (a fork), or it has size 0 and a root other than the empty tree's; the reason", body = String, content_type = "text/plain"),
        (status = 429, description = "Rate limited (`rate_limited`; `Retry-After` says when to retry)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 500, description = "The witness's own failure (its database, its clock); nothing was cosigned. A fixed text: the details are in the server's log only", body = String, content_type = "text/plain"),
        (status = 503, description = "Nothing was cosigned: the witness's state kept changing under concurrent requests (a fixed text, `text/plain`; try again), or the request ran past the server's timeout (`timeout`)", content(
            (String = "text/plain"),
            (crate::problem::ProblemBody = "application/problem+json")
        ))
    )
)]
#[expect(
    dead_code,
    reason = "documentation only: the route is served by corridor_witness::router"
)]
fn add_checkpoint() {}

/// `GET /{origin_hash}/checkpoint`: the witness's optional monitoring endpoint (C2SP
/// tlog-witness, "Monitor Retrieval Mechanism"), served when the server is given a witness.
///
/// Documentation only, like [`add_checkpoint`]: the route is [`corridor_witness::router`]'s.
#[utoipa::path(
    get,
    path = "/{origin_hash}/checkpoint",
    tag = "witness",
    params(("origin_hash" = String, Path, description = "The lowercase hex SHA-256 of the log's origin line")),
    responses(
        (status = 200, description = "The latest checkpoint this witness cosigned of that log, with the log's signatures the witness verified and its own cosignature (a C2SP signed note)", body = String, content_type = "text/plain"),
        (status = 404, description = "The witness follows no log with that origin hash, or never cosigned one of its checkpoints; the reason", body = String, content_type = "text/plain"),
        (status = 429, description = "Rate limited (`rate_limited`; `Retry-After` says when to retry)", body = crate::problem::ProblemBody, content_type = "application/problem+json"),
        (status = 500, description = "The witness's own failure (its database, or a stored checkpoint that no longer verifies). A fixed text: the details are in the server's log only", body = String, content_type = "text/plain"),
        (status = 503, description = "The request ran past the server's timeout (`timeout`)", body = crate::problem::ProblemBody, content_type = "application/problem+json")
    )
)]
#[expect(
    dead_code,
    reason = "documentation only: the route is served by corridor_witness::router"
)]
fn monitoring_checkpoint() {}

/// The first hash of `tile`, as (tree level, node index).
fn first_node(tile: TileId) -> Result<(u8, u64), ApiError> {
    let level = tile.level().checked_mul(TILE_HEIGHT);
    let index = tile.index().checked_mul(u64::from(FULL_TILE_WIDTH));
    match (level, index) {
        (Some(level), Some(index)) => Ok((level, index)),
        _ => Err(ApiError::TileNotFound { path: tile.path() }),
    }
}

async fn hash_tile(state: &AppState, tile: TileId) -> Result<Vec<u8>, ApiError> {
    let (level, from) = first_node(tile)?;
    let hashes = state
        .store()
        .nodes(level, from, u64::from(tile.width()))
        .await?;
    if hashes.len() != usize::from(tile.width()) {
        return Err(ApiError::Internal(format!(
            "the store holds {} of the {} hashes of `{}`",
            hashes.len(),
            tile.width(),
            tile.path()
        )));
    }
    Ok(hashes
        .iter()
        .flat_map(|hash| hash.as_bytes().iter().copied())
        .collect())
}

async fn entry_bundle(state: &AppState, tile: TileId) -> Result<Vec<u8>, ApiError> {
    let (_, from) = first_node(tile)?;
    let leaves = state.store().leaves(from, u64::from(tile.width())).await?;
    // The leaves must be exactly the tile's, in order, or the bundle would not match its tile.
    let contiguous = leaves.len() == usize::from(tile.width())
        && leaves
            .iter()
            .zip(from..)
            .all(|((index, _, _), expected)| *index == expected);
    if !contiguous {
        return Err(ApiError::Internal(format!(
            "the store does not hold every leaf of `{}`",
            tile.path()
        )));
    }
    tiles::encode_entry_bundle(leaves.iter().map(|(_, _, entry)| entry.as_slice()))
        .map_err(|error| ApiError::Internal(format!("entry bundle of `{}`: {error}", tile.path())))
}

/// Any path with no route.
pub async fn not_found() -> ApiError {
    ApiError::Status(StatusCode::NOT_FOUND)
}
