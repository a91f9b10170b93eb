//! Statistical disclosure control for published tables of counts, sans I/O: no files, no
//! clock, no database, no async. A [`table::Table`] of true counts goes in; a
//! [`published::ProtectedTable`] that is safe to publish comes out; [`audit::audit`] shows, for
//! every suppressed cell, the interval of values an outsider can still deduce.
//!
//! The rules (docs/statistics.md, "Disclosure control"):
//!
//! - **Primary suppression.** A cell whose true count is between 1 and `threshold - 1`
//!   (threshold 5 by default, never below [`MINIMUM_THRESHOLD`]) is suppressed. Margins (row,
//!   column and grand totals) are cells like any other.
//! - **Zeros.** A true zero is published as zero, except when the row or the column it lies in
//!   has a true total between 1 and `threshold - 1`: then it is suppressed too (primary), because
//!   next to a small group a zero says where those few people are not, and with the other zeros
//!   where they are. A zero beside a total of zero or of at least the threshold describes no
//!   person and excludes a group at least the threshold large. A true zero always rounds to zero,
//!   so a published zero is a true zero whenever the base is at most the threshold.
//! - **Rounding.** Every published count is rounded to a multiple of the base (5 by default) by
//!   unbiased random rounding whose draw is a keyed hash (HMAC-SHA256) of the cell's definition:
//!   the same cell rounds the same way in every release, and a published count differs from the
//!   truth by less than the base.
//! - **Secondary suppression.** More cells are suppressed, the smallest first, until no
//!   suppressed cell's interval of consistent values (from the row, column and grand total
//!   equations, the rounding's tolerance and non-negativity) is narrower than the threshold.
//!
//! The crate reads no clock itself; its solver (`microlp`) measures its own running time, but no
//! time limit is set, so no result depends on it.
//!
//! A whole release is computed from a [`tally::Tally`] by [`compute::compute`], protected against
//! differencing with every earlier release ([`linked`]: the model and the rule;
//! `linked_protect`: the secondary suppression across releases);
//! [`release_audit::audit_releases`] reads published releases only and reports every suppressed
//! cell's interval.
//!
//! A 1-D table is a table of one row whose row label is empty: its column totals then have the
//! same definitions as its cells, and so the same published values.

#![deny(missing_docs)]

pub mod audit;
pub mod compute;
pub mod files;
pub mod interval;
pub mod linked;
pub(crate) mod linked_protect;
pub mod manifest;
pub mod measure;
pub mod period;
pub mod protect;
pub mod published;
pub mod release;
pub mod release_audit;
pub mod rounding;
pub mod table;
pub mod tally;

use thiserror::Error;

/// The lowest suppression threshold a deployment may configure.
pub const MINIMUM_THRESHOLD: u64 = 3;
/// The suppression threshold unless the deployment raises it (UNHCR's published statistics
/// suppress counts under 5).
pub const DEFAULT_THRESHOLD: u64 = 5;
/// The rounding base unless the deployment changes it.
pub const DEFAULT_BASE: u64 = 5;
/// The most rows or columns one table may have: the secondary suppression solves linear
/// programs over every cell, and a published table wider than this is unreadable anyway.
pub const DIMENSION_LENGTH_MAX: usize = 200;

/// Why a table could not be built, protected or audited.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum StatsError {
    /// The threshold is below [`MINIMUM_THRESHOLD`].
    #[error("threshold `{0}` is below the minimum of {MINIMUM_THRESHOLD}")]
    ThresholdTooLow(u64),
    /// The rounding base is zero.
    #[error("the rounding base must be at least 1")]
    BaseZero,
    /// The rounding key is empty.
    #[error("the rounding key must not be empty")]
    KeyEmpty,
    /// A table has no rows or no columns, or more than [`DIMENSION_LENGTH_MAX`].
    #[error(
        "a table needs between 1 and {DIMENSION_LENGTH_MAX} rows and columns, got {rows} × {columns}"
    )]
    Shape {
        /// Rows given.
        rows: usize,
        /// Columns given.
        columns: usize,
    },
    /// The counts do not have one row per row label.
    #[error("{found} rows of counts for {expected} row labels")]
    RowCount {
        /// Rows of counts given.
        found: usize,
        /// Row labels given.
        expected: usize,
    },
    /// A row of counts does not have one count per column.
    #[error("row {row} has {found} counts for {expected} columns")]
    RaggedRow {
        /// The row's index.
        row: usize,
        /// Counts in the row.
        found: usize,
        /// Columns of the table.
        expected: usize,
    },
    /// The same breakdown key labels both a row and a column, or twice in one label.
    #[error("breakdown key `{0}` appears twice in one cell's definition")]
    DuplicateKey(String),
    /// Two rows or two columns have the same label.
    #[error("two rows or two columns have the same label")]
    DuplicateLabel,
    /// A total does not fit in 53 bits (the exact range of the solver's numbers).
    #[error("a total exceeds 2^53")]
    Overflow,
    /// The truth given to an audit is not the table that was protected.
    #[error("the truth does not match the protected table")]
    TruthMismatch,
    /// A release with this id was already published.
    #[error("a release `{0}` was already published")]
    DuplicateRelease(String),
    /// A correction names a release that was never published.
    #[error("the release `{0}` to correct was never published")]
    UnknownCorrected(String),
    /// A release's cell is not one this crate publishes.
    #[error("release `{release}`: {reason}")]
    MalformedCell {
        /// The release's id.
        release: String,
        /// What is wrong.
        reason: String,
    },
    /// A true count names a category its measure does not have.
    #[error("measure `{measure}` has no category `{value}`")]
    UnknownCategory {
        /// The measure.
        measure: String,
        /// The category.
        value: String,
    },
    /// Suppressing every cell of the new release still leaves a suppressed cell exposed.
    #[error("release `{release}`: the cell {cell} cannot be protected")]
    Unprotectable {
        /// The release being computed.
        release: String,
        /// The exposed cell.
        cell: String,
    },
    /// The linear program failed (the published table is inconsistent or the solver erred).
    #[error("interval computation failed: {0}")]
    Solver(String),
    /// A release's file could not be written (`crate::files`).
    #[error("cannot write the release's `{file}`: {reason}")]
    Write {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}
