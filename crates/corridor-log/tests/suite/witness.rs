//! The tlog-witness `add-checkpoint` decision: one case per answer the spec prescribes.

use corridor_log::Hash;
use corridor_log::checkpoint::Checkpoint;
use corridor_log::cosignature::CosignatureSigner;
use corridor_log::note::{KeyName, Note, NoteError, VerifierSet};
use corridor_log::proof_text::ProofTextError;
use corridor_log::tree::{self, MemoryTree, VerifyError, consistency_proof};
use corridor_log::witness::{
    AddCheckpointRequest, MAX_PROOF_LINES, TREE_SIZE_CONTENT_TYPE, Witness, WitnessRefusal,
};

use crate::{seed, signer, tree_of};

const ORIGIN: &str = "corridor.example/log";
const NOW_SECONDS: u64 = 1_750_000_000;

fn witness() -> Witness {
    let cosigner =
        CosignatureSigner::from_seed(KeyName::new("witness.example/w1").unwrap(), &seed("w1"));
    let mut witness = Witness::new(cosigner);
    witness
        .add_log(
            ORIGIN,
            VerifierSet::new().with(signer(ORIGIN).verifier()).unwrap(),
        )
        .unwrap();
    witness
}

fn checkpoint(tree: &MemoryTree, size: u64) -> Checkpoint {
    Checkpoint::new(ORIGIN, size, tree::root(tree, size).unwrap()).unwrap()
}

fn body(old_size: u64, proof: &[Hash], note: &Note) -> Vec<u8> {
    AddCheckpointRequest::encode(old_size, proof, &note.to_text()).into_bytes()
}

/// A request from the log for `old_size -> new_size` with the honest proof.
fn request(tree: &MemoryTree, old_size: u64, new_size: u64) -> AddCheckpointRequest {
    let note = checkpoint(tree, new_size).sign(&signer(ORIGIN)).unwrap();
    let proof = consistency_proof(tree, old_size, new_size).unwrap();
    AddCheckpointRequest::parse(&body(old_size, &proof, &note)).unwrap()
}

/// The status and body the decision maps to.
fn answer(result: &Result<corridor_log::witness::Cosign, WitnessRefusal>) -> (u16, Option<String>) {
    match result {
        Ok(cosign) => (200, Some(cosign.response_body())),
        Err(refusal) => (
            refusal.status(),
            refusal.response_body().map(|(_, body)| body),
        ),
    }
}

// 200: a first checkpoint (old size 0) and then its successor are cosigned; the cosignature
// verifies and the decision carries what to persist.
#[test]
fn consistent_checkpoints_are_cosigned() {
    let witness = witness();
    let tree = tree_of(500);
    let first = witness
        .decide(&request(&tree, 0, 300), None, NOW_SECONDS)
        .unwrap();
    assert_eq!(first.checkpoint().size(), 300);
    assert_eq!(first.timestamp_seconds(), NOW_SECONDS);
    let line = first.response_body();
    assert!(line.starts_with("\u{2014} witness.example/w1 ") && line.ends_with('\n'));
    let cosigner = witness.cosigner().verifier();
    let checkpoint_text = first.checkpoint().to_text();
    assert_eq!(
        cosigner.verify_cosignature(&checkpoint_text, first.cosignature()),
        Ok(NOW_SECONDS)
    );
    assert!(first.signed_checkpoint().starts_with(&checkpoint_text));

    let second = witness
        .decide(
            &request(&tree, 300, 500),
            Some(first.checkpoint()),
            NOW_SECONDS + 1,
        )
        .unwrap();
    assert_eq!(second.checkpoint().size(), 500);
    // Re-submitting the stored checkpoint is cosigned again.
    let again = witness.decide(
        &request(&tree, 500, 500),
        Some(second.checkpoint()),
        NOW_SECONDS + 2,
    );
    assert_eq!(answer(&again).0, 200);
}

// 404: a checkpoint from a log the witness does not follow.
#[test]
fn unknown_origin_is_404() {
    let tree = tree_of(10);
    let stranger = Checkpoint::new("elsewhere.example/log", 10, tree.root()).unwrap();
    let note = stranger.sign(&signer("elsewhere.example/log")).unwrap();
    let request = AddCheckpointRequest::parse(&body(0, &[], &note)).unwrap();
    let result = witness().decide(&request, None, NOW_SECONDS);
    assert_eq!(answer(&result), (404, None));
    assert_eq!(
        result,
        Err(WitnessRefusal::UnknownOrigin {
            origin: "elsewhere.example/log".to_owned()
        })
    );
}

