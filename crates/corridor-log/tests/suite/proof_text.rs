//! Proof texts: the C2SP tlog-proof format for inclusion and corridor's consistency form.

use corridor_log::checkpoint::{Checkpoint, CheckpointError};
use corridor_log::hash::leaf_hash;
use corridor_log::note::VerifierSet;
use corridor_log::proof_text::{
    ConsistencyProofText, InclusionProofText, MAX_PROOF_HASHES, ProofTextError,
};
use corridor_log::tree::{self, MemoryTree, VerifyError, consistency_proof, inclusion_proof};

use crate::{entry, signer, tree_of};

const ORIGIN: &str = "corridor.example/log";

fn signed_checkpoint(tree: &MemoryTree, size: u64) -> (Checkpoint, String) {
    let checkpoint = Checkpoint::new(ORIGIN, size, tree::root(tree, size).unwrap()).unwrap();
    let text = checkpoint.sign(&signer(ORIGIN)).unwrap().to_text();
    (checkpoint, text)
}

fn log_keys() -> VerifierSet {
    VerifierSet::new().with(signer(ORIGIN).verifier()).unwrap()
}

// An inclusion proof text renders in the C2SP layout, parses back, and verifies offline.
#[test]
fn inclusion_proof_text_round_trips_and_verifies() {
    let tree = tree_of(1_000);
    let (_, checkpoint) = signed_checkpoint(&tree, 1_000);
    let proof = InclusionProofText {
        extra: Some(b"context".to_vec()),
        index: 737,
        proof: inclusion_proof(&tree, 737, 1_000).unwrap(),
        checkpoint: checkpoint.clone(),
    };
    let text = proof.to_text();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
    assert_eq!(lines.next(), Some("extra Y29udGV4dA=="));
    assert_eq!(lines.next(), Some("index 737"));
    assert!(text.ends_with(&format!("\n\n{checkpoint}")));
    assert_eq!(InclusionProofText::parse(&text), Ok(proof.clone()));

    let verified = proof
        .verify(&leaf_hash(&entry(737)), ORIGIN, &log_keys())
        .unwrap();
    assert_eq!(verified.checkpoint().size(), 1_000);
    assert_eq!(
        proof
            .verify(&leaf_hash(&entry(738)), ORIGIN, &log_keys())
            .map(|_| ()),
        Err(ProofTextError::Proof(VerifyError::RootMismatch {
            expected: tree::root(&tree, 1_000).unwrap(),
            computed: tree::root_from_inclusion_proof(
                &leaf_hash(&entry(738)),
                737,
                1_000,
                &proof.proof
            )
            .unwrap(),
        }))
    );
    assert!(matches!(
        proof.verify(&leaf_hash(&entry(737)), "another/log", &log_keys()),
        Err(ProofTextError::Checkpoint(
            CheckpointError::OriginMismatch { .. }
        ))
    ));
    let without_extra = InclusionProofText {
        extra: None,
        ..proof
    };
    assert_eq!(
        InclusionProofText::parse(&without_extra.to_text()),
        Ok(without_extra)
    );
}

// Malformed proof texts are refused with a reason.
#[test]
fn malformed_proof_texts_are_refused() {
    let hash = leaf_hash(b"x").to_base64();
    let too_many = format!("{hash}\n").repeat(MAX_PROOF_HASHES + 1);
    let cases: Vec<(String, ProofTextError)> = vec![
        (
            "c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n".to_owned(),
            ProofTextError::MissingHeader {
                expected: "c2sp.org/tlog-proof@v1",
            },
        ),
        (
            "c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n".to_owned(),
            ProofTextError::Malformed {
                reason: "expected `index <decimal>`",
            },
        ),
        (
            "c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\ncp\n".to_owned(),
            ProofTextError::Malformed {
                reason: "the extra data is not standard base64",
            },
        ),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 1\n{hash}\nAAAA\n\ncp\n"),
            ProofTextError::InvalidHash { position: 1 },
        ),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 1\n{hash}\n\n"),
            ProofTextError::Malformed {
                reason: "the signed checkpoint is missing",
            },
        ),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 1\n{hash}"),
            ProofTextError::Malformed {
                reason: "a line is missing or does not end in a newline",
            },
        ),
        (
            format!("c2sp.org/tlog-proof@v1\nindex 1\n{too_many}\ncp\n"),
            ProofTextError::TooManyHashes {
                max: MAX_PROOF_HASHES,
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(InclusionProofText::parse(&text), Err(expected), "{text:?}");
    }
    assert_eq!(
        ConsistencyProofText::parse("corridor/tlog-consistency@v1\nold x\n\ncp\n"),
        Err(ProofTextError::Malformed {
            reason: "expected `old <decimal>`"
        })
    );
}

// A consistency proof text round-trips and verifies from a trusted older checkpoint; it
// refuses another starting size and a proof that does not connect the two trees.
#[test]
fn consistency_proof_text_round_trips_and_verifies() {
    let tree = tree_of(1_000);
    let (old, _) = signed_checkpoint(&tree, 600);
    let (new, new_text) = signed_checkpoint(&tree, 1_000);
    let proof = ConsistencyProofText {
        old_size: 600,
        proof: consistency_proof(&tree, 600, 1_000).unwrap(),
        checkpoint: new_text,
    };
    let text = proof.to_text();
    assert!(text.starts_with("corridor/tlog-consistency@v1\nold 600\n"));
    assert_eq!(ConsistencyProofText::parse(&text), Ok(proof.clone()));
    assert_eq!(proof.verify(&old, &log_keys()).unwrap().checkpoint(), &new);

    let (other_old, _) = signed_checkpoint(&tree, 601);
    assert_eq!(
        proof.verify(&other_old, &log_keys()).map(|_| ()),
        Err(ProofTextError::OldSizeMismatch {
            proof_old_size: 600,
            trusted_size: 601
        })
    );
    let forked = Checkpoint::new(ORIGIN, 600, leaf_hash(b"fork")).unwrap();
    assert!(matches!(
        proof.verify(&forked, &log_keys()),
        Err(ProofTextError::Proof(VerifyError::OldRootMismatch { .. }))
    ));
}
