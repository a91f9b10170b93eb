//! One test per answer C2SP tlog-witness prescribes, over real HTTP, plus the body limit.

use corridor_log::Hash;
use corridor_log::checkpoint::Checkpoint;
use corridor_log::hash::sha256;
use corridor_log::keys::CosignerVerifier;
use corridor_log::note::Note;
use corridor_log::witness::{AddCheckpointRequest, MAX_PROOF_LINES, MAX_REQUEST_BODY_BYTES};
use corridor_witness::client::{self, AddOutcome};
use corridor_witness::config::cosigner_verifier_key;
use corridor_witness::server::{TEXT_CONTENT_TYPE, TREE_SIZE_CONTENT_TYPE};

use crate::{
    Backend, LOG_ORIGIN, Log, NOW_SECONDS, RawAnswer, TestDatabase, TestWitness, WITNESS_NAME,
    log_signer, seed, signer, spawn_witness, spawn_witness_with_key, witness_key,
};

/// A witness over a fresh SQLite database, and the database it must outlive.
async fn witness() -> (TestWitness, TestDatabase) {
    let database = TestDatabase::fresh(Backend::Sqlite).await;
    (spawn_witness(&database.url).await, database)
}

/// Asserts the status of an answer and that its body contains `reason`.
fn check(answer: &RawAnswer, status: u16, reason: &str) {
    assert_eq!(answer.status, status, "{answer:?}");
    assert!(answer.body.contains(reason), "{answer:?} lacks `{reason}`");
}

// 200 from a witness whose key is ML-DSA-44 (`generate_cosigner_key` with that algorithm): its
// cosignature is type 0x06, verifies with its published key on this checkpoint only, and is
// refused once one of its bytes is flipped.
#[tokio::test]
async fn an_ml_dsa_44_witness_cosigns_200() {
    use corridor_log::keys::Algorithm;
    use corridor_log::note::NoteSignature;
    let database = TestDatabase::fresh(Backend::Sqlite).await;
    let key =
        corridor_witness::generate_cosigner_key(Algorithm::MlDsa44, WITNESS_NAME, &seed("pq"))
            .unwrap();
    let witness = spawn_witness_with_key(&database.url, &key).await;
    let verifier = CosignerVerifier::parse(&cosigner_verifier_key(&key).unwrap()).unwrap();
    assert!(matches!(verifier, CosignerVerifier::MlDsa44(_)));
    assert_eq!(witness.state.cosigner_verifier(), verifier);
    let log = Log::new(&[(9, "main")]);
    let signed = log.signed(9);
    let outcome = client::add_checkpoint(&witness.url, 0, &[], &signed)
        .await
        .unwrap();
    let AddOutcome::Cosigned(cosignatures) = outcome else {
        panic!("expected a cosignature, got {outcome:?}");
    };
    assert_eq!(
        client::verify_cosignature(&verifier, &signed, &cosignatures).unwrap(),
        NOW_SECONDS
    );
    assert!(client::verify_cosignature(&verifier, &log.signed(5), &cosignatures).is_err());
    let mut bytes = cosignatures[0].signature().to_vec();
    bytes[42] ^= 0x01;
    let flipped = NoteSignature::new(
        cosignatures[0].name().clone(),
        cosignatures[0].key_id(),
        bytes,
    )
    .unwrap();
    assert!(client::verify_cosignature(&verifier, &signed, &[flipped]).is_err());
    witness.stop().await;
}

