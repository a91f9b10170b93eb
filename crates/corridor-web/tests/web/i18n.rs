//! The catalogues: every language has the same keys with the same placeholders, the templates
//! and the code name only keys that exist, and `Accept-Language` is read with its q-values.

use std::collections::BTreeMap;

use corridor_web::i18n::{CATALOGUES, languages, negotiate, parse_files, placeholders};

fn catalogues() -> BTreeMap<&'static str, BTreeMap<String, String>> {
    CATALOGUES
        .iter()
        .map(|(language, files)| {
            (
                *language,
                parse_files(files).unwrap_or_else(|error| panic!("{language}: {error}")),
            )
        })
        .collect()
}

/// English and French ship, with exactly the same keys and placeholders.
#[test]
fn every_catalogue_has_the_same_keys_and_placeholders() {
    let all = catalogues();
    assert!(languages().contains(&"en") && languages().contains(&"fr"));
    let english = &all["en"];
    for (language, catalogue) in &all {
        let keys: Vec<&String> = catalogue.keys().collect();
        let expected: Vec<&String> = english.keys().collect();
        assert_eq!(keys, expected, "{language} has other keys than en");
        for (key, message) in catalogue {
            assert_eq!(
                placeholders(message),
                placeholders(&english[key]),
                "{language}: {key}"
            );
        }
    }
}

/// Every key a template or the code names literally is in the English catalogue.
#[test]
fn templates_and_code_name_only_keys_that_exist() {
    let english = &catalogues()["en"];
    let root = concat!(env!("CARGO_MANIFEST_DIR"));
    let mut named = 0;
    for dir in ["templates", "src"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("the directory") {
            let path = entry.expect("an entry").path();
            let text = std::fs::read_to_string(&path).expect("a text file");
            for call in ["t(\"", "f1(\"", "f2(\"", "password.", "login.notice"] {
                for (at, _) in text.match_indices(call) {
                    let start = if call.ends_with('"') {
                        at + call.len()
                    } else {
                        at
                    };
                    let key: String = text[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
                        .collect();
                    // A key is a string literal of two dotted words at least; `password.` in
                    // prose and a template's file name (`password.html`) are not keys.
                    if !key.contains('.')
                        || key.ends_with('.')
                        || key.ends_with(".html")
                        || !text[..start].ends_with('"')
                    {
                        continue;
                    }
                    named += 1;
                    assert!(
                        english.contains_key(&key),
                        "{}: `{key}` is not in the English catalogue (i18n/en/)",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(named > 100, "the scan found the keys ({named})");
}

/// `Accept-Language` by q-values, primary subtags, refusals and the default.
#[test]
fn the_language_is_negotiated_by_quality() {
    for (header, expected) in [
        (None, "en"),
        (Some("fr"), "fr"),
        (Some("fr-RW"), "fr"),
        (Some("de, fr;q=0.5"), "fr"),
        (Some("en;q=0.5, fr;q=0.8"), "fr"),
        (Some("fr;q=0, en"), "en"),
        (Some("rw, sw"), "en"),
        (Some("fr;q=2"), "en"),
        (Some("en, fr"), "en"),
    ] {
        assert_eq!(negotiate(header), expected, "{header:?}");
    }
}
