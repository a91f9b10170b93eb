//! Statistics releases through the application layer: publishing one (`publish_statistics`, the
//! operator) and reading the published ones (`read_statistics`, anyone). Both go through the
//! policies like every other action; an authenticated caller's read is recorded, the anonymous
//! public's is not (see `crate::authorize`).
//!
//! A release counts the events whose leaves lie below the latest signed checkpoint, and only for
//! a period that has ended before that checkpoint was made (or, if it was made earlier, when
//! nothing was appended since): a later release of the same period, from a later checkpoint,
//! counts the same events. It is protected against every release
//! published before it (docs/statistics.md), written as files, signed with the deployment's
//! statistics key over the files' hashes, and stored with its files in one durable transaction
//! (append-only: a correction is a new release naming what it corrects).

use corridor_authz::{Action, ResourceFacts};
use corridor_log::note::{Ed25519Signer, Note};
use corridor_stats::compute::{ReleaseRequest, compute};
use corridor_stats::files::{self, NOTE_FILE};
use corridor_stats::manifest;
use corridor_stats::period::Month;
use corridor_stats::release::{AgreementInfo, LogPoint, Release, ReleasePeriod};
use corridor_stats::rounding::Protection;
use corridor_store::{NewRelease, ReleaseSummary, Store};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::authorize::authorize;
use crate::caller::Caller;
use crate::error::AppError;
use crate::state::App;
pub use crate::statistics::refusal::StatisticsRefusal;
use crate::statistics::tally::{breakdowns_allowed, entered_into_force, tally};

/// The name under which `latest` is accepted in place of a release's id.
pub const LATEST: &str = "latest";

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// The period.
    pub period: ReleasePeriod,
    /// The release's id; by default the period's label in lower case (`2026-q4`), and
    /// `…-correction-N` for a correction.
    pub id: Option<String>,
    /// The release this one corrects.
    pub corrects: Option<String>,
    /// The suppression threshold (the deployment's setting).
    pub threshold: u64,
    /// The rounding base (the deployment's setting).
    pub base: u64,
}

/// A published release: its id and its files, the signed note among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedRelease {
    /// Its id.
    pub id: String,
    /// The period's label.
    pub period: String,
    /// The log size it counted.
    pub checkpoint_size: u64,
    /// Every file, by name, exactly as stored and served.
    #[serde(skip)]
    pub files: Vec<(String, Vec<u8>)>,
}

/// Computes, signs and stores a release, if the policies let `caller` publish one.
pub async fn publish(
    state: &App,
    caller: &Caller,
    request: &PublishRequest,
    signer: &Ed25519Signer,
) -> Result<PublishedRelease, AppError> {
    authorize(
        state,
        caller,
        Action::PublishStatistics,
        &ResourceFacts::Service,
    )
    .await?;
    publish_on(state.store(), state.now(), request, signer).await
}

/// The first instant after a month, UTC: the `as_of` of the tally of a release ending with it.
pub fn end_of(month: Month) -> Result<Timestamp, AppError> {
    let next = month.next();
    format!("{next}-01T00:00:00Z")
        .parse()
        .map_err(|error| AppError::Internal(format!("the end of {month}: {error}")))
}

