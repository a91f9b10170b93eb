//! What the database must guarantee, on every backend: state survives a restart, and racing
//! requests cannot both advance the same stored checkpoint.

use std::sync::Arc;

use corridor_log::keys::CosignerVerifier;
use corridor_witness::client::{self, AddOutcome};
use corridor_witness::config::cosigner_verifier_key;
use tokio::sync::Barrier;

use crate::{LOG_ORIGIN, Log, TestDatabase, backends, spawn_witness, witness_key};

// A new server over the same database knows the latest cosigned size, and refuses to be
// rolled back to the size before it.
#[tokio::test]
async fn state_survives_a_restart() {
    for backend in backends() {
        let database = TestDatabase::fresh(backend).await;
        let log = Log::new(&[(12, "main")]);
        let witness = spawn_witness(&database.url).await;
        assert_eq!(
            witness.post(log.body(0, 5)).await.status,
            200,
            "{backend:?}"
        );
        assert_eq!(
            witness.post(log.body(5, 9)).await.status,
            200,
            "{backend:?}"
        );
        witness.stop().await;

        let witness = spawn_witness(&database.url).await;
        let stored = witness
            .state
            .store()
            .latest(LOG_ORIGIN)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.checkpoint(), &log.checkpoint(9), "{backend:?}");
        assert_eq!(stored.signed_checkpoint(), log.signed(9), "{backend:?}");
        let outcome = client::add_checkpoint(&witness.url, 5, &log.proof(5, 12), &log.signed(12))
            .await
            .unwrap();
        assert_eq!(
            outcome,
            AddOutcome::Conflict { witness_size: 9 },
            "{backend:?}"
        );
        let outcome = client::add_checkpoint(&witness.url, 9, &log.proof(9, 12), &log.signed(12))
            .await
            .unwrap();
        assert!(
            matches!(outcome, AddOutcome::Cosigned(_)),
            "{backend:?}: {outcome:?}"
        );
        witness.stop().await;
        database.remove().await;
    }
}

/// The number of conflicting requests sent at once.
const RACERS: u64 = 12;

// Many simultaneous requests from the same old size, each with a checkpoint that conflicts
// with every other: exactly one is cosigned, every other gets 409 with the winner's size, and
// the stored checkpoint is the winner's, both for the first checkpoint (an insert race) and
// for a later one (an update race).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_conflicting_checkpoints_cosign_exactly_one() {
    for backend in backends() {
        let database = TestDatabase::fresh(backend).await;
        let witness = spawn_witness(&database.url).await;
        let verifier =
            CosignerVerifier::parse(&cosigner_verifier_key(&witness_key()).unwrap()).unwrap();

        // Round 1 races from nothing stored; round 2 from the winner of round 1.
        let mut base: Vec<(u64, String)> = Vec::new();
        let mut old_size = 0;
        for round in 1..=2 {
            // Every racer extends what is stored with entries of its own (and sizes differ too).
            let segments: Vec<Vec<(u64, String)>> = (0..RACERS)
                .map(|racer| {
                    let mut segments = base.clone();
                    let end = old_size + 4 + racer % 3;
                    segments.push((end, format!("round-{round}-racer-{racer}")));
                    segments
                })
                .collect();
            let logs: Vec<Log> = segments
                .iter()
                .map(|segments| {
                    let segments: Vec<(u64, &str)> = segments
                        .iter()
                        .map(|(end, label)| (*end, label.as_str()))
                        .collect();
                    Log::new(&segments)
                })
                .collect();
            let outcomes = race(&witness.url, old_size, &logs).await;

            let winners: Vec<usize> = outcomes
                .iter()
                .enumerate()
                .filter(|(_, outcome)| matches!(outcome, AddOutcome::Cosigned(_)))
                .map(|(racer, _)| racer)
                .collect();
            assert_eq!(winners.len(), 1, "{backend:?} round {round}: {outcomes:?}");
            let winner = winners[0];
            let winning_log = &logs[winner];
            let winning_size = winning_log.size();
            for (racer, outcome) in outcomes.iter().enumerate() {
                if racer != winner {
                    assert_eq!(
                        outcome,
                        &AddOutcome::Conflict {
                            witness_size: winning_size
                        },
                        "{backend:?} round {round}, racer {racer}"
                    );
                }
            }
            let stored = witness
                .state
                .store()
                .latest(LOG_ORIGIN)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.checkpoint(), &winning_log.checkpoint(winning_size));
            let signed = winning_log.signed(winning_size);
            assert_eq!(stored.signed_checkpoint(), signed);
            let AddOutcome::Cosigned(cosignatures) = &outcomes[winner] else {
                unreachable!("the winner was cosigned");
            };
            assert_eq!(
                &cosignatures[..],
                std::slice::from_ref(stored.cosignature())
            );
            client::verify_cosignature(&verifier, &signed, cosignatures).unwrap();

            base = segments[winner].clone();
            old_size = winning_size;
        }
        witness.stop().await;
        database.remove().await;
    }
}

/// Sends one request per log, all from `old_size` and released together.
async fn race(url: &str, old_size: u64, logs: &[Log]) -> Vec<AddOutcome> {
    let barrier = Arc::new(Barrier::new(logs.len()));
    let tasks: Vec<_> = logs
        .iter()
        .map(|log| {
            let url = url.to_owned();
            let barrier = Arc::clone(&barrier);
            let proof = log.proof(old_size, log.size());
            let signed = log.signed(log.size());
            tokio::spawn(async move {
                barrier.wait().await;
                client::add_checkpoint(&url, old_size, &proof, &signed)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

// The schema itself refuses to roll a log back or to replace a checkpoint with another of the
// same size, whatever code runs the UPDATE.
#[tokio::test]
async fn database_refuses_rollbacks_and_same_size_replacements() {
    use sqlx::Connection as _;
    for backend in backends() {
        let database = TestDatabase::fresh(backend).await;
        let log = Log::new(&[(8, "main")]);
        let witness = spawn_witness(&database.url).await;
        assert_eq!(
            witness.post(log.body(0, 8)).await.status,
            200,
            "{backend:?}"
        );
        witness.stop().await;

        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&database.url).await.unwrap();
        for statement in [
            "UPDATE latest_checkpoints SET tree_size = 4 WHERE origin = $1",
            "UPDATE latest_checkpoints SET root_hash = 'AAAA' WHERE origin = $1",
        ] {
            let result = sqlx::query(statement)
                .bind(LOG_ORIGIN)
                .execute(&mut connection)
                .await;
            assert!(result.is_err(), "{backend:?}: `{statement}` was allowed");
        }
        connection.close().await.unwrap();

        let witness = spawn_witness(&database.url).await;
        let stored = witness
            .state
            .store()
            .latest(LOG_ORIGIN)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.checkpoint(), &log.checkpoint(8), "{backend:?}");
        witness.stop().await;
        database.remove().await;
    }
}
