//! The store's write path on SQLite and PostgreSQL in one run, each beside the raw `INSERT` rate
//! of the same database and the database's own client: `cargo bench -p corridor-store --bench backends`.
//!
//! For each backend: proposals through `Store::execute_many` in group commits (decide + event +
//! log leaf and nodes + projections + case key, one durable commit per group), then notices
//! through `Store::execute`, one durable transaction per command; then the same rows — the
//! event rows just written, read back — inserted into a plain table with only a primary key, in
//! the same groups, and one per transaction. Both use the store's durable pool (SQLite WAL with
//! `synchronous=FULL`, PostgreSQL `synchronous_commit=on`): nothing is counted before its commit
//! returns.
//!
//! Then (issue 18) the same proposal rows go to the database's own client, in the same run
//! (`clients`): the `sqlite3` shell (`.import --csv` and a script of `INSERT`s, a transaction
//! per group) and `psql` (`\copy` and `INSERT … SELECT`), each into a plain table with only a
//! primary key; full path / client ratios by wall time (and on SQLite by CPU time), and bytes
//! on disk per case event against the plain table's bytes per row. The process runs with
//! mimalloc, as `corridor serve` does. CORRIDOR_BENCH_BACKEND_PROFILE=1 stops after the grouped
//! phase, so that a profiler sees the write path alone.
//!
//! Scale with CORRIDOR_BENCH_BACKEND_EVENTS (proposals, default 30,000),
//! CORRIDOR_BENCH_BACKEND_SINGLE (single-command transactions, default 1,000) and
//! CORRIDOR_BENCH_BACKEND_GROUP (commands per group commit, default 1,000). PostgreSQL runs in a
//! fresh database on the server of CORRIDOR_TEST_POSTGRES_URL (the machine's by default), dropped
//! afterwards; CORRIDOR_TEST_SKIP_POSTGRES=1 leaves it out.
//!
//! With CORRIDOR_BENCH_BACKEND_MODE=access it measures access records instead (issue 18): the
//! same CORRIDOR_BENCH_ACCESS_RECORDS (default 200,000) access records written through
//! `Store::write_many` in group commits of CORRIDOR_BENCH_BACKEND_GROUP, once as JSON events with
//! stored leaves (the layout before schema version 8) and once in the compact layout, each into a
//! fresh database; for each, records per second and the bytes the database grew by per record
//! (SQLite: page count × page size after `PRAGMA wal_checkpoint(TRUNCATE)`; PostgreSQL:
//! `pg_total_relation_size` of every table the records touch).

mod clients;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, Command, Context, Event, EventBody, Label, Language, NoticeFacts, Outcome,
    Party, PersonFacts, PersonalData, Role, UserId,
};
use corridor_store::testing::{TestDatabase, backends};
use corridor_store::vault::{MasterKey, seal};
use corridor_store::{Backend, Request, Store, Write};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sqlx::{AnyPool, AssertSqlSafe, Executor as _, Row as _};

/// The allocator `corridor serve` runs with, so the write path is measured as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AGREEMENT: &str = r#"
id = "bench"
title = "Benchmark profile (synthetic, not a real agreement)"
[parties]
sending = "USA"
receiving = "RWA"
[[status]]
status = "signed"
on = "2025-01-01"
[[status]]
status = "in_force"
on = "2025-01-01"
[eligibility]
per_person_approval = true
[clocks]
notice_lead_time = "24 hours"
[onward]
rule = "any_except_feared_and_protected"
"#;