// 200: the witness cosigns a first checkpoint and a consistent successor; each answer is one
// cosignature line, as text/plain, that verifies with the published witness key and states
// the witness's clock, and the stored checkpoint follows.
#[tokio::test]
async fn consistent_checkpoint_is_cosigned_200() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(9, "main")]);
    let verifier =
        CosignerVerifier::parse(&cosigner_verifier_key(&witness_key()).unwrap()).unwrap();

    let raw = witness.post(log.body(0, 5)).await;
    assert_eq!(
        (raw.status, raw.content_type.as_str()),
        (200, TEXT_CONTENT_TYPE)
    );
    assert_eq!(raw.body.lines().count(), 1);
    assert!(raw.body.starts_with(&format!("\u{2014} {WITNESS_NAME} ")));

    let signed = log.signed(9);
    let outcome = client::add_checkpoint(&witness.url, 5, &log.proof(5, 9), &signed)
        .await
        .unwrap();
    let AddOutcome::Cosigned(cosignatures) = outcome else {
        panic!("expected a cosignature, got {outcome:?}");
    };
    assert_eq!(
        client::verify_cosignature(&verifier, &signed, &cosignatures).unwrap(),
        NOW_SECONDS
    );
    // The cosignature is on this checkpoint, not on any other.
    assert!(client::verify_cosignature(&verifier, &log.signed(5), &cosignatures).is_err());

    let stored = witness
        .state
        .store()
        .latest(LOG_ORIGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.checkpoint(), &log.checkpoint(9));
    assert_eq!(stored.signed_checkpoint(), signed);
    assert_eq!(stored.cosignature(), &cosignatures[0]);
    assert_eq!(stored.cosigned_at_seconds(), NOW_SECONDS);

    // Re-submitting the stored checkpoint is cosigned again and changes nothing.
    let again = client::add_checkpoint(&witness.url, 9, &[], &signed)
        .await
        .unwrap();
    assert!(matches!(again, AddOutcome::Cosigned(_)), "{again:?}");
    witness.stop().await;
}

// 400: bodies that are not `old <size>`, proof lines, a blank line and a signed checkpoint,
// each refused with a reason and nothing stored.
#[tokio::test]
async fn malformed_bodies_are_400() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(8, "main")]);
    let signed = log.signed(8);
    let sixty_four_lines = vec![Hash::from_bytes([7; 32]); MAX_PROOF_LINES + 1];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("no old line", signed.clone().into_bytes()),
        (
            "old size with a sign",
            format!("old +0\n\n{signed}").into_bytes(),
        ),
        (
            "old size with a leading zero",
            format!("old 01\n\n{signed}").into_bytes(),
        ),
        (
            "proof line not base64",
            format!("old 4\nnot-base64!\n\n{signed}").into_bytes(),
        ),
        ("no blank line", format!("old 0\n{signed}").into_bytes()),
        (
            "unsigned checkpoint",
            format!("old 0\n\n{}", log.checkpoint(8)).into_bytes(),
        ),
        ("not UTF-8", b"old 0\n\n\xff\xfe\n".to_vec()),
        (
            "64 proof lines",
            AddCheckpointRequest::encode(4, &sixty_four_lines, &signed).into_bytes(),
        ),
    ];
    for (name, body) in cases {
        let answer = witness.post(body).await;
        assert_eq!(answer.status, 400, "{name}: {answer:?}");
        assert!(
            answer.body.starts_with("malformed request"),
            "{name}: {answer:?}"
        );
    }
    // 63 proof lines are within the limit: the body parses, and only the proof is wrong.
    let sixty_three_lines = &sixty_four_lines[..MAX_PROOF_LINES];
    let answer = witness
        .post(AddCheckpointRequest::encode(0, sixty_three_lines, &signed).into_bytes())
        .await;
    check(&answer, 422, "consistency proof");
    assert_eq!(
        witness.state.store().latest(LOG_ORIGIN).await.unwrap(),
        None
    );
    witness.stop().await;
}

// 400: an old size above the checkpoint's size.
#[tokio::test]
async fn old_size_larger_than_checkpoint_is_400() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(8, "main")]);
    let outcome = client::add_checkpoint(&witness.url, 9, &[], &log.signed(8))
        .await
        .unwrap();
    let AddOutcome::Refused { status, body } = outcome else {
        panic!("expected a refusal, got {outcome:?}");
    };
    assert_eq!(status, 400);
    assert!(
        body.contains("old size 9 is larger than the checkpoint size 8"),
        "{body}"
    );
    witness.stop().await;
}

