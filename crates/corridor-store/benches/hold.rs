//! A new class hold registered over a store of 1,000,000 cases (issue 18):
//! `cargo bench -p corridor-store --bench hold`.
//!
//! What "a new class hold applied across 1,000,000 cases in ≤ 1 s" is taken to mean here: the
//! store holds 1,000,000 cases, and one `register_hold` command with class criteria goes through
//! `Store::execute` as any caller's would — the domain finds and decides every covered case that
//! is scheduled or in transit, and the hold's event, one pull per such case (a `hold_matched`
//! and a `transfer_unscheduled` or `recalled` event), their log leaves and the projections are
//! appended in one transaction whose durable commit (SQLite WAL with `synchronous=FULL`) has
//! returned. That whole call is what is timed, wall and CPU; nothing is prepared for it beyond
//! what a running server has (one earlier write on the store, so the log's tree is cached as it
//! is after any commit).
//!
//! The store is built once through the store's real write path (`Store::execute_many`: decide,
//! append, log leaf and nodes, projections, case keys, one durable commit per group of up to
//! 5,000 commands) and kept, keyed by its size, under `target/bench-hold/`; each run copies it
//! (and syncs the copy to disk before timing anything) and registers its holds on the copy, so
//! the kept store never changes. The mix: four
//! agreements (`bench-a` … `bench-d`, one in four cases each) and five nationalities (one in
//! five cases each, spread evenly over the agreements); by status, 40 % proposed, 30 % notice
//! served, 15 % requested, 12 % accepted (both approvals), 2 % scheduled and 1 % in transit, so
//! 3 % of the cases (30,000 of 1,000,000) are what a hold pulls, spread evenly through the
//! store's history (a case's events are ~1.4 KB each, 2.2 events per case on average).
//!
//! Timed, in order, each on cases no earlier hold of the run pulled: five holds of one agreement
//! and one nationality (`bench-a` with each nationality: 1/20 of the pullable cases each), then
//! three holds of one whole agreement (`bench-b`, `bench-c`, `bench-d`: 1/4 each). For each: the
//! cases in the store, the candidates (scheduled or in-transit cases the criteria's SQL finds),
//! the cases pulled, the events appended, wall and CPU time (every thread of the process, from
//! `/proc/self/stat`); then min and median per kind. After each hold the bench checks in SQL that
//! no covered case is left scheduled or in transit.
//!
//! The bench runs with the allocator `corridor serve` runs with (mimalloc; SQLite's own
//! allocations stay with the C library's), so that the CPU it reports is the server's.
//!
//! PostgreSQL (the server of CORRIDOR_TEST_POSTGRES_URL; CORRIDOR_TEST_SKIP_POSTGRES=1 leaves it
//! out) gets a smaller store, built afresh each run in a fresh database with the same mix and
//! dropped afterwards: CORRIDOR_BENCH_HOLD_PG_CASES cases (default 100,000). The SQLite size is
//! CORRIDOR_BENCH_HOLD_CASES (default 1,000,000).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, ClassCriteria, Command, Context, EventBody, HoldId, HoldScope, Label, Language,
    NoticeFacts, Outcome, Party, PersonFacts, PersonalData, Role, UserId,
};
use corridor_store::testing::TestDatabase;
use corridor_store::vault::{MasterKey, seal};
use corridor_store::{Backend, Request, Store};
use jiff::{SignedDuration, Timestamp};

/// The allocator `corridor serve` runs with (SQLite's own allocations stay with the C library's).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The agreement files, `{id}` replaced by each agreement's id.
const AGREEMENT: &str = r#"
id = "{id}"
title = "Benchmark profile (synthetic, not a real agreement)"
[parties]
sending = "USA"
receiving = "RWA"
[[status]]
status = "signed"
on = "2024-12-01"
[[status]]
status = "in_force"
on = "2024-12-01"
[eligibility]
per_person_approval = true
[clocks]
notice_lead_time = "24 hours"
[onward]
rule = "any_except_feared_and_protected"
"#;

const AGREEMENTS: [&str; 4] = ["bench-a", "bench-b", "bench-c", "bench-d"];
const NATIONALITIES: [&str; 5] = ["VEN", "HND", "GTM", "SLV", "CUB"];

