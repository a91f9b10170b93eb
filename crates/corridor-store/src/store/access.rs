//! Access records in their compact layout (schema version 8): the names they use, how the write
//! path numbers new names, and how every reader reads them beside the events of `events`.
//!
//! A compact access record is one row of `access_records` (its [`crate::access_codec`] encoding)
//! and no row of `log_leaves`: its leaf entry is derived when read, by the same rule and from the
//! same JSON as when it was written. Leaf `i` always records event `i + 1` (every event gets
//! exactly one leaf, in its transaction, in sequence order: `prepare_log` refuses a log whose
//! size is not the last sequence number, and `check_log` checks every leaf's index), so a
//! record's leaf is found by its sequence number alone. What proves a record unchanged is its
//! leaf hash, stored in `log_nodes` at level 0 when it was written: every read rebuilds the
//! entry, hashes it and compares, and refuses a difference as [`StoreError::Corrupt`], as a JSON
//! row whose body no longer matches its hash is refused.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use corridor_domain::{ACCESS_STREAM, Event};
use corridor_log::hash::leaf_hash;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::Store;
use super::rows::{StoredEvent, decode_row, to_i64, to_u64};
use crate::access_codec::{self, CodecError, Parsed};
use crate::error::StoreError;
use crate::log::LeafRule;

/// Most names the store keeps in memory; past it the cache starts again (names are read back
/// from `access_names` as needed).
pub(crate) const NAMES_CACHED_MAX: usize = 100_000;

/// Most name ids bound in one lookup statement.
const NAMES_PER_LOOKUP: usize = 500;

/// The names of `access_names` this process has seen committed, both ways.
#[derive(Debug, Default)]
pub(crate) struct Names {
    by_id: HashMap<u64, String>,
    by_name: HashMap<String, u64>,
}

impl Names {
    fn insert(&mut self, id: u64, name: &str) {
        if self.by_id.len() >= NAMES_CACHED_MAX {
            self.by_id.clear();
            self.by_name.clear();
        }
        self.by_id.insert(id, name.to_owned());
        self.by_name.insert(name.to_owned(), id);
    }
}

/// Names a write transaction numbered: in the database once it commits, in the cache only then.
#[derive(Debug, Default)]
pub(crate) struct NewNames {
    /// The next id to give, once read from the database.
    next: Option<u64>,
    /// Names given ids by this transaction, and names it looked up.
    pub(crate) known: BTreeMap<String, u64>,
    /// The names this transaction numbered, to insert.
    pub(crate) added: Vec<(u64, String)>,
}

/// Compact records as the log check reads them ([`Store::compact_check_page`]).
pub(crate) type CheckPage = Vec<(u64, Option<Vec<u8>>, Result<Vec<u8>, StoreError>)>;

/// A compact record as read, with the level-0 hash stored for its leaf.
#[derive(Debug, Clone)]
pub(crate) struct CompactRow {
    /// Its sequence number (its leaf is `seq - 1`).
    pub(crate) seq: u64,
    /// Its encoding.
    record: Vec<u8>,
    /// The hash `log_nodes` holds for its leaf, if any.
    pub(crate) leaf_hash: Option<Vec<u8>>,
}

/// The columns every read of compact records selects: the record and its stored leaf hash.
const COMPACT_SELECT: &str = "SELECT r.seq, r.record, n.hash AS leaf_hash FROM access_records r \
     LEFT JOIN log_nodes n ON n.level = 0 AND n.node_index = r.seq - 1";

/// The columns of a read that needs no leaf hash (counting leaves by their public fields).
const COMPACT_SELECT_BARE: &str = "SELECT r.seq, r.record FROM access_records r";

/// Reads compact records with their stored leaf hashes, `condition` binding `binds` in order.
pub(crate) async fn fetch_compact(
    conn: &mut AnyConnection,
    condition: &str,
    binds: &[i64],
) -> Result<Vec<CompactRow>, StoreError> {
    fetch(conn, COMPACT_SELECT, condition, binds, true).await
}

