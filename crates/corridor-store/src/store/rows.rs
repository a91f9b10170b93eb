//! What the write, read and check paths share: stored events decoded and checked against their
//! hash, projection rows, the integer conversions of stored counters, and the loads more than one
//! path needs (a set of streams, the holds, an agreement's counts).
//!
//! Nothing here knows a transaction or a cache: each function reads from the connection it is
//! given, so the paths above decide what runs inside which transaction.

use std::collections::BTreeMap;

use corridor_domain::monitoring::{Finding, Visit};
use corridor_domain::{
    Case, Counts, Event, FindingId, Hold, HoldId, Snapshot, StreamId, VisitId, case_terms, clock,
};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::error::StoreError;

/// Most ids bound in one `IN (…)` list; SQLite's default limit is far higher, but small batches
/// keep statements cacheable.
pub(super) const BIND_BATCH: usize = 500;

/// One stored event with its place in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Global sequence number, from 1.
    pub seq: u64,
    /// The stream.
    pub stream: String,
    /// The version within the stream, from 1.
    pub version: u64,
    /// When it was appended.
    pub recorded_at: Timestamp,
    /// The event.
    pub event: Event,
    /// The event exactly as stored (its hash already checked): what the log's leaf commits to.
    pub body: String,
}

/// A case's row in the `cases` projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// The case.
    pub case_id: String,
    /// Its agreement.
    pub agreement: String,
    /// Its terms version.
    pub terms_version: i64,
    /// Its status.
    pub status: String,
    /// Its stream version.
    pub version: i64,
    /// Nationality.
    pub nationality: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Designation.
    pub designation: Option<String>,
    /// Detention place.
    pub detention_place: Option<String>,
    /// Removal order date.
    pub removal_ordered_on: String,
    /// When proposed.
    pub proposed_at: String,
    /// Counsel.
    pub counsel: Option<String>,
    /// The next clock deadline, in Unix milliseconds.
    pub next_deadline_ms: Option<i64>,
}

impl CaseRow {
    /// The row a case folds to.
    pub fn of(case: &Case, snapshot: &Snapshot) -> Self {
        let next = case_terms(snapshot, case).and_then(|terms| clock::next_deadline(case, terms));
        Self {
            case_id: case.id.to_string(),
            agreement: case.agreement.to_string(),
            terms_version: i64::from(case.terms_version),
            status: case.status.as_str().to_owned(),
            version: to_i64(case.version),
            nationality: case.rule.nationality.to_string(),
            legal_basis: case.rule.legal_basis.to_string(),
            designation: case.rule.designation.as_ref().map(ToString::to_string),
            detention_place: case.rule.detention_place.as_ref().map(ToString::to_string),
            removal_ordered_on: case.rule.removal_ordered_on.to_string(),
            proposed_at: case.proposed_at.to_string(),
            counsel: case.counsel.as_ref().map(ToString::to_string),
            next_deadline_ms: next.map(|at| at.as_millisecond()),
        }
    }

    pub(super) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            case_id: row.try_get("case_id")?,
            agreement: row.try_get("agreement")?,
            terms_version: row.try_get("terms_version")?,
            status: row.try_get("status")?,
            version: row.try_get("version")?,
            nationality: row.try_get("nationality")?,
            legal_basis: row.try_get("legal_basis")?,
            designation: row.try_get("designation")?,
            detention_place: row.try_get("detention_place")?,
            removal_ordered_on: row.try_get("removal_ordered_on")?,
            proposed_at: row.try_get("proposed_at")?,
            counsel: row.try_get("counsel")?,
            next_deadline_ms: row.try_get("next_deadline_ms")?,
        })
    }
}

pub(super) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(super) fn to_u64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative counter {value}")))
}

pub(super) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(super) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn decode_row(row: &AnyRow) -> Result<StoredEvent, StoreError> {
    let seq = to_u64(row.try_get("seq")?)?;
    let body: String = row.try_get("body")?;
    let hash: String = row.try_get("body_sha256")?;
    if sha256_hex(&body) != hash {
        return Err(StoreError::Corrupt(format!(
            "event {seq} does not match its stored hash"
        )));
    }
    let event = Event::from_json(&body)
        .map_err(|error| StoreError::Corrupt(format!("event {seq} does not decode: {error}")))?;
    let stream: String = row.try_get("stream")?;
    let kind: String = row.try_get("kind")?;
    if event.body.stream().to_string() != stream || event.body.kind() != kind {
        return Err(StoreError::Corrupt(format!(
            "event {seq} is filed under the wrong stream or kind"
        )));
    }
    let recorded_at: String = row.try_get("recorded_at")?;
    Ok(StoredEvent {
        seq,
        stream,
        version: to_u64(row.try_get("version")?)?,
        recorded_at: recorded_at
            .parse()
            .map_err(|error| StoreError::Corrupt(format!("event {seq} recorded_at: {error}")))?,
        event,
        body,
    })
}

