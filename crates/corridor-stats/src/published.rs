//! A protected table: what may be published of a table, rounded counts and suppressed cells,
//! without any true count.

use std::collections::BTreeSet;

use crate::table::{CellDefinition, Position, grid_index};

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
    // INVARIANT: `cells` is the whole grid in `table::positions` order (so `grid_index` finds
    // a position's cell).
    pub(crate) rows: usize,
    pub(crate) columns: usize,
    pub(crate) threshold: u64,
    pub(crate) base: u64,
    pub(crate) cells: Vec<ProtectedCell>,
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
        grid_index(self.rows, self.columns, position)
            .and_then(|index| self.cells.get(index))
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
