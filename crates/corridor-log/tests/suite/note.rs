//! C2SP signed notes, against the vectors of Go's `golang.org/x/mod/sumdb/note` (whose
//! PeterNeumann note and keys are the canonical signed-note example) and the C2SP spec's own
//! example note.

use corridor_log::note::{
    Ed25519Signer, Ed25519Verifier, KeyError, KeyId, KeyName, MAX_SIGNATURES,
    MIN_ACCEPTED_SIGNATURES, Note, NoteError, NoteSignature, Verifier, VerifierSet, open,
};

use crate::signer;

const PETER_VERIFIER_KEY: &str =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SIGNER_KEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VERIFIER_KEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIGNATURE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIGNATURE: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// The C2SP signed-note spec's example. The spec publishes no verifier key for it, so it is a
/// parsing vector: its text contains a blank line, and only the last one separates.
const C2SP_EXAMPLE: &str = "Ognuno sta solo sul cuor della terra\n\
                            trafitto da un raggio di sole:\n\
                            \n\
                            ed \u{e8} subito sera.\n\
                            \n\
                            \u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

fn verifiers(keys: &[&str]) -> VerifierSet {
    let mut set = VerifierSet::new();
    for key in keys {
        set.add(Ed25519Verifier::parse(key).unwrap()).unwrap();
    }
    set
}

fn names(signatures: &[NoteSignature]) -> Vec<&str> {
    signatures.iter().map(|s| s.name().as_str()).collect()
}

// The signed-note example verifies with its published verifier key.
#[test]
fn peter_neumann_vector_verifies() {
    let message = format!("{TEXT}\n{PETER_SIGNATURE}");
    let verified = open(message.as_bytes(), &verifiers(&[PETER_VERIFIER_KEY])).unwrap();
    assert_eq!(verified.text(), TEXT);
    assert_eq!(names(verified.verified_signatures()), ["PeterNeumann"]);
    assert_eq!(
        verified.verified_signatures()[0].key_id(),
        KeyId::from_u32(0xc74f_20a3)
    );
    assert_eq!(
        verified.note().to_text(),
        message,
        "the note re-renders byte for byte"
    );
}

// Signing the example text with the example signer key reproduces the example note exactly,
// and the key strings round-trip.
#[test]
fn signing_reproduces_the_vector() {
    let signer = Ed25519Signer::parse(PETER_SIGNER_KEY).unwrap();
    assert_eq!(signer.to_private_key_string(), PETER_SIGNER_KEY);
    assert_eq!(signer.verifier().to_key_string(), PETER_VERIFIER_KEY);
    assert_eq!(signer.key_id(), KeyId::from_u32(0xc74f_20a3));
    let mut note = Note::new(TEXT).unwrap();
    note.sign(&signer).unwrap();
    assert_eq!(note.to_text(), format!("{TEXT}\n{PETER_SIGNATURE}"));
    // Signing again replaces the key's earlier signature instead of adding a second one.
    note.sign(&signer).unwrap();
    assert_eq!(note.signatures().len(), 1);
    let enoch = Ed25519Verifier::parse(ENOCH_VERIFIER_KEY).unwrap();
    assert_eq!(enoch.to_key_string(), ENOCH_VERIFIER_KEY);
}

// Changing the text, or the signature, makes the note fail to verify.
#[test]
fn tampered_notes_fail() {
    let peter = verifiers(&[PETER_VERIFIER_KEY]);
    let invalid = Err(NoteError::InvalidSignature {
        name: KeyName::new("PeterNeumann").unwrap(),
        key_id: KeyId::from_u32(0xc74f_20a3),
    });
    let altered_text = format!(
        "{}\n{PETER_SIGNATURE}",
        TEXT.replace("problem is", "problem was")
    );
    assert_eq!(open(altered_text.as_bytes(), &peter).map(|_| ()), invalid);
    let (head, tail) = PETER_SIGNATURE.split_at(60);
    let altered_signature = format!("{TEXT}\n{head}ABCD{tail}");
    assert_eq!(
        open(altered_signature.as_bytes(), &peter).map(|_| ()),
        invalid
    );
    // A known key's bad signature rejects the note even when another known key verifies.
    let both = verifiers(&[PETER_VERIFIER_KEY, ENOCH_VERIFIER_KEY]);
    let mixed = format!("{TEXT}\n{ENOCH_SIGNATURE}{head}ABCD{tail}");
    assert_eq!(open(mixed.as_bytes(), &both).map(|_| ()), invalid);
}