/// The columns of an event row, copied as they are into the raw table.
const EVENT_COLUMNS: &str =
    "seq, stream, version, kind, occurred_at, recorded_at, schema, body, body_sha256";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn actor(name: &str, role: Role, state: &str) -> anyhow::Result<Actor> {
    let party = if state.is_empty() {
        Party::None
    } else {
        Party::State(Country::parse(state).map_err(anyhow::Error::msg)?)
    };
    Ok(Actor {
        user: UserId::parse(name).map_err(anyhow::Error::msg)?,
        role,
        party,
    })
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// A rate and the latencies of the commits that made it.
struct Measured {
    items: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Measured {
    fn new(items: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Self {
        latencies.sort();
        Self {
            items,
            elapsed,
            latencies,
        }
    }

    fn rate(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64()
    }

    fn line(&self, what: &str, unit: &str) -> String {
        format!(
            "{what}: {} {unit} in {:.2} s = {:.0} {unit}/s (commit latency p50 {:.2} ms, p99 {:.2} ms)",
            self.items,
            self.elapsed.as_secs_f64(),
            self.rate(),
            percentile(&self.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3
        )
    }
}

struct Settings {
    events: usize,
    single: usize,
    group: usize,
}

/// A proposal and the wrapped key of its case.
type Proposal = (Command, [(CaseId, Vec<u8>); 1]);

fn proposal(rng: &mut ChaCha20Rng, master: &MasterKey, index: usize) -> anyhow::Result<Proposal> {
    let case = CaseId::from_u64(rng.next_u64());
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let wrapped = master.wrap(case, &key, nonce);
    let personal = PersonalData {
        name: format!("Synthetic Person {index}"),
        ..PersonalData::default()
    };
    let facts = PersonFacts {
        birth_date: "1990-01-01".parse()?,
        nationality: Country::parse(
            ["VEN", "HND", "GTM", "SLV", "IRQ"]
                .get(index % 5)
                .copied()
                .unwrap_or("VEN"),
        )
        .map_err(anyhow::Error::msg)?,
        sex: Sex::Male,
        vulnerabilities: Default::default(),
        feared_countries: Default::default(),
        protected_countries: Default::default(),
        languages: [Language::parse("es").map_err(anyhow::Error::msg)?]
            .into_iter()
            .collect(),
        legal_basis: Label::parse("ina_241").map_err(anyhow::Error::msg)?,
        designation: None,
        detention_place: None,
        removal_ordered_on: "2025-03-01".parse()?,
        health_data_consent: false,
    };
    Ok((
        Command::Propose {
            case,
            agreement: AgreementId::parse("bench").map_err(anyhow::Error::msg)?,
            facts,
            counsel: None,
            personal: seal(case, &key, nonce, &personal),
        },
        [(case, wrapped)],
    ))
}

fn accepted(outcome: &Outcome) -> anyhow::Result<()> {
    match outcome {
        Outcome::Accepted(_) => Ok(()),
        Outcome::Refused { refusal, .. } => {
            anyhow::bail!("a benchmark command was refused: {refusal}")
        }
    }
}

/// What the full write path did: the grouped and single rates, the process's CPU time over
/// the grouped phase, and the bytes the database grew by over it.
struct FullPath {
    grouped: Measured,
    grouped_cpu: Duration,
    grouped_bytes: i64,
    single: Measured,
}

/// The full write path: group commits of proposals, then single-command notices.
async fn write_path(
    store: &Store,
    backend: Backend,
    settings: &Settings,
) -> anyhow::Result<FullPath> {
    let now = "2025-06-01T09:00:00Z".parse()?;
    let admin = Context {
        now,
        actor: actor("admin.bench", Role::Admin, "")?,
    };
    let load = Command::LoadAgreement {
        file_name: "bench.toml".to_owned(),
        text: AGREEMENT.to_owned(),
    };
    accepted(&store.execute(&load, &admin, None, &[]).await?.outcome)?;
    let officer = Context {
        now,
        actor: actor("officer.bench", Role::SendingOfficer, "USA")?,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let master = MasterKey::from_bytes([3; 32]);
    let mut cases = Vec::with_capacity(settings.events);
    let bytes_before = store_bytes(store.pool(), backend).await?;
    let mut latencies = Vec::new();
    let cpu_before = clients::own_cpu();
    let started = Instant::now();
    let mut done = 0;
    while done < settings.events {
        let size = settings.group.min(settings.events - done);
        let items = (done..done + size)
            .map(|index| proposal(&mut rng, &master, index))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let requests: Vec<Request<'_>> = items
            .iter()
            .map(|(command, keys)| Request {
                command,
                context: &officer,
                expected_version: None,
                new_case_keys: keys,
            })
            .collect();
        let begun = Instant::now();
        for result in store.execute_many(&requests).await? {
            accepted(&result?.outcome)?;
        }
        latencies.push(begun.elapsed());
        cases.extend(items.iter().map(|(_, [(case, _)])| *case));
        done += size;
    }
    let grouped = Measured::new(settings.events, started.elapsed(), latencies);
    let grouped_cpu = clients::own_cpu().saturating_sub(cpu_before);
    let grouped_bytes = store_bytes(store.pool(), backend).await? - bytes_before;

    let notice = |case| -> anyhow::Result<Command> {
        Ok(Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: Language::parse("es").map_err(anyhow::Error::msg)?,
                on_person: true,
                on_counsel: true,
                destination: Country::parse("RWA").map_err(anyhow::Error::msg)?,
                explains_how_to_contest: true,
            },
        })
    };
    let mut latencies = Vec::with_capacity(settings.single);
    let started = Instant::now();
    for &case in cases.iter().take(settings.single) {
        let command = notice(case)?;
        let begun = Instant::now();
        accepted(&store.execute(&command, &officer, None, &[]).await?.outcome)?;
        latencies.push(begun.elapsed());
    }
    let single = Measured::new(
        settings.single.min(cases.len()),
        started.elapsed(),
        latencies,
    );
    Ok(FullPath {
        grouped,
        grouped_cpu,
        grouped_bytes,
        single,
    })
}

/// Every byte the database holds: SQLite's pages after a truncating checkpoint, PostgreSQL's
/// relations of the store's schema (indexes and TOAST included).
async fn store_bytes(pool: &AnyPool, backend: Backend) -> anyhow::Result<i64> {
    match backend {
        Backend::Sqlite => database_bytes(pool, backend).await,
        Backend::Postgres => Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = current_schema()",
        )
        .fetch_one(pool)
        .await?),
    }
}

/// One event row as stored, to insert again into the raw table.
type EventRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
);