// 403: no trusted key signed the checkpoint, or a trusted key's signature is bad.
#[test]
fn unauthenticated_checkpoints_are_403() {
    let tree = tree_of(10);
    let witness = witness();
    let impostor_note = checkpoint(&tree, 10).sign(&signer("impostor")).unwrap();
    let request = AddCheckpointRequest::parse(&body(0, &[], &impostor_note)).unwrap();
    let result = witness.decide(&request, None, NOW_SECONDS);
    assert_eq!(answer(&result), (403, None));
    assert_eq!(
        result,
        Err(WitnessRefusal::Unauthenticated(
            NoteError::NoVerifiedSignature
        ))
    );

    // The log's signature over another root, pasted onto this checkpoint.
    let honest = checkpoint(&tree, 10)
        .sign(&signer(ORIGIN))
        .unwrap()
        .to_text();
    let other = checkpoint(&tree, 9)
        .sign(&signer(ORIGIN))
        .unwrap()
        .to_text();
    let (other_body, _) = other.split_once("\n\n").unwrap();
    let (_, honest_signature) = honest.split_once("\n\n").unwrap();
    let spliced = format!("old 0\n\n{other_body}\n\n{honest_signature}");
    let request = AddCheckpointRequest::parse(spliced.as_bytes()).unwrap();
    let result = witness.decide(&request, None, NOW_SECONDS);
    assert_eq!(answer(&result).0, 403);
    assert!(matches!(
        result,
        Err(WitnessRefusal::Unauthenticated(
            NoteError::InvalidSignature { .. }
        ))
    ));
}

