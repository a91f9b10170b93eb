//! The write path: commands decided and appended, and access records appended, in group commits.
//!
//! [`Store::write_many`] runs every write of a batch in one transaction on the connection kept
//! for writes: it loads what each command reads (carrying what earlier commands left in a
//! [`Batch`]), decides, numbers the events, grows the log, and holds the rows back in
//! [`Pending`] until one flush before the commit. The log root is checked against the stored
//! nodes before the commit, and the caches learn what was written only after it.

use std::collections::{BTreeMap, BTreeSet};

use corridor_domain::monitoring::{Finding, Visit};
use corridor_domain::terms::AgreementId;
use corridor_domain::{
    AgreementState, Case, CaseId, Command, Complaint, ComplaintId, Context, Counts, Event,
    EventBody, FindingId, Hold, HoldId, HoldScope, Needs, Outcome, STATUSES_A_HOLD_PULLS, Snapshot,
    StreamId, VisitId, applied, decide, needs_with_findings, refusal_event,
};
use corridor_log::tree::CompactTree;
use sqlx::{AnyConnection, AssertSqlSafe, Connection as _, Row};

use super::Store;
use super::pending::Pending;
use super::rows::{
    StoredEvent, load_counts, load_findings, load_holds, load_streams, load_visits, placeholders,
    to_u64,
};
use crate::db::Backend;
use crate::error::StoreError;

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
    /// A complaint command, decided by the domain, with the wrapped key of the complaint it
    /// lodges (stored only if the lodging is accepted).
    Complaint(Request<'a>, Option<&'a [u8]>),
}

/// What one write transaction has already read, carried from command to command. The write lock
/// is held for the whole transaction, so nothing else can change these meanwhile.
#[derive(Debug, Default)]
struct Batch {
    holds: Option<BTreeMap<HoldId, Hold>>,
    /// Every finding, as this transaction has left them (loaded at its first command).
    findings: Option<BTreeMap<FindingId, Finding>>,
    /// The visits this transaction has written.
    visits: BTreeMap<VisitId, Visit>,
    agreements: BTreeMap<AgreementId, AgreementState>,
    counts: BTreeMap<AgreementId, Counts>,
    cases: BTreeMap<CaseId, Case>,
    complaints: BTreeMap<ComplaintId, Complaint>,
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
    /// The access names this transaction used or numbered (cached only once it commits).
    names: super::access::NewNames,
}

