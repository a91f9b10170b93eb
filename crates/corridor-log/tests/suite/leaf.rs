//! corridor's public leaf format: the exact bytes a leaf has, read back only in that form, and
//! the salted commitment that only the event's holder can open.

use corridor_log::leaf::{Leaf, LeafError, commitment, leaf_entry};

const SALT: [u8; 32] = [3; 32];
const EVENT: &str = "{\"kind\":\"case_proposed\",\"sealed\":\"…\"}";

fn entry(agreement: Option<&str>) -> Vec<u8> {
    leaf_entry(
        "case_proposed",
        agreement,
        "2025-08-04",
        &commitment(&SALT, EVENT),
    )
}

#[test]
fn the_leaf_format_is_fixed() {
    // Proves the bytes of a leaf are the documented format (docs/log.md "What a leaf says").
    let expected = format!(
        "corridor/leaf/v1\nkind case_proposed\nagreement us-rwa-2025\nday 2025-08-04\ncommitment {}\n",
        commitment(&SALT, EVENT).to_base64()
    );
    assert_eq!(entry(Some("us-rwa-2025")), expected.into_bytes());
    let hold = String::from_utf8(entry(None)).unwrap();
    assert!(hold.contains("\nagreement -\n"), "{hold}");
}

#[test]
fn a_leaf_reads_back_as_written() {
    // Proves parse is the inverse of the writer, with and without an agreement.
    for agreement in [Some("us-rwa-2025"), None] {
        let bytes = entry(agreement);
        let leaf = Leaf::parse(&bytes).unwrap();
        assert_eq!(leaf.kind(), "case_proposed");
        assert_eq!(leaf.agreement(), agreement);
        assert_eq!(leaf.day(), "2025-08-04");
        assert_eq!(leaf.to_entry(), bytes);
    }
}

#[test]
fn only_the_canonical_form_is_read() {
    // Proves a leaf with an extra line, a missing or spaced field, a bad commitment or another
    // header is refused, naming what is wrong.
    let good = String::from_utf8(entry(Some("a"))).unwrap();
    let check = |text: String, expected: LeafError| {
        assert_eq!(Leaf::parse(text.as_bytes()), Err(expected), "{text}");
    };
    check(format!("{good}extra\n"), LeafError::NotCanonical);
    check(
        good.replace("\nday ", "\nday  "),
        LeafError::InvalidValue { field: "day" },
    );
    check(
        good.replace("kind case_proposed", "kind "),
        LeafError::InvalidValue { field: "kind" },
    );
    check(
        good.replace("agreement a\n", ""),
        LeafError::MissingLine { field: "agreement" },
    );
    check(
        good.replace("corridor/leaf/v1", "corridor/leaf/v2"),
        LeafError::MissingLine {
            field: "corridor/leaf/v1",
        },
    );
    let commitment_line = good.lines().last().unwrap().to_owned();
    check(
        good.replace(&commitment_line, "commitment AAAA"),
        LeafError::InvalidCommitment,
    );
    assert_eq!(Leaf::parse(&[0xff]), Err(LeafError::NotUtf8));
}

#[test]
fn only_the_event_and_its_salt_open_the_commitment() {
    // Proves the commitment opens to exactly the stored bytes under exactly the salt.
    let leaf = Leaf::parse(&entry(Some("a"))).unwrap();
    assert!(leaf.opens_to(&SALT, EVENT));
    assert!(!leaf.opens_to(&SALT, EVENT.replace("proposed", "withdrawn")));
    assert!(!leaf.opens_to(&[4; 32], EVENT));
}
