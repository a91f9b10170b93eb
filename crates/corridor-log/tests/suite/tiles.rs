//! C2SP tlog-tiles: tile arithmetic, paths, entry bundles, proofs from tiles, and whole-log
//! verification that catches any tampered tile.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use corridor_log::Hash;
use corridor_log::tiles::{
    BundleError, EntryBundles, NodeTile, TileError, TileId, TilePath, TilePathError, TileReader,
    TileSource, TileVerification, TileVerifyError, changed_tiles, decode_entry_bundle,
    encode_entry_bundle, index_path, parse_tile_path, tile_bytes, tile_for_node, tile_width,
    tiles_for_consistency_proof, tiles_for_inclusion_proof, tiles_for_root, tiles_for_size,
    verify_tiles,
};
use corridor_log::tree::{self, MemoryTree, consistency_proof, inclusion_proof};
use proptest::prelude::*;

use crate::{Sampler, entry, tree_70_000, tree_of};

fn tile(level: u8, index: u64, width: u16) -> TileId {
    TileId::new(level, index, width).unwrap()
}

/// Summarises a tile list as `(level, full tiles, partial width)` per level.
fn summary(tiles: impl Iterator<Item = TileId>) -> Vec<(u8, u64, u16)> {
    let mut levels: Vec<(u8, u64, u16)> = Vec::new();
    for tile in tiles {
        if levels.last().map(|l| l.0) != Some(tile.level()) {
            levels.push((tile.level(), 0, 0));
        }
        let level = levels.last_mut().unwrap();
        if tile.is_full() {
            level.1 += 1;
        } else {
            level.2 = tile.width();
        }
    }
    levels
}

// The spec's worked examples: 70,000 leaves make 273 full level-0 tiles and a partial of 112,
// one full level-1 tile and a partial of 17, and a level-2 partial of 1; 256 leaves make a
// full level-0 tile and a level-1 partial of 1.
#[test]
fn tiles_for_the_spec_examples() {
    type Levels = &'static [(u8, u64, u16)];
    let cases: [(u64, Levels); 5] = [
        (70_000, &[(0, 273, 112), (1, 1, 17), (2, 0, 1)]),
        (256, &[(0, 1, 0), (1, 0, 1)]),
        (0, &[]),
        (1, &[(0, 0, 1)]),
        (65_536, &[(0, 256, 0), (1, 1, 0), (2, 0, 1)]),
    ];
    for (size, expected) in cases {
        assert_eq!(summary(tiles_for_size(size)), expected, "size {size}");
    }
    let all: Vec<TileId> = tiles_for_size(70_000).collect();
    assert_eq!(all.len(), 273 + 1 + 1 + 1 + 1);
    assert_eq!(all[272], tile(0, 272, 256));
    assert_eq!(all[273], tile(0, 273, 112));
    assert_eq!(all[274..], [tile(1, 0, 256), tile(1, 1, 17), tile(2, 0, 1)]);
    assert_eq!(tile_width(70_000, 0, 273), Some(112));
    assert_eq!(tile_width(70_000, 0, 274), None);
    assert_eq!(tile_width(70_000, 3, 0), None);
    // The largest tree has 8 levels of tiles.
    assert_eq!(tile_width(u64::MAX, 7, 0), Some(255));
    assert_eq!(tile_width(u64::MAX, 8, 0), None);
}

// Tile indices are written in 3-digit groups with `x` prefixes, and paths round-trip.
#[test]
fn tile_paths() {
    let index_cases = [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1_000, "x001/000"),
        (1_234_067, "x001/x234/067"),
        (u64::MAX, "x018/x446/x744/x073/x709/x551/615"),
    ];
    for (index, path) in index_cases {
        assert_eq!(index_path(index), path);
    }
    let path_cases = [
        (
            tile(0, 1_234_067, 256),
            "tile/0/x001/x234/067",
            Some("tile/entries/x001/x234/067"),
        ),
        (
            tile(0, 1_234_067, 112),
            "tile/0/x001/x234/067.p/112",
            Some("tile/entries/x001/x234/067.p/112"),
        ),
        (tile(0, 0, 256), "tile/0/000", Some("tile/entries/000")),
        (tile(2, 0, 1), "tile/2/000.p/1", None),
        (tile(63, 5, 256), "tile/63/005", None),
    ];
    for (id, path, entries) in path_cases {
        assert_eq!(id.path(), path);
        assert_eq!(id.entries_path().as_deref(), entries);
        assert_eq!(parse_tile_path(path), Ok(TilePath::Hashes(id)));
        if let Some(entries) = entries {
            assert_eq!(parse_tile_path(entries), Ok(TilePath::Entries(id)));
        }
    }
}