// Signatures from unknown keys are ignored — including one that shares only a name or only a
// key id with a trusted key — but a note with no known signature is rejected.
#[test]
fn unknown_keys_are_ignored() {
    let message = format!("{TEXT}\n{PETER_SIGNATURE}{ENOCH_SIGNATURE}");
    let peter_only = open(message.as_bytes(), &verifiers(&[PETER_VERIFIER_KEY])).unwrap();
    assert_eq!(names(peter_only.verified_signatures()), ["PeterNeumann"]);
    assert_eq!(peter_only.note().signatures().len(), 2);
    let both = open(
        message.as_bytes(),
        &verifiers(&[PETER_VERIFIER_KEY, ENOCH_VERIFIER_KEY]),
    )
    .unwrap();
    assert_eq!(
        names(both.verified_signatures()),
        ["PeterNeumann", "EnochRoot"]
    );
    assert_eq!(
        open(message.as_bytes(), &VerifierSet::new()).map(|_| ()),
        Err(NoteError::NoVerifiedSignature)
    );

    // Another key named PeterNeumann, and a key with Peter's id under another name.
    let impostor = signer("PeterNeumann");
    let mut note = Note::parse(format!("{TEXT}\n{PETER_SIGNATURE}").as_bytes()).unwrap();
    note.add_signature(impostor.sign(TEXT)).unwrap();
    let renamed = NoteSignature::new(
        KeyName::new("CarmenSandiego").unwrap(),
        KeyId::from_u32(0xc74f_20a3),
        vec![1; 64],
    )
    .unwrap();
    note.add_signature(renamed).unwrap();
    let verified = open(note.to_text().as_bytes(), &verifiers(&[PETER_VERIFIER_KEY])).unwrap();
    assert_eq!(verified.verified_signatures().len(), 1);
    assert_eq!(verified.note().signatures().len(), 3);
    assert_eq!(
        open(
            format!("{TEXT}\n{ENOCH_SIGNATURE}").as_bytes(),
            &verifiers(&[PETER_VERIFIER_KEY])
        )
        .map(|_| ()),
        Err(NoteError::NoVerifiedSignature)
    );
}

// Notes with 16 (the spec's floor) and 100 (the limit) signatures verify; 101 are refused.
#[test]
fn many_signatures() {
    for count in [MIN_ACCEPTED_SIGNATURES, MAX_SIGNATURES] {
        let signers: Vec<Ed25519Signer> = (0..count)
            .map(|i| signer(&format!("log{i}.example")))
            .collect();
        let mut note = Note::new(TEXT).unwrap();
        let mut set = VerifierSet::new();
        for signer in &signers {
            note.sign(signer).unwrap();
            set.add(signer.verifier()).unwrap();
        }
        let verified = open(note.to_text().as_bytes(), &set).unwrap();
        assert_eq!(verified.verified_signatures().len(), count);
    }
    let too_many = format!("{TEXT}\n{}", PETER_SIGNATURE.repeat(MAX_SIGNATURES + 1));
    assert_eq!(
        Note::parse(too_many.as_bytes()),
        Err(NoteError::TooManySignatures)
    );
    // Repeating one signature is harmless: it verifies once.
    let repeated = format!("{TEXT}\n{}", PETER_SIGNATURE.repeat(3));
    let verified = open(repeated.as_bytes(), &verifiers(&[PETER_VERIFIER_KEY])).unwrap();
    assert_eq!(verified.verified_signatures().len(), 1);
}

