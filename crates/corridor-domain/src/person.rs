//! What corridor knows about a person: rule attributes in the clear, personal data sealed.

use std::collections::BTreeSet;
use std::fmt;

use corridor_terms::{Country, Sex, Vulnerability};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A language a person understands, as an ISO 639 code (`en`, `fr`, `kin`, `prs`).
///
/// INVARIANT: 2 or 3 lowercase ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language(String);

impl Language {
    /// Parses an ISO 639-1 or 639-3 code.
    pub fn parse(text: &str) -> Result<Self, String> {
        let code = text.trim();
        if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(format!(
                "`{text}` is not an ISO 639 language code (e.g. `en`, `fr`, `kin`)"
            ))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A short lowercase label used by class-wide court orders: a legal basis (`ina_241`), a
/// designation (`alien_enemies_act`) or a detention place (`dilley`).
///
/// INVARIANT: 1–64 characters of lowercase ASCII letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    /// Longest label accepted.
    pub const LENGTH_MAX: usize = 64;

    /// Parses a label.
    pub fn parse(text: &str) -> Result<Self, String> {
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if text.is_empty() || text.len() > Self::LENGTH_MAX || !text.chars().all(allowed) {
            return Err(format!(
                "`{text}` is not a label: use 1 to {} lowercase letters, digits, `_` or `-`",
                Self::LENGTH_MAX
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What the safeguards read about a person. Stored in the clear: none of it names anyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAttributes {
    /// Nationality.
    pub nationality: Country,
    /// Age in whole years on the day the case was proposed.
    pub age_years_at_proposal: u8,
    /// Sex.
    pub sex: Sex,
    /// Vulnerabilities recorded at proposal (later findings are events).
    pub vulnerabilities: BTreeSet<Vulnerability>,
    /// Countries the person says they fear.
    pub feared_countries: BTreeSet<Country>,
    /// Countries a decision protects the person from being sent to.
    pub protected_countries: BTreeSet<Country>,
    /// Languages the person understands; a notice must use one of them.
    pub languages: BTreeSet<Language>,
    /// The legal basis of the removal order.
    pub legal_basis: Label,
    /// A designation that class orders may name.
    pub designation: Option<Label>,
    /// Where the person is detained, if anywhere.
    pub detention_place: Option<Label>,
    /// The day the removal order was made.
    pub removal_ordered_on: Date,
    /// Whether the person consented to sharing health data with the receiving state.
    pub health_data_consent: bool,
}

/// The personal data of a case, only ever stored sealed (encrypted with the case's key).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonalData {
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Identity and travel documents, as free text.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Contact details.
    #[serde(default)]
    pub contact: Option<String>,
    /// Health notes, shared only with recorded consent.
    #[serde(default)]
    pub health: Option<String>,
}

/// Personal data as ciphertext: opaque to the domain, which never sees a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub String);

/// Age in whole years on `on` for someone born on `birth`; `None` if born after `on`.
pub fn age_years(birth: Date, on: Date) -> Option<u8> {
    if birth > on {
        return None;
    }
    let mut years = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u8::try_from(years).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Ages count whole years and turn over on the birthday itself.
    #[test]
    fn age_turns_on_birthday() {
        assert_eq!(age_years(date(2007, 6, 15), date(2025, 6, 14)), Some(17));
        assert_eq!(age_years(date(2007, 6, 15), date(2025, 6, 15)), Some(18));
        assert_eq!(age_years(date(2026, 1, 1), date(2025, 6, 15)), None);
    }
}
