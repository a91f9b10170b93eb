//! The consistency check, and the rebuild of the projections.
//!
//! [`Store::check`] replays every event inside one snapshot and compares the result with the
//! projections and the stored case keys, reporting each inconsistency as a sentence; a row that
//! does not decode is reported and skipped, so one bad row cannot hide the rest of the log.
//! [`Store::rebuild_projections`] throws the projections away and writes them again from the
//! events.

use std::collections::{BTreeMap, BTreeSet};

use corridor_domain::{CaseId, ComplaintId, Snapshot, TimeOrder, World};
use sqlx::{AnyConnection, AssertSqlSafe, Connection as _, Row};

use super::Store;
use super::pending::Pending;
use super::rows::{CaseRow, load_counts, to_i64, to_u64};
use crate::db::Backend;
use crate::error::StoreError;

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

impl Store {
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
            sqlx::query(
                "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM access_records) AS n",
            )
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
            // Both layouts, in one order: the rows of `events` and the compact access records.
            let page = self.events_page(&mut tx, last_seq, PAGE, false).await?;
            if page.is_empty() {
                break;
            }
            for (seq, decoded) in page {
                if seq != last_seq + 1 {
                    report
                        .problems
                        .push(format!("sequence jumps from {last_seq} to {seq}"));
                }
                last_seq = seq;
                report.events += 1;
                // One bad row is reported and skipped, so it cannot hide the rest of the log.
                let stored = match decoded {
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
            let page = self.events_page(&mut tx, last_seq, 10_000, false).await?;
            if page.is_empty() {
                break;
            }
            for (seq, decoded) in page {
                // A corrupt event stops the rebuild: projections must never be built from it.
                let stored = decoded?;
                last_seq = seq;
                world.append(stored.event)?;
            }
        }
        for table in [
            "cases",
            "holds",
            "agreements",
            "agreement_counts",
            "complaints",
        ] {
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
        compare_complaints(conn, state, report).await?;
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

/// The complaints projection and keys against the replayed complaints.
async fn compare_complaints(
    conn: &mut AnyConnection,
    state: &Snapshot,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let stored: BTreeMap<String, (String, String, i64)> =
        sqlx::query("SELECT complaint_id, receipt, status, version FROM complaints")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("complaint_id")?,
                    (
                        row.try_get("receipt")?,
                        row.try_get("status")?,
                        row.try_get("version")?,
                    ),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?;
    for complaint in state.complaints.values() {
        let expected = (
            complaint.receipt.clone(),
            complaint.status.as_str().to_owned(),
            to_i64(complaint.version),
        );
        if stored.get(&complaint.id.to_string()) != Some(&expected) {
            report.problems.push(format!(
                "{} projection differs from its events",
                complaint.id
            ));
        }
    }
    if stored.len() != state.complaints.len() {
        report
            .problems
            .push("the complaints projection has rows without events".to_owned());
    }
    let keyed: BTreeSet<String> = sqlx::query("SELECT complaint_id FROM complaint_keys")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("complaint_id"))
        .collect::<Result<_, sqlx::Error>>()?;
    for complaint in state.complaints.values() {
        let id = complaint.id.to_string();
        match (complaint.erased, keyed.contains(&id)) {
            (true, true) => report
                .problems
                .push(format!("{id} was erased but its key is still stored")),
            (false, false) => report
                .problems
                .push(format!("{id} has sealed text but its key is missing")),
            _ => {}
        }
    }
    if keyed
        .iter()
        .any(|id| ComplaintId::parse(id).map_or(true, |c| !state.complaints.contains_key(&c)))
    {
        report
            .problems
            .push("a complaint key is stored for a complaint with no events".to_owned());
    }
    Ok(())
}
