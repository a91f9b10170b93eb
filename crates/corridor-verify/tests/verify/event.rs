//! One event's inclusion, for its holder: the event's bytes and salt open the leaf the proof
//! carries, and the leaf is in a signed, cosigned checkpoint.

use corridor_log::proof_text::InclusionProofText;
use corridor_log::tree::inclusion_proof;
use corridor_verify::check::{Refusal, verify_event};

use crate::{entries, event_bytes, salt, signed_checkpoint, tree, trust, witness};

/// The proof `corridor log prove --event SEQ` prints for event `seq` in a log of 300.
fn proof_of(seq: u64) -> InclusionProofText {
    let entries = entries(300, 300);
    let index = seq - 1;
    InclusionProofText {
        extra: Some(entries[index as usize].clone()),
        index,
        proof: inclusion_proof(&tree(&entries), index, 300).unwrap(),
        checkpoint: signed_checkpoint(&entries, &[&witness(1)]),
    }
}

#[test]
fn the_event_with_its_salt_is_in_the_log() {
    // Proves the holder of event 280 and its salt can check it is leaf 279 of the signed log.
    let report = verify_event(
        &proof_of(280).to_text(),
        &event_bytes(280),
        &salt(280),
        &trust(&[&witness(1)], 1),
    )
    .unwrap();
    assert_eq!(report.index, 279);
    assert_eq!(report.leaf.kind(), "case_proposed");
    assert_eq!(report.opened.checkpoint.size(), 300);
}

#[test]
fn another_event_or_salt_is_refused() {
    // Proves an edited event, another event's bytes and a wrong salt do not open the leaf.
    let proof = proof_of(280).to_text();
    let trust = trust(&[], 0);
    let mut edited = event_bytes(280);
    edited[3] ^= 1;
    for (event, salt) in [
        (edited, salt(280)),
        (event_bytes(281), salt(280)),
        (event_bytes(280), salt(281)),
    ] {
        let refusal = verify_event(&proof, &event, &salt, &trust).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "the event and salt do not open the leaf's commitment: this is not the event the log holds at index 279"
        );
    }
}

#[test]
fn a_proof_of_another_index_or_without_its_leaf_is_refused() {
    // Proves the leaf must be included where the proof says, and must be carried at all.
    let trust = trust(&[], 0);
    let mut moved = proof_of(280);
    moved.index = 278;
    let refusal = verify_event(&moved.to_text(), &event_bytes(280), &salt(280), &trust);
    assert!(matches!(refusal, Err(Refusal::Proof(_))), "{refusal:?}");
    let mut bare = proof_of(280);
    bare.extra = None;
    let refusal = verify_event(&bare.to_text(), &event_bytes(280), &salt(280), &trust);
    assert!(matches!(refusal, Err(Refusal::NoLeaf)), "{refusal:?}");
}

#[test]
fn an_uncosigned_proof_is_refused_when_witnesses_are_required() {
    // Proves the proof's checkpoint must meet the witness threshold like a published one.
    let refusal = verify_event(
        &proof_of(280).to_text(),
        &event_bytes(280),
        &salt(280),
        &trust(&[&witness(1), &witness(2)], 2),
    )
    .unwrap_err();
    assert!(
        matches!(refusal, Refusal::TooFewCosignatures { .. }),
        "{refusal:?}"
    );
}