/// Reads compact records without their leaf hashes: for what reads only the public fields of
/// their leaves, which the hashes do not change ([`Store::count_compact_leaves`]).
pub(crate) async fn fetch_compact_bare(
    conn: &mut AnyConnection,
    condition: &str,
    binds: &[i64],
) -> Result<Vec<CompactRow>, StoreError> {
    fetch(conn, COMPACT_SELECT_BARE, condition, binds, false).await
}

async fn fetch(
    conn: &mut AnyConnection,
    select: &str,
    condition: &str,
    binds: &[i64],
    with_leaf_hash: bool,
) -> Result<Vec<CompactRow>, StoreError> {
    let sql = format!("{select} {condition}");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for bind in binds {
        query = query.bind(*bind);
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(CompactRow {
                seq: to_u64(row.try_get("seq")?)?,
                record: row.try_get("record")?,
                leaf_hash: if with_leaf_hash {
                    row.try_get("leaf_hash")?
                } else {
                    None
                },
            })
        })
        .collect()
}

/// What decoding a page of compact records needs: their names, the salt key and the leaf rule.
#[derive(Debug)]
pub(crate) struct Decoder {
    names: HashMap<u64, String>,
    leaf: Option<([u8; 32], LeafRule)>,
}

/// A compact record decoded, its leaf entry rebuilt and checked.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) stored: StoredEvent,
    pub(crate) entry: Vec<u8>,
}

fn corrupt(seq: u64, error: &CodecError) -> StoreError {
    StoreError::Corrupt(format!("access record {seq} does not decode: {error}"))
}

impl Decoder {
    /// Decodes a record, rebuilds its leaf entry and checks it against the stored leaf hash.
    pub(crate) fn decode(&self, row: &CompactRow) -> Result<Decoded, StoreError> {
        let decoded = self.rebuild(row)?;
        let seq = row.seq;
        let Some(stored_hash) = &row.leaf_hash else {
            return Err(StoreError::Corrupt(format!("event {seq} has no log leaf")));
        };
        if leaf_hash(&decoded.entry).as_bytes().as_slice() != stored_hash.as_slice() {
            // The same words as a JSON row whose body no longer matches its hash.
            return Err(StoreError::Corrupt(format!(
                "event {seq} does not match its stored hash"
            )));
        }
        Ok(decoded)
    }

    /// Decodes a record and rebuilds its leaf entry, without comparing it with the stored leaf
    /// hash: for `check_log`, which reports the difference itself.
    pub(crate) fn rebuild(&self, row: &CompactRow) -> Result<Decoded, StoreError> {
        let seq = row.seq;
        let parsed = access_codec::parse(&row.record).map_err(|error| corrupt(seq, &error))?;
        let event = parsed
            .resolve(|id| self.names.get(&id).map(String::as_str))
            .map_err(|error| corrupt(seq, &error))?;
        let body = event.to_json();
        let entry = self.entry(seq, &event, &body)?;
        Ok(Decoded {
            stored: StoredEvent {
                seq,
                stream: ACCESS_STREAM.to_owned(),
                version: parsed.version,
                recorded_at: parsed.recorded_at,
                event,
                body,
            },
            entry,
        })
    }

    /// The leaf entry of an access record, as written: its public fields by the leaf rule and
    /// its commitment to the JSON.
    fn entry(&self, seq: u64, event: &Event, body: &str) -> Result<Vec<u8>, StoreError> {
        let (key, rule) = self
            .leaf
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("the log has leaves but no salt key".to_owned()))?;
        let agreement = event.body.agreement().map(ToString::to_string);
        Ok(crate::log::entry_of(
            *rule,
            key,
            seq,
            event,
            body,
            agreement.as_deref(),
        ))
    }
}

/// The name ids compact rows refer to (a row that does not parse refers to none: its decoding
/// reports it).
fn ids_of(rows: &[CompactRow]) -> BTreeSet<u64> {
    rows.iter()
        .filter_map(|row| access_codec::parse(&row.record).ok())
        .flat_map(|parsed: Parsed| parsed.name_ids())
        .collect()
}

impl Store {
    /// A decoder for `rows`: their names from the cache or `access_names`, and the log's salt key
    /// and leaf rule. Read on `conn`, which sees only committed rows when it is not the writer's:
    /// the names it finds are cached (an id, once committed, never changes).
    pub(crate) async fn decoder(
        &self,
        conn: &mut AnyConnection,
        rows: &[CompactRow],
    ) -> Result<Decoder, StoreError> {
        let names = self.names_for(conn, ids_of(rows)).await?;
        let leaf = if rows.is_empty() {
            None
        } else {
            self.leaf_context(conn).await?
        };
        Ok(Decoder { names, leaf })
    }

