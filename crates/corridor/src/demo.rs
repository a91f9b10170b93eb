//! `corridor demo`: a fresh database and a synthetic scenario that shows each safeguard at work.
//!
//! Everything comes from the seed and a simulated clock: case ids, keys, nonces and times. Two
//! runs with the same seed write byte-identical events. The people are synthetic.
//!
//! The demo is the operator replaying a script on a database it builds, not users acting: its
//! commands go straight to `Store::execute` ([`App::execute`]) with ids and keys drawn from the
//! seed, and no policy decision or access record is made for them. The commands people type
//! (`corridor case …` and the rest) take the one path of `corridor_app::service` instead, where
//! the policies decide and every decision is recorded. Routing the demo through that path would
//! add an access record per command to the log, so the same seed would no longer give the same
//! log root as before: the bypass is kept, and it is the only write of the command line that
//! does not go through `corridor-app`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::monitoring::{
    AddressedParty, FindingCategory, FindingFacts, FindingOutcome, Seen, Severity, VisitPlan,
};
use corridor_domain::terms::{AgreementId, AgreementStatus, Country, Sex};
use corridor_domain::{
    Actor, CaseId, ClassCriteria, Command, EventBody, FindingId, HoldId, HoldScope, Label,
    Language, NoticeFacts, Outcome, PersonFacts, PersonalData, UserId, VisitId, WelfareOutcome,
};
use corridor_store::{Backend, Deployment, Executed, Store, normalise_url, vault};
use jiff::{Timestamp, ToSpan};

use corridor_app::complaints::NewComplaint;
use corridor_app::limits::PAGE_SIZE_MAX;
use corridor_app::service::CaseQuery;
use corridor_stats::period::{Month, Period};
use corridor_stats::release::ReleasePeriod;

use crate::app::{App, ClockSetting};
use crate::backend::Executor;
use crate::cli::DemoArgs;
use crate::entropy::Entropy;
use crate::users::Users;

mod population;

/// The agreement files the demo loads, with the names they are recorded under.
const AGREEMENT_FILES: [(&str, &str); 5] = [
    (
        "agreements/us-rwa-2025.toml",
        include_str!("../../../agreements/us-rwa-2025.toml"),
    ),
    (
        "agreements/gbr-rwa-2024.toml",
        include_str!("../../../agreements/gbr-rwa-2024.toml"),
    ),
    (
        "agreements/ita-alb-2023.toml",
        include_str!("../../../agreements/ita-alb-2023.toml"),
    ),
    (
        "agreements/dublin-iii-profile.toml",
        include_str!("../../../agreements/dublin-iii-profile.toml"),
    ),
    (
        "demo/demo-training.toml",
        include_str!("demo-training.toml"),
    ),
];

/// The demo's synthetic accounts.
const DEMO_USERS: &str = r#"
[[user]]
name = "demo.admin"
role = "admin"
[[user]]
name = "officer.ada"
role = "sending_officer"
state = "USA"
[[user]]
name = "supervisor.ben"
role = "sending_supervisor"
state = "USA"
[[user]]
name = "supervisor.kim"
role = "sending_supervisor"
state = "USA"
[[user]]
name = "adjudicator.cy"
role = "adjudicator"
state = "USA"
[[user]]
name = "receiver.dee"
role = "receiving_officer"
state = "RWA"
[[user]]
name = "clerk.eve"
role = "court_clerk"
court = "us-district-court-demo"
[[user]]
name = "counsel.fay"
role = "counsel"
[[user]]
name = "monitor.gus"
role = "monitor"
monitoring_body = "demo-monitors"
[[user]]
name = "officer.uk"
role = "sending_officer"
state = "GBR"
"#;

struct Demo {
    app: App,
    now: Timestamp,
    quiet: bool,
    refusals: BTreeMap<String, u64>,
}

impl Demo {
    fn actor(&self, name: &str) -> anyhow::Result<Actor> {
        self.app.users.actor(name)
    }

    fn say(&self, text: &str) {
        if !self.quiet {
            println!("{text}");
        }
    }

    fn advance_to(&mut self, at: &str) -> anyhow::Result<()> {
        self.now = at.parse().with_context(|| format!("demo time `{at}`"))?;
        self.app.clock = ClockSetting::Fixed(self.now);
        self.say(&format!(
            "\n— {} —",
            self.now.strftime("%Y-%m-%d %H:%M UTC")
        ));
        Ok(())
    }

    fn advance_by(&mut self, span: jiff::Span) -> anyhow::Result<()> {
        self.now = self.now.checked_add(span)?;
        self.app.clock = ClockSetting::Fixed(self.now);
        Ok(())
    }

