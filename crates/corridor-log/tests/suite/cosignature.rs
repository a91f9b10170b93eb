//! C2SP tlog-cosignature v1 for Ed25519: key ids with type 0x04, the signed message, the
//! timestamped signature, and cosignatures living beside the log's signature in one note.

use corridor_log::checkpoint::{Checkpoint, open_checkpoint};
use corridor_log::cosignature::{
    COSIGNATURE_V1_HEADER, CosignatureError, CosignatureSigner, CosignatureVerifier,
    MAX_TIMESTAMP_SECONDS, SIGNATURE_TYPE_COSIGNATURE_V1, signed_message,
};
use corridor_log::note::{
    Ed25519Signer, KeyId, KeyName, Note, NoteSignature, SIGNATURE_TYPE_ED25519, VerifierSet, key_id,
};

use crate::{seed, signer};

const SPEC_CHECKPOINT: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

fn witness(name: &str) -> CosignatureSigner {
    CosignatureSigner::from_seed(KeyName::new(name).unwrap(), &seed(name))
}

// The signed message is the spec's: header, time line, then the checkpoint body.
#[test]
fn signed_message_matches_the_spec() {
    assert_eq!(COSIGNATURE_V1_HEADER, "cosignature/v1\n");
    assert_eq!(
        signed_message(SPEC_CHECKPOINT, 1_679_315_147),
        "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
}

// The spec's example cosignature line carries a key id and the big-endian timestamp of its
// example message (1679315147).
#[test]
fn spec_example_cosignature_line() {
    let line = "\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
    let signature = NoteSignature::parse_line(line).unwrap();
    assert_eq!(signature.key_id(), KeyId::from_u32(0x8d66_cf3f));
    let (timestamp, ed25519) = signature.signature().split_at(8);
    assert_eq!(
        u64::from_be_bytes(timestamp.try_into().unwrap()),
        1_679_315_147
    );
    assert_eq!(ed25519.len(), 64);
}

// A cosignature verifies, returns its timestamp, and fails for any other text or time.
#[test]
fn cosign_and_verify() {
    let cosigner = witness("witness.example/w1");
    let verifier = cosigner.verifier();
    let signature = cosigner.cosign(SPEC_CHECKPOINT, 1_679_315_147).unwrap();
    assert_eq!(signature.signature().len(), 72);
    assert_eq!(&signature.signature()[..8], 1_679_315_147u64.to_be_bytes());
    assert_eq!(
        verifier.verify_cosignature(SPEC_CHECKPOINT, &signature),
        Ok(1_679_315_147)
    );

    let other_text = SPEC_CHECKPOINT.replace("20852163", "20852164");
    assert_eq!(
        verifier.verify_cosignature(&other_text, &signature),
        Err(CosignatureError::Invalid)
    );
    let mut bytes = signature.signature().to_vec();
    bytes[7] ^= 1;
    let other_time =
        NoteSignature::new(signature.name().clone(), signature.key_id(), bytes).unwrap();
    assert_eq!(
        verifier.verify_cosignature(SPEC_CHECKPOINT, &other_time),
        Err(CosignatureError::Invalid)
    );
    let short =
        NoteSignature::new(signature.name().clone(), signature.key_id(), vec![0; 71]).unwrap();
    assert_eq!(
        verifier.verify_cosignature(SPEC_CHECKPOINT, &short),
        Err(CosignatureError::WrongLength {
            expected_bytes: 72,
            length_bytes: 71
        })
    );
    let other_witness = witness("witness.example/w2")
        .cosign(SPEC_CHECKPOINT, 1)
        .unwrap();
    assert!(matches!(
        verifier.verify_cosignature(SPEC_CHECKPOINT, &other_witness),
        Err(CosignatureError::WrongKey { .. })
    ));
}

// Timestamps above 2^63 - 1 are refused when signing and when verifying.
#[test]
fn timestamps_are_bounded() {
    let cosigner = witness("witness.example/w1");
    assert_eq!(MAX_TIMESTAMP_SECONDS, (1u64 << 63) - 1);
    assert!(
        cosigner
            .cosign(SPEC_CHECKPOINT, MAX_TIMESTAMP_SECONDS)
            .is_ok()
    );
    assert_eq!(
        cosigner.cosign(SPEC_CHECKPOINT, MAX_TIMESTAMP_SECONDS + 1),
        Err(CosignatureError::TimestampOutOfRange {
            seconds: MAX_TIMESTAMP_SECONDS + 1
        })
    );
    let mut bytes = cosigner
        .cosign(SPEC_CHECKPOINT, 5)
        .unwrap()
        .signature()
        .to_vec();
    bytes[0] = 0x80;
    let forged = NoteSignature::new(cosigner.name().clone(), cosigner.key_id(), bytes).unwrap();
    assert!(matches!(
        cosigner
            .verifier()
            .verify_cosignature(SPEC_CHECKPOINT, &forged),
        Err(CosignatureError::TimestampOutOfRange { .. })
    ));
}

// The key id uses type byte 0x04, so the same key and name have different ids as a log key
// and as a cosigner key; key strings round-trip and are not interchangeable.
#[test]
fn key_ids_and_key_strings() {
    let name = KeyName::new("witness.example/w1").unwrap();
    let cosigner = witness(name.as_str());
    let as_log_key = Ed25519Signer::from_seed(name.clone(), &seed(name.as_str()));
    let public_key = as_log_key.verifier().public_key();
    assert_eq!(
        cosigner.key_id(),
        key_id(&name, SIGNATURE_TYPE_COSIGNATURE_V1, &public_key)
    );
    assert_eq!(
        as_log_key.key_id(),
        key_id(&name, SIGNATURE_TYPE_ED25519, &public_key)
    );
    assert_ne!(cosigner.key_id(), as_log_key.key_id());

    let verifier_key = cosigner.verifier().to_key_string();
    // base64(0x04 || key) starts with `B`, where a plain Ed25519 key (0x01) starts with `A`.
    assert!(verifier_key.starts_with(&format!("witness.example/w1+{}+B", cosigner.key_id())));
    assert_eq!(
        CosignatureVerifier::parse(&verifier_key),
        Ok(cosigner.verifier())
    );
    assert_eq!(
        CosignatureVerifier::new(name.clone(), &public_key),
        Ok(cosigner.verifier())
    );
    let private_key = cosigner.to_private_key_string();
    assert_eq!(
        CosignatureSigner::parse(&private_key).unwrap().verifier(),
        cosigner.verifier()
    );
    assert!(corridor_log::note::Ed25519Verifier::parse(&verifier_key).is_err());
    assert!(CosignatureVerifier::parse(&as_log_key.verifier().to_key_string()).is_err());
}

// A checkpoint carrying the log's signature and cosignatures opens with the log key alone
// (cosignatures are unknown keys to it), and with a set that also trusts the witnesses.
#[test]
fn cosignatures_live_in_the_checkpoint_note() {
    let log = signer("example.com/behind-the-sofa");
    let checkpoint = Checkpoint::parse(SPEC_CHECKPOINT).unwrap();
    let mut note: Note = checkpoint.sign(&log).unwrap();
    let w1 = witness("witness.example/w1");
    let w2 = witness("witness.example/w2");
    note.add_signature(w1.cosign(note.text(), 100).unwrap())
        .unwrap();
    note.add_signature(w2.cosign(note.text(), 200).unwrap())
        .unwrap();
    let text = note.to_text();

    let log_only = VerifierSet::new().with(log.verifier()).unwrap();
    assert!(open_checkpoint(text.as_bytes(), checkpoint.origin(), &log_only).is_ok());
    let with_witnesses = VerifierSet::new()
        .with(log.verifier())
        .unwrap()
        .with(w1.verifier())
        .unwrap()
        .with(w2.verifier())
        .unwrap();
    let verified = corridor_log::note::open(text.as_bytes(), &with_witnesses).unwrap();
    assert_eq!(verified.verified_signatures().len(), 3);
    // A witness-only policy sees the cosignatures verify.
    let witnesses_only = VerifierSet::new().with(w2.verifier()).unwrap();
    assert_eq!(
        corridor_log::note::open(text.as_bytes(), &witnesses_only)
            .unwrap()
            .verified_signatures()
            .len(),
        1
    );
}