async fn event_rows(pool: &AnyPool) -> anyhow::Result<Vec<EventRow>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"
    )))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("seq")?,
                row.try_get("stream")?,
                row.try_get("version")?,
                row.try_get("kind")?,
                row.try_get("occurred_at")?,
                row.try_get("recorded_at")?,
                row.try_get("schema")?,
                row.try_get("body")?,
                row.try_get("body_sha256")?,
            ))
        })
        .collect()
}

/// Inserts rows into the raw table in one transaction, in multi-row statements.
async fn insert_raw(pool: &AnyPool, backend: Backend, rows: &[EventRow]) -> anyhow::Result<()> {
    let mut tx = pool.begin_with(backend.begin_write()).await?;
    // 9 columns: 800 rows keep a statement under 8,000 bound values, as the store's flush does.
    for chunk in rows.chunks(800) {
        let mut sql = format!("INSERT INTO bench_raw ({EVENT_COLUMNS}) VALUES ");
        let mut n = 0;
        for (index, _) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push_str(", ");
            }
            let marks: Vec<String> = (0..9)
                .map(|_| {
                    n += 1;
                    match backend {
                        Backend::Sqlite => "?".to_owned(),
                        Backend::Postgres => format!("${n}"),
                    }
                })
                .collect();
            sql.push_str(&format!("({})", marks.join(", ")));
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            query = query
                .bind(row.0)
                .bind(row.1.clone())
                .bind(row.2)
                .bind(row.3.clone())
                .bind(row.4.clone())
                .bind(row.5.clone())
                .bind(row.6)
                .bind(row.7.clone())
                .bind(row.8.clone());
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The raw rate: the same event rows into a plain table, in the same groups, then one per
/// transaction.
async fn raw_inserts(
    pool: &AnyPool,
    backend: Backend,
    rows: &[EventRow],
    single_rows: &[EventRow],
    group: usize,
) -> anyhow::Result<(Measured, Measured)> {
    let integer = match backend {
        Backend::Sqlite => "INTEGER",
        Backend::Postgres => "BIGINT",
    };
    pool.execute(AssertSqlSafe(format!(
        "CREATE TABLE bench_raw (seq {integer} PRIMARY KEY, stream TEXT NOT NULL, version {integer} NOT NULL, \
         kind TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, schema {integer} NOT NULL, \
         body TEXT NOT NULL, body_sha256 TEXT NOT NULL)"
    )))
    .await?;
    let mut latencies = Vec::new();
    let started = Instant::now();
    for chunk in rows.chunks(group.max(1)) {
        let begun = Instant::now();
        insert_raw(pool, backend, chunk).await?;
        latencies.push(begun.elapsed());
    }
    let grouped = Measured::new(rows.len(), started.elapsed(), latencies);
    // The single-command events get new keys after the grouped ones.
    let offset = i64::try_from(rows.len())?;
    let mut latencies = Vec::new();
    let started = Instant::now();
    for row in single_rows {
        let mut row = row.clone();
        row.0 += offset;
        let begun = Instant::now();
        insert_raw(pool, backend, std::slice::from_ref(&row)).await?;
        latencies.push(begun.elapsed());
    }
    let single = Measured::new(single_rows.len(), started.elapsed(), latencies);
    Ok((grouped, single))
}

async fn run_backend(backend: Backend, settings: &Settings) -> anyhow::Result<()> {
    let database = TestDatabase::create(backend, "bench")
        .await
        .context("a database for the benchmark")?;
    let store = Store::open(database.url(), true).await?;
    let full = write_path(&store, backend, settings).await?;
    if std::env::var("CORRIDOR_BENCH_BACKEND_PROFILE").as_deref() == Ok("1") {
        // Profiling the write path alone: nothing else runs in this process.
        println!(
            "\n{backend:?}: {}",
            full.grouped.line("full path only (profiling)", "events")
        );
        store.close().await;
        database.remove().await?;
        return Ok(());
    }
    let rows = event_rows(store.pool()).await?;
    // Row 1 is the agreement; the proposals follow, then the single-command notices.
    let proposals = rows.get(1..=settings.events).unwrap_or_default();
    let notices = rows.get(settings.events + 1..).unwrap_or_default();
    let body_bytes: usize = proposals.iter().map(|row| row.7.len()).sum();
    let (raw_grouped, raw_single) =
        raw_inserts(store.pool(), backend, proposals, notices, settings.group).await?;
    let dir = tempfile::Builder::new()
        .prefix("corridor-bench-clients-")
        .tempdir()?;
    let client = match backend {
        Backend::Sqlite => clients::sqlite(dir.path(), proposals, notices, settings.group)?,
        Backend::Postgres => {
            let pool = store.pool().clone();
            clients::psql(
                dir.path(),
                database.url(),
                proposals,
                notices,
                settings.group,
                |table| {
                    let pool = pool.clone();
                    async move {
                        Ok(sqlx::query_scalar(AssertSqlSafe(format!(
                            "SELECT CAST(pg_total_relation_size('{table}') AS BIGINT)"
                        )))
                        .fetch_one(&pool)
                        .await?)
                    }
                },
            )
            .await?
        }
    };
    report(
        backend,
        settings,
        &rows,
        proposals.len(),
        body_bytes,
        &full,
        &raw_grouped,
        &raw_single,
        &client,
    );
    store.close().await;
    database.remove().await?;
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site, each argument a different measurement of the run"
)]
fn report(
    backend: Backend,
    settings: &Settings,
    rows: &[EventRow],
    proposals: usize,
    body_bytes: usize,
    full: &FullPath,
    raw_grouped: &Measured,
    raw_single: &Measured,
    client: &clients::ClientFigures,
) {
    println!(
        "\n{backend:?} ({} events; proposal bodies {:.0} bytes on average)",
        rows.len(),
        body_bytes as f64 / proposals.max(1) as f64
    );
    println!(
        "  {} [CPU of this process {:.2} s]",
        full.grouped.line(
            &format!("full path, group commits of {}", settings.group),
            "events"
        ),
        full.grouped_cpu.as_secs_f64()
    );
    println!(
        "  {}",
        raw_grouped.line(
            &format!(
                "raw INSERT through sqlx, same rows, transactions of {}",
                settings.group
            ),
            "rows"
        )
    );
    println!(
        "  full path / raw sqlx, grouped: {:.0} %",
        100.0 * full.grouped.rate() / raw_grouped.rate()
    );
    for (name, run) in &client.grouped {
        println!(
            "  client: {name}: {} rows in {:.2} s = {:.0} rows/s [CPU of the client {:.2} s]",
            run.rows,
            run.wall.as_secs_f64(),
            run.rate(),
            run.cpu.as_secs_f64()
        );
    }
    if let Some((name, best)) = client.best_grouped() {
        println!(
            "  FULL PATH / CLIENT, grouped: {:.1} % (wall, against {name})",
            100.0 * full.grouped.rate() / best.rate()
        );
        if backend == Backend::Sqlite && full.grouped_cpu > Duration::ZERO {
            println!(
                "  full path / client, grouped, CPU time per row: {:.1} % (client {:.2} s, full path {:.2} s)",
                100.0 * best.cpu.as_secs_f64() / full.grouped_cpu.as_secs_f64(),
                best.cpu.as_secs_f64(),
                full.grouped_cpu.as_secs_f64()
            );
        }
    }
    println!(
        "  {}",
        full.single
            .line("full path, one command per transaction", "commands")
    );
    println!(
        "  {}",
        raw_single.line("raw INSERT through sqlx, one row per transaction", "rows")
    );
    println!(
        "  client: one INSERT per transaction: {} rows in {:.2} s = {:.0} rows/s",
        client.single.rows,
        client.single.wall.as_secs_f64(),
        client.single.rate()
    );
    println!(
        "  full path / raw sqlx, single: {:.0} %; FULL PATH / CLIENT, single: {:.0} %",
        100.0 * full.single.rate() / raw_single.rate(),
        100.0 * full.single.rate() / client.single.rate()
    );
    let per_event = full.grouped_bytes as f64 / proposals.max(1) as f64;
    println!(
        "  bytes on disk per case event: full path {:.0} ({}), plain table {:.0}: {:.2}x",
        per_event,
        match backend {
            Backend::Sqlite => "file pages after wal_checkpoint(TRUNCATE)",
            Backend::Postgres => "pg_total_relation_size of every table",
        },
        client.bytes_per_row,
        per_event / client.bytes_per_row.max(1.0)
    );
}

