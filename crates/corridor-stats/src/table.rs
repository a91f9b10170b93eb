//! The table model: cells named by a [`CellDefinition`] (agreement, period, measure and the
//! breakdown as key=value pairs), their true counts, and the margins of a 2-D table.
//!
//! A table's cells form a grid of `rows + 1` by `columns + 1`: the last row holds the column
//! totals, the last column the row totals, the corner the grand total. A [`Position`] names a
//! cell of that grid, `None` standing for "all" (the margin).

use std::collections::BTreeSet;

use crate::{DIMENSION_LENGTH_MAX, StatsError};

/// The largest count or total a table holds: the solver computes in `f64`, exact below 2^53.
const COUNT_MAX: u64 = 1 << 53;

/// One breakdown's key and value, e.g. (`sex`, `f`).
pub type Pair = (String, String);

/// What one cell counts. Two cells with the same definition are the same cell, in whatever table
/// and release they appear: they round the same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellDefinition {
    agreement: String,
    period: String,
    measure: String,
    // INVARIANT: sorted by key, keys distinct; so the arrangement of a table (what is a row,
    // what a column) does not change a cell's definition.
    breakdown: Vec<Pair>,
}

impl CellDefinition {
    /// A definition; the breakdown is sorted by key. Refuses a key given twice.
    pub fn new(
        agreement: &str,
        period: &str,
        measure: &str,
        breakdown: impl IntoIterator<Item = Pair>,
    ) -> Result<Self, StatsError> {
        let mut breakdown: Vec<Pair> = breakdown.into_iter().collect();
        breakdown.sort();
        for window in breakdown.windows(2) {
            if let [a, b] = window
                && a.0 == b.0
            {
                return Err(StatsError::DuplicateKey(a.0.clone()));
            }
        }
        Ok(Self {
            agreement: agreement.to_owned(),
            period: period.to_owned(),
            measure: measure.to_owned(),
            breakdown,
        })
    }

    /// The agreement counted.
    pub fn agreement(&self) -> &str {
        &self.agreement
    }

    /// The period's label (`2026-03`, `2026-Q1`, ...).
    pub fn period(&self) -> &str {
        &self.period
    }

    /// What is counted (`departed`, `protection_found`, ...).
    pub fn measure(&self) -> &str {
        &self.measure
    }

    /// The breakdown, sorted by key.
    pub fn breakdown(&self) -> &[Pair] {
        &self.breakdown
    }

    /// The unambiguous bytes the rounding hashes: a version tag, then every field as its length
    /// (8 bytes, big-endian) and its UTF-8 bytes, so no two definitions share an encoding.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = b"corridor-stats cell v1".to_vec();
        let mut field = |text: &str| {
            out.extend_from_slice(&(text.len() as u64).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        };
        field(&self.agreement);
        field(&self.period);
        field(&self.measure);
        for (key, value) in &self.breakdown {
            field(key);
            field(value);
        }
        out
    }
}

/// A cell of a table's grid: `row: None` is the column total, `column: None` the row total,
/// both `None` the grand total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The row, or `None` for the total over rows.
    pub row: Option<usize>,
    /// The column, or `None` for the total over columns.
    pub column: Option<usize>,
}

/// One cell of a table with its definition and true count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrueCell {
    /// Where it sits in the grid.
    pub position: Position,
    /// What it counts.
    pub definition: CellDefinition,
    /// The true count (secret).
    pub count: u64,
}

/// A 2-D table of true counts with its margins (secret: only its protected form is published).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    // INVARIANT: `cells` is the whole grid in `Table::positions` order; margins are the sums of
    // the inner cells; every count is below 2^53.
    rows: usize,
    columns: usize,
    cells: Vec<TrueCell>,
}

