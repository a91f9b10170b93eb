//! Moving a whole deployment from one database to another, across backends.
//!
//! [`copy_database`] reads the source in one snapshot (a read transaction: a consistent copy
//! even while it is written to) and writes the target in one write transaction (all or nothing),
//! table by table in primary-key order, so events keep their sequence numbers and exact bodies,
//! and the log keeps its leaves, stored nodes, checkpoints and metadata (salt key, origin,
//! witness sizes). Every table the source holds is copied — the store's, and any other crate's
//! sharing the database (the accounts) — provided the target was migrated to hold it; the
//! migrations' own bookkeeping is not copied, since each backend records its own. Values move by
//! the type each column is declared with, so SQLite's and PostgreSQL's types map onto each other.
//!
//! The target must be empty. [`verify_copy`] then checks what the copy must guarantee: the
//! target's log has the source's size and root, its root at the latest checkpoint is the
//! checkpoint's, and `check` replays its events to its projections and its leaves.

use std::collections::{BTreeMap, BTreeSet};

use corridor_log::Hash;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::db::Backend;
use crate::deployment::Deployment;
use crate::error::StoreError;
use crate::store::Store;

/// Tables never copied: each database records its own migrations.
const BOOKKEEPING_TABLES: [&str; 2] = ["_sqlx_migrations", "_corridor_accounts_migrations"];

/// Rows read from the source per query.
const PAGE_ROWS: usize = 2_000;

/// Most bound values in one insert statement (under both backends' limits).
const BINDS_PER_STATEMENT_MAX: usize = 8_000;

/// What a column holds, from its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Bytes,
    Boolean,
    Real,
}

impl Kind {
    fn of_declared(table: &str, column: &str, declared: &str) -> Result<Self, StoreError> {
        let declared = declared.to_ascii_lowercase();
        if declared.contains("int") {
            Ok(Self::Integer)
        } else if declared.contains("text") || declared.contains("char") {
            Ok(Self::Text)
        } else if declared.contains("blob") || declared.contains("bytea") {
            Ok(Self::Bytes)
        } else if declared.contains("bool") {
            Ok(Self::Boolean)
        } else if declared.contains("real")
            || declared.contains("double")
            || declared.contains("float")
        {
            Ok(Self::Real)
        } else {
            Err(StoreError::Corrupt(format!(
                "column `{table}.{column}` is declared `{declared}`, a type the copy does not know"
            )))
        }
    }
}

/// One value read from the source.
#[derive(Debug, Clone)]
enum Cell {
    Integer(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Boolean(Option<bool>),
    Real(Option<f64>),
}

impl Cell {
    fn read(row: &AnyRow, index: usize, kind: Kind) -> Result<Self, sqlx::Error> {
        Ok(match kind {
            Kind::Integer => Self::Integer(row.try_get(index)?),
            Kind::Text => Self::Text(row.try_get(index)?),
            Kind::Bytes => Self::Bytes(row.try_get(index)?),
            Kind::Boolean => Self::Boolean(row.try_get(index)?),
            Kind::Real => Self::Real(row.try_get(index)?),
        })
    }
}

/// A table as the copy sees it.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    /// Indexes into `columns` of the primary key, in key order.
    key: Vec<usize>,
    /// Tables this one references (copied first).
    parents: BTreeSet<String>,
}

/// What a copy moved, and the source's log as the snapshot had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows copied per table, in the order copied.
    pub tables: Vec<(String, u64)>,
    /// The source's log size and root.
    pub head: (u64, Hash),
    /// The source's latest checkpoint: size and root.
    pub checkpoint: Option<(u64, Hash)>,
    /// What the source is for: the copy is the same (the `deployment` table is copied with
    /// the rest, and [`verify_copy`] checks it).
    pub deployment: Deployment,
}