impl Batch {
    /// Takes in what a command left behind, moving it: the snapshot is the command's last
    /// state, and cloning its agreements' terms for every command cost more than deciding.
    fn absorb(&mut self, after: Snapshot, last_seq: Option<u64>) {
        self.holds = Some(after.holds);
        self.findings = Some(after.findings);
        self.visits.extend(after.visits);
        self.agreements.extend(after.agreements);
        self.counts.extend(after.counts);
        self.cases.extend(after.cases);
        self.complaints.extend(after.complaints);
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

impl Store {
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
            Err(StoreError::Internal(
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
            return Err(StoreError::Limit {
                what: "commands in one batch",
                limit: BATCH_COMMANDS_MAX as u64,
                value: requests.len() as u64,
            });
        }
        let mut writer = self.writer.lock().await;
        let connection = match writer.take() {
            Some(connection) => connection,
            None => {
                let mut connection = self.pool.acquire().await?;
                if self.checkpoints.is_some() {
                    // Checkpoints run beside the writer (`checkpoint`); its own connection
                    // checkpoints only as a backstop.
                    sqlx::query(AssertSqlSafe(format!(
                        "PRAGMA wal_autocheckpoint = {}",
                        super::checkpoint::WRITER_AUTOCHECKPOINT_PAGES
                    )))
                    .execute(&mut *connection)
                    .await?;
                }
                connection
            }
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
                Write::Command(request) => {
                    self.execute_in(&mut tx, request, None, &mut batch).await?
                }
                Write::Complaint(request, key) => {
                    self.execute_in(&mut tx, request, *key, &mut batch).await?
                }
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
        if let Some(checkpoints) = &self.checkpoints {
            let events = results
                .iter()
                .flatten()
                .filter_map(|executed| executed.seqs)
                .map(|(first, last)| last.saturating_sub(first).saturating_add(1))
                .sum();
            checkpoints.committed(&self.pool, events);
        }
        if let (Some(log), Ok(mut cache)) = (batch.log.take(), self.log.lock()) {
            *cache = Some(log);
        }
        self.cache_names(&batch.names);
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

    /// What the domain would decide of `command` now, from what it reads in the database,
    /// writing nothing: no event, no log leaf, no projection, and no write lock taken (a write
    /// committed meanwhile can make the real command decide otherwise). The command is decided
    /// by [`decide`] on the snapshot [`Store::execute`] would load for it; a refusal carries no
    /// recorded safeguard event, since nothing is recorded. Counted as one read
    /// ([`Store::reads`]).
    pub async fn decide_without_writing(
        &self,
        command: &Command,
        context: &Context,
    ) -> Result<Outcome, StoreError> {
        self.count_read();
        let mut conn = self.pool.acquire().await?;
        let holds = load_holds(&mut conn).await?;
        let findings = load_findings(&mut conn).await?;
        let needs = needs_with_findings(command, &holds, &findings, context.now);
        let mut snapshot = self.load_snapshot(&mut conn, holds, &needs, None).await?;
        snapshot.findings = findings;
        let visits: Vec<VisitId> = needs.visits.iter().copied().collect();
        if !visits.is_empty() {
            snapshot.visits = load_visits(&mut conn, &visits).await?;
        }
        Ok(match decide(&snapshot, command, context) {
            Ok(events) => Outcome::Accepted(events),
            Err(refusal) => Outcome::Refused {
                refusal,
                recorded: None,
            },
        })
    }

    /// [`Store::decide_without_writing`] for many commands at once, with the same context: each
    /// is decided on the snapshot it alone would be decided on, but commands that read the same
    /// things (the commands on one case) share one snapshot, loaded once on one connection.
    /// Outcomes are in the commands' order. Counted as one read ([`Store::reads`]), whatever
    /// the number of commands.
    pub async fn decide_each_without_writing(
        &self,
        commands: &[Command],
        context: &Context,
    ) -> Result<Vec<Outcome>, StoreError> {
        self.count_read();
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.pool.acquire().await?;
        let holds = load_holds(&mut conn).await?;
        let findings = load_findings(&mut conn).await?;
        let mut snapshots: Vec<(Needs, Snapshot)> = Vec::new();
        let mut outcomes = Vec::with_capacity(commands.len());
        for command in commands {
            let needs = needs_with_findings(command, &holds, &findings, context.now);
            if !snapshots.iter().any(|(loaded, _)| *loaded == needs) {
                let mut snapshot = self
                    .load_snapshot(&mut conn, holds.clone(), &needs, None)
                    .await?;
                snapshot.findings = findings.clone();
                let visits: Vec<VisitId> = needs.visits.iter().copied().collect();
                if !visits.is_empty() {
                    snapshot.visits = load_visits(&mut conn, &visits).await?;
                }
                snapshots.push((needs.clone(), snapshot));
            }
            let Some((_, snapshot)) = snapshots.iter().find(|(loaded, _)| *loaded == needs) else {
                continue;
            };
            outcomes.push(match decide(snapshot, command, context) {
                Ok(events) => Outcome::Accepted(events),
                Err(refusal) => Outcome::Refused {
                    refusal,
                    recorded: None,
                },
            });
        }
        Ok(outcomes)
    }

    /// One command inside an open write transaction. The outer error is a database failure; the
    /// inner one a conflict, which writes nothing.
    async fn execute_in(
        &self,
        tx: &mut AnyConnection,
        request: &Request<'_>,
        complaint_key: Option<&[u8]>,
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
        let findings = match batch.findings.take() {
            Some(findings) => findings,
            None => load_findings(tx).await?,
        };
        let needs = needs_with_findings(command, &holds, &findings, context.now);
        if !needs.scheduled_or_in_transit_covered_by.is_empty() || needs.clocks_due_by.is_some() {
            // These searches run in SQL over the projections, which must include the batch so far.
            batch.pending.flush(tx, self.backend).await?;
        }
        let mut snapshot = self.load_snapshot(tx, holds, &needs, Some(&*batch)).await?;
        snapshot.findings = findings;
        snapshot.visits = self.visits_named(tx, &needs, batch).await?;
        batch.holds = Some(snapshot.holds.clone());
        batch.findings = Some(snapshot.findings.clone());

        if let (Some(expected), Some(case)) = (expected_version, command.case()) {
            let current = snapshot.cases.get(&case).map_or(0, |case| case.version);
            if current != expected {
                batch.absorb(snapshot, None);
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
            .ok_or_else(|| StoreError::Internal("the log was not loaded".to_owned()))?;
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
                EventBody::ComplaintLodged { complaint, .. } => {
                    if let Some(wrapped) = complaint_key {
                        batch
                            .pending
                            .complaint_keys_added
                            .push((complaint.to_string(), wrapped.to_vec()));
                    }
                }
                EventBody::ComplaintErased { complaint } => batch
                    .pending
                    .complaint_keys_erased
                    .push(complaint.to_string()),
                _ => {}
            }
        }
        batch.absorb(after, Some(seqs.1));
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
            return Err(StoreError::Internal(format!(
                "`{}` is not an access record and must be decided as a command",
                event.body.kind()
            )));
        }
        let version = match batch.access_version {
            Some(version) => version,
            None => {
                // Records written before schema version 8 are rows of `events`; later ones are
                // compact, and the later ones carry on the version.
                let row = sqlx::query(
                    "SELECT COALESCE(MAX(version), 0) AS last FROM events WHERE stream = $1",
                )
                .bind(corridor_domain::ACCESS_STREAM)
                .fetch_one(&mut *tx)
                .await?;
                let in_events = to_u64(row.try_get("last")?)?;
                in_events.max(super::access::last_compact_version(tx).await?)
            }
        };
        let before = Snapshot {
            access_records: version,
            ..Snapshot::default()
        };
        let mut after = before.clone();
        corridor_domain::apply_to_snapshot(&mut after, event)?;
        let last_seq = self.prepare_log(tx, batch).await?;
        let events = std::slice::from_ref(event);
        let seqs = if self
            .legacy_access
            .load(std::sync::atomic::Ordering::Acquire)
        {
            let (tree, salt_key) = batch
                .log
                .as_mut()
                .ok_or_else(|| StoreError::Internal("the log was not loaded".to_owned()))?;
            batch
                .pending
                .append(&before, &after, events, event.at, last_seq, tree, salt_key)?
        } else {
            let record = self
                .compact_record(tx, event, after.access_records, batch)
                .await?;
            let (tree, salt_key) = batch
                .log
                .as_mut()
                .ok_or_else(|| StoreError::Internal("the log was not loaded".to_owned()))?;
            let seq = batch
                .pending
                .append_compact(event, record, last_seq, tree, salt_key)?;
            (seq, seq)
        };
        batch.access_version = Some(after.access_records);
        batch.last_seq = Some(seqs.1);
        Ok(Executed {
            outcome: Outcome::Accepted(events.to_vec()),
            seqs: Some(seqs),
        })
    }

    /// The compact encoding of an access record at stream version `version`, its names
    /// numbered in this transaction; checked to decode to the identical event before it is
    /// stored, as a JSON body is.
    async fn compact_record(
        &self,
        tx: &mut AnyConnection,
        event: &Event,
        version: u64,
        batch: &mut Batch,
    ) -> Result<Vec<u8>, StoreError> {
        let internal = |error: crate::access_codec::CodecError| {
            StoreError::Internal(format!("an access record cannot be encoded: {error}"))
        };
        let names = crate::access_codec::names_of(event).map_err(internal)?;
        self.name_ids(tx, &names, &mut batch.names).await?;
        for (id, name) in std::mem::take(&mut batch.names.added) {
            batch.pending.add_access_name(id, name);
        }
        let known = &batch.names.known;
        let record =
            crate::access_codec::encode(event, version, event.at, |name| known.get(name).copied())
                .map_err(internal)?;
        let ids: BTreeMap<u64, &str> = names
            .iter()
            .filter_map(|name| known.get(*name).map(|id| (*id, *name)))
            .collect();
        let back = crate::access_codec::parse(&record).and_then(|parsed| {
            let event = parsed.resolve(|id| ids.get(&id).copied())?;
            Ok((event, parsed.version, parsed.recorded_at))
        });
        if back.as_ref().ok() != Some(&(event.clone(), version, event.at)) {
            return Err(StoreError::Internal(format!(
                "access record `{}` does not survive its compact encoding",
                event.body.kind()
            )));
        }
        Ok(record)
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
                // Both layouts share the sequence: compact access records hold their own numbers.
                let row = sqlx::query(
                    "SELECT COALESCE(MAX(seq), 0) AS last FROM (SELECT MAX(seq) AS seq FROM events \
                     UNION ALL SELECT MAX(seq) AS seq FROM access_records) AS tails",
                )
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

    /// The visits a command names, as this transaction has left them.
    async fn visits_named(
        &self,
        tx: &mut AnyConnection,
        needs: &Needs,
        batch: &Batch,
    ) -> Result<BTreeMap<VisitId, Visit>, StoreError> {
        let mut visits = BTreeMap::new();
        let mut unread = Vec::new();
        for id in &needs.visits {
            match batch.visits.get(id) {
                Some(visit) => {
                    visits.insert(*id, visit.clone());
                }
                None => unread.push(*id),
            }
        }
        if !unread.is_empty() {
            visits.extend(load_visits(tx, &unread).await?);
        }
        Ok(visits)
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
        let (known_complaints, complaint_events) =
            load_complaints(conn, &needs.complaints, batch).await?;
        agreement_ids.extend(known_complaints.iter().map(|c| c.agreement.to_string()));
        agreement_ids.extend(
            complaint_events
                .iter()
                .filter_map(|stored| stored.event.body.agreement())
                .map(ToString::to_string),
        );
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
        for stored in &complaint_events {
            corridor_domain::apply_to_snapshot(&mut snapshot, &stored.event)?;
        }
        for complaint in known_complaints {
            snapshot.complaints.insert(complaint.id, complaint);
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
}

/// The events of every case the commands of `requests` name — the case a command acts on, or
/// the one a proposal would make (which has none unless it exists) — in one statement per
/// [`BIND_BATCH`](super::rows::BIND_BATCH) cases. The write lock is held, so none of them
/// changes meanwhile except through this transaction, whose own changes the batch keeps.
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
            Write::Command(request) | Write::Complaint(request, _) => request.command.case(),
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

/// The complaints a command reads: those this transaction changed from the batch, the others'
/// events from the database (a complaint command is the only reader of a complaint stream).
async fn load_complaints(
    conn: &mut AnyConnection,
    ids: &BTreeSet<ComplaintId>,
    batch: Option<&Batch>,
) -> Result<(Vec<Complaint>, Vec<StoredEvent>), StoreError> {
    let mut known = Vec::new();
    let mut streams = Vec::new();
    for id in ids {
        match batch.and_then(|batch| batch.complaints.get(id)) {
            Some(complaint) => known.push(complaint.clone()),
            None => streams.push(id.to_string()),
        }
    }
    let mut events = load_streams(conn, &streams).await?;
    events.sort_by_key(|stored| stored.seq);
    Ok((known, events))
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
