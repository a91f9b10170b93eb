//! Differential tests against ct-merkle, an independent RFC 6962 implementation: roots,
//! inclusion proofs and consistency proofs must be byte-for-byte identical, and each side must
//! accept the other's proofs.

use std::collections::BTreeSet;

use corridor_log::Hash;
use corridor_log::tree::{
    self, CompactTree, MemoryTree, consistency_proof, inclusion_proof, verify_consistency,
    verify_inclusion,
};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use proptest::prelude::*;
use sha2::Sha256;

use crate::{Sampler, entry};

type Theirs = MemoryBackedTree<Sha256, Vec<u8>>;

fn concat(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|hash| hash.to_bytes()).collect()
}

fn their_root(hash: &Hash, size: u64) -> RootHash<Sha256> {
    RootHash::new(hash.to_bytes().into(), size)
}

/// Checks, at the current size of both trees, the root and the proofs for the given leaf
/// indices and old sizes.
fn check(ours: &MemoryTree, theirs: &Theirs, indices: &[u64], old_sizes: &[u64]) {
    let size = ours.size();
    assert_eq!(theirs.len(), size);
    let root = tree::root(ours, size).unwrap();
    assert_eq!(root, ours.root(), "stored and incremental roots at {size}");
    assert_eq!(
        theirs.root().as_bytes().as_slice(),
        root.as_bytes(),
        "root at {size}"
    );

    for &index in indices {
        let proof = inclusion_proof(ours, index, size).unwrap();
        let their_proof = theirs.prove_inclusion(usize::try_from(index).unwrap());
        assert_eq!(
            their_proof.as_bytes(),
            concat(&proof),
            "inclusion of {index} in {size}"
        );
        let value = entry(index);
        let ours_in_theirs = InclusionProof::<Sha256>::from_bytes(concat(&proof));
        theirs
            .root()
            .verify_inclusion(&value, index, &ours_in_theirs)
            .unwrap();
        let leaf = corridor_log::hash::leaf_hash(&value);
        assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
    }

    for &old_size in old_sizes {
        let proof = consistency_proof(ours, old_size, size).unwrap();
        let old_root = tree::root(ours, old_size).unwrap();
        let additions = usize::try_from(size - old_size).unwrap();
        let their_proof = theirs.prove_consistency(additions);
        assert_eq!(
            their_proof.as_bytes(),
            concat(&proof),
            "consistency from {old_size} to {size}"
        );
        let ours_in_theirs = ConsistencyProof::<Sha256>::try_from_bytes(concat(&proof)).unwrap();
        theirs
            .root()
            .verify_consistency(&their_root(&old_root, old_size), &ours_in_theirs)
            .unwrap();
        assert_eq!(
            verify_consistency(old_size, size, &old_root, &root, &proof),
            Ok(())
        );
    }
}

// At 40 sizes up to 100,000 (the edges around powers of two and tile boundaries, plus seeded
// random ones), both implementations agree on roots and on sampled proofs.
#[test]
fn agrees_with_ct_merkle_up_to_100_000_leaves() {
    const MAX_SIZE: u64 = 100_000;
    const SAMPLED_SIZES: usize = 40;
    const PROOFS_PER_SIZE: usize = 4;
    let mut sampler = Sampler::new(6962);
    let mut sizes: BTreeSet<u64> = [
        1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 65_535, 65_536, 65_537, MAX_SIZE,
    ]
    .into();
    while sizes.len() < SAMPLED_SIZES {
        sizes.insert(sampler.below(1, MAX_SIZE + 1));
    }

    // Both trees are built once and grown through the sampled sizes in order.
    let mut ours = MemoryTree::with_capacity(usize::try_from(MAX_SIZE).unwrap());
    let mut theirs = Theirs::new();
    for size in sizes {
        while ours.size() < size {
            let value = entry(ours.size());
            ours.append_entry(&value).unwrap();
            theirs.push(value);
        }
        let mut indices: Vec<u64> = (0..PROOFS_PER_SIZE)
            .map(|_| sampler.below(0, size))
            .collect();
        indices.extend([0, size - 1]);
        let old_sizes: Vec<u64> = if size > 1 {
            let mut old = vec![1, size - 1];
            old.extend((0..PROOFS_PER_SIZE).map(|_| sampler.below(1, size)));
            old
        } else {
            Vec::new()
        };
        check(&ours, &theirs, &indices, &old_sizes);
    }
}

// A compact tree fed the same leaves reports the same root as ct-merkle after every append.
#[test]
fn compact_tree_root_after_every_append_agrees() {
    let mut compact = CompactTree::new();
    let mut theirs = Theirs::new();
    for index in 0..1_100u64 {
        compact.append_entry(&entry(index)).unwrap();
        theirs.push(entry(index));
        assert_eq!(
            theirs.root().as_bytes().as_slice(),
            compact.root().as_bytes(),
            "root after {} leaves",
            index + 1
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // For arbitrary small trees, every index and every old size agree with ct-merkle.
    #[test]
    fn arbitrary_small_trees_agree(size in 1u64..300, index_seed: u64, old_seed: u64) {
        let mut ours = MemoryTree::new();
        let mut theirs = Theirs::new();
        for index in 0..size {
            ours.append_entry(&entry(index)).unwrap();
            theirs.push(entry(index));
        }
        let index = index_seed % size;
        let old_sizes: Vec<u64> = if size > 1 { vec![1 + old_seed % (size - 1)] } else { Vec::new() };
        check(&ours, &theirs, &[index], &old_sizes);
    }
}