    fn report(&mut self, who: &str, what: &str, executed: &Executed) {
        match &executed.outcome {
            Outcome::Accepted(events) => {
                let kinds: Vec<&str> = events.iter().map(|event| event.body.kind()).collect();
                self.say(&format!("  {who} {what}: done ({})", kinds.join(", ")));
            }
            Outcome::Refused { refusal, recorded } => {
                *self.refusals.entry(refusal.code().to_owned()).or_insert(0) += 1;
                self.say(&format!("  {who} {what}: REFUSED `{}`", refusal.code()));
                self.say(&format!("      {}", refusal.message()));
                if recorded.is_some() {
                    self.say(
                        "      (the refusal is itself recorded as a `safeguard_triggered` event)",
                    );
                }
            }
        }
    }

    async fn run(&mut self, who: &str, what: &str, command: Command) -> anyhow::Result<Executed> {
        let actor = self.actor(who)?;
        let (_, executed) = self.app.execute(&actor, command, None, &[]).await?;
        self.report(who, what, &executed);
        Ok(executed)
    }

    async fn propose(
        &mut self,
        who: &str,
        agreement: &str,
        person: Person,
    ) -> anyhow::Result<Option<CaseId>> {
        let actor = self.actor(who)?;
        let agreement = AgreementId::parse(agreement).map_err(anyhow::Error::msg)?;
        let what = format!("proposes {} under {agreement}", person.name);
        let (facts, personal, counsel) = person.into_parts()?;
        let (_, executed) =
            propose_with(&mut self.app, &actor, agreement, facts, personal, counsel).await?;
        self.report(who, &what, &executed);
        Ok(match &executed.outcome {
            Outcome::Accepted(events) => events.iter().find_map(|event| match &event.body {
                EventBody::CaseProposed { case, .. } => Some(*case),
                _ => None,
            }),
            Outcome::Refused { .. } => None,
        })
    }

    fn notice(&self, case: CaseId, language: &str) -> anyhow::Result<Command> {
        Ok(Command::ServeNotice {
            case,
            notice: NoticeFacts {
                language: Language::parse(language).map_err(anyhow::Error::msg)?,
                on_person: true,
                on_counsel: true,
                destination: country("RWA")?,
                explains_how_to_contest: true,
            },
        })
    }

    /// Walks a case from proposal to scheduled, `days` after now, printing each step.
    async fn walk_to_scheduled(
        &mut self,
        case: CaseId,
        departure_in_days: i64,
    ) -> anyhow::Result<Executed> {
        let notice = self.notice(case, "es")?;
        self.run("officer.ada", "serves notice", notice).await?;
        self.run(
            "officer.ada",
            "requests the transfer",
            Command::RequestTransfer { case },
        )
        .await?;
        self.run(
            "receiver.dee",
            "approves the person",
            Command::Approve { case },
        )
        .await?;
        self.run(
            "supervisor.kim",
            "approves scheduling",
            Command::Approve { case },
        )
        .await?;
        let departure = self.now.checked_add((departure_in_days * 24).hours())?;
        self.run(
            "officer.ada",
            &format!("schedules departure for {}", departure.strftime("%Y-%m-%d")),
            Command::Schedule { case, departure },
        )
        .await
    }
}

fn country(code: &str) -> anyhow::Result<Country> {
    Country::parse(code).map_err(anyhow::Error::msg)
}

/// A synthetic person.
struct Person {
    name: &'static str,
    birth: &'static str,
    nationality: &'static str,
    sex: Sex,
    languages: &'static [&'static str],
    feared: &'static [&'static str],
    legal_basis: &'static str,
    designation: Option<&'static str>,
    counsel: bool,
}

