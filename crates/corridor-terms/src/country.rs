//! corridor's own country type, so that no other crate depends on the ISO table's API.

use std::fmt;

/// A state, by its ISO 3166-1 alpha-3 code.
///
/// INVARIANT: the three bytes are an uppercase alpha-3 code that ISO 3166-1 assigns.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 3]);

impl Country {
    /// Parses an alpha-3 code such as `RWA`; lowercase is accepted and normalised.
    pub fn parse(text: &str) -> Result<Self, String> {
        let upper = text.to_ascii_uppercase();
        match (upper.as_bytes(), rust_iso3166::from_alpha3(&upper)) {
            ([a, b, c], Some(_)) => Ok(Self([*a, *b, *c])),
            _ => Err(format!(
                "`{text}` is not an ISO 3166-1 alpha-3 country code (e.g. `RWA`, `GBR`, `USA`)"
            )),
        }
    }

    /// The alpha-3 code.
    pub fn code(&self) -> &str {
        // INVARIANT: built only from ASCII letters in `parse`.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The English short name from ISO 3166-1.
    pub fn name(&self) -> &'static str {
        rust_iso3166::from_alpha3(self.code()).map_or("unknown", |country| country.name)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.code())
    }
}

impl std::str::FromStr for Country {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known codes parse, case-insensitively; unknown and malformed ones do not.
    #[test]
    fn parses_only_assigned_codes() {
        assert_eq!(
            Country::parse("rwa").map(|c| c.to_string()),
            Ok("RWA".to_owned())
        );
        assert_eq!(Country::parse("ALB").map(|c| c.name()), Ok("Albania"));
        for bad in ["", "RW", "RWAA", "XXX", "R1A", "ÄBC"] {
            assert!(Country::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
