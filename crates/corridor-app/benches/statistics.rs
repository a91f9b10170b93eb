//! The tally of a statistics release over a busy deployment's log:
//! `cargo bench -p corridor-app --bench statistics`.
//!
//! Builds once (and keeps, keyed by its size, under `target/bench-statistics/`) a SQLite store
//! of CORRIDOR_BENCH_STATS_EVENTS events (default 10,000,000) that looks like a busy
//! deployment's: about one event in five is a case's, the rest are access records (every read by
//! an account is one). Every event goes through the store's real write path (`Store::write_many`:
//! decide, append, log leaf and nodes, projections, one durable commit per group of up to 5,000):
//! the cases' commands decided by the domain, the access records appended as the application
//! layer appends them. Nothing is inserted behind the store's back, so the log, its leaves and
//! its projections are what a deployment would hold. Cases are proposed in waves across 2025
//! under a synthetic agreement with a monthly welfare schedule: every case is proposed and
//! served notice; 80 % are requested and approved, 70 % scheduled, 60 % depart and arrive, and
//! an arrived case gets two welfare checks (the second not found); 5 % are withdrawn, 5 % claim
//! protection and have it decided.
//!
//! Then it times, over the whole log: the tally with the case streams walked in one part and in
//! `WALK_PARTS` parts at once (alternately, three times each); (a) a monthly release with no
//! earlier release, three times; (b) the twelve monthly releases of 2025 in order, each protected
//! against the earlier ones, then the since-entry release to 2025-12 against all twelve, three
//! times. A release is computed as `publish_on` computes it (the app's agreements, `tally`,
//! `corridor_stats::compute::compute`, the files and the signed note) but not stored: the
//! releases table is append-only and the store is kept between runs. Each step is timed.
//!
//! CORRIDOR_BENCH_STATS_WALKS=1 adds the reads under the tally, three times each: a scan in
//! sequence order with the tally's kinds filtered in SQL (`Store::for_each_event_up_to`: every
//! row is visited, access records included), the walk of the case and hold streams on one
//! connection (`Store::for_each_stream_event_up_to`, bodies hashed and checked, not decoded),
//! the same walk decoding every body as a full `Event`, and the whole `tally`.
//!
//! Each tally is also given with its CPU time (every thread of the process, from
//! `/proc/self/stat`), which other processes on a shared machine change much less than its wall
//! time.
//!
//! CORRIDOR_BENCH_STATS_EVENTS sets the size (e.g. `1_000_000` to try it quickly).
//!
//! The benchmark runs on mimalloc, the allocator of the `corridor` binary whose `stats publish`
//! computes a release (before 2026-12-04 it ran on glibc's, whose malloc and free were about 12 %
//! of a tally's profile).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use corridor_app::statistics::release::{agreements_counted, end_of, signed_files};
use corridor_app::statistics::tally::{COUNTED_KINDS, WALK_PARTS, tally, tally_in_parts};
use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, Command, Context, Event, EventBody, Label, Language, NoticeFacts, Party,
    PersonFacts, PersonalData, Role, UserId, WelfareOutcome,
};
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_stats::compute::{ReleaseRequest, compute};
use corridor_stats::period::{Month, Period};
use corridor_stats::release::{LogPoint, Release, ReleasePeriod, Value};
use corridor_stats::rounding::Protection;
use corridor_stats::{DEFAULT_BASE, DEFAULT_THRESHOLD};
use corridor_store::vault::{MasterKey, seal};
use corridor_store::{Deployment, Request, Store, StoreError, Write};
use jiff::{SignedDuration, Timestamp};

/// The allocator `corridor stats publish` runs with (the `corridor` binary's), so that the
/// benchmark's allocations cost what the command's do.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AGREEMENT: &str = r#"
id = "bench-agreement"
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
[[clocks.welfare_schedule]]
every = "1 month"
from = "1 month"
until = "12 months"
window = "7 days"
[onward]
rule = "any_except_feared_and_protected"
[statistics]
breakdowns = ["nationality", "sex", "age_band"]
"#;

