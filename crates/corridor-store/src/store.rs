//! The event store: decide, append and project in one transaction.
//!
//! A write is one transaction that (1) takes the write lock, (2) loads exactly what the command
//! reads ([`corridor_domain::needs`]), (3) decides, (4) appends the events with the next global
//! sequence numbers and stream versions, (5) updates the projections from the same events, and
//! (6) commits with the backend's durable setting. Only after the commit returns does the caller
//! hear that anything happened.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use corridor_domain::terms::AgreementId;
use corridor_domain::{
    AgreementState, CLOCK_SKEW_DEFAULT, Case, CaseId, CaseStatus, Command, Context, Counts, Event,
    EventBody, Hold, HoldId, HoldScope, Needs, Outcome, STATUSES_A_HOLD_PULLS, Snapshot, StreamId,
    TimeOrder, World, applied, case_terms, clock, decide, needs, refusal_event,
};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Connection as _, Row};

use crate::case_cache::{CaseCache, CaseRead, CaseStamp};
use crate::db::{Backend, connect};
use crate::deployment::{self, Deployment};
use crate::error::StoreError;
use crate::pending::Pending;
use corridor_log::tree::CompactTree;

/// Most ids bound in one `IN (…)` list; SQLite's default limit is far higher, but small batches
/// keep statements cacheable.
const BIND_BATCH: usize = 500;

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

/// Most commands in one group commit.
pub const BATCH_COMMANDS_MAX: usize = 10_000;

/// One command to execute, with what the caller knows.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The command.
    pub command: &'a Command,
    /// Who acts, and when.
    pub context: &'a Context,
    /// The case version the caller saw, for optimistic concurrency.
    pub expected_version: Option<u64>,
    /// Wrapped keys of cases the command proposes.
    pub new_case_keys: &'a [(CaseId, Vec<u8>)],
}

