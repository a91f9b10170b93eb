//! Refusals and problems in the visitor's language: the sentence and the title a page shows
//! for an error the application or the HTTP layer answered with, from the catalogues
//! (`i18n/<lang>/refusals.toml` for the core's refusals, `i18n/<lang>/errors.toml` for every
//! other problem), with the error's facts in the placeholders.
//!
//! A refusal's message is `refusal.<code>`, whose placeholders are exactly the refusal's facts.
//! A refusal that gives one of its facts only sometimes (`latest` of
//! `departure_outside_schedule`, `recorded` of `time_before_recorded`) has a second message,
//! `refusal.<code>.without_<fact>`, for when it is absent. Any other problem's message is
//! `problem.<code>`, whose placeholders are among its facts (and `retry_after_seconds`, when the
//! problem says when to retry). Titles are `refusal.<code>.title` and `problem.<code>.title`.
//!
//! Where no catalogue has a message whose every placeholder the facts fill, the application
//! layer's English sentence (the problem's `detail`) is shown, never a half-filled message.
//!
//! Facts from a fixed vocabulary (an agreement's or a case's status, a role, a command, a cap,
//! a finding's category, severity and outcome, a party, a complaint's status) are named in the
//! visitor's language (`value.<vocabulary>.<value>`, `role.<role>`); a moment is written
//! `2025-08-10 09:00 UTC`; every other fact (an id, a court's reference, a country code, the
//! core's reasons) is shown as it is.

use std::collections::BTreeMap;

use corridor_api::ApiError;
use corridor_api::problem::Problem;
use corridor_domain::Refusal;

use crate::i18n::{Messages, placeholders};

/// The fact that says when to retry, added to a problem's facts when it has one.
pub const RETRY_AFTER_FACT: &str = "retry_after_seconds";

/// Facts whose values come from a fixed vocabulary: (fact, catalogue prefix of its values).
const VOCABULARIES: [(&str, &str); 10] = [
    ("cap", "value.cap"),
    ("status", "value.status"),
    ("from", "value.complaint_status"),
    ("to", "value.complaint_status"),
    ("outcome", "value.outcome"),
    ("severity", "value.severity"),
    ("category", "value.category"),
    ("party", "value.party"),
    ("command", "value.command"),
    ("role", "role"),
];

/// The sentence for `problem` in the language of `messages`: the catalogue's message for its
/// code with its facts filled in, or the application layer's English sentence (`detail`) when
/// no catalogue has a message its facts fill. Call it with a refusal's problem (a form refused
/// by a safeguard) or any other (an error page).
pub fn sentence(messages: &Messages, problem: &Problem) -> String {
    let facts = facts_of(problem);
    let prefix = if problem.safeguard.is_some() {
        "refusal"
    } else {
        "problem"
    };
    message_key(messages, prefix, &problem.code, &facts)
        .and_then(|key| fill(messages, &key, &facts))
        .unwrap_or_else(|| problem.detail.clone())
}

/// The title for `problem` in the language of `messages` (`refusal.<code>.title` or
/// `problem.<code>.title`), or the application layer's English title.
pub fn title(messages: &Messages, problem: &Problem) -> String {
    let prefix = if problem.safeguard.is_some() {
        "refusal"
    } else {
        "problem"
    };
    messages
        .get(&format!("{prefix}.{}.title", problem.code))
        .map_or_else(|| problem.title.clone(), str::to_owned)
}

/// The sentence for a refusal by the core, in the language of `messages`: [`sentence`] of the
/// problem the API answers it with.
pub fn refusal_sentence(messages: &Messages, refusal: &Refusal) -> String {
    sentence(messages, &ApiError::from(refusal.clone()).problem())
}

/// The catalogue key whose message is used for a problem of `code` with these `facts`, under
/// `prefix` (`refusal` or `problem`): `<prefix>.<code>` when its placeholders are all among the
/// facts, else `<prefix>.<code>.without_<fact>` for the one placeholder missing, if that message
/// exists and the facts fill it. `None` when neither fits.
pub fn message_key(
    messages: &Messages,
    prefix: &str,
    code: &str,
    facts: &BTreeMap<String, String>,
) -> Option<String> {
    let key = format!("{prefix}.{code}");
    let fits = |key: &str| {
        messages.get(key).is_some_and(|message| {
            placeholders(message)
                .iter()
                .all(|name| facts.contains_key(name))
        })
    };
    if fits(&key) {
        return Some(key);
    }
    let missing: Vec<String> = messages
        .get(&key)
        .map(placeholders)
        .unwrap_or_default()
        .into_iter()
        .filter(|name| !facts.contains_key(name))
        .collect();
    match missing.as_slice() {
        [absent] => {
            let without = format!("{key}.without_{absent}");
            fits(&without).then_some(without)
        }
        _ => None,
    }
}

/// The message `key` with every placeholder replaced by its fact, named in the visitor's
/// language; `None` when the facts do not fill it.
/// One pass over the message, so that a fact's text (a court's reference may hold braces) is
/// never read as a placeholder.
fn fill(messages: &Messages, key: &str, facts: &BTreeMap<String, String>) -> Option<String> {
    let message = messages.get(key)?;
    let mut text = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        text.push_str(before);
        let Some((name, tail)) = after.get(1..).and_then(|inner| inner.split_once('}')) else {
            text.push_str(after);
            return Some(text);
        };
        text.push_str(&shown(messages, name, facts.get(name)?));
        rest = tail;
    }
    text.push_str(rest);
    Some(text)
}

/// A problem's facts, with when to retry when it says so.
fn facts_of(problem: &Problem) -> BTreeMap<String, String> {
    let mut facts = problem.facts.clone();
    if let Some(seconds) = problem.retry_after_seconds {
        facts.insert(RETRY_AFTER_FACT.to_owned(), seconds.to_string());
    }
    facts
}

/// A fact's value as a person reads it in the visitor's language.
fn shown(messages: &Messages, name: &str, value: &str) -> String {
    if let Some((_, prefix)) = VOCABULARIES.iter().find(|(fact, _)| *fact == name) {
        return messages
            .get(&format!("{prefix}.{value}"))
            .map_or_else(|| value.replace('_', " "), str::to_owned);
    }
    match value.parse::<jiff::Timestamp>() {
        Ok(moment) => moment.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => value.to_owned(),
    }
}
