//! Several writers at once, each with its own `Store` (its own pool), on every backend: one
//! global order with no gap and no duplicate, strict per-stream versions, a leaf per event,
//! stale versions caught as typed conflicts, and a store that checks clean afterwards.

use std::collections::BTreeMap;
use std::sync::Arc;

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    CaseId, Command, Label, Language, NoticeFacts, Outcome, PersonFacts, PersonalData,
};
use corridor_store::testing::backends;
use corridor_store::vault::{self, MasterKey};
use corridor_store::{Executed, Request, Store, StoreError};
use jiff::Timestamp;

use crate::contract::assert_checks_clean;
use crate::harness::{Fixture, MASTER_KEY, START, context};

/// Writers, each a `Store` of its own.
const WRITERS: u64 = 4;
/// Tasks sharing each writer's pool.
const TASKS_PER_WRITER: u64 = 3;
/// Rounds per task: a proposal, its notice, and every third round a group commit of proposals.
const ROUNDS: u64 = 8;
/// Proposals in each group commit of a round.
const GROUP: u64 = 4;

fn start() -> Timestamp {
    START.parse().unwrap()
}

/// The proposal of a synthetic adult under us-rwa-2025 as case `n`, and its wrapped key.
pub fn proposal(n: u64) -> (Command, Vec<(CaseId, Vec<u8>)>) {
    let case = CaseId::from_u64(n);
    let key = [n.to_le_bytes()[0]; vault::KEY_BYTES];
    let personal = vault::seal(
        case,
        &key,
        [1; vault::NONCE_BYTES],
        &PersonalData {
            name: format!("Synthetic Person {n}"),
            ..PersonalData::default()
        },
    );
    let facts = PersonFacts {
        birth_date: "1990-04-12".parse().unwrap(),
        nationality: Country::parse("SLV").unwrap(),
        sex: Sex::Female,
        vulnerabilities: Default::default(),
        feared_countries: Default::default(),
        protected_countries: Default::default(),
        languages: [Language::parse("es").unwrap()].into_iter().collect(),
        legal_basis: Label::parse("ina_241").unwrap(),
        designation: None,
        detention_place: None,
        removal_ordered_on: "2025-03-03".parse().unwrap(),
        health_data_consent: false,
    };
    let wrapped = MasterKey::from_bytes(MASTER_KEY).wrap(case, &key, [2; vault::NONCE_BYTES]);
    (
        Command::Propose {
            case,
            agreement: AgreementId::parse("us-rwa-2025").unwrap(),
            facts,
            counsel: None,
            personal,
        },
        vec![(case, wrapped)],
    )
}

/// Proposes case `n` and returns its id (the proposal must be accepted).
pub async fn propose(store: &Store, n: u64) -> CaseId {
    let (command, keys) = proposal(n);
    let executed = store
        .execute(&command, &context("officer.us", start()), None, &keys)
        .await
        .unwrap();
    assert!(
        matches!(executed.outcome, Outcome::Accepted(_)),
        "{executed:?}"
    );
    CaseId::from_u64(n)
}

pub fn notice(case: CaseId) -> Command {
    Command::ServeNotice {
        case,
        notice: NoticeFacts {
            language: Language::parse("es").unwrap(),
            on_person: true,
            on_counsel: true,
            destination: Country::parse("RWA").unwrap(),
            explains_how_to_contest: true,
        },
    }
}

/// What one task saw acknowledged: the case of each command and the seqs it was given.
type Acknowledged = Vec<(CaseId, (u64, u64))>;

fn seqs_of(executed: &Executed) -> (u64, u64) {
    assert!(
        matches!(&executed.outcome, Outcome::Accepted(events) if !events.is_empty()),
        "{executed:?}"
    );
    executed.seqs.unwrap()
}

