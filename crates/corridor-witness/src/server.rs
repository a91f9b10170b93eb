//! The witness over HTTP: C2SP tlog-witness `POST /add-checkpoint`, and the optional monitoring
//! endpoint `GET /<origin hash>/checkpoint`.
//!
//! ```text
//! POST /add-checkpoint
//!
//! old <size the log believes the witness holds>
//! <base64 consistency proof hash>          (0 to 63 lines)
//!
//! <signed checkpoint>
//! ```
//!
//! | answer | when | body |
//! | --- | --- | --- |
//! | 200 | cosigned | the cosignature line, `text/plain` |
//! | 400 | malformed body, old size above the checkpoint's, or a size the witness cannot store | reason, `text/plain` |
//! | 403 | no valid signature by a known key of the log, or a bad one by a known key | reason |
//! | 404 | the origin is not a log this witness follows | reason |
//! | 409 | old size is not the stored size | `<stored size>\n`, `text/x.tlog.size` |
//! | 413 | body above [`MAX_REQUEST_BODY_BYTES`] | |
//! | 422 | the consistency proof does not verify, the stored size with another root, or size 0 with a root other than the empty tree's | reason |
//! | 500 / 503 | the witness's own failure; nothing was cosigned | a fixed text, details only in the log |
//!
//! The decision is [`corridor_log::witness::Witness::decide`]; this module reads the stored
//! checkpoint, reads the clock, decides, and persists with
//! [`WitnessStore::compare_and_swap`] *before* answering. When the swap is lost to a
//! concurrent request, the request is decided again against the new state, which answers 409
//! with the size now stored. Statuses and bodies are chosen in one place,
//! [`AddCheckpointError::status`] and the private `respond`.
//!
//! `GET /<origin hash>/checkpoint` ([`MONITORING_CHECKPOINT_PATH`]; C2SP tlog-witness, "Monitor
//! Retrieval Mechanism") answers, for the log whose origin's SHA-256 is the lowercase hex
//! `<origin hash>`, the latest checkpoint this witness cosigned: the log's verified signatures
//! and the witness's cosignature, as `text/plain`. It answers 404 when the witness follows no
//! such log or never cosigned one of its checkpoints. It is always current: the witness reads
//! it from the state `add-checkpoint` persists before answering.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use corridor_log::keys::CosignerVerifier;
use corridor_log::witness::{
    AddCheckpointRequest, Cosign, MonitoringError, Witness, WitnessRefusal,
};

use crate::clock::CosignClock;
use crate::store::{MAX_STORED_TREE_SIZE, StoreError, Swap, WitnessStore};

pub use corridor_log::witness::{MAX_REQUEST_BODY_BYTES, TREE_SIZE_CONTENT_TYPE};

/// The path of the add-checkpoint endpoint, below the witness's URL prefix.
pub const ADD_CHECKPOINT_PATH: &str = "/add-checkpoint";

/// The path of the monitoring endpoint, below the witness's URL prefix: the lowercase hex
/// SHA-256 of a log's origin, then `/checkpoint`.
pub const MONITORING_CHECKPOINT_PATH: &str = "/{origin_hash}/checkpoint";

/// The content type of a 200 answer and of refusal reasons.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// How many times one request is decided and its compare-and-swap tried. A lost swap means
/// another request advanced the stored checkpoint, and deciding again against it refuses with
/// 409, so the second attempt settles every request; the third is a margin, not a retry loop.
pub const MAX_PERSIST_ATTEMPTS: usize = 3;

/// Why an add-checkpoint request was not cosigned.
#[derive(Debug, thiserror::Error)]
pub enum AddCheckpointError {
    /// The witness refuses, with the status the spec prescribes.
    #[error(transparent)]
    Refused(#[from] WitnessRefusal),
    /// The checkpoint's tree size is above [`MAX_STORED_TREE_SIZE`] (400).
    #[error("tree size {size} is above the largest this witness can store")]
    TreeSizeTooLarge {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// The clock cannot be read, so no honest timestamp can be stated (500).
    #[error("the clock cannot be read")]
    ClockUnavailable,
    /// Every compare-and-swap attempt was lost to concurrent requests (503).
    #[error("the stored checkpoint for `{origin}` kept changing; try again")]
    Contention {
        /// The checkpoint's origin.
        origin: String,
    },
    /// The witness's database failed (500).
    #[error("the witness state cannot be read or written")]
    Store(#[from] StoreError),
}

impl AddCheckpointError {
    /// The HTTP status code to answer with.
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::Refused(refusal) => refusal.status(),
            Self::TreeSizeTooLarge { .. } => 400,
            Self::ClockUnavailable | Self::Store(_) => 500,
            Self::Contention { .. } => 503,
        }
    }
}

/// Why the monitoring endpoint could not answer (500): nothing about the log is wrong, the
/// witness's own state is.
#[derive(Debug, thiserror::Error)]
pub enum MonitoringFailure {
    /// The witness's database failed.
    #[error("the witness state cannot be read")]
    Store(#[from] StoreError),
    /// The stored checkpoint no longer verifies.
    #[error(transparent)]
    Stored(#[from] MonitoringError),
}

/// What the server shares between requests: the witness, its database and its clock.
#[derive(Debug, Clone)]
pub struct WitnessState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    witness: Witness,
    store: WitnessStore,
    clock: CosignClock,
}

impl WitnessState {
    /// The state of a witness serving from `store`, stamping cosignatures with `clock`.
    #[must_use]
    pub fn new(witness: Witness, store: WitnessStore, clock: CosignClock) -> Self {
        Self {
            inner: Arc::new(Inner {
                witness,
                store,
                clock,
            }),
        }
    }

