//! The language an account holder chose for the web interface: [`LanguageTag`], stored in
//! `accounts_users.language` (NULL: follow the browser's `Accept-Language`).
//!
//! The accounts know no catalogue: which languages the interface ships is the web crate's
//! business, and the door that sets a language checks the tag against that list. Here a tag is
//! only held to the shape of a BCP 47 language tag, so that nothing else is ever stored.

use std::fmt;

/// Bytes of the longest tag kept (RFC 5646 §4.4.1 asks implementations to keep at least 35).
pub const LANGUAGE_TAG_LENGTH_MAX_BYTES: usize = 35;

/// A BCP 47 language tag (RFC 5646) of the common shape: a primary language subtag of 2 or 3
/// letters, then subtags of 1 to 8 letters or digits, separated by `-`; lowercase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Parses a tag, in lowercase.
    ///
    /// # Errors
    /// When it is not of that shape, or longer than [`LANGUAGE_TAG_LENGTH_MAX_BYTES`].
    pub fn parse(text: &str) -> Result<Self, String> {
        let refused = || {
            format!(
                "`{}` is not a language tag (such as `en`, `fr` or `fr-RW`)",
                text.chars()
                    .take(LANGUAGE_TAG_LENGTH_MAX_BYTES)
                    .collect::<String>()
            )
        };
        if text.is_empty() || text.len() > LANGUAGE_TAG_LENGTH_MAX_BYTES {
            return Err(refused());
        }
        let mut subtags = text.split('-');
        let primary = subtags.next().unwrap_or_default();
        let primary_fits =
            (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
        let rest_fits = subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !(primary_fits && rest_fits) {
            return Err(refused());
        }
        // INVARIANT: ASCII letters, digits and `-` only, lowercase, at most 35 bytes.
        Ok(Self(text.to_ascii_lowercase()))
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
