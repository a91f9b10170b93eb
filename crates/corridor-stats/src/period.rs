//! The periods a release covers: a calendar month (UTC), a quarter, a year, and the whole time
//! since an agreement entered into force. Every count is tallied by month; a longer period is the
//! sum of its months.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A calendar month in UTC, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    // INVARIANT: 1 <= month <= 12, 1970 <= year <= 9999.
    year: u16,
    month: u8,
}

/// Why a period's text was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a period: use a month (`2026-11`), a quarter (`2026-Q4`), a year (`2026`) or `since-entry`"
)]
pub struct PeriodError(pub String);

impl Month {
    /// The month, if `1 <= month <= 12` and the year is between 1970 and 9999.
    pub fn new(year: u16, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1970..=9999).contains(&year)).then_some(Self { year, month })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The quarter it lies in, 1 to 4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// The month after.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Every month from `self` to `last`, both included (none if `last` is earlier).
    pub fn through(self, last: Self) -> Vec<Self> {
        let mut months = Vec::new();
        let mut month = self;
        while month <= last {
            months.push(month);
            month = month.next();
        }
        months
    }
}

impl fmt::Display for Month {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || PeriodError(text.to_owned());
        let (year, month) = text.split_once('-').ok_or_else(error)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(error());
        }
        let year = year.parse().map_err(|_| error())?;
        let month = month.parse().map_err(|_| error())?;
        Self::new(year, month).ok_or_else(error)
    }
}

impl TryFrom<String> for Month {
    type Error = PeriodError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Month> for String {
    fn from(month: Month) -> Self {
        month.to_string()
    }
}

/// What a release covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// One month, labelled `2026-11`.
    Month(Month),
    /// A quarter, labelled `2026-Q4`.
    Quarter {
        /// The year.
        year: u16,
        /// 1 to 4.
        quarter: u8,
    },
    /// A calendar year, labelled `2026`.
    Year(u16),
    /// Every month from the agreement's entry into force to `to`, labelled `2025-08..2026-11`.
    Since {
        /// The month the agreement entered into force.
        from: Month,
        /// The last month counted.
        to: Month,
    },
}

impl Period {
    /// The label every cell of the period carries.
    pub fn label(&self) -> String {
        match self {
            Self::Month(month) => month.to_string(),
            Self::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
            Self::Year(year) => format!("{year:04}"),
            Self::Since { from, to } => format!("{from}..{to}"),
        }
    }

    /// Its months, in order.
    pub fn months(&self) -> Vec<Month> {
        match *self {
            Self::Month(month) => vec![month],
            Self::Quarter { year, quarter } => {
                let first = Month::new(year, quarter * 3 - 2);
                let last = Month::new(year, quarter * 3);
                match (first, last) {
                    (Some(first), Some(last)) => first.through(last),
                    _ => Vec::new(),
                }
            }
            Self::Year(year) => match (Month::new(year, 1), Month::new(year, 12)) {
                (Some(first), Some(last)) => first.through(last),
                _ => Vec::new(),
            },
            Self::Since { from, to } => from.through(to),
        }
    }

    /// The last month it covers.
    pub fn last_month(&self) -> Option<Month> {
        self.months().last().copied()
    }

    /// The period of a label: `2026-11`, `2026-Q4`, `2026` or `2025-08..2026-11`.
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let error = || PeriodError(text.to_owned());
        if let Some((from, to)) = text.split_once("..") {
            let (from, to) = (from.parse::<Month>()?, to.parse::<Month>()?);
            return if from <= to {
                Ok(Self::Since { from, to })
            } else {
                Err(error())
            };
        }
        if let Some((year, quarter)) = text.split_once("-Q") {
            let year: u16 = year.parse().map_err(|_| error())?;
            let quarter: u8 = quarter.parse().map_err(|_| error())?;
            return ((1..=4).contains(&quarter)
                && Month::new(year, 1).is_some()
                && year_text(text))
            .then_some(Self::Quarter { year, quarter })
            .ok_or_else(error);
        }
        if text.len() == 4 {
            let year: u16 = text.parse().map_err(|_| error())?;
            return Month::new(year, 1)
                .map(|_| Self::Year(year))
                .ok_or_else(error);
        }
        text.parse().map(Self::Month)
    }
}

/// Whether a quarter's text starts with four digits (`2026-Q4`, not `26-Q4`).
fn year_text(text: &str) -> bool {
    text.len() == 7 && text.bytes().take(4).all(|byte| byte.is_ascii_digit())
}

impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_back_to_their_period() {
        for text in ["2026-11", "2026-Q4", "2026", "2025-08..2026-11"] {
            assert_eq!(
                Period::parse(text).map(|period| period.label()),
                Ok(text.to_owned())
            );
        }
        for text in [
            "2026-13",
            "2026-Q5",
            "26",
            "2026-11..2025-08",
            "2026-1",
            "x",
            "2026-Q",
            "",
        ] {
            assert!(Period::parse(text).is_err(), "{text}");
        }
        assert_eq!(
            Period::parse("2026-Q2").map(|period| period.months().len()),
            Ok(3)
        );
        assert_eq!(
            Period::parse("2026").map(|period| period.months().len()),
            Ok(12)
        );
    }
}
