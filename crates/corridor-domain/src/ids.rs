//! Identifiers. Each is a newtype with one fallible constructor from text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! random_id {
    ($name:ident, $prefix:literal, $what:literal) => {
        #[doc = concat!("Identifies a ", $what, ", written `", $prefix, "-` and 16 hex digits.")]
        ///
        /// The number comes from the caller's id source (seeded in demos and tests), never from
        /// the domain itself. It is a pseudonym: it says nothing about the person.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u64);

        impl $name {
            /// Wraps a number drawn by the caller.
            pub fn from_u64(value: u64) -> Self {
                Self(value)
            }

            /// The number behind the id.
            pub fn as_u64(self) -> u64 {
                self.0
            }

            /// Parses `prefix-0123456789abcdef`.
            pub fn parse(text: &str) -> Result<Self, String> {
                text.strip_prefix(concat!($prefix, "-"))
                    .filter(|hex| hex.len() == 16)
                    .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                    .map(Self)
                    .ok_or_else(|| {
                        format!(
                            "`{text}` is not a {} id (expected `{}-` followed by 16 hex digits)",
                            $what, $prefix
                        )
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "-{:016x}"), self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                Self::parse(text)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

random_id!(CaseId, "case", "case");
random_id!(HoldId, "hold", "hold");
random_id!(VisitId, "visit", "visit");
random_id!(FindingId, "finding", "finding");
random_id!(ComplaintId, "complaint", "complaint to the monitoring body");

/// A user's login name.
///
/// INVARIANT: 1–64 characters of lowercase ASCII letters, digits, `.`, `_` and `-`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UserId(String);

impl UserId {
    /// Longest name accepted.
    pub const LENGTH_MAX: usize = 64;

    /// Parses a user name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if text.is_empty() || text.len() > Self::LENGTH_MAX || !text.chars().all(allowed) {
            return Err(format!(
                "`{text}` is not a user name: use 1 to {} lowercase letters, digits, `.`, `_` or `-`",
                Self::LENGTH_MAX
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0)
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids print and parse back, and malformed ids are refused with a reason.
    #[test]
    fn ids_round_trip() {
        let id = CaseId::from_u64(0x00ab_cdef_0123_4567);
        assert_eq!(id.to_string(), "case-00abcdef01234567");
        assert_eq!(CaseId::parse(&id.to_string()), Ok(id));
        for bad in [
            "case-1",
            "hold-00abcdef01234567",
            "case-00abcdef0123456g",
            "",
        ] {
            assert!(CaseId::parse(bad).is_err(), "{bad}");
        }
        assert!(UserId::parse("officer.smith").is_ok());
        assert!(UserId::parse("Officer Smith").is_err());
    }
}