impl Table {
    /// A table of `counts[row][column]`, its rows and columns labelled by breakdown pairs
    /// (a row label may be empty, as in a 1-D table). Computes the margins.
    pub fn new(
        agreement: &str,
        period: &str,
        measure: &str,
        row_labels: &[Vec<Pair>],
        column_labels: &[Vec<Pair>],
        counts: &[Vec<u64>],
    ) -> Result<Self, StatsError> {
        let (rows, columns) = (row_labels.len(), column_labels.len());
        if !(1..=DIMENSION_LENGTH_MAX).contains(&rows)
            || !(1..=DIMENSION_LENGTH_MAX).contains(&columns)
        {
            return Err(StatsError::Shape { rows, columns });
        }
        if counts.len() != rows {
            return Err(StatsError::RowCount {
                found: counts.len(),
                expected: rows,
            });
        }
        for (row, values) in counts.iter().enumerate() {
            if values.len() != columns {
                return Err(StatsError::RaggedRow {
                    row,
                    found: values.len(),
                    expected: columns,
                });
            }
        }
        let distinct = |labels: &[Vec<Pair>]| labels.iter().collect::<BTreeSet<_>>().len();
        if distinct(row_labels) != rows || distinct(column_labels) != columns {
            return Err(StatsError::DuplicateLabel);
        }
        let inner = |row: usize, column: usize| {
            counts
                .get(row)
                .and_then(|values| values.get(column))
                .copied()
                .unwrap_or(0)
        };
        let mut cells = Vec::with_capacity((rows + 1) * (columns + 1));
        for position in positions(rows, columns) {
            let mut count: u64 = 0;
            for row in position.row.map_or(0..rows, |row| row..row + 1) {
                for column in position
                    .column
                    .map_or(0..columns, |column| column..column + 1)
                {
                    count = count
                        .checked_add(inner(row, column))
                        .filter(|sum| *sum < COUNT_MAX)
                        .ok_or(StatsError::Overflow)?;
                }
            }
            let row_pairs = position
                .row
                .and_then(|row| row_labels.get(row))
                .cloned()
                .unwrap_or_default();
            let column_pairs = position
                .column
                .and_then(|column| column_labels.get(column))
                .cloned()
                .unwrap_or_default();
            let definition = CellDefinition::new(
                agreement,
                period,
                measure,
                row_pairs.into_iter().chain(column_pairs),
            )?;
            cells.push(TrueCell {
                position,
                definition,
                count,
            });
        }
        Ok(Self {
            rows,
            columns,
            cells,
        })
    }

    /// A 1-D table: one row with an empty label, one column per category.
    pub fn one_way(
        agreement: &str,
        period: &str,
        measure: &str,
        column_labels: &[Vec<Pair>],
        counts: &[u64],
    ) -> Result<Self, StatsError> {
        Self::new(
            agreement,
            period,
            measure,
            &[Vec::new()],
            column_labels,
            &[counts.to_vec()],
        )
    }

    /// Rows, margins excluded.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns, margins excluded.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Every cell of the grid, margins included, row by row, the totals last.
    pub fn cells(&self) -> &[TrueCell] {
        &self.cells
    }

    /// The true count at a position (0 outside the grid).
    pub fn count(&self, position: Position) -> u64 {
        grid_index(self.rows, self.columns, position)
            .and_then(|index| self.cells.get(index))
            .map_or(0, |cell| cell.count)
    }
}

/// The grid's positions in the order a table keeps its cells: rows top to bottom with the column
/// totals last, and within a row, columns left to right with the row total last.
pub fn positions(rows: usize, columns: usize) -> impl Iterator<Item = Position> {
    let rows_then_total = (0..rows).map(Some).chain([None]);
    rows_then_total.flat_map(move |row| {
        (0..columns)
            .map(Some)
            .chain([None])
            .map(move |column| Position { row, column })
    })
}

/// Where a position's cell is in a grid kept in [`positions`] order; `None` outside the grid.
pub(crate) fn grid_index(rows: usize, columns: usize, position: Position) -> Option<usize> {
    let inside = position.row.is_none_or(|row| row < rows)
        && position.column.is_none_or(|column| column < columns);
    let row = position.row.unwrap_or(rows);
    let column = position.column.unwrap_or(columns);
    inside.then_some(row * (columns + 1) + column)
}
