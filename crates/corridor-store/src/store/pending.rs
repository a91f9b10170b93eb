//! Writes of one transaction, held back and flushed as multi-row statements.
//!
//! A group commit decides many commands against state carried in memory (the write lock is held),
//! so their rows need not reach the database one statement at a time. Rows collect here and go out
//! in a few multi-row `INSERT … ON CONFLICT` statements before the commit — or earlier, when a
//! command must search the projections in SQL. Either way nothing is acknowledged before the
//! commit, so holding writes back changes no durability promise.

use std::collections::BTreeMap;

use corridor_domain::terms::AgreementId;
use corridor_domain::{
    AgreementState, Case, CaseId, Complaint, ComplaintId, Counts, Event, Hold, HoldId,
    SCHEMA_VERSION, Snapshot, StreamId,
};
use jiff::Timestamp;
use sqlx::{AnyConnection, AssertSqlSafe};

use corridor_log::tree::CompactTree;

use super::rows::{CaseRow, sha256_hex, stream_version, to_i64};
use crate::db::Backend;
use crate::error::StoreError;
use crate::log::{Growth, event_agreement, grow};

/// Most bound values in one statement: under SQLite's and PostgreSQL's limits with room to spare.
const BINDS_PER_STATEMENT_MAX: usize = 8_000;

/// A value to bind.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    MaybeInt(Option<i64>),
    Bytes(Vec<u8>),
}

#[derive(Debug, Default)]
pub(crate) struct Pending {
    events: Vec<Vec<Value>>,
    leaves: Vec<Vec<Value>>,
    nodes: Vec<Vec<Value>>,
    /// Access records in the compact layout: sequence number and encoding.
    access_records: Vec<Vec<Value>>,
    /// Names the transaction numbered for them.
    access_names: Vec<Vec<Value>>,
    cases: BTreeMap<CaseId, CaseRow>,
    holds: BTreeMap<HoldId, Vec<Value>>,
    agreements: BTreeMap<AgreementId, Vec<Value>>,
    counts: BTreeMap<AgreementId, Counts>,
    pub(crate) keys_added: Vec<(String, Vec<u8>)>,
    pub(crate) keys_erased: Vec<String>,
    complaints: BTreeMap<ComplaintId, Vec<Value>>,
    pub(crate) complaint_keys_added: Vec<(String, Vec<u8>)>,
    pub(crate) complaint_keys_erased: Vec<String>,
}

