//! The witness served beside the log: `POST /add-checkpoint` when the server is given a witness
//! (here one that follows the server's own log), answered as C2SP tlog-witness prescribes —
//! the witness's own `text/plain` and `text/x.tlog.size` answers, never problem details — behind
//! the server's rate limit, security headers and metrics; and an unknown path without one.

use corridor_log::checkpoint::Checkpoint;
use corridor_log::note::{Ed25519Signer, KeyName, NoteSignature, Verifier as _};
use corridor_log::witness::AddCheckpointRequest;
use corridor_witness::server::{MAX_REQUEST_BODY_BYTES, TEXT_CONTENT_TYPE};
use corridor_witness::{AddOutcome, verify_cosignature};

use crate::harness::{AUG_10, ORIGIN, Reply, Setup, TestApp, WITNESS_NAME, spawn_app_with};

/// An app with three proposals (a log of four leaves), checkpointed, that serves a witness
/// following its own log.
async fn app_with_witness() -> TestApp {
    spawn_app_with(Setup {
        proposals: 3,
        witness: true,
        ..Setup::default()
    })
    .await
}

/// The served log's checkpoint of `size`, signed by the log's key.
async fn signed(app: &TestApp, size: u64) -> String {
    let root = app.store.root_at(size).await.expect("a root");
    Checkpoint::new(ORIGIN, size, root)
        .expect("a checkpoint")
        .sign(&app.signer)
        .expect("signed")
        .to_text()
}

/// `POST /add-checkpoint` with `body`, as a log sends it.
async fn add(app: &TestApp, body: impl Into<Vec<u8>>) -> Reply {
    app.request(
        "POST",
        "/add-checkpoint",
        &[("content-type", "text/plain")],
        body.into(),
    )
    .await
}

/// The add-checkpoint body for `checkpoint`, from `old` with `proof`.
fn body(old: u64, proof: &[corridor_log::Hash], checkpoint: &str) -> String {
    AddCheckpointRequest::encode(old, proof, checkpoint)
}

/// Asserts an answer is the witness's own text, not a problem.
#[track_caller]
fn assert_witness_text(reply: &Reply, status: u16, content_type: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        content_type,
        "{}",
        reply.text()
    );
}

/// The seconds of [`AUG_10`], the test witness's clock.
fn aug_10_seconds() -> u64 {
    let seconds = AUG_10
        .parse::<jiff::Timestamp>()
        .expect("a moment")
        .as_second();
    u64::try_from(seconds).expect("after 1970")
}

#[tokio::test]
async fn the_witness_cosigns_checkpoints_of_the_served_log() {
    // Proves POST /add-checkpoint cosigns a checkpoint of the server's own log (the cosignature verifies with the witness's key and states its clock), then cosigns the grown log given the store's consistency proof, through the witness crate's own client; with security headers, and counted under its route.
    let app = app_with_witness().await;
    let witness = app.state.witness().expect("a witness").cosigner_verifier();
    assert_eq!(witness.name().as_str(), WITNESS_NAME);
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    assert!(size >= 3, "{size}");

    let first = signed(&app, size - 1).await;
    let reply = add(&app, body(0, &[], &first)).await;
    assert_witness_text(&reply, 200, TEXT_CONTENT_TYPE);
    let cosignatures: Vec<NoteSignature> = reply
        .text()
        .lines()
        .map(|line| NoteSignature::parse_line(line).expect("a cosignature line"))
        .collect();
    let stamped =
        verify_cosignature(&witness, &first, &cosignatures).expect("the cosignature verifies");
    assert_eq!(stamped, aug_10_seconds());
    for (header, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", "default-src 'self'"),
    ] {
        assert_eq!(reply.header(header), value, "{header}");
    }

    // The log grows by one leaf: the witness is shown the proof from the size it holds.
    let second = signed(&app, size).await;
    let proof = app
        .store
        .consistency_proof(size - 1, size)
        .await
        .expect("a proof");
    let url = format!("http://{}", app.address);
    let outcome = corridor_witness::add_checkpoint(&url, size - 1, &proof, &second)
        .await
        .expect("the witness answers");
    let AddOutcome::Cosigned(cosignatures) = outcome else {
        panic!("not cosigned: {outcome:?}");
    };
    verify_cosignature(&witness, &second, &cosignatures).expect("the cosignature verifies");
    assert_eq!(witness_holds(&app).await, size);

    let metrics = app.get("/metrics").await.text();
    assert!(
        metrics.contains(
            r#"corridor_http_requests_total{route="/add-checkpoint",method="POST",status="200"} 2"#
        ),
        "{metrics}"
    );
}

