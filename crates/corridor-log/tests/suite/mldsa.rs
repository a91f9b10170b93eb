//! ML-DSA-44 cosignatures (C2SP tlog-cosignature, type 0x06): a known-answer key, the signed
//! message's exact layout, key strings, and signatures that verify only on what was signed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use corridor_log::checkpoint::Checkpoint;
use corridor_log::cosignature::CosignatureError;
use corridor_log::hash::sha256;
use corridor_log::mldsa::{
    ML_DSA_44_PUBLIC_KEY_SIZE_BYTES, ML_DSA_44_SIGNATURE_SIZE_BYTES, MlDsaCosignatureVerifier,
    MlDsaCosigner, SIGNATURE_TYPE_ML_DSA_44, cosigned_message,
};
use corridor_log::note::{KeyError, KeyName, NoteSignature, Verifier as _, VerifierSet};

use crate::{seed, signer, tree_of};

const ORIGIN: &str = "corridor.example/log";
const TIME: u64 = 1_760_000_000;

fn cosigner(name: &str) -> MlDsaCosigner {
    MlDsaCosigner::from_seed(KeyName::new(name).unwrap(), &seed(name))
}

fn checkpoint(size: u64) -> Checkpoint {
    Checkpoint::new(ORIGIN, size, tree_of(size).root()).unwrap()
}

#[test]
fn the_key_from_a_known_seed_is_the_published_one() {
    // Proves key generation from a seed matches FIPS 204 as others implement it: the seed
    // 00 01 … 1f gives the ML-DSA-44 public key of the IETF LAMPS example certificates
    // (lamps-wg/dilithium-certificates, examples/ML-DSA-44.pub, as the ml-dsa crate ships it).
    let pem = include_str!("data/ml-dsa-44-seed-000102-1f.pub");
    let base64: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let spki = BASE64.decode(base64).unwrap();
    let expected = &spki[spki.len() - ML_DSA_44_PUBLIC_KEY_SIZE_BYTES..];
    let known_seed: [u8; 32] = std::array::from_fn(|i| i as u8);
    let verifier = MlDsaCosigner::from_seed(KeyName::new("kat").unwrap(), &known_seed).verifier();
    assert_eq!(verifier.public_key(), expected);
}

#[test]
fn the_signed_message_is_the_specified_struct() {
    // Proves the cosigned_message is label, u8-length-prefixed name, u64 time, u8-length-prefixed
    // origin, start 0, end = size, root hash, all big-endian, as tlog-cosignature defines it.
    let checkpoint = checkpoint(5);
    let name = KeyName::new("w.example/1").unwrap();
    let message = cosigned_message(&name, 0x0102, &checkpoint).unwrap();
    let mut expected = b"subtree/v1\n\0".to_vec();
    expected.push(11);
    expected.extend_from_slice(b"w.example/1");
    expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
    expected.push(20);
    expected.extend_from_slice(ORIGIN.as_bytes());
    expected.extend_from_slice(&[0; 8]);
    expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 5]);
    expected.extend_from_slice(checkpoint.root().as_bytes());
    assert_eq!(message, expected);
    let long = KeyName::new("n".repeat(256)).unwrap();
    assert_eq!(
        cosigned_message(&long, 0, &checkpoint),
        Err(CosignatureError::FieldLength {
            field: "cosigner name"
        })
    );
}

#[test]
fn a_cosignature_verifies_and_a_mutated_one_does_not() {
    // Proves a round trip (timestamp returned) and that a flipped bit anywhere that matters, a
    // cut signature, another checkpoint or another key are each refused.
    let w1 = cosigner("witness.example/w1");
    let verifier = w1.verifier();
    let text = checkpoint(300).to_text();
    let signature = w1.cosign(&text, TIME).unwrap();
    assert_eq!(
        signature.signature().len(),
        8 + ML_DSA_44_SIGNATURE_SIZE_BYTES
    );
    assert_eq!(verifier.verify_cosignature(&text, &signature), Ok(TIME));
    // Deterministic: the same key, text and time give the same bytes.
    assert_eq!(w1.cosign(&text, TIME).unwrap(), signature);

    let mutated = |position: usize| {
        let mut bytes = signature.signature().to_vec();
        bytes[position] ^= 0x01;
        NoteSignature::new(signature.name().clone(), signature.key_id(), bytes).unwrap()
    };
    // The timestamp, the start of the signature, its middle and its end.
    for position in [7, 8, 1_000, 8 + ML_DSA_44_SIGNATURE_SIZE_BYTES - 1] {
        assert!(
            verifier
                .verify_cosignature(&text, &mutated(position))
                .is_err(),
            "byte {position}"
        );
    }
    let mut cut = signature.signature().to_vec();
    cut.pop();
    let cut = NoteSignature::new(signature.name().clone(), signature.key_id(), cut).unwrap();
    assert_eq!(
        verifier.verify_cosignature(&text, &cut),
        Err(CosignatureError::WrongLength {
            expected_bytes: 2428,
            length_bytes: 2427
        })
    );
    assert_eq!(
        verifier.verify_cosignature(&checkpoint(301).to_text(), &signature),
        Err(CosignatureError::Invalid)
    );
    let other = cosigner("witness.example/w2").verifier();
    assert!(matches!(
        other.verify_cosignature(&text, &signature),
        Err(CosignatureError::WrongKey { .. })
    ));
}

