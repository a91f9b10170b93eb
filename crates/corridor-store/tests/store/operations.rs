//! Every read and write of the store on every backend: the log's leaves, nodes, proofs and
//! checkpoints, salts, witness sizes, histories and their pages, optimistic concurrency and the append-only
//! triggers. Two backends given the same sequence must answer every question identically.

use corridor_domain::{CaseId, Command, NoticeFacts, Outcome, StreamId};
use corridor_log::Hash;
use corridor_log::hash::leaf_hash;
use corridor_log::tree::{verify_consistency, verify_inclusion};
use corridor_store::log::{commitment, leaf_salt};
use corridor_store::testing::backends;
use corridor_store::{BATCH_COMMANDS_MAX, Backend, Executed, Request, Store, StoreError};
use jiff::Timestamp;
use sqlx::Executor as _;

use crate::contract::replay;
use crate::harness::{Fixture, SALT_KEY, context};
use crate::sequence::generate;

/// What the log of a store answers, for comparison across backends.
#[derive(Debug, PartialEq, Eq)]
struct LogAnswers {
    origin: String,
    salt_key: [u8; 32],
    event_count: u64,
    leaves: Vec<(u64, u64, Vec<u8>)>,
    nodes: Vec<Vec<Hash>>,
    checkpoints: Vec<(u64, Hash)>,
    latest: Option<(u64, Hash, String, String)>,
    inclusion: Vec<Vec<Hash>>,
    consistency: Vec<Hash>,
    histories: Vec<Vec<(u64, u64, String)>>,
    witness: Option<u64>,
}

async fn log_answers(store: &Store) -> LogAnswers {
    let (size, root) = store.tree_head().await.unwrap();
    let half = size / 2;
    let half_root = store.root_at(half).await.unwrap();
    let made_at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    store
        .record_checkpoint(half, &half_root, "half\n", made_at)
        .await
        .unwrap();
    store
        .record_checkpoint(size, &root, "full\n", made_at)
        .await
        .unwrap();
    // Recording the same size again replaces the note (cosignatures added later), nothing else.
    store
        .record_checkpoint(size, &root, "full, cosigned\n", made_at)
        .await
        .unwrap();
    let leaves = store.leaves(0, size).await.unwrap();
    assert_eq!(leaves.len() as u64, size);
    let mut inclusion = Vec::new();
    for (index, seq, entry) in leaves.iter().step_by(37) {
        assert_eq!(store.leaf_index_of(*seq).await.unwrap(), Some(*index));
        let proof = store.inclusion_proof(*index, size).await.unwrap();
        verify_inclusion(&leaf_hash(entry), *index, size, &proof, &root).unwrap();
        // The holder of the event can check its commitment with the salt the store gives.
        let body = &store.events(seq - 1, 1).await.unwrap()[0].body;
        let salt = store.salt(*seq).await.unwrap();
        assert_eq!(salt, leaf_salt(&SALT_KEY, *seq));
        let line = format!("commitment {}", commitment(&salt, body).to_base64());
        assert!(String::from_utf8_lossy(entry).contains(&line));
        inclusion.push(proof);
    }
    let consistency = store.consistency_proof(half, size).await.unwrap();
    verify_consistency(half, size, &half_root, &root, &consistency).unwrap();
    let mut nodes = Vec::new();
    for level in 0..=6u8 {
        nodes.push(store.nodes(level, 0, size).await.unwrap());
    }
    let mut histories = Vec::new();
    let events = store.events(0, 1_000).await.unwrap();
    for stored in events.iter().step_by(29) {
        let stream = stored.event.body.stream();
        let history = store.history(&stream).await.unwrap();
        assert!(history.iter().any(|event| event.seq == stored.seq));
        let versions: Vec<u64> = history.iter().map(|event| event.version).collect();
        assert_eq!(versions, (1..=history.len() as u64).collect::<Vec<_>>());
        // A page of the stream is the history from just after the given sequence number.
        let page = store.stream_page(&stream, stored.seq - 1, 2).await.unwrap();
        let expected: Vec<u64> = history
            .iter()
            .map(|event| event.seq)
            .filter(|seq| *seq >= stored.seq)
            .take(2)
            .collect();
        assert_eq!(
            page.iter().map(|event| event.seq).collect::<Vec<_>>(),
            expected
        );
        histories.push(
            history
                .into_iter()
                .map(|event| (event.seq, event.version, event.body))
                .collect(),
        );
    }
    let witness = "https://witness.example/w1";
    assert_eq!(store.witness_size(witness).await.unwrap(), None);
    store.set_witness_size(witness, half).await.unwrap();
    store.set_witness_size(witness, size).await.unwrap();
    LogAnswers {
        origin: store.origin().await.unwrap(),
        salt_key: store.salt_key().await.unwrap(),
        event_count: store.event_count().await.unwrap(),
        leaves,
        nodes,
        checkpoints: store.checkpoints().await.unwrap(),
        latest: store.latest_checkpoint().await.unwrap(),
        inclusion,
        consistency,
        histories,
        witness: store.witness_size(witness).await.unwrap(),
    }
}