/// Computes, signs and stores a release on `store` at time `now`. Not an action of its own: the
/// work behind [`publish`], once it is decided, and the demo's (the operator replaying its script
/// on the database it builds, like its commands; ARCHITECTURE.md).
pub async fn publish_on(
    store: &Store,
    now: Timestamp,
    request: &PublishRequest,
    signer: &Ed25519Signer,
) -> Result<PublishedRelease, AppError> {
    let label = request.period.label();
    let last = request
        .period
        .last_month()
        .ok_or_else(|| AppError::InvalidInput {
            field: "period".to_owned(),
            message: format!("`{label}` covers no month"),
        })?;
    let ends = end_of(last)?;
    if now < ends {
        return Err(StatisticsRefusal::PeriodNotEnded {
            period: label,
            ends,
        }
        .into());
    }
    let (size, root, note, made_at) = store
        .latest_checkpoint()
        .await?
        .ok_or(StatisticsRefusal::NoCheckpoint)?;
    let made: Timestamp = made_at
        .parse()
        .map_err(|error| AppError::Internal(format!("checkpoint time `{made_at}`: {error}")))?;
    // A checkpoint made before the period ended still covers it when nothing was appended since:
    // re-signing an unchanged log keeps the checkpoint's first time.
    let (tree_size, _) = store.tree_head().await?;
    if made < ends && tree_size > size {
        return Err(StatisticsRefusal::CheckpointBeforePeriodEnd {
            period: label,
            ends,
            size,
            made_at,
        }
        .into());
    }
    let origin = note.lines().next().unwrap_or_default().to_owned();
    let summaries = store.releases().await?;
    let id = release_id(request, &summaries)?;
    // The releases it is protected against: every one listed above, in the order of
    // publication. Should another be stored after that list was read, storing this one is
    // refused (the store checks its publication number against the releases it holds).
    let publication = u64::try_from(summaries.len())
        .map_err(|error| AppError::Internal(format!("the number of releases: {error}")))?;
    let mut earlier = Vec::new();
    for (earlier_id, bytes) in store.earlier_statistics_json(&id).await? {
        let release: Release = serde_json::from_slice(&bytes).map_err(|error| {
            AppError::Internal(format!(
                "stored release {earlier_id} does not parse: {error}"
            ))
        })?;
        earlier.push(release);
    }
    let agreements = agreements_counted(store, &request.period).await?;
    if agreements.is_empty() {
        return Err(StatisticsRefusal::NothingInForce { period: label }.into());
    }
    let protection = Protection::new(&store.statistics_rounding_key().await?)
        .and_then(|protection| protection.with_threshold(request.threshold))
        .and_then(|protection| protection.with_base(request.base))
        .map_err(|error| AppError::InvalidInput {
            field: "statistics".to_owned(),
            message: error.to_string(),
        })?;
    let counts = tally(store, size, ends).await?;
    let release_request = ReleaseRequest {
        id: id.clone(),
        period: request.period,
        corrects: request.corrects.clone(),
        checkpoint: LogPoint {
            origin,
            size,
            root: root.to_base64(),
        },
        protection,
        agreements,
    };
    // Seconds of CPU for the linear programs of the protection: off the async workers.
    let computed_id = id.clone();
    let release = tokio::task::spawn_blocking(move || {
        compute(&counts, &release_request, &earlier)
            .map_err(|error| format!("computing release {computed_id}: {error}"))
    })
    .await
    .map_err(|error| AppError::Internal(format!("computing release {id} stopped: {error}")))?
    .map_err(AppError::Internal)?;
    let (files, note_text) = signed_files(&release, signer)?;
    store
        .insert_release(&NewRelease {
            release_id: id.clone(),
            publication,
            period: label.clone(),
            corrects: request.corrects.clone(),
            checkpoint_size: size,
            published_at: now,
            note: note_text,
            files: files.clone(),
        })
        .await
        .map_err(|error| match error {
            corridor_store::StoreError::ReleaseExists(release) => {
                StatisticsRefusal::ReleaseExists { release }.into()
            }
            corridor_store::StoreError::ReleaseRaced { release, .. } => {
                StatisticsRefusal::ReleaseRaced { release }.into()
            }
            other => AppError::Store(other),
        })?;
    Ok(PublishedRelease {
        id,
        period: label,
        checkpoint_size: size,
        files,
    })
}

/// A release's files by name, exactly as published.
pub type ReleaseFiles = Vec<(String, Vec<u8>)>;

/// A computed release's files, as published: its files ([`files::write`]) and its signed note
/// over their hashes ([`NOTE_FILE`], last), with the note's text.
pub fn signed_files(
    release: &Release,
    signer: &Ed25519Signer,
) -> Result<(ReleaseFiles, String), AppError> {
    let id = &release.id;
    let written = files::write(release)
        .map_err(|error| AppError::Internal(format!("writing release {id}: {error}")))?;
    let mut signed = Note::new(manifest::body(release, &written))
        .map_err(|error| AppError::Internal(format!("release {id}'s note: {error}")))?;
    signed
        .sign(signer)
        .map_err(|error| AppError::Internal(format!("signing release {id}: {error}")))?;
    let mut files: ReleaseFiles = written
        .into_iter()
        .map(|file| (file.name, file.bytes))
        .collect();
    let note_text = signed.to_text();
    files.push((NOTE_FILE.to_owned(), note_text.clone().into_bytes()));
    Ok((files, note_text))
}