/// The tables access records touch, in either layout.
const ACCESS_TABLES: [&str; 5] = [
    "events",
    "log_leaves",
    "log_nodes",
    "access_records",
    "access_names",
];

/// The `index`th access record of the benchmark: 50 users, reads and listings of 10,000 cases
/// (one in ten a listing of the service), one or two of ten policies, nearly all allowed, 50 ms
/// apart with nanoseconds.
fn bench_access_record(rng: &mut ChaCha20Rng, index: usize) -> anyhow::Result<Event> {
    let user = UserId::parse(&format!("officer.{:02}", rng.next_u64() % 50))
        .map_err(anyhow::Error::msg)?;
    let listing = index.is_multiple_of(10);
    let resource = if listing {
        "service".to_owned()
    } else {
        CaseId::from_u64(rng.next_u64() % 10_000).to_string()
    };
    let policies = (0..1 + rng.next_u64() % 2)
        .map(|_| format!("officers-read-own-state-{}", rng.next_u64() % 10))
        .collect();
    let start: jiff::Timestamp = "2026-01-05T08:00:00Z".parse()?;
    Ok(Event {
        at: start
            + jiff::SignedDuration::from_millis(i64::try_from(index)? * 50)
            + jiff::SignedDuration::from_nanos(i64::try_from(rng.next_u64() % 1_000_000)?),
        by: Some(user),
        body: EventBody::AccessRecorded {
            role: Role::SendingOfficer,
            action: if listing { "list_cases" } else { "read_case" }.to_owned(),
            resource,
            agreement: Some(AgreementId::parse("us-rwa-2025").map_err(anyhow::Error::msg)?),
            allowed: !rng.next_u64().is_multiple_of(50),
            policies,
        },
    })
}