/// Commands per group commit while building.
const GROUP: usize = 5_000;

/// Cases proposed per wave; a wave's commands go stage by stage, one group commit each.
const WAVE: u64 = 5_000;

/// When the holds are registered: after every event of the store.
const HOLDS_AT: &str = "2026-01-15T09:00:00Z";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn actor(name: &str, role: Role, party: Party) -> anyhow::Result<Actor> {
    Ok(Actor {
        user: UserId::parse(name).map_err(anyhow::Error::msg)?,
        role,
        party,
    })
}

fn state(code: &str) -> anyhow::Result<Party> {
    Ok(Party::State(
        Country::parse(code).map_err(anyhow::Error::msg)?,
    ))
}

fn agreement_id(index: u64) -> anyhow::Result<AgreementId> {
    let name = AGREEMENTS
        .get(usize::try_from(index % 4)?)
        .context("an agreement")?;
    AgreementId::parse(name).map_err(anyhow::Error::msg)
}

fn nationality(index: usize) -> anyhow::Result<Country> {
    let code = NATIONALITIES.get(index).context("a nationality")?;
    Country::parse(code).map_err(anyhow::Error::msg)
}

/// How far case `index` goes: 0 proposed, 1 noticed, 2 requested, 3 accepted, 4 scheduled,
/// 5 in transit. Independent of its agreement (`index % 4`) and nationality (`index / 4 % 5`).
fn stage_of(index: u64) -> u8 {
    match (index / 20) % 100 {
        0..40 => 0,
        40..70 => 1,
        70..85 => 2,
        85..97 => 3,
        97..99 => 4,
        _ => 5,
    }
}

/// Case ids as a deployment draws them, at random over 64 bits (here splitmix64 of the index,
/// so that every build is the same): each insert lands at a random place in the case indexes.
fn spread(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The actors of the build.
struct Actors {
    admin: Actor,
    officer: Actor,
    supervisor: Actor,
    receiver: Actor,
    clerk: Actor,
}

impl Actors {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            admin: actor("admin", Role::Admin, Party::None)?,
            officer: actor("officer", Role::SendingOfficer, state("USA")?)?,
            supervisor: actor("supervisor", Role::SendingSupervisor, state("USA")?)?,
            receiver: actor("receiver", Role::ReceivingOfficer, state("RWA")?)?,
            clerk: actor("clerk", Role::CourtClerk, Party::Court("dc".to_owned()))?,
        })
    }
}

/// One command of the build, with who acts and when.
struct Step {
    command: Command,
    context: Context,
    keys: Vec<(CaseId, Vec<u8>)>,
}

/// Writes commands in group commits; every one must be accepted.
async fn run(store: &Store, steps: &[Step]) -> anyhow::Result<()> {
    for group in steps.chunks(GROUP) {
        let requests: Vec<Request<'_>> = group
            .iter()
            .map(|step| Request {
                command: &step.command,
                context: &step.context,
                expected_version: None,
                new_case_keys: &step.keys,
            })
            .collect();
        for (result, step) in store.execute_many(&requests).await?.into_iter().zip(group) {
            if let Outcome::Refused { refusal, .. } = result?.outcome {
                anyhow::bail!("`{}` was refused: {refusal}", step.command.name());
            }
        }
    }
    Ok(())
}

fn facts(index: u64) -> anyhow::Result<PersonFacts> {
    Ok(PersonFacts {
        birth_date: jiff::civil::date(1960 + i16::try_from(index % 40)?, 3, 1),
        nationality: nationality(usize::try_from(index / 4 % 5)?)?,
        sex: if index.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        },
        vulnerabilities: Default::default(),
        feared_countries: Default::default(),
        protected_countries: Default::default(),
        languages: [Language::parse("es").map_err(anyhow::Error::msg)?]
            .into_iter()
            .collect(),
        legal_basis: Label::parse("ina_241").map_err(anyhow::Error::msg)?,
        designation: None,
        detention_place: None,
        removal_ordered_on: jiff::civil::date(2024, 11, 1),
        health_data_consent: false,
    })
}