/// The events of `streams` from `events`, in sequence order. Never the access stream: its
/// compact records are read with the store's names ([`super::Store::history`]).
pub(super) async fn load_streams(
    conn: &mut AnyConnection,
    streams: &[String],
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut events = Vec::new();
    for batch in streams.chunks(BIND_BATCH) {
        let sql = format!(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events WHERE stream IN ({}) ORDER BY seq",
            placeholders(1, batch.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for stream in batch {
            query = query.bind(stream.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            events.push(decode_row(&row)?);
        }
    }
    events.sort_by_key(|stored| stored.seq);
    Ok(events)
}

pub(super) async fn load_holds(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<HoldId, Hold>, StoreError> {
    // `hold.` sorts just after every `hold-…` stream name, so this is a range scan on the index.
    let rows = sqlx::query(
        "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events \
         WHERE stream >= 'hold-' AND stream < 'hold.' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut snapshot = Snapshot::default();
    for row in &rows {
        corridor_domain::apply_to_snapshot(&mut snapshot, &decode_row(row)?.event)?;
    }
    Ok(snapshot.holds)
}

/// Every stream whose name starts with `prefix` (`hold-`, `finding-`, `visit-`), folded: a range
/// scan on the stream index (`prefix` with its `-` replaced by `.` sorts just after them all).
async fn load_prefixed(conn: &mut AnyConnection, prefix: &str) -> Result<Snapshot, StoreError> {
    let end = format!("{}.", prefix.trim_end_matches('-'));
    let rows = sqlx::query(
        "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events \
         WHERE stream >= $1 AND stream < $2 ORDER BY seq",
    )
    .bind(prefix.to_owned())
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let mut snapshot = Snapshot::default();
    for row in &rows {
        corridor_domain::apply_to_snapshot(&mut snapshot, &decode_row(row)?.event)?;
    }
    Ok(snapshot)
}

/// Every finding of the monitoring body.
pub(super) async fn load_findings(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<FindingId, Finding>, StoreError> {
    Ok(load_prefixed(conn, "finding-").await?.findings)
}

/// Every visit of the monitoring body.
pub(super) async fn load_all_visits(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<VisitId, Visit>, StoreError> {
    Ok(load_prefixed(conn, "visit-").await?.visits)
}

/// The visits named, folded from their streams.
pub(super) async fn load_visits(
    conn: &mut AnyConnection,
    ids: &[VisitId],
) -> Result<BTreeMap<VisitId, Visit>, StoreError> {
    let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut snapshot = Snapshot::default();
    for stored in load_streams(conn, &names).await? {
        corridor_domain::apply_to_snapshot(&mut snapshot, &stored.event)?;
    }
    Ok(snapshot.visits)
}

pub(super) async fn load_counts(
    conn: &mut AnyConnection,
    agreement: &str,
) -> Result<Counts, StoreError> {
    let row = sqlx::query(
        "SELECT transferred, present, scheduled FROM agreement_counts WHERE agreement_id = $1",
    )
    .bind(agreement.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Counts {
            transferred: to_u64(row.try_get("transferred")?)?,
            present: to_u64(row.try_get("present")?)?,
            scheduled: to_u64(row.try_get("scheduled")?)?,
        },
        None => Counts::default(),
    })
}

pub(super) fn stream_version(snapshot: &Snapshot, stream: &StreamId) -> u64 {
    match stream {
        StreamId::Case(id) => snapshot.cases.get(id).map_or(0, |case| case.version),
        StreamId::Hold(id) => snapshot.holds.get(id).map_or(0, |hold| hold.version),
        StreamId::Agreement(id) => snapshot
            .agreements
            .get(id)
            .map_or(0, |agreement| agreement.version),
        StreamId::Visit(id) => snapshot.visits.get(id).map_or(0, |visit| visit.version),
        StreamId::Finding(id) => snapshot.findings.get(id).map_or(0, |f| f.version),
        StreamId::Access => snapshot.access_records,
        StreamId::Complaint(id) => snapshot.complaints.get(id).map_or(0, |c| c.version),
    }
}
