//! The transparency log inside the store: leaves written with their events, stored subtree hashes,
//! signed checkpoints, proofs and tiles.
//!
//! Every event becomes one leaf in the same transaction, so there is no event without its leaf and
//! no leaf without its event. A leaf is public and names nobody:
//!
//! ```text
//! corridor/leaf/v1
//! kind case_proposed
//! agreement us-rwa-2025
//! day 2025-08-04
//! commitment <base64 SHA-256(salt ‖ stored event bytes)>
//! ```
//!
//! The salt is an HMAC of the event's sequence number under a per-database secret, so the public
//! cannot test guesses against a commitment, while whoever holds the stored event can be given its
//! salt and check that this exact event is in the log (`corridor log prove --event`).

use std::collections::BTreeMap;

use corridor_domain::{Event, Snapshot, StreamId};
use corridor_log::tree::{self, CompactTree, HashReader, NodeId};
use corridor_log::{Hash, hash::leaf_hash, hash::sha256};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sqlx::{AnyConnection, AssertSqlSafe, Connection as _, Row};

use crate::error::StoreError;

// The leaf format is public, pure and shared with outside verifiers: it lives in corridor-log.
pub use corridor_log::leaf::{LEAF_FORMAT, commitment, leaf_entry};

/// The origin used when none was configured.
pub const DEFAULT_ORIGIN: &str = "corridor.invalid/log";

/// The salt of the event with sequence number `seq`.
pub fn leaf_salt(salt_key: &[u8; 32], seq: u64) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(salt_key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch is unreachable.
        <Hmac<Sha256> as KeyInit>::new(&Default::default())
    });
    mac.update(b"corridor/leaf-salt/v1");
    mac.update(&seq.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// The agreement an event concerns, as far as the public may know it.
pub fn event_agreement(event: &Event, after: &Snapshot) -> Option<String> {
    match event.body.stream() {
        StreamId::Agreement(id) => Some(id.to_string()),
        StreamId::Case(id) => after.cases.get(&id).map(|case| case.agreement.to_string()),
        // A hold may cover cases of several agreements; its leaf names none.
        StreamId::Hold(_) => None,
        // The monitoring body's records name none either (docs/monitoring.md).
        StreamId::Visit(_) | StreamId::Finding(_) => None,
        StreamId::Access => event.body.agreement().map(ToString::to_string),
        // A complaint's leaf names no agreement (its rule drops any).
        StreamId::Complaint(_) => None,
    }
}

/// Remembers each case's agreement while events are read in order, to name the agreement in a
/// case event's leaf (only a case's first event names it).
#[derive(Debug, Default)]
pub struct LeafAgreements(BTreeMap<String, String>);

impl LeafAgreements {
    /// The agreement the leaf of `event`, stored in `stream`, names.
    pub fn of(&mut self, stream: &str, event: Option<&Event>) -> Option<String> {
        if let Some(id) = stream.strip_prefix("agreement:") {
            return Some(id.to_owned());
        }
        if stream == corridor_domain::ACCESS_STREAM {
            return event
                .and_then(|event| event.body.agreement())
                .map(ToString::to_string);
        }
        if !stream.starts_with("case-") {
            return None;
        }
        if let Some(agreement) = event.and_then(|event| event.body.agreement()) {
            self.0.insert(stream.to_owned(), agreement.to_string());
        }
        self.0.get(stream).cloned()
    }
}

/// Which leaf rule an event was written under: the monitoring body's records get their neutral
/// leaf ([`leaf_fields`]) from the event numbered `monitoring_from` on, the number migration 5
/// recorded (`log_meta` key `monitoring_leaves_from`) when a database that held events first met
/// this rule (none recorded: the rule holds from the first event).
/// Leaves already written are never rewritten, so a leaf is rebuilt by the rule in force when
/// it was written (docs/log.md, "The monitoring body's records").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafRule {
    /// The first sequence number written under the monitoring-record rule.
    pub monitoring_from: u64,
}

impl LeafRule {
    /// The rule every new event is written under.
    pub const CURRENT: Self = Self { monitoring_from: 0 };

    /// The public fields (kind, agreement, day) of the leaf of event `seq`.
    pub fn fields<'a>(
        self,
        seq: u64,
        event: &Event,
        agreement: Option<&'a str>,
    ) -> (&'static str, Option<&'a str>, String) {
        let date = event.at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        if seq >= self.monitoring_from && event.body.is_monitoring_record() {
            return leaf_fields_of_monitoring_record(date);
        }
        (event.body.kind(), agreement, date.to_string())
    }
}