/// The id of the new release: as asked, or the period's label in lower case, as ids are (for a
/// correction, the corrected release's id with `-correction-N`); refuses an existing id and a
/// correction of nothing.
fn release_id(request: &PublishRequest, published: &[ReleaseSummary]) -> Result<String, AppError> {
    let exists = |id: &str| published.iter().any(|release| release.release_id == id);
    if let Some(corrected) = &request.corrects
        && !exists(corrected)
    {
        return Err(StatisticsRefusal::UnknownRelease {
            release: corrected.clone(),
        }
        .into());
    }
    let id = match (&request.id, &request.corrects) {
        (Some(id), _) => id.clone(),
        (None, Some(corrected)) => (1..)
            .map(|n| format!("{corrected}-correction-{n}"))
            .find(|id| !exists(id))
            .unwrap_or_default(),
        (None, None) => request
            .period
            .label()
            .replace("..", "-to-")
            .to_ascii_lowercase(),
    };
    check_id(&id)?;
    if exists(&id) || id == LATEST {
        return Err(StatisticsRefusal::ReleaseExists { release: id }.into());
    }
    Ok(id)
}

/// A release id is a path segment of the public routes and a directory name: lower-case
/// letters, digits, `-` and `.`, 1 to 64 characters, starting with a letter or digit.
pub fn check_id(id: &str) -> Result<(), AppError> {
    let valid = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && id
            .bytes()
            .next()
            .is_some_and(|byte| byte.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(AppError::InvalidInput {
            field: "release".to_owned(),
            message: format!(
                "`{id}` is not a release id: 1 to 64 lower-case letters, digits and `-`, starting with a letter or digit"
            ),
        })
    }
}

/// The agreements a release of `period` counts: those in force by its last month, with what
/// their terms allow publishing.
pub async fn agreements_counted(
    store: &Store,
    period: &ReleasePeriod,
) -> Result<Vec<AgreementInfo>, AppError> {
    let mut counted = Vec::new();
    for state in store.agreements().await?.iter() {
        let Some(entry) = entered_into_force(state) else {
            continue;
        };
        if period.for_agreement(entry).is_none() {
            continue;
        }
        let Some(latest) = state.latest() else {
            continue;
        };
        counted.push(AgreementInfo {
            id: state.id.to_string(),
            sending: latest.sending.to_string(),
            receiving: latest.receiving.to_string(),
            entry_into_force: entry,
            breakdowns: breakdowns_allowed(state).into_iter().collect(),
        });
    }
    counted.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(counted)
}

/// One published release, as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReleaseListing {
    /// Its id.
    pub id: String,
    /// The period it covers (`2026-11`, `2026-Q4`, `2026`, `since-entry..2026-11`).
    pub period: String,
    /// The release it corrects, if it is a correction.
    pub corrects: Option<String>,
    /// When it was published (RFC 3339).
    pub published_at: String,
}

/// Every release, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReleasesView {
    /// The releases.
    pub releases: Vec<ReleaseListing>,
}

/// The releases published, newest first, if the policies let `caller` read statistics.
pub async fn list(state: &App, caller: &Caller) -> Result<ReleasesView, AppError> {
    authorize(
        state,
        caller,
        Action::ReadStatistics,
        &ResourceFacts::Service,
    )
    .await?;
    let releases = state
        .store()
        .releases()
        .await?
        .into_iter()
        .map(|summary| ReleaseListing {
            id: summary.release_id,
            period: summary.period,
            corrects: summary.corrects,
            published_at: summary.published_at.to_string(),
        })
        .collect();
    Ok(ReleasesView { releases })
}

/// One file of a release (`latest` for the newest), exactly as published, if the policies let
/// `caller` read statistics.
pub async fn file(
    state: &App,
    caller: &Caller,
    release: &str,
    name: &str,
) -> Result<Vec<u8>, AppError> {
    authorize(
        state,
        caller,
        Action::ReadStatistics,
        &ResourceFacts::Service,
    )
    .await?;
    let id = if release == LATEST {
        state
            .store()
            .latest_release_id()
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "statistics release yet".to_owned(),
            })?
    } else {
        check_id(release)?;
        release.to_owned()
    };
    state
        .store()
        .release_file(&id, name)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: format!("file `{name}` in a statistics release `{id}`"),
        })
}