// 400 and 200 on either side of the largest tree size the database can hold: 2^63 is refused
// before any decision, 2^63 - 1 is decided (a first checkpoint needs no proof) and stored.
#[tokio::test]
async fn tree_size_limit_is_enforced_on_both_sides() {
    let (witness, _database) = witness().await;
    let largest = corridor_witness::store::MAX_STORED_TREE_SIZE;
    let signed = |size| {
        Checkpoint::new(LOG_ORIGIN, size, sha256(b"not a real root"))
            .unwrap()
            .sign(&log_signer())
            .unwrap()
            .to_text()
    };
    let answer = witness
        .post(AddCheckpointRequest::encode(0, &[], &signed(largest + 1)).into_bytes())
        .await;
    check(&answer, 400, "above the largest this witness can store");
    let answer = witness
        .post(AddCheckpointRequest::encode(0, &[], &signed(largest)).into_bytes())
        .await;
    check(&answer, 200, WITNESS_NAME);
    let stored = witness
        .state
        .store()
        .latest(LOG_ORIGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.checkpoint().size(), largest);
    witness.stop().await;
}

// 403: a checkpoint of the right origin that no trusted log key validly signed: signed by
// another key of the same name, or carrying a corrupted signature from the real key.
#[tokio::test]
async fn checkpoint_without_valid_log_signature_is_403() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(8, "main")]);

    let impostor = log
        .checkpoint(8)
        .sign(&signer(LOG_ORIGIN, "an impostor"))
        .unwrap();
    let answer = witness
        .post(AddCheckpointRequest::encode(0, &[], &impostor.to_text()).into_bytes())
        .await;
    check(&answer, 403, "no signature from a known key");

    // Flip one byte of the real signature: a known key whose signature is bad.
    let genuine = log.signed(8);
    let note = Note::parse(genuine.as_bytes()).unwrap();
    let line = note.signatures()[0].to_line();
    let mut bytes = note.signatures()[0].signature().to_vec();
    bytes[0] ^= 1;
    let tampered_signature = corridor_log::note::NoteSignature::new(
        note.signatures()[0].name().clone(),
        note.signatures()[0].key_id(),
        bytes,
    )
    .unwrap();
    let tampered = genuine.replace(&line, &tampered_signature.to_line());
    assert_ne!(tampered, genuine);
    let answer = witness
        .post(AddCheckpointRequest::encode(0, &[], &tampered).into_bytes())
        .await;
    check(&answer, 403, "does not verify");
    assert_eq!(
        witness.state.store().latest(LOG_ORIGIN).await.unwrap(),
        None
    );
    witness.stop().await;
}

// 404: a validly signed checkpoint of a log the witness does not follow.
#[tokio::test]
async fn unknown_origin_is_404() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(8, "main")]);
    let stranger = "elsewhere.example/log";
    let signed = Checkpoint::new(stranger, 8, *log.checkpoint(8).root())
        .unwrap()
        .sign(&signer(stranger, "elsewhere's key"))
        .unwrap()
        .to_text();
    let outcome = client::add_checkpoint(&witness.url, 0, &[], &signed)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        AddOutcome::Refused {
            status: 404,
            body: format!("unknown log origin `{stranger}`\n"),
        }
    );
    assert_eq!(witness.state.store().latest(stranger).await.unwrap(), None);
    witness.stop().await;
}

// 409: an old size that is not the stored size gets the stored size as text/x.tlog.size, which
// the client reads as a conflict; sending again from that size is cosigned.
#[tokio::test]
async fn stale_old_size_is_409_with_the_stored_size() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(12, "main")]);
    assert_eq!(witness.post(log.body(0, 5)).await.status, 200);

    let raw = witness.post(log.body(3, 12)).await;
    assert_eq!(
        raw,
        RawAnswer {
            status: 409,
            content_type: TREE_SIZE_CONTENT_TYPE.to_owned(),
            body: "5\n".to_owned(),
        }
    );
    // The log believes the witness has nothing yet.
    let outcome = client::add_checkpoint(&witness.url, 0, &[], &log.signed(12))
        .await
        .unwrap();
    assert_eq!(outcome, AddOutcome::Conflict { witness_size: 5 });
    let outcome = client::add_checkpoint(&witness.url, 5, &log.proof(5, 12), &log.signed(12))
        .await
        .unwrap();
    assert!(matches!(outcome, AddOutcome::Cosigned(_)), "{outcome:?}");
    witness.stop().await;
}

