//! The read path: events, streams, cases, holds, agreements and listings.
//!
//! The public reads run on the pool, outside any write transaction. Agreements are folded from
//! their events once per stream version and cached, by a loader the write path uses too (on its
//! transaction's connection); cases come from the cache of cases read before when it holds them
//! ([`crate::case_cache`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use corridor_domain::terms::AgreementId;
use corridor_domain::{
    AgreementState, Case, CaseId, CaseStatus, Counts, EventBody, Hold, HoldId, Snapshot, StreamId,
    UnscheduleCause,
};
use sqlx::{AnyConnection, AssertSqlSafe, Connection as _, Row};

use super::Store;
use super::rows::{
    BIND_BATCH, CaseRow, StoredEvent, decode_row, load_counts, load_holds, load_streams,
    placeholders, to_i64, to_u64,
};
use crate::case_cache::{CaseRead, CaseStamp};
use crate::error::StoreError;

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

/// Which cases to read at once, whole ([`Store::cases_in`]): a work queue's cases.
#[derive(Debug, Clone, Default)]
pub struct CaseSet {
    /// Only cases under these agreements (none: no case).
    pub agreements: Vec<AgreementId>,
    /// Only cases in these statuses (none: every status).
    pub statuses: Vec<CaseStatus>,
    /// At most this many cases (1 to [`PAGE_ROWS_MAX`]), by id.
    pub limit: u32,
}

