//! The load benchmark of `corridor serve` on SQLite: reads (`GET /api/cases/{case}`) and writes
//! (`POST /api/cases/{case}/notice`, a case command with `If-Match`) at 64 concurrent
//! connections, with throughput, p50 and p99; and the cost of one authorization decision.
//!
//! Run with `cargo bench -p corridor-api --bench load`. Knobs (environment):
//! `CORRIDOR_LOAD_CONNECTIONS` (64), `CORRIDOR_LOAD_SECONDS` (10 per phase), `CORRIDOR_LOAD_CASES`
//! (5,000), `CORRIDOR_LOAD_SERVER_THREADS` (2).
//!
//! The server is the real router with every layer (policies on every request, an access record
//! per decision in the log before the answer, durable group commits), bearer-token
//! authentication, on a fresh SQLite database in a temporary directory, with the allocator
//! `corridor serve` uses (mimalloc). It runs on its own Tokio runtime; the load generator runs
//! on another in the same process, with one keep-alive HTTP/1.1 connection per simulated client.
//! Both share the machine's cores, as a co-located load generator would. The rate limiter is
//! opened wide: one address sends everything.
//!
//! A first phase sends `GET /healthz` over the same connections: no database, no policy, no
//! record. It is the ceiling the HTTP stack and the load generator leave on this machine, so the
//! figures of the other two phases can be read against it.

/// The allocator `corridor serve` runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use corridor_accounts::{Accounts, Scope};
use corridor_api::limits::RateLimit;
use corridor_api::{AppState, ServerConfig};
use corridor_authz::{Action, Authz, CaseFacts, Principal, ResourceFacts};
use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Actor, CaseId, Command, Context, Label, Language, Party, PersonFacts, PersonalData, Role,
    UserId,
};
use corridor_store::vault::{self, MasterKey};
use corridor_store::{Request, Store};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use jiff::Timestamp;
use tokio::net::TcpStream;

const AGREEMENT: &str = include_str!("../../../agreements/us-rwa-2025.toml");
const NOW: &str = "2025-08-10T09:00:00Z";

fn env_number(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{name}=`{text}` is not a number")),
        Err(_) => Ok(default),
    }
}

fn main() -> anyhow::Result<()> {
    let connections = env_number("CORRIDOR_LOAD_CONNECTIONS", 64)?;
    let seconds = env_number("CORRIDOR_LOAD_SECONDS", 10)?;
    let cases = env_number("CORRIDOR_LOAD_CASES", 5_000)?;
    let server_threads = env_number("CORRIDOR_LOAD_SERVER_THREADS", 2)?;

    let dir = tempfile::tempdir()?;
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::try_from(server_threads)?)
        .enable_all()
        .build()?;
    let (address, ids, token) = server.block_on(start(&dir, cases))?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "corridor load benchmark: {connections} connections, {seconds} s per phase, {cases} cases, SQLite (synchronous=FULL), server on {server_threads} threads"
    );
    let duration = Duration::from_secs(seconds);
    let ids = Arc::new(ids);
    let health = client.block_on(run(
        address,
        &token,
        &ids,
        connections,
        duration,
        Kind::Health,
    ))?;
    report("ceiling (GET /healthz)", &health, duration);
    let reads = client.block_on(run(
        address,
        &token,
        &ids,
        connections,
        duration,
        Kind::Read,
    ))?;
    report("reads  (GET /api/cases/{case})", &reads, duration);
    let writes = client.block_on(run(
        address,
        &token,
        &ids,
        connections,
        duration,
        Kind::Write,
    ))?;
    report("writes (POST /api/cases/{case}/notice)", &writes, duration);
    authz_cost()?;
    drop(server);
    Ok(())
}