/// The size of the checkpoint the app's witness holds for the app's log.
async fn witness_holds(app: &TestApp) -> u64 {
    app.state
        .witness()
        .expect("a witness")
        .store()
        .latest(ORIGIN)
        .await
        .expect("a read")
        .expect("a stored checkpoint")
        .checkpoint()
        .size()
}

#[tokio::test]
async fn a_wrong_old_size_is_a_409_with_the_size_the_witness_holds() {
    // Proves a checkpoint sent from an old size the witness does not hold is refused 409 with the stored size as `text/x.tlog.size`, which the client reads as a conflict, and nothing is cosigned.
    let app = app_with_witness().await;
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    let held = size - 2;
    let first = add(&app, body(0, &[], &signed(&app, held).await)).await;
    assert_eq!(first.status, 200, "{}", first.text());

    let newer = signed(&app, size).await;
    let reply = add(&app, body(0, &[], &newer)).await;
    assert_witness_text(&reply, 409, "text/x.tlog.size");
    assert_eq!(reply.text(), format!("{held}\n"));

    let url = format!("http://{}", app.address);
    let proof = app
        .store
        .consistency_proof(size - 1, size)
        .await
        .expect("a proof");
    let outcome = corridor_witness::add_checkpoint(&url, size - 1, &proof, &newer)
        .await
        .expect("the witness answers");
    assert_eq!(outcome, AddOutcome::Conflict { witness_size: held });
    assert_eq!(witness_holds(&app).await, held);
}

#[tokio::test]
async fn every_refusal_is_the_witness_own_answer() {
    // Proves a malformed body is 400, a log the witness does not follow 404, a checkpoint not signed by the log's key 403 and a proof that does not verify 422, each as the witness's `text/plain` reason, never a problem.
    let app = app_with_witness().await;
    let (size, _) = app.store.tree_head().await.expect("the tree head");

    let malformed = add(&app, "not an add-checkpoint body").await;
    assert_witness_text(&malformed, 400, TEXT_CONTENT_TYPE);
    assert!(!malformed.text().is_empty());

    let stranger =
        Ed25519Signer::from_seed(KeyName::new("other.test/log").expect("a name"), &[6; 32]);
    let root = app.store.root_at(size).await.expect("a root");
    let unknown = Checkpoint::new("other.test/log", size, root)
        .expect("a checkpoint")
        .sign(&stranger)
        .expect("signed")
        .to_text();
    assert_witness_text(
        &add(&app, body(0, &[], &unknown)).await,
        404,
        TEXT_CONTENT_TYPE,
    );

    // The log's origin and key name, but not its key.
    let impostor = Ed25519Signer::from_seed(KeyName::new(ORIGIN).expect("a name"), &[6; 32]);
    let forged = Checkpoint::new(ORIGIN, size, root)
        .expect("a checkpoint")
        .sign(&impostor)
        .expect("signed")
        .to_text();
    assert_witness_text(
        &add(&app, body(0, &[], &forged)).await,
        403,
        TEXT_CONTENT_TYPE,
    );

    // Held: size - 2. Then a checkpoint of size with the proof of another pair of sizes.
    let held = signed(&app, size - 2).await;
    assert_eq!(add(&app, body(0, &[], &held)).await.status, 200);
    let wrong_proof = app
        .store
        .consistency_proof(size - 1, size)
        .await
        .expect("a proof");
    let reply = add(
        &app,
        body(size - 2, &wrong_proof, &signed(&app, size).await),
    )
    .await;
    assert_witness_text(&reply, 422, TEXT_CONTENT_TYPE);
}

