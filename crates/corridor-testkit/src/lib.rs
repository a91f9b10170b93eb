//! Test support that the workspace's test binaries share: values written in a test (moments,
//! days, countries, labels, users, parties, actors) and the shipped agreement files.
//!
//! A dev-dependency only, never published. What lives here is what two or more crates' tests
//! wrote alike; a helper one test binary needs stays in that binary's fixture. Each function
//! panics on a malformed value, naming it: a typo in a test fails that test at once.
//!
//! [`refusals`] gives one refusal of every kind the core can give.
//!
//! With the feature `store`, [`sealed`] makes proposals whose personal data is sealed and whose
//! case key is wrapped as the store keeps them, for the crates above the store. Fresh test
//! databases are not here: they are `corridor_store::testing`, which the store's own tests use too.

#![deny(missing_docs)]
#![expect(
    clippy::panic,
    reason = "test support: a malformed value written in a test fails that test, naming the value"
)]

pub mod refusals;
#[cfg(feature = "store")]
pub mod sealed;

use std::path::PathBuf;

use corridor_domain::terms::Country;
use corridor_domain::{Actor, Label, Language, Party, Role, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

/// The directory of the shipped agreement files.
pub const AGREEMENTS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../agreements");

/// The shipped United States–Rwanda agreement file.
pub const US_RWA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../agreements/us-rwa-2025.toml"
);

/// A moment in August 2025, after the US–Rwanda agreement came into force (1 Aug 2025).
pub const AUG_10: &str = "2025-08-10T09:00:00Z";

/// The path of a shipped agreement file.
pub fn agreement_path(file: &str) -> PathBuf {
    PathBuf::from(AGREEMENTS_DIR).join(file)
}

/// A shipped agreement file's text.
pub fn agreement_text(file: &str) -> String {
    let path = agreement_path(file);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Parses a timestamp written in a test.
pub fn at(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|error| panic!("bad timestamp `{text}`: {error}"))
}

/// Parses a date written in a test.
pub fn day(text: &str) -> Date {
    text.parse()
        .unwrap_or_else(|error| panic!("bad date `{text}`: {error}"))
}

/// Parses a country code written in a test.
pub fn country(code: &str) -> Country {
    Country::parse(code).unwrap_or_else(|error| panic!("{error}"))
}

/// Parses a label written in a test.
pub fn label(text: &str) -> Label {
    Label::parse(text).unwrap_or_else(|error| panic!("{error}"))
}

/// Parses a language tag written in a test.
pub fn language(tag: &str) -> Language {
    Language::parse(tag).unwrap_or_else(|error| panic!("{error}"))
}

/// Parses a user name written in a test.
pub fn user(name: &str) -> UserId {
    UserId::parse(name).unwrap_or_else(|error| panic!("{error}"))
}

/// A party written as a test writes it: `state:USA`, `court:dc-dc`,
/// `monitoring_body:test-monitors`, `clients` or `none`.
pub fn party(text: &str) -> Party {
    match text.split_once(':') {
        Some(("state", code)) => Party::State(country(code)),
        Some(("court", court)) => Party::Court(court.to_owned()),
        Some(("monitoring_body", body)) => Party::MonitoringBody(body.to_owned()),
        None if text == "clients" => Party::Clients,
        None if text == "none" => Party::None,
        _ => panic!("bad party `{text}`: write state:, court:, monitoring_body:, clients or none"),
    }
}

/// `user` acting in `role` for `party`.
pub fn actor(user_name: &str, role: Role, party: Party) -> Actor {
    Actor {
        user: user(user_name),
        role,
        party,
    }
}