impl Person {
    fn into_parts(self) -> anyhow::Result<(PersonFacts, PersonalData, Option<UserId>)> {
        let birth_date = self.birth.parse().context("demo birth date")?;
        let facts = PersonFacts {
            birth_date,
            nationality: country(self.nationality)?,
            sex: self.sex,
            vulnerabilities: BTreeSet::new(),
            feared_countries: self
                .feared
                .iter()
                .map(|c| country(c))
                .collect::<anyhow::Result<_>>()?,
            protected_countries: BTreeSet::new(),
            languages: self
                .languages
                .iter()
                .map(|l| Language::parse(l).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<_>>()?,
            legal_basis: Label::parse(self.legal_basis).map_err(anyhow::Error::msg)?,
            designation: self
                .designation
                .map(Label::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?,
            detention_place: None,
            removal_ordered_on: "2025-03-03".parse().context("demo date")?,
            health_data_consent: false,
        };
        let personal = PersonalData {
            name: self.name.to_owned(),
            birth_date: Some(birth_date),
            documents: vec![format!("synthetic travel document for {}", self.name)],
            contact: None,
            health: None,
        };
        let counsel = if self.counsel {
            Some(UserId::parse("counsel.fay").map_err(anyhow::Error::msg)?)
        } else {
            None
        };
        Ok((facts, personal, counsel))
    }
}

fn venezuelan(name: &'static str) -> Person {
    Person {
        name,
        birth: "1994-02-11",
        nationality: "VEN",
        sex: Sex::Male,
        languages: &["es"],
        feared: &["VEN"],
        legal_basis: "aea_1798",
        designation: Some("alien_enemies_act"),
        counsel: true,
    }
}

fn adult(name: &'static str, nationality: &'static str) -> Person {
    Person {
        name,
        birth: "1988-09-30",
        nationality,
        sex: Sex::Female,
        languages: &["es", "en"],
        feared: &[],
        legal_basis: "ina_241",
        designation: None,
        counsel: false,
    }
}

/// The demo log's origin, as asked: a simulation's is stored with `/simulation` after it.
const DEMO_ORIGIN: &str = "demo.corridor.invalid/log";

/// The demo's users, written beside the database so the CLI can explore it.
const DEMO_USERS_FILE: &str = "corridor-demo-users.toml";
/// The demo's master key (derived from the seed: synthetic data only).
const DEMO_KEY_FILE: &str = "corridor-demo.key";
/// The demo log's signing key (derived from the seed too), so `corridor log key` and
/// `corridor log checkpoint` work on the demo's database.
const DEMO_LOG_KEY_FILE: &str = "corridor-demo-log.key";

/// The demo's statistics signing key (derived from the seed), so `corridor stats publish` works
/// on the demo's database.
const DEMO_STATS_KEY_FILE: &str = "corridor-demo-statistics.key";
/// Where the demo exports its public log (tiles and checkpoint), as a deployment publishes it.
const DEMO_LOG_DIR: &str = "corridor-demo-log";
/// Where the demo publishes its statistics releases, one directory per release.
const DEMO_STATS_DIR: &str = "corridor-demo-statistics";

fn write_explore_files(
    users: &str,
    master: &[u8; 32],
    log_signer: &corridor_log::note::Ed25519Signer,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::write(DEMO_USERS_FILE, users)
        .with_context(|| format!("cannot write {DEMO_USERS_FILE}"))?;
    for (name, text) in [
        (DEMO_KEY_FILE, hex::encode(master)),
        (DEMO_LOG_KEY_FILE, log_signer.to_private_key_string()),
    ] {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(name)
            .with_context(|| format!("cannot write {name}"))?;
        writeln!(file, "{text}")?;
    }
    Ok(())
}

/// Removes an earlier demo database, refusing to touch anything that is not one.
async fn fresh_database(url: &str) -> anyhow::Result<()> {
    let backend = Backend::of_url(url)?;
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    let exists = backend == Backend::Postgres || std::path::Path::new(path).exists();
    if !exists {
        return Ok(());
    }
    let store = Store::open(url, false).await?;
    let first = store.events(0, 1).await?;
    store.close().await;
    let is_demo = first.first().is_none_or(|stored| {
        stored
            .event
            .by
            .as_ref()
            .is_some_and(|by| by.as_str() == "demo.admin")
    });
    if !is_demo {
        bail!("{url} holds data that is not a corridor demo; choose another --demo-database");
    }
    match backend {
        Backend::Sqlite => {
            // The write-ahead log and shared memory go first: a kill between two removals must
            // never leave an old `-wal` beside a missing database, where SQLite would replay it
            // into the next database created under the same name.
            for suffix in ["-wal", "-shm", ""] {
                let file = format!("{path}{suffix}");
                if std::path::Path::new(&file).exists() {
                    std::fs::remove_file(&file)
                        .with_context(|| format!("cannot remove the old demo file {file}"))?;
                }
            }
            Ok(())
        }
        Backend::Postgres if first.is_empty() => Ok(()),
        Backend::Postgres => {
            bail!("{url} already holds a demo; drop and recreate the database to run it again")
        }
    }
}

/// Seals the personal data under a new case key drawn from the seed and proposes the case.
async fn propose_with(
    app: &mut App,
    actor: &Actor,
    agreement: AgreementId,
    facts: PersonFacts,
    personal: PersonalData,
    counsel: Option<UserId>,
) -> anyhow::Result<(ExitCode, Executed)> {
    let case = app.new_case_id()?;
    let (key, wrapped) = app.new_case_key(case)?;
    let nonce: [u8; vault::NONCE_BYTES] = app.entropy.array()?;
    let sealed = vault::seal(case, &key, nonce, &personal);
    let command = Command::Propose {
        case,
        agreement,
        facts,
        counsel,
        personal: sealed,
    };
    app.execute(actor, command, None, &[(case, wrapped)]).await
}

/// Runs the demo.
pub async fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let url = normalise_url(&args.demo_database);
    fresh_database(&url).await?;
    let store = Store::open(&url, true).await?;
    // A simulation: its clock is the script's, and its checkpoints say so.
    store.record_deployment(Deployment::Simulation).await?;
    let mut entropy = Entropy::seeded(args.seed);
    let master_bytes: [u8; 32] = entropy.array()?;
    // The log's salt key and signing key come from the seed too, so the whole log is reproducible.
    store
        .configure_log(Some(DEMO_ORIGIN), Some(entropy.array()?))
        .await?;
    let origin = store.origin().await?;
    let log_seed: [u8; 32] = entropy.array()?;
    let log_signer = corridor_log::note::Ed25519Signer::from_seed(
        corridor_log::note::KeyName::new(&origin).map_err(|error| anyhow::anyhow!("{error}"))?,
        &log_seed,
    );
    // With `--people`, the officials of the other agreements' states join the demo's users.
    let users = match args.people {
        None => DEMO_USERS.to_owned(),
        Some(_) => format!("{DEMO_USERS}{}", population::POPULATION_USERS),
    };
    write_explore_files(&users, &master_bytes, &log_signer)?;
    let master = corridor_store::vault::MasterKey::from_bytes(master_bytes);
    let app = App {
        store: std::sync::Arc::new(store),
        master: Some(master),
        users: Users::parse("demo users", &users)?,
        entropy,
        json: false,
        clock: ClockSetting::Fixed(Timestamp::UNIX_EPOCH),
        quiet: true,
    };
    let mut demo = Demo {
        app,
        now: Timestamp::UNIX_EPOCH,
        quiet: args.quiet,
        refusals: BTreeMap::new(),
    };
    demo.say(&format!(
        "corridor demo (seed {}) — synthetic people only, database {}",
        args.seed, args.demo_database
    ));
    // The story's two releases are published at one instant; a year's, a minute apart, since the
    // app reads the earlier releases in the order they were published (by time, then by id, and
    // `2026` sorts before `2026-01`).
    let (periods, apart) = match args.people {
        None => {
            story(&mut demo).await?;
            let periods = vec![
                ReleasePeriod::Period(Period::Year(2025)),
                ReleasePeriod::SinceEntry {
                    to: Month::new(2026, 8).context("demo month")?,
                },
            ];
            (periods, 0.minutes())
        }
        Some(people) => {
            let year = args.year.unwrap_or(population::YEAR_MIN);
            population::year(&mut demo, people, year).await?;
            (year_of_releases(year)?, 1.minutes())
        }
    };

    // Ed25519 alone, as always: the demo's checkpoint is the same for the same seed.
    let checkpoint = crate::log_cmd::checkpoint(
        &demo.app.store,
        &[corridor_log::keys::LogSigner::Ed25519(log_signer.clone())],
        demo.now,
    )
    .await?;
    let statistics = statistics_scene(&mut demo, &origin, &log_signer, &periods, apart).await?;
    let mut report = demo.app.store.check(&|_, _| {}).await?;
    report
        .problems
        .extend(demo.app.store.check_log(&|_, _| {}).await?);
    let events = demo.app.store.event_count().await?;
    println!(
        "\nSummary: {events} events recorded; `corridor check` replayed them: {}.",
        if report.problems.is_empty() {
            "projections match".to_owned()
        } else {
            format!("{} problem(s)", report.problems.len())
        }
    );
    println!(
        "\nThe signed checkpoint of the public log (verifier key {}):\n{checkpoint}",
        log_signer.verifier().to_key_string()
    );
    for line in &statistics {
        println!("{line}");
    }
    println!(
        "Refusals by code: {}",
        demo.refusals
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let written = crate::config::report_written(
        false,
        &crate::config::Written {
            database: &args.demo_database,
            key_file: std::path::Path::new(DEMO_KEY_FILE),
            log_key_file: std::path::Path::new(DEMO_LOG_KEY_FILE),
            users: Some(std::path::Path::new(DEMO_USERS_FILE)),
            origin: DEMO_ORIGIN,
            listen: crate::config::LISTEN_DEFAULT,
        },
        "corridor demo",
    )?;
    if matches!(written, Some(crate::config::WriteOutcome::KeptOther)) {
        println!(
            "Explore: corridor --database {} --users {DEMO_USERS_FILE} --key-file {DEMO_KEY_FILE} --as officer.ada case list",
            args.demo_database
        );
    } else {
        println!(
            "Explore: corridor --as officer.ada case list (the README's tour goes on from here)"
        );
    }
    crate::demo_accounts::create_and_announce(
        &demo.app.store,
        &demo.app.users,
        args.seed,
        demo.now,
        &args.demo_database,
        DEMO_KEY_FILE,
    )
    .await?;
    demo.app.store.close().await;
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The releases of a year of `--people`, in the order they are published: its 12 months, its 4
/// quarters, the year, and everything since entry into force up to its December.
fn year_of_releases(year: i16) -> anyhow::Result<Vec<ReleasePeriod>> {
    let year = u16::try_from(year).context("the population's year")?;
    let mut periods = Vec::new();
    for month in 1..=12 {
        periods.push(ReleasePeriod::Period(Period::Month(
            Month::new(year, month).context("a month of the year")?,
        )));
    }
    for quarter in 1..=4 {
        periods.push(ReleasePeriod::Period(Period::Quarter { year, quarter }));
    }
    periods.push(ReleasePeriod::Period(Period::Year(year)));
    periods.push(ReleasePeriod::SinceEntry {
        to: Month::new(year, 12).context("the year's December")?,
    });
    Ok(periods)
}

/// The last scene: the operator publishes statistics (after the story, the year 2025 and then
/// everything since entry into force up to the last month that ended; after `--people`, the year's
/// releases), exports the public log, and checks each release against the exported log as an
/// outsider would (`corridor stats verify`). Each release is published `apart` after the one
/// before. Returns the summary lines. Its keys come from the seed after the story's, so the log
/// is the story's alone.
async fn statistics_scene(
    demo: &mut Demo,
    origin: &str,
    log_signer: &corridor_log::note::Ed25519Signer,
    periods: &[ReleasePeriod],
    apart: jiff::Span,
) -> anyhow::Result<Vec<String>> {
    use corridor_app::statistics::release::{PublishRequest, publish_on};
    use corridor_log::note::{Ed25519Signer, KeyName, VerifierSet};
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;

    let store = std::sync::Arc::clone(&demo.app.store);
    store
        .set_simulation_rounding_key(demo.app.entropy.array()?)
        .await?;
    let name = KeyName::new(corridor_stats::manifest::signer_name(origin))
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let signer = Ed25519Signer::from_seed(name, &demo.app.entropy.array()?);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(DEMO_STATS_KEY_FILE)
        .with_context(|| format!("cannot write {DEMO_STATS_KEY_FILE}"))?;
    writeln!(file, "{}", signer.to_private_key_string())?;
    // The directories are the demo's own output, rebuilt at every run like its database.
    for dir in [DEMO_LOG_DIR, DEMO_STATS_DIR] {
        match std::fs::remove_dir_all(dir) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(error).with_context(|| format!("cannot clear {dir}"));
            }
            _ => {}
        }
    }
    demo.say(
        "\nThe operator publishes statistics: protected counts anyone can check against the log.",
    );
    let exported =
        crate::log_cmd::export_to(&store, std::path::Path::new(DEMO_LOG_DIR), false).await?;
    let log_trust = corridor_verify::check::Trust::new(
        origin,
        VerifierSet::new()
            .with(log_signer.verifier())
            .map_err(|error| anyhow::anyhow!("{error}"))?,
    );
    let statistics_keys = VerifierSet::new()
        .with(signer.verifier())
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut lines = Vec::new();
    for (index, &period) in periods.iter().enumerate() {
        if index > 0 {
            demo.advance_by(apart)?;
        }
        // The id the app gives by default, lower-cased: a quarter's label (`2026-Q1`) is not a
        // release id, its lower case is; the story's ids are unchanged.
        let id = period.label().replace("..", "-to-").to_ascii_lowercase();
        let request = PublishRequest {
            period,
            id: Some(id),
            corrects: None,
            threshold: corridor_stats::DEFAULT_THRESHOLD,
            base: corridor_stats::DEFAULT_BASE,
        };
        let published = publish_on(&store, demo.now, &request, &signer)
            .await
            .map_err(|error| anyhow::anyhow!("publishing {}: {error}", period.label()))?;
        let dir = std::path::Path::new(DEMO_STATS_DIR).join(&published.id);
        crate::stats_cmd::write_release(&dir, &published.files)?;
        let report = corridor_verify::stats::verify_release(
            &corridor_verify::source::Source::parse(&dir.display().to_string()),
            &statistics_keys,
            &corridor_verify::source::Source::parse(DEMO_LOG_DIR),
            &log_trust,
        )
        .with_context(|| format!("release {} does not verify", published.id))?;
        demo.say(&format!(
            "  release {} ({}): {} cells, written to {}; verified against the exported log: {} exact totals equal the leaves, {} breakdown equations hold",
            published.id,
            published.period,
            report.release.cells.len(),
            dir.display(),
            report.cells.totals_against_log,
            report.cells.equations
        ));
        lines.push(format!(
            "Statistics release {} verified against the log exported to {DEMO_LOG_DIR} (size {}): corridor stats verify {} --log {DEMO_LOG_DIR} --key {} --log-key {}",
            published.id,
            exported.size,
            dir.display(),
            signer.verifier().to_key_string(),
            log_signer.verifier().to_key_string()
        ));
    }
    Ok(lines)
}

async fn story(demo: &mut Demo) -> anyhow::Result<()> {
    demo.advance_to("2025-05-05T09:00:00Z")?;
    demo.say("The operator loads the agreement files. Each load is an event; the files keep their sources.");
    for (file_name, text) in AGREEMENT_FILES {
        demo.run(
            "demo.admin",
            &format!("loads {file_name}"),
            Command::LoadAgreement {
                file_name: file_name.to_owned(),
                text: text.to_owned(),
            },
        )
        .await?;
    }

    demo.say("\n1. An agreement moves from negotiation to in force. Before it is in force, nothing may happen under it.");
    demo.propose("officer.ada", "demo-training", adult("Rosa Ejemplo", "HND"))
        .await?;
    let training = AgreementId::parse("demo-training").map_err(anyhow::Error::msg)?;
    for (day, status) in [
        ("2025-06-06", AgreementStatus::Signed),
        ("2025-08-01", AgreementStatus::InForce),
    ] {
        demo.advance_to(&format!("{day}T10:00:00Z"))?;
        let on = day.parse().context("demo date")?;
        demo.run(
            "demo.admin",
            &format!("records that demo-training is {status}"),
            Command::ChangeAgreementStatus {
                agreement: training.clone(),
                status,
                on,
            },
        )
        .await?;
    }

    demo.advance_to("2025-08-04T09:00:00Z")?;
    demo.say("\n2. A resettled refugee's case, from proposal to arrival and welfare checks.");
    let refugee = Person {
        name: "Amira Testcase",
        birth: "1990-04-12",
        nationality: "IRQ",
        sex: Sex::Female,
        languages: &["ar", "en"],
        feared: &["IRQ"],
        legal_basis: "ina_241",
        designation: None,
        counsel: true,
    };
    let case = demo
        .propose("supervisor.ben", "demo-training", refugee)
        .await?
        .context("the refugee's case was not proposed")?;
    let mut bad_notice = demo.notice(case, "fr")?;
    if let Command::ServeNotice { notice, .. } = &mut bad_notice {
        notice.on_counsel = false;
    }
    demo.run(
        "officer.ada",
        "serves a notice in French, without telling counsel",
        bad_notice,
    )
    .await?;
    let notice = demo.notice(case, "ar")?;
    demo.run(
        "officer.ada",
        "serves a complete notice in Arabic on her and her counsel",
        notice,
    )
    .await?;
    demo.run(
        "officer.ada",
        "requests the transfer",
        Command::RequestTransfer { case },
    )
    .await?;
    demo.run("receiver.dee", "approves her", Command::Approve { case })
        .await?;
    demo.run(
        "supervisor.ben",
        "approves scheduling the case he proposed",
        Command::Approve { case },
    )
    .await?;
    demo.run(
        "supervisor.kim",
        "approves scheduling",
        Command::Approve { case },
    )
    .await?;
    let too_soon = demo.now.checked_add(30.hours())?;
    demo.run(
        "officer.ada",
        "schedules departure 30 hours after notice",
        Command::Schedule {
            case,
            departure: too_soon,
        },
    )
    .await?;
    let departure = demo.now.checked_add((4 * 24).hours())?;
    demo.run(
        "officer.ada",
        "schedules departure 4 days after notice",
        Command::Schedule { case, departure },
    )
    .await?;
    demo.advance_to("2025-08-08T09:00:00Z")?;
    demo.run(
        "officer.ada",
        "records the departure",
        Command::Depart { case },
    )
    .await?;
    demo.advance_by(10.hours())?;
    demo.run("receiver.dee", "confirms arrival", Command::Arrive { case })
        .await?;
    demo.advance_to("2025-08-15T11:00:00Z")?;
    demo.run(
        "monitor.gus",
        "records a welfare visit",
        Command::RecordWelfareCheck {
            case,
            outcome: WelfareOutcome::Well,
        },
    )
    .await?;
    demo.advance_to("2025-09-20T09:00:00Z")?;
    print_welfare(demo, case).await?;
    demo.run(
        "receiver.dee",
        "records onward removal to Iraq, the country she fled",
        Command::Onward {
            case,
            destination: country("IRQ")?,
        },
    )
    .await?;

    demo.say("\n3. A class-wide court order pulls a scheduled group, as in A.A.R.P. v. Trump.");
    let mut group = Vec::new();
    for name in ["Luis Muestra", "Jorge Prueba", "Ana Ficticia"] {
        if let Some(case) = demo
            .propose("officer.ada", "demo-training", venezuelan(name))
            .await?
        {
            demo.walk_to_scheduled(case, 5).await?;
            group.push(case);
        }
    }
    demo.advance_to("2025-09-25T09:00:00Z")?;
    if let Some(first) = group.first().copied() {
        demo.run(
            "officer.ada",
            "records the first departure of the group",
            Command::Depart { case: first },
        )
        .await?;
    }
    demo.advance_by(2.hours())?;
    let hold = HoldId::from_u64(demo.app.entropy.u64()?);
    let criteria = ClassCriteria {
        nationalities: [country("VEN")?].into_iter().collect(),
        designations: [Label::parse("alien_enemies_act").map_err(anyhow::Error::msg)?]
            .into_iter()
            .collect(),
        ..ClassCriteria::default()
    };
    demo.run(
        "clerk.eve",
        "registers a class order covering Venezuelans designated under the Alien Enemies Act",
        Command::RegisterHold {
            hold,
            court: "us-district-court-demo".to_owned(),
            reference: "25-cv-0001 (synthetic)".to_owned(),
            scope: HoldScope::Class { criteria },
            depends_on: None,
        },
    )
    .await?;
    if let Some(second) = group.get(1).copied() {
        let departure = demo.now.checked_add((3 * 24).hours())?;
        demo.run(
            "officer.ada",
            "tries to schedule one of the group again",
            Command::Schedule {
                case: second,
                departure,
            },
        )
        .await?;
    }
    demo.propose("officer.ada", "demo-training", venezuelan("Pedro Ensayo"))
        .await?;

    demo.say("\n4. A protection claim ends a transfer.");
    if let Some(case) = demo
        .propose(
            "officer.ada",
            "demo-training",
            adult("Marta Simulada", "SLV"),
        )
        .await?
    {
        demo.walk_to_scheduled(case, 5).await?;
        demo.advance_by(1.hours())?;
        demo.say("  (at interview she says she fears persecution in Rwanda)");
        demo.run(
            "officer.ada",
            "records her protection claim",
            Command::ClaimProtection { case },
        )
        .await?;
        let departure = demo.now.checked_add((4 * 24).hours())?;
        demo.run(
            "officer.ada",
            "tries to schedule her again",
            Command::Schedule { case, departure },
        )
        .await?;
        demo.advance_by((3 * 24).hours())?;
        demo.run(
            "adjudicator.cy",
            "finds a real risk: protection granted",
            Command::DecideProtection {
                case,
                granted: true,
            },
        )
        .await?;
        let departure = demo.now.checked_add((4 * 24).hours())?;
        demo.run(
            "officer.ada",
            "tries to schedule her once more",
            Command::Schedule { case, departure },
        )
        .await?;
    }

    demo.say("\n5. The cap: this training profile allows 4 people in all, and places are reserved when scheduled.");
    for name in [
        "Elena Modelo",
        "Carla Demo",
        "Sofia Plantilla",
        "Nadia Borrador",
    ] {
        if let Some(case) = demo
            .propose("officer.ada", "demo-training", adult(name, "GTM"))
            .await?
        {
            demo.walk_to_scheduled(case, 6).await?;
        }
    }

    demo.say("\n6. A terminated agreement refuses new cases; the terms' exclusions refuse an ineligible person.");
    demo.propose(
        "officer.uk",
        "gbr-rwa-2024",
        adult("Joy Placeholder", "NGA"),
    )
    .await?;
    let mut minor = adult("Teo Menor", "HND");
    minor.birth = "2009-01-20";
    demo.propose("officer.ada", "demo-training", minor).await?;

    demo.advance_to("2026-09-01T00:00:00Z")?;
    demo.say("\n7. The clocks run: transfer deadlines pass and support periods end.");
    demo.run("demo.admin", "ticks the clocks", Command::Tick)
        .await?;

    monitoring_scene(demo, case).await
}

/// Scene 8: the monitoring body at work after arrival (docs/monitoring.md).
async fn monitoring_scene(demo: &mut Demo, case: CaseId) -> anyhow::Result<()> {
    demo.advance_to("2026-09-02T10:00:00Z")?;
    demo.say("\n8. The monitoring body visits unannounced, finds a risk of onward removal and holds the case until its finding is closed.");
    let agreement = AgreementId::parse("demo-training").map_err(anyhow::Error::msg)?;
    let visit = VisitId::from_u64(demo.app.entropy.u64()?);
    let plan = VisitPlan {
        agreement: agreement.clone(),
        announced: false,
        on: demo.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        place: "Reception centre, Kigali (synthetic)".to_owned(),
        cases: [case].into_iter().collect(),
    };
    demo.run(
        "monitor.gus",
        "records an unannounced visit to the reception centre, where he saw Amira",
        Command::RecordVisit {
            visit,
            plan,
            seen: Seen {
                cases: [case].into_iter().collect(),
                others: vec!["centre manager".to_owned()],
            },
        },
    )
    .await?;
    let finding = FindingId::from_u64(demo.app.entropy.u64()?);
    demo.run(
        "monitor.gus",
        "records a critical finding: officials told her she would be moved on within days",
        Command::RecordFinding {
            finding,
            facts: FindingFacts {
                agreement,
                cases: [case].into_iter().collect(),
                category: FindingCategory::OnwardRemovalRisk,
                severity: Severity::Critical,
                text: "Officials told the person she would be moved to a neighbouring country within days, without a procedure (synthetic).".to_owned(),
                addressed: [AddressedParty::ReceivingState].into_iter().collect(),
            },
        },
    )
    .await?;
    demo.advance_by(3.hours())?;
    demo.run(
        "receiver.dee",
        "records onward removal to Uganda",
        Command::Onward {
            case,
            destination: country("UGA")?,
        },
    )
    .await?;
    demo.advance_to("2026-09-09T09:00:00Z")?;
    demo.run(
        "receiver.dee",
        "responds to the finding for the receiving state",
        Command::RespondToFinding {
            finding,
            text: "No onward movement will take place; the officials concerned have been instructed (synthetic).".to_owned(),
        },
    )
    .await?;
    demo.run(
        "monitor.gus",
        "closes the finding: response accepted",
        Command::CloseFinding {
            finding,
            outcome: FindingOutcome::Accepted,
        },
    )
    .await?;
    complaint_scene(demo, case).await
}

/// The demo's seeded stream as the randomness of a complaint's lodging, so that the same seed
/// lodges the same complaint.
struct SeededDraw<'a>(&'a mut Entropy);

