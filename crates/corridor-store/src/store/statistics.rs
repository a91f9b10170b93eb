//! What public statistics need of the store: a fast streaming read of the events a release counts
//! (exactly those whose log leaves are below a checkpoint's size), the published releases and
//! their files (append-only, schema version 6; listed in the order of their publication since
//! version 7), and the deployment's secret rounding key.
//!
//! The read filters by the `kind` column in SQL, so the rows statistics never reads (the access
//! records, a busy deployment's great majority, and the monitoring body's records) are skipped by
//! the database without being sent or decoded; it walks the primary key in ranges of sequence
//! numbers, so no index is added to slow every write.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection, Row};

use super::Store;
use super::rows::{placeholders, to_i64, to_u64};
use crate::error::StoreError;

/// Sequence numbers read per statement by [`Store::for_each_event_up_to`]: one range scan of the
/// primary key each, small enough that a batch's rows stay a few megabytes.
pub const STATISTICS_BATCH_SEQS: u64 = 50_000;

/// Streams read per statement by [`Store::for_each_stream_event_up_to`].
pub const STATISTICS_BATCH_STREAMS: i64 = 5_000;

/// What joins the bodies of one stream's events in a walk's row: a control character, which
/// JSON text never holds unescaped.
const BODY_SEPARATOR: &str = "\u{1e}";

/// [`BODY_SEPARATOR`] as the one character the reader splits at.
const BODY_SEPARATOR_CHAR: char = '\u{1e}';

/// Most kinds one filtered read names.
pub const STATISTICS_KINDS_MAX: usize = 64;

/// The `log_meta` key of the deployment's secret rounding key (hex).
const ROUNDING_KEY: &str = "statistics_rounding_key";

/// Most files one release holds.
pub const RELEASE_FILES_MAX: usize = 256;

/// Most bytes one release file holds (16 MiB).
pub const RELEASE_FILE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// One stored event as statistics reads it: the row's columns, the body's hash already checked.
/// Decoding the body is the caller's: it reads only the fields it needs.
#[derive(Debug, Clone, Copy)]
pub struct EventRow<'a> {
    /// Global sequence number, from 1; its log leaf is number `seq - 1`.
    pub seq: u64,
    /// The stream (`case-…`, `hold-…`, `agreement:…`).
    pub stream: &'a str,
    /// The event's `type`.
    pub kind: &'a str,
    /// The event exactly as stored (JSON).
    pub body: &'a str,
}

/// A release as listed: what it covers and when it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSummary {
    /// Its id.
    pub release_id: String,
    /// The period's label (`2026-11`, `2026-Q4`, `2026`, `2025-08..2026-11`).
    pub period: String,
    /// The release it corrects, if it is a correction.
    pub corrects: Option<String>,
    /// When it was published.
    pub published_at: Timestamp,
}

