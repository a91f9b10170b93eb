//! The audit of everything published: for every suppressed cell of every release, the interval
//! of values an outsider who reads all of them can deduce. It reads the releases only, never a
//! true count, and models every agreement × measure as one component (it does not assume the
//! log's monthly totals, only the exact totals the releases publish), solving two programs per
//! suppressed cell, with integer variables whenever the relaxation's optimum is fractional: the
//! interval it reports is exact over integer tables ([`crate::linked`]).

use crate::StatsError;
use crate::linked::{Component, Lp, Warm, group};
use crate::release::{Release, ReleaseCell, Value};

/// The values of one suppressed cell consistent with every release audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInterval {
    /// The release the cell is published in.
    pub release: String,
    /// The cell.
    pub cell: ReleaseCell,
    /// The least consistent value.
    pub low: u64,
    /// The greatest, `None` when nothing bounds it.
    pub high: Option<u64>,
    /// The width the rule asks: the threshold, or, when smaller, the width the cell has when its
    /// release and every later one publish nothing but exact totals.
    pub required: u64,
}

impl ReleaseInterval {
    /// `high - low`, `None` when unbounded.
    pub fn width(&self) -> Option<u64> {
        self.high.map(|high| high.saturating_sub(self.low))
    }

    /// Whether the interval is as wide as the rule asks.
    pub fn protects(&self) -> bool {
        self.width().is_none_or(|width| width >= self.required)
    }
}

/// The interval of every suppressed cell of `releases`, read together, in the releases' order
/// by agreement and measure.
pub fn audit_releases(releases: &[Release]) -> Result<Vec<ReleaseInterval>, StatsError> {
    let all: Vec<&Release> = releases.iter().collect();
    let mut intervals = Vec::new();
    for (_, cells) in group(&all)? {
        if !cells
            .iter()
            .any(|cell| cell.cell.value == Value::Suppressed)
        {
            continue;
        }
        let component = Component::new(cells);
        let bounds = vec![(0.0, None); component.fines.len()];
        let (lp, _) = Lp::new(&component, &bounds);
        let warm = Warm::new(&lp)?;
        for (row, cell) in component.cells.iter().enumerate() {
            if cell.cell.value != Value::Suppressed {
                continue;
            }
            let (low, high) = lp.interval(Some(&warm), row)?;
            intervals.push(ReleaseInterval {
                release: releases
                    .get(cell.release)
                    .map(|release| release.id.clone())
                    .unwrap_or_default(),
                cell: cell.cell.clone(),
                low,
                high,
                required: component.required(
                    &lp,
                    row,
                    high.map(|high| high.saturating_sub(low)),
                )?,
            });
        }
    }
    Ok(intervals)
}
