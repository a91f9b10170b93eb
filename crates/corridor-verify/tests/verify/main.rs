//! corridor-verify's tests: logs published to a temporary directory (or served over HTTP) by the
//! helpers here, then verified, tampered with, forked and rolled back.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test fixtures outside `#[test]` functions should fail loudly, not propagate errors"
)]

mod boundary;
mod cli;
mod event;
mod log;
mod stats;

use std::path::Path;

use corridor_log::checkpoint::Checkpoint;
use corridor_log::cosignature::CosignatureSigner;
use corridor_log::leaf::{commitment, leaf_entry};
use corridor_log::note::{Ed25519Signer, KeyName, VerifierSet};
use corridor_log::tiles::{encode_entry_bundle, tile_bytes, tiles_for_size};
use corridor_log::tree::MemoryTree;
use corridor_verify::check::Trust;

/// The test log's origin.
pub const ORIGIN: &str = "corridor.test/log";

/// A cosignature's time.
pub const COSIGNED_AT: u64 = 1_760_000_000;

/// The log's signing key.
pub fn log_signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new(ORIGIN).unwrap(), &[7; 32])
}

/// A witness's cosigning key.
pub fn witness(number: u8) -> CosignatureSigner {
    CosignatureSigner::from_seed(
        KeyName::new(format!("witness.test/w{number}")).unwrap(),
        &[number; 32],
    )
}

/// The stored bytes of event `seq` (stand-ins for the store's JSON).
pub fn event_bytes(seq: u64) -> Vec<u8> {
    format!("{{\"seq\":{seq},\"kind\":\"case_proposed\",\"sealed\":\"…{seq}…\"}}").into_bytes()
}

/// The salt of event `seq`.
pub fn salt(seq: u64) -> [u8; 32] {
    let mut salt = [0xa5; 32];
    salt[..8].copy_from_slice(&seq.to_be_bytes());
    salt
}

/// The leaf of event `seq`; `variant` changes what the log says (for forks).
pub fn entry(seq: u64, variant: &str) -> Vec<u8> {
    leaf_entry(
        "case_proposed",
        Some(&format!("us-rwa-2025{variant}")),
        "2025-08-04",
        &commitment(&salt(seq), event_bytes(seq)),
    )
}

/// The leaves of a log of `size` events, the ones from `fork_at` on in another variant.
pub fn entries(size: u64, fork_at: u64) -> Vec<Vec<u8>> {
    (0..size)
        .map(|index| entry(index + 1, if index >= fork_at { "-forked" } else { "" }))
        .collect()
}

/// The tree of these leaves.
pub fn tree(entries: &[Vec<u8>]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for entry in entries {
        tree.append_entry(entry).unwrap();
    }
    tree
}

/// The signed checkpoint of these leaves, cosigned by `witnesses`.
pub fn signed_checkpoint(entries: &[Vec<u8>], witnesses: &[&CosignatureSigner]) -> String {
    let tree = tree(entries);
    let body = Checkpoint::new(ORIGIN, entries.len() as u64, tree.root()).unwrap();
    let mut note = body.sign(&log_signer()).unwrap();
    for witness in witnesses {
        let cosignature = witness.cosign(note.text(), COSIGNED_AT).unwrap();
        note.add_signature(cosignature).unwrap();
    }
    note.to_text()
}

/// Publishes a log of these leaves to `dir` as C2SP tlog-tiles (tiles, bundles, checkpoint last).
/// Tiles of an earlier publication stay, as `corridor log export` keeps them.
pub fn publish(dir: &Path, entries: &[Vec<u8>], witnesses: &[&CosignatureSigner]) {
    let tree = tree(entries);
    for tile in tiles_for_size(entries.len() as u64) {
        write(dir, &tile.path(), &tile_bytes(&tree, tile).unwrap());
        if let Some(path) = tile.entries_path() {
            let first = (tile.index() * 256) as usize;
            let bundle = entries[first..first + usize::from(tile.width())].iter();
            write(dir, &path, &encode_entry_bundle(bundle).unwrap());
        }
    }
    write(
        dir,
        "checkpoint",
        signed_checkpoint(entries, witnesses).as_bytes(),
    );
}

/// Writes a file of the published log, creating its directories.
pub fn write(dir: &Path, path: &str, bytes: &[u8]) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, bytes).unwrap();
}

/// Trust in the test log's key, with these witnesses and threshold.
pub fn trust(witnesses: &[&CosignatureSigner], threshold: usize) -> Trust {
    let log = VerifierSet::new().with(log_signer().verifier()).unwrap();
    let witnesses = witnesses
        .iter()
        .map(|witness| Box::new(witness.verifier()) as Box<dyn corridor_log::note::Verifier>)
        .collect();
    Trust::new(ORIGIN, log)
        .with_witnesses(witnesses, threshold)
        .unwrap()
}