impl Store {
    pub(super) async fn load_agreement(
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

    /// Every event in order, from `after_seq` (exclusive), at most `limit`: the rows of
    /// `events` and the compact access records together.
    pub async fn events(&self, after_seq: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        self.count_read();
        self.page_in_snapshot(after_seq, limit, false).await
    }

    /// One page of [`Store::events_page`] in a read snapshot of its own, every event checked.
    async fn page_in_snapshot(
        &self,
        after_seq: u64,
        limit: u32,
        access_only: bool,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        // One snapshot: a commit between the reads of the two tables must not leave a gap.
        let mut tx = connection.begin_with(self.backend.begin_snapshot()).await?;
        let page = self
            .events_page(&mut tx, after_seq, limit, access_only)
            .await?;
        tx.rollback().await?;
        page.into_iter().map(|(_, stored)| stored).collect()
    }

    /// How many events are stored (compact access records included).
    pub async fn event_count(&self) -> Result<u64, StoreError> {
        self.count_read();
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM access_records) AS n",
        )
        .fetch_one(&self.pool)
        .await?;
        to_u64(row.try_get("n")?)
    }

    /// The events of one stream, in order.
    pub async fn history(&self, stream: &StreamId) -> Result<Vec<StoredEvent>, StoreError> {
        self.count_read();
        if *stream == StreamId::Access {
            // In both layouts: read page by page.
            let mut events: Vec<StoredEvent> = Vec::new();
            loop {
                let after = events.last().map_or(0, |stored| stored.seq);
                let page = self.page_in_snapshot(after, PAGE_ROWS_MAX, true).await?;
                if page.is_empty() {
                    return Ok(events);
                }
                events.extend(page);
            }
        }
        let mut conn = self.pool.acquire().await?;
        load_streams(&mut conn, &[stream.to_string()]).await
    }

    /// The events of one stream after sequence number `after_seq`, in order, at most `limit`:
    /// a page of a stream too long to read at once (the access records, in both layouts).
    pub async fn stream_page(
        &self,
        stream: &StreamId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.count_read();
        if *stream == StreamId::Access {
            return self.page_in_snapshot(after_seq, limit, true).await;
        }
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
        self.count_read();
        Ok(self.case_from_database(id).await?.map(|read| {
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
        self.count_read();
        let (found, stamp) = self.cases.lookup(id);
        let ticket = match found {
            Ok(read) => return Ok((Some(read), stamp)),
            Err(ticket) => ticket,
        };
        let read = self.case_from_database(id).await?.map(Arc::new);
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
        self.count_read();
        self.case_from_database(id).await
    }

    /// [`Store::read_case_uncached`], uncounted: the one statement of the read methods that
    /// count it.
    async fn case_from_database(&self, id: CaseId) -> Result<Option<CaseRead>, StoreError> {
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
        self.count_read();
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
        self.count_read();
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
        self.count_read();
        let mut conn = self.pool.acquire().await?;
        load_holds(&mut conn).await
    }

    /// Every finding of the monitoring body.
    pub async fn findings(
        &self,
    ) -> Result<
        BTreeMap<corridor_domain::FindingId, corridor_domain::monitoring::Finding>,
        StoreError,
    > {
        self.count_read();
        let mut conn = self.pool.acquire().await?;
        super::rows::load_findings(&mut conn).await
    }

    /// Every visit of the monitoring body.
    pub async fn visits(
        &self,
    ) -> Result<BTreeMap<corridor_domain::VisitId, corridor_domain::monitoring::Visit>, StoreError>
    {
        self.count_read();
        let mut conn = self.pool.acquire().await?;
        super::rows::load_all_visits(&mut conn).await
    }

    /// Every agreement.
    pub async fn agreements(&self) -> Result<Vec<AgreementState>, StoreError> {
        self.count_read();
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
        self.count_read();
        let mut conn = self.pool.acquire().await?;
        load_counts(&mut conn, agreement.as_str()).await
    }

    /// The cases of `set`, folded, each with its agreement, in one statement (their events, by
    /// the projection's agreement and status index), however many cases there are: what a
    /// work queue reads instead of one case at a time.
    pub async fn cases_in(
        &self,
        set: &CaseSet,
    ) -> Result<Vec<(Case, Arc<AgreementState>)>, StoreError> {
        self.count_read();
        if set.agreements.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events \
             WHERE stream IN (SELECT case_id FROM cases WHERE agreement IN ({})",
            placeholders(1, set.agreements.len())
        );
        let mut binds: Vec<String> = set.agreements.iter().map(ToString::to_string).collect();
        if !set.statuses.is_empty() {
            sql.push_str(&format!(
                " AND status IN ({})",
                placeholders(binds.len() + 1, set.statuses.len())
            ));
            binds.extend(set.statuses.iter().map(|status| status.as_str().to_owned()));
        }
        sql.push_str(&format!(
            " ORDER BY case_id LIMIT ${}) ORDER BY seq",
            binds.len() + 1
        ));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(bind);
        }
        let query = query.bind(i64::from(set.limit.clamp(1, PAGE_ROWS_MAX)));
        let mut conn = self.pool.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        let events = rows.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
        self.fold_cases(&mut conn, &events).await
    }

    /// The cases named, folded, each with its agreement: one statement per `BIND_BATCH` ids.
    /// Ids of no case are left out.
    pub async fn cases_named(
        &self,
        ids: &[CaseId],
    ) -> Result<Vec<(Case, Arc<AgreementState>)>, StoreError> {
        self.count_reads(ids.len().div_ceil(BIND_BATCH).max(1));
        let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut conn = self.pool.acquire().await?;
        let events = load_streams(&mut conn, &names).await?;
        self.fold_cases(&mut conn, &events).await
    }

    /// What every order did to cases: the cases each hold was found to cover
    /// (`hold_matched`, at a proposal or when the order pulled them), each with whether the
    /// order pulled it (took it off the schedule, or recalled it in transit), in one statement
    /// over the events of those kinds.
    pub async fn hold_effects(
        &self,
    ) -> Result<BTreeMap<HoldId, BTreeMap<CaseId, bool>>, StoreError> {
        self.count_read();
        let rows = sqlx::query(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events \
             WHERE kind IN ('hold_matched', 'transfer_unscheduled', 'recalled') ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut effects: BTreeMap<HoldId, BTreeMap<CaseId, bool>> = BTreeMap::new();
        for row in &rows {
            let (hold, case, pulled) = match decode_row(row)?.event.body {
                EventBody::HoldMatched { case, hold } => (hold, case, false),
                EventBody::TransferUnscheduled {
                    case,
                    cause: UnscheduleCause::Hold { hold },
                }
                | EventBody::Recalled {
                    case,
                    hold: Some(hold),
                } => (hold, case, true),
                _ => continue,
            };
            let entry = effects.entry(hold).or_default().entry(case).or_default();
            *entry |= pulled;
        }
        Ok(effects)
    }

    /// Case events (of whole streams, in sequence order) folded into their cases, each with
    /// its agreement (from the agreements cache unless it changed).
    async fn fold_cases(
        &self,
        conn: &mut AnyConnection,
        events: &[StoredEvent],
    ) -> Result<Vec<(Case, Arc<AgreementState>)>, StoreError> {
        let agreement_ids: BTreeSet<AgreementId> = events
            .iter()
            .filter_map(|stored| match &stored.event.body {
                EventBody::CaseProposed { agreement, .. } => Some(agreement.clone()),
                _ => None,
            })
            .collect();
        let mut snapshot = Snapshot::default();
        for id in &agreement_ids {
            if let Some(agreement) = self.load_agreement(conn, id.as_str()).await? {
                snapshot.agreements.insert(agreement.id.clone(), agreement);
            }
        }
        for stored in events {
            corridor_domain::apply_to_snapshot(&mut snapshot, &stored.event)?;
        }
        let agreements: BTreeMap<AgreementId, Arc<AgreementState>> = snapshot
            .agreements
            .into_iter()
            .map(|(id, agreement)| (id, Arc::new(agreement)))
            .collect();
        Ok(snapshot
            .cases
            .into_values()
            .filter_map(|case| {
                let agreement = agreements.get(&case.agreement)?.clone();
                Some((case, agreement))
            })
            .collect())
    }
}