impl corridor_app::complaints::Draw for SeededDraw<'_> {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), corridor_app::AppError> {
        self.0
            .fill(bytes)
            .map_err(|error| corridor_app::AppError::Internal(format!("the demo's seed: {error}")))
    }
}

/// What the sending state's officer is answered about the case: its page, its history and the
/// agreement's case list, as JSON.
async fn officer_view(officer: &Executor, case: CaseId) -> anyhow::Result<String> {
    let failed = |what: &str| anyhow::anyhow!("officer.ada's {what} was not answered");
    let page = officer
        .read_case(case)
        .await
        .map_err(|_| failed("case page"))?;
    let history = officer
        .read_history(case)
        .await
        .map_err(|_| failed("history"))?;
    let list = officer
        .list_cases(&CaseQuery {
            agreement: Some(AgreementId::parse("demo-training").map_err(anyhow::Error::msg)?),
            status: None,
            limit: PAGE_SIZE_MAX,
            after: None,
        })
        .await
        .map_err(|_| failed("case list"))?;
    Ok(serde_json::to_string(&(page, history, list))?)
}

/// The end of scene 8: a confidential complaint that only the monitoring body sees.
async fn complaint_scene(demo: &mut Demo, case: CaseId) -> anyhow::Result<()> {
    demo.say("  Her counsel lodges a confidential complaint with the monitoring body, without an account; only the monitoring body may know it exists.");
    let accounts = crate::user_cmd::open(&demo.app.store).await?;
    let officer = crate::identity::caller(
        demo.app.store.deployment(),
        Some("officer.ada"),
        None,
        &accounts,
        &demo.app.users,
        demo.now,
    )
    .await?;
    let officer = Executor::local(&mut demo.app, officer, accounts)?;
    let before = officer_view(&officer, case).await?;
    let new = NewComplaint {
        agreement: "demo-training".to_owned(),
        complainant: "counsel".to_owned(),
        case_reference: Some("Amira Testcase, reception centre, Kigali (synthetic)".to_owned()),
        text: "Officials at the centre threatened to move my client on before the monitors came back (synthetic).".to_owned(),
        contact: None,
    };
    let receipt = officer
        .lodge_complaint_drawing(new, &mut SeededDraw(&mut demo.app.entropy))
        .await
        .map_err(|_| anyhow::anyhow!("the demo's complaint was not lodged"))?;
    demo.say(&format!(
        "  counsel lodges the complaint: done (complaint_lodged); the receipt code, shown once, reads its status: {}",
        receipt.status
    ));
    let after = officer_view(&officer, case).await?;
    demo.say(&format!(
        "  officer.ada reads the case page, its history and the case list again: {} ({} bytes before and after)",
        if before == after {
            "the same answers, byte for byte"
        } else {
            "DIFFERENT ANSWERS"
        },
        after.len()
    ));
    if before != after {
        bail!("the sending state's officer was told something of a confidential complaint");
    }
    Ok(())
}

async fn print_welfare(demo: &Demo, case: CaseId) -> anyhow::Result<()> {
    let Some((found, agreement)) = demo.app.store.case(case).await? else {
        return Ok(());
    };
    let Some(terms) = agreement.terms(found.terms_version) else {
        return Ok(());
    };
    for item in corridor_domain::clock::welfare_schedule(&found, terms, demo.now) {
        demo.say(&format!(
            "  welfare check due {}: {} (computed now, never stored)",
            item.due_at.strftime("%Y-%m-%d"),
            item.state.as_str()
        ));
    }
    Ok(())
}