/// Commands or access records per group commit.
const GROUP: usize = 5_000;

/// Cases proposed per wave; waves are a day apart.
const WAVE: usize = 2_000;

/// Nationalities the synthetic people have.
const NATIONALITIES: [&str; 8] = ["VEN", "HND", "GTM", "SLV", "CUB", "HTI", "NIC", "ECU"];

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn actor(name: &str, role: Role, state: &str) -> anyhow::Result<Actor> {
    Ok(Actor {
        user: UserId::parse(name).map_err(anyhow::Error::msg)?,
        role,
        party: if state.is_empty() {
            Party::None
        } else {
            Party::State(Country::parse(state).map_err(anyhow::Error::msg)?)
        },
    })
}

/// The actors of the benchmark.
struct Actors {
    admin: Actor,
    officer: Actor,
    supervisor: Actor,
    receiver: Actor,
    adjudicator: Actor,
    monitor: Actor,
}

impl Actors {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            admin: actor("admin", Role::Admin, "")?,
            officer: actor("officer", Role::SendingOfficer, "USA")?,
            supervisor: actor("supervisor", Role::SendingSupervisor, "USA")?,
            receiver: actor("receiver", Role::ReceivingOfficer, "RWA")?,
            adjudicator: actor("adjudicator", Role::Adjudicator, "USA")?,
            monitor: Actor {
                user: UserId::parse("monitor").map_err(anyhow::Error::msg)?,
                role: Role::Monitor,
                party: Party::from_fields(Role::Monitor, None, None, Some("bench-monitors"))
                    .map_err(|error| anyhow::anyhow!("{error:?}"))?,
            },
        })
    }
}

/// One command of the build, with who acts and when.
struct Step {
    command: Command,
    context: Context,
    keys: Vec<(CaseId, Vec<u8>)>,
}

/// Writes commands in group commits; refusals are fine (a deployment has them too) but counted.
async fn run(store: &Store, steps: &[Step]) -> anyhow::Result<(u64, u64)> {
    let (mut events, mut refused) = (0u64, 0u64);
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
        for result in store.execute_many(&requests).await? {
            match result?.seqs {
                Some((first, last)) => events += last - first + 1,
                None => refused += 1,
            }
        }
    }
    Ok((events, refused))
}

/// Appends `count` access records dated `at`, as the application layer records reads.
async fn access_records(store: &Store, count: u64, at: Timestamp) -> anyhow::Result<()> {
    let agreement = AgreementId::parse("bench-agreement").map_err(anyhow::Error::msg)?;
    let mut left = count;
    while left > 0 {
        let n = left.min(GROUP as u64);
        let records: Vec<Event> = (0..n)
            .map(|index| Event {
                at,
                by: UserId::parse("officer").ok(),
                body: EventBody::AccessRecorded {
                    role: Role::SendingOfficer,
                    action: "read_case".to_owned(),
                    resource: format!("case-{index:016x}"),
                    agreement: Some(agreement.clone()),
                    allowed: true,
                    policies: vec!["sending_state_reads_its_cases".to_owned()],
                },
            })
            .collect();
        let writes: Vec<Write<'_>> = records.iter().map(Write::Access).collect();
        for result in store.write_many(&writes).await? {
            result?;
        }
        left -= n;
    }
    Ok(())
}

