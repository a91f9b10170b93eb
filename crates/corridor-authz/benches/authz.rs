//! The cost of one authorization decision, measured with `std::time` (no bench framework).
//!
//! Run with `cargo bench -p corridor-authz`. It loads the shipped policies, then times a mix of
//! decisions that exercise the largest entity set (a case with its agreement): a receiving
//! officer reading a requested case (allowed), and an admin reading it (forbidden).

use std::hint::black_box;
use std::time::Instant;

use corridor_authz::{Action, AgreementFacts, Authz, CaseFacts, Principal, ResourceFacts};
use corridor_domain::terms::{AgreementId, Country};
use corridor_domain::{Actor, CaseId, Party, Role, UserId};

/// Decisions timed per run.
const DECISIONS: u32 = 200_000;
/// Decisions made before timing, so caches and the allocator are warm.
const WARM_UP: u32 = 10_000;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let authz = Authz::load()?;
    println!("load and validate the policies: {:?}", started.elapsed());

    let country = |code: &str| Country::parse(code).map_err(anyhow::Error::msg);
    let user = |name: &str| UserId::parse(name).map_err(anyhow::Error::msg);
    let agreement = AgreementFacts {
        id: AgreementId::parse("gbr-rwa-2024").map_err(anyhow::Error::msg)?,
        sending: country("GBR")?,
        receiving: country("RWA")?,
        monitoring_body: Some("independent-monitor".to_owned()),
    };
    let case = ResourceFacts::Case(CaseFacts {
        id: CaseId::from_u64(42),
        agreement,
        counsel: Some(user("counsel.own")?),
        requested: true,
        courts: std::collections::BTreeSet::new(),
    });
    let officer = Principal::from_actor(&Actor {
        user: user("officer")?,
        role: Role::ReceivingOfficer,
        party: Party::State(country("RWA")?),
    });
    let admin = Principal::from_actor(&Actor {
        user: user("operator")?,
        role: Role::Admin,
        party: Party::None,
    });

    for (label, principal, expected) in [
        ("allowed (receiving officer reads)", &officer, true),
        ("denied (admin reads, forbid)", &admin, false),
    ] {
        for _ in 0..WARM_UP {
            black_box(authz.decide_uncached(principal, Action::ReadCase, &case));
        }
        let started = Instant::now();
        let mut allowed = 0_u32;
        for _ in 0..DECISIONS {
            allowed += u32::from(
                black_box(authz.decide_uncached(
                    black_box(principal),
                    Action::ReadCase,
                    black_box(&case),
                ))
                .allowed,
            );
        }
        let elapsed = started.elapsed();
        anyhow::ensure!(
            allowed == if expected { DECISIONS } else { 0 },
            "{label}: unexpected decisions"
        );
        let per_decision_ns = elapsed.as_nanos() / u128::from(DECISIONS);
        println!(
            "{label}: {DECISIONS} decisions in {elapsed:?}: {per_decision_ns} ns per decision, {:.0} decisions/s",
            f64::from(DECISIONS) / elapsed.as_secs_f64()
        );
    }
    Ok(())
}