/// Progress of a copy: the table being copied, rows copied in all, and rows to copy in all.
pub type CopyProgress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Copies everything `from` holds into `to`, which must be empty and migrated (the store's
/// tables by [`Store::open`], any other crate's by that crate). Returns what was copied.
pub async fn copy_database(
    from: &Store,
    to: &Store,
    progress: CopyProgress<'_>,
) -> Result<CopyReport, StoreError> {
    let mut source = from
        .pool
        .begin_with(snapshot_statement(from.backend))
        .await?;
    let mut target = to.pool.begin_with(to.backend.begin_write()).await?;
    if to.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7361)")
            .execute(&mut *target)
            .await?;
    }
    let source_tables = describe_tables(&mut source, from.backend).await?;
    let target_tables = describe_tables(&mut target, to.backend).await?;
    let mut plan = Vec::new();
    for table in order_by_references(source_tables)? {
        let Some(known) = target_tables.get(&table.name) else {
            return Err(StoreError::Corrupt(format!(
                "the source holds table `{}`, which the target does not have: migrate the target \
                 with the corridor that created it",
                table.name
            )));
        };
        let known_columns: BTreeSet<&str> = known
            .columns
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        if let Some((missing, _)) = table
            .columns
            .iter()
            .find(|(name, _)| !known_columns.contains(name.as_str()))
        {
            return Err(StoreError::Corrupt(format!(
                "the target's table `{}` has no column `{missing}`",
                table.name
            )));
        }
        if table.key.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "table `{}` has no primary key, so its rows cannot be copied in order",
                table.name
            )));
        }
        plan.push(table);
    }
    let mut total = 0u64;
    let mut counts = Vec::new();
    let mut occupied = Vec::new();
    for table in &plan {
        let source_rows = count_rows(&mut source, &table.name).await?;
        let target_rows = count_rows(&mut target, &table.name).await?;
        if target_rows > 0 {
            occupied.push((table.name.clone(), target_rows));
        }
        total += source_rows;
        counts.push(source_rows);
    }
    // Name the events if they are there: the most telling sign of a deployment in use.
    occupied.sort_by_key(|(table, _)| table != "events");
    if let Some((table, rows)) = occupied.into_iter().next() {
        return Err(StoreError::TargetNotEmpty { table, rows });
    }
    let head = {
        let size = crate::log::tree_size(&mut source).await?;
        (size, crate::log::root_at(&mut source, size).await?)
    };
    let checkpoint = latest_checkpoint(&mut source).await?;
    let deployment = crate::deployment::read(&mut source).await?;
    let mut copied = 0u64;
    let mut tables = Vec::new();
    for (table, expected) in plan.iter().zip(counts) {
        progress(&table.name, copied, total);
        let rows = copy_table(&mut source, &mut target, to.backend, table, &mut |rows| {
            progress(&table.name, copied + rows, total);
        })
        .await?;
        if rows != expected {
            return Err(StoreError::Corrupt(format!(
                "table `{}` gave {rows} rows, not the {expected} it counted",
                table.name
            )));
        }
        copied += rows;
        tables.push((table.name.clone(), rows));
    }
    target.commit().await?;
    source.rollback().await?;
    progress("", copied, total);
    Ok(CopyReport {
        tables,
        head,
        checkpoint,
        deployment,
    })
}

/// Checks a finished copy: the target's log has the source's size and root, its root at the
/// source's latest checkpoint is that checkpoint's root, and it checks clean (events replay to
/// the projections, and to the log's leaves). Returns every problem found.
pub async fn verify_copy(
    to: &Store,
    report: &CopyReport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let head = to.tree_head().await?;
    if head != report.head {
        problems.push(format!(
            "the copy's log is {} leaves with root {}, the source's {} leaves with root {}",
            head.0,
            head.1.to_hex(),
            report.head.0,
            report.head.1.to_hex()
        ));
    }
    if let Some((size, root)) = report.checkpoint {
        let copied = to.root_at(size).await?;
        if copied != root {
            problems.push(format!(
                "the copy's root at the latest checkpoint (size {size}) is {}, the checkpoint's {}",
                copied.to_hex(),
                root.to_hex()
            ));
        }
    }
    let copied = crate::deployment::read(&mut *to.pool.acquire().await?).await?;
    if copied != report.deployment {
        problems.push(format!(
            "the copy is a {copied} but the source is a {}",
            report.deployment
        ));
    }
    problems.extend(to.check(progress).await?.problems);
    problems.extend(to.check_log(progress).await?);
    Ok(problems)
}