fn facts(index: u64) -> anyhow::Result<PersonFacts> {
    let nationality = NATIONALITIES
        .get(usize::try_from(index % 8)?)
        .context("a nationality")?;
    let year = 1960 + i16::try_from(index % 45)?;
    Ok(PersonFacts {
        birth_date: jiff::civil::date(year, 3, 1),
        nationality: Country::parse(nationality).map_err(anyhow::Error::msg)?,
        sex: [Sex::Male, Sex::Female, Sex::Male, Sex::Other]
            .get(usize::try_from(index % 4)?)
            .copied()
            .context("a sex")?,
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

/// The commands of one wave of cases proposed at `start`, stage by stage.
fn wave(
    actors: &Actors,
    master: &MasterKey,
    first: u64,
    start: Timestamp,
) -> anyhow::Result<Vec<Vec<Step>>> {
    let agreement = AgreementId::parse("bench-agreement").map_err(anyhow::Error::msg)?;
    let hours = |n: i64| start + SignedDuration::from_hours(n);
    let mut stages: Vec<Vec<Step>> = (0..12).map(|_| Vec::new()).collect();
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
    for index in first..first + WAVE as u64 {
        let case = CaseId::from_u64(0xbe00_0000_0000_0000 | index);
        let key = [u8::try_from(index % 251)?; 32];
        let personal = PersonalData {
            name: format!("Synthetic Person {index}"),
            ..PersonalData::default()
        };
        let propose = Command::Propose {
            case,
            agreement: agreement.clone(),
            facts: facts(index)?,
            counsel: None,
            personal: seal(case, &key, [1; 24], &personal),
        };
        let wrapped = vec![(case, master.wrap(case, &key, [2; 24]))];
        push(0, propose, &actors.officer, hours(0), wrapped);
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
        let roll = index % 20;
        if roll == 0 {
            let reason = "bench".to_owned();
            push(
                2,
                Command::Withdraw { case, reason },
                &actors.officer,
                hours(2),
                Vec::new(),
            );
            continue;
        }
        if roll == 1 {
            push(
                2,
                Command::ClaimProtection { case },
                &actors.officer,
                hours(2),
                Vec::new(),
            );
            let decide = Command::DecideProtection {
                case,
                granted: index % 40 == 1,
            };
            push(3, decide, &actors.adjudicator, hours(20), Vec::new());
            continue;
        }
        if roll >= 17 {
            continue;
        }
        push(
            4,
            Command::RequestTransfer { case },
            &actors.officer,
            hours(24),
            Vec::new(),
        );
        push(
            5,
            Command::Approve { case },
            &actors.receiver,
            hours(48),
            Vec::new(),
        );
        push(
            6,
            Command::Approve { case },
            &actors.supervisor,
            hours(49),
            Vec::new(),
        );
        if roll >= 15 {
            continue;
        }
        let departure = hours(72);
        push(
            7,
            Command::Schedule { case, departure },
            &actors.officer,
            hours(50),
            Vec::new(),
        );
        if roll >= 13 {
            continue;
        }
        push(
            8,
            Command::Depart { case },
            &actors.officer,
            hours(72),
            Vec::new(),
        );
        push(
            9,
            Command::Arrive { case },
            &actors.receiver,
            hours(96),
            Vec::new(),
        );
        let well = Command::RecordWelfareCheck {
            case,
            outcome: WelfareOutcome::Well,
        };
        push(10, well, &actors.monitor, hours(96 + 24 * 31), Vec::new());
        let missing = Command::RecordWelfareCheck {
            case,
            outcome: WelfareOutcome::NotSeen,
        };
        push(
            11,
            missing,
            &actors.monitor,
            hours(96 + 24 * 61),
            Vec::new(),
        );
    }
    Ok(stages)
}

/// Builds the store of `target` events at `path`.
async fn build(path: &std::path::Path, target: u64) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, true).await?;
    store.record_deployment(Deployment::Simulation).await?;
    store
        .configure_log(Some("bench.corridor.invalid/log"), Some([0x5a; 32]))
        .await?;
    let actors = Actors::new()?;
    let master = MasterKey::from_bytes([0x4d; 32]);
    let load = Command::LoadAgreement {
        file_name: "bench.toml".to_owned(),
        text: AGREEMENT.replace(
            "[onward]",
            "[monitoring]\nid = \"bench-monitors\"\nname = \"Bench monitors\"\n[onward]",
        ),
    };
    let start: Timestamp = "2025-01-02T09:00:00Z".parse()?;
    let context = Context {
        now: start,
        actor: actors.admin.clone(),
    };
    store.execute(&load, &context, None, &[]).await?;
    // About one event in five is a case's: a wave of cases makes ~7 events each.
    let cases_total = (target / 5 / 7).max(WAVE as u64);
    let waves = cases_total.div_ceil(WAVE as u64);
    let access_per_wave = (target.saturating_sub(cases_total * 7)) / waves;
    let began = Instant::now();
    let mut refused = 0;
    for number in 0..waves {
        let day = start + SignedDuration::from_hours(i64::try_from(number * 24 * 300 / waves)?);
        for stage in wave(&actors, &master, number * WAVE as u64, day)? {
            refused += run(&store, &stage).await?.1;
        }
        let size = store.tree_head().await?.0;
        let left = target.saturating_sub(size);
        let remaining_waves = waves - number;
        access_records(
            &store,
            (left / remaining_waves).min(access_per_wave * 2),
            day,
        )
        .await?;
        eprintln!(
            "built {} events ({} waves of {waves}) in {:.0} s",
            store.tree_head().await?.0,
            number + 1,
            began.elapsed().as_secs_f64()
        );
    }
    let size = store.tree_head().await?.0;
    if size < target {
        access_records(
            &store,
            target - size,
            start + SignedDuration::from_hours(24 * 330),
        )
        .await?;
    }
    eprintln!("{refused} commands refused while building");
    store.close().await;
    Ok(())
}

/// The CPU time this process has used, every thread's (user and system), from
/// `/proc/self/stat` in clock ticks of 10 ms (Linux's `USER_HZ`): on a shared machine the wall
/// time of a step depends on the other processes, its CPU time much less.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command name (in parentheses, which may hold spaces).
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

fn summary(what: &str, times: &mut [Duration]) {
    times.sort();
    let min = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "{what}: min {:.2} s, median {:.2} s",
        min.as_secs_f64(),
        median.as_secs_f64()
    );
}

