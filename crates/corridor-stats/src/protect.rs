//! Primary and secondary suppression, and the rounding of what is published.
//!
//! [`protect`] suppresses the cells [`primary_suppressed`] names, rounds every other cell, then
//! suppresses more cells until [`crate::audit`] finds every suppressed cell's interval at least the
//! threshold wide. Each step takes the first exposed suppressed cell (in grid order) and
//! suppresses one published cell: an inner cell rather than a margin, one in the exposed cell's
//! grid row or column rather than one beside another suppressed cell rather than any other, the
//! smallest true count, then the first in grid order (`partner`). Every step suppresses one more cell, and a table with every cell
//! suppressed exposes nothing, so the loop ends.

use std::collections::BTreeSet;

use crate::StatsError;
use crate::audit::interval;
use crate::rounding::Protection;
use crate::table::{CellDefinition, Position, Table};

/// Why a cell is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suppression {
    /// Its count is small (or it is a zero beside a small total): the rule names it.
    Primary,
    /// It would let a primary cell be recovered: the table's arithmetic names it.
    Secondary,
}

/// What a table publishes for one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Published {
    /// A rounded count.
    Count(u64),
    /// Nothing, for this reason.
    Suppressed(Suppression),
}

/// One published cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedCell {
    /// Where it sits in the grid.
    pub position: Position,
    /// What it counts.
    pub definition: CellDefinition,
    /// What is published for it.
    pub published: Published,
}

/// A table as it may be published: rounded counts and suppressed cells, no true count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedTable {
    // INVARIANT: `cells` is the whole grid in `table::positions` order.
    rows: usize,
    columns: usize,
    threshold: u64,
    base: u64,
    cells: Vec<ProtectedCell>,
}

impl ProtectedTable {
    /// Rows, margins excluded.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns, margins excluded.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The threshold it was protected with.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// The rounding base it was protected with.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Every cell of the grid, margins included, in grid order.
    pub fn cells(&self) -> &[ProtectedCell] {
        &self.cells
    }

    /// What is published at a position (`None` outside the grid).
    pub fn published(&self, position: Position) -> Option<Published> {
        self.cells
            .iter()
            .find(|cell| cell.position == position)
            .map(|cell| cell.published)
    }

    /// The positions suppressed for this reason.
    pub fn suppressed(&self, reason: Suppression) -> BTreeSet<Position> {
        self.cells
            .iter()
            .filter(|cell| cell.published == Published::Suppressed(reason))
            .map(|cell| cell.position)
            .collect()
    }
}

/// The cells the primary rule suppresses: a count from 1 to `threshold - 1`, and a zero whose
/// grid row or grid column has a total from 1 to `threshold - 1`.
pub fn primary_suppressed(table: &Table, threshold: u64) -> BTreeSet<Position> {
    let small = |count: u64| (1..threshold).contains(&count);
    table
        .cells()
        .iter()
        .filter(|cell| {
            let row_total = table.count(Position {
                column: None,
                ..cell.position
            });
            let column_total = table.count(Position {
                row: None,
                ..cell.position
            });
            small(cell.count) || (cell.count == 0 && (small(row_total) || small(column_total)))
        })
        .map(|cell| cell.position)
        .collect()
}

/// The table with primary suppression and rounding only. Not for publication: a suppressed cell
/// may be recoverable from it; audits and tests compare it with [`protect`]'s result.
pub fn protect_primary_only(table: &Table, protection: &Protection) -> ProtectedTable {
    let primary = primary_suppressed(table, protection.threshold());
    let cells = table
        .cells()
        .iter()
        .map(|cell| ProtectedCell {
            position: cell.position,
            definition: cell.definition.clone(),
            published: if primary.contains(&cell.position) {
                Published::Suppressed(Suppression::Primary)
            } else {
                Published::Count(protection.round(&cell.definition, cell.count))
            },
        })
        .collect();
    ProtectedTable {
        rows: table.rows(),
        columns: table.columns(),
        threshold: protection.threshold(),
        base: protection.base(),
        cells,
    }
}

/// The table as it may be published: primary suppression, rounding, secondary suppression.
pub fn protect(table: &Table, protection: &Protection) -> Result<ProtectedTable, StatsError> {
    let mut protected = protect_primary_only(table, protection);
    // Each pass suppresses one more cell, so the grid's size bounds the passes.
    for _ in 0..=protected.cells.len() {
        let Some(exposed) = first_exposed(&protected)? else {
            return Ok(protected);
        };
        let Some(chosen) = partner(&protected, table, exposed) else {
            break;
        };
        if let Some(cell) = protected
            .cells
            .iter_mut()
            .find(|cell| cell.position == chosen)
        {
            cell.published = Published::Suppressed(Suppression::Secondary);
        }
    }
    // Unreachable: with every cell suppressed no interval is bounded above.
    Err(StatsError::Solver(
        "secondary suppression did not converge".to_owned(),
    ))
}

/// The first suppressed cell, in grid order, whose interval is narrower than the threshold.
fn first_exposed(protected: &ProtectedTable) -> Result<Option<Position>, StatsError> {
    for cell in &protected.cells {
        if let Published::Suppressed(_) = cell.published {
            let (low, high) = interval(protected, cell.position)?;
            if high.is_some_and(|high| high - low < protected.threshold) {
                return Ok(Some(cell.position));
            }
        }
    }
    Ok(None)
}

/// The published cell to suppress next to protect `exposed`. Inner cells before margins (a
/// published total is worth more than a cell); then cells sharing a grid row or column with
/// `exposed`, then cells sharing one with another suppressed cell (they close the rectangle
/// that hides it), then the rest; then the smallest true count; then grid order.
fn partner(protected: &ProtectedTable, table: &Table, exposed: Position) -> Option<Position> {
    let shares_line = |a: Position, b: Position| a.row == b.row || a.column == b.column;
    let suppressed: Vec<Position> = protected
        .cells
        .iter()
        .filter(|cell| matches!(cell.published, Published::Suppressed(_)))
        .map(|cell| cell.position)
        .collect();
    protected
        .cells
        .iter()
        .enumerate()
        .filter(|(_, cell)| matches!(cell.published, Published::Count(_)))
        .min_by_key(|(order, cell)| {
            let position = cell.position;
            let is_margin = position.row.is_none() || position.column.is_none();
            let nearness = if shares_line(position, exposed) {
                0
            } else if suppressed.iter().any(|other| shares_line(position, *other)) {
                1
            } else {
                2
            };
            (is_margin, nearness, table.count(position), *order)
        })
        .map(|(_, cell)| cell.position)
}