impl Store {
    /// Writes a consistent snapshot of this SQLite store into the empty file at `path`
    /// (`VACUUM INTO`, one read transaction) while writers carry on. PostgreSQL has its own
    /// tools (`pg_dump`) and is refused.
    pub async fn backup_sqlite_into(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Url {
                url: String::new(),
                reason: "only an SQLite database is backed up with `VACUUM INTO`; back up PostgreSQL with `pg_dump`"
                    .to_owned(),
            });
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The statement that opens a read snapshot.
fn snapshot_statement(backend: Backend) -> &'static str {
    match backend {
        // In WAL mode a read transaction sees one snapshot from its first read to its end.
        Backend::Sqlite => "BEGIN",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    }
}

/// An identifier quoted for SQL (both backends use double quotes).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table of a database, but the migrations' bookkeeping, with columns, keys and references.
async fn describe_tables(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<BTreeMap<String, Table>, StoreError> {
    let names_sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let names: Vec<String> = sqlx::query(names_sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("name"))
        .collect::<Result<_, _>>()?;
    let mut tables = BTreeMap::new();
    for name in names {
        if BOOKKEEPING_TABLES.contains(&name.as_str()) {
            continue;
        }
        let table = describe_table(conn, backend, &name).await?;
        tables.insert(name, table);
    }
    Ok(tables)
}

async fn describe_table(
    conn: &mut AnyConnection,
    backend: Backend,
    name: &str,
) -> Result<Table, StoreError> {
    let (columns_sql, key_sql, parents_sql) = match backend {
        Backend::Sqlite => (
            "SELECT name, type AS declared FROM pragma_table_info($1) ORDER BY cid",
            "SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk",
            "SELECT DISTINCT \"table\" AS parent FROM pragma_foreign_key_list($1)",
        ),
        Backend::Postgres => (
            "SELECT column_name::text AS name, data_type::text AS declared FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            "SELECT kcu.column_name::text AS name FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name \
             AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name \
             WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
             AND tc.table_name = $1 ORDER BY kcu.ordinal_position",
            "SELECT DISTINCT ccu.table_name::text AS parent FROM information_schema.table_constraints tc \
             JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name \
             AND ccu.constraint_schema = tc.constraint_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
             AND tc.table_name = $1",
        ),
    };
    let mut columns = Vec::new();
    for row in sqlx::query(columns_sql)
        .bind(name.to_owned())
        .fetch_all(&mut *conn)
        .await?
    {
        let column: String = row.try_get("name")?;
        let declared: String = row.try_get("declared")?;
        let kind = Kind::of_declared(name, &column, &declared)?;
        columns.push((column, kind));
    }
    let mut key = Vec::new();
    for row in sqlx::query(key_sql)
        .bind(name.to_owned())
        .fetch_all(&mut *conn)
        .await?
    {
        let column: String = row.try_get("name")?;
        let index = columns
            .iter()
            .position(|(name, _)| *name == column)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("key column `{name}.{column}` is not a column"))
            })?;
        key.push(index);
    }
    let parents = sqlx::query(parents_sql)
        .bind(name.to_owned())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("parent"))
        .collect::<Result<BTreeSet<String>, _>>()?;
    Ok(Table {
        name: name.to_owned(),
        columns,
        key,
        parents,
    })
}