/// The commands of one wave of cases, `first..last`, proposed at `start`, stage by stage.
fn wave(
    actors: &Actors,
    master: &MasterKey,
    cases: std::ops::Range<u64>,
    start: Timestamp,
) -> anyhow::Result<Vec<Vec<Step>>> {
    let hours = |n: i64| start + SignedDuration::from_hours(n);
    let mut stages: Vec<Vec<Step>> = (0..7).map(|_| Vec::new()).collect();
    let mut push = |stage: usize, command: Command, actor: &Actor, at: Timestamp, keys| {
        if let Some(steps) = stages.get_mut(stage) {
            steps.push(Step {
                command,
                context: Context {
                    now: at,
                    actor: actor.clone(),
                },
                keys,
            });
        }
    };
    for index in cases {
        let case = CaseId::from_u64(spread(index));
        let key = [u8::try_from(index % 251)?; 32];
        let personal = PersonalData {
            name: format!("Synthetic Person {index}"),
            ..PersonalData::default()
        };
        let propose = Command::Propose {
            case,
            agreement: agreement_id(index)?,
            facts: facts(index)?,
            counsel: None,
            personal: seal(case, &key, [1; 24], &personal),
        };
        let wrapped = vec![(case, master.wrap(case, &key, [2; 24]))];
        push(0, propose, &actors.officer, hours(0), wrapped);
        let stage = stage_of(index);
        if stage >= 1 {
            let notice = Command::ServeNotice {
                case,
                notice: NoticeFacts {
                    language: Language::parse("es").map_err(anyhow::Error::msg)?,
                    on_person: true,
                    on_counsel: false,
                    destination: Country::parse("RWA").map_err(anyhow::Error::msg)?,
                    explains_how_to_contest: true,
                },
            };
            push(1, notice, &actors.officer, hours(1), Vec::new());
        }
        if stage >= 2 {
            let request = Command::RequestTransfer { case };
            push(2, request, &actors.officer, hours(24), Vec::new());
        }
        if stage >= 3 {
            let approve = Command::Approve { case };
            push(3, approve.clone(), &actors.receiver, hours(48), Vec::new());
            push(4, approve, &actors.supervisor, hours(49), Vec::new());
        }
        if stage >= 4 {
            let departure = hours(72);
            let schedule = Command::Schedule { case, departure };
            push(5, schedule, &actors.officer, hours(50), Vec::new());
        }
        if stage >= 5 {
            let depart = Command::Depart { case };
            push(6, depart, &actors.officer, hours(72), Vec::new());
        }
    }
    Ok(stages)
}

