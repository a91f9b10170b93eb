//! A witness shown a forked history refuses it and keeps the history it cosigned.

use corridor_log::witness::AddCheckpointRequest;
use corridor_witness::client::{self, AddOutcome};
use corridor_witness::server::TEXT_CONTENT_TYPE;

use crate::{Backend, LOG_ORIGIN, Log, TestDatabase, spawn_witness};

// A second tree of the stored size with another root is refused with 422, whatever proof comes
// with it (C2SP tlog-witness, "add-checkpoint": "If the old size matches the checkpoint size,
// the witness MUST check that the root hashes are also identical. If they don't match, the
// witness MUST respond with a 422 Unprocessable Entity"), and the stored checkpoint stays the
// first one.
#[tokio::test]
async fn fork_of_the_same_size_is_refused() {
    let database = TestDatabase::fresh(Backend::Sqlite).await;
    let witness = spawn_witness(&database.url).await;
    let honest = Log::new(&[(8, "main")]);
    let forked = Log::new(&[(5, "main"), (8, "fork")]);
    assert_ne!(honest.checkpoint(8).root(), forked.checkpoint(8).root());
    assert_eq!(witness.post(honest.body(0, 8)).await.status, 200);

    for proof in [Vec::new(), forked.proof(5, 8), honest.proof(5, 8)] {
        let answer = witness
            .post(AddCheckpointRequest::encode(8, &proof, &forked.signed(8)).into_bytes())
            .await;
        assert_eq!(
            (answer.status, answer.content_type.as_str()),
            (422, TEXT_CONTENT_TYPE),
            "{answer:?}"
        );
        assert!(answer.body.contains("another root"), "{answer:?}");
    }
    let stored = witness
        .state
        .store()
        .latest(LOG_ORIGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.checkpoint(), &honest.checkpoint(8));
    witness.stop().await;
}

// A larger tree that does not extend the stored one is refused with 422, with its own honest
// proof or the honest log's, and the honest log's extension is still cosigned afterwards.
#[tokio::test]
async fn inconsistent_extension_is_refused() {
    let database = TestDatabase::fresh(Backend::Sqlite).await;
    let witness = spawn_witness(&database.url).await;
    let honest = Log::new(&[(16, "main")]);
    // The same size-8 prefix but one rewritten entry at index 3, then more entries.
    let rewritten = Log::new(&[(3, "main"), (4, "rewritten"), (16, "main")]);
    assert_eq!(witness.post(honest.body(0, 8)).await.status, 200);

    let signed = rewritten.signed(12);
    for proof in [rewritten.proof(8, 12), honest.proof(8, 12)] {
        let outcome = client::add_checkpoint(&witness.url, 8, &proof, &signed)
            .await
            .unwrap();
        let AddOutcome::Refused { status, .. } = outcome else {
            panic!("the fork was not refused: {outcome:?}");
        };
        assert_eq!(status, 422);
    }
    let stored = witness
        .state
        .store()
        .latest(LOG_ORIGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.checkpoint(), &honest.checkpoint(8));

    let outcome = client::add_checkpoint(&witness.url, 8, &honest.proof(8, 16), &honest.signed(16))
        .await
        .unwrap();
    assert!(matches!(outcome, AddOutcome::Cosigned(_)), "{outcome:?}");
    assert_eq!(honest.size(), 16);
    witness.stop().await;
}