#[test]
fn key_strings_round_trip_with_the_specified_key_id() {
    // Proves the vkey is name+hex(SHA-256(name || 0x0A || 0x06 || public key)[:4])+base64(0x06 ||
    // key), that signer and verifier strings parse back, and that tampered or other-type keys
    // are refused.
    let w1 = cosigner("witness.example/w1");
    let verifier = w1.verifier();
    let key_string = verifier.to_key_string();
    let mut material = b"witness.example/w1\n".to_vec();
    material.push(SIGNATURE_TYPE_ML_DSA_44);
    material.extend_from_slice(&verifier.public_key());
    let id = &sha256(&material).to_hex()[..8];
    let encoded = key_string
        .strip_prefix(&format!("witness.example/w1+{id}+"))
        .unwrap_or_else(|| panic!("{key_string}"));
    let mut typed_key = vec![SIGNATURE_TYPE_ML_DSA_44];
    typed_key.extend_from_slice(&verifier.public_key());
    assert_eq!(BASE64.decode(encoded).unwrap(), typed_key);
    assert_eq!(verifier.key_id().to_string(), id);
    assert_eq!(
        MlDsaCosignatureVerifier::parse(&key_string).unwrap(),
        verifier
    );
    let private = w1.to_private_key_string();
    assert_eq!(MlDsaCosigner::parse(&private).unwrap().verifier(), verifier);
    let wrong_id = key_string.replacen(id, "00000000", 1);
    assert!(matches!(
        MlDsaCosignatureVerifier::parse(&wrong_id),
        Err(KeyError::KeyIdMismatch { .. })
    ));
    let ed25519_cosigner = corridor_log::cosignature::CosignatureSigner::from_seed(
        KeyName::new("witness.example/w1").unwrap(),
        &seed("x"),
    );
    assert_eq!(
        MlDsaCosignatureVerifier::parse(&ed25519_cosigner.verifier().to_key_string()),
        Err(KeyError::WrongSignatureType {
            expected: 0x06,
            actual: 0x04
        })
    );
}

#[test]
fn a_checkpoint_signed_both_ways_verifies_with_either_key() {
    // Proves a log can sign its checkpoint with Ed25519 and ML-DSA-44 (its key named after the
    // origin, as tlog-checkpoint recommends): old verifiers with the Ed25519 key and new ones with
    // the ML-DSA key alone each accept it, and a mutated ML-DSA signature is refused by name.
    let ed25519 = signer(ORIGIN);
    let post_quantum = cosigner(ORIGIN);
    let mut note = checkpoint(40).sign(&ed25519).unwrap();
    note.add_signature(post_quantum.cosign(note.text(), TIME).unwrap())
        .unwrap();
    let old = VerifierSet::new().with(ed25519.verifier()).unwrap();
    let new = VerifierSet::new().with(post_quantum.verifier()).unwrap();
    assert_eq!(note.verify(&old).unwrap().len(), 1);
    assert_eq!(note.verify(&new).unwrap().len(), 1);

    let mut bytes = note.signatures()[1].signature().to_vec();
    bytes[100] ^= 0x80;
    let bad =
        NoteSignature::new(post_quantum.name().clone(), post_quantum.key_id(), bytes).unwrap();
    let mut tampered = checkpoint(40).sign(&ed25519).unwrap();
    tampered.add_signature(bad).unwrap();
    assert!(tampered.verify(&new).is_err());
    assert!(
        !post_quantum
            .verifier()
            .verify(tampered.text(), tampered.signatures()[1].signature())
    );
}

#[test]
fn keys_of_either_algorithm_parse_back_by_their_type_byte() {
    // Proves `keys::LogSigner` and `keys::Cosigner` read a private key string of either
    // algorithm back to the same key (its verifier unchanged), choose by the type byte, and
    // refuse a witness's Ed25519 cosigning key (0x04) as a log key, naming the type.
    use corridor_log::keys::{Algorithm, Cosigner, CosignerVerifier, LogSigner, LogVerifier};
    let name = KeyName::new(ORIGIN).unwrap();
    for algorithm in [Algorithm::Ed25519, Algorithm::MlDsa44] {
        let log = LogSigner::from_seed(algorithm, name.clone(), &seed("log"));
        let parsed = LogSigner::parse(&log.to_private_key_string()).unwrap();
        assert_eq!(parsed.algorithm(), algorithm);
        assert_eq!(parsed.verifier_key_string(), log.verifier_key_string());
        let verifier = LogVerifier::parse(&log.verifier_key_string()).unwrap();
        let signature = log.sign(&checkpoint(3).to_text(), TIME).unwrap();
        assert!(verifier.verify(&checkpoint(3).to_text(), signature.signature()));
        assert!(!verifier.verify(&checkpoint(4).to_text(), signature.signature()));

        let witness = Cosigner::from_seed(algorithm, name.clone(), &seed("witness"));
        let parsed = Cosigner::parse(&witness.to_private_key_string()).unwrap();
        assert_eq!(parsed.algorithm(), algorithm);
        let verifier = CosignerVerifier::parse(&witness.verifier().to_key_string()).unwrap();
        assert_eq!(verifier, witness.verifier());
        let cosignature = witness.cosign(&checkpoint(3).to_text(), TIME).unwrap();
        assert_eq!(
            verifier.verify_cosignature(&checkpoint(3).to_text(), &cosignature),
            Ok(TIME)
        );
    }
    let ed25519_witness = Cosigner::from_seed(Algorithm::Ed25519, name, &seed("witness"));
    assert_eq!(
        LogSigner::parse(&ed25519_witness.to_private_key_string()).unwrap_err(),
        KeyError::WrongSignatureType {
            expected: 0x01,
            actual: 0x04
        }
    );
}