// 400: an old size above the checkpoint size, and bodies that do not parse.
#[test]
fn bad_requests_are_400() {
    let tree = tree_of(10);
    let note = checkpoint(&tree, 5).sign(&signer(ORIGIN)).unwrap();
    let request = AddCheckpointRequest::parse(&body(7, &[], &note)).unwrap();
    let result = witness().decide(&request, None, NOW_SECONDS);
    assert_eq!(
        result,
        Err(WitnessRefusal::OldSizeLarger {
            old_size: 7,
            new_size: 5
        })
    );
    assert_eq!(answer(&result), (400, None));

    let signed = note.to_text();
    let hash = Hash::default().to_base64();
    let malformed: Vec<Vec<u8>> = vec![
        format!("old 01\n\n{signed}").into_bytes(),
        format!("old -1\n\n{signed}").into_bytes(),
        format!("new 1\n\n{signed}").into_bytes(),
        format!("old 1\n{hash}\n").into_bytes(),
        format!("old 1\nnot base64\n\n{signed}").into_bytes(),
        format!("old 1\n\n{}", signed.replace('\u{2014}', "-")).into_bytes(),
        format!("old 1\n\n{}", signed.replace(ORIGIN, "")).into_bytes(),
        format!(
            "old 1\n{}\n{signed}",
            format!("{hash}\n").repeat(MAX_PROOF_LINES + 1)
        )
        .into_bytes(),
        vec![0xff, b'\n'],
        vec![b'a'; corridor_log::witness::MAX_REQUEST_BODY_BYTES + 1],
    ];
    for bytes in malformed {
        let refusal = AddCheckpointRequest::parse(&bytes).unwrap_err();
        assert_eq!(
            refusal.status(),
            400,
            "{:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        );
        assert!(matches!(refusal, WitnessRefusal::Malformed(_)));
    }
    assert_eq!(
        AddCheckpointRequest::parse(
            format!("old 1\n{}\n{signed}", format!("{hash}\n").repeat(64)).as_bytes()
        ),
        Err(WitnessRefusal::Malformed(ProofTextError::TooManyHashes {
            max: MAX_PROOF_LINES
        }))
    );
    // 63 proof lines is the limit, not a malformation.
    assert!(
        AddCheckpointRequest::parse(
            format!("old 1\n{}\n{signed}", format!("{hash}\n").repeat(63)).as_bytes()
        )
        .is_ok()
    );
}

// 409 (C2SP tlog-witness, "add-checkpoint": "If it doesn't match, the witness MUST respond with
// a 409 Conflict"): the old size is not the one the witness holds, and the body says which it
// holds.
#[test]
fn a_stale_old_size_is_409_with_the_stored_size() {
    let tree = tree_of(500);
    let witness = witness();
    let stored = checkpoint(&tree, 300);
    let result = witness.decide(&request(&tree, 200, 500), Some(&stored), NOW_SECONDS);
    assert_eq!(
        result,
        Err(WitnessRefusal::OldSizeConflict { stored_size: 300 })
    );
    assert_eq!(answer(&result), (409, Some("300\n".to_owned())));
    assert_eq!(
        result.unwrap_err().response_body().unwrap().0,
        TREE_SIZE_CONTENT_TYPE
    );

    let never_cosigned = witness.decide(&request(&tree, 300, 500), None, NOW_SECONDS);
    assert_eq!(answer(&never_cosigned), (409, Some("0\n".to_owned())));
}

// 422 (C2SP tlog-witness, "add-checkpoint": "If the old size matches the checkpoint size, the
// witness MUST check that the root hashes are also identical. If they don't match, the witness
// MUST respond with a 422 Unprocessable Entity"): the same size with another root is a fork,
// whatever proof comes with it, and has no size body.
#[test]
fn the_stored_size_with_another_root_is_422() {
    let tree = tree_of(500);
    let witness = witness();
    let stored = checkpoint(&tree, 300);
    let mut forked_tree = tree_of(299);
    forked_tree.append_entry(b"a different leaf 299").unwrap();
    let forked = witness.decide(&request(&forked_tree, 300, 300), Some(&stored), NOW_SECONDS);
    assert_eq!(
        forked,
        Err(WitnessRefusal::RootConflict { stored_size: 300 })
    );
    assert_eq!(answer(&forked), (422, None));
}

// 422 (C2SP tlog-witness, "add-checkpoint": "A checkpoint of size zero MUST have the root hash of
// the empty tree [...] Otherwise, the witness MUST respond with a 422 Unprocessable Entity"),
// for a witness that never cosigned the log, and the empty tree's own root is cosigned.
#[test]
fn a_size_0_checkpoint_with_a_non_empty_root_is_422() {
    let witness = witness();
    let note = Checkpoint::new(ORIGIN, 0, Hash::from_bytes([5; 32]))
        .unwrap()
        .sign(&signer(ORIGIN))
        .unwrap();
    let request = AddCheckpointRequest::parse(&body(0, &[], &note)).unwrap();
    let result = witness.decide(&request, None, NOW_SECONDS);
    assert_eq!(result, Err(WitnessRefusal::EmptyTreeRoot));
    assert_eq!(answer(&result), (422, None));
    let empty = witness.decide(&self::request(&tree_of(0), 0, 0), None, NOW_SECONDS);
    assert_eq!(answer(&empty).0, 200);
}

// 422: a consistency proof that does not verify, including a non-empty proof from size 0 and
// a proof from a forked history.
#[test]
fn bad_proofs_are_422() {
    let tree = tree_of(500);
    let witness = witness();
    let stored = checkpoint(&tree, 300);
    let note = checkpoint(&tree, 500).sign(&signer(ORIGIN)).unwrap();
    let mut proof = consistency_proof(&tree, 300, 500).unwrap();
    proof[1] = Hash::from_bytes([9; 32]);
    let tampered = AddCheckpointRequest::parse(&body(300, &proof, &note)).unwrap();
    let result = witness.decide(&tampered, Some(&stored), NOW_SECONDS);
    assert_eq!(answer(&result), (422, None));
    assert!(matches!(result, Err(WitnessRefusal::BadProof(_))));

    let nonempty_from_zero =
        AddCheckpointRequest::parse(&body(0, &[Hash::default()], &note)).unwrap();
    let result = witness.decide(&nonempty_from_zero, None, NOW_SECONDS);
    assert_eq!(
        result,
        Err(WitnessRefusal::BadProof(VerifyError::WrongProofLength {
            expected: 0,
            actual: 1
        }))
    );

    let mut forked_tree = tree_of(299);
    forked_tree.append_entry(b"a different leaf 299").unwrap();
    let forked_stored = checkpoint(&forked_tree, 300);
    let result = witness.decide(&request(&tree, 300, 500), Some(&forked_stored), NOW_SECONDS);
    assert!(matches!(
        result,
        Err(WitnessRefusal::BadProof(
            VerifyError::OldRootMismatch { .. }
        ))
    ));
}

// 500: a stored checkpoint of another origin, or a clock beyond 2^63 - 1, are caller bugs.
#[test]
fn caller_bugs_are_500() {
    let tree = tree_of(10);
    let witness = witness();
    let other =
        Checkpoint::new("elsewhere.example/log", 0, corridor_log::hash::empty_root()).unwrap();
    let result = witness.decide(&request(&tree, 0, 10), Some(&other), NOW_SECONDS);
    assert_eq!(answer(&result).0, 500);
    let result = witness.decide(&request(&tree, 0, 10), None, u64::MAX);
    assert_eq!(answer(&result).0, 500);
}

// The tlog-witness spec's example request body parses (its signatures are by keys we do not
// hold, so it is a parsing vector only).
#[test]
fn spec_example_body_parses() {
    let body = "old 20852014\n\
        PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
        jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
        5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
        /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
        \n\
        example.com/behind-the-sofa\n\
        20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
        \u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
    let request = AddCheckpointRequest::parse(body.as_bytes()).unwrap();
    assert_eq!(request.old_size(), 20_852_014);
    assert_eq!(request.proof().len(), 4);
    assert_eq!(request.origin(), "example.com/behind-the-sofa");
    assert_eq!(request.checkpoint().size(), 20_852_163);
    assert_eq!(
        AddCheckpointRequest::encode(
            request.old_size(),
            request.proof(),
            body.split_once("\n\n").unwrap().1
        ),
        body
    );
    // Not followed by this witness: 404 before any signature check.
    assert_eq!(
        answer(&witness().decide(&request, None, NOW_SECONDS)).0,
        404
    );
}

// The monitoring endpoint (C2SP tlog-witness, "Monitor Retrieval Mechanism"): a log is named by
// the lowercase hex SHA-256 of its origin, and the latest cosigned checkpoint is served with the
// log's verified signature and the witness's cosignature, nothing it did not check.
#[test]
fn the_monitoring_checkpoint_carries_the_verified_signatures() {
    use corridor_log::witness::{MonitoringError, origin_hash};
    let witness = witness();
    let hash = origin_hash(ORIGIN);
    assert_eq!(hash, corridor_log::hash::sha256(ORIGIN.as_bytes()).to_hex());
    assert_eq!(hash.len(), 64);
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    );
    assert_eq!(witness.origin_of_hash(&hash), Some(ORIGIN));
    assert_eq!(witness.origin_of_hash(&hash.to_uppercase()), None);
    assert_eq!(witness.origin_of_hash(&origin_hash("elsewhere")), None);

    let tree = tree_of(20);
    let mut note = checkpoint(&tree, 20).sign(&signer(ORIGIN)).unwrap();
    // A signature by a key the witness does not know is not passed on.
    note.sign(&signer("stranger.example/key")).unwrap();
    let request = AddCheckpointRequest::parse(&body(0, &[], &note)).unwrap();
    let cosign = witness.decide(&request, None, NOW_SECONDS).unwrap();
    let served = witness
        .monitoring_checkpoint(cosign.signed_checkpoint(), cosign.cosignature())
        .unwrap();
    let served = Note::parse(served.as_bytes()).unwrap();
    assert_eq!(served.text(), note.text());
    let names: Vec<&str> = served
        .signatures()
        .iter()
        .map(|signature| signature.name().as_str())
        .collect();
    assert_eq!(names, [ORIGIN, "witness.example/w1"]);
    served
        .verify(&VerifierSet::new().with(signer(ORIGIN).verifier()).unwrap())
        .unwrap();
    let cosigner = witness.cosigner().verifier();
    cosigner
        .verify_cosignature(served.text(), &served.signatures()[1])
        .unwrap();

    let forged = checkpoint(&tree, 20)
        .sign(&signer("corridor.example/log"))
        .unwrap()
        .to_text()
        .replace("\n20\n", "\n21\n");
    assert!(matches!(
        witness.monitoring_checkpoint(&forged, cosign.cosignature()),
        Err(MonitoringError::Stored(_))
    ));
}
