//! C2SP tlog-checkpoint bodies: strict parsing, formatting, signing and opening.

use corridor_log::checkpoint::{Checkpoint, CheckpointError, open_checkpoint};
use corridor_log::hash::HashParseError;
use corridor_log::note::{NoteError, VerifierSet};

use crate::signer;

/// The tlog-checkpoint spec's example body.
const SPEC_EXAMPLE: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/// Parses a body and renders the outcome as text, for data-driven cases.
fn check(body: &str) -> String {
    match Checkpoint::parse(body) {
        Ok(checkpoint) => {
            assert_eq!(checkpoint.to_text(), body, "formatting must round-trip");
            format!(
                "ok {} {} {} +{}",
                checkpoint.origin(),
                checkpoint.size(),
                checkpoint.root().to_base64(),
                checkpoint.extension_lines().len()
            )
        }
        Err(error) => format!("error: {error}"),
    }
}

// Well-formed bodies parse and re-render byte for byte; anything else is refused with a reason.
#[test]
fn bodies_parse_strictly() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let cases: Vec<(String, String)> = vec![
        (SPEC_EXAMPLE.to_owned(), format!("ok example.com/behind-the-sofa 20852163 {root} +0")),
        (format!("log\n0\n{root}\n"), format!("ok log 0 {root} +0")),
        (format!("log\n18446744073709551615\n{root}\n"), format!("ok log 18446744073709551615 {root} +0")),
        (format!("log with spaces\n1\n{root}\next one\next two\n"), format!("ok log with spaces 1 {root} +2")),
        (format!("log\n020852163\n{root}\n"), "error: the tree size `020852163` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n00\n{root}\n"), "error: the tree size `00` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n+5\n{root}\n"), "error: the tree size `+5` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n-1\n{root}\n"), "error: the tree size `-1` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n 5\n{root}\n"), "error: the tree size ` 5` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n\n{root}\n"), "error: the tree size `` is not a decimal number without leading zeros".to_owned()),
        (format!("log\n18446744073709551616\n{root}\n"), "error: the tree size `18446744073709551616` is not a decimal number without leading zeros".to_owned()),
        (format!("\n1\n{root}\n"), "error: the origin must not be empty".to_owned()),
        (format!("log\n1\n{root}"), "error: the checkpoint must end in a newline".to_owned()),
        ("log\n1\n".to_owned(), "error: the checkpoint needs an origin, a size and a root hash".to_owned()),
        ("log\n1\nAAAA\n".to_owned(), "error: the root hash is invalid".to_owned()),
        ("log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(), "error: the root hash is invalid".to_owned()),
        ("log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_owned(), "error: the root hash is invalid".to_owned()),
        (format!("log\n1\n{root}\n\n"), "error: extension lines must not be empty".to_owned()),
        (format!("log\n1\n{root}\next\n\nmore\n"), "error: extension lines must not be empty".to_owned()),
        (format!("lo\tg\n1\n{root}\n"), "error: checkpoint lines must not contain control characters".to_owned()),
    ];
    for (body, expected) in cases {
        assert_eq!(check(&body), expected, "{body:?}");
    }
    assert!(matches!(
        Checkpoint::parse("log\n1\nAAAA\n"),
        Err(CheckpointError::InvalidRoot(HashParseError::Base64))
    ));
}

// A checkpoint signed by the log opens with the log's key, and only as its own origin.
#[test]
fn signed_checkpoints_open_with_the_log_key() {
    let log = signer("corridor.example/log");
    let checkpoint = Checkpoint::parse(SPEC_EXAMPLE).unwrap();
    let note = checkpoint.sign(&log).unwrap();
    let text = note.to_text();
    assert!(text.starts_with(SPEC_EXAMPLE));
    assert!(text.contains("\n\n\u{2014} corridor.example/log "));

    let trusted = VerifierSet::new().with(log.verifier()).unwrap();
    let opened = open_checkpoint(text.as_bytes(), "example.com/behind-the-sofa", &trusted).unwrap();
    assert_eq!(opened.checkpoint(), &checkpoint);

    assert_eq!(
        open_checkpoint(text.as_bytes(), "example.com/elsewhere", &trusted),
        Err(CheckpointError::OriginMismatch {
            expected: "example.com/elsewhere".to_owned(),
            actual: "example.com/behind-the-sofa".to_owned(),
        })
    );
    let stranger = VerifierSet::new()
        .with(signer("stranger").verifier())
        .unwrap();
    assert_eq!(
        open_checkpoint(text.as_bytes(), "example.com/behind-the-sofa", &stranger),
        Err(CheckpointError::Note(NoteError::NoVerifiedSignature))
    );
    let tampered = text.replace("20852163", "20852164");
    assert!(matches!(
        open_checkpoint(tampered.as_bytes(), "example.com/behind-the-sofa", &trusted),
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
    ));
}
