//! Verifying a published log: a good one passes, and every way of lying is refused by name.

use corridor_log::note::{Ed25519Signer, KeyName, VerifierSet};
use corridor_verify::check::{Refusal, Trust, verify_log};
use corridor_verify::source::Source;
use corridor_verify::state::{StateError, StateFile};
use corridor_verify::{MonitorError, monitor};

use crate::{ORIGIN, entries, publish, trust, witness, write};

/// A published log: its directory and the source reading it.
fn published(size: u64) -> (tempfile::TempDir, Source) {
    let dir = tempfile::tempdir().unwrap();
    publish(
        dir.path(),
        &entries(size, size),
        &[&witness(1), &witness(2)],
    );
    let source = Source::Dir(dir.path().to_path_buf());
    (dir, source)
}

fn refusal(result: Result<impl std::fmt::Debug, MonitorError>) -> Refusal {
    match result {
        Err(MonitorError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_good_log_passes_with_every_tile_and_entry_authenticated() {
    // Proves a log of 600 leaves (full and partial tiles on two levels) verifies with its
    // witnesses, and says what it checked.
    let (_dir, source) = published(600);
    let report = monitor(&source, &trust(&[&witness(1), &witness(2)], 2), None).unwrap();
    assert_eq!(report.opened.checkpoint.size(), 600);
    assert_eq!(report.entries, 600);
    // Level 0: two full tiles and a partial of 88; level 1: a partial of 2.
    assert_eq!(report.tiles, 4);
    assert_eq!(report.opened.cosigned_by.len(), 2);
    assert_eq!(report.consistent_with, None);
}

#[test]
fn a_tampered_tile_is_refused() {
    // Proves one changed byte in a full level-0 tile is caught (against its entries first).
    let (dir, source) = published(600);
    let path = dir.path().join("tile/0/001");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let refusal = refusal(monitor(&source, &trust(&[], 0), None));
    assert!(matches!(refusal, Refusal::Tiles(_)), "{refusal:?}");
    let text = format!(
        "{}: {}",
        refusal,
        std::error::Error::source(&refusal).unwrap()
    );
    assert!(
        text.contains("bundle `tile/0/001` does not match"),
        "{text}"
    );
}

#[test]
fn a_tampered_entry_is_refused() {
    // Proves an entry bundle whose leaf was edited no longer matches its level-0 tile.
    let (dir, source) = published(300);
    let entries = entries(300, 300);
    let mut edited = entries[256..].to_vec();
    edited[3] = crate::entry(260, "-edited");
    write(
        dir.path(),
        "tile/entries/001.p/44",
        &corridor_log::tiles::encode_entry_bundle(edited.iter()).unwrap(),
    );
    let refusal = refusal(monitor(&source, &trust(&[], 0), None));
    let cause = std::error::Error::source(&refusal).unwrap().to_string();
    assert!(cause.contains("entry 3 of bundle"), "{cause}");
}

#[test]
fn a_wrong_key_is_refused() {
    // Proves a checkpoint is refused under a key that did not sign it (same name, other key).
    let (_dir, source) = published(10);
    let other = Ed25519Signer::from_seed(KeyName::new(ORIGIN).unwrap(), &[8; 32]);
    let wrong = Trust::new(ORIGIN, VerifierSet::new().with(other.verifier()).unwrap());
    let refusal = refusal(monitor(&source, &wrong, None));
    assert!(matches!(refusal, Refusal::Checkpoint(_)), "{refusal:?}");
    let cause = std::error::Error::source(&refusal).unwrap().to_string();
    assert_eq!(cause, "no signature from a known key");
}

#[test]
fn a_missing_cosignature_is_refused() {
    // Proves a witness that did not cosign fails the threshold, and names the witness; one of two
    // is enough when the threshold is one.
    let (_dir, source) = published(10);
    let three = [&witness(1), &witness(2), &witness(3)];
    let refusal = refusal(monitor(&source, &trust(&three, 3), None));
    assert_eq!(
        refusal.to_string(),
        "2 witness cosignature(s) verified, 3 required; missing: witness.test/w3"
    );
    monitor(&source, &trust(&three, 2), None).unwrap();
}

#[test]
fn a_bad_cosignature_is_refused() {
    // Proves a cosignature line under a trusted witness's key that does not verify is refused,
    // not skipped.
    let (dir, source) = published(10);
    let text = std::fs::read_to_string(dir.path().join("checkpoint")).unwrap();
    let (body, lines) = text.split_once("\n\n").unwrap();
    let w1 = witness(1)
        .cosign(&format!("{body}\n"), crate::COSIGNED_AT)
        .unwrap();
    let mut bytes = w1.signature().to_vec();
    bytes[20] ^= 1;
    let bad = corridor_log::note::NoteSignature::new(w1.name().clone(), w1.key_id(), bytes)
        .unwrap()
        .to_line();
    let tampered = lines
        .lines()
        .map(|line| {
            if line.starts_with("— witness.test/w1 ") {
                bad.trim_end().to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(
        dir.path(),
        "checkpoint",
        format!("{body}\n\n{tampered}\n").as_bytes(),
    );
    let refusal = refusal(monitor(&source, &trust(&[&witness(1)], 1), None));
    assert_eq!(
        refusal.to_string(),
        "the cosignature of witness `witness.test/w1` does not verify"
    );
}

#[test]
fn a_threshold_above_the_witnesses_is_refused() {
    // Proves a threshold that no set of the given witnesses can meet is a configuration error.
    let log = VerifierSet::new()
        .with(crate::log_signer().verifier())
        .unwrap();
    let error = Trust::new(ORIGIN, log)
        .with_witnesses(vec![Box::new(witness(1).verifier())], 2)
        .unwrap_err();
    assert!(matches!(
        error,
        Refusal::Threshold {
            threshold: 2,
            witnesses: 1
        }
    ));
}

#[test]
fn the_state_file_moves_forward_after_a_good_check_only() {
    // Proves the first run writes the state, a grown log moves it forward, and a refused run
    // leaves it as it was.
    let dir = tempfile::tempdir().unwrap();
    let state_dir = tempfile::tempdir().unwrap();
    let state = StateFile::new(state_dir.path().join("trusted"));
    let source = Source::Dir(dir.path().to_path_buf());
    let trust = trust(&[], 0);
    publish(dir.path(), &entries(300, 300), &[]);
    let first = monitor(&source, &trust, Some(&state)).unwrap();
    assert_eq!(first.consistent_with, None);
    assert_eq!(state.load(&trust).unwrap().unwrap().size(), 300);
    publish(dir.path(), &entries(700, 700), &[]);
    let second = monitor(&source, &trust, Some(&state)).unwrap();
    assert_eq!(second.consistent_with, Some(300));
    let saved = std::fs::read_to_string(state.path()).unwrap();
    assert_eq!(saved, second.opened.text);
    assert_eq!(state.load(&trust).unwrap().unwrap().size(), 700);
    // A tampered tile: refused, and the state still trusts 700.
    let path = dir.path().join("tile/0/000");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    refusal(monitor(&source, &trust, Some(&state)));
    assert_eq!(std::fs::read_to_string(state.path()).unwrap(), saved);
    assert!(!state_dir.path().join("trusted.tmp").exists());
}

/// Publishes `first`, runs with a state file (which then trusts it), republishes `second` in its
/// place, runs again: the refusal, with the state checked unchanged by it.
fn trusted_then_republished(first: &[Vec<u8>], second: &[Vec<u8>]) -> Refusal {
    let dir = tempfile::tempdir().unwrap();
    let state = StateFile::new(dir.path().join("trusted"));
    let log = dir.path().join("log");
    let source = Source::Dir(log.clone());
    let trust = trust(&[], 0);
    publish(&log, first, &[]);
    monitor(&source, &trust, Some(&state)).unwrap();
    let saved = std::fs::read_to_string(state.path()).unwrap();
    std::fs::remove_dir_all(&log).unwrap();
    publish(&log, second, &[]);
    // The new log is a valid log on its own: only the trusted checkpoint shows it lies.
    monitor(&source, &trust, None).unwrap();
    let refusal = refusal(monitor(&source, &trust, Some(&state)));
    assert!(refusal.is_split_view(), "{refusal:?}");
    assert_eq!(std::fs::read_to_string(state.path()).unwrap(), saved);
    refusal
}

#[test]
fn a_forked_log_is_refused_and_the_state_kept() {
    // Proves a log that rewrote leaf 250 and grew is refused as a fork against the trusted
    // checkpoint, with the state unchanged.
    let refusal = trusted_then_republished(&entries(300, 300), &entries(700, 250));
    assert!(
        refusal.to_string().starts_with(
            "FORK: the log at size 700 is not consistent with the trusted checkpoint of size 300"
        ),
        "{refusal}"
    );
}

#[test]
fn a_same_size_fork_is_refused() {
    // Proves a log of the trusted size with another root is a fork, not "nothing new".
    let dir = tempfile::tempdir().unwrap();
    let trust = trust(&[], 0);
    publish(dir.path(), &entries(300, 300), &[]);
    let source = Source::Dir(dir.path().to_path_buf());
    let trusted = monitor(&source, &trust, None).unwrap().opened.checkpoint;
    std::fs::remove_dir_all(dir.path()).unwrap();
    publish(dir.path(), &entries(300, 299), &[]);
    let checkpoint = source.checkpoint().unwrap();
    let refusal = verify_log(&source, &checkpoint, &trust, Some(&trusted)).unwrap_err();
    assert!(
        matches!(
            refusal,
            Refusal::Fork {
                trusted_size: 300,
                size: 300,
                ..
            }
        ),
        "{refusal:?}"
    );
}

#[test]
fn a_rolled_back_log_is_refused_and_the_state_kept() {
    // Proves a log published at a smaller size than the trusted checkpoint is refused as a
    // rollback (even though its own tiles verify), with the state unchanged.
    let refusal = trusted_then_republished(&entries(700, 700), &entries(300, 300));
    assert!(
        matches!(
            refusal,
            Refusal::Rollback {
                trusted_size: 700,
                size: 300
            }
        ),
        "{refusal:?}"
    );
}

#[test]
fn an_edited_state_file_is_not_trusted() {
    // Proves a state file whose checkpoint no longer verifies is refused, not used as a baseline.
    let dir = tempfile::tempdir().unwrap();
    let state = StateFile::new(dir.path().join("trusted"));
    let (_log, source) = published(10);
    let trust = trust(&[], 0);
    monitor(&source, &trust, Some(&state)).unwrap();
    let text = std::fs::read_to_string(state.path()).unwrap();
    std::fs::write(state.path(), text.replacen("\n10\n", "\n11\n", 1)).unwrap();
    let error = monitor(&source, &trust, Some(&state)).unwrap_err();
    assert!(
        matches!(error, MonitorError::State(StateError::Untrusted { .. })),
        "{error:?}"
    );
}

#[test]
fn post_quantum_signatures_verify_and_a_mutated_one_is_refused() {
    // Proves a log signed with Ed25519 and ML-DSA-44 (its key named after the origin) verifies
    // under the ML-DSA key string alone, with an ML-DSA-44 witness; and that a mutated ML-DSA
    // cosignature of a required witness is refused by name.
    use corridor_log::mldsa::MlDsaCosigner;
    let dir = tempfile::tempdir().unwrap();
    let entries = entries(300, 300);
    publish(dir.path(), &entries, &[]);
    let log_pq = MlDsaCosigner::from_seed(KeyName::new(ORIGIN).unwrap(), &[1; 32]);
    let witness_pq = MlDsaCosigner::from_seed(KeyName::new("witness.test/pq").unwrap(), &[2; 32]);
    let text = crate::signed_checkpoint(&entries, &[]);
    let mut note = corridor_log::note::Note::parse(text.as_bytes()).unwrap();
    let body = note.text().to_owned();
    note.add_signature(log_pq.cosign(&body, crate::COSIGNED_AT).unwrap())
        .unwrap();
    let good_cosignature = witness_pq.cosign(&body, crate::COSIGNED_AT).unwrap();
    let mut cosigned = note.clone();
    cosigned.add_signature(good_cosignature.clone()).unwrap();
    write(dir.path(), "checkpoint", cosigned.to_text().as_bytes());

    let log = VerifierSet::new()
        .with(corridor_verify::keys::log_key(&log_pq.verifier().to_key_string()).unwrap())
        .unwrap();
    let witness =
        corridor_verify::keys::witness_key(&witness_pq.verifier().to_key_string()).unwrap();
    let trust = Trust::new(ORIGIN, log)
        .with_witnesses(vec![witness], 1)
        .unwrap();
    let source = Source::Dir(dir.path().to_path_buf());
    let report = monitor(&source, &trust, None).unwrap();
    assert_eq!(
        report.opened.cosigned_by,
        [KeyName::new("witness.test/pq").unwrap()]
    );

    let mut bytes = good_cosignature.signature().to_vec();
    bytes[500] ^= 1;
    let mutated = corridor_log::note::NoteSignature::new(
        good_cosignature.name().clone(),
        good_cosignature.key_id(),
        bytes,
    )
    .unwrap();
    let mut tampered = note;
    tampered.add_signature(mutated).unwrap();
    write(dir.path(), "checkpoint", tampered.to_text().as_bytes());
    let refusal = refusal(monitor(&source, &trust, None));
    assert_eq!(
        refusal.to_string(),
        "the cosignature of witness `witness.test/pq` does not verify"
    );
}