/// The public fields of a monitoring-body record's leaf: one neutral kind, no agreement, and
/// only the first day of its month (docs/log.md, "The monitoring body's records").
fn leaf_fields_of_monitoring_record<'a>(
    date: jiff::civil::Date,
) -> (&'static str, Option<&'a str>, String) {
    (
        corridor_domain::MONITORING_RECORD_KIND,
        None,
        date.first_of_month().to_string(),
    )
}

/// The leaf entry of event `seq`, stored as `body`, under `rule`.
pub(crate) fn entry_of(
    rule: LeafRule,
    salt_key: &[u8; 32],
    seq: u64,
    event: &Event,
    body: &str,
    agreement: Option<&str>,
) -> Vec<u8> {
    let salt = leaf_salt(salt_key, seq);
    let (kind, agreement, day) = rule.fields(seq, event, agreement);
    leaf_entry(kind, agreement, &day, &commitment(&salt, body))
}

/// The leaf of a stored event, rebuilt from what the store holds, by the rule in force when it
/// was written.
pub fn rebuild_entry(
    rule: LeafRule,
    salt_key: &[u8; 32],
    seq: u64,
    body: &str,
    agreement: Option<&str>,
) -> Result<Vec<u8>, StoreError> {
    let event = Event::from_json(body)
        .map_err(|error| StoreError::Corrupt(format!("event {seq} does not decode: {error}")))?;
    Ok(entry_of(rule, salt_key, seq, &event, body, agreement))
}

/// The leaf rule the database records (see [`LeafRule`]).
pub(crate) async fn leaf_rule(conn: &mut AnyConnection) -> Result<LeafRule, StoreError> {
    // No value: the database had no events when it met the rule, which holds from its first.
    let Some(text) = meta(conn, "monitoring_leaves_from").await? else {
        return Ok(LeafRule::CURRENT);
    };
    let monitoring_from = text.trim().parse().map_err(|_| {
        StoreError::Corrupt(format!(
            "`monitoring_leaves_from` is `{text}`, not a number"
        ))
    })?;
    Ok(LeafRule { monitoring_from })
}

/// Reads log metadata; `None` when absent.
pub(crate) async fn meta(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT value FROM log_meta WHERE key = $1")
        .bind(key.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get("value")?),
        None => None,
    })
}

/// Sets log metadata once; an existing value is kept.
pub(crate) async fn set_meta_once(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO log_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key.to_owned())
        .bind(value.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The per-database salt key.
pub(crate) async fn salt_key(conn: &mut AnyConnection) -> Result<[u8; 32], StoreError> {
    let text = meta(conn, "salt_key")
        .await?
        .ok_or_else(|| StoreError::Corrupt("the log has no salt key".to_owned()))?;
    let bytes = hex::decode(text.trim())
        .map_err(|error| StoreError::Corrupt(format!("the log salt key: {error}")))?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("the log salt key is not 32 bytes".to_owned()))
}

/// The number of leaves.
pub(crate) async fn tree_size(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    // A compact access record has no leaf row; its leaf is `seq - 1` (see `store/access.rs`).
    let row = sqlx::query(
        "SELECT COALESCE(MAX(size), 0) AS size FROM (SELECT MAX(leaf_index) + 1 AS size FROM log_leaves \
         UNION ALL SELECT MAX(seq) AS size FROM access_records) AS sizes",
    )
    .fetch_one(&mut *conn)
    .await?;
    u64::try_from(row.try_get::<i64, _>("size")?)
        .map_err(|_| StoreError::Corrupt("negative tree size".to_owned()))
}

/// Stored node hashes, fetched in bulk, read by proof code through [`HashReader`].
#[derive(Debug, Default)]
pub struct NodeMap(BTreeMap<(u8, u64), Hash>);

/// A node the map does not hold.
#[derive(Debug, thiserror::Error)]
#[error("node ({0}, {1}) is not stored")]
pub struct MissingNode(u8, u64);

impl HashReader for NodeMap {
    type Error = MissingNode;
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.0
            .get(&(level, index))
            .copied()
            .ok_or(MissingNode(level, index))
    }
}

/// Records which nodes a computation asks for, answering with a placeholder.
#[derive(Debug, Default)]
struct Recorder(std::cell::RefCell<Vec<(u8, u64)>>);

impl HashReader for Recorder {
    type Error = MissingNode;
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.0.borrow_mut().push((level, index));
        Ok(Hash::from_bytes([0; 32]))
    }
}