// Only canonical tile paths parse.
#[test]
fn malformed_tile_paths_are_refused() {
    let bad = [
        "",
        "tile/0",
        "tiles/0/000",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/0",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/001",
        "tile/0/x001",
        "tile/0/x1/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/012",
        "tile/0/000.p/",
        "tile/0/000.p/1/",
        "tile/0/000/",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/x001/x001/x001/x001/x001/x001/x001/000",
        "tile/entries/000.p/x",
        "tile/a/000",
    ];
    for path in bad {
        assert!(
            matches!(
                parse_tile_path(path),
                Err(TilePathError::Malformed { .. } | TilePathError::LevelOutOfRange { .. })
            ),
            "`{path}` parsed"
        );
    }
    assert_eq!(
        TileId::new(64, 0, 1),
        Err(TilePathError::LevelOutOfRange { level: 64 })
    );
    assert_eq!(
        TileId::new(0, 0, 0),
        Err(TilePathError::WidthOutOfRange { width: 0 })
    );
    assert_eq!(
        TileId::new(0, 0, 257),
        Err(TilePathError::WidthOutOfRange { width: 257 })
    );
}

// Incremental export lists exactly the tiles that are new or grew.
#[test]
fn changed_tiles_examples() {
    let cases: [(u64, u64, &[TileId]); 6] = [
        (0, 1, &[tile(0, 0, 1)]),
        (1, 2, &[tile(0, 0, 2)]),
        (255, 256, &[tile(0, 0, 256), tile(1, 0, 1)]),
        (256, 257, &[tile(0, 1, 1)]),
        (70_000, 70_100, &[tile(0, 273, 212)]),
        (5, 5, &[]),
    ];
    for (old_size, new_size, expected) in cases {
        assert_eq!(
            changed_tiles(old_size, new_size).collect::<Vec<_>>(),
            expected,
            "{old_size} -> {new_size}"
        );
    }
    assert_eq!(changed_tiles(9, 3).count(), 0);
    assert_eq!(
        changed_tiles(65_535, 65_536).collect::<Vec<_>>(),
        [tile(0, 255, 256), tile(1, 0, 256), tile(2, 0, 1)]
    );
}

proptest! {
    // The changed tiles are exactly the tiles of the new tree missing from the old one.
    #[test]
    fn changed_tiles_is_a_set_difference(old_size in 0u64..200_000, growth in 0u64..200_000) {
        let new_size = old_size + growth;
        let old: BTreeSet<TileId> = tiles_for_size(old_size).collect();
        let expected: Vec<TileId> = tiles_for_size(new_size).filter(|t| !old.contains(t)).collect();
        prop_assert_eq!(changed_tiles(old_size, new_size).collect::<Vec<_>>(), expected);
    }
}

// Nodes map to the tile holding them or the hashes under them.
#[test]
fn nodes_map_to_tiles() {
    let cases = [
        (
            (0, 300),
            NodeTile {
                tile_level: 0,
                tile_index: 1,
                offset: 44,
                count: 1,
            },
        ),
        (
            (3, 40),
            NodeTile {
                tile_level: 0,
                tile_index: 1,
                offset: 64,
                count: 8,
            },
        ),
        (
            (7, 1),
            NodeTile {
                tile_level: 0,
                tile_index: 0,
                offset: 128,
                count: 128,
            },
        ),
        (
            (8, 5),
            NodeTile {
                tile_level: 1,
                tile_index: 0,
                offset: 5,
                count: 1,
            },
        ),
        (
            (10, 3),
            NodeTile {
                tile_level: 1,
                tile_index: 0,
                offset: 12,
                count: 4,
            },
        ),
        (
            (16, 0),
            NodeTile {
                tile_level: 2,
                tile_index: 0,
                offset: 0,
                count: 1,
            },
        ),
    ];
    for ((level, index), expected) in cases {
        assert_eq!(
            tile_for_node(level, index),
            Some(expected),
            "node ({level}, {index})"
        );
    }
    assert_eq!(tile_for_node(64, 0), None);
    assert_eq!(tile_for_node(1, u64::MAX), None);
}