/// One write of a group commit: a command to decide, or an access record to append as it is.
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    /// A command, decided by the domain.
    Command(Request<'a>),
    /// An `access_recorded` event: an authorization decision, appended without deciding
    /// anything (it changes no state).
    Access(&'a Event),
}

/// What one write transaction has already read, carried from command to command. The write lock
/// is held for the whole transaction, so nothing else can change these meanwhile.
#[derive(Debug, Default)]
struct Batch {
    holds: Option<BTreeMap<HoldId, Hold>>,
    agreements: BTreeMap<AgreementId, AgreementState>,
    counts: BTreeMap<AgreementId, Counts>,
    cases: BTreeMap<CaseId, Case>,
    /// The events, when the transaction began, of every case its commands name (none for a
    /// case a proposal would make): read for the whole group at once, so that each command need
    /// not read its case alone. A case the transaction changed is in `cases` instead.
    streams_at_start: BTreeMap<CaseId, Vec<StoredEvent>>,
    last_seq: Option<u64>,
    pending: Pending,
    /// The access stream's version as this transaction has grown it.
    access_version: Option<u64>,
    /// The log as this transaction has grown it, with the salt key; loaded at the first append.
    log: Option<(CompactTree, [u8; 32])>,
}

impl Batch {
    /// Takes in what a command left behind.
    fn absorb(&mut self, after: &Snapshot, last_seq: Option<u64>) {
        self.holds = Some(after.holds.clone());
        for (id, state) in &after.agreements {
            self.agreements.insert(id.clone(), state.clone());
        }
        for (id, counts) in &after.counts {
            self.counts.insert(id.clone(), *counts);
        }
        for (id, case) in &after.cases {
            self.cases.insert(*id, case.clone());
        }
        if last_seq.is_some() {
            self.last_seq = last_seq;
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// Accepted with its events, or refused (with the recorded safeguard event, if any).
    pub outcome: Outcome,
    /// The sequence numbers appended, first and last.
    pub seqs: Option<(u64, u64)>,
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

    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
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

/// Filters for listing cases.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only this agreement.
    pub agreement: Option<String>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// At most this many rows.
    pub limit: u32,
    /// Only cases whose id sorts after this (keyset paging).
    pub after: Option<String>,
}

/// Most rows one listing returns.
pub const PAGE_ROWS_MAX: u32 = 1_000;

/// What `corridor check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Events replayed.
    pub events: u64,
    /// Cases compared.
    pub cases: u64,
    /// Holds compared.
    pub holds: u64,
    /// Agreements compared.
    pub agreements: u64,
    /// Every inconsistency, as a sentence.
    pub problems: Vec<String>,
}

/// The event store.
#[derive(Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Whether the database is a simulation, as recorded in it (read when the store opens, set
    /// by [`Store::record_deployment`]).
    simulation: AtomicBool,
    /// Agreements folded from their events, by stream version; reparsing a file on every
    /// command would dominate the write path.
    agreements: Mutex<BTreeMap<AgreementId, AgreementState>>,
    /// The log's frontier and salt key as of the last commit of this process. Valid while the
    /// log has exactly as many leaves as it holds: the log only grows, so an unchanged size means
    /// nobody else appended.
    log: Mutex<Option<(CompactTree, [u8; 32])>>,
    /// Cases read before, for the next read (see [`crate::case_cache`]).
    cases: CaseCache,
    /// The connection every write transaction of this process runs on, kept between commits
    /// so its page cache stays warm (SQLite empties a connection's cache whenever another
    /// connection of the pool has written). Dropped after a failed write: the next reconnects.
    writer: tokio::sync::Mutex<Option<PoolConnection<Any>>>,
    /// How far a command may be dated before the last event of a stream it reads (servers
    /// sharing one database may disagree on the time by this much): see [`Store::with_clock_skew`].
    clock_skew: SignedDuration,
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative counter {value}")))
}

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and applies migrations.
    pub async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        let (pool, backend) = connect(url, create).await?;
        let deployment = match pool.acquire().await {
            Ok(mut conn) => deployment::read(&mut conn).await,
            Err(error) => Err(error.into()),
        };
        let deployment = match deployment {
            Ok(deployment) => deployment,
            Err(error) => {
                pool.close().await;
                return Err(error);
            }
        };
        Ok(Self {
            pool,
            backend,
            simulation: AtomicBool::new(deployment.is_simulation()),
            agreements: Mutex::new(BTreeMap::new()),
            log: Mutex::new(None),
            cases: CaseCache::default(),
            writer: tokio::sync::Mutex::new(None),
            clock_skew: CLOCK_SKEW_DEFAULT,
        })
    }

    /// Sets the clock skew allowed between servers sharing this database (default
    /// [`CLOCK_SKEW_DEFAULT`]): a command dated more than this before the last event of a stream
    /// it reads is refused as `time_before_recorded`, and `check` reports stored events out of
    /// order by more than this.
    pub fn with_clock_skew(mut self, skew: SignedDuration) -> Self {
        self.clock_skew = skew.abs();
        self
    }

    /// The clock skew allowed between servers sharing this database.
    pub fn clock_skew(&self) -> SignedDuration {
        self.clock_skew
    }

    /// What the database is for, as recorded in it: a database without a record is real.
    pub fn deployment(&self) -> Deployment {
        if self.simulation.load(Ordering::Acquire) {
            Deployment::Simulation
        } else {
            Deployment::Real
        }
    }

    /// Records what a new database is for, before its first event and before its log origin is
    /// configured. A database keeps the kind it was created as: asking for the other is
    /// refused ([`StoreError::Deployment`]), and a database holding events without a record is
    /// a real deployment.
    pub async fn record_deployment(&self, asked: Deployment) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        deployment::record(&mut conn, asked).await?;
        self.simulation
            .store(asked.is_simulation(), Ordering::Release);
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for read-only callers in this workspace (benchmarks, checks).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        // The pool waits for every connection to come back, the writer's included.
        self.writer.lock().await.take();
        self.pool.close().await;
    }

    /// Decides a command and, in one durable transaction, appends what it causes and updates the
    /// projections. `expected_version`, when given, must equal the case's current version.
    /// `new_case_keys` are wrapped keys of cases this command proposes; they are stored only if
    /// the proposal is accepted.
    pub async fn execute(
        &self,
        command: &Command,
        context: &Context,
        expected_version: Option<u64>,
        new_case_keys: &[(CaseId, Vec<u8>)],
    ) -> Result<Executed, StoreError> {
        let request = Request {
            command,
            context,
            expected_version,
            new_case_keys,
        };
        let mut results = self.execute_many(std::slice::from_ref(&request)).await?;
        results.pop().unwrap_or_else(|| {
            Err(StoreError::Corrupt(
                "a batch of one returned nothing".to_owned(),
            ))
        })
    }

    /// Executes several commands in one durable transaction (a group commit): each is decided
    /// against the state its predecessors left, and all are acknowledged together once the one
    /// commit is durable. A conflict or refusal affects only its own command; a database failure
    /// rolls back the whole batch and is returned as the outer error.
    pub async fn execute_many(
        &self,
        requests: &[Request<'_>],
    ) -> Result<Vec<Result<Executed, StoreError>>, StoreError> {
        let writes: Vec<Write<'_>> = requests.iter().copied().map(Write::Command).collect();
        self.write_many(&writes).await
    }

    /// Executes commands and appends access records in one durable transaction (a group
    /// commit), in the order given; see [`Store::execute_many`]. An access record's result is
    /// `Accepted` with its one event.
    pub async fn write_many(
        &self,
        requests: &[Write<'_>],
    ) -> Result<Vec<Result<Executed, StoreError>>, StoreError> {
        if requests.len() > BATCH_COMMANDS_MAX {
            return Err(StoreError::Corrupt(format!(
                "a batch of {} commands is over the limit of {BATCH_COMMANDS_MAX}",
                requests.len()
            )));
        }
        let mut writer = self.writer.lock().await;
        let connection = match writer.take() {
            Some(connection) => connection,
            None => self.pool.acquire().await?,
        };
        let connection = writer.insert(connection);
        let result = self.write_on(connection, requests).await;
        if result.is_err() {
            // The connection may be what failed (a killed PostgreSQL backend): start afresh.
            *writer = None;
        }
        result
    }

    async fn write_on(
        &self,
        connection: &mut AnyConnection,
        requests: &[Write<'_>],
    ) -> Result<Vec<Result<Executed, StoreError>>, StoreError> {
        let mut tx = connection.begin_with(self.backend.begin_write()).await?;
        if self.backend == Backend::Postgres {
            // One writer at a time keeps one global order with no gaps across servers.
            sqlx::query("SELECT pg_advisory_xact_lock(7361)")
                .execute(&mut *tx)
                .await?;
        }
        let mut results = Vec::with_capacity(requests.len());
        let mut batch = Batch {
            streams_at_start: named_case_streams(&mut tx, requests).await?,
            ..Batch::default()
        };
        for request in requests {
            let result = match request {
                Write::Command(request) => self.execute_in(&mut tx, request, &mut batch).await?,
                Write::Access(event) => {
                    Ok(self.record_access_in(&mut tx, event, &mut batch).await?)
                }
            };
            results.push(result);
        }
        batch.pending.flush(&mut tx, self.backend).await?;
        if let Some((tree, _)) = &batch.log {
            // The paired check: the root the transaction computed must be the root the stored
            // nodes give, before anything is acknowledged.
            let stored = crate::log::root_at(&mut tx, tree.size()).await?;
            if stored != tree.root() {
                return Err(StoreError::Corrupt(format!(
                    "the log root after appending ({}) differs from the stored nodes' root ({})",
                    tree.root().to_hex(),
                    stored.to_hex()
                )));
            }
        }
        tx.commit().await?;
        if let (Some(log), Ok(mut cache)) = (batch.log.take(), self.log.lock()) {
            *cache = Some(log);
        }
        if let Ok(mut cache) = self.agreements.lock() {
            for (id, state) in &batch.agreements {
                cache.insert(id.clone(), state.clone());
            }
        }
        self.forget_written_cases(&results);
        Ok(results)
    }

    /// Tells the cache of cases what a commit wrote: the cases with new events are forgotten,
    /// and everything when an agreement changed (every case under it folds differently).
    fn forget_written_cases(&self, results: &[Result<Executed, StoreError>]) {
        let mut cases = Vec::new();
        for executed in results.iter().flatten() {
            let events: &[Event] = match &executed.outcome {
                Outcome::Accepted(events) => events,
                Outcome::Refused { recorded, .. } => recorded.as_slice(),
            };
            for event in events {
                match event.body.stream() {
                    StreamId::Case(id) => cases.push(id),
                    StreamId::Agreement(_) => {
                        self.cases.forget_all();
                        return;
                    }
                    _ => {}
                }
            }
        }
        self.cases.committed(cases);
    }

    /// One command inside an open write transaction. The outer error is a database failure; the
    /// inner one a conflict, which writes nothing.
    async fn execute_in(
        &self,
        tx: &mut AnyConnection,
        request: &Request<'_>,
        batch: &mut Batch,
    ) -> Result<Result<Executed, StoreError>, StoreError> {
        let Request {
            command,
            context,
            expected_version,
            new_case_keys,
        } = *request;
        let holds = match batch.holds.take() {
            Some(holds) => holds,
            None => load_holds(tx).await?,
        };
        let needs = needs(command, &holds, context.now);
        if !needs.scheduled_or_in_transit_covered_by.is_empty() || needs.clocks_due_by.is_some() {
            // These searches run in SQL over the projections, which must include the batch so far.
            batch.pending.flush(tx, self.backend).await?;
        }
        let snapshot = self.load_snapshot(tx, holds, &needs, Some(&*batch)).await?;
        batch.holds = Some(snapshot.holds.clone());

        if let (Some(expected), Some(case)) = (expected_version, command.case()) {
            let current = snapshot.cases.get(&case).map_or(0, |case| case.version);
            if current != expected {
                batch.absorb(&snapshot, None);
                return Ok(Err(StoreError::Conflict {
                    case,
                    expected,
                    current,
                }));
            }
        }

        let (outcome, events) = match decide(&snapshot, command, context) {
            Ok(events) => (Outcome::Accepted(events.clone()), events),
            Err(refusal) => {
                let recorded = refusal_event(command, &refusal, context).filter(|_| {
                    command
                        .case()
                        .is_some_and(|id| snapshot.cases.contains_key(&id))
                });
                let events: Vec<Event> = recorded.iter().cloned().collect();
                (Outcome::Refused { refusal, recorded }, events)
            }
        };
        if events.is_empty() {
            return Ok(Ok(Executed {
                outcome,
                seqs: None,
            }));
        }
        let after = applied(&snapshot, &events)?;
        let last_seq = self.prepare_log(tx, batch).await?;
        let (tree, salt_key) = batch
            .log
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("the log was not loaded".to_owned()))?;
        let seqs = batch.pending.append(
            &snapshot,
            &after,
            &events,
            context.now,
            last_seq,
            tree,
            salt_key,
        )?;
        batch.pending.project(&after, &events)?;
        for event in &events {
            match &event.body {
                EventBody::CaseProposed { case, .. } => {
                    if let Some((_, wrapped)) = new_case_keys.iter().find(|(id, _)| id == case) {
                        batch
                            .pending
                            .keys_added
                            .push((case.to_string(), wrapped.clone()));
                    }
                }
                EventBody::PersonalDataErased { case } => {
                    batch.pending.keys_erased.push(case.to_string())
                }
                _ => {}
            }
        }
        batch.absorb(&after, Some(seqs.1));
        Ok(Ok(Executed {
            outcome,
            seqs: Some(seqs),
        }))
    }

    /// Appends one access record inside an open write transaction.
    async fn record_access_in(
        &self,
        tx: &mut AnyConnection,
        event: &Event,
        batch: &mut Batch,
    ) -> Result<Executed, StoreError> {
        if !matches!(event.body, EventBody::AccessRecorded { .. }) {
            return Err(StoreError::Corrupt(format!(
                "`{}` is not an access record and must be decided as a command",
                event.body.kind()
            )));
        }
        let version = match batch.access_version {
            Some(version) => version,
            None => {
                let row = sqlx::query(
                    "SELECT COALESCE(MAX(version), 0) AS last FROM events WHERE stream = $1",
                )
                .bind(corridor_domain::ACCESS_STREAM)
                .fetch_one(&mut *tx)
                .await?;
                to_u64(row.try_get("last")?)?
            }
        };
        let before = Snapshot {
            access_records: version,
            ..Snapshot::default()
        };
        let mut after = before.clone();
        corridor_domain::apply_to_snapshot(&mut after, event)?;
        let last_seq = self.prepare_log(tx, batch).await?;
        let (tree, salt_key) = batch
            .log
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("the log was not loaded".to_owned()))?;
        let events = std::slice::from_ref(event);
        let seqs = batch
            .pending
            .append(&before, &after, events, event.at, last_seq, tree, salt_key)?;
        batch.access_version = Some(after.access_records);
        batch.last_seq = Some(seqs.1);
        Ok(Executed {
            outcome: Outcome::Accepted(events.to_vec()),
            seqs: Some(seqs),
        })
    }

    /// The last sequence number so far, with the log (tree and salt key) loaded into the batch.
    async fn prepare_log(
        &self,
        tx: &mut AnyConnection,
        batch: &mut Batch,
    ) -> Result<u64, StoreError> {
        let last_seq = match batch.last_seq {
            Some(seq) => seq,
            None => {
                let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last FROM events")
                    .fetch_one(&mut *tx)
                    .await?;
                to_u64(row.try_get("last")?)?
            }
        };
        if batch.log.is_none() {
            let cached = self.log.lock().ok().and_then(|cache| cache.clone());
            match cached.filter(|(tree, _)| tree.size() == last_seq) {
                Some((tree, key)) => batch.log = Some((tree, key)),
                // Someone else appended since this process's last commit (or this is its
                // first): cases read before may be out of date.
                None => self.cases.forget_all(),
            }
        }
        if batch.log.is_none() {
            let tree = crate::log::load_tree(tx).await?;
            let key = match crate::log::meta(tx, "salt_key").await? {
                Some(_) => crate::log::salt_key(tx).await?,
                None => {
                    let key = crate::log::random_salt_key()?;
                    crate::log::set_meta_once(tx, "salt_key", &hex::encode(key)).await?;
                    crate::log::salt_key(tx).await?
                }
            };
            if tree.size() != last_seq {
                return Err(StoreError::Corrupt(format!(
                    "the log holds {} leaves but there are {last_seq} events",
                    tree.size()
                )));
            }
            batch.log = Some((tree, key));
        }
        Ok(last_seq)
    }

    async fn load_snapshot(
        &self,
        conn: &mut AnyConnection,
        holds: BTreeMap<HoldId, Hold>,
        needs: &Needs,
        batch: Option<&Batch>,
    ) -> Result<Snapshot, StoreError> {
        let mut case_ids: BTreeSet<String> = needs.cases.iter().map(ToString::to_string).collect();
        for scope in &needs.scheduled_or_in_transit_covered_by {
            case_ids.extend(cases_covered(conn, scope).await?);
        }
        if let Some(by) = needs.clocks_due_by {
            let rows = sqlx::query("SELECT case_id FROM cases WHERE next_deadline_ms <= $1")
                .bind(by.as_millisecond())
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                case_ids.insert(row.try_get("case_id")?);
            }
        }
        let mut known_cases = Vec::new();
        let mut case_events = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        for id in case_ids {
            let parsed = CaseId::parse(&id).ok();
            let known = batch
                .zip(parsed)
                .and_then(|(batch, case)| batch.cases.get(&case));
            let at_start = batch
                .zip(parsed)
                .and_then(|(batch, case)| batch.streams_at_start.get(&case));
            match (known, at_start) {
                (Some(case), _) => known_cases.push(case.clone()),
                (None, Some(events)) => case_events.extend(events.iter().cloned()),
                (None, None) => ids.push(id),
            }
        }
        let mut agreement_ids: BTreeSet<String> =
            needs.agreements.iter().map(ToString::to_string).collect();
        agreement_ids.extend(known_cases.iter().map(|case| case.agreement.to_string()));
        // Case streams first: their first event names the agreement, whose terms the fold needs.
        case_events.extend(load_streams(conn, &ids).await?);
        case_events.sort_by_key(|stored| stored.seq);
        for stored in &case_events {
            if let Some(agreement) = stored.event.body.agreement() {
                agreement_ids.insert(agreement.to_string());
            }
        }
        let mut snapshot = Snapshot {
            holds,
            clock_skew: self.clock_skew,
            ..Snapshot::default()
        };
        for id in &agreement_ids {
            let known = batch.and_then(|batch| {
                batch
                    .agreements
                    .values()
                    .find(|state| state.id.as_str() == id)
            });
            let state = match known {
                Some(state) => Some(state.clone()),
                None => self.load_agreement(conn, id).await?,
            };
            if let Some(state) = state {
                snapshot.agreements.insert(state.id.clone(), state);
            }
        }
        for stored in &case_events {
            corridor_domain::apply_to_snapshot(&mut snapshot, &stored.event)?;
        }
        for case in known_cases {
            snapshot.cases.insert(case.id, case);
        }
        // Folding cases moved the counts from zero; the stored counts are the truth.
        snapshot.counts.clear();
        for id in snapshot.agreements.keys() {
            let counts = match batch.and_then(|batch| batch.counts.get(id)) {
                Some(counts) => *counts,
                None => load_counts(conn, id.as_str()).await?,
            };
            snapshot.counts.insert(id.clone(), counts);
        }
        Ok(snapshot)
    }

    async fn load_agreement(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<AgreementState>, StoreError> {
        let row = sqlx::query("SELECT version FROM agreements WHERE agreement_id = $1")
            .bind(id.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let version = to_u64(row.try_get("version")?)?;
        if let Ok(cache) = self.agreements.lock()
            && let Some(state) = cache
                .values()
                .find(|state| state.id.as_str() == id && state.version == version)
        {
            return Ok(Some(state.clone()));
        }
        let mut state: Option<AgreementState> = None;
        for stored in load_streams(conn, &[format!("agreement:{id}")]).await? {
            state = AgreementState::apply(state, stored.event.at, &stored.event.body)?;
        }
        // Folding an agreement parses its files; remember the result for the next reader. A
        // version the projection has not reached yet (read inside a transaction that wrote it)
        // is never cached in place of a committed one, because the cache is keyed by version.
        if let (Some(folded), Ok(mut cache)) = (&state, self.agreements.lock())
            && folded.version == version
        {
            cache.insert(folded.id.clone(), folded.clone());
        }
        Ok(state)
    }

    /// Every event in order, from `after_seq` (exclusive), at most `limit`.
    pub async fn events(&self, after_seq: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(to_i64(after_seq))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// How many events are stored.
    pub async fn event_count(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM events")
            .fetch_one(&self.pool)
            .await?;
        to_u64(row.try_get("n")?)
    }

    /// The events of one stream, in order.
    pub async fn history(&self, stream: &StreamId) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_streams(&mut conn, &[stream.to_string()]).await
    }

    /// The events of one stream after sequence number `after_seq`, in order, at most `limit`:
    /// a page of a stream too long to read at once (the access records).
    pub async fn stream_page(
        &self,
        stream: &StreamId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(stream.to_string())
        .bind(to_i64(after_seq))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// A case folded from its events, with the agreement it is under.
    pub async fn case(&self, id: CaseId) -> Result<Option<(Case, AgreementState)>, StoreError> {
        Ok(self.read_case_uncached(id).await?.map(|read| {
            let agreement = Arc::unwrap_or_clone(read.agreement);
            (read.case, agreement)
        }))
    }

    /// A case as a read needs it, from the cache of cases read before when it holds the case,
    /// else from the database (then kept). The stamp tells, after the read's access record has
    /// committed, whether the cached answer was still current: [`Store::unchanged_since`].
    pub async fn read_case(
        &self,
        id: CaseId,
    ) -> Result<(Option<Arc<CaseRead>>, CaseStamp), StoreError> {
        let (found, stamp) = self.cases.lookup(id);
        let ticket = match found {
            Ok(read) => return Ok((Some(read), stamp)),
            Err(ticket) => ticket,
        };
        let read = self.read_case_uncached(id).await?.map(Arc::new);
        if let Some(read) = &read {
            self.cases.fill(id, read, ticket);
        }
        Ok((read, stamp))
    }

    /// Whether every case [`Store::read_case`] answered at `stamp` was current as of the last
    /// commit of this process that began after that read. A read whose access record has
    /// committed since may trust its answer when this is true, and must read again otherwise.
    pub fn unchanged_since(&self, stamp: CaseStamp) -> bool {
        self.cases.unchanged_since(stamp)
    }

    /// A case as a read needs it, from the database: the case's events, with its key and its
    /// agreement's version alongside, in one statement; the agreement itself comes from the
    /// agreements cache unless it changed.
    pub async fn read_case_uncached(&self, id: CaseId) -> Result<Option<CaseRead>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT e.seq, e.stream, e.version, e.recorded_at, e.body, e.body_sha256, e.kind, \
                    (SELECT k.wrapped_key FROM case_keys k WHERE k.case_id = $1) AS wrapped_key, \
                    (SELECT a.version FROM cases c JOIN agreements a ON a.agreement_id = c.agreement \
                      WHERE c.case_id = $1) AS agreement_version \
             FROM events e WHERE e.stream = $1 ORDER BY e.version",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let wrapped_key: Option<Vec<u8>> = first.try_get("wrapped_key")?;
        let agreement_version: Option<i64> = first.try_get("agreement_version")?;
        let events = rows.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
        let Some(agreement_id) = events
            .first()
            .and_then(|stored| stored.event.body.agreement())
            .cloned()
        else {
            return Ok(None);
        };
        let cached = agreement_version
            .and_then(|version| u64::try_from(version).ok())
            .and_then(|version| {
                self.agreements.lock().ok().and_then(|cache| {
                    cache
                        .get(&agreement_id)
                        .filter(|state| state.version == version)
                        .cloned()
                })
            });
        let agreement = match cached {
            Some(agreement) => agreement,
            None => match self
                .load_agreement(&mut conn, agreement_id.as_str())
                .await?
            {
                Some(agreement) => agreement,
                None => return Ok(None),
            },
        };
        let mut snapshot = Snapshot::default();
        snapshot.agreements.insert(agreement.id.clone(), agreement);
        for stored in &events {
            corridor_domain::apply_to_snapshot(&mut snapshot, &stored.event)?;
        }
        let case = snapshot.cases.remove(&id);
        Ok(case.and_then(|case| {
            snapshot
                .agreements
                .remove(&case.agreement)
                .map(|agreement| CaseRead {
                    case,
                    agreement: Arc::new(agreement),
                    wrapped_key,
                })
        }))
    }

    /// The wrapped key of a case, unless erased.
    pub async fn case_key(&self, id: CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT wrapped_key FROM case_keys WHERE case_id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("wrapped_key")?),
            None => None,
        })
    }

    /// Cases from the projection.
    pub async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let limit = filter.limit.clamp(1, PAGE_ROWS_MAX);
        let rows = sqlx::query(
            "SELECT * FROM cases WHERE ($1 IS NULL OR agreement = $1) AND ($2 IS NULL OR status = $2) \
             AND ($3 IS NULL OR case_id > $3) ORDER BY case_id LIMIT $4",
        )
        .bind(filter.agreement.clone())
        .bind(filter.status.map(|status| status.as_str().to_owned()))
        .bind(filter.after.clone())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| CaseRow::from_row(row).map_err(StoreError::from))
            .collect()
    }

    /// Every hold.
    pub async fn holds(&self) -> Result<BTreeMap<HoldId, Hold>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_holds(&mut conn).await
    }

    /// Every agreement.
    pub async fn agreements(&self) -> Result<Vec<AgreementState>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query("SELECT agreement_id FROM agreements ORDER BY agreement_id")
            .fetch_all(&mut *conn)
            .await?;
        let mut states = Vec::new();
        for row in rows {
            let id: String = row.try_get("agreement_id")?;
            if let Some(state) = self.load_agreement(&mut conn, &id).await? {
                states.push(state);
            }
        }
        Ok(states)
    }

    /// Cap counts of an agreement.
    pub async fn counts(&self, agreement: &AgreementId) -> Result<Counts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_counts(&mut conn, agreement.as_str()).await
    }

    /// Replays every event and compares the result with the projections. `progress` is called
    /// with (events replayed, events in all) as the replay goes.
    pub async fn check(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<CheckReport, StoreError> {
        const PAGE: u32 = 10_000;
        // One snapshot for the whole check: a server committing meanwhile must not make the
        // events and the projections or keys read at different moments look inconsistent.
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin_with(self.backend.begin_snapshot()).await?;
        let total = to_u64(
            sqlx::query("SELECT COUNT(*) AS n FROM events")
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?,
        )?;
        let mut report = CheckReport::default();
        let mut world = World::new();
        let mut versions: BTreeMap<String, u64> = BTreeMap::new();
        let mut order = TimeOrder::new(self.clock_skew);
        let mut last_seq = 0u64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(to_i64(last_seq))
            .bind(i64::from(PAGE))
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq = to_u64(row.try_get("seq")?)?;
                if seq != last_seq + 1 {
                    report
                        .problems
                        .push(format!("sequence jumps from {last_seq} to {seq}"));
                }
                last_seq = seq;
                report.events += 1;
                // One bad row is reported and skipped, so it cannot hide the rest of the log.
                let stored = match decode_row(row) {
                    Ok(stored) => stored,
                    Err(StoreError::Corrupt(problem)) => {
                        report.problems.push(problem);
                        continue;
                    }
                    Err(error) => return Err(error),
                };
                let expected = versions.get(&stored.stream).copied().unwrap_or(0) + 1;
                if stored.version != expected {
                    report.problems.push(format!(
                        "event {} of {} has version {}, expected {expected}",
                        stored.seq, stored.stream, stored.version
                    ));
                }
                versions.insert(stored.stream.clone(), stored.version);
                if let Some(problem) = order.see(&stored.event) {
                    report.problems.push(format!(
                        "event {} of {}: {problem}",
                        stored.seq, stored.stream
                    ));
                }
                if let Err(error) = world.append(stored.event) {
                    report
                        .problems
                        .push(format!("event {} does not apply: {error}", stored.seq));
                }
            }
            progress(report.events, total);
        }
        self.compare_projections(&mut tx, &world, &mut report)
            .await?;
        tx.rollback().await?;
        Ok(report)
    }

    /// Rebuilds every projection from the events, in one write transaction: the projections are
    /// a cache of the events and can always be thrown away. Returns the number of events replayed.
    pub async fn rebuild_projections(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7361)")
                .execute(&mut *tx)
                .await?;
        }
        let mut world = World::new();
        let mut last_seq = 0u64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events WHERE seq > $1 ORDER BY seq LIMIT 10000",
            )
            .bind(to_i64(last_seq))
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                // A corrupt event stops the rebuild: projections must never be built from it.
                let stored = decode_row(row)?;
                last_seq = stored.seq;
                world.append(stored.event)?;
            }
        }
        for table in ["cases", "holds", "agreements", "agreement_counts"] {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
        }
        let mut pending = Pending::default();
        pending.project_all(world.state());
        pending.flush(&mut tx, self.backend).await?;
        tx.commit().await?;
        if let Ok(mut cache) = self.agreements.lock() {
            cache.clear();
        }
        Ok(world.events().len() as u64)
    }

    async fn compare_projections(
        &self,
        conn: &mut AnyConnection,
        world: &World,
        report: &mut CheckReport,
    ) -> Result<(), StoreError> {
        let state = world.state();
        let stored: BTreeMap<String, CaseRow> = sqlx::query("SELECT * FROM cases")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| CaseRow::from_row(row).map(|row| (row.case_id.clone(), row)))
            .collect::<Result<_, _>>()?;
        for case in state.cases.values() {
            report.cases += 1;
            let expected = CaseRow::of(case, state);
            match stored.get(&expected.case_id) {
                None => report
                    .problems
                    .push(format!("{} has events but no projection row", case.id)),
                Some(row) if *row != expected => report.problems.push(format!(
                    "{} projection differs from its events: stored {row:?}, replayed {expected:?}",
                    case.id
                )),
                Some(_) => {}
            }
        }
        for id in stored.keys() {
            if CaseId::parse(id).map_or(true, |case| !state.cases.contains_key(&case)) {
                report
                    .problems
                    .push(format!("projection row {id} has no events"));
            }
        }
        let stored_holds: BTreeMap<String, (String, i64)> =
            sqlx::query("SELECT hold_id, status, version FROM holds")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get("hold_id")?,
                        (row.try_get("status")?, row.try_get("version")?),
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?;
        for hold in state.holds.values() {
            report.holds += 1;
            let expected = (hold.status.as_str().to_owned(), to_i64(hold.version));
            if stored_holds.get(&hold.id.to_string()) != Some(&expected) {
                report
                    .problems
                    .push(format!("{} projection differs from its events", hold.id));
            }
        }
        if stored_holds.len() != state.holds.len() {
            report
                .problems
                .push("the holds projection has rows without events".to_owned());
        }
        for (id, agreement) in &state.agreements {
            report.agreements += 1;
            let row = sqlx::query(
                "SELECT version, terms_version FROM agreements WHERE agreement_id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
            let stored = match row {
                Some(row) => Some((
                    row.try_get::<i64, _>("version")?,
                    row.try_get::<i64, _>("terms_version")?,
                )),
                None => None,
            };
            if stored
                != Some((
                    to_i64(agreement.version),
                    i64::from(agreement.latest_version()),
                ))
            {
                report
                    .problems
                    .push(format!("agreement {id} projection differs from its events"));
            }
            let counts = load_counts(conn, id.as_str()).await?;
            let expected = state.counts.get(id).copied().unwrap_or_default();
            if counts != expected {
                report.problems.push(format!(
                    "agreement {id} counts differ: stored {counts:?}, replayed {expected:?}"
                ));
            }
        }
        let agreement_rows = sqlx::query("SELECT COUNT(*) AS n FROM agreements")
            .fetch_one(&mut *conn)
            .await?;
        if to_u64(agreement_rows.try_get("n")?)? != state.agreements.len() as u64 {
            report
                .problems
                .push("the agreements projection has rows without events".to_owned());
        }
        let keys = sqlx::query("SELECT case_id FROM case_keys")
            .fetch_all(&mut *conn)
            .await?;
        let mut keyed = BTreeSet::new();
        for row in keys {
            let id: String = row.try_get("case_id")?;
            keyed.insert(id.clone());
            match CaseId::parse(&id)
                .ok()
                .and_then(|case| state.cases.get(&case))
            {
                None => report
                    .problems
                    .push(format!("a key is stored for {id}, which has no events")),
                Some(case) if case.personal.is_none() => report
                    .problems
                    .push(format!("{id} was erased but its key is still stored")),
                Some(_) => {}
            }
        }
        // A key that vanished without an erasure event is data lost, not data erased.
        for case in state.cases.values() {
            if case.personal.is_some() && !keyed.contains(&case.id.to_string()) {
                report.problems.push(format!(
                    "{} has sealed personal data but its key is missing",
                    case.id
                ));
            }
        }
        Ok(())
    }
}