#[tokio::test]
async fn without_a_witness_add_checkpoint_is_an_unknown_path() {
    // Proves a server given no witness answers POST /add-checkpoint with the 404 problem of any unknown path, and its document does not list the route.
    let app = spawn_app_with(Setup::default()).await;
    assert!(app.state.witness().is_none());
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    let reply = add(&app, body(0, &[], &signed(&app, size).await)).await;
    let problem = reply.problem(404, "not_found");
    let unknown = app
        .request(
            "POST",
            "/no-such-path",
            &[("content-type", "text/plain")],
            Vec::new(),
        )
        .await;
    assert_eq!(problem, unknown.problem(404, "not_found"));
    let document = app.get("/openapi.json").await.json();
    assert!(document["paths"].get("/add-checkpoint").is_none());
}

#[tokio::test]
async fn the_witness_keeps_its_own_body_limit() {
    // Proves the witness's body limit (128 KiB), not the API's (64 KiB), applies at /add-checkpoint: a body between the two reaches the witness (400, malformed), one above the witness's is 413 in the witness's own words, not a problem.
    assert_eq!(
        MAX_REQUEST_BODY_BYTES,
        128 * 1024,
        "the OpenAPI document and docs/api.md say 128 KiB"
    );
    let app = app_with_witness().await;
    let between = add(
        &app,
        vec![b'x'; corridor_api::limits::REQUEST_BODY_BYTES_MAX + 1],
    )
    .await;
    assert_witness_text(&between, 400, TEXT_CONTENT_TYPE);
    let over = add(&app, vec![b'x'; MAX_REQUEST_BODY_BYTES + 1]).await;
    assert_eq!(over.status, 413, "{}", over.text());
    assert_ne!(over.header("content-type"), "application/problem+json");
}

#[tokio::test]
async fn the_witness_is_rate_limited_as_every_public_route() {
    // Proves /add-checkpoint takes from the client's rate-limit bucket: once the burst is spent, it answers the 429 problem like every rate-limited route.
    let app = spawn_app_with(Setup {
        witness: true,
        rate_limit: corridor_api::limits::RateLimit {
            burst_requests: 1,
            refill_per_second: 0,
        },
        ..Setup::default()
    })
    .await;
    assert_eq!(add(&app, "malformed").await.status, 400);
    let limited = add(&app, "malformed").await;
    limited.problem(429, "rate_limited");
    assert!(!limited.header("retry-after").is_empty());
}

#[tokio::test]
async fn the_witness_monitoring_endpoint_is_served_beside_the_log() {
    // Proves GET /{origin_hash}/checkpoint (C2SP tlog-witness, "Monitor Retrieval Mechanism") is the witness's own answer through the server: 404 as the witness's text before it cosigned, then the cosigned checkpoint with the log's signature and the witness's cosignature, counted under its route.
    let app = app_with_witness().await;
    let path = format!("/{}/checkpoint", corridor_log::witness::origin_hash(ORIGIN));
    let before = app.get(&path).await;
    assert_witness_text(&before, 404, TEXT_CONTENT_TYPE);
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    let checkpoint = signed(&app, size).await;
    assert_eq!(add(&app, body(0, &[], &checkpoint)).await.status, 200);
    let served = app.get(&path).await;
    assert_witness_text(&served, 200, TEXT_CONTENT_TYPE);
    let text = served.text();
    assert!(text.starts_with(&checkpoint), "{text}");
    let cosignatures: Vec<NoteSignature> = text
        .strip_prefix(&checkpoint)
        .expect("the log's signed checkpoint first")
        .lines()
        .map(|line| NoteSignature::parse_line(line).expect("a cosignature line"))
        .collect();
    let witness = app.state.witness().expect("a witness").cosigner_verifier();
    verify_cosignature(&witness, &checkpoint, &cosignatures).expect("the cosignature verifies");
    let metrics = app.get("/metrics").await.text();
    assert!(
        metrics.contains(
            r#"corridor_http_requests_total{route="/{origin_hash}/checkpoint",method="GET",status="200"} 1"#
        ),
        "{metrics}"
    );
}
