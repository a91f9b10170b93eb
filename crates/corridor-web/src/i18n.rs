//! Every text a person reads, from a message catalogue: `i18n/<lang>/*.toml`, one directory per
//! language and one file per area of the interface, flat keys with `{name}` placeholders, no key
//! in two files of a language. The build lists the files (`build.rs`), so a third language is a
//! directory of files, not a code change; a test holds that every catalogue has the same keys and placeholders
//! and that the templates name only keys that exist.
//!
//! The language is the account's own setting (`/account`, `PUT /api/users/{user}/language`)
//! when the interface ships it, else the browser's `Accept-Language` (with its q-values) among
//! the shipped catalogues, else English (`crate::visitor::language_of`).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::{Arc, LazyLock};

include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

/// The language used when the browser names none that is shipped.
pub const DEFAULT_LANGUAGE: &str = "en";

/// One language's messages.
#[derive(Debug)]
pub struct Catalogue {
    language: String,
    messages: BTreeMap<String, String>,
}

/// Every shipped catalogue, parsed once. A catalogue that does not parse is left out (and the
/// tests fail on it), so a broken file never stops the server.
static LOADED: LazyLock<Vec<Arc<Catalogue>>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        .filter_map(|(language, files)| match parse_files(files) {
            Ok(messages) => Some(Arc::new(Catalogue {
                language: (*language).to_owned(),
                messages,
            })),
            Err(error) => {
                tracing::error!(%language, %error, "a message catalogue does not parse");
                None
            }
        })
        .collect()
});

/// A catalogue's text as its flat map of keys to messages.
///
/// # Errors
/// When the text is not TOML, or a value is not a string.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| error.to_string())?;
    table
        .into_iter()
        .map(|(key, value)| match value {
            toml::Value::String(message) => Ok((key, message)),
            _ => Err(format!("`{key}` is not a string")),
        })
        .collect()
}

/// A language's files (name, text) as one flat map of keys to messages.
///
/// # Errors
/// When a file does not parse ([`parse`]), or two files name the same key; the error names the
/// file.
pub fn parse_files(files: &[(&str, &str)]) -> Result<BTreeMap<String, String>, String> {
    let mut messages = BTreeMap::new();
    for (name, text) in files {
        for (key, message) in parse(text).map_err(|error| format!("{name}: {error}"))? {
            if messages.insert(key.clone(), message).is_some() {
                return Err(format!("{name}: `{key}` is also in another file"));
            }
        }
    }
    Ok(messages)
}

/// The shipped languages' tags, sorted.
pub fn languages() -> Vec<&'static str> {
    CATALOGUES.iter().map(|(language, _)| *language).collect()
}

/// A shipped language's name in that language (`English`, `Français`): its catalogue's
/// `language.name`, so a language is listed by a name its speakers read whatever the page's
/// language.
pub fn language_name(language: &str) -> String {
    Messages::of(language).t("language.name").to_owned()
}

/// The placeholders (`{name}`) of a message, sorted.
pub fn placeholders(message: &str) -> Vec<String> {
    let mut names: Vec<String> = message
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The messages of one language, as a page uses them.
#[derive(Debug, Clone)]
pub struct Messages {
    catalogue: Arc<Catalogue>,
    fallback: Option<Arc<Catalogue>>,
}

impl Messages {
    /// The messages of `language`, or of [`DEFAULT_LANGUAGE`] if it is not shipped.
    pub fn of(language: &str) -> Self {
        let find = |wanted: &str| {
            LOADED
                .iter()
                .find(|catalogue| catalogue.language == wanted)
                .cloned()
        };
        let fallback = find(DEFAULT_LANGUAGE);
        match find(language).or_else(|| fallback.clone()) {
            Some(catalogue) => Self {
                catalogue,
                fallback,
            },
            None => Self {
                catalogue: Arc::new(Catalogue {
                    language: DEFAULT_LANGUAGE.to_owned(),
                    messages: BTreeMap::new(),
                }),
                fallback: None,
            },
        }
    }

    /// The language of these messages (`<html lang>`).
    pub fn language(&self) -> &str {
        &self.catalogue.language
    }

    /// The message `key`: this language's, else English's, else the key itself (which the
    /// catalogue tests make impossible for the keys the templates name).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).unwrap_or(key)
    }

    /// The message `key`, this language's or else English's, if either catalogue has it: for
    /// keys made from data (a refusal's code), which a catalogue may lack.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.catalogue
            .messages
            .get(key)
            .or_else(|| {
                self.fallback
                    .as_ref()
                    .and_then(|fallback| fallback.messages.get(key))
            })
            .map(String::as_str)
    }

    /// The message `prefix.name` if the catalogue has one, else `name` as it is: for values
    /// from data (a status, a fact's path, a leaf's kind) that the catalogue may name.
    pub fn name_of<'a>(&'a self, prefix: &str, name: &'a str) -> &'a str {
        let key = format!("{prefix}.{name}");
        self.catalogue
            .messages
            .get(&key)
            .or_else(|| {
                self.fallback
                    .as_ref()
                    .and_then(|fallback| fallback.messages.get(&key))
            })
            .map_or(name, String::as_str)
    }

    /// The message `key` with its one placeholder `{name}` replaced by `value`.
    pub fn f1(&self, key: &str, name: &str, value: impl Display) -> String {
        self.t(key)
            .replace(&format!("{{{name}}}"), &value.to_string())
    }

    /// The message `key` with its two placeholders replaced.
    pub fn f2(
        &self,
        key: &str,
        first: &str,
        first_value: impl Display,
        second: &str,
        second_value: impl Display,
    ) -> String {
        self.t(key)
            .replace(&format!("{{{first}}}"), &first_value.to_string())
            .replace(&format!("{{{second}}}"), &second_value.to_string())
    }
}

/// The shipped language the browser prefers, by `Accept-Language` and its q-values (RFC 9110
/// §12.5.4): an exact tag first, else its primary subtag (`fr-CA` → `fr`); ties keep the
/// header's order; `q=0` refuses a language. [`DEFAULT_LANGUAGE`] when none fits.
pub fn negotiate(accept_language: Option<&str>) -> &'static str {
    let shipped = languages();
    let mut wanted: Vec<(String, u16)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|parameter| {
                    let (name, value) = parameter.trim().split_once('=')?;
                    (name.trim() == "q").then(|| quality(value.trim()))
                })
                .unwrap_or(Some(1000))?;
            (!tag.is_empty() && quality > 0).then_some((tag, quality))
        })
        .collect();
    // A stable sort: equal weights keep the order the browser sent them in.
    wanted.sort_by_key(|(_, quality)| std::cmp::Reverse(*quality));
    wanted
        .iter()
        .find_map(|(tag, _)| {
            let primary = tag.split('-').next().unwrap_or(tag);
            shipped
                .iter()
                .find(|language| **language == tag.as_str())
                .or_else(|| shipped.iter().find(|language| **language == primary))
                .copied()
        })
        .unwrap_or(DEFAULT_LANGUAGE)
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths; `None` when it is not one.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}
