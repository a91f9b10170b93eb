//! corridor's core benchmark: commands through decide + append + project on SQLite, and a class
//! hold applied over a million cases. Run with `cargo bench -p corridor --bench core`.
//!
//! Scale with CORRIDOR_BENCH_CASES (default 100,000) and CORRIDOR_BENCH_HOLD_CASES (default
//! 1,000,000). Every write goes through `Store::execute`/`execute_many`, the same path as the
//! CLI, with SQLite in WAL mode and synchronous=FULL: nothing is counted before it is durable.

use std::time::{Duration, Instant};

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, ClassCriteria, Command, Context, HoldId, HoldScope, Label, Language,
    NoticeFacts, Outcome, Party, PersonFacts, PersonalData, Role, UserId,
};
use corridor_store::vault::{MasterKey, seal};
use corridor_store::{Request, Store};
use jiff::{Timestamp, ToSpan};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

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

const NATIONALITIES: [&str; 5] = ["VEN", "HND", "GTM", "SLV", "IRQ"];
const BATCH: usize = 2_000;

fn env_usize(name: &str, default: usize) -> usize {
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

struct Bench {
    store: Store,
    rng: ChaCha20Rng,
    master: MasterKey,
    now: Timestamp,
    officer: Actor,
    supervisor: Actor,
    receiver: Actor,
    clerk: Actor,
    admin: Actor,
}

impl Bench {
    async fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&url, true).await?;
        let usa = Party::State(Country::parse("USA").map_err(anyhow::Error::msg)?);
        let rwa = Party::State(Country::parse("RWA").map_err(anyhow::Error::msg)?);
        let mut bench = Self {
            store,
            rng: ChaCha20Rng::seed_from_u64(1),
            master: MasterKey::from_bytes([3; 32]),
            now: "2025-06-01T09:00:00Z".parse()?,
            officer: actor("officer.bench", Role::SendingOfficer, usa.clone())?,
            supervisor: actor("supervisor.bench", Role::SendingSupervisor, usa)?,
            receiver: actor("receiver.bench", Role::ReceivingOfficer, rwa)?,
            clerk: actor(
                "clerk.bench",
                Role::CourtClerk,
                Party::Court("bench-court".to_owned()),
            )?,
            admin: actor("admin.bench", Role::Admin, Party::None)?,
        };
        let load = Command::LoadAgreement {
            file_name: "bench.toml".to_owned(),
            text: AGREEMENT.to_owned(),
        };
        let admin = bench.admin.clone();
        if let Outcome::Refused { refusal, .. } = bench.one(&admin, load).await? {
            anyhow::bail!("the benchmark agreement was refused: {refusal}");
        }
        Ok(bench)
    }

    fn context(&self, actor: &Actor) -> Context {
        Context {
            now: self.now,
            actor: actor.clone(),
        }
    }

    async fn one(&mut self, actor: &Actor, command: Command) -> anyhow::Result<Outcome> {
        let context = self.context(actor);
        Ok(self
            .store
            .execute(&command, &context, None, &[])
            .await?
            .outcome)
    }

    fn proposal(&mut self, index: usize) -> anyhow::Result<(Command, (CaseId, Vec<u8>))> {
        let case = CaseId::from_u64(self.rng.next_u64());
        let mut key = [0u8; 32];
        self.rng.fill_bytes(&mut key);
        let mut nonce = [0u8; 24];
        self.rng.fill_bytes(&mut nonce);
        let wrapped = self.master.wrap(case, &key, nonce);
        let personal = PersonalData {
            name: format!("Synthetic Person {index}"),
            ..PersonalData::default()
        };
        let sealed = seal(case, &key, nonce, &personal);
        let nationality = NATIONALITIES
            .get(index % NATIONALITIES.len())
            .copied()
            .unwrap_or("VEN");
        let facts = PersonFacts {
            birth_date: "1990-01-01".parse()?,
            nationality: Country::parse(nationality).map_err(anyhow::Error::msg)?,
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
        let agreement = AgreementId::parse("bench").map_err(anyhow::Error::msg)?;
        Ok((
            Command::Propose {
                case,
                agreement,
                facts,
                counsel: None,
                personal: sealed,
            },
            (case, wrapped),
        ))
    }

    /// Proposes `count` cases in group commits; returns their ids.
    async fn propose_many(&mut self, count: usize) -> anyhow::Result<Vec<CaseId>> {
        let mut ids = Vec::with_capacity(count);
        let mut done = 0;
        while done < count {
            let size = BATCH.min(count - done);
            let mut items = Vec::with_capacity(size);
            for index in done..done + size {
                items.push(self.proposal(index)?);
            }
            let context = self.context(&self.officer);
            let keys: Vec<[(CaseId, Vec<u8>); 1]> =
                items.iter().map(|(_, key)| [key.clone()]).collect();
            let requests: Vec<Request<'_>> = items
                .iter()
                .zip(&keys)
                .map(|((command, _), key)| Request {
                    command,
                    context: &context,
                    expected_version: None,
                    new_case_keys: key,
                })
                .collect();
            for result in self.store.execute_many(&requests).await? {
                if let Outcome::Refused { refusal, .. } = result?.outcome {
                    anyhow::bail!("a benchmark proposal was refused: {refusal}");
                }
            }
            ids.extend(items.iter().map(|(_, (case, _))| *case));
            done += size;
        }
        Ok(ids)
    }

    /// Runs commands in group commits of `batch`, each as `actor`.
    async fn run_batched(
        &mut self,
        actor: &Actor,
        commands: &[Command],
        batch: usize,
    ) -> anyhow::Result<()> {
        let context = self.context(actor);
        for chunk in commands.chunks(batch.max(1)) {
            let requests: Vec<Request<'_>> = chunk
                .iter()
                .map(|command| Request {
                    command,
                    context: &context,
                    expected_version: None,
                    new_case_keys: &[],
                })
                .collect();
            for result in self.store.execute_many(&requests).await? {
                if let Outcome::Refused { refusal, .. } = result?.outcome {
                    anyhow::bail!("benchmark command refused: {refusal}");
                }
            }
        }
        Ok(())
    }

    /// Takes cases to `scheduled` through every step, in group commits.
    async fn schedule(&mut self, cases: &[CaseId]) -> anyhow::Result<()> {
        let rwa = Country::parse("RWA").map_err(anyhow::Error::msg)?;
        let es = Language::parse("es").map_err(anyhow::Error::msg)?;
        let notices: Vec<Command> = cases
            .iter()
            .map(|&case| Command::ServeNotice {
                case,
                notice: NoticeFacts {
                    language: es.clone(),
                    on_person: true,
                    on_counsel: true,
                    destination: rwa,
                    explains_how_to_contest: true,
                },
            })
            .collect();
        let (officer, receiver, supervisor) = (
            self.officer.clone(),
            self.receiver.clone(),
            self.supervisor.clone(),
        );
        self.run_batched(&officer, &notices, BATCH).await?;
        let requests: Vec<Command> = cases
            .iter()
            .map(|&case| Command::RequestTransfer { case })
            .collect();
        self.run_batched(&officer, &requests, BATCH).await?;
        let approvals: Vec<Command> = cases
            .iter()
            .map(|&case| Command::Approve { case })
            .collect();
        self.run_batched(&receiver, &approvals, BATCH).await?;
        self.run_batched(&supervisor, &approvals, BATCH).await?;
        let departure = self.now.checked_add(72.hours())?;
        let schedules: Vec<Command> = cases
            .iter()
            .map(|&case| Command::Schedule { case, departure })
            .collect();
        self.run_batched(&officer, &schedules, BATCH).await
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

async fn commands_per_second(cases_count: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut bench = Bench::open(&dir.path().join("bench.db")).await?;
    let started = Instant::now();
    let cases = bench.propose_many(cases_count).await?;
    let setup = started.elapsed();
    println!(
        "full durable path (decide + event + log leaf + projections, group commits of {BATCH}): {cases_count} proposals in {:.1} s = {:.0} events/s",
        setup.as_secs_f64(),
        cases_count as f64 / setup.as_secs_f64()
    );

    // One durable transaction per command: the CLI's path.
    let rwa = Country::parse("RWA").map_err(anyhow::Error::msg)?;
    let es = Language::parse("es").map_err(anyhow::Error::msg)?;
    let single = 2_000.min(cases.len());
    let officer = bench.officer.clone();
    let mut latencies = Vec::with_capacity(single);
    let started = Instant::now();
    for &case in cases.iter().take(single) {
        let command = Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: es.clone(),
                on_person: true,
                on_counsel: true,
                destination: rwa,
                explains_how_to_contest: true,
            },
        };
        let begun = Instant::now();
        bench.one(&officer, command).await?;
        latencies.push(begun.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "single-command transactions on {cases_count} cases: {single} commands in {:.2} s = {:.0} commands/s (p50 {:.2} ms, p99 {:.2} ms)",
        elapsed.as_secs_f64(),
        single as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );

    // Group commit: the same path, many commands per durable commit.
    let grouped = 20_000.min(cases.len().saturating_sub(single));
    let requests: Vec<Command> = cases
        .iter()
        .skip(single)
        .take(grouped)
        .map(|&case| Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: es.clone(),
                on_person: true,
                on_counsel: true,
                destination: rwa,
                explains_how_to_contest: true,
            },
        })
        .collect();
    for batch in [100, 1_000] {
        let half = requests.len() / 2;
        let slice = if batch == 100 {
            requests.get(..half)
        } else {
            requests.get(half..)
        }
        .unwrap_or_default();
        let started = Instant::now();
        bench.run_batched(&officer, slice, batch).await?;
        let elapsed = started.elapsed();
        println!(
            "group commits of {batch} on {cases_count} cases: {} commands in {:.2} s = {:.0} commands/s",
            slice.len(),
            elapsed.as_secs_f64(),
            slice.len() as f64 / elapsed.as_secs_f64()
        );
    }
    bench.store.close().await;
    Ok(())
}