    /// The names of `ids`, from the cache or `access_names` (caching what it reads there).
    async fn names_for(
        &self,
        conn: &mut AnyConnection,
        ids: BTreeSet<u64>,
    ) -> Result<HashMap<u64, String>, StoreError> {
        let mut names = HashMap::new();
        let mut missing = Vec::new();
        {
            let cache = self.names.lock().map_err(|_| poisoned())?;
            for id in ids {
                match cache.by_id.get(&id) {
                    Some(name) => {
                        names.insert(id, name.clone());
                    }
                    None => missing.push(id),
                }
            }
        }
        let found = names_by_id(conn, &missing).await?;
        if !found.is_empty() {
            let mut cache = self.names.lock().map_err(|_| poisoned())?;
            for (id, name) in &found {
                cache.insert(*id, name);
            }
        }
        names.extend(found);
        Ok(names)
    }

    /// How many leaves of compact access records in `from..size` each (agreement, month, kind)
    /// has, as their leaves say them. Records are grouped by what decides their leaf's public
    /// fields (role, agreement, UTC day, and whether the monitoring-record rule applied) without
    /// looking up any other name, and each group's fields are then given by the leaf rule itself.
    pub(crate) async fn count_compact_leaves(
        &self,
        conn: &mut AnyConnection,
        from: u64,
        size: u64,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        const PAGE: i64 = 10_000;
        const SECONDS_PER_DAY: i64 = 86_400;
        let rule = self
            .leaf_context(conn)
            .await?
            .map_or(LeafRule::CURRENT, |(_, rule)| rule);
        let mut groups: BTreeMap<(u64, Option<u64>, i64, bool), u64> = BTreeMap::new();
        // Leaves `from..size` record events `from + 1 ..= size`.
        let mut after = to_i64(from);
        let last = to_i64(size);
        loop {
            // Leaf `i` records event `i + 1`: the leaves below `size` are the events up to it.
            let rows = fetch_compact_bare(
                conn,
                "WHERE r.seq > $1 AND r.seq <= $2 ORDER BY r.seq LIMIT $3",
                &[after, last, PAGE],
            )
            .await?;
            let Some(tail) = rows.last() else { break };
            after = to_i64(tail.seq);
            for row in &rows {
                let parsed =
                    access_codec::parse(&row.record).map_err(|error| corrupt(row.seq, &error))?;
                let day = parsed.at.as_second().div_euclid(SECONDS_PER_DAY);
                let ruled = row.seq >= rule.monitoring_from;
                *groups
                    .entry((parsed.role, parsed.agreement, day, ruled))
                    .or_default() += 1;
            }
        }
        let ids: BTreeSet<u64> = groups
            .keys()
            .flat_map(|(role, agreement, _, _)| std::iter::once(*role).chain(*agreement))
            .collect();
        let names = self.names_for(conn, ids).await?;
        let name = |id: u64| {
            names.get(&id).map(String::as_str).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "an access record names id {id}, which `access_names` does not hold"
                ))
            })
        };
        let mut counts = BTreeMap::new();
        for ((role, agreement, day, ruled), leaves) in groups {
            let role_name = name(role)?;
            let role = corridor_domain::Role::parse(role_name).ok_or_else(|| {
                StoreError::Corrupt(format!("an access record names the role `{role_name}`"))
            })?;
            let agreement = agreement.map(name).transpose()?;
            let at = jiff::Timestamp::from_second(day.saturating_mul(SECONDS_PER_DAY))
                .map_err(|error| StoreError::Corrupt(format!("an access record's day: {error}")))?;
            // A stand-in with exactly what the rule reads: the kind, the role, the day.
            let stand_in = Event {
                at,
                by: None,
                body: corridor_domain::EventBody::AccessRecorded {
                    role,
                    action: String::new(),
                    resource: String::new(),
                    agreement: None,
                    allowed: false,
                    policies: Vec::new(),
                },
            };
            let seq = if ruled { u64::MAX } else { 0 };
            let (kind, agreement, day) = rule.fields(seq, &stand_in, agreement);
            let month = day.get(..7).unwrap_or_default().to_owned();
            // `-`: what a leaf naming no agreement says (`corridor_log::leaf::leaf_entry`).
            let agreement = agreement.unwrap_or("-").to_owned();
            *counts
                .entry((agreement, month, kind.to_owned()))
                .or_default() += leaves;
        }
        Ok(counts)
    }

    /// The salt key and leaf rule, cached once read (neither changes once the log has a leaf).
    async fn leaf_context(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<Option<([u8; 32], LeafRule)>, StoreError> {
        let cached = *self.leaf_context.lock().map_err(|_| poisoned())?;
        if cached.is_some() {
            return Ok(cached);
        }
        if crate::log::meta(conn, "salt_key").await?.is_none() {
            return Ok(None);
        }
        let context = (
            crate::log::salt_key(conn).await?,
            crate::log::leaf_rule(conn).await?,
        );
        *self.leaf_context.lock().map_err(|_| poisoned())? = Some(context);
        Ok(Some(context))
    }

    /// Decodes compact rows, each checked; an error for each that does not decode or check.
    pub(crate) async fn decode_compact(
        &self,
        conn: &mut AnyConnection,
        rows: &[CompactRow],
    ) -> Result<Vec<(u64, Result<Decoded, StoreError>)>, StoreError> {
        let decoder = self.decoder(conn, rows).await?;
        Ok(rows
            .iter()
            .map(|row| (row.seq, decoder.decode(row)))
            .collect())
    }

    /// The leaf entries of the compact access records numbered after `after_seq` up to
    /// `last_seq`, each rebuilt and checked against its stored leaf hash: (leaf index, sequence
    /// number, entry), leaf `seq - 1` recording event `seq`.
    pub(crate) async fn compact_entries(
        &self,
        conn: &mut AnyConnection,
        after_seq: u64,
        last_seq: u64,
    ) -> Result<Vec<(u64, u64, Vec<u8>)>, StoreError> {
        let rows = fetch_compact(
            conn,
            "WHERE r.seq > $1 AND r.seq <= $2 ORDER BY r.seq",
            &[to_i64(after_seq), to_i64(last_seq)],
        )
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for (seq, decoded) in self.decode_compact(conn, &rows).await? {
            entries.push((seq - 1, seq, decoded?.entry));
        }
        Ok(entries)
    }

    /// The compact access records after `after_seq`, at most `limit`, as the log check reads
    /// them: sequence number, the leaf hash stored for it (if any), and its entry rebuilt from
    /// the record (or why it could not be), not yet compared with each other.
    pub(crate) async fn compact_check_page(
        &self,
        conn: &mut AnyConnection,
        after_seq: u64,
        limit: u32,
    ) -> Result<CheckPage, StoreError> {
        let rows = fetch_compact(
            conn,
            "WHERE r.seq > $1 ORDER BY r.seq LIMIT $2",
            &[to_i64(after_seq), i64::from(limit)],
        )
        .await?;
        let decoder = self.decoder(conn, &rows).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let entry = decoder.rebuild(&row).map(|decoded| decoded.entry);
                (row.seq, row.leaf_hash, entry)
            })
            .collect())
    }

    /// Events after `after_seq` in sequence order, at most `limit`, from both layouts: the rows
    /// of `events` (only the access stream's when `access_only`) and the compact access records.
    /// Each is decoded and checked, or gives the error that says why not, so that a replay can
    /// report a bad row and go on. Run it inside one transaction (or the writer's), so both
    /// tables are read at the same moment.
    pub(crate) async fn events_page(
        &self,
        conn: &mut AnyConnection,
        after_seq: u64,
        limit: u32,
        access_only: bool,
    ) -> Result<Vec<(u64, Result<StoredEvent, StoreError>)>, StoreError> {
        let stream = if access_only { " AND stream = $3" } else { "" };
        let sql = format!(
            "SELECT seq, stream, version, recorded_at, body, body_sha256, kind FROM events \
             WHERE seq > $1{stream} ORDER BY seq LIMIT $2"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(to_i64(after_seq))
            .bind(i64::from(limit));
        if access_only {
            query = query.bind(ACCESS_STREAM);
        }
        let mut page: Vec<(u64, Result<StoredEvent, StoreError>)> = Vec::new();
        for row in query.fetch_all(&mut *conn).await? {
            let seq = to_u64(row.try_get("seq")?)?;
            page.push((seq, decode_row(&row)));
        }
        let compact = fetch_compact(
            conn,
            "WHERE r.seq > $1 ORDER BY r.seq LIMIT $2",
            &[to_i64(after_seq), i64::from(limit)],
        )
        .await?;
        for (seq, decoded) in self.decode_compact(conn, &compact).await? {
            page.push((seq, decoded.map(|decoded| decoded.stored)));
        }
        page.sort_by_key(|(seq, _)| *seq);
        page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(page)
    }

    /// The ids of `names`, numbering those `access_names` does not hold yet inside the write
    /// transaction `tx` (whose writer lock is held, so no other writer numbers at once). New
    /// names reach the cache only after the commit ([`Store::cache_names`]).
    pub(crate) async fn name_ids(
        &self,
        tx: &mut AnyConnection,
        names: &[&str],
        new: &mut NewNames,
    ) -> Result<(), StoreError> {
        for name in names {
            if new.known.contains_key(*name) {
                continue;
            }
            let cached = self
                .names
                .lock()
                .map_err(|_| poisoned())?
                .by_name
                .get(*name)
                .copied();
            let id = match cached {
                Some(id) => id,
                None => {
                    let row = sqlx::query("SELECT id FROM access_names WHERE name = $1")
                        .bind((*name).to_owned())
                        .fetch_optional(&mut *tx)
                        .await?;
                    match row {
                        Some(row) => to_u64(row.try_get("id")?)?,
                        None => {
                            let id = match new.next {
                                Some(next) => next,
                                None => {
                                    let row = sqlx::query(
                                        "SELECT COALESCE(MAX(id), 0) AS last FROM access_names",
                                    )
                                    .fetch_one(&mut *tx)
                                    .await?;
                                    to_u64(row.try_get("last")?)? + 1
                                }
                            };
                            new.next = Some(id + 1);
                            new.added.push((id, (*name).to_owned()));
                            id
                        }
                    }
                }
            };
            new.known.insert((*name).to_owned(), id);
        }
        Ok(())
    }

    /// Tells the cache the names a committed transaction used.
    pub(crate) fn cache_names(&self, new: &NewNames) {
        if let Ok(mut cache) = self.names.lock() {
            for (name, id) in &new.known {
                cache.insert(*id, name);
            }
        }
    }

    /// How many access records the database holds in the compact layout (a test's check of
    /// which layout was written).
    pub async fn compact_access_records(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM access_records")
            .fetch_one(&self.pool)
            .await?;
        to_u64(row.try_get("n")?)
    }

    /// Makes this store write new access records as JSON events with stored leaves, as before
    /// schema version 8: for tests and benchmarks that compare the two layouts, never for a
    /// deployment.
    #[cfg(feature = "test-support")]
    pub fn write_access_records_as_events(&self) {
        self.legacy_access
            .store(true, std::sync::atomic::Ordering::Release);
    }
}

/// Names by id, from `access_names`.
async fn names_by_id(
    conn: &mut AnyConnection,
    ids: &[u64],
) -> Result<Vec<(u64, String)>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(NAMES_PER_LOOKUP) {
        let sql = format!(
            "SELECT id, name FROM access_names WHERE id IN ({})",
            super::rows::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(to_i64(*id));
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.push((to_u64(row.try_get("id")?)?, row.try_get("name")?));
        }
    }
    Ok(found)
}

/// The access stream's version as the last compact record has it (0 when there is none).
pub(crate) async fn last_compact_version(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT seq, record FROM access_records ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(0) };
    let seq = to_u64(row.try_get("seq")?)?;
    let record: Vec<u8> = row.try_get("record")?;
    access_codec::version_of(&record).map_err(|error| corrupt(seq, &error))
}

fn poisoned() -> StoreError {
    StoreError::Internal("the access names cache was poisoned by a panic".to_owned())
}
