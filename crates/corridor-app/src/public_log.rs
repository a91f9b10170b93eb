//! The public log as the public pages show it: the latest signed checkpoint (its note, with the
//! witnesses' cosignature lines as they were attached) and how many leaves each agreement has
//! per UTC month and kind below it. Both are what anyone holding the tiles can read or count
//! (docs/log.md): no case, no person. Read as `read_log`, like the tiles.

use corridor_authz::{Action, ResourceFacts};
use serde::Serialize;

use crate::authorize::authorize;
use crate::caller::Caller;
use crate::error::AppError;
use crate::state::App;

/// The latest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointView {
    /// The tree size it covers.
    pub size: u64,
    /// The signed note exactly as served at `/checkpoint`: the checkpoint's body, then the
    /// log's signature lines and the witnesses' cosignature lines.
    pub note: String,
    /// When it was made (RFC 3339), as the store recorded it.
    pub made_at: String,
}

/// How many leaves of one kind name one agreement in one UTC month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// The agreement, or `None` for leaves that name none (court holds).
    pub agreement: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
    /// The leaves' kind (`case_proposed`, `access_recorded`, …).
    pub kind: String,
    /// How many.
    pub leaves: u64,
}

/// The public log at its latest checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicLog {
    /// The latest signed checkpoint; `None` before the first.
    pub checkpoint: Option<CheckpointView>,
    /// The leaves below it by agreement, month and kind (empty without a checkpoint), sorted.
    pub counts: Vec<MonthCount>,
}

/// The latest signed checkpoint, if the policies let `caller` read the log (everyone may:
/// `public-log`); `None` before the first. One store read.
pub async fn latest_checkpoint(
    state: &App,
    caller: &Caller,
) -> Result<Option<CheckpointView>, AppError> {
    authorize(state, caller, Action::ReadLog, &ResourceFacts::Log).await?;
    Ok(state
        .store()
        .latest_checkpoint()
        .await?
        .map(|(size, _root, note, made_at)| CheckpointView {
            size,
            note,
            made_at,
        }))
}

/// The latest checkpoint and the leaf counts below it, if the policies let `caller` read the
/// log: two store reads, the second one aggregated statement whatever the log's size.
pub async fn public_log(state: &App, caller: &Caller) -> Result<PublicLog, AppError> {
    let Some(checkpoint) = latest_checkpoint(state, caller).await? else {
        return Ok(PublicLog {
            checkpoint: None,
            counts: Vec::new(),
        });
    };
    let counts = state
        .store()
        .leaf_counts_by_month(checkpoint.size)
        .await?
        .into_iter()
        .map(|count| MonthCount {
            agreement: (count.agreement != "-").then_some(count.agreement),
            month: count.month,
            kind: count.kind,
            leaves: count.leaves,
        })
        .collect();
    Ok(PublicLog {
        checkpoint: Some(checkpoint),
        counts,
    })
}