// Entry bundles round-trip, including empty and maximum-size entries.
#[test]
fn entry_bundles_round_trip() {
    let big = vec![7u8; 65_535];
    let entries: Vec<&[u8]> = vec![b"", b"a", b"hello", &big, b"\x00\x01"];
    let bundle = encode_entry_bundle(&entries).unwrap();
    assert_eq!(&bundle[..3], [0, 0, 0]);
    assert_eq!(
        bundle.len(),
        entries.iter().map(|e| 2 + e.len()).sum::<usize>()
    );
    assert_eq!(decode_entry_bundle(&bundle).unwrap(), entries);
    assert_eq!(decode_entry_bundle(&[]).unwrap(), Vec::<&[u8]>::new());

    let too_big = vec![0u8; 65_536];
    assert_eq!(
        encode_entry_bundle([b"ok".as_slice(), &too_big]),
        Err(BundleError::EntryTooLarge {
            entry: 1,
            length_bytes: 65_536
        })
    );
    assert_eq!(
        encode_entry_bundle(std::iter::repeat_n(b"x", 257)),
        Err(BundleError::TooManyEntries)
    );
    let full = encode_entry_bundle(std::iter::repeat_n(b"x", 256)).unwrap();
    assert_eq!(decode_entry_bundle(&full).unwrap().len(), 256);
    let mut overfull = full.clone();
    overfull.extend_from_slice(&[0, 0]);
    assert_eq!(
        decode_entry_bundle(&overfull),
        Err(BundleError::TooManyEntries)
    );
}

// Every truncation of a bundle either ends on an entry boundary or is reported as truncated.
#[test]
fn truncated_bundles_are_detected() {
    let entries: Vec<Vec<u8>> = (0..20).map(entry).collect();
    let bundle = encode_entry_bundle(&entries).unwrap();
    let mut boundaries = vec![0usize];
    for e in &entries {
        boundaries.push(boundaries.last().unwrap() + 2 + e.len());
    }
    for cut in 0..bundle.len() {
        match decode_entry_bundle(&bundle[..cut]) {
            Ok(decoded) => {
                let count = boundaries
                    .iter()
                    .position(|&b| b == cut)
                    .expect("decoded at a non-boundary");
                assert_eq!(decoded.len(), count);
            }
            Err(BundleError::Truncated { entry }) => {
                assert!(!boundaries.contains(&cut));
                assert_eq!(entry, boundaries.iter().filter(|&&b| b < cut).count() - 1);
            }
            Err(other) => panic!("unexpected {other}"),
        }
    }
}