/// Tables in an order where every table comes after the tables it references.
fn order_by_references(tables: BTreeMap<String, Table>) -> Result<Vec<Table>, StoreError> {
    let mut ordered: Vec<Table> = Vec::new();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut rest: Vec<Table> = tables.into_values().collect();
    while !rest.is_empty() {
        let (ready, waiting): (Vec<Table>, Vec<Table>) = rest.into_iter().partition(|table| {
            table
                .parents
                .iter()
                .all(|parent| *parent == table.name || placed.contains(parent))
        });
        if ready.is_empty() {
            let names: Vec<&str> = waiting.iter().map(|table| table.name.as_str()).collect();
            return Err(StoreError::Corrupt(format!(
                "tables {} reference each other in a cycle",
                names.join(", ")
            )));
        }
        for table in ready {
            placed.insert(table.name.clone());
            ordered.push(table);
        }
        rest = waiting;
    }
    Ok(ordered)
}

async fn count_rows(conn: &mut AnyConnection, table: &str) -> Result<u64, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {}",
        quote(table)
    )))
    .fetch_one(&mut *conn)
    .await?;
    u64::try_from(row.try_get::<i64, _>("n")?)
        .map_err(|_| StoreError::Corrupt(format!("table `{table}` counts negative rows")))
}

async fn latest_checkpoint(conn: &mut AnyConnection) -> Result<Option<(u64, Hash)>, StoreError> {
    let row =
        sqlx::query("SELECT tree_size, root FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let size = u64::try_from(row.try_get::<i64, _>("tree_size")?)
        .map_err(|_| StoreError::Corrupt("a negative checkpoint size".to_owned()))?;
    let root: Vec<u8> = row.try_get("root")?;
    let root = Hash::from_slice(&root)
        .map_err(|error| StoreError::Corrupt(format!("checkpoint root: {error}")))?;
    Ok(Some((size, root)))
}

/// Copies one table in primary-key order, a page at a time; returns the rows copied.
async fn copy_table(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    target_backend: Backend,
    table: &Table,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, StoreError> {
    let columns: Vec<String> = table.columns.iter().map(|(name, _)| quote(name)).collect();
    let key: Vec<String> = table
        .key
        .iter()
        .filter_map(|index| table.columns.get(*index))
        .map(|(name, _)| quote(name))
        .collect();
    let head = format!("SELECT {} FROM {}", columns.join(", "), quote(&table.name));
    let order = format!(" ORDER BY {} LIMIT {PAGE_ROWS}", key.join(", "));
    let after = format!(
        " WHERE ({}) > ({})",
        key.join(", "),
        (1..=key.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut last: Option<Vec<Cell>> = None;
    let mut copied = 0u64;
    loop {
        let sql = match &last {
            None => format!("{head}{order}"),
            Some(_) => format!("{head}{after}{order}"),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for cell in last.iter().flatten() {
            query = bind(query, cell.clone());
        }
        let rows = query.fetch_all(&mut *source).await?;
        if rows.is_empty() {
            break;
        }
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            let cells = table
                .columns
                .iter()
                .enumerate()
                .map(|(index, (_, kind))| Cell::read(row, index, *kind))
                .collect::<Result<Vec<_>, _>>()?;
            page.push(cells);
        }
        last = page.last().map(|cells| {
            table
                .key
                .iter()
                .filter_map(|index| cells.get(*index).cloned())
                .collect()
        });
        copied += page.len() as u64;
        insert_page(target, target_backend, &table.name, &columns, page).await?;
        progress(copied);
    }
    Ok(copied)
}

fn bind<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    cell: Cell,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    match cell {
        Cell::Integer(value) => query.bind(value),
        Cell::Text(value) => query.bind(value),
        Cell::Bytes(value) => query.bind(value),
        Cell::Boolean(value) => query.bind(value),
        Cell::Real(value) => query.bind(value),
    }
}

/// Inserts rows in multi-row statements (SQLite gets anonymous `?` placeholders, as in
/// `store/pending.rs`, where `$N` would make sqlx search parameter names for every value).
async fn insert_page(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[String],
    rows: Vec<Vec<Cell>>,
) -> Result<(), StoreError> {
    let per_statement = (BINDS_PER_STATEMENT_MAX / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote(table),
            columns.join(", ")
        );
        backend.push_value_rows(&mut sql, chunk.iter().map(Vec::len));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for cell in chunk.into_iter().flatten() {
            query = bind(query, cell);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