#[tokio::test]
async fn the_log_answers_alike_on_every_backend() {
    // Proves leaves, stored nodes, proofs (verified), checkpoints, salts, histories and witness
    // sizes read back identically from SQLite and PostgreSQL after one sequence.
    let sequence = generate(3, 300);
    let mut answers = Vec::new();
    for backend in backends() {
        let fixture = Fixture::new(backend, "log_answers").await;
        replay(&fixture.store, &sequence.steps, 3).await;
        let got = log_answers(&fixture.store).await;
        assert_eq!(got.event_count, sequence.world.events().len() as u64);
        assert_eq!(got.checkpoints.len(), 2, "{backend:?}");
        assert_eq!(
            got.latest.as_ref().map(|latest| latest.2.as_str()),
            Some("full, cosigned\n")
        );
        assert_eq!(got.witness, Some(got.event_count));
        let problems = fixture.store.check_log(&|_, _| {}).await.unwrap();
        assert!(problems.is_empty(), "{backend:?}: {problems:?}");
        answers.push(got);
        fixture.finish().await;
    }
    if let [first, second] = answers.as_slice() {
        assert_eq!(first, second, "SQLite and PostgreSQL answer differently");
    }
}

fn notice(case: CaseId) -> Command {
    Command::ServeNotice {
        case,
        notice: NoticeFacts {
            language: corridor_domain::Language::parse("es").unwrap(),
            on_person: true,
            on_counsel: true,
            destination: corridor_domain::terms::Country::parse("RWA").unwrap(),
            explains_how_to_contest: true,
        },
    }
}