/// Loads the given nodes.
pub(crate) async fn load_nodes(
    conn: &mut AnyConnection,
    nodes: &[(u8, u64)],
) -> Result<NodeMap, StoreError> {
    let mut map = NodeMap::default();
    for chunk in nodes.chunks(200) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = String::from("SELECT level, node_index, hash FROM log_nodes WHERE ");
        for index in 0..chunk.len() {
            if index > 0 {
                sql.push_str(" OR ");
            }
            sql.push_str(&format!(
                "(level = ${} AND node_index = ${})",
                2 * index + 1,
                2 * index + 2
            ));
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (level, index) in chunk {
            query = query
                .bind(i64::from(*level))
                .bind(i64::try_from(*index).unwrap_or(i64::MAX));
        }
        for row in query.fetch_all(&mut *conn).await? {
            let level = u8::try_from(row.try_get::<i64, _>("level")?)
                .map_err(|_| StoreError::Corrupt("node level".to_owned()))?;
            let index = u64::try_from(row.try_get::<i64, _>("node_index")?)
                .map_err(|_| StoreError::Corrupt("node index".to_owned()))?;
            let bytes: Vec<u8> = row.try_get("hash")?;
            let hash = Hash::from_slice(&bytes)
                .map_err(|error| StoreError::Corrupt(format!("node hash: {error}")))?;
            map.0.insert((level, index), hash);
        }
    }
    Ok(map)
}

/// Runs a proof computation against stored nodes: first to learn which nodes it reads, then for
/// real with exactly those loaded.
pub(crate) async fn with_nodes<T, E: std::fmt::Display>(
    conn: &mut AnyConnection,
    compute: impl Fn(&dyn ReaderFn) -> Result<T, E>,
) -> Result<T, StoreError> {
    let recorder = Recorder::default();
    let _ = compute(&recorder);
    let wanted = recorder.0.into_inner();
    let nodes = load_nodes(conn, &wanted).await?;
    compute(&nodes)
        .map_err(|error| StoreError::Corrupt(format!("the stored tree cannot answer: {error}")))
}

/// A node reader usable behind `dyn`.
pub(crate) trait ReaderFn {
    /// The hash of a node.
    fn read(&self, level: u8, index: u64) -> Result<Hash, MissingNode>;
}

impl<R: HashReader<Error = MissingNode>> ReaderFn for R {
    fn read(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.node(level, index)
    }
}

/// Adapts a `dyn ReaderFn` back into a [`HashReader`].
pub(crate) struct DynReader<'a>(pub &'a dyn ReaderFn);

impl std::fmt::Debug for DynReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynReader")
    }
}

impl HashReader for DynReader<'_> {
    type Error = MissingNode;
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.0.read(level, index)
    }
}

/// The tree as stored: its size and the frontier that lets it grow.
pub(crate) async fn load_tree(conn: &mut AnyConnection) -> Result<CompactTree, StoreError> {
    let size = tree_size(conn).await?;
    with_nodes(conn, |reader| {
        CompactTree::from_reader(&DynReader(reader), size)
    })
    .await
}

/// The root of the first `size` leaves, from stored nodes.
pub(crate) async fn root_at(conn: &mut AnyConnection, size: u64) -> Result<Hash, StoreError> {
    with_nodes(conn, |reader| tree::root(&DynReader(reader), size)).await
}

/// Leaf rows and node rows an append produces.
#[derive(Debug, Default)]
pub(crate) struct Growth {
    pub leaves: Vec<(u64, u64, Vec<u8>)>,
    pub nodes: Vec<(NodeId, Hash)>,
}

/// Appends the leaves of `events` (numbered from `first_seq`) to `tree`.
pub(crate) fn grow(
    tree: &mut CompactTree,
    salt_key: &[u8; 32],
    events: &[(u64, &Event, String, Option<String>)],
    growth: &mut Growth,
) -> Result<(), StoreError> {
    for (seq, event, body, agreement) in events {
        let entry = entry_of(
            LeafRule::CURRENT,
            salt_key,
            *seq,
            event,
            body,
            agreement.as_deref(),
        );
        let leaf = leaf_hash(&entry);
        let index = tree
            .append_with(leaf, |node, hash| growth.nodes.push((node, *hash)))
            // The only failure is a full tree (`u64::MAX` leaves); sequence numbers are stored
            // as `i64`, so a tree loaded or grown here never gets near it.
            .map_err(|error| StoreError::Internal(format!("the log cannot grow: {error}")))?;
        growth.leaves.push((index, *seq, entry));
    }
    Ok(())
}

/// A fresh random salt key, for databases created without a seed.
pub(crate) fn random_salt_key() -> Result<[u8; 32], StoreError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|error| StoreError::Random(format!("for the log salt key: {error}")))?;
    Ok(key)
}

