//! Clock durations as written in agreement files (`"48 hours"`, `"6 months"`, `"P2M"`).

use std::fmt;

use jiff::tz::TimeZone;
use jiff::{Span, SpanRound, Timestamp, Unit};

/// A positive duration that may use calendar units (months, years), as the law writes deadlines.
///
/// INVARIANT: strictly positive, whole units only, and no longer than [`ClockSpan::YEARS_MAX`]
/// years, so adding it to any timestamp corridor handles cannot overflow.
#[derive(Clone, Copy)]
pub struct ClockSpan(Span);

impl ClockSpan {
    /// The longest clock any agreement may set, in years.
    pub const YEARS_MAX: i64 = 10;

    /// Parses a duration in jiff's friendly format (`"24 hours"`, `"6 months"`) or ISO 8601
    /// (`"P6M"`, `"PT48H"`), saying what is wrong with a bad one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let span: Span = text.trim().parse().map_err(|error| {
            format!("`{text}` is not a duration (write e.g. `24 hours`, `2 months`): {error}")
        })?;
        Self::from_span(span).map_err(|reason| format!("`{text}` {reason}"))
    }

    fn from_span(span: Span) -> Result<Self, &'static str> {
        if span.is_negative() {
            return Err("is negative: a clock runs forwards");
        }
        if span.is_zero() {
            return Err("is zero: leave the clock out instead");
        }
        if span.get_milliseconds() != 0
            || span.get_microseconds() != 0
            || span.get_nanoseconds() != 0
        {
            return Err("has sub-second parts: clocks are counted in whole seconds or more");
        }
        // Compare against the limit from a fixed reference day so months and years are judged
        // with real calendar lengths.
        let reference = jiff::civil::date(2000, 1, 1)
            .at(0, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC);
        let (Ok(reference), Ok(limit)) = (reference, Span::new().try_years(Self::YEARS_MAX)) else {
            return Err("cannot be checked");
        };
        let (Ok(end), Ok(end_limit)) = (reference.checked_add(span), reference.checked_add(limit))
        else {
            return Err("is absurdly long");
        };
        if end > end_limit {
            return Err("is longer than 10 years: no agreement clock runs that long");
        }
        Ok(Self(span))
    }

    /// The moment this long after `start`, adding calendar units in UTC.
    pub fn after(&self, start: Timestamp) -> Timestamp {
        // INVARIANT: bounded at construction, so this cannot overflow for timestamps between the
        // years 1900 and 2200, the only ones corridor accepts.
        start
            .to_zoned_datetime(TimeZone::UTC)
            .checked_add(self.0)
            .map_or(Timestamp::MAX, |zoned| zoned.timestamp())
    }

    /// The moment this long before `end`, subtracting calendar units in UTC.
    pub fn before(&self, end: Timestamp) -> Timestamp {
        // INVARIANT: bounded at construction, as for `after`.
        end.to_zoned_datetime(TimeZone::UTC)
            .checked_sub(self.0)
            .map_or(Timestamp::MIN, |zoned| zoned.timestamp())
    }

    /// The underlying span.
    pub fn span(&self) -> Span {
        self.0
    }

    /// The duration in whole hours, rounded down, relative to `start` (for messages).
    pub fn hours_from(&self, start: Timestamp) -> i64 {
        let relative = start.to_zoned_datetime(TimeZone::UTC);
        self.0
            .round(SpanRound::new().largest(Unit::Hour).relative(&relative))
            .map_or(0, |span| span.get_hours().into())
    }
}

impl PartialEq for ClockSpan {
    fn eq(&self, other: &Self) -> bool {
        self.0.fieldwise() == other.0.fieldwise()
    }
}

impl Eq for ClockSpan {}

impl fmt::Display for ClockSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl fmt::Debug for ClockSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClockSpan({:#})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Friendly and ISO forms parse; negative, zero, fractional and absurd spans are refused.
    #[test]
    fn parse_checks_bounds() {
        for good in [
            "24 hours",
            "6 months",
            "P2M",
            "PT48H",
            "18 months",
            "5 years",
            "7 days",
        ] {
            assert!(ClockSpan::parse(good).is_ok(), "{good} should parse");
        }
        for bad in [
            "-3 days",
            "0 days",
            "",
            "soon",
            "11 years",
            "1000000 hours",
            "1.5 seconds",
        ] {
            assert!(ClockSpan::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    /// Calendar months are added with real month lengths.
    #[test]
    fn months_follow_the_calendar() {
        let start: Timestamp = "2025-01-31T12:00:00Z".parse().unwrap();
        let two_months = ClockSpan::parse("2 months").unwrap();
        assert_eq!(two_months.after(start).to_string(), "2025-03-31T12:00:00Z");
        let one_month = ClockSpan::parse("1 month").unwrap();
        assert_eq!(one_month.after(start).to_string(), "2025-02-28T12:00:00Z");
    }
}
