//! Primary and secondary suppression, and the rounding of what is published.
//!
//! [`protect`] suppresses the cells [`primary_suppressed`] names, rounds every other cell, then
//! suppresses more cells until [`crate::interval`] finds every suppressed cell's interval at
//! least the threshold wide. Each step takes the first exposed suppressed cell (in grid order)
//! and suppresses one published cell: an inner cell rather than a margin; one in the exposed
//! cell's grid row or column rather than one beside another suppressed cell rather than any
//! other; the smallest true count; then the first in grid order (`partner`). Every step
//! suppresses one more cell, and a table with every cell suppressed exposes nothing, so the loop
//! ends.

use std::collections::BTreeSet;

use crate::StatsError;
use crate::interval::interval;
use crate::published::{ProtectedCell, ProtectedTable, Published, Suppression};
use crate::rounding::Protection;
use crate::table::{Position, Table};

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
        // A definition is one cell wherever it sits (a 1-D table's cells are also its column
        // totals): suppressing it suppresses every copy.
        let definition = protected
            .cells
            .iter()
            .find(|cell| cell.position == chosen)
            .map(|cell| cell.definition.clone());
        for cell in &mut protected.cells {
            if Some(&cell.definition) == definition.as_ref() {
                cell.published = Published::Suppressed(Suppression::Secondary);
            }
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
            if high.is_some_and(|high| high.saturating_sub(low) < protected.threshold) {
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