/// SHA-256 of arbitrary bytes, re-exported for callers that check entries.
pub fn digest(bytes: &[u8]) -> Hash {
    sha256(bytes)
}

/// Leaves counted by (agreement, UTC month `YYYY-MM`, kind).
pub(crate) type MonthCounts = BTreeMap<(String, String, String), u64>;

/// How many leaves of one kind name one agreement in one UTC month
/// ([`crate::Store::leaf_counts_by_month`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafCount {
    /// The agreement the leaves name, `-` for none.
    pub agreement: String,
    /// The month, `YYYY-MM` (UTC).
    pub month: String,
    /// The leaves' kind.
    pub kind: String,
    /// How many.
    pub leaves: u64,
}

/// Most leaves or nodes one read returns.
pub const READ_ROWS_MAX: u64 = 65_536;

impl crate::Store {
    /// Sets the log's origin and salt key if they are not set yet (before the first event).
    pub async fn configure_log(
        &self,
        origin: Option<&str>,
        salt_key: Option<[u8; 32]>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        if let Some(origin) = origin {
            if origin.is_empty() || origin.contains(char::is_whitespace) || origin.contains('+') {
                return Err(StoreError::Invalid(format!(
                    "`{origin}` is not a log origin: use a non-empty name without spaces or `+` (e.g. `corridor.example.org/log`)"
                )));
            }
            let origin = self.deployment().origin(origin)?;
            set_meta_once(&mut conn, "origin", &origin).await?;
        }
        if let Some(key) = salt_key {
            if tree_size(&mut conn).await? > 0 && meta(&mut conn, "salt_key").await?.is_none() {
                return Err(StoreError::Invalid(
                    "the log already has leaves; its salt key cannot change".to_owned(),
                ));
            }
            set_meta_once(&mut conn, "salt_key", &hex::encode(key)).await?;
        }
        Ok(())
    }

