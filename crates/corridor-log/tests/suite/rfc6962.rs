//! The RFC 6962 known answers used by certificate-transparency-go, Trillian and
//! transparency-dev/merkle (`testonly/constants.go`, `testonly/reference_test.go`,
//! `proof/verify_test.go`): eight leaves, their roots, every perfect subtree hash, the compact
//! ranges, and the inclusion and consistency proof vectors.

use corridor_log::Hash;
use corridor_log::hash::{empty_root, leaf_hash};
use corridor_log::tree::{
    self, CompactTree, HashReader, MemoryTree, VerifyError, consistency_proof, inclusion_proof,
    verify_consistency, verify_inclusion,
};

use crate::h;

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots for sizes 0 to 8.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Every perfect subtree of the 8-leaf tree, by level then index.
const NODE_HASHES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// The compact range (frontier) of each size 0 to 8, as `(level, index)` of the node hashes.
const COMPACT_RANGES: [&[(u8, u64)]; 9] = [
    &[],
    &[(0, 0)],
    &[(1, 0)],
    &[(1, 0), (0, 2)],
    &[(2, 0)],
    &[(2, 0), (0, 4)],
    &[(2, 0), (1, 2)],
    &[(2, 0), (1, 2), (0, 6)],
    &[(3, 0)],
];