impl Pending {
    /// Numbers and encodes events after `last_seq`, and grows the log by one leaf for each;
    /// returns the first and last sequence numbers.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site, each argument a different piece of the transaction"
    )]
    pub(crate) fn append(
        &mut self,
        before: &Snapshot,
        after: &Snapshot,
        events: &[Event],
        now: Timestamp,
        last_seq: u64,
        tree: &mut CompactTree,
        salt_key: &[u8; 32],
    ) -> Result<(u64, u64), StoreError> {
        let mut seq = last_seq;
        let mut growth = Growth::default();
        let mut versions: BTreeMap<StreamId, u64> = BTreeMap::new();
        for event in events {
            let stream = event.body.stream();
            let version = match versions.get(&stream) {
                Some(version) => version + 1,
                None => stream_version(before, &stream) + 1,
            };
            versions.insert(stream.clone(), version);
            let body = event.to_json();
            // Check the event before it is stored: what is written must read back as the same event.
            if Event::from_json(&body).ok().as_ref() != Some(event) {
                return Err(StoreError::Internal(format!(
                    "event `{}` does not survive encoding",
                    event.body.kind()
                )));
            }
            seq += 1;
            let agreement = event_agreement(event, after);
            grow(
                tree,
                salt_key,
                &[(seq, event, body.clone(), agreement)],
                &mut growth,
            )?;
            let hash = sha256_hex(&body);
            self.events.push(vec![
                Value::Int(to_i64(seq)),
                Value::Text(stream.to_string()),
                Value::Int(to_i64(version)),
                Value::Text(event.body.kind().to_owned()),
                Value::Text(event.at.to_string()),
                Value::Text(now.to_string()),
                Value::Int(i64::from(SCHEMA_VERSION)),
                Value::Text(body),
                Value::Text(hash),
            ]);
        }
        for (index, leaf_seq, entry) in growth.leaves {
            self.leaves.push(vec![
                Value::Int(to_i64(index)),
                Value::Int(to_i64(leaf_seq)),
                Value::Bytes(entry),
            ]);
        }
        for (node, hash) in growth.nodes {
            self.nodes.push(vec![
                Value::Int(i64::from(node.level)),
                Value::Int(to_i64(node.index)),
                Value::Bytes(hash.as_bytes().to_vec()),
            ]);
        }
        Ok((last_seq + 1, seq))
    }

    /// Numbers one access record after `last_seq` and grows the log by its leaf, holding back its
    /// compact `record` and no leaf row: its entry is derived from the record when read, and
    /// its leaf hash is the level-0 node written here (see [`super::access`]). Returns its
    /// sequence number.
    pub(crate) fn append_compact(
        &mut self,
        event: &Event,
        record: Vec<u8>,
        last_seq: u64,
        tree: &mut CompactTree,
        salt_key: &[u8; 32],
    ) -> Result<u64, StoreError> {
        let seq = last_seq + 1;
        let mut growth = Growth::default();
        let agreement = event.body.agreement().map(ToString::to_string);
        grow(
            tree,
            salt_key,
            &[(seq, event, event.to_json(), agreement)],
            &mut growth,
        )?;
        // Leaf `seq - 1`: the leaf index and the sequence number move together (`prepare_log`).
        if growth.leaves.first().map(|(index, _, _)| *index + 1) != Some(seq) {
            return Err(StoreError::Internal(format!(
                "access record {seq} would not be leaf {}",
                seq - 1
            )));
        }
        self.access_records
            .push(vec![Value::Int(to_i64(seq)), Value::Bytes(record)]);
        for (node, hash) in growth.nodes {
            self.nodes.push(vec![
                Value::Int(i64::from(node.level)),
                Value::Int(to_i64(node.index)),
                Value::Bytes(hash.as_bytes().to_vec()),
            ]);
        }
        Ok(seq)
    }

    /// Holds back a name a transaction numbered.
    pub(crate) fn add_access_name(&mut self, id: u64, name: String) {
        self.access_names
            .push(vec![Value::Int(to_i64(id)), Value::Text(name)]);
    }

    /// Records the projection rows of every stream the events touched, as `after` has them.
    pub(crate) fn project(&mut self, after: &Snapshot, events: &[Event]) -> Result<(), StoreError> {
        for event in events {
            match event.body.stream() {
                StreamId::Case(id) => {
                    let case = after.cases.get(&id).ok_or_else(|| {
                        StoreError::Internal(format!("{id} vanished while applying"))
                    })?;
                    self.project_case(case, after);
                }
                StreamId::Hold(id) => {
                    let hold = after.holds.get(&id).ok_or_else(|| {
                        StoreError::Internal(format!("{id} vanished while applying"))
                    })?;
                    self.project_hold(hold);
                }
                StreamId::Agreement(id) => {
                    let state = after
                        .agreements
                        .get(&id)
                        .ok_or_else(|| StoreError::Internal(format!("agreement {id} vanished")))?;
                    if state.latest().is_none() {
                        return Err(StoreError::Internal(format!("agreement {id} has no terms")));
                    }
                    self.project_agreement(state, after);
                }
                // Access records have no projection, nor have the monitoring body's visits and
                // findings (read from their streams, as holds are).
                StreamId::Access | StreamId::Visit(_) | StreamId::Finding(_) => {}
                StreamId::Complaint(id) => {
                    let complaint = after.complaints.get(&id).ok_or_else(|| {
                        StoreError::Internal(format!("{id} vanished while applying"))
                    })?;
                    self.project_complaint(complaint);
                }
            }
        }
        Ok(())
    }

    /// Records the projection rows of every stream in a whole state (to rebuild projections).
    pub(crate) fn project_all(&mut self, state: &Snapshot) {
        for case in state.cases.values() {
            self.project_case(case, state);
        }
        for hold in state.holds.values() {
            self.project_hold(hold);
        }
        for agreement in state.agreements.values() {
            self.project_agreement(agreement, state);
        }
        for complaint in state.complaints.values() {
            self.project_complaint(complaint);
        }
    }

    /// A complaint's row: what finds it by its receipt or lists it for its monitoring body.
    fn project_complaint(&mut self, complaint: &Complaint) {
        self.complaints.insert(
            complaint.id,
            vec![
                Value::Text(complaint.id.to_string()),
                Value::Text(complaint.agreement.to_string()),
                Value::Text(complaint.receipt.clone()),
                Value::Text(complaint.status.as_str().to_owned()),
                Value::Int(to_i64(complaint.version)),
            ],
        );
    }

    /// A case's row, and its agreement's counts.
    fn project_case(&mut self, case: &Case, state: &Snapshot) {
        let counts = state
            .counts
            .get(&case.agreement)
            .copied()
            .unwrap_or_default();
        self.counts.insert(case.agreement.clone(), counts);
        self.cases.insert(case.id, CaseRow::of(case, state));
    }

    /// A hold's row.
    fn project_hold(&mut self, hold: &Hold) {
        self.holds.insert(
            hold.id,
            vec![
                Value::Text(hold.id.to_string()),
                Value::Text(hold.court.clone()),
                Value::Text(hold.reference.clone()),
                Value::Text(hold.status.as_str().to_owned()),
                Value::Text(serde_json::to_string(&hold.scope).unwrap_or_default()),
                Value::MaybeText(hold.depends_on.map(|parent| parent.to_string())),
                Value::Int(to_i64(hold.version)),
            ],
        );
    }

    /// An agreement's row (when it has terms) and its counts.
    fn project_agreement(&mut self, agreement: &AgreementState, state: &Snapshot) {
        let id = &agreement.id;
        if let Some(latest) = agreement.latest() {
            self.agreements.insert(
                id.clone(),
                vec![
                    Value::Text(id.to_string()),
                    Value::Int(i64::from(agreement.latest_version())),
                    Value::Int(to_i64(agreement.version)),
                    Value::Text(latest.sending.to_string()),
                    Value::Text(latest.receiving.to_string()),
                    Value::Text(latest.title.clone()),
                ],
            );
        }
        let counts = state.counts.get(id).copied().unwrap_or_default();
        self.counts.insert(id.clone(), counts);
    }

    /// Writes everything held back, in a few multi-row statements.
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        let events = std::mem::take(&mut self.events);
        insert_rows(
            conn,
            backend,
            "INSERT INTO events (seq, stream, version, kind, occurred_at, recorded_at, schema, body, body_sha256) VALUES ",
            events,
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO log_leaves (leaf_index, seq, entry) VALUES ",
            std::mem::take(&mut self.leaves),
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO access_names (id, name) VALUES ",
            std::mem::take(&mut self.access_names),
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO access_records (seq, record) VALUES ",
            std::mem::take(&mut self.access_records),
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO log_nodes (level, node_index, hash) VALUES ",
            std::mem::take(&mut self.nodes),
            "",
        )
        .await?;
        let cases: Vec<Vec<Value>> = std::mem::take(&mut self.cases)
            .into_values()
            .map(|row| {
                vec![
                    Value::Text(row.case_id),
                    Value::Text(row.agreement),
                    Value::Int(row.terms_version),
                    Value::Text(row.status),
                    Value::Int(row.version),
                    Value::Text(row.nationality),
                    Value::Text(row.legal_basis),
                    Value::MaybeText(row.designation),
                    Value::MaybeText(row.detention_place),
                    Value::Text(row.removal_ordered_on),
                    Value::Text(row.proposed_at),
                    Value::MaybeText(row.counsel),
                    Value::MaybeInt(row.next_deadline_ms),
                ]
            })
            .collect();
        insert_rows(
            conn,
            backend,
            "INSERT INTO cases (case_id, agreement, terms_version, status, version, nationality, legal_basis, \
             designation, detention_place, removal_ordered_on, proposed_at, counsel, next_deadline_ms) VALUES ",
            cases,
            " ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, version = excluded.version, \
             next_deadline_ms = excluded.next_deadline_ms",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO holds (hold_id, court, reference, status, scope, depends_on, version) VALUES ",
            std::mem::take(&mut self.holds).into_values().collect(),
            " ON CONFLICT (hold_id) DO UPDATE SET status = excluded.status, scope = excluded.scope, version = excluded.version",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "INSERT INTO agreements (agreement_id, terms_version, version, sending, receiving, title) VALUES ",
            std::mem::take(&mut self.agreements).into_values().collect(),
            " ON CONFLICT (agreement_id) DO UPDATE SET terms_version = excluded.terms_version, \
             version = excluded.version, title = excluded.title",
        )
        .await?;
        let counts = std::mem::take(&mut self.counts)
            .into_iter()
            .map(|(id, counts)| {
                vec![
                    Value::Text(id.to_string()),
                    Value::Int(to_i64(counts.transferred)),
                    Value::Int(to_i64(counts.present)),
                    Value::Int(to_i64(counts.scheduled)),
                ]
            })
            .collect();
        insert_rows(
            conn,
            backend,
            "INSERT INTO agreement_counts (agreement_id, transferred, present, scheduled) VALUES ",
            counts,
            " ON CONFLICT (agreement_id) DO UPDATE SET transferred = excluded.transferred, \
             present = excluded.present, scheduled = excluded.scheduled",
        )
        .await?;
        let keys = std::mem::take(&mut self.keys_added)
            .into_iter()
            .map(|(case, wrapped)| vec![Value::Text(case), Value::Bytes(wrapped)])
            .collect();
        insert_rows(
            conn,
            backend,
            "INSERT INTO case_keys (case_id, wrapped_key) VALUES ",
            keys,
            "",
        )
        .await?;
        // Erasures after additions: a key added and erased in one batch ends up gone.
        for case in std::mem::take(&mut self.keys_erased) {
            sqlx::query("DELETE FROM case_keys WHERE case_id = $1")
                .bind(case)
                .execute(&mut *conn)
                .await?;
        }
        self.flush_complaints(conn, backend).await
    }

    /// The complaints' rows and keys (written only when a complaint command ran).
    async fn flush_complaints(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        insert_rows(
            conn,
            backend,
            "INSERT INTO complaints (complaint_id, agreement, receipt, status, version) VALUES ",
            std::mem::take(&mut self.complaints).into_values().collect(),
            " ON CONFLICT (complaint_id) DO UPDATE SET status = excluded.status, version = excluded.version",
        )
        .await?;
        let keys = std::mem::take(&mut self.complaint_keys_added)
            .into_iter()
            .map(|(id, wrapped)| vec![Value::Text(id), Value::Bytes(wrapped)])
            .collect();
        insert_rows(
            conn,
            backend,
            "INSERT INTO complaint_keys (complaint_id, wrapped_key) VALUES ",
            keys,
            "",
        )
        .await?;
        for id in std::mem::take(&mut self.complaint_keys_erased) {
            sqlx::query("DELETE FROM complaint_keys WHERE complaint_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// The rows of the next statement when `left` remain: the largest power of two that fits,
/// or `per_statement` when that is smaller.
fn prefix_rows(left: usize, per_statement: usize) -> usize {
    let power = 1usize << left.ilog2();
    power.min(per_statement).max(1)
}

/// Inserts rows in multi-row statements.
///
/// SQLite gets anonymous `?` placeholders here, the one exception to corridor's `$1` style: sqlx
/// resolves every `$N` by asking SQLite for each parameter's name, a linear search that makes a
/// statement with thousands of `$N` parameters quadratic (measured: half the time of a group
/// commit). Anonymous parameters bind by position with no lookup.
async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    head: &str,
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let per_statement = (BINDS_PER_STATEMENT_MAX / width.max(1)).max(1);
    let mut left = rows.len();
    let mut rows = rows.into_iter();
    while left > 0 {
        // Statements of 1, 2, 4, 8, … rows: a handful of distinct texts per table, so the
        // connection's cache of prepared statements keeps them instead of parsing each anew.
        let size = prefix_rows(left, per_statement);
        left -= size;
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(size).collect();
        let mut sql = String::from(head);
        backend.push_value_rows(&mut sql, chunk.iter().map(Vec::len));
        sql.push_str(tail);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for value in chunk.into_iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::MaybeText(text) => query.bind(text),
                Value::Int(number) => query.bind(number),
                Value::MaybeInt(number) => query.bind(number),
                Value::Bytes(bytes) => query.bind(bytes),
            };
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