    /// The witness's database.
    #[must_use]
    pub fn store(&self) -> &WitnessStore {
        &self.inner.store
    }

    /// The public key that verifies this witness's cosignatures.
    #[must_use]
    pub fn cosigner_verifier(&self) -> CosignerVerifier {
        self.inner.witness.cosigner().verifier()
    }

    /// Handles one add-checkpoint request body: decides it against the stored checkpoint and,
    /// when cosigned, persists the new checkpoint durably before returning.
    ///
    /// # Errors
    /// The [`AddCheckpointError`] to answer with.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Result<Cosign, AddCheckpointError> {
        let request = AddCheckpointRequest::parse(body)?;
        let size = request.checkpoint().size();
        if size > MAX_STORED_TREE_SIZE {
            return Err(AddCheckpointError::TreeSizeTooLarge { size });
        }
        let Inner {
            witness,
            store,
            clock,
        } = &*self.inner;
        for _ in 0..MAX_PERSIST_ATTEMPTS {
            let stored = store.latest(request.origin()).await?;
            let stored = stored.as_ref().map(|stored| stored.checkpoint());
            let now_seconds = clock
                .now_seconds()
                .ok_or(AddCheckpointError::ClockUnavailable)?;
            let cosign = witness.decide(&request, stored, now_seconds)?;
            match store.compare_and_swap(stored, &cosign).await? {
                Swap::Stored => return Ok(cosign),
                // Another request advanced the stored checkpoint since it was read: decide
                // again against what is stored now.
                Swap::Lost => {}
            }
        }
        Err(AddCheckpointError::Contention {
            origin: request.origin().to_owned(),
        })
    }
}

impl WitnessState {
    /// The monitoring endpoint's body for the log whose origin hashes to `origin_hash`: the
    /// latest checkpoint this witness cosigned of it, or `None` when it follows no such log or
    /// never cosigned one.
    ///
    /// # Errors
    /// [`MonitoringFailure`].
    pub async fn monitoring_checkpoint(
        &self,
        origin_hash: &str,
    ) -> Result<Option<String>, MonitoringFailure> {
        let witness = &self.inner.witness;
        let Some(origin) = witness.origin_of_hash(origin_hash) else {
            return Ok(None);
        };
        let Some(stored) = self.inner.store.latest(origin).await? else {
            return Ok(None);
        };
        let text =
            witness.monitoring_checkpoint(stored.signed_checkpoint(), stored.cosignature())?;
        Ok(Some(text))
    }
}

/// The witness's routes: `POST /add-checkpoint`, with request bodies limited to
/// [`MAX_REQUEST_BODY_BYTES`], and `GET /<origin hash>/checkpoint`.
pub fn router(state: WitnessState) -> Router {
    Router::new()
        .route(ADD_CHECKPOINT_PATH, post(add_checkpoint))
        .route(MONITORING_CHECKPOINT_PATH, get(monitoring_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .with_state(state)
}

/// Serves the witness on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WitnessState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn add_checkpoint(State(state): State<WitnessState>, body: Bytes) -> Response {
    let result = state.add_checkpoint(&body).await;
    respond(&result)
}

async fn monitoring_checkpoint(
    State(state): State<WitnessState>,
    Path(origin_hash): Path<String>,
) -> Response {
    match state.monitoring_checkpoint(&origin_hash).await {
        Ok(Some(checkpoint)) => text(StatusCode::OK, TEXT_CONTENT_TYPE, checkpoint),
        Ok(None) => text(
            StatusCode::NOT_FOUND,
            TEXT_CONTENT_TYPE,
            "this witness has cosigned no checkpoint of a log with that origin hash\n".to_owned(),
        ),
        Err(error) => {
            tracing::error!(error = %chain(&error), "monitoring checkpoint failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                TEXT_CONTENT_TYPE,
                "the witness could not handle the request\n".to_owned(),
            )
        }
    }
}

/// The one place where outcomes become HTTP answers.
fn respond(result: &Result<Cosign, AddCheckpointError>) -> Response {
    let error = match result {
        Ok(cosign) => {
            tracing::info!(
                origin = cosign.checkpoint().origin(),
                size = cosign.checkpoint().size(),
                "cosigned checkpoint"
            );
            return text(StatusCode::OK, TEXT_CONTENT_TYPE, cosign.response_body());
        }
        Err(error) => error,
    };
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        // The witness's own failure (its database, its clock, or a refusal that marks a bug):
        // the details stay in the log, the client learns only that nothing was cosigned.
        tracing::error!(error = %chain(error), "add-checkpoint failed");
        return text(
            status,
            TEXT_CONTENT_TYPE,
            "the witness could not handle the request\n".to_owned(),
        );
    }
    if let AddCheckpointError::Refused(refusal) = error {
        if let WitnessRefusal::RootConflict { stored_size } = refusal {
            // A second checkpoint of the stored size with another root: the log forked.
            tracing::warn!(
                stored_size,
                "refused a checkpoint that forks the stored one"
            );
        } else {
            tracing::debug!(status = status.as_u16(), error = %chain(refusal), "refused");
        }
        // The spec's own bodies (a 409's stored size) take precedence over a reason.
        if let Some((content_type, body)) = refusal.response_body() {
            return text(status, content_type, body);
        }
    }
    text(status, TEXT_CONTENT_TYPE, format!("{}\n", chain(error)))
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An error and its sources, joined by `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