fn decode_row(row: &AnyRow) -> Result<StoredEvent, StoreError> {
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

/// The events of every case the commands of `requests` name — the case a command acts on, or
/// the one a proposal would make (which has none unless it exists) — in one statement per
/// [`BIND_BATCH`] cases. The write lock is held, so none of them changes meanwhile except
/// through this transaction, whose own changes the batch keeps.
async fn named_case_streams(
    conn: &mut AnyConnection,
    requests: &[Write<'_>],
) -> Result<BTreeMap<CaseId, Vec<StoredEvent>>, StoreError> {
    let mut streams: BTreeMap<CaseId, Vec<StoredEvent>> = requests
        .iter()
        .filter_map(|write| match write {
            Write::Command(Request {
                command: Command::Propose { case, .. },
                ..
            }) => Some(*case),
            Write::Command(request) => request.command.case(),
            Write::Access(_) => None,
        })
        .map(|case| (case, Vec::new()))
        .collect();
    let ids: Vec<String> = streams.keys().map(ToString::to_string).collect();
    for stored in load_streams(conn, &ids).await? {
        if let Some(events) = CaseId::parse(&stored.stream)
            .ok()
            .and_then(|case| streams.get_mut(&case))
        {
            events.push(stored);
        }
    }
    Ok(streams)
}

async fn load_streams(
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

async fn load_holds(conn: &mut AnyConnection) -> Result<BTreeMap<HoldId, Hold>, StoreError> {
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

async fn load_counts(conn: &mut AnyConnection, agreement: &str) -> Result<Counts, StoreError> {
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

/// Ids of scheduled or in-transit cases a scope may cover, through the projection's indexes.
/// The domain confirms each with the scope's own definition of membership.
async fn cases_covered(
    conn: &mut AnyConnection,
    scope: &HoldScope,
) -> Result<Vec<String>, StoreError> {
    let statuses: Vec<String> = STATUSES_A_HOLD_PULLS
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let mut sql = format!(
        "SELECT case_id FROM cases WHERE status IN ({})",
        placeholders(1, statuses.len())
    );
    let mut binds: Vec<String> = statuses;
    let mut add_in = |sql: &mut String, column: &str, values: Vec<String>| {
        if !values.is_empty() {
            sql.push_str(&format!(
                " AND {column} IN ({})",
                placeholders(binds.len() + 1, values.len())
            ));
            binds.extend(values);
        }
    };
    match scope {
        HoldScope::Cases { cases } => {
            add_in(
                &mut sql,
                "case_id",
                cases.iter().map(ToString::to_string).collect(),
            );
        }
        HoldScope::Class { criteria } => {
            add_in(
                &mut sql,
                "agreement",
                criteria
                    .agreements
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            add_in(
                &mut sql,
                "nationality",
                criteria
                    .nationalities
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            add_in(
                &mut sql,
                "legal_basis",
                criteria
                    .legal_bases
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            add_in(
                &mut sql,
                "designation",
                criteria
                    .designations
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            add_in(
                &mut sql,
                "detention_place",
                criteria
                    .detention_places
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            if let Some(from) = criteria.removal_ordered_from {
                binds.push(from.to_string());
                sql.push_str(&format!(" AND removal_ordered_on >= ${}", binds.len()));
            }
            if let Some(until) = criteria.removal_ordered_until {
                binds.push(until.to_string());
                sql.push_str(&format!(" AND removal_ordered_on <= ${}", binds.len()));
            }
        }
    }
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for bind in binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| row.try_get("case_id").map_err(StoreError::from))
        .collect()
}

pub(crate) fn stream_version(snapshot: &Snapshot, stream: &StreamId) -> u64 {
    match stream {
        StreamId::Case(id) => snapshot.cases.get(id).map_or(0, |case| case.version),
        StreamId::Hold(id) => snapshot.holds.get(id).map_or(0, |hold| hold.version),
        StreamId::Agreement(id) => snapshot
            .agreements
            .get(id)
            .map_or(0, |agreement| agreement.version),
        StreamId::Access => snapshot.access_records,
    }
}