    /// The log's origin line.
    pub async fn origin(&self) -> Result<String, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(meta(&mut conn, "origin")
            .await?
            .unwrap_or_else(|| DEFAULT_ORIGIN.to_owned()))
    }

    /// The current tree size and root.
    pub async fn tree_head(&self) -> Result<(u64, Hash), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let size = tree_size(&mut conn).await?;
        Ok((size, root_at(&mut conn, size).await?))
    }

    /// The per-database key that salts leaf commitments (never published).
    pub async fn salt_key(&self) -> Result<[u8; 32], StoreError> {
        let mut conn = self.pool.acquire().await?;
        salt_key(&mut conn).await
    }

    /// The leaf rule this database's log was written under (see [`LeafRule`]).
    pub async fn leaf_rule(&self) -> Result<LeafRule, StoreError> {
        let mut conn = self.pool.acquire().await?;
        leaf_rule(&mut conn).await
    }

    /// The salt of a stored event, for its holder to check the event's commitment.
    pub async fn salt(&self, seq: u64) -> Result<[u8; 32], StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(leaf_salt(&salt_key(&mut conn).await?, seq))
    }

    /// The leaf index of an event.
    pub async fn leaf_index_of(&self, seq: u64) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query(
            "SELECT leaf_index FROM log_leaves WHERE seq = $1 \
             UNION ALL SELECT seq - 1 AS leaf_index FROM access_records WHERE seq = $1",
        )
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(
                u64::try_from(row.try_get::<i64, _>("leaf_index")?).unwrap_or(0),
            )),
            None => Ok(None),
        }
    }

    /// Leaf entries `[from, from + count)`, with the event each records: the stored entries, and
    /// those of compact access records rebuilt from them and checked against their stored leaf
    /// hashes, byte for byte the entries they were written with.
    pub async fn leaves(
        &self,
        from: u64,
        count: u64,
    ) -> Result<Vec<(u64, u64, Vec<u8>)>, StoreError> {
        let end = from.saturating_add(count.min(READ_ROWS_MAX));
        let mut connection = self.pool.acquire().await?;
        let mut tx = connection.begin_with(self.backend.begin_snapshot()).await?;
        let rows = sqlx::query("SELECT leaf_index, seq, entry FROM log_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index")
            .bind(i64::try_from(from).unwrap_or(i64::MAX))
            .bind(i64::try_from(end).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
        let mut leaves = rows
            .iter()
            .map(|row| {
                Ok((
                    u64::try_from(row.try_get::<i64, _>("leaf_index")?).unwrap_or(0),
                    u64::try_from(row.try_get::<i64, _>("seq")?).unwrap_or(0),
                    row.try_get::<Vec<u8>, _>("entry")?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Leaf `i` records event `i + 1`.
        leaves.extend(self.compact_entries(&mut tx, from, end).await?);
        tx.rollback().await?;
        leaves.sort_by_key(|(index, _, _)| *index);
        Ok(leaves)
    }

    /// Stored node hashes of one level, `[from, from + count)`.
    pub async fn nodes(&self, level: u8, from: u64, count: u64) -> Result<Vec<Hash>, StoreError> {
        let rows = sqlx::query("SELECT hash FROM log_nodes WHERE level = $1 AND node_index >= $2 AND node_index < $3 ORDER BY node_index")
            .bind(i64::from(level))
            .bind(i64::try_from(from).unwrap_or(i64::MAX))
            .bind(i64::try_from(from.saturating_add(count.min(READ_ROWS_MAX))).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let bytes: Vec<u8> = row.try_get("hash")?;
                Hash::from_slice(&bytes)
                    .map_err(|error| StoreError::Corrupt(format!("node hash: {error}")))
            })
            .collect()
    }

    /// An inclusion proof for leaf `index` in the tree of `size` leaves.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        with_nodes(&mut conn, |reader| {
            tree::inclusion_proof(&DynReader(reader), index, size)
        })
        .await
    }

    /// A consistency proof from `old` to `new` leaves.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        with_nodes(&mut conn, |reader| {
            tree::consistency_proof(&DynReader(reader), old, new)
        })
        .await
    }

    /// The root of the first `size` leaves.
    pub async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        let mut conn = self.pool.acquire().await?;
        root_at(&mut conn, size).await
    }

    /// Records a signed checkpoint (its note text, signatures included).
    pub async fn record_checkpoint(
        &self,
        size: u64,
        root: &Hash,
        note: &str,
        made_at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO log_checkpoints (tree_size, root, note, made_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tree_size) DO UPDATE SET note = excluded.note",
        )
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(root.as_bytes().to_vec())
        .bind(note.to_owned())
        .bind(made_at.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest recorded checkpoint: size, root, note text and when it was made.
    pub async fn latest_checkpoint(
        &self,
    ) -> Result<Option<(u64, Hash, String, String)>, StoreError> {
        let row = sqlx::query("SELECT tree_size, root, note, made_at FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let root: Vec<u8> = row.try_get("root")?;
        Ok(Some((
            u64::try_from(row.try_get::<i64, _>("tree_size")?).unwrap_or(0),
            Hash::from_slice(&root)
                .map_err(|error| StoreError::Corrupt(format!("checkpoint root: {error}")))?,
            row.try_get("note")?,
            row.try_get("made_at")?,
        )))
    }

    /// How many leaves below `size` each (agreement, UTC month, kind) has, read from the public
    /// leaves themselves: what anyone holding the tiles would count. The agreement is `-` for
    /// leaves that name none (docs/log.md). Rows are sorted by agreement, month and kind.
    ///
    /// The counts are kept between calls: leaves are never changed or removed, so a call counts
    /// only the leaves added since the size counted last (a page that shows the counts at every
    /// request costs what the log grew by, not what it holds). A size beyond the leaves written
    /// is counted but not kept.
    pub async fn leaf_counts_by_month(&self, size: u64) -> Result<Vec<LeafCount>, StoreError> {
        let kept = self
            .leaf_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let (from, mut counts) = match kept {
            Some((counted, counts)) if counted <= size => (counted, counts),
            _ => (0, MonthCounts::new()),
        };
        let mut connection = self.pool.acquire().await?;
        let mut tx = connection.begin_with(self.backend.begin_snapshot()).await?;
        let written = tree_size(&mut tx).await?;
        if from < size {
            for (key, leaves) in self.count_leaves_between(&mut tx, from, size).await? {
                *counts.entry(key).or_default() += leaves;
            }
        }
        tx.rollback().await?;
        if size <= written {
            let mut kept = self
                .leaf_counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if kept.as_ref().is_none_or(|(counted, _)| *counted < size) {
                *kept = Some((size, counts.clone()));
            }
        }
        Ok(counts
            .into_iter()
            .map(|((agreement, month, kind), leaves)| LeafCount {
                agreement,
                month,
                kind,
                leaves,
            })
            .collect())
    }

    /// How many leaves with index in `from..to` each (agreement, UTC month, kind) has: the
    /// stored entries in one aggregated statement, the compact access records' leaves rebuilt.
    ///
    /// The leaves' canonical form (`corridor/leaf/v1`, then `kind`, `agreement`, `day` lines:
    /// [`corridor_log::leaf::Leaf::parse`] accepts no other) is what lets SQL cut the fields out
    /// by position; a row that does not give a `YYYY-MM` month is refused as corrupt.
    async fn count_leaves_between(
        &self,
        tx: &mut AnyConnection,
        from: u64,
        to: u64,
    ) -> Result<MonthCounts, StoreError> {
        let sql = match self.backend {
            // `corridor/leaf/v1\n` is 17 bytes and `kind ` 5: the kind starts at byte 23.
            crate::db::Backend::Sqlite => {
                "WITH after_kind AS (SELECT substr(CAST(entry AS TEXT), 23) AS rest FROM log_leaves WHERE leaf_index >= $2 AND leaf_index < $1), \
                 after_agreement AS (SELECT substr(rest, 1, instr(rest, char(10)) - 1) AS kind, substr(rest, instr(rest, char(10)) + 11) AS rest FROM after_kind), \
                 fields AS (SELECT kind, substr(rest, 1, instr(rest, char(10)) - 1) AS agreement, substr(rest, instr(rest, char(10)) + 5, 7) AS month FROM after_agreement) \
                 SELECT agreement, month, kind, COUNT(*) AS leaves FROM fields GROUP BY agreement, month, kind"
            }
            crate::db::Backend::Postgres => {
                "WITH entries AS (SELECT convert_from(entry, 'UTF8') AS text FROM log_leaves WHERE leaf_index >= $2 AND leaf_index < $1), \
                 fields AS (SELECT substr(split_part(text, E'\\n', 2), 6) AS kind, substr(split_part(text, E'\\n', 3), 11) AS agreement, substr(split_part(text, E'\\n', 4), 5, 7) AS month FROM entries) \
                 SELECT agreement, month, kind, COUNT(*) AS leaves FROM fields GROUP BY agreement, month, kind"
            }
        };
        let rows = sqlx::query(sql)
            .bind(i64::try_from(to).unwrap_or(i64::MAX))
            .bind(i64::try_from(from).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
        let mut counts = MonthCounts::new();
        for row in &rows {
            let agreement: String = row.try_get("agreement")?;
            let month: String = row.try_get("month")?;
            let kind: String = row.try_get("kind")?;
            let leaves = u64::try_from(row.try_get::<i64, _>("leaves")?).unwrap_or(0);
            let month_shaped = month.len() == 7
                && month.bytes().enumerate().all(|(at, byte)| {
                    if at == 4 {
                        byte == b'-'
                    } else {
                        byte.is_ascii_digit()
                    }
                });
            if !month_shaped || kind.is_empty() || agreement.is_empty() {
                return Err(StoreError::Corrupt(format!(
                    "a leaf below size {to} does not have the canonical leaf form"
                )));
            }
            *counts.entry((agreement, month, kind)).or_default() += leaves;
        }
        // Add the compact access records' leaves; the map keeps them sorted by bytes (the same
        // order on every backend, whatever its collation).
        for (key, leaves) in self.count_compact_leaves(tx, from, to).await? {
            *counts.entry(key).or_default() += leaves;
        }
        Ok(counts)
    }

    /// Every recorded checkpoint, oldest first: size and root.
    pub async fn checkpoints(&self) -> Result<Vec<(u64, Hash)>, StoreError> {
        let rows = sqlx::query("SELECT tree_size, root FROM log_checkpoints ORDER BY tree_size")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let root: Vec<u8> = row.try_get("root")?;
                Ok((
                    u64::try_from(row.try_get::<i64, _>("tree_size")?).unwrap_or(0),
                    Hash::from_slice(&root).map_err(|error| {
                        StoreError::Corrupt(format!("checkpoint root: {error}"))
                    })?,
                ))
            })
            .collect()
    }

    /// Checks the log against the events: every event has exactly its leaf (rebuilt from the
    /// stored bytes), the stored nodes give the root the leaves give, and every recorded
    /// checkpoint is consistent with the tree now. Returns the problems found.
    pub async fn check_log(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        // One snapshot, as `Store::check` takes: appends committed meanwhile are not problems.
        let mut connection = self.pool.acquire().await?;
        let mut conn = connection.begin_with(self.backend.begin_snapshot()).await?;
        let size = tree_size(&mut conn).await?;
        if let Some(origin) = meta(&mut conn, "origin").await? {
            // Read in the snapshot, not remembered: a copy's target learns its kind from the copy.
            let deployment = crate::deployment::read(&mut conn).await?;
            problems.extend(origin_problem(&origin, deployment));
        }
        let Some(key) = meta(&mut conn, "salt_key").await? else {
            if size > 0 {
                problems.push("the log has leaves but no salt key".to_owned());
            }
            return Ok(problems);
        };
        let key: [u8; 32] = hex::decode(key.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| StoreError::Corrupt("the log salt key".to_owned()))?;
        let checkpoints: BTreeMap<u64, Hash> = self.checkpoints().await?.into_iter().collect();
        let mut tree = CompactTree::new();
        let mut agreements_of_cases = LeafAgreements::default();
        let rule = leaf_rule(&mut conn).await?;
        let mut next = 0u64;
        loop {
            let page = self.log_check_page(&mut conn, next).await?;
            if page.is_empty() {
                break;
            }
            for item in page {
                let (seq, entry, expected) = match item {
                    CheckItem::Json {
                        seq,
                        stream,
                        body,
                        index,
                        entry,
                    } => {
                        next = seq;
                        let agreement =
                            agreements_of_cases.of(&stream, Event::from_json(&body).ok().as_ref());
                        let expected =
                            match rebuild_entry(rule, &key, seq, &body, agreement.as_deref()) {
                                Ok(entry) => entry,
                                Err(error) => {
                                    problems.push(error.to_string());
                                    continue;
                                }
                            };
                        let (Some(index), Some(entry)) = (index, entry) else {
                            problems.push(format!("event {seq} has no log leaf"));
                            continue;
                        };
                        if index != tree.size() {
                            problems.push(format!(
                                "event {seq} is leaf {index}, expected leaf {}",
                                tree.size()
                            ));
                        }
                        (seq, leaf_hash(&entry), leaf_hash(&expected))
                    }
                    CheckItem::Compact {
                        seq,
                        leaf_hash: stored_hash,
                        entry,
                    } => {
                        next = seq;
                        let expected = match entry {
                            Ok(entry) => entry,
                            Err(error) => {
                                problems.push(error.to_string());
                                continue;
                            }
                        };
                        // Its leaf is `seq - 1` by construction; its entry is not stored, its
                        // leaf hash is.
                        let Some(stored) = stored_hash
                            .as_deref()
                            .and_then(|bytes| Hash::from_slice(bytes).ok())
                        else {
                            problems.push(format!("event {seq} has no log leaf"));
                            continue;
                        };
                        if seq != tree.size() + 1 {
                            problems.push(format!(
                                "event {seq} is leaf {}, expected leaf {}",
                                seq - 1,
                                tree.size()
                            ));
                        }
                        (seq, stored, leaf_hash(&expected))
                    }
                };
                if entry != expected {
                    problems.push(format!("event {seq} no longer matches its log leaf {}: the stored event was changed", tree.size()));
                }
                let _ = tree.append(entry);
                if let Some(root) = checkpoints.get(&tree.size())
                    && *root != tree.root()
                {
                    problems.push(format!(
                        "the checkpoint of size {} is not consistent with the leaves: history was rewritten",
                        tree.size()
                    ));
                }
            }
            progress(next, 0);
        }
        if tree.size() != size {
            problems.push(format!(
                "the log holds {size} leaves but {} events have leaves",
                tree.size()
            ));
        }
        let stored_root = root_at(&mut conn, tree.size()).await?;
        if stored_root != tree.root() {
            problems.push(format!(
                "the stored tree nodes give root {} but the leaves give {}",
                stored_root.to_hex(),
                tree.root().to_hex()
            ));
        }
        if let Some((largest, _)) = checkpoints.last_key_value()
            && *largest > tree.size()
        {
            problems.push(format!(
                "a checkpoint of size {largest} is larger than the log ({})",
                tree.size()
            ));
        }
        conn.rollback().await?;
        Ok(problems)
    }
}