#[tokio::test]
async fn a_stale_expected_version_is_a_typed_conflict_on_every_backend() {
    // Proves a command decided against an old case version is refused with
    // `StoreError::Conflict` naming both versions, and writes nothing, on every backend.
    let sequence = generate(5, 0);
    for backend in backends() {
        let fixture = Fixture::new(backend, "conflict").await;
        replay(&fixture.store, &sequence.steps, 5).await;
        let case = crate::concurrent::propose(&fixture.store, 1).await;
        let now = crate::harness::START.parse().unwrap();
        let ctx = context("officer.us", now);
        let executed = fixture
            .store
            .execute(&notice(case), &ctx, Some(1), &[])
            .await
            .unwrap();
        assert!(matches!(executed.outcome, Outcome::Accepted(_)));
        let before = fixture.store.event_count().await.unwrap();
        let error = fixture
            .store
            .execute(&notice(case), &ctx, Some(1), &[])
            .await
            .unwrap_err();
        match error {
            StoreError::Conflict {
                case: conflicted,
                expected,
                current,
            } => assert_eq!((conflicted, expected, current), (case, 1, 2), "{backend:?}"),
            other => panic!("{backend:?}: not a conflict: {other:?}"),
        }
        assert_eq!(fixture.store.event_count().await.unwrap(), before);
        let history = fixture.store.history(&StreamId::Case(case)).await.unwrap();
        assert_eq!(history.len(), 2);
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_group_commit_over_the_batch_limit_is_a_typed_limit_on_every_backend() {
    // Proves a group commit of one write more than `BATCH_COMMANDS_MAX` is refused whole with
    // `StoreError::Limit` naming the limit and the size asked, writing nothing, while one of
    // exactly the limit is decided write by write, on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "batch-limit").await;
        let ctx = context("officer.us", crate::harness::START.parse().unwrap());
        // A case nobody proposed: each notice is refused and records nothing, so the batch
        // at the limit is decided in full without growing the log.
        let command = notice(CaseId::from_u64(0xdead_beef));
        let request = Request {
            command: &command,
            context: &ctx,
            expected_version: None,
            new_case_keys: &[],
        };
        let over = vec![request; BATCH_COMMANDS_MAX + 1];
        let before = fixture.store.event_count().await.unwrap();
        match fixture.store.execute_many(&over).await {
            Err(StoreError::Limit { limit, value, .. }) => assert_eq!(
                (limit, value),
                (BATCH_COMMANDS_MAX as u64, BATCH_COMMANDS_MAX as u64 + 1),
                "{backend:?}"
            ),
            Err(other) => panic!("{backend:?}: not a limit: {other:?}"),
            Ok(results) => panic!("{backend:?}: {} writes over the limit ran", results.len()),
        }
        let at_limit = fixture.store.execute_many(&over[1..]).await.unwrap();
        assert_eq!(at_limit.len(), BATCH_COMMANDS_MAX, "{backend:?}");
        assert!(
            at_limit.iter().all(|result| matches!(
                result,
                Ok(Executed {
                    outcome: Outcome::Refused { .. },
                    seqs: None
                })
            )),
            "{backend:?}"
        );
        assert_eq!(fixture.store.event_count().await.unwrap(), before);
        fixture.finish().await;
    }
}

#[tokio::test]
async fn a_second_proposal_of_one_case_is_refused_as_existing_in_one_commit_or_later() {
    // Proves proposing an id that exists — earlier in the same group commit or in an earlier
    // commit — is the typed refusal `already_exists`, never a database error that would fail
    // the other writes of its group, on every backend.
    for backend in backends() {
        let fixture = Fixture::new(backend, "twice").await;
        replay(&fixture.store, &generate(5, 0).steps, 5).await;
        let now = crate::harness::START.parse().unwrap();
        let ctx = context("officer.us", now);
        let (first, first_keys) = crate::concurrent::proposal(9_001);
        let (other, other_keys) = crate::concurrent::proposal(9_002);
        let requests = [
            Request {
                command: &first,
                context: &ctx,
                expected_version: None,
                new_case_keys: &first_keys,
            },
            Request {
                command: &first,
                context: &ctx,
                expected_version: None,
                new_case_keys: &first_keys,
            },
            Request {
                command: &other,
                context: &ctx,
                expected_version: None,
                new_case_keys: &other_keys,
            },
        ];
        let results = fixture.store.execute_many(&requests).await.unwrap();
        let outcomes: Vec<_> = results
            .into_iter()
            .map(|result| result.unwrap().outcome)
            .collect();
        assert!(
            matches!(outcomes[0], Outcome::Accepted(_)),
            "{backend:?}: {outcomes:?}"
        );
        assert!(
            matches!(&outcomes[1], Outcome::Refused { refusal, recorded: None } if refusal.code() == "already_exists"),
            "{backend:?}: {outcomes:?}"
        );
        assert!(
            matches!(outcomes[2], Outcome::Accepted(_)),
            "{backend:?}: {outcomes:?}"
        );

        let later = fixture
            .store
            .execute(&first, &ctx, None, &first_keys)
            .await
            .unwrap();
        assert!(
            matches!(&later.outcome, Outcome::Refused { refusal, .. } if refusal.code() == "already_exists"),
            "{backend:?}: {later:?}"
        );
        let history = fixture
            .store
            .history(&StreamId::Case(CaseId::from_u64(9_001)))
            .await
            .unwrap();
        assert_eq!(history.len(), 1, "{backend:?}");
        fixture.finish().await;
    }
}

#[tokio::test]
async fn the_event_log_is_append_only_on_every_backend() {
    // Proves the triggers refuse UPDATE and DELETE of events, log leaves and log nodes on every
    // backend, so history cannot be rewritten through SQL by mistake.
    let sequence = generate(9, 20);
    for backend in backends() {
        let fixture = Fixture::new(backend, "append_only").await;
        replay(&fixture.store, &sequence.steps, 9).await;
        for statement in [
            "UPDATE events SET body = 'x' WHERE seq = 1",
            "DELETE FROM events WHERE seq = 1",
            "UPDATE log_leaves SET entry = entry WHERE leaf_index = 0",
            "DELETE FROM log_leaves WHERE leaf_index = 0",
            "DELETE FROM log_nodes WHERE level = 0",
        ] {
            let error = fixture.store.pool().execute(statement).await.unwrap_err();
            assert!(
                error.to_string().contains("append-only"),
                "{backend:?}: `{statement}` gave {error}"
            );
        }
        crate::contract::assert_checks_clean(&format!("{backend:?}"), &fixture.store).await;
        fixture.finish().await;
    }
}

#[tokio::test]
async fn postgres_runs_every_operation_through_the_any_driver() {
    // Proves the PostgreSQL path is the one tested here, not SQLite twice: the fixture's store
    // reports the backend its URL names.
    for backend in backends() {
        let fixture = Fixture::new(backend, "backend").await;
        assert_eq!(fixture.store.backend(), backend);
        assert_eq!(
            Backend::of_pool(fixture.store.pool()).await.unwrap(),
            backend
        );
        fixture.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_one_snapshot_while_another_process_commits() {
    // Proves `Store::check` reads the events, the projections and the keys in one snapshot: a
    // case another process commits after the check has read the events (its events, projection
    // row and key all at once) is no problem for that check, and the next check sees it whole,
    // on every backend.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "check_snapshot").await;
        crate::concurrent::propose(&fixture.store, 8_001).await;
        let url = fixture.database.url().to_owned();
        let committed = std::sync::atomic::AtomicBool::new(false);
        let report = fixture
            .store
            .check(&|_, _| {
                // Called once the events are read, before the projections and keys are.
                if committed.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let url = url.clone();
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        let other = Store::open(&url, false).await.unwrap();
                        crate::concurrent::propose(&other, 8_002).await;
                        other.close().await;
                    });
                })
                .join()
                .unwrap();
            })
            .await
            .unwrap();
        assert!(
            committed.load(std::sync::atomic::Ordering::SeqCst),
            "{backend:?}: the other process committed during the check"
        );
        assert!(
            report.problems.is_empty(),
            "{backend:?}: {:?}",
            report.problems
        );
        let after = fixture.store.check(&|_, _| {}).await.unwrap();
        assert!(
            after.problems.is_empty(),
            "{backend:?}: {:?}",
            after.problems
        );
        assert!(after.events > report.events, "{backend:?}");
        fixture.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backdated_command_is_refused_and_check_reports_a_history_out_of_order() {
    // Time moves forward: a command dated before the last event of a stream it reads is refused,
    // typed and with nothing written. A history that went backwards anyway (written by a server
    // allowed a wide skew) is reported by `check` under the default skew.
    for backend in backends() {
        let fixture = Fixture::with_agreements(backend, "time_order").await;
        let start: Timestamp = crate::harness::START.parse().unwrap();
        let later = start
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap();
        let earlier = start
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        let status = |status| Command::ChangeAgreementStatus {
            agreement: corridor_domain::terms::AgreementId::parse("us-rwa-2025").unwrap(),
            status,
            on: "2025-08-04".parse().unwrap(),
        };
        let suspend = status(corridor_domain::terms::AgreementStatus::Suspended);
        let executed = fixture
            .store
            .execute(&suspend, &context("admin", later), None, &[])
            .await
            .unwrap();
        assert!(
            matches!(executed.outcome, Outcome::Accepted(_)),
            "{backend:?}"
        );
        let events = fixture.store.check(&|_, _| {}).await.unwrap().events;
        let reinstate = status(corridor_domain::terms::AgreementStatus::InForce);
        let refused = fixture
            .store
            .execute(&reinstate, &context("admin", earlier), None, &[])
            .await
            .unwrap();
        match &refused.outcome {
            Outcome::Refused { refusal, recorded } => {
                assert_eq!(refusal.code(), "time_before_recorded", "{backend:?}");
                assert!(recorded.is_none(), "{backend:?}");
            }
            other => panic!("{backend:?}: a backdated status change was accepted: {other:?}"),
        }
        let report = fixture.store.check(&|_, _| {}).await.unwrap();
        assert_eq!(
            report.events, events,
            "{backend:?}: the refusal wrote nothing"
        );
        assert!(
            report.problems.is_empty(),
            "{backend:?}: {:?}",
            report.problems
        );

        // A server allowed a day's skew accepts it; the default check then reports it.
        let lenient = Store::open(fixture.database.url(), false)
            .await
            .unwrap()
            .with_clock_skew(jiff::SignedDuration::from_hours(24));
        let accepted = lenient
            .execute(&reinstate, &context("admin", earlier), None, &[])
            .await
            .unwrap();
        assert!(
            matches!(accepted.outcome, Outcome::Accepted(_)),
            "{backend:?}"
        );
        let lenient_report = lenient.check(&|_, _| {}).await.unwrap();
        assert!(
            lenient_report.problems.is_empty(),
            "{backend:?}: {:?}",
            lenient_report.problems
        );
        lenient.close().await;
        let report = fixture.store.check(&|_, _| {}).await.unwrap();
        assert_eq!(
            report.problems.len(),
            1,
            "{backend:?}: {:?}",
            report.problems
        );
        let problem = &report.problems[0];
        assert!(
            problem.contains("agreement:us-rwa-2025") && problem.contains("time went backwards"),
            "{backend:?}: {problem}"
        );
        fixture.finish().await;
    }
}