/// The bytes the database holds: SQLite's pages after a truncating checkpoint (the WAL folded
/// in), PostgreSQL's relations of the access tables (their indexes and TOAST included).
async fn database_bytes(pool: &AnyPool, backend: Backend) -> anyhow::Result<i64> {
    match backend {
        Backend::Sqlite => {
            pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                .fetch_one(pool)
                .await?;
            let size: i64 = sqlx::query_scalar("PRAGMA page_size")
                .fetch_one(pool)
                .await?;
            Ok(pages * size)
        }
        Backend::Postgres => {
            let mut total = 0;
            for table in ACCESS_TABLES {
                let bytes: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT CAST(pg_total_relation_size('{table}') AS BIGINT)"
                )))
                .fetch_one(pool)
                .await?;
                total += bytes;
            }
            Ok(total)
        }
    }
}

/// One layout's run: records per second and bytes per record.
async fn access_layout(
    backend: Backend,
    compact: bool,
    records: usize,
    group: usize,
) -> anyhow::Result<()> {
    let label = if compact {
        "bench_compact"
    } else {
        "bench_json"
    };
    let database = TestDatabase::create(backend, label)
        .await
        .context("a database for the benchmark")?;
    let store = Store::open(database.url(), true).await?;
    store.configure_log(None, Some([7; 32])).await?;
    if !compact {
        store.write_access_records_as_events();
    }
    let before = database_bytes(store.pool(), backend).await?;
    let mut rng = ChaCha20Rng::seed_from_u64(18);
    let mut latencies = Vec::new();
    let mut done = 0;
    let started = Instant::now();
    while done < records {
        let size = group.max(1).min(records - done);
        let events = (done..done + size)
            .map(|index| bench_access_record(&mut rng, index))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let writes: Vec<Write<'_>> = events.iter().map(Write::Access).collect();
        let begun = Instant::now();
        for result in store.write_many(&writes).await? {
            result?;
        }
        latencies.push(begun.elapsed());
        done += size;
    }
    let measured = Measured::new(records, started.elapsed(), latencies);
    let after = database_bytes(store.pool(), backend).await?;
    // What `/transparency` reads at every request: the leaves counted by month below the size.
    let (size, _) = store.tree_head().await?;
    let counting = Instant::now();
    let counts = store.leaf_counts_by_month(size).await?;
    let counted = counting.elapsed();
    anyhow::ensure!(
        counts.iter().map(|count| count.leaves).sum::<u64>() == size,
        "the counts by month do not add up to the log's size"
    );
    let record_bytes: Option<f64> = if compact {
        sqlx::query_scalar(
            "SELECT CAST(AVG(length(record)) AS DOUBLE PRECISION) FROM access_records",
        )
        .fetch_one(store.pool())
        .await
        .ok()
    } else {
        None
    };
    println!(
        "  {} layout: {}",
        if compact {
            "compact"
        } else {
            "JSON (before schema 8)"
        },
        measured.line(
            &format!("access records, group commits of {group}"),
            "records"
        )
    );
    println!(
        "    bytes on disk: {} grown by {} = {:.0} bytes per record{}",
        match backend {
            Backend::Sqlite => "file (pages after wal_checkpoint(TRUNCATE))",
            Backend::Postgres =>
                "pg_total_relation_size of events, log_leaves, log_nodes, access_records, access_names",
        },
        after - before,
        (after - before) as f64 / records.max(1) as f64,
        record_bytes.map_or_else(String::new, |bytes| format!(
            " (the encoding itself: {bytes:.1} bytes on average)"
        ))
    );
    println!(
        "    leaf counts by month over the {size} leaves (/transparency): {:.0} ms",
        counted.as_secs_f64() * 1e3
    );
    store.close().await;
    database.remove().await?;
    Ok(())
}