/// Opens a store with the agreement and `cases` proposed cases, a sending officer with a token,
/// and serves it; returns the address, the case ids and the token.
async fn start(
    dir: &tempfile::TempDir,
    cases: u64,
) -> anyhow::Result<(SocketAddr, Vec<String>, String)> {
    let url = format!("sqlite://{}", dir.path().join("corridor.db").display());
    let store = Store::open(&url, true).await?;
    store
        .configure_log(Some("corridor.bench/log"), Some([9; 32]))
        .await?;
    let now: Timestamp = NOW.parse()?;
    let actor = |user: &str, role, party| -> anyhow::Result<Context> {
        Ok(Context {
            now,
            actor: Actor {
                user: UserId::parse(user).map_err(anyhow::Error::msg)?,
                role,
                party,
            },
        })
    };
    let usa = Party::State(Country::parse("USA").map_err(anyhow::Error::msg)?);
    let admin = actor("admin", Role::Admin, Party::None)?;
    store
        .execute(
            &Command::LoadAgreement {
                file_name: "us-rwa-2025.toml".to_owned(),
                text: AGREEMENT.to_owned(),
            },
            &admin,
            None,
            &[],
        )
        .await?;
    let officer = actor("officer.load", Role::SendingOfficer, usa.clone())?;
    let master = MasterKey::from_bytes([7; 32]);
    let mut ids = Vec::new();
    let ids_all: Vec<u64> = (1..=cases).map(|n| 0x5000_0000 + n).collect();
    for chunk in ids_all.chunks(1_000) {
        let mut proposals = Vec::new();
        for &n in chunk {
            let case = CaseId::from_u64(n);
            let key = [n.to_le_bytes()[0]; 32];
            let personal = PersonalData {
                name: format!("Synthetic Person {n}"),
                documents: vec![format!("synthetic document {n}")],
                ..PersonalData::default()
            };
            let facts = PersonFacts {
                birth_date: "1990-04-12".parse()?,
                nationality: Country::parse("VEN").map_err(anyhow::Error::msg)?,
                sex: Sex::Male,
                vulnerabilities: BTreeSet::new(),
                feared_countries: BTreeSet::new(),
                protected_countries: BTreeSet::new(),
                languages: [Language::parse("es").map_err(anyhow::Error::msg)?]
                    .into_iter()
                    .collect(),
                legal_basis: Label::parse("ina_241").map_err(anyhow::Error::msg)?,
                designation: None,
                detention_place: None,
                removal_ordered_on: "2025-03-03".parse()?,
                health_data_consent: false,
            };
            proposals.push((
                Command::Propose {
                    case,
                    agreement: AgreementId::parse("us-rwa-2025").map_err(anyhow::Error::msg)?,
                    facts,
                    counsel: None,
                    personal: vault::seal(case, &key, [1; vault::NONCE_BYTES], &personal),
                },
                vec![(case, master.wrap(case, &key, [2; vault::NONCE_BYTES]))],
            ));
            ids.push(case.to_string());
        }
        let requests: Vec<Request<'_>> = proposals
            .iter()
            .map(|(command, keys)| Request {
                command,
                context: &officer,
                expected_version: None,
                new_case_keys: keys,
            })
            .collect();
        for result in store.execute_many(&requests).await? {
            result?;
        }
    }
    let store = Arc::new(store);
    let accounts = Accounts::from_pool(store.pool().clone()).await?;
    let user = UserId::parse("officer.load").map_err(anyhow::Error::msg)?;
    accounts
        .add_user(
            &user,
            Role::SendingOfficer,
            &usa,
            "correct horse battery staple",
            now,
        )
        .await?;
    let (secret, _) = accounts
        .create_token(
            &user,
            [Scope::parse("*").map_err(anyhow::Error::msg)?],
            now + jiff::SignedDuration::from_hours(24),
            now,
        )
        .await?;
    let mut config = ServerConfig::new(store, accounts, Arc::new(Authz::load()?));
    config.master = Some(master);
    config.clock = Arc::new(move || now);
    config.rate_limit = RateLimit {
        burst_requests: u32::MAX,
        refill_per_second: u32::MAX,
    };
    let state = AppState::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(corridor_api::serve(listener, state, std::future::pending()));
    Ok((address, ids, secret.expose().to_owned()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `GET /healthz`: the HTTP stack alone, the ceiling for the other two.
    Health,
    Read,
    Write,
}

/// What one phase measured.
struct Phase {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

async fn run(
    address: SocketAddr,
    token: &str,
    ids: &Arc<Vec<String>>,
    connections: u64,
    duration: Duration,
    kind: Kind,
) -> anyhow::Result<Phase> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let ids = Arc::clone(ids);
        let token = token.to_owned();
        tasks.push(tokio::spawn(async move {
            client(address, &token, &ids, worker, connections, deadline, kind).await
        }));
    }
    let mut phase = Phase {
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
    };
    for task in tasks {
        let part = task.await??;
        phase.latencies.extend(part.latencies);
        phase.errors += part.errors;
        if phase.first_error.is_none() {
            phase.first_error = part.first_error;
        }
    }
    Ok(phase)
}

/// One connection: its own slice of the cases, requests back to back until the deadline.
async fn client(
    address: SocketAddr,
    token: &str,
    ids: &[String],
    worker: u64,
    connections: u64,
    deadline: Instant,
    kind: Kind,
) -> anyhow::Result<Phase> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let own: Vec<&String> = ids
        .iter()
        .enumerate()
        .filter(|(index, _)| *index as u64 % connections == worker)
        .map(|(_, id)| id)
        .collect();
    let mut versions: Vec<u64> = vec![1; own.len()];
    let authorization = format!("Bearer {token}");
    let notice = r#"{"language":"es","destination":"RWA","on_person":true,"on_counsel":false,"explains_how_to_contest":true}"#;
    let mut phase = Phase {
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
    };
    let mut turn = 0usize;
    while Instant::now() < deadline {
        let index = turn % own.len().max(1);
        turn += 1;
        let Some(case) = own.get(index) else { break };
        let builder = hyper::Request::builder()
            .header("host", "bench")
            .header("authorization", &authorization);
        let request = match kind {
            Kind::Health => builder
                .method("GET")
                .uri("/healthz")
                .body(Full::new(Bytes::new()))?,
            Kind::Read => builder
                .method("GET")
                .uri(format!("/api/cases/{case}"))
                .body(Full::new(Bytes::new()))?,
            Kind::Write => builder
                .method("POST")
                .uri(format!("/api/cases/{case}/notice"))
                .header("content-type", "application/json")
                .header(
                    "if-match",
                    format!("\"{}\"", versions.get(index).copied().unwrap_or(1)),
                )
                .body(Full::new(Bytes::from_static(notice.as_bytes())))?,
        };
        let started = Instant::now();
        let response = sender.send_request(request).await?;
        let status = response.status();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim_matches('"').parse::<u64>().ok());
        let body = response.into_body().collect().await?.to_bytes();
        phase.latencies.push(started.elapsed());
        if status.is_success() {
            if let (Kind::Write, Some(version), Some(slot)) = (kind, etag, versions.get_mut(index))
            {
                *slot = version;
            }
        } else {
            phase.errors += 1;
            if phase.first_error.is_none() {
                phase.first_error = Some(format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
        }
    }
    Ok(phase)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
        .unwrap_or_default()
}

fn report(name: &str, phase: &Phase, duration: Duration) {
    let mut sorted = phase.latencies.clone();
    sorted.sort_unstable();
    let per_second = sorted.len() as f64 / duration.as_secs_f64();
    println!(
        "{name}: {:>9.0} requests/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({} requests, {} errors)",
        per_second,
        percentile(&sorted, 0.50).as_secs_f64() * 1e3,
        percentile(&sorted, 0.99).as_secs_f64() * 1e3,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        sorted.len(),
        phase.errors,
    );
    if let Some(error) = &phase.first_error {
        println!("  first error: {error}");
    }
}

/// The cost of one decision as the server makes it for a read: a sending officer reading a case.
fn authz_cost() -> anyhow::Result<()> {
    let authz = Authz::load()?;
    let country = |code: &str| Country::parse(code).map_err(anyhow::Error::msg);
    let case = ResourceFacts::Case(CaseFacts {
        id: CaseId::from_u64(42),
        agreement: corridor_authz::AgreementFacts {
            id: AgreementId::parse("us-rwa-2025").map_err(anyhow::Error::msg)?,
            sending: country("USA")?,
            receiving: country("RWA")?,
            monitoring_body: None,
        },
        counsel: None,
        requested: true,
        courts: std::collections::BTreeSet::new(),
    });
    let principal = Principal::from_actor(&Actor {
        user: UserId::parse("officer.load").map_err(anyhow::Error::msg)?,
        role: Role::SendingOfficer,
        party: Party::State(country("USA")?),
    });
    let rounds = 50_000u32;
    for _ in 0..1_000 {
        std::hint::black_box(authz.decide_uncached(&principal, Action::ReadCase, &case));
    }
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(authz.decide_uncached(&principal, Action::ReadCase, &case));
    }
    let each = started.elapsed() / rounds;
    println!(
        "one authorization decision evaluated by Cedar (read_case, sending officer): {:.1} µs",
        each.as_secs_f64() * 1e6
    );
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(authz.decide(&principal, Action::ReadCase, &case));
    }
    let each = started.elapsed() / rounds;
    println!(
        "the same decision remembered (the server's memo of decided requests): {:.2} µs",
        each.as_secs_f64() * 1e6
    );
    Ok(())
}
