//! Tampering with a valid proof in any way is caught: every single-bit flip in every proof
//! hash, a wrong index or size, a truncated proof and an extended proof.

use corridor_log::Hash;
use corridor_log::hash::{empty_root, leaf_hash};
use corridor_log::tree::{
    self, MemoryTree, consistency_proof, inclusion_proof, verify_consistency, verify_inclusion,
};

use crate::{entry, tree_of};

const TREE_SIZE: u64 = 1_000;

/// Every proof with exactly one bit flipped.
fn bit_flips(proof: &[Hash]) -> impl Iterator<Item = (String, Vec<Hash>)> + '_ {
    (0..proof.len()).flat_map(move |position| {
        (0..256).map(move |bit| {
            let mut bytes = proof[position].to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let mut tampered = proof.to_vec();
            tampered[position] = Hash::from_bytes(bytes);
            (format!("bit {bit} of hash {position} flipped"), tampered)
        })
    })
}

/// The proof cut short or padded at either end.
fn reshaped(proof: &[Hash], extra: &[Hash]) -> Vec<(String, Vec<Hash>)> {
    let mut variants = Vec::new();
    if let Some((_, without_first)) = proof.split_first() {
        variants.push(("first hash removed".to_owned(), without_first.to_vec()));
    }
    if let Some((_, without_last)) = proof.split_last() {
        variants.push(("last hash removed".to_owned(), without_last.to_vec()));
        variants.push(("emptied".to_owned(), Vec::new()));
    }
    for (name, hash) in extra.iter().enumerate() {
        let mut appended = proof.to_vec();
        appended.push(*hash);
        variants.push((format!("extra hash {name} appended"), appended));
        let mut prepended = vec![*hash];
        prepended.extend_from_slice(proof);
        variants.push((format!("extra hash {name} prepended"), prepended));
    }
    if proof.len() > 1 {
        let mut inserted = proof.to_vec();
        inserted.insert(1, Hash::default());
        variants.push(("zero hash inserted".to_owned(), inserted));
    }
    variants
}

// For several leaves of a 1,000-leaf tree, every corruption of a valid inclusion proof fails.
#[test]
fn inclusion_proofs_reject_every_corruption() {
    let tree = tree_of(TREE_SIZE);
    let cases = [
        (0, TREE_SIZE),
        (511, TREE_SIZE),
        (999, TREE_SIZE),
        (500, 512),
        (6, 7),
        (123, 777),
    ];
    for (index, size) in cases {
        let root = tree::root(&tree, size).unwrap();
        let leaf = leaf_hash(&entry(index));
        let proof = inclusion_proof(&tree, index, size).unwrap();
        assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));

        let mut accepted = Vec::new();
        let mut attempt =
            |description: String, leaf: Hash, index: u64, size: u64, proof: &[Hash], root: Hash| {
                if verify_inclusion(&leaf, index, size, proof, &root).is_ok() {
                    accepted.push(description);
                }
            };
        for (description, tampered) in bit_flips(&proof) {
            attempt(description, leaf, index, size, &tampered, root);
        }
        for (description, tampered) in reshaped(&proof, &[root, leaf, Hash::default()]) {
            attempt(description, leaf, index, size, &tampered, root);
        }
        for wrong_index in [index.wrapping_sub(1), index + 1, index ^ 2, size, u64::MAX] {
            attempt(
                format!("index {wrong_index}"),
                leaf,
                wrong_index,
                size,
                &proof,
                root,
            );
        }
        // Only sizes that change the path's shape are wrong: RFC 9162 binds the size to the
        // root through the signed checkpoint, not through the proof, so a neighbouring size
        // with an identical path (say 999 for leaf 0 of 1,000) proves the same thing.
        for wrong_size in [size * 2, size / 2, index, u64::MAX] {
            attempt(
                format!("size {wrong_size}"),
                leaf,
                index,
                wrong_size,
                &proof,
                root,
            );
        }
        attempt(
            "another leaf".to_owned(),
            leaf_hash(b"forged"),
            index,
            size,
            &proof,
            root,
        );
        let older_root = tree::root(&tree, size - 1).unwrap();
        attempt(
            "an older root".to_owned(),
            leaf,
            index,
            size,
            &proof,
            older_root,
        );
        attempt(
            "the empty root".to_owned(),
            leaf,
            index,
            size,
            &proof,
            empty_root(),
        );
        assert!(
            accepted.is_empty(),
            "leaf {index} of {size} accepted: {accepted:?}"
        );
    }
}

// For several pairs of sizes, every corruption of a valid consistency proof fails.
#[test]
fn consistency_proofs_reject_every_corruption() {
    let tree = tree_of(TREE_SIZE);
    let cases = [
        (1, TREE_SIZE),
        (500, TREE_SIZE),
        (512, TREE_SIZE),
        (999, TREE_SIZE),
        (6, 7),
        (3, 4),
        (700, 777),
    ];
    for (old_size, new_size) in cases {
        let old_root = tree::root(&tree, old_size).unwrap();
        let new_root = tree::root(&tree, new_size).unwrap();
        let proof = consistency_proof(&tree, old_size, new_size).unwrap();
        assert_eq!(
            verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
            Ok(())
        );

        let mut accepted = Vec::new();
        let mut attempt = |description: String,
                           old_size: u64,
                           new_size: u64,
                           old_root: Hash,
                           new_root: Hash,
                           proof: &[Hash]| {
            if verify_consistency(old_size, new_size, &old_root, &new_root, proof).is_ok() {
                accepted.push(description);
            }
        };
        for (description, tampered) in bit_flips(&proof) {
            attempt(
                description,
                old_size,
                new_size,
                old_root,
                new_root,
                &tampered,
            );
        }
        for (description, tampered) in
            reshaped(&proof, &[old_root, new_root, proof[0], Hash::default()])
        {
            attempt(
                description,
                old_size,
                new_size,
                old_root,
                new_root,
                &tampered,
            );
        }
        for wrong_old in [old_size - 1, old_size + 1, old_size ^ 2, new_size + 1] {
            attempt(
                format!("old size {wrong_old}"),
                wrong_old,
                new_size,
                old_root,
                new_root,
                &proof,
            );
        }
        // As for inclusion, only new sizes that change the proof's shape are wrong: from size 1,
        // the proof to 999, 1,000 or 1,001 leaves has the same shape and the same meaning.
        for wrong_new in [new_size * 2, new_size / 2, u64::MAX] {
            attempt(
                format!("new size {wrong_new}"),
                old_size,
                wrong_new,
                old_root,
                new_root,
                &proof,
            );
        }
        attempt(
            "swapped roots".to_owned(),
            old_size,
            new_size,
            new_root,
            old_root,
            &proof,
        );
        attempt(
            "forged old root".to_owned(),
            old_size,
            new_size,
            leaf_hash(b"forged"),
            new_root,
            &proof,
        );
        attempt(
            "forged new root".to_owned(),
            old_size,
            new_size,
            old_root,
            leaf_hash(b"forged"),
            &proof,
        );
        assert!(
            accepted.is_empty(),
            "{old_size} -> {new_size} accepted: {accepted:?}"
        );
    }
}

// A tree built leaf by leaf in memory refuses to prove what it does not hold.
#[test]
fn memory_tree_never_proves_beyond_its_size() {
    let tree: MemoryTree = tree_of(10);
    assert!(inclusion_proof(&tree, 3, 11).is_err());
    assert!(consistency_proof(&tree, 3, 11).is_err());
    assert!(tree::root(&tree, 11).is_err());
}