/// One event as the log check reads it.
enum CheckItem {
    /// A row of `events`, with its stored leaf if it has one.
    Json {
        seq: u64,
        stream: String,
        body: String,
        index: Option<u64>,
        entry: Option<Vec<u8>>,
    },
    /// A compact access record: its stored leaf hash, and its entry rebuilt (not yet compared).
    Compact {
        seq: u64,
        leaf_hash: Option<Vec<u8>>,
        entry: Result<Vec<u8>, StoreError>,
    },
}

impl CheckItem {
    fn seq(&self) -> u64 {
        match self {
            Self::Json { seq, .. } | Self::Compact { seq, .. } => *seq,
        }
    }
}

impl crate::Store {
    /// The next events after `next` for [`crate::Store::check_log`], from both layouts, in
    /// sequence order.
    async fn log_check_page(
        &self,
        conn: &mut AnyConnection,
        next: u64,
    ) -> Result<Vec<CheckItem>, StoreError> {
        const PAGE: usize = 10_000;
        let after = i64::try_from(next).unwrap_or(i64::MAX);
        let rows = sqlx::query(
            "SELECT e.seq, e.stream, e.body, l.leaf_index, l.entry FROM events e LEFT JOIN log_leaves l ON l.seq = e.seq \
             WHERE e.seq > $1 ORDER BY e.seq LIMIT 10000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            let index: Option<i64> = row.try_get("leaf_index")?;
            page.push(CheckItem::Json {
                seq: u64::try_from(row.try_get::<i64, _>("seq")?).unwrap_or(0),
                stream: row.try_get("stream")?,
                body: row.try_get("body")?,
                index: index.and_then(|index| u64::try_from(index).ok()),
                entry: row.try_get("entry")?,
            });
        }
        for (seq, leaf_hash, entry) in self.compact_check_page(conn, next, PAGE as u32).await? {
            page.push(CheckItem::Compact {
                seq,
                leaf_hash,
                entry,
            });
        }
        page.sort_by_key(CheckItem::seq);
        page.truncate(PAGE);
        Ok(page)
    }
}