/// The time of each step of one release.
#[derive(Debug, Clone, Copy, Default)]
struct Steps {
    tally: Duration,
    /// The CPU time of the tally (every thread of the process).
    tally_cpu: Duration,
    compute: Duration,
    files: Duration,
}

impl Steps {
    fn total(&self) -> Duration {
        self.tally + self.compute + self.files
    }

    /// The step-wise minimum of several runs (and the minimum total).
    fn min(runs: &[Self]) -> (Self, Duration) {
        let pick = |f: fn(&Self) -> Duration| runs.iter().map(f).min().unwrap_or_default();
        (
            Self {
                tally: pick(|steps| steps.tally),
                tally_cpu: pick(|steps| steps.tally_cpu),
                compute: pick(|steps| steps.compute),
                files: pick(|steps| steps.files),
            },
            pick(Self::total),
        )
    }

    fn line(&self, total: Duration) -> String {
        format!(
            "tally {:.2} s (CPU {:.2} s), compute {:.2} s, files + signed note {:.3} s, total {:.2} s",
            self.tally.as_secs_f64(),
            self.tally_cpu.as_secs_f64(),
            self.compute.as_secs_f64(),
            self.files.as_secs_f64(),
            total.as_secs_f64()
        )
    }
}

/// What a release is computed at and signed with.
struct At<'a> {
    store: &'a Store,
    size: u64,
    root: String,
    signer: Ed25519Signer,
}

/// Computes one release of `period` over the whole log, protected against `earlier`, as
/// `publish_on` does (the app's own agreements, tally, compute, files and signed note) but
/// without storing it (the releases table is append-only and the store is kept between runs).
async fn release(
    at: &At<'_>,
    period: ReleasePeriod,
    earlier: &[Release],
) -> anyhow::Result<(Release, Steps)> {
    let last = period.last_month().context("a period with a month")?;
    let ends = end_of(last).map_err(|error| anyhow::anyhow!("{error}"))?;
    let agreements = agreements_counted(at.store, &period)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    // The deployment's rounding key is drawn and stored on first use: a fixed key here, so that
    // the benchmark writes nothing into the store.
    let protection = Protection::new(&[0x5a; 32])?
        .with_threshold(DEFAULT_THRESHOLD)?
        .with_base(DEFAULT_BASE)?;
    let (began, cpu) = (Instant::now(), cpu_time());
    let counts = tally(at.store, at.size, ends)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let tallied = began.elapsed();
    let tally_cpu = cpu_time().saturating_sub(cpu);
    let request = ReleaseRequest {
        id: period.label().replace("..", "-to-"),
        period,
        corrects: None,
        checkpoint: LogPoint {
            origin: "bench.corridor.invalid/log".to_owned(),
            size: at.size,
            root: at.root.clone(),
        },
        protection,
        agreements,
    };
    let began = Instant::now();
    let computed = compute(&counts, &request, earlier)?;
    let computing = began.elapsed();
    let began = Instant::now();
    let (files, _note) =
        signed_files(&computed, &at.signer).map_err(|error| anyhow::anyhow!("{error}"))?;
    let writing = began.elapsed();
    anyhow::ensure!(files.len() > 1, "a release has files");
    Ok((
        computed,
        Steps {
            tally: tallied,
            tally_cpu,
            compute: computing,
            files: writing,
        },
    ))
}