/// A published log in memory: tiles and entry bundles by tile.
#[derive(Default, Clone)]
struct Published {
    tiles: HashMap<TileId, Vec<u8>>,
    bundles: HashMap<TileId, Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not published")]
struct NotPublished(TileId);

impl TileSource for Published {
    type Error = NotPublished;

    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, NotPublished> {
        self.tiles
            .get(&tile)
            .map(|b| Cow::Borrowed(b.as_slice()))
            .ok_or(NotPublished(tile))
    }

    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, NotPublished> {
        self.bundles
            .get(&tile)
            .map(|b| Cow::Borrowed(b.as_slice()))
            .ok_or(NotPublished(tile))
    }
}

fn publish(tree: &MemoryTree, size: u64) -> Published {
    let mut published = Published::default();
    for id in tiles_for_size(size) {
        published.tiles.insert(id, tile_bytes(tree, id).unwrap());
        if id.level() == 0 {
            let first = id.index() * 256;
            let entries: Vec<Vec<u8>> = (first..first + u64::from(id.width())).map(entry).collect();
            published
                .bundles
                .insert(id, encode_entry_bundle(&entries).unwrap());
        }
    }
    published
}

// A whole log verifies from its tiles and bundles, at sizes around tile boundaries.
#[test]
fn whole_log_verifies_from_tiles() {
    let tree = tree_70_000();
    // Entry bundles are checked at the sizes where their shape differs; the hash tiles at all.
    let bundle_sizes = [1, 255, 256, 257, 70_000];
    for size in [1, 255, 256, 257, 65_535, 65_536, 65_537, 70_000] {
        let published = publish(tree, size);
        let root = tree::root(tree, size).unwrap();
        let tiles = tiles_for_size(size).count() as u64;
        if bundle_sizes.contains(&size) {
            let report = verify_tiles(&published, size, &root, EntryBundles::Verify).unwrap();
            assert_eq!(
                report,
                TileVerification {
                    tiles,
                    entries: size
                },
                "size {size}"
            );
        }
        let report = verify_tiles(&published, size, &root, EntryBundles::Skip).unwrap();
        assert_eq!(
            report,
            TileVerification { tiles, entries: 0 },
            "size {size}"
        );
    }
    let empty = Published::default();
    assert_eq!(
        verify_tiles(
            &empty,
            0,
            &corridor_log::hash::empty_root(),
            EntryBundles::Verify
        )
        .unwrap(),
        TileVerification::default()
    );
}

// Any tampered, missing or truncated tile or bundle is caught and named.
#[test]
fn tampered_tiles_are_caught() {
    const SIZE: u64 = 70_000;
    let tree = tree_70_000();
    let root = tree::root(tree, SIZE).unwrap();
    let honest = publish(tree, SIZE);

    let flip = |published: &mut Published, id: TileId, byte: usize, bundle: bool| {
        let map = if bundle {
            &mut published.bundles
        } else {
            &mut published.tiles
        };
        map.get_mut(&id).unwrap()[byte] ^= 0x40;
    };
    let check = |name: &str,
                 published: &Published,
                 entries: EntryBundles,
                 expect: &dyn Fn(&TileVerifyError<NotPublished>) -> bool| {
        let error = verify_tiles(published, SIZE, &root, entries).unwrap_err();
        assert!(expect(&error), "{name}: unexpected {error}");
    };
    use EntryBundles::{Skip, Verify};

    // A changed leaf hash is caught by its entry bundle, and without bundles by the level above.
    let mut full_leaf_tile = honest.clone();
    flip(&mut full_leaf_tile, tile(0, 5, 256), 100, false);
    check(
        "full level-0 tile",
        &full_leaf_tile,
        Verify,
        &|e| matches!(e, TileVerifyError::EntryMismatch { tile: t, position: 3 } if *t == tile(0, 5, 256)),
    );
    check(
        "full level-0 tile",
        &full_leaf_tile,
        Skip,
        &|e| matches!(e, TileVerifyError::TileMismatch { tile: t, position: 5 } if *t == tile(1, 0, 256)),
    );

    // The partial level-0 tile is on the right edge, so the root catches it.
    let mut partial_leaf_tile = honest.clone();
    flip(&mut partial_leaf_tile, tile(0, 273, 112), 3_000, false);
    check("partial level-0 tile", &partial_leaf_tile, Verify, &|e| {
        matches!(e, TileVerifyError::EntryMismatch { .. })
    });
    check("partial level-0 tile", &partial_leaf_tile, Skip, &|e| {
        matches!(e, TileVerifyError::RootMismatch { .. })
    });

    let mut upper_tile = honest.clone();
    flip(&mut upper_tile, tile(1, 1, 17), 40, false);
    check(
        "partial level-1 tile",
        &upper_tile,
        Skip,
        &|e| matches!(e, TileVerifyError::TileMismatch { tile: t, position: 1 } if *t == tile(1, 1, 17)),
    );

    let mut top_tile = honest.clone();
    flip(&mut top_tile, tile(2, 0, 1), 0, false);
    check("level-2 tile", &top_tile, Skip, &|e| {
        matches!(e, TileVerifyError::TileMismatch { .. })
    });

    let mut bundle = honest.clone();
    flip(&mut bundle, tile(0, 42, 256), 20, true);
    check(
        "entry bundle",
        &bundle,
        Verify,
        &|e| matches!(e, TileVerifyError::EntryMismatch { tile: t, .. } if *t == tile(0, 42, 256)),
    );

    let mut short_bundle = honest.clone();
    short_bundle
        .bundles
        .get_mut(&tile(0, 1, 256))
        .unwrap()
        .truncate(100);
    check("short bundle", &short_bundle, Verify, &|e| {
        matches!(
            e,
            TileVerifyError::Bundle { .. } | TileVerifyError::EntryCount { .. }
        )
    });

    let mut short_tile = honest.clone();
    short_tile.tiles.get_mut(&tile(0, 7, 256)).unwrap().pop();
    check("short tile", &short_tile, Skip, &|e| {
        matches!(e, TileVerifyError::Tile(TileError::WrongLength { .. }))
    });

    let mut missing = honest.clone();
    missing.tiles.remove(&tile(1, 0, 256));
    check("missing tile", &missing, Skip, &|e| {
        matches!(e, TileVerifyError::Source { .. })
    });

    let wrong_root = tree::root(tree, SIZE - 1).unwrap();
    let error = verify_tiles(&honest, SIZE, &wrong_root, EntryBundles::Skip).unwrap_err();
    assert!(matches!(error, TileVerifyError::RootMismatch { .. }));
}

// Proofs and roots computed from only the tiles they name equal those from the full tree.
#[test]
fn proofs_from_tiles_match_the_tree() {
    let tree = tree_70_000();
    let mut sampler = Sampler::new(8);
    for _ in 0..30 {
        let size = sampler.below(1, 70_001);
        let index = sampler.below(0, size);
        let old_size = sampler.below(0, size + 1);
        let reader_for = |tiles: Vec<TileId>| {
            let mut reader = TileReader::new(size);
            for id in tiles {
                reader.insert(id, &tile_bytes(tree, id).unwrap()).unwrap();
            }
            reader
        };
        let reader = reader_for(tiles_for_root(size));
        assert_eq!(
            tree::root(&reader, size).unwrap(),
            tree::root(tree, size).unwrap()
        );
        let reader = reader_for(tiles_for_inclusion_proof(index, size));
        assert_eq!(
            inclusion_proof(&reader, index, size).unwrap(),
            inclusion_proof(tree, index, size).unwrap()
        );
        let reader = reader_for(tiles_for_consistency_proof(old_size, size));
        assert_eq!(
            consistency_proof(&reader, old_size, size).unwrap(),
            consistency_proof(tree, old_size, size).unwrap()
        );
    }
}

// A tile reader refuses tiles the tree cannot have and reports what is missing.
#[test]
fn tile_reader_checks_what_it_is_given() {
    let tree = tree_of(300);
    let mut reader = TileReader::new(300);
    let partial = tile(0, 1, 44);
    assert_eq!(
        reader.insert(tile(0, 1, 45), &[0; 45 * 32]),
        Err(TileError::NotInTree {
            tile: tile(0, 1, 45),
            size: 300
        })
    );
    assert_eq!(
        reader.insert(partial, &[0; 10]),
        Err(TileError::WrongLength {
            tile: partial,
            expected_bytes: 44 * 32,
            actual_bytes: 10
        })
    );
    reader
        .insert(partial, &tile_bytes(&tree, partial).unwrap())
        .unwrap();
    use corridor_log::tree::HashReader;
    assert_eq!(reader.node(0, 299).unwrap(), tree.node(0, 299).unwrap());
    assert_eq!(reader.node(2, 70).unwrap(), tree.node(2, 70).unwrap());
    assert!(reader.node(0, 300).is_err(), "outside the tree");
    assert!(reader.node(0, 3).is_err(), "tile 0 was not added");
    let _: Hash = reader.node(1, 128).unwrap();
    // Tile levels 8 and above name tree levels no u64-sized tree has.
    assert!(matches!(
        tile_bytes(&tree, tile(40, 0, 1)),
        Err(corridor_log::tree::ProofError::LevelOutOfRange { level: 320 })
    ));
}
