//! The disclosure-control rules of corridor-stats, checked on hand-made tables and on random ones.
#![expect(
    clippy::expect_used,
    reason = "test fixtures outside `#[test]` functions should fail loudly, not propagate errors"
)]

mod boundary;
mod compute;
mod differencing;
mod files;
mod history;
mod properties;
mod rounding;
mod suppression;

use corridor_stats::published::{ProtectedTable, Published, Suppression};
use corridor_stats::rounding::Protection;
use corridor_stats::table::{Pair, Table};

/// A rounding key for tests (synthetic).
const KEY: &[u8] = b"corridor-stats test key";

/// Labels `key=0`, `key=1`, ... for `length` categories.
fn labels(key: &str, length: usize) -> Vec<Vec<Pair>> {
    (0..length)
        .map(|index| vec![(key.to_owned(), index.to_string())])
        .collect()
}

/// A table of nationality rows × sex-or-band columns holding `counts`.
fn table(counts: &[Vec<u64>]) -> Table {
    let columns = counts.first().map_or(0, Vec::len);
    Table::new(
        "ag-1",
        "2026-03",
        "departed",
        &labels("nationality", counts.len()),
        &labels("age_band", columns),
        counts,
    )
    .expect("a well-formed table")
}

/// Default protection with another threshold and base.
fn protection(threshold: u64, base: u64) -> Protection {
    Protection::new(KEY)
        .and_then(|protection| protection.with_threshold(threshold))
        .and_then(|protection| protection.with_base(base))
        .expect("valid settings")
}

/// The published grid as text, one grid row a line, the totals last: a count, `x` for a
/// primary-suppressed cell, `s` for a secondary one.
fn render(protected: &ProtectedTable) -> String {
    let mut lines = Vec::new();
    let mut line = Vec::new();
    for cell in protected.cells() {
        line.push(match cell.published {
            Published::Count(count) => count.to_string(),
            Published::Suppressed(Suppression::Primary) => "x".to_owned(),
            Published::Suppressed(Suppression::Secondary) => "s".to_owned(),
        });
        if cell.position.column.is_none() {
            lines.push(line.join(" "));
            line.clear();
        }
    }
    lines.join("\n")
}