/// A release's cells and how many are suppressed.
fn cells(release: &Release) -> String {
    let suppressed = release
        .cells
        .iter()
        .filter(|cell| cell.value == Value::Suppressed)
        .count();
    format!("{} cells, {suppressed} suppressed", release.cells.len())
}

/// (a) one monthly release with no earlier release, three times; (b) the twelve monthly
/// releases of 2025 in order, each protected against the earlier ones, then the since-entry
/// release to 2025-12 against all twelve, three times.
async fn releases(at: &At<'_>) -> anyhow::Result<()> {
    let month = |m: u8| -> anyhow::Result<ReleasePeriod> {
        Ok(ReleasePeriod::Period(Period::Month(
            Month::new(2025, m).context("a month")?,
        )))
    };
    let mut runs = Vec::new();
    let mut alone = None;
    for _ in 0..3 {
        let (computed, steps) = release(at, month(6)?, &[]).await?;
        println!(
            "  2025-06 (no earlier release): {}",
            steps.line(steps.total())
        );
        runs.push(steps);
        alone = Some(computed);
    }
    let (steps, total) = Steps::min(&runs);
    println!(
        "(a) monthly release 2025-06, no earlier release ({}), min of 3: {}",
        alone.as_ref().map(cells).unwrap_or_default(),
        steps.line(total)
    );
    let mut earlier: Vec<Release> = Vec::new();
    for m in 1..=12 {
        let (computed, steps) = release(at, month(m)?, &earlier).await?;
        println!(
            "(b) monthly release 2025-{m:02} over {} earlier ({}): {}",
            earlier.len(),
            cells(&computed),
            steps.line(steps.total())
        );
        earlier.push(computed);
    }
    let since = ReleasePeriod::SinceEntry {
        to: Month::new(2025, 12).context("a month")?,
    };
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let (computed, steps) = release(at, since, &earlier).await?;
        println!(
            "  since-entry..2025-12 over {}: {}",
            earlier.len(),
            steps.line(steps.total())
        );
        runs.push(steps);
        last = Some(computed);
    }
    let (steps, total) = Steps::min(&runs);
    println!(
        "(b) since-entry..2025-12 over the 12 monthly releases ({}), min of 3: {}",
        last.as_ref().map(cells).unwrap_or_default(),
        steps.line(total)
    );
    Ok(())
}

async fn bench() -> anyhow::Result<()> {
    let target = env_u64("CORRIDOR_BENCH_STATS_EVENTS", 10_000_000);
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-statistics");
    std::fs::create_dir_all(&directory)?;
    let path = directory.join(format!("events-{target}.db"));
    if !path.exists() {
        let building = directory.join(format!("events-{target}.building.db"));
        for stale in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{stale}", building.display()));
        }
        let began = Instant::now();
        build(&building, target).await?;
        std::fs::rename(&building, &path)?;
        println!(
            "built {} in {:.0} s",
            path.display(),
            began.elapsed().as_secs_f64()
        );
    }
    let store = Store::open(&format!("sqlite://{}", path.display()), false).await?;
    let (size, root) = store.tree_head().await?;
    let as_of: Timestamp = "2026-01-01T00:00:00Z".parse()?;
    println!("store: {} ({size} events)", path.display());
    if std::env::var_os("CORRIDOR_BENCH_STATS_WALKS").is_some() {
        walks(&store, size, as_of).await?;
    }
    parts(&store, size, as_of).await?;
    let at = At {
        store: &store,
        size,
        root: root.to_base64(),
        signer: Ed25519Signer::from_seed(
            KeyName::new("bench.corridor.invalid/statistics")?,
            &[0x51; 32],
        ),
    };
    releases(&at).await?;
    store.close().await;
    Ok(())
}