/// Builds a store of `cases` cases on `store` (empty, log configured).
async fn build(store: &Store, cases: u64) -> anyhow::Result<()> {
    let actors = Actors::new()?;
    let master = MasterKey::from_bytes([0x4d; 32]);
    let start: Timestamp = "2025-01-02T09:00:00Z".parse()?;
    for id in AGREEMENTS {
        let load = Command::LoadAgreement {
            file_name: format!("{id}.toml"),
            text: AGREEMENT.replace("{id}", id),
        };
        let context = Context {
            now: start,
            actor: actors.admin.clone(),
        };
        if let Outcome::Refused { refusal, .. } =
            store.execute(&load, &context, None, &[]).await?.outcome
        {
            anyhow::bail!("agreement {id} refused: {refusal}");
        }
    }
    let waves = cases.div_ceil(WAVE);
    let began = Instant::now();
    for number in 0..waves {
        // Waves spread over 300 days; a wave's own commands span three days.
        let day = start + SignedDuration::from_mins(i64::try_from(number * 300 * 24 * 60 / waves)?);
        let first = number * WAVE;
        for stage in wave(&actors, &master, first..(first + WAVE).min(cases), day)? {
            run(store, &stage).await?;
        }
        if number % 10 == 9 || number + 1 == waves {
            eprintln!(
                "built {} cases ({} events) in {:.0} s",
                (first + WAVE).min(cases),
                store.tree_head().await?.0,
                began.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// The CPU time this process has used, every thread's (user and system), from
/// `/proc/self/stat` in clock ticks of 10 ms (Linux's `USER_HZ`): on a shared machine the wall
/// time of a step depends on the other processes, its CPU time much less.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime: fields 14 and 15 of proc(5), 12 and 13 after the name.
            let user: u64 = fields.get(11)?.parse().ok()?;
            let system: u64 = fields.get(12)?.parse().ok()?;
            Some(user + system)
        })
        .unwrap_or_default();
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| {
            let fields: Vec<&str> = text.split_whitespace().take(3).collect();
            Some(fields.join(" ")).filter(|joined| !joined.is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn count(store: &Store, sql: &str, binds: &[String]) -> anyhow::Result<i64> {
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()));
    for bind in binds {
        query = query.bind(bind.clone());
    }
    Ok(query.fetch_one(store.pool()).await?)
}

/// The SQL condition of a hold of `agreement` (and `nationality`, if given), with its binds.
fn covered_sql(agreement: &str, nationality: Option<&str>) -> (String, Vec<String>) {
    let mut sql = "agreement = $1".to_owned();
    let mut binds = vec![agreement.to_owned()];
    if let Some(nationality) = nationality {
        sql.push_str(" AND nationality = $2");
        binds.push(nationality.to_owned());
    }
    (sql, binds)
}

/// One timed hold.
struct Timed {
    wall: Duration,
    cpu: Duration,
}

/// Registers one class hold and reports it.
async fn one_hold(
    store: &Store,
    clerk: &Context,
    number: u64,
    agreement: &str,
    nationality: Option<&str>,
) -> anyhow::Result<Timed> {
    let (condition, binds) = covered_sql(agreement, nationality);
    let pullable = format!(
        "SELECT COUNT(*) FROM cases WHERE status IN ('scheduled', 'in_transit') AND {condition}"
    );
    let candidates = count(store, &pullable, &binds).await?;
    let in_store = count(store, "SELECT COUNT(*) FROM cases", &[]).await?;
    let mut criteria = ClassCriteria::default();
    criteria
        .agreements
        .insert(AgreementId::parse(agreement).map_err(anyhow::Error::msg)?);
    if let Some(code) = nationality {
        criteria
            .nationalities
            .insert(Country::parse(code).map_err(anyhow::Error::msg)?);
    }
    let command = Command::RegisterHold {
        hold: HoldId::from_u64(0x18_0000 + number),
        court: "District Court (bench)".to_owned(),
        reference: format!("bench-{number}"),
        scope: HoldScope::Class { criteria },
        depends_on: None,
    };
    let (began, cpu) = (Instant::now(), cpu_time());
    let executed = store.execute(&command, clerk, None, &[]).await?;
    let timed = Timed {
        wall: began.elapsed(),
        cpu: cpu_time().saturating_sub(cpu),
    };
    let Outcome::Accepted(events) = &executed.outcome else {
        anyhow::bail!("the hold was refused: {:?}", executed.outcome);
    };
    let pulled = events
        .iter()
        .filter(|event| matches!(event.body, EventBody::HoldMatched { .. }))
        .count();
    let left = count(store, &pullable, &binds).await?;
    anyhow::ensure!(
        left == 0 && i64::try_from(pulled)? == candidates,
        "{candidates} covered cases were scheduled or in transit, {pulled} were pulled and {left} are left"
    );
    println!(
        "  {agreement}{}: {in_store} cases in the store, {candidates} candidates, {pulled} pulled, \
         {} events appended: {:.3} s wall, {:.2} s CPU",
        nationality.map_or_else(String::new, |n| format!(" + {n}")),
        events.len(),
        timed.wall.as_secs_f64(),
        timed.cpu.as_secs_f64()
    );
    Ok(timed)
}

fn summary(what: &str, runs: &[Timed]) {
    let pick = |f: fn(&Timed) -> Duration| {
        let mut times: Vec<Duration> = runs.iter().map(f).collect();
        times.sort();
        (
            times.first().copied().unwrap_or_default(),
            times.get(times.len() / 2).copied().unwrap_or_default(),
        )
    };
    let (wall_min, wall_median) = pick(|timed| timed.wall);
    let (cpu_min, cpu_median) = pick(|timed| timed.cpu);
    println!(
        "  {what} ({} holds): wall min {:.3} s, median {:.3} s; CPU min {:.2} s, median {:.2} s",
        runs.len(),
        wall_min.as_secs_f64(),
        wall_median.as_secs_f64(),
        cpu_min.as_secs_f64(),
        cpu_median.as_secs_f64()
    );
}

/// The timed holds on `store`, after one untimed write (as any running server has made).
async fn holds(store: &Store) -> anyhow::Result<()> {
    let actors = Actors::new()?;
    let clerk = Context {
        now: HOLDS_AT.parse()?,
        actor: actors.clerk,
    };
    let warm = Command::RegisterHold {
        hold: HoldId::from_u64(0x18_0000),
        court: "District Court (bench)".to_owned(),
        reference: "bench-warm-up".to_owned(),
        scope: HoldScope::Cases {
            cases: [CaseId::from_u64(1)].into_iter().collect(),
        },
        depends_on: None,
    };
    store.execute(&warm, &clerk, None, &[]).await?;
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM cases GROUP BY status ORDER BY status")
            .fetch_all(store.pool())
            .await?;
    println!(
        "  cases by status: {statuses:?}; load average {}",
        load_average()
    );
    let mut narrow = Vec::new();
    for (number, code) in (1..).zip(NATIONALITIES) {
        narrow.push(one_hold(store, &clerk, number, "bench-a", Some(code)).await?);
    }
    let mut wide = Vec::new();
    for (number, agreement) in (10..).zip(["bench-b", "bench-c", "bench-d"]) {
        wide.push(one_hold(store, &clerk, number, agreement, None).await?);
    }
    summary("one agreement + one nationality", &narrow);
    summary("one whole agreement", &wide);
    println!("  load average {}", load_average());
    Ok(())
}

fn remove_sqlite(path: &Path) {
    for tail in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{tail}", path.display()));
    }
}

async fn sqlite(cases: u64) -> anyhow::Result<()> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-hold");
    std::fs::create_dir_all(&directory)?;
    let kept = directory.join(format!("cases-{cases}.db"));
    if !kept.exists() {
        let building = directory.join(format!("cases-{cases}.building.db"));
        remove_sqlite(&building);
        let began = Instant::now();
        let store = Store::open(&format!("sqlite://{}", building.display()), true).await?;
        store
            .configure_log(Some("bench.corridor.invalid/log"), Some([0x5a; 32]))
            .await?;
        build(&store, cases).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.pool())
            .await?;
        store.close().await;
        std::fs::rename(&building, &kept)?;
        let _ = std::fs::remove_file(format!("{}-wal", building.display()));
        let _ = std::fs::remove_file(format!("{}-shm", building.display()));
        println!(
            "built {} in {:.0} s",
            kept.display(),
            began.elapsed().as_secs_f64()
        );
    }
    // The holds change the store: they run on a copy, so the kept store is the same every run.
    let work = directory.join(format!("cases-{cases}.work.db"));
    remove_sqlite(&work);
    std::fs::copy(&kept, &work)?;
    // The copy's gigabytes would otherwise still be written back by the kernel while the holds
    // run, and every commit's fsync would wait behind them: no server's database is that.
    std::fs::File::open(&work)?.sync_all()?;
    let store = Store::open(&format!("sqlite://{}", work.display()), false).await?;
    println!(
        "\nSQLite: {} ({} events)",
        kept.display(),
        store.tree_head().await?.0
    );
    holds(&store).await?;
    store.close().await;
    remove_sqlite(&work);
    Ok(())
}

async fn postgres(cases: u64) -> anyhow::Result<()> {
    let database = TestDatabase::create(Backend::Postgres, "bench_hold")
        .await
        .context("a PostgreSQL database for the benchmark")?;
    let store = Store::open(database.url(), true).await?;
    store
        .configure_log(Some("bench.corridor.invalid/log"), Some([0x5a; 32]))
        .await?;
    let began = Instant::now();
    build(&store, cases).await?;
    println!(
        "\nPostgreSQL: built {cases} cases ({} events) in {:.0} s",
        store.tree_head().await?.0,
        began.elapsed().as_secs_f64()
    );
    let result = holds(&store).await;
    store.close().await;
    database.remove().await?;
    result
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let cases = env_u64("CORRIDOR_BENCH_HOLD_CASES", 1_000_000);
    println!(
        "corridor store: a new class hold over {cases} cases (load average {})",
        load_average()
    );
    runtime.block_on(sqlite(cases))?;
    if !corridor_store::testing::postgres_skipped() {
        runtime.block_on(postgres(env_u64("CORRIDOR_BENCH_HOLD_PG_CASES", 100_000)))?;
    }
    Ok(())
}