// 422: a consistency proof that does not verify, whether a hash is altered, it is the proof
// for other sizes, or it is missing; the stored checkpoint does not move.
#[tokio::test]
async fn bad_consistency_proof_is_422() {
    let (witness, _database) = witness().await;
    let log = Log::new(&[(13, "main")]);
    assert_eq!(witness.post(log.body(0, 5)).await.status, 200);
    let signed = log.signed(13);

    let mut altered = log.proof(5, 13);
    altered[0] = sha256(b"altered");
    for (name, proof) in [
        ("altered hash", altered),
        ("proof for other sizes", log.proof(6, 13)),
        ("no proof", Vec::new()),
    ] {
        let answer = witness
            .post(AddCheckpointRequest::encode(5, &proof, &signed).into_bytes())
            .await;
        assert_eq!(answer.status, 422, "{name}: {answer:?}");
        assert!(
            answer
                .body
                .starts_with("the consistency proof does not verify"),
            "{name}"
        );
    }
    let stored = witness
        .state
        .store()
        .latest(LOG_ORIGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.checkpoint().size(), 5);
    witness.stop().await;
}

// 422 (C2SP tlog-witness, "add-checkpoint": "A checkpoint of size zero MUST have the root hash of
// the empty tree [...] Otherwise, the witness MUST respond with a 422 Unprocessable Entity"): a
// size-0 checkpoint with another root is refused, nothing is stored, and the log's real first
// checkpoint is still cosigned from size 0.
#[tokio::test]
async fn size_0_with_a_non_empty_root_is_422() {
    let (witness, _database) = witness().await;
    let signed = Checkpoint::new(LOG_ORIGIN, 0, sha256(b"not empty"))
        .unwrap()
        .sign(&log_signer())
        .unwrap()
        .to_text();
    let answer = witness
        .post(AddCheckpointRequest::encode(0, &[], &signed).into_bytes())
        .await;
    check(&answer, 422, "size 0 must have the root of the empty tree");
    assert_eq!(answer.content_type, TEXT_CONTENT_TYPE);
    assert!(
        witness
            .state
            .store()
            .latest(LOG_ORIGIN)
            .await
            .unwrap()
            .is_none()
    );
    let log = Log::new(&[(3, "main")]);
    assert_eq!(witness.post(log.body(0, 3)).await.status, 200);
    witness.stop().await;
}

// 413 and 400 on either side of the body limit: a body of exactly the limit is read (and
// refused as malformed), one byte more is not read at all.
#[tokio::test]
async fn request_body_limit_is_enforced_on_both_sides() {
    let (witness, _database) = witness().await;
    let at_limit = {
        let mut body = b"old 0\n\n".to_vec();
        body.resize(MAX_REQUEST_BODY_BYTES, b'a');
        body
    };
    let answer = witness.post(at_limit.clone()).await;
    check(&answer, 400, "malformed request");
    let mut over_limit = at_limit;
    over_limit.push(b'a');
    assert_eq!(witness.post(over_limit).await.status, 413);
    witness.stop().await;
}

// The client refuses, before connecting, what no witness could use: an https URL (this client
// speaks plain HTTP), a URL that is not http at all, and a proof over 63 lines.
#[tokio::test]
async fn client_refuses_unusable_requests_before_sending() {
    let log = Log::new(&[(8, "main")]);
    let signed = log.signed(8);
    for url in [
        "https://witness.example",
        "ftp://witness.example",
        "not a url",
    ] {
        let error = client::add_checkpoint(url, 0, &[], &signed)
            .await
            .unwrap_err();
        assert!(
            matches!(error, client::ClientError::InvalidUrl { .. }),
            "{url}: {error:?}"
        );
    }
    let too_long = vec![Hash::from_bytes([1; 32]); MAX_PROOF_LINES + 1];
    let error = client::add_checkpoint("http://127.0.0.1:9", 4, &too_long, &signed)
        .await
        .unwrap_err();
    assert!(
        matches!(error, client::ClientError::ProofTooLong { lines: 64 }),
        "{error:?}"
    );
}