/// The tally with the case streams walked in one part, then in [`WALK_PARTS`] parts at once,
/// alternately three times each (so that both see the same load), checked to count the same.
async fn parts(store: &Store, size: u64, as_of: Timestamp) -> anyhow::Result<()> {
    let (mut one, mut several) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let (began, cpu) = (Instant::now(), cpu_time());
        let whole = tally_in_parts(store, size, as_of, 1)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        one.push(began.elapsed());
        println!(
            "  tally in 1 part: {:.2} s (CPU {:.2} s)",
            began.elapsed().as_secs_f64(),
            cpu_time().saturating_sub(cpu).as_secs_f64()
        );
        let (began, cpu) = (Instant::now(), cpu_time());
        let split = tally_in_parts(store, size, as_of, WALK_PARTS)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        several.push(began.elapsed());
        println!(
            "  tally in {WALK_PARTS} parts: {:.2} s (CPU {:.2} s)",
            began.elapsed().as_secs_f64(),
            cpu_time().saturating_sub(cpu).as_secs_f64()
        );
        anyhow::ensure!(
            whole == split,
            "the tallies in 1 and {WALK_PARTS} parts differ"
        );
    }
    summary("tally, case streams walked in 1 part", &mut one);
    summary(
        &format!("tally, case streams walked in {WALK_PARTS} parts at once"),
        &mut several,
    );
    Ok(())
}

/// The reads under the tally, each three times: a scan in sequence order, the walk of the case
/// and hold streams on one connection (hashes checked), the same walk decoding every body, and
/// the whole tally.
async fn walks(store: &Store, size: u64, as_of: Timestamp) -> anyhow::Result<()> {
    let (mut scan, mut read, mut decoded, mut tallied) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut scanned, mut walked) = (0u64, 0u64);
    for _ in 0..3 {
        let began = Instant::now();
        scanned = 0;
        store
            .for_each_event_up_to(size, Some(&COUNTED_KINDS), |_| {
                scanned += 1;
                Ok::<(), StoreError>(())
            })
            .await?;
        scan.push(began.elapsed());

        let began = Instant::now();
        walked = 0;
        for prefix in ["case-", "hold-"] {
            store
                .for_each_stream_event_up_to(size, prefix, |_| {
                    walked += 1;
                    Ok::<(), StoreError>(())
                })
                .await?;
        }
        read.push(began.elapsed());

        let began = Instant::now();
        for prefix in ["case-", "hold-"] {
            store
                .for_each_stream_event_up_to(size, prefix, |row| {
                    Event::from_json(row.body)
                        .map(|_| ())
                        .map_err(|error| StoreError::Corrupt(error.to_string()))
                })
                .await?;
        }
        decoded.push(began.elapsed());

        let began = Instant::now();
        let result = tally(store, size, as_of)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        tallied.push(began.elapsed());
        let total: u64 = result.iter().map(|(_, n)| n).sum();
        println!("tally: {} keys, {total} counted", result.len());
    }
    println!(
        "{scanned} events of the counted kinds; {walked} events in case and hold streams; {size} in all"
    );
    summary(
        "scan in seq order, kinds filtered in SQL (not the tally's path)",
        &mut scan,
    );
    summary(
        "walk of the case and hold streams, one connection (hashes checked)",
        &mut read,
    );
    summary(
        "walk, one connection + full Event decode of every row",
        &mut decoded,
    );
    summary(
        "tally (walks in parts at once + slim decode + count + welfare folds)",
        &mut tallied,
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(bench())
}
