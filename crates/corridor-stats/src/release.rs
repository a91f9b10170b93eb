//! A release: what is published, with no true count. Serialised as the release's JSON file;
//! the CSV, the data package and the charts are written from it (`crate::files`).

use serde::{Deserialize, Serialize};

use crate::measure::Breakdown;
use crate::period::{Month, Period};

/// The first field of every release's JSON: the format and its version.
pub const RELEASE_FORMAT: &str = "corridor/statistics/v1";

/// The public log's checkpoint a release was computed at: every event up to `size` leaves, and
/// none after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPoint {
    /// The log's origin (its checkpoint's first line).
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash, base64.
    pub root: String,
}

/// An agreement as a release describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementInfo {
    /// Its id.
    pub id: String,
    /// The sending state, ISO 3166-1 alpha-3.
    pub sending: String,
    /// The receiving state, ISO 3166-1 alpha-3.
    pub receiving: String,
    /// The month it entered into force (the first month counted).
    pub entry_into_force: Month,
    /// The breakdowns of people its terms allow publishing.
    pub breakdowns: Vec<Breakdown>,
}

/// What a release covers, as asked: a period, or everything since each agreement entered into
/// force up to a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleasePeriod {
    /// A month, a quarter or a year (never [`Period::Since`]).
    Period(Period),
    /// From each agreement's entry into force to this month.
    SinceEntry {
        /// The last month counted.
        to: Month,
    },
}

impl ReleasePeriod {
    /// Its label: the period's, or `since-entry..2026-11`.
    pub fn label(&self) -> String {
        match self {
            Self::Period(period) => period.label(),
            Self::SinceEntry { to } => format!("since-entry..{to}"),
        }
    }

    /// The period of one agreement's cells; `None` if the agreement entered into force after it.
    pub fn for_agreement(&self, entry_into_force: Month) -> Option<Period> {
        match *self {
            Self::Period(period) => period
                .last_month()
                .filter(|last| entry_into_force <= *last)
                .map(|_| period),
            Self::SinceEntry { to } => (entry_into_force <= to).then_some(Period::Since {
                from: entry_into_force,
                to,
            }),
        }
    }

    /// The last month it covers.
    pub fn last_month(&self) -> Option<Month> {
        match self {
            Self::Period(period) => period.last_month(),
            Self::SinceEntry { to } => Some(*to),
        }
    }
}

/// What a release publishes for one cell. Whether a suppression was primary or secondary is
/// never published: it would tell which suppressed cells are small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// The true count, published because the public log already discloses it.
    Exact(u64),
    /// A count rounded to a multiple of the base.
    Rounded(u64),
    /// Not published.
    Suppressed,
}

/// One published cell: what it counts and what is published for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseCell {
    /// The agreement (`-` for court holds).
    pub agreement: String,
    /// The period's label.
    pub period: String,
    /// The measure's name.
    pub measure: String,
    /// The breakdown as key=value pairs sorted by key; empty for the measure's total. `other`
    /// as a nationality stands for every nationality not named on its own.
    pub breakdown: Vec<(String, String)>,
    /// What is published.
    pub value: Value,
}

/// A release of statistics: the protected cells with what they were computed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// [`RELEASE_FORMAT`].
    pub format: String,
    /// The release's id (`2026-11`, `2026-Q4`, `2026-11-correction-1`, ...), unique in a
    /// deployment.
    pub id: String,
    /// What it covers ([`ReleasePeriod::label`]).
    pub period: String,
    /// The release it corrects, if it is a correction.
    pub corrects: Option<String>,
    /// The log checkpoint it was computed at.
    pub checkpoint: LogPoint,
    /// The suppression threshold.
    pub threshold: u64,
    /// The rounding base.
    pub base: u64,
    /// The agreements counted.
    pub agreements: Vec<AgreementInfo>,
    /// Every published cell, totals first, in a stable order.
    pub cells: Vec<ReleaseCell>,
}