/// `(leaf index, tree size, proof)`.
const INCLUSION_PROOFS: [(u64, u64, &[&str]); 7] = [
    (0, 1, &[]),
    (
        0,
        2,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        1,
        2,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// `(old size, new size, proof)`.
const CONSISTENCY_PROOFS: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn reference_tree() -> MemoryTree {
    let mut tree = MemoryTree::new();
    for leaf in LEAVES {
        tree.append_entry(&hex::decode(leaf).unwrap()).unwrap();
    }
    tree
}

fn hashes(hex_hashes: &[&str]) -> Vec<Hash> {
    hex_hashes.iter().map(|text| h(text)).collect()
}

// The root of every prefix 0..=8, computed incrementally and from stored nodes, is RFC 6962's.
#[test]
fn roots_match_for_sizes_zero_to_eight() {
    assert_eq!(empty_root(), h(ROOTS[0]));
    let tree = reference_tree();
    let mut compact = CompactTree::new();
    assert_eq!(compact.root(), h(ROOTS[0]));
    for (size, leaf) in (1u64..).zip(LEAVES) {
        compact.append_entry(&hex::decode(leaf).unwrap()).unwrap();
        let expected = h(ROOTS[usize::try_from(size).unwrap()]);
        assert_eq!(compact.root(), expected, "incremental root at size {size}");
        assert_eq!(
            tree::root(&tree, size).unwrap(),
            expected,
            "stored root at size {size}"
        );
    }
}

// Every perfect subtree hash the memory tree stores is the reference one.
#[test]
fn stored_node_hashes_match() {
    let tree = reference_tree();
    for (level, expected) in (0u8..).zip(NODE_HASHES) {
        for (index, hash) in (0u64..).zip(expected.iter()) {
            assert_eq!(
                tree.node(level, index).unwrap(),
                h(hash),
                "node ({level}, {index})"
            );
        }
        let past_end = u64::try_from(expected.len()).unwrap();
        assert!(
            tree.node(level, past_end).is_err(),
            "no node ({level}, {past_end})"
        );
    }
    assert_eq!(leaf_hash(b""), h(NODE_HASHES[0][0]));
}

// The compact range after each append is exactly the reference list of right-edge subtrees.
#[test]
fn compact_ranges_match() {
    let mut compact = CompactTree::new();
    for (size, expected) in COMPACT_RANGES.iter().enumerate() {
        if size > 0 {
            compact
                .append_entry(&hex::decode(LEAVES[size - 1]).unwrap())
                .unwrap();
        }
        let got: Vec<(u8, u64, Hash)> = compact
            .frontier()
            .map(|(node, hash)| (node.level, node.index, hash))
            .collect();
        let want: Vec<(u8, u64, Hash)> = expected
            .iter()
            .map(|&(level, index)| {
                let level_hashes = NODE_HASHES[usize::from(level)];
                (
                    level,
                    index,
                    h(level_hashes[usize::try_from(index).unwrap()]),
                )
            })
            .collect();
        assert_eq!(got, want, "compact range at size {size}");
    }
}

// Inclusion proofs are generated exactly as the vectors say, and verify.
#[test]
fn inclusion_proof_vectors() {
    let tree = reference_tree();
    for (index, size, expected) in INCLUSION_PROOFS {
        let expected = hashes(expected);
        assert_eq!(
            inclusion_proof(&tree, index, size).unwrap(),
            expected,
            "proof of {index} in {size}"
        );
        let leaf = leaf_hash(&hex::decode(LEAVES[usize::try_from(index).unwrap()]).unwrap());
        let root = h(ROOTS[usize::try_from(size).unwrap()]);
        assert_eq!(
            verify_inclusion(&leaf, index, size, &expected, &root),
            Ok(())
        );
    }
}

// Consistency proofs are generated exactly as the vectors say, and verify.
#[test]
fn consistency_proof_vectors() {
    let tree = reference_tree();
    for (old_size, new_size, expected) in CONSISTENCY_PROOFS {
        let expected = hashes(expected);
        assert_eq!(
            consistency_proof(&tree, old_size, new_size).unwrap(),
            expected,
            "proof from {old_size} to {new_size}"
        );
        let old_root = h(ROOTS[usize::try_from(old_size).unwrap()]);
        let new_root = h(ROOTS[usize::try_from(new_size).unwrap()]);
        assert_eq!(
            verify_consistency(old_size, new_size, &old_root, &new_root, &expected),
            Ok(())
        );
    }
}

// Every proof between every pair of sizes of the reference tree verifies.
#[test]
fn all_small_proofs_verify() {
    let tree = reference_tree();
    for new_size in 0..=8u64 {
        let new_root = h(ROOTS[usize::try_from(new_size).unwrap()]);
        for index in 0..new_size {
            let proof = inclusion_proof(&tree, index, new_size).unwrap();
            let leaf = tree.node(0, index).unwrap();
            assert_eq!(
                verify_inclusion(&leaf, index, new_size, &proof, &new_root),
                Ok(())
            );
        }
        for old_size in 0..=new_size {
            let old_root = h(ROOTS[usize::try_from(old_size).unwrap()]);
            let proof = consistency_proof(&tree, old_size, new_size).unwrap();
            assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                Ok(()),
                "{old_size} -> {new_size}"
            );
        }
    }
}

// The trivial consistency cases of transparency-dev/merkle's TestVerifyConsistency decide as
// RFC 9162 implies, with one deliberate difference: a size-0 tree must have the empty root.
#[test]
fn trivial_consistency_cases() {
    let root1 = h(&"11".repeat(32));
    let root2 = h(&"22".repeat(32));
    let empty = empty_root();
    let some_proof = [empty];
    type Case<'a> = (u64, u64, Hash, Hash, &'a [Hash], Result<(), VerifyError>);
    let cases: [Case; 12] = [
        (
            0,
            0,
            root1,
            root2,
            &[],
            Err(VerifyError::EqualSizesDifferentRoots { size: 0 }),
        ),
        (
            1,
            1,
            root1,
            root2,
            &[],
            Err(VerifyError::EqualSizesDifferentRoots { size: 1 }),
        ),
        (0, 0, root1, root1, &[], Ok(())),
        (1, 1, root2, root2, &[], Ok(())),
        (0, 1, empty, root2, &[], Ok(())),
        // transparency-dev/merkle accepts any old root at size 0; a size-0 tree with another
        // root than SHA-256("") is bogus, so corridor refuses it.
        (
            0,
            1,
            root1,
            root2,
            &[],
            Err(VerifyError::OldRootMismatch {
                expected: empty,
                computed: root1,
            }),
        ),
        (
            1,
            0,
            root1,
            root2,
            &[],
            Err(VerifyError::OldSizeLarger {
                old_size: 1,
                new_size: 0,
            }),
        ),
        (
            2,
            1,
            root1,
            root2,
            &[],
            Err(VerifyError::OldSizeLarger {
                old_size: 2,
                new_size: 1,
            }),
        ),
        (
            1,
            2,
            root1,
            root2,
            &[],
            Err(VerifyError::WrongProofLength {
                expected: 1,
                actual: 0,
            }),
        ),
        (
            0,
            0,
            empty,
            empty,
            &some_proof,
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1,
            }),
        ),
        (
            0,
            1,
            empty,
            empty,
            &some_proof,
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1,
            }),
        ),
        (
            1,
            1,
            empty,
            empty,
            &some_proof,
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1,
            }),
        ),
    ];
    for (old_size, new_size, old_root, new_root, proof, expected) in cases {
        assert_eq!(
            verify_consistency(old_size, new_size, &old_root, &new_root, proof),
            expected,
            "{old_size} -> {new_size}"
        );
    }
}

// An inclusion claim outside the tree, or against a bogus root, is refused with a reason.
#[test]
fn trivial_inclusion_cases() {
    let some_hash = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size) in [(0, 0), (1, 0), (2, 1), (1, 1)] {
        assert_eq!(
            verify_inclusion(&some_hash, index, size, &[], &empty_root()),
            Err(VerifyError::IndexOutOfRange { index, size })
        );
    }
    // For a one-leaf tree the root is the leaf hash and the proof is empty.
    let leaf = leaf_hash(b"data");
    assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
    assert_eq!(
        verify_inclusion(&leaf, 0, 1, &[], &some_hash),
        Err(VerifyError::RootMismatch {
            expected: some_hash,
            computed: leaf
        })
    );
}
