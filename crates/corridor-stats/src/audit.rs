//! What an outsider can deduce about each suppressed cell from a published table: [`audit`]
//! reports, for every suppressed cell, the interval of values consistent with the publication
//! (computed exactly by [`crate::interval`]) beside the cell's true count.

use crate::StatsError;
use crate::interval::interval;
use crate::published::{ProtectedTable, Published};
use crate::table::{Position, Table};

/// The values of one suppressed cell consistent with the publication, with its (secret) truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellInterval {
    /// The suppressed cell.
    pub position: Position,
    /// Its true count.
    pub truth: u64,
    /// The least consistent value.
    pub low: u64,
    /// The greatest consistent value, `None` when the publication bounds it not at all.
    pub high: Option<u64>,
}

impl CellInterval {
    /// `high - low`, `None` when unbounded.
    pub fn width(&self) -> Option<u64> {
        self.high.map(|high| high.saturating_sub(self.low))
    }

    /// Whether the interval is at least `threshold` wide.
    pub fn protects(&self, threshold: u64) -> bool {
        self.width().is_none_or(|width| width >= threshold)
    }

    /// Whether the truth lies inside (it must: the truth is consistent with the publication).
    pub fn contains_truth(&self) -> bool {
        self.low <= self.truth && self.high.is_none_or(|high| self.truth <= high)
    }
}

/// For every suppressed cell of `protected`, in grid order, the interval of values an outsider can
/// deduce from it. `truth` is the table that was protected; refused if it is another.
pub fn audit(protected: &ProtectedTable, truth: &Table) -> Result<Vec<CellInterval>, StatsError> {
    let same = truth.rows() == protected.rows()
        && truth.columns() == protected.columns()
        && truth.cells().len() == protected.cells().len()
        && truth
            .cells()
            .iter()
            .zip(protected.cells())
            .all(|(secret, public)| {
                secret.position == public.position && secret.definition == public.definition
            });
    if !same {
        return Err(StatsError::TruthMismatch);
    }
    let mut intervals = Vec::new();
    for cell in protected.cells() {
        if let Published::Suppressed(_) = cell.published {
            let (low, high) = interval(protected, cell.position)?;
            intervals.push(CellInterval {
                position: cell.position,
                truth: truth.count(cell.position),
                low,
                high,
            });
        }
    }
    Ok(intervals)
}
