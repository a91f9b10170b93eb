//! The optional monitoring endpoint (C2SP tlog-witness, "Monitor Retrieval Mechanism"):
//! `GET /<lowercase hex SHA-256 of the origin>/checkpoint` serves the latest checkpoint the
//! witness cosigned, with the log's signature and the witness's cosignature; 404 when it never
//! cosigned one of that log.

use corridor_log::cosignature::CosignatureVerifier;
use corridor_log::note::{Note, Verifier as _, VerifierSet};
use corridor_log::witness::origin_hash;
use corridor_witness::config::cosigner_verifier_key;
use corridor_witness::server::TEXT_CONTENT_TYPE;

use crate::{Backend, LOG_ORIGIN, Log, TestDatabase, log_signer, spawn_witness, witness_key};

fn path(origin: &str) -> String {
    format!("/{}/checkpoint", origin_hash(origin))
}

#[tokio::test]
async fn the_latest_cosigned_checkpoint_is_served_by_origin_hash() {
    // Proves the endpoint answers 404 before any cosignature and for an unknown origin, then the
    // latest cosigned checkpoint (it follows the witness's state), whose signatures verify with
    // the log's key and the witness's cosigning key.
    let database = TestDatabase::fresh(Backend::Sqlite).await;
    let witness = spawn_witness(&database.url).await;
    let before = witness.get(&path(LOG_ORIGIN)).await;
    assert_eq!(before.status, 404, "{before:?}");
    assert_eq!(
        witness.get(&path("elsewhere.example/log")).await.status,
        404
    );
    // The origin hash is lowercase hex: the uppercase spelling names nothing.
    let upper = format!("/{}/checkpoint", origin_hash(LOG_ORIGIN).to_uppercase());
    assert_eq!(witness.get(&upper).await.status, 404);

    let log = Log::new(&[(9, "main")]);
    assert_eq!(witness.post(log.body(0, 5)).await.status, 200);
    assert_eq!(witness.post(log.body(5, 9)).await.status, 200);
    let served = witness.get(&path(LOG_ORIGIN)).await;
    assert_eq!(
        (served.status, served.content_type.as_str()),
        (200, TEXT_CONTENT_TYPE),
        "{served:?}"
    );
    let note = Note::parse(served.body.as_bytes()).unwrap();
    assert_eq!(note.text(), log.checkpoint(9).to_text());
    note.verify(&VerifierSet::new().with(log_signer().verifier()).unwrap())
        .unwrap();
    let cosigner =
        CosignatureVerifier::parse(&cosigner_verifier_key(&witness_key()).unwrap()).unwrap();
    let cosignature = note
        .signatures()
        .iter()
        .find(|signature| signature.name() == cosigner.name())
        .expect("the witness's cosignature");
    cosigner
        .verify_cosignature(note.text(), cosignature)
        .unwrap();
    witness.stop().await;
}