// The malformed messages of Go's TestOpen, and a few more, are refused with the right reason.
#[test]
fn malformed_notes_are_refused() {
    let signature_without_newline = PETER_SIGNATURE.trim_end_matches('\n');
    let cases: Vec<(String, NoteError)> = vec![
        (TEXT.to_owned(), NoteError::MissingSignatures),
        (format!("{TEXT}\n"), NoteError::MissingSignatures),
        (
            format!("{TEXT}\n{signature_without_newline}"),
            NoteError::MissingSignatures,
        ),
        (
            format!("\u{1}{TEXT}\n{PETER_SIGNATURE}"),
            NoteError::ControlCharacter,
        ),
        (
            format!("{TEXT}\r\n{PETER_SIGNATURE}"),
            NoteError::ControlCharacter,
        ),
        (
            format!(
                "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            NoteError::MalformedSignatureLine {
                reason: "the signature is not standard base64",
            },
        ),
        (
            format!("{TEXT}\n{PETER_SIGNATURE}Unexpected line.\n"),
            NoteError::MalformedSignatureLine {
                reason: "it must start with an em dash and a space",
            },
        ),
        (
            format!(
                "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            NoteError::MalformedSignatureLine {
                reason: "it must start with an em dash and a space",
            },
        ),
        (
            format!("{TEXT}\n\u{2014} PeterNeumann AAAA\n"),
            NoteError::MalformedSignatureLine {
                reason: "the signature is shorter than five bytes",
            },
        ),
        (
            format!(
                "{TEXT}\n\u{2014} Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            NoteError::MalformedSignatureLine {
                reason: "the key name is invalid",
            },
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(
            Note::parse(message.as_bytes()),
            Err(expected),
            "{message:?}"
        );
    }
    let mut not_utf8 = format!("{TEXT}\n{PETER_SIGNATURE}").into_bytes();
    not_utf8.insert(0, 0xff);
    assert_eq!(Note::parse(&not_utf8), Err(NoteError::NotUtf8));
    assert_eq!(Note::new("no final newline"), Err(NoteError::MalformedText));
    assert_eq!(Note::new(""), Err(NoteError::MalformedText));
    assert_eq!(Note::new("tab\there\n"), Err(NoteError::ControlCharacter));
    let huge = vec![b'a'; corridor_log::note::MAX_NOTE_SIZE_BYTES + 1];
    assert!(matches!(
        Note::parse(&huge),
        Err(NoteError::TooLarge { .. })
    ));
}

// The C2SP example splits at its last blank line and keeps the blank line inside its text.
#[test]
fn c2sp_example_splits_at_the_last_blank_line() {
    let note = Note::parse(C2SP_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(
        note.text(),
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{e8} subito sera.\n"
    );
    let [signature] = note.signatures() else {
        panic!("one signature expected")
    };
    assert_eq!(signature.name().as_str(), "quasimodo.example/salvatore");
    assert_eq!(signature.key_id(), KeyId::from_u32(0x367b_a04b));
    assert_eq!(signature.signature().len(), 64);
    assert_eq!(note.to_text(), C2SP_EXAMPLE);
}

// Go's TestNewVerifier and TestNewSigner: every proper substring of a key string, and every
// single-byte change, is refused.
#[test]
fn mangled_key_strings_are_refused() {
    type Parses = fn(&str) -> bool;
    let keys: [(&str, Parses); 2] = [
        (PETER_VERIFIER_KEY, |k| Ed25519Verifier::parse(k).is_ok()),
        (PETER_SIGNER_KEY, |k| Ed25519Signer::parse(k).is_ok()),
    ];
    for (key, parses) in keys {
        assert!(parses(key));
        let bytes = key.as_bytes();
        for start in 0..=bytes.len() {
            for end in start + 1..=bytes.len() {
                if (start, end) != (0, bytes.len()) {
                    let part = std::str::from_utf8(&bytes[start..end]).unwrap();
                    assert!(!parses(part), "substring `{part}` parsed");
                }
            }
        }
        for position in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[position] += 1;
            let changed = String::from_utf8(changed).unwrap();
            assert!(!parses(&changed), "`{changed}` parsed");
        }
    }
    assert!(matches!(
        Ed25519Verifier::parse(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        ),
        Err(KeyError::Malformed { .. })
    ));
    assert_eq!(
        Ed25519Verifier::parse(
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        ),
        Err(KeyError::WrongSignatureType {
            expected: 0x01,
            actual: 0x65
        })
    );
    assert!(matches!(
        Ed25519Verifier::parse(
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        ),
        Err(KeyError::Malformed { .. })
    ));
}

// Key names must be non-empty, without spaces (Unicode ones included), `+` or control
// characters; a verifier set refuses the same key twice.
#[test]
fn key_names_and_sets() {
    for bad in ["", "a b", "a+b", "a\u{2003}b", "a\nb", "a\u{1}b"] {
        assert!(KeyName::new(bad).is_err(), "{bad:?}");
    }
    for good in [
        "PeterNeumann",
        "example.com/log",
        "oid/1.3.6.1",
        "caf\u{e9}",
    ] {
        assert_eq!(KeyName::new(good).unwrap().as_str(), good);
    }
    let peter = Ed25519Verifier::parse(PETER_VERIFIER_KEY).unwrap();
    let mut set = VerifierSet::new();
    set.add(peter.clone()).unwrap();
    assert_eq!(
        set.add(peter.clone()),
        Err(KeyError::DuplicateKey {
            name: peter.name().clone(),
            key_id: peter.key_id()
        })
    );
    assert_eq!(set.len(), 1);
}