/// Why a stored origin does not fit the database's kind: a simulation's must end in
/// [`crate::SIMULATION_ORIGIN_SUFFIX`] and a real deployment's must not, or the public would
/// read its checkpoints wrongly.
fn origin_problem(origin: &str, deployment: crate::Deployment) -> Option<String> {
    (deployment.origin(origin).ok().as_deref() != Some(origin)).then(|| {
        format!(
            "the log origin `{origin}` does not say what the database is (a {deployment}): a simulation's origin ends in `{}` and only a simulation's does",
            crate::SIMULATION_ORIGIN_SUFFIX
        )
    })
}

impl crate::Store {
    /// The size of the latest checkpoint a witness cosigned for this log, as last seen.
    pub async fn witness_size(&self, witness: &str) -> Result<Option<u64>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(meta(&mut conn, &format!("witness:{witness}"))
            .await?
            .and_then(|text| text.parse().ok()))
    }

    /// Records the size a witness cosigned.
    pub async fn set_witness_size(&self, witness: &str, size: u64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO log_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(format!("witness:{witness}"))
            .bind(size.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use corridor_domain::{ComplaintId, EventBody, Role};

    use super::*;

    fn event(at: &str, body: EventBody) -> Event {
        Event {
            at: at.parse().expect("a moment"),
            by: None,
            body,
        }
    }

    /// Proves the leaf rule: a monitoring-body record's leaf says `monitoring_record`, no
    /// agreement and the first day of its month; any other keeps its kind, agreement and day; and
    /// an event written before the rule (below `monitoring_from`) is rebuilt as it was written.
    #[test]
    fn monitoring_records_get_the_neutral_leaf_from_the_rule_on() {
        let complaint = event(
            "2026-03-17T10:00:00Z",
            EventBody::ComplaintErased {
                complaint: ComplaintId::from_u64(1),
            },
        );
        let access = |role| {
            event(
                "2026-03-17T10:00:00Z",
                EventBody::AccessRecorded {
                    role,
                    action: "read_case".to_owned(),
                    resource: "case-0000000000000001".to_owned(),
                    agreement: None,
                    allowed: true,
                    policies: Vec::new(),
                },
            )
        };
        let neutral = ("monitoring_record", None, "2026-03-01".to_owned());
        let rule = LeafRule {
            monitoring_from: 10,
        };
        assert_eq!(rule.fields(10, &complaint, Some("gbr-rwa-2024")), neutral);
        assert_eq!(
            rule.fields(11, &access(Role::Monitor), Some("gbr-rwa-2024")),
            neutral
        );
        assert_eq!(
            rule.fields(11, &access(Role::SendingOfficer), Some("gbr-rwa-2024")),
            (
                "access_recorded",
                Some("gbr-rwa-2024"),
                "2026-03-17".to_owned()
            )
        );
        assert_eq!(
            rule.fields(9, &access(Role::Monitor), Some("gbr-rwa-2024")),
            (
                "access_recorded",
                Some("gbr-rwa-2024"),
                "2026-03-17".to_owned()
            ),
            "an earlier leaf is rebuilt by the rule it was written under"
        );
        let key = [5; 32];
        let body = complaint.to_json();
        let entry = rebuild_entry(LeafRule::CURRENT, &key, 12, &body, None).expect("a leaf");
        let leaf = corridor_log::leaf::Leaf::parse(&entry).expect("a canonical leaf");
        assert_eq!(
            (leaf.kind(), leaf.agreement(), leaf.day()),
            ("monitoring_record", None, "2026-03-01")
        );
        assert!(leaf.opens_to(&leaf_salt(&key, 12), &body));
    }
}