/// A release to store, with every file it publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    /// Its id (unique; an existing one is refused).
    pub release_id: String,
    /// Its publication number: how many releases were published before it, which is how many
    /// its computation was protected against (all of them, as [`Store::releases`] listed them).
    /// Stored only if exactly that many releases are stored when it is written.
    pub publication: u64,
    /// The period's label.
    pub period: String,
    /// The release it corrects, if any.
    pub corrects: Option<String>,
    /// The log size its counts were computed at.
    pub checkpoint_size: u64,
    /// When it is published.
    pub published_at: Timestamp,
    /// The signed note over its files' hashes.
    pub note: String,
    /// Its files, by name, exactly as published.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Store {
    /// Calls `each` on every event whose log leaf is below `size` (the events with sequence
    /// numbers 1 to `size`), in order, and only on those of `kinds` when given (filtered in SQL).
    ///
    /// Reads in ranges of [`STATISTICS_BATCH_SEQS`] sequence numbers, inside one read snapshot,
    /// checking each body against its stored hash. Refuses a size larger than the log, and a log
    /// whose last leaf below `size` does not record event `size` (leaf `i` records event `i + 1`:
    /// `corridor check` holds it).
    pub async fn for_each_event_up_to<E, F>(
        &self,
        size: u64,
        kinds: Option<&[&str]>,
        mut each: F,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(EventRow<'_>) -> Result<(), E>,
    {
        if let Some(kinds) = kinds
            && kinds.len() > STATISTICS_KINDS_MAX
        {
            return Err(StoreError::Limit {
                what: "kinds in one statistics read",
                limit: STATISTICS_KINDS_MAX as u64,
                value: kinds.len() as u64,
            }
            .into());
        }
        let mut connection = self.pool.acquire().await.map_err(StoreError::from)?;
        let mut tx = connection
            .begin_with(self.backend.begin_snapshot())
            .await
            .map_err(StoreError::from)?;
        let row = sqlx::query(LEAF_OF_SIZE)
            .bind(to_i64(size.saturating_sub(1)))
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        check_leaf_of_size(size, row.try_get("size"), row.try_get("seq"))?;
        let wants_access = kinds.is_none_or(|kinds| kinds.contains(&ACCESS_RECORDED));
        let filter = kinds.map_or_else(String::new, |kinds| {
            format!(" AND kind IN ({})", placeholders(3, kinds.len()))
        });
        let sql = format!(
            "SELECT seq, stream, kind, body, body_sha256 FROM events \
             WHERE seq > $1 AND seq <= $2{filter} ORDER BY seq"
        );
        let mut after = 0u64;
        while after < size {
            let last = after.saturating_add(STATISTICS_BATCH_SEQS).min(size);
            let mut query = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(to_i64(after))
                .bind(to_i64(last));
            for kind in kinds.unwrap_or_default() {
                query = query.bind((*kind).to_owned());
            }
            let rows = query.fetch_all(&mut *tx).await.map_err(StoreError::from)?;
            // The compact access records of the range, when the read asks for their kind:
            // decoded and checked against their leaf hashes, and given in sequence order among
            // the rows of `events`.
            let compact = if wants_access {
                let fetched = super::access::fetch_compact(
                    &mut tx,
                    "WHERE r.seq > $1 AND r.seq <= $2 ORDER BY r.seq",
                    &[to_i64(after), to_i64(last)],
                )
                .await?;
                self.decode_compact(&mut tx, &fetched).await?
            } else {
                Vec::new()
            };
            let mut compact = compact.into_iter().peekable();
            for row in &rows {
                let checked = checked_row(row)?;
                while let Some((_, decoded)) = compact.next_if(|(seq, _)| *seq < checked.seq) {
                    each(access_row(&decoded?.stored))?;
                }
                each(checked)?;
            }
            for (_, decoded) in compact {
                each(access_row(&decoded?.stored))?;
            }
            after = last;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Calls `each` on every event of the streams whose names start with `prefix` (`case-`,
    /// `hold-`) and whose log leaves are below `size`, stream by stream, each stream's events in
    /// order: what statistics folds per case. The same as [`StreamWalker::for_each_stream_event_in`]
    /// over the whole of [`StreamRange::of_prefix`].
    pub async fn for_each_stream_event_up_to<E, F>(
        &self,
        size: u64,
        prefix: &str,
        each: F,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(EventRow<'_>) -> Result<(), E>,
    {
        let range = StreamRange::of_prefix(prefix)?;
        self.stream_walker()
            .for_each_stream_event_in(size, &range, each)
            .await
    }

    /// A handle that walks streams on its own connections of the store's pool, owned so that
    /// walks of parts of the stream names can run at once on several tasks (each with its own
    /// connection and read snapshot).
    pub fn stream_walker(&self) -> StreamWalker {
        StreamWalker {
            pool: self.pool.clone(),
            backend: self.backend,
            sqlite: self.sqlite_reads.clone(),
        }
    }
}

/// A part of the names of one kind of stream: from `from` (included) to `to` (excluded), in byte
/// order. Made by [`StreamRange::of_prefix`] (every stream of a kind) and [`StreamWalker::split`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRange {
    from: String,
    to: String,
}

impl StreamRange {
    /// Every stream whose name starts with `prefix`, a kind of stream and `-` (`case-`).
    pub fn of_prefix(prefix: &str) -> Result<Self, StoreError> {
        let Some(stem) = prefix.strip_suffix('-').filter(|stem| !stem.is_empty()) else {
            return Err(StoreError::Invalid(format!(
                "`{prefix}` is not a stream prefix: use a kind of stream and `-` (`case-`)"
            )));
        };
        // `stem.` sorts just after every `stem-…` name.
        Ok(Self {
            from: prefix.to_owned(),
            to: format!("{stem}."),
        })
    }
}

/// Walks streams on its own connections (see [`Store::stream_walker`]).
#[derive(Debug, Clone)]
pub struct StreamWalker {
    pool: sqlx::AnyPool,
    backend: crate::db::Backend,
    /// For an SQLite file: each walk reads on its own read-only connection through sqlx's SQLite
    /// driver instead of the pool's `Any` connections.
    sqlite: Option<SqliteConnectOptions>,
}

impl StreamWalker {
    /// Splits `range` into up to `parts` ranges holding about as many events each, in order,
    /// together exactly `range`: split at the streams found at even offsets of the
    /// `(stream, version)` index (counted outside any snapshot: where a range is cut changes no
    /// count, only how the work is shared). Fewer parts when there are too few streams.
    pub async fn split(
        &self,
        range: &StreamRange,
        parts: usize,
    ) -> Result<Vec<StreamRange>, StoreError> {
        let mut cuts: Vec<String> = Vec::new();
        if parts > 1 {
            let row =
                sqlx::query("SELECT COUNT(*) AS n FROM events WHERE stream >= $1 AND stream < $2")
                    .bind(range.from.clone())
                    .bind(range.to.clone())
                    .fetch_one(&self.pool)
                    .await?;
            let events = to_u64(row.try_get("n")?)?;
            for part in 1..parts as u64 {
                let offset = events.saturating_mul(part) / parts as u64;
                let row = sqlx::query(
                    "SELECT stream FROM events WHERE stream >= $1 AND stream < $2 \
                     ORDER BY stream LIMIT 1 OFFSET $3",
                )
                .bind(range.from.clone())
                .bind(range.to.clone())
                .bind(to_i64(offset))
                .fetch_optional(&self.pool)
                .await?;
                if let Some(row) = row {
                    let cut: String = row.try_get("stream")?;
                    if cut > range.from && cuts.last().is_none_or(|last| *last < cut) {
                        cuts.push(cut);
                    }
                }
            }
        }
        let mut ranges = Vec::with_capacity(cuts.len() + 1);
        let mut from = range.from.clone();
        for cut in cuts {
            ranges.push(StreamRange {
                from: std::mem::replace(&mut from, cut.clone()),
                to: cut,
            });
        }
        ranges.push(StreamRange {
            from,
            to: range.to.clone(),
        });
        Ok(ranges)
    }

    /// Calls `each` on every event of the streams of `range` whose log leaves are below `size`,
    /// stream by stream, each stream's events in order: [`StreamWalker::for_each_stream_in`]
    /// one event at a time.
    pub async fn for_each_stream_event_in<E, F>(
        &self,
        size: u64,
        range: &StreamRange,
        mut each: F,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(EventRow<'_>) -> Result<(), E>,
    {
        self.for_each_stream_in(size, range, |events| {
            events.iter().try_for_each(|event| each(*event))
        })
        .await
    }

    /// Calls `each` on every stream of `range` with its events whose log leaves are below `size`,
    /// in order (a stream without such events is not given), stream after stream in byte order
    /// of their names.
    ///
    /// Walks the `(stream, version)` index (no other index is needed, none is added to slow
    /// writes) in pages of [`STATISTICS_BATCH_STREAMS`] streams, one row per stream, inside one
    /// read snapshot, checking each body against its stored hash; rows of other streams (the
    /// access records, a busy deployment's great majority) are never read. The same checks of
    /// `size` as [`Store::for_each_event_up_to`].
    ///
    /// On an SQLite file the walk reads on a connection of its own, opened read-only from the
    /// store's URL, through sqlx's SQLite driver: the `Any` driver copies every value of every
    /// row into values of its own, which was most of the walk's time. On PostgreSQL (and an
    /// in-memory SQLite database) it reads on a connection of the store's pool. Either way the
    /// walk's snapshot is the one transaction it opens, as below.
    ///
    /// Walks of several ranges at once (each on its own connection, so in its own snapshot)
    /// read together exactly what one snapshot would: each snapshot is checked to hold leaf
    /// `size - 1` recording event `size`, the log's leaves are appended in order and each in
    /// the transaction of its event, so every snapshot that holds that leaf holds every event
    /// numbered 1 to `size`; and the events are append-only (never updated nor deleted), so
    /// those rows are the same in every such snapshot. Rows numbered above `size`, which a
    /// later snapshot may hold, are left out of every walk by the bound on `seq`.
    pub async fn for_each_stream_in<E, F>(
        &self,
        size: u64,
        range: &StreamRange,
        mut each: F,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[EventRow<'_>]) -> Result<(), E>,
    {
        match &self.sqlite {
            Some(options) => walk_sqlite(options, size, range, &mut each).await,
            None => self.walk_pool(size, range, &mut each).await,
        }
    }

    /// The walk on a connection of the store's pool, through the `Any` driver.
    async fn walk_pool<E, F>(&self, size: u64, range: &StreamRange, each: &mut F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[EventRow<'_>]) -> Result<(), E>,
    {
        let mut connection = self.pool.acquire().await.map_err(StoreError::from)?;
        let mut tx = connection
            .begin_with(self.backend.begin_snapshot())
            .await
            .map_err(StoreError::from)?;
        let row = sqlx::query(LEAF_OF_SIZE)
            .bind(to_i64(size.saturating_sub(1)))
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        check_leaf_of_size(size, row.try_get("size"), row.try_get("seq"))?;
        let (first_page, next_page) = walk_pages();
        let mut after = range.from.clone();
        let mut page = &first_page;
        loop {
            let rows = sqlx::query(AssertSqlSafe(page.clone()))
                .bind(BODY_SEPARATOR.to_owned())
                .bind(after.clone())
                .bind(range.to.clone())
                .bind(to_i64(size))
                .bind(STATISTICS_BATCH_STREAMS)
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            let mut events = Vec::new();
            for row in &rows {
                for_each_of_stream(stream_columns(row)?, &mut events, each)?;
            }
            let Some(last) = rows.last() else { break };
            after = last.try_get("stream").map_err(StoreError::from)?;
            if rows.len() < usize::try_from(STATISTICS_BATCH_STREAMS).unwrap_or(usize::MAX) {
                break;
            }
            page = &next_page;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}

/// The walk on a read-only connection of its own to an SQLite file, through sqlx's SQLite
/// driver; the connection is closed at the end, whatever the walk's outcome.
async fn walk_sqlite<E, F>(
    options: &SqliteConnectOptions,
    size: u64,
    range: &StreamRange,
    each: &mut F,
) -> Result<(), E>
where
    E: From<StoreError>,
    F: FnMut(&[EventRow<'_>]) -> Result<(), E>,
{
    let mut connection = SqliteConnection::connect_with(options)
        .await
        .map_err(StoreError::from)?;
    let walked = walk_sqlite_on(&mut connection, size, range, each).await;
    // A failed close leaves nothing to undo: the walk only read.
    let _ = connection.close().await;
    walked
}

async fn walk_sqlite_on<E, F>(
    connection: &mut SqliteConnection,
    size: u64,
    range: &StreamRange,
    each: &mut F,
) -> Result<(), E>
where
    E: From<StoreError>,
    F: FnMut(&[EventRow<'_>]) -> Result<(), E>,
{
    let mut tx = connection
        .begin_with(crate::db::Backend::Sqlite.begin_snapshot())
        .await
        .map_err(StoreError::from)?;
    let row = sqlx::query(LEAF_OF_SIZE)
        .bind(to_i64(size.saturating_sub(1)))
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    check_leaf_of_size(size, row.try_get("size"), row.try_get("seq"))?;
    let (first_page, next_page) = walk_pages();
    let mut after = range.from.clone();
    let mut page = &first_page;
    loop {
        let rows = sqlx::query(AssertSqlSafe(page.clone()))
            .bind(BODY_SEPARATOR)
            .bind(after.as_str())
            .bind(range.to.as_str())
            .bind(to_i64(size))
            .bind(STATISTICS_BATCH_STREAMS)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let mut events = Vec::new();
        for row in &rows {
            for_each_of_stream(stream_columns(row)?, &mut events, each)?;
        }
        let Some(last) = rows.last() else { break };
        after = last.try_get("stream").map_err(StoreError::from)?;
        if rows.len() < usize::try_from(STATISTICS_BATCH_STREAMS).unwrap_or(usize::MAX) {
            break;
        }
        page = &next_page;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The statement of a walk's first page (from the range's first name, included) and of each
/// next one (after the last stream read).
///
/// One row per stream, its events' columns joined (`string_agg`, on SQLite since 3.44 as on
/// PostgreSQL): the per-row cost of the driver is paid once per stream, not once per event. The
/// events are put in order by the reader, by sequence number, rather than by an `ORDER BY`
/// inside each aggregate, which would sort every group again. `+seq`: the bound on `seq` must
/// not lead the planner to the primary key. Bodies are joined by U+001E, which JSON text never
/// holds unescaped.
fn walk_pages() -> (String, String) {
    let sql = |first: &str| {
        format!(
            "SELECT stream, \
             string_agg(CAST(seq AS TEXT), ',') AS seqs, \
             string_agg(kind, ',') AS kinds, \
             string_agg(body_sha256, ',') AS hashes, \
             string_agg(body, $1) AS bodies \
             FROM events WHERE stream {first} $2 AND stream < $3 AND +seq <= $4 \
             GROUP BY stream ORDER BY stream LIMIT $5"
        )
    };
    (sql(">="), sql(">"))
}

/// The columns of one stream's row of a walk, borrowed from the row.
struct StreamColumns<'a> {
    stream: &'a str,
    seqs: &'a str,
    kinds: &'a str,
    hashes: &'a str,
    bodies: &'a str,
}

/// The columns of a walk's row, from either driver.
fn stream_columns<'r, R>(row: &'r R) -> Result<StreamColumns<'r>, StoreError>
where
    R: Row,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
{
    Ok(StreamColumns {
        stream: row.try_get("stream")?,
        seqs: row.try_get("seqs")?,
        kinds: row.try_get("kinds")?,
        hashes: row.try_get("hashes")?,
        bodies: row.try_get("bodies")?,
    })
}

impl Store {
    /// Stores a release and every file of it in one durable transaction. An id already stored
    /// is refused ([`StoreError::ReleaseExists`]), and so is a release whose publication number
    /// is not the number of releases stored ([`StoreError::ReleaseRaced`]: another was stored
    /// since it was computed, or it counted wrong); then nothing is written. Two stores at once
    /// are serialised, so of two releases computed against the same earlier ones, only the
    /// first stored is kept.
    pub async fn insert_release(&self, release: &NewRelease) -> Result<(), StoreError> {
        if release.files.len() > RELEASE_FILES_MAX {
            return Err(StoreError::Limit {
                what: "files in one release",
                limit: RELEASE_FILES_MAX as u64,
                value: release.files.len() as u64,
            });
        }
        if let Some((_, bytes)) = release
            .files
            .iter()
            .find(|(_, bytes)| bytes.len() > RELEASE_FILE_BYTES_MAX)
        {
            return Err(StoreError::Limit {
                what: "bytes in one release file",
                limit: RELEASE_FILE_BYTES_MAX as u64,
                value: bytes.len() as u64,
            });
        }
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        // SQLite's write transaction already holds the database's one write lock; PostgreSQL's
        // takes this lock, which only one writer holds at a time and readers never wait for, so
        // that the count below stays true until the release is written.
        if self.backend == crate::db::Backend::Postgres {
            sqlx::query("LOCK TABLE statistics_releases IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM statistics_releases")
            .fetch_one(&mut *tx)
            .await?;
        let stored = to_u64(row.try_get("n")?)?;
        let exists = sqlx::query("SELECT 1 AS one FROM statistics_releases WHERE release_id = $1")
            .bind(release.release_id.clone())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::ReleaseExists(release.release_id.clone()));
        }
        if stored != release.publication {
            return Err(StoreError::ReleaseRaced {
                release: release.release_id.clone(),
                expected: release.publication,
                stored,
            });
        }
        sqlx::query(
            "INSERT INTO statistics_releases \
             (release_id, period, corrects, checkpoint_size, published_at, note, publication) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(release.release_id.clone())
        .bind(release.period.clone())
        .bind(release.corrects.clone())
        .bind(to_i64(release.checkpoint_size))
        .bind(release.published_at.to_string())
        .bind(release.note.clone())
        .bind(to_i64(release.publication))
        .execute(&mut *tx)
        .await?;
        for (name, bytes) in &release.files {
            sqlx::query(
                "INSERT INTO statistics_files (release_id, file_name, bytes) VALUES ($1, $2, $3)",
            )
            .bind(release.release_id.clone())
            .bind(name.clone())
            .bind(bytes.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every release, newest first: in the reverse order of publication (by publication
    /// number, never by time, which two releases may share).
    pub async fn releases(&self) -> Result<Vec<ReleaseSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT release_id, period, corrects, published_at FROM statistics_releases \
             ORDER BY publication DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let release_id: String = row.try_get("release_id")?;
                let published_at: String = row.try_get("published_at")?;
                Ok(ReleaseSummary {
                    published_at: published_at.parse().map_err(|error| {
                        StoreError::Corrupt(format!("release `{release_id}` published_at: {error}"))
                    })?,
                    period: row.try_get("period")?,
                    corrects: row.try_get("corrects")?,
                    release_id,
                })
            })
            .collect()
    }

    /// The id of the latest release, if any.
    pub async fn latest_release_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .releases()
            .await?
            .into_iter()
            .next()
            .map(|release| release.release_id))
    }

    /// The log size a release's counts were computed at, and its signed note.
    pub async fn release_checkpoint(
        &self,
        release_id: &str,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT checkpoint_size, note FROM statistics_releases WHERE release_id = $1",
        )
        .bind(release_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some((
                to_u64(row.try_get("checkpoint_size")?)?,
                row.try_get("note")?,
            ))),
            None => Ok(None),
        }
    }

    /// One file of a release, exactly as published; `None` if the release or the file is not
    /// stored.
    pub async fn release_file(
        &self,
        release_id: &str,
        file_name: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query(
            "SELECT bytes FROM statistics_files WHERE release_id = $1 AND file_name = $2",
        )
        .bind(release_id.to_owned())
        .bind(file_name.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(row.try_get("bytes")?)),
            None => Ok(None),
        }
    }

    /// The `statistics.json` of every release published before `release_id` (every release if
    /// it is not stored), oldest first, with its release's id: what the protection of a new
    /// release compares against.
    pub async fn earlier_statistics_json(
        &self,
        release_id: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut releases = self.releases().await?;
        releases.reverse();
        if let Some(position) = releases
            .iter()
            .position(|release| release.release_id == release_id)
        {
            releases.truncate(position);
        }
        let mut files = Vec::with_capacity(releases.len());
        for release in releases {
            if let Some(bytes) = self
                .release_file(&release.release_id, "statistics.json")
                .await?
            {
                files.push((release.release_id, bytes));
            }
        }
        Ok(files)
    }

    /// The deployment's secret key for the keyed rounding of published counts: 32 random bytes
    /// drawn once and kept in the database. Two processes asking at once get the same key: the
    /// first insert wins and both read it back in the same transaction.
    pub async fn statistics_rounding_key(&self) -> Result<[u8; 32], StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|error| StoreError::Random(format!("for the rounding key: {error}")))?;
        self.rounding_key_or(fresh).await
    }

    /// Sets the rounding key of a simulation (the demo, tests) from its seed, so that the same
    /// seed publishes the same figures. Refused on a real deployment, whose key is only ever
    /// random, and when another key is already kept.
    pub async fn set_simulation_rounding_key(&self, key: [u8; 32]) -> Result<(), StoreError> {
        if !self.deployment().is_simulation() {
            return Err(StoreError::Deployment(
                "a real deployment's rounding key is drawn at random, never set: only a simulation sets it from its seed".to_owned(),
            ));
        }
        if self.rounding_key_or(key).await? != key {
            return Err(StoreError::Invalid(
                "the database already keeps another rounding key".to_owned(),
            ));
        }
        Ok(())
    }

    /// The kept rounding key, storing `key` first if none is kept, in one transaction.
    async fn rounding_key_or(&self, key: [u8; 32]) -> Result<[u8; 32], StoreError> {
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        sqlx::query(
            "INSERT INTO log_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(ROUNDING_KEY.to_owned())
        .bind(hex::encode(key))
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT value FROM log_meta WHERE key = $1")
            .bind(ROUNDING_KEY.to_owned())
            .fetch_one(&mut *tx)
            .await?;
        let text: String = row.try_get("value")?;
        tx.commit().await?;
        hex::decode(text.trim())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| StoreError::Corrupt("the statistics rounding key".to_owned()))
    }
}

/// Calls `each` on the events of one stream's row of a walk, in order, each body checked.
fn for_each_of_stream<'a, E, F>(
    columns: StreamColumns<'a>,
    events: &mut Vec<EventRow<'a>>,
    each: &mut F,
) -> Result<(), E>
where
    E: From<StoreError>,
    F: FnMut(&[EventRow<'_>]) -> Result<(), E>,
{
    let StreamColumns {
        stream,
        seqs,
        kinds,
        hashes,
        bodies,
    } = columns;
    let mut kinds = kinds.split(',');
    let mut hashes = hashes.split(',');
    let mut bodies = bodies.split(BODY_SEPARATOR_CHAR);
    events.clear();
    for seq in seqs.split(',') {
        let seq: u64 = seq.parse().map_err(|_| {
            StoreError::Corrupt(format!("`{stream}` has an event numbered `{seq}`"))
        })?;
        let (Some(kind), Some(hash), Some(body)) = (kinds.next(), hashes.next(), bodies.next())
        else {
            return Err(StoreError::Internal(format!(
                "the walk's row of `{stream}` lists fewer kinds, hashes or bodies than events"
            ))
            .into());
        };
        if !body_matches(body, hash) {
            return Err(
                StoreError::Corrupt(format!("event {seq} does not match its stored hash")).into(),
            );
        }
        events.push(EventRow {
            seq,
            stream,
            kind,
            body,
        });
    }
    if kinds.next().is_some() || hashes.next().is_some() || bodies.next().is_some() {
        return Err(StoreError::Internal(format!(
            "the walk's row of `{stream}` lists more kinds, hashes or bodies than events"
        ))
        .into());
    }
    // A stream's versions and sequence numbers grow together: its events in order.
    events.sort_unstable_by_key(|event| event.seq);
    each(events)
}

/// Whether `body` hashes to `hash`, its SHA-256 as stored (64 lowercase hex digits): the same
/// test as comparing with its hex string, without a string made for every body.
fn body_matches(body: &str, hash: &str) -> bool {
    let mut hex = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(body.as_bytes()), &mut hex).is_ok()
        && hex.as_slice() == hash.as_bytes()
}

/// A row of the statistics reads, its body checked against its stored hash.
fn checked_row(row: &sqlx::any::AnyRow) -> Result<EventRow<'_>, StoreError> {
    let seq = to_u64(row.try_get("seq")?)?;
    let body: &str = row.try_get("body")?;
    let hash: &str = row.try_get("body_sha256")?;
    if !body_matches(body, hash) {
        return Err(StoreError::Corrupt(format!(
            "event {seq} does not match its stored hash"
        )));
    }
    Ok(EventRow {
        seq,
        stream: row.try_get("stream")?,
        kind: row.try_get("kind")?,
        body,
    })
}

/// The kind of an access record, whose compact records a read of every kind, or of this one,
/// gives too.
const ACCESS_RECORDED: &str = "access_recorded";

/// A compact access record as statistics reads it.
fn access_row(stored: &super::StoredEvent) -> EventRow<'_> {
    EventRow {
        seq: stored.seq,
        stream: corridor_domain::ACCESS_STREAM,
        kind: ACCESS_RECORDED,
        body: &stored.body,
    }
}

/// How many leaves the log holds, and the event leaf `$1` records: what
/// [`check_leaf_of_size`] checks. A compact access record has no leaf row: its leaf is number
/// `seq - 1` (see `store/access.rs`), so it counts by its sequence number.
const LEAF_OF_SIZE: &str = "SELECT COALESCE(MAX(size), 0) AS size, \
     (SELECT seq FROM log_leaves WHERE leaf_index = $1 \
      UNION ALL SELECT seq FROM access_records WHERE seq = $1 + 1) AS seq \
     FROM (SELECT MAX(leaf_index) + 1 AS size FROM log_leaves \
           UNION ALL SELECT MAX(seq) AS size FROM access_records) AS sizes";

/// Checks that `size` leaves exist and that the last of them records event `size`, from the
/// columns of [`LEAF_OF_SIZE`].
fn check_leaf_of_size(
    size: u64,
    stored: Result<i64, sqlx::Error>,
    seq: Result<Option<i64>, sqlx::Error>,
) -> Result<(), StoreError> {
    let stored = to_u64(stored?)?;
    if size > stored {
        return Err(StoreError::Invalid(format!(
            "the log holds {stored} leaves, fewer than the {size} asked for"
        )));
    }
    if size > 0 && seq? != Some(to_i64(size)) {
        return Err(StoreError::Corrupt(format!(
            "leaf {} does not record event {size}",
            size - 1
        )));
    }
    Ok(())
}
