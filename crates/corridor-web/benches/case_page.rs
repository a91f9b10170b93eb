//! The case page of a case with 200 events, rendered on the server: p50 and p99 of
//! `GET /cases/{case}` through the whole router (every layer `corridor serve` has, the session
//! read, the policies and the two recorded reads, the actions asked of the decider, the
//! template), driven without a socket (tower's `oneshot`), one request at a time.
//!
//! Run with `cargo bench -p corridor-web --bench case_page`. Knobs (environment):
//! `CORRIDOR_CASE_PAGE_EVENTS` (200), `CORRIDOR_CASE_PAGE_REQUESTS` (500).
//!
//! The case is proposed under us-rwa-2025 on a fresh SQLite database in a temporary directory;
//! its events are refused (deficient) notices, each a `safeguard_triggered` event, so the
//! timeline is as long as asked. The viewer is the proposing officer, who sees the whole case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::Body;
use axum::http::Request;
use corridor_api::limits::RateLimit;
use corridor_api::{AppState, ServerConfig};
use corridor_app::service::{self, NewCase};
use corridor_app::{Caller, Credential};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{CaseId, Command, Language, NoticeFacts, Party, PersonalData, Role, UserId};
use corridor_store::Store;
use corridor_store::vault::MasterKey;
use http_body_util::BodyExt as _;
use jiff::Timestamp;
use tower::ServiceExt as _;

const OFFICER: &str = "officer.bench";
const PASSWORD: &str = "correct horse battery staple";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

fn local(user: &str, role: Role, party: Party) -> Caller {
    Caller {
        actor: corridor_testkit::actor(user, role, party),
        credential: Credential::Local,
    }
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let events = env_number("CORRIDOR_CASE_PAGE_EVENTS", 200).max(1);
    let requests = env_number("CORRIDOR_CASE_PAGE_REQUESTS", 500).max(1);
    let dir = tempfile::tempdir().context("a directory")?;
    let url = format!("sqlite://{}", dir.path().join("corridor.db").display());
    let store = Arc::new(Store::open(&url, true).await.context("the store")?);
    let accounts = corridor_accounts::Accounts::from_pool(store.pool().clone())
        .await
        .context("accounts")?;
    let authz = corridor_authz::Authz::load().context("the policies")?;
    let mut config = ServerConfig::new(store.clone(), accounts, Arc::new(authz));
    config.master = Some(MasterKey::from_bytes([7; 32]));
    config.rate_limit = RateLimit {
        burst_requests: 1_000_000,
        refill_per_second: 1_000_000,
    };
    let start: Timestamp = corridor_testkit::AUG_10.parse().context("a moment")?;
    config.clock = Arc::new(move || start);
    let state = AppState::new(config);
    let app = state.app();
    service::load_agreement(
        app,
        &local("admin", Role::Admin, Party::None),
        "us-rwa-2025.toml".to_owned(),
        corridor_testkit::agreement_text("us-rwa-2025.toml"),
    )
    .await
    .context("the agreement")?;
    let party = corridor_testkit::party("state:USA");
    let officer = local(OFFICER, Role::SendingOfficer, party.clone());
    let proposed = service::propose(
        app,
        &officer,
        AgreementId::parse("us-rwa-2025").map_err(anyhow::Error::msg)?,
        NewCase {
            facts: corridor_testkit::sealed::person_facts(),
            personal: PersonalData {
                name: "Synthetic Person Benchmark".to_owned(),
                ..PersonalData::default()
            },
            counsel: None,
            idempotency_key: None,
        },
    )
    .await
    .context("a proposal")?;
    let case = CaseId::parse(&proposed.case).map_err(anyhow::Error::msg)?;
    for _ in 1..events {
        let refused = service::case_command(
            app,
            &officer,
            Command::ServeNotice {
                case,
                notice: NoticeFacts {
                    language: Language::parse("fr").map_err(anyhow::Error::msg)?,
                    on_person: true,
                    on_counsel: false,
                    destination: Country::parse("RWA").map_err(anyhow::Error::msg)?,
                    explains_how_to_contest: true,
                },
            },
            None,
        )
        .await;
        assert!(refused.is_err(), "a deficient notice is refused");
    }
    state
        .accounts()
        .add_user(
            &UserId::parse(OFFICER).map_err(anyhow::Error::msg)?,
            Role::SendingOfficer,
            &party,
            PASSWORD,
            start,
        )
        .await
        .context("the user")?;
    let (session, _) = state
        .accounts()
        .login(
            OFFICER,
            PASSWORD,
            std::net::IpAddr::from([127, 0, 0, 1]),
            start,
        )
        .await
        .context("a session")?;
    let cookie = format!("corridor_session={}", session.expose());
    let router = corridor_api::router_with(state.clone(), corridor_web::pages());
    let path = format!("/cases/{case}");
    let get = || {
        let request = Request::builder()
            .uri(&path)
            .header("cookie", &cookie)
            .body(Body::empty());
        let router = router.clone();
        async move {
            let response = router.oneshot(request?).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body.len()))
        }
    };
    let (status, bytes) = get().await?;
    assert!(status.is_success(), "the case page answers {status}");
    for _ in 0..requests.min(20) {
        get().await?;
    }
    let mut times: Vec<Duration> = Vec::with_capacity(requests);
    let began = Instant::now();
    for _ in 0..requests {
        let at = Instant::now();
        let (status, _) = get().await?;
        times.push(at.elapsed());
        assert!(status.is_success());
    }
    let total = began.elapsed();
    times.sort();
    let quantile = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times
            .get(index.min(times.len() - 1))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "case page, {events} events ({bytes} bytes of HTML): {requests} requests one at a time in {:.2} s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        total.as_secs_f64(),
        quantile(0.50).as_secs_f64() * 1000.0,
        quantile(0.99).as_secs_f64() * 1000.0,
        quantile(1.0).as_secs_f64() * 1000.0,
    );
    Ok(())
}