async fn task(store: Arc<Store>, writer: u64, task: u64) -> Acknowledged {
    let mut acknowledged = Vec::new();
    let ctx = context("officer.us", start());
    for round in 0..ROUNDS {
        let n = 1_000_000 * (writer + 1) + 10_000 * task + 100 * round;
        let case = CaseId::from_u64(n);
        let (command, keys) = proposal(n);
        let executed = store.execute(&command, &ctx, Some(0), &keys).await.unwrap();
        acknowledged.push((case, seqs_of(&executed)));
        let executed = store
            .execute(&notice(case), &ctx, Some(1), &[])
            .await
            .unwrap();
        acknowledged.push((case, seqs_of(&executed)));
        if round % 3 == 0 {
            let proposals: Vec<_> = (1..=GROUP).map(|k| proposal(n + k)).collect();
            let requests: Vec<Request<'_>> = proposals
                .iter()
                .map(|(command, keys)| Request {
                    command,
                    context: &ctx,
                    expected_version: None,
                    new_case_keys: keys,
                })
                .collect();
            let results = store.execute_many(&requests).await.unwrap();
            for (k, result) in (1..=GROUP).zip(results) {
                acknowledged.push((CaseId::from_u64(n + k), seqs_of(&result.unwrap())));
            }
        }
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_one_gapless_order() {
    // Proves writers on separate pools appending at once get contiguous, unique sequence numbers,
    // strict stream versions, exactly one leaf per event, and a store that checks clean.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "concurrent").await;
        let mut handles = Vec::new();
        for writer in 0..WRITERS {
            let store = Arc::new(Store::open(fixture.database.url(), false).await.unwrap());
            for t in 0..TASKS_PER_WRITER {
                handles.push((store.clone(), tokio::spawn(task(store.clone(), writer, t))));
            }
        }
        let mut acknowledged = Vec::new();
        for (store, handle) in handles {
            acknowledged.extend(handle.await.unwrap());
            drop(store);
        }
        let agreements = 3;
        let events = fixture.store.events(0, 100_000).await.unwrap();
        let expected_events = agreements + acknowledged.len() as u64;
        assert_eq!(events.len() as u64, expected_events, "{backend:?}");
        let seqs: Vec<u64> = events.iter().map(|event| event.seq).collect();
        assert_eq!(
            seqs,
            (1..=expected_events).collect::<Vec<_>>(),
            "{backend:?}: a gap"
        );
        // Every acknowledged command owns exactly the seqs it was told, holding its own events.
        let mut owner: BTreeMap<u64, CaseId> = BTreeMap::new();
        for (case, (first, last)) in &acknowledged {
            for seq in *first..=*last {
                assert!(
                    owner.insert(seq, *case).is_none(),
                    "{backend:?}: seq {seq} acknowledged twice"
                );
                let stored = &events[(seq - 1) as usize];
                assert_eq!(stored.stream, case.to_string(), "{backend:?}: seq {seq}");
            }
        }
        let mut versions: BTreeMap<&str, u64> = BTreeMap::new();
        for event in &events {
            let version = versions.entry(event.stream.as_str()).or_insert(0);
            *version += 1;
            assert_eq!(
                event.version, *version,
                "{backend:?}: {} out of order",
                event.stream
            );
        }
        let (size, _) = fixture.store.tree_head().await.unwrap();
        assert_eq!(size, expected_events, "{backend:?}: tree size");
        assert_checks_clean(&format!("{backend:?}"), &fixture.store).await;
        fixture.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_on_one_case_get_one_success_and_typed_conflicts() {
    // Proves that when several writers serve notice on the same case version at once, exactly one
    // is accepted and every other gets `StoreError::Conflict` naming the version now stored.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "race").await;
        let case = propose(&fixture.store, 42).await;
        let mut handles = Vec::new();
        for _ in 0..WRITERS * 2 {
            let store = Store::open(fixture.database.url(), false).await.unwrap();
            handles.push(tokio::spawn(async move {
                let ctx = context("officer.us", start());
                let result = store.execute(&notice(case), &ctx, Some(1), &[]).await;
                store.close().await;
                result
            }));
        }
        let mut accepted = 0;
        let mut conflicts = 0;
        for handle in handles {
            match handle.await.unwrap() {
                Ok(executed) => {
                    seqs_of(&executed);
                    accepted += 1;
                }
                Err(StoreError::Conflict {
                    case: conflicted,
                    expected: 1,
                    current: 2,
                }) if conflicted == case => conflicts += 1,
                Err(other) => panic!("{backend:?}: {other:?}"),
            }
        }
        assert_eq!((accepted, conflicts), (1, WRITERS * 2 - 1), "{backend:?}");
        assert_checks_clean(&format!("{backend:?}"), &fixture.store).await;
        fixture.finish().await;
    }
}