async fn class_hold(cases_count: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut bench = Bench::open(&dir.path().join("hold.db")).await?;
    let started = Instant::now();
    let cases = bench.propose_many(cases_count).await?;
    // One case in a hundred is scheduled: those are what a new hold must pull.
    let scheduled: Vec<CaseId> = cases.iter().step_by(100).copied().collect();
    bench.schedule(&scheduled).await?;
    println!(
        "setup: {cases_count} cases, {} of them scheduled, built in {:.1} s",
        scheduled.len(),
        started.elapsed().as_secs_f64()
    );
    bench.now = bench.now.checked_add(1.hours())?;
    let criteria = ClassCriteria {
        nationalities: [Country::parse("VEN").map_err(anyhow::Error::msg)?]
            .into_iter()
            .collect(),
        ..ClassCriteria::default()
    };
    let command = Command::RegisterHold {
        hold: HoldId::from_u64(42),
        court: "bench-court".to_owned(),
        reference: "bench-1".to_owned(),
        scope: HoldScope::Class { criteria },
        depends_on: None,
    };
    let clerk = bench.clerk.clone();
    let started = Instant::now();
    let outcome = bench.one(&clerk, command).await?;
    let elapsed = started.elapsed();
    let events = match &outcome {
        Outcome::Accepted(events) => events.len(),
        Outcome::Refused { refusal, .. } => anyhow::bail!("hold refused: {refusal}"),
    };
    let unscheduled = events.saturating_sub(1) / 2;
    println!(
        "class hold (nationality VEN, a fifth of all cases) over {cases_count} cases: {unscheduled} scheduled cases pulled, {events} events, applied and durable in {:.3} s",
        elapsed.as_secs_f64()
    );
    bench.store.close().await;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let cases = env_usize("CORRIDOR_BENCH_CASES", 100_000);
    let hold_cases = env_usize("CORRIDOR_BENCH_HOLD_CASES", 1_000_000);
    println!("corridor core benchmark (SQLite, WAL, synchronous=FULL)");
    runtime.block_on(commands_per_second(cases))?;
    runtime.block_on(class_hold(hold_cases))?;
    Ok(())
}