/// The access-record mode: both layouts on one backend.
async fn run_access(backend: Backend, records: usize, group: usize) -> anyhow::Result<()> {
    println!("\n{backend:?} ({records} access records)");
    access_layout(backend, false, records, group).await?;
    access_layout(backend, true, records, group).await
}

/// The 1-, 5- and 15-minute load averages, as `uptime` prints them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let settings = Settings {
        events: env_usize("CORRIDOR_BENCH_BACKEND_EVENTS", 30_000),
        single: env_usize("CORRIDOR_BENCH_BACKEND_SINGLE", 1_000),
        group: env_usize("CORRIDOR_BENCH_BACKEND_GROUP", 1_000),
    };
    if std::env::var("CORRIDOR_BENCH_BACKEND_MODE").as_deref() == Ok("access") {
        let records = env_usize("CORRIDOR_BENCH_ACCESS_RECORDS", 200_000);
        println!(
            "corridor store backends: access records in the JSON and compact layouts ({records} records)"
        );
        for backend in backends() {
            runtime.block_on(run_access(backend, records, settings.group))?;
        }
        return Ok(());
    }
    println!(
        "corridor store backends: the durable write path beside raw INSERTs and the databases' own clients ({} proposals, {} single commands; load average {})",
        settings.events,
        settings.single,
        load_average()
    );
    for backend in backends() {
        runtime.block_on(run_backend(backend, &settings))?;
    }
    println!("\nload average at the end: {}", load_average());
    Ok(())
}
