//! Hostile input never panics: every parser and verifier returns an error instead, whatever
//! bytes, sizes or indices it is given.

use corridor_log::Hash;
use corridor_log::checkpoint::Checkpoint;
use corridor_log::note::{Ed25519Verifier, Note, NoteSignature};
use corridor_log::proof_text::{ConsistencyProofText, InclusionProofText};
use corridor_log::tiles::{
    TileReader, changed_tiles, decode_entry_bundle, parse_tile_path, tile_for_node, tile_width,
};
use corridor_log::tree::{
    HashReader, inclusion_proof_length, verify_consistency, verify_inclusion,
};
use corridor_log::witness::AddCheckpointRequest;
use proptest::prelude::*;

fn hashes(seeds: &[u8]) -> Vec<Hash> {
    seeds
        .iter()
        .map(|&seed| Hash::from_bytes([seed; 32]))
        .collect()
}

proptest! {
    // Parsers of untrusted text and bytes refuse garbage without panicking.
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), text in "\\PC{0,200}") {
        let _ = Note::parse(&bytes);
        let _ = Note::parse(text.as_bytes());
        let _ = Checkpoint::parse(&text);
        let _ = NoteSignature::parse_line(&text);
        let _ = Ed25519Verifier::parse(&text);
        let _ = parse_tile_path(&text);
        let _ = decode_entry_bundle(&bytes);
        let _ = InclusionProofText::parse(&text);
        let _ = ConsistencyProofText::parse(&text);
        let _ = AddCheckpointRequest::parse(&bytes);
        let _ = AddCheckpointRequest::parse(text.as_bytes());
    }

    // Structured garbage around the real grammar is refused without panicking too.
    #[test]
    fn near_misses_never_panic(
        size in any::<u64>(),
        lines in proptest::collection::vec("[a-zA-Z0-9+/=. \u{2014}-]{0,50}", 0..8),
    ) {
        let body = lines.join("\n");
        let _ = Checkpoint::parse(&format!("origin\n{size}\n{body}\n"));
        let _ = Note::parse(format!("origin\n{size}\n\n{body}\n").as_bytes());
        let _ = AddCheckpointRequest::parse(format!("old {size}\n{body}\n\n{body}\n").as_bytes());
        let _ = InclusionProofText::parse(&format!("c2sp.org/tlog-proof@v1\nindex {size}\n{body}\n"));
    }

    // Verification with arbitrary sizes, indices and proofs returns a verdict, never a panic.
    #[test]
    fn verifiers_never_panic(
        index in any::<u64>(),
        old_size in any::<u64>(),
        new_size in any::<u64>(),
        seeds in proptest::collection::vec(any::<u8>(), 0..70),
    ) {
        let proof = hashes(&seeds);
        let root = Hash::from_bytes([7; 32]);
        let _ = verify_inclusion(&root, index, new_size, &proof, &root);
        let _ = verify_consistency(old_size, new_size, &root, &root, &proof);
        let _ = inclusion_proof_length(index, new_size);
        // Proofs of the right length still run the whole algorithm.
        let right_length = &hashes(&vec![1; inclusion_proof_length(index, new_size)]);
        let _ = verify_inclusion(&root, index, new_size, right_length, &root);
    }

    // Tile arithmetic is total over every size, level and index.
    #[test]
    fn tile_arithmetic_never_panics(size in any::<u64>(), other in any::<u64>(), level in any::<u8>(), index in any::<u64>()) {
        let _ = tile_for_node(level, index);
        let _ = tile_width(size, level, index);
        let _ = changed_tiles(size.min(other), size.max(other)).take(5).count();
        let reader = TileReader::new(size);
        let _ = reader.node(level, index);
    }
}
