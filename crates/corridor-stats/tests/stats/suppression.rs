//! Primary suppression, the zero rule, the settings' limits, and secondary suppression.

use corridor_stats::StatsError;
use corridor_stats::audit::audit;
use corridor_stats::protect::{protect, protect_primary_only};
use corridor_stats::published::Published;
use corridor_stats::rounding::Protection;
use corridor_stats::table::{Position, Table};

use super::{KEY, labels, protection, render, table};

/// Protects `counts` with primary suppression only and no rounding, and compares the grid.
fn check_primary(threshold: u64, counts: &[Vec<u64>], expected: &str) {
    let protected = protect_primary_only(&table(counts), &protection(threshold, 1));
    assert_eq!(render(&protected), expected, "counts {counts:?}");
}

/// Small counts are suppressed, zeros beside a small total too, and margins are cells.
#[test]
fn primary_suppression_names_small_counts_and_zeros_beside_small_totals() {
    // Row totals 15, 0, 28; column totals 10, 1, 32; grand total 43. The zero of row 0 and row 1
    // in column 1 lie beside the column total 1; the zeros of row 1 beside a total of 0 and of
    // columns with large totals are published.
    check_primary(
        5,
        &[vec![3, 0, 12], vec![0, 0, 0], vec![7, 1, 20]],
        "x x 12 15\n0 x 0 0\n7 x 20 28\n10 x 32 43",
    );
    // The threshold is exclusive: 5 is published, 4 is not; 1 is the smallest suppressed count.
    check_primary(5, &[vec![5, 4], vec![1, 30]], "5 x 9\nx 30 31\n6 34 40");
    // A raised threshold suppresses more; a zero in a row of total 7 < 10 is suppressed too.
    check_primary(10, &[vec![7, 0], vec![12, 30]], "x x x\n12 30 42\n19 30 49");
}

/// The threshold may be raised but never set below 3; the base and the key must be usable.
#[test]
fn settings_refuse_a_threshold_below_three_a_zero_base_and_an_empty_key() {
    let defaults = Protection::new(KEY).expect("a key");
    assert_eq!((defaults.threshold(), defaults.base()), (5, 5));
    assert_eq!(
        defaults.clone().with_threshold(2).err(),
        Some(StatsError::ThresholdTooLow(2))
    );
    assert_eq!(
        defaults.clone().with_base(0).err(),
        Some(StatsError::BaseZero)
    );
    assert_eq!(Protection::new(b"").err(), Some(StatsError::KeyEmpty));
    assert!(
        !format!("{defaults:?}").contains("test key"),
        "Debug hides the key"
    );
    check_primary(3, &[vec![3, 2], vec![4, 30]], "3 x 5\n4 30 34\n7 32 39");
}

/// Malformed tables are refused.
#[test]
fn tables_refuse_ragged_or_missing_rows_duplicate_labels_and_shared_keys() {
    let ragged = Table::new(
        "ag-1",
        "2026-03",
        "departed",
        &labels("nationality", 2),
        &labels("sex", 2),
        &[vec![1, 2], vec![3]],
    );
    assert!(matches!(ragged, Err(StatsError::RaggedRow { row: 1, .. })));
    let short = Table::new(
        "ag-1",
        "2026-03",
        "departed",
        &labels("nationality", 3),
        &labels("sex", 2),
        &[vec![1, 2], vec![3, 4]],
    );
    assert_eq!(
        short.err(),
        Some(StatsError::RowCount {
            found: 2,
            expected: 3
        })
    );
    let empty = Table::new("ag-1", "2026-03", "departed", &[], &labels("sex", 2), &[]);
    assert_eq!(
        empty.err(),
        Some(StatsError::Shape {
            rows: 0,
            columns: 2
        })
    );
    let shared = Table::new(
        "ag-1",
        "2026-03",
        "departed",
        &labels("sex", 1),
        &labels("sex", 2),
        &[vec![1, 2]],
    );
    assert_eq!(
        shared.err(),
        Some(StatsError::DuplicateKey("sex".to_owned()))
    );
    let twice = [labels("nationality", 1), labels("nationality", 1)].concat();
    let counts = [vec![1, 2], vec![3, 4]];
    let duplicate = Table::new(
        "ag-1",
        "2026-03",
        "departed",
        &twice,
        &labels("sex", 2),
        &counts,
    );
    assert_eq!(duplicate.err(), Some(StatsError::DuplicateLabel));
}

/// Without secondary suppression a 3 beside published cells and totals is recovered exactly;
/// with it, the 3 hides among at least `threshold` values.
#[test]
fn secondary_suppression_hides_a_cell_the_totals_would_reveal() {
    let truth = table(&[vec![3, 10], vec![10, 10]]);
    let settings = protection(5, 1);
    let exposed = audit(&protect_primary_only(&truth, &settings), &truth).expect("an audit");
    let first = Position {
        row: Some(0),
        column: Some(0),
    };
    assert_eq!(
        exposed
            .iter()
            .map(|interval| (interval.position, interval.low, interval.high))
            .collect::<Vec<_>>(),
        vec![(first, 3, Some(3))],
        "the row total minus its other cell gives the cell away"
    );
    let protected = protect(&truth, &settings).expect("protection");
    // The cell hides in the rectangle of the four inner cells; every total stays published.
    assert_eq!(render(&protected), "x s 13\ns s 20\n13 20 33");
    let intervals = audit(&protected, &truth).expect("an audit");
    assert_eq!(intervals.len(), 4);
    for interval in &intervals {
        assert!(interval.contains_truth(), "{interval:?}");
        assert!(interval.protects(5), "{interval:?}");
    }
    assert_eq!((intervals[0].low, intervals[0].high), (0, Some(13)));
}

/// With rounding to base 5, the audit still finds every suppressed cell hidden, and a 1-D
/// table's column totals publish what its cells publish (they are the same cells).
#[test]
fn a_one_way_table_publishes_its_cells_and_their_totals_alike() {
    let truth = Table::one_way(
        "ag-1",
        "2026",
        "protection_found",
        &labels("sex", 3),
        &[2, 17, 23],
    )
    .expect("a table");
    let protected = protect(&truth, &protection(5, 5)).expect("protection");
    for column in 0..3 {
        let cell = protected.published(Position {
            row: Some(0),
            column: Some(column),
        });
        let total = protected.published(Position {
            row: None,
            column: Some(column),
        });
        assert_eq!(cell, total, "column {column}");
    }
    assert!(matches!(
        protected.published(Position {
            row: Some(0),
            column: Some(0)
        }),
        Some(Published::Suppressed(_))
    ));
    for interval in audit(&protected, &truth).expect("an audit") {
        assert!(
            interval.contains_truth() && interval.protects(5),
            "{interval:?}"
        );
    }
    // Without rounding the 2 is the total minus the others: the smallest other cell is
    // suppressed with it, as a cell and as its column total alike.
    let truth = Table::one_way("ag-1", "2026", "arrived", &labels("sex", 3), &[2, 17, 23])
        .expect("a table");
    let protected = protect(&truth, &protection(5, 1)).expect("protection");
    assert_eq!(render(&protected), "x s 23 42\nx s 23 42");
}

/// An audit refuses a truth that is not the protected table.
#[test]
fn an_audit_refuses_another_table_as_truth() {
    let protected = protect(&table(&[vec![3, 10], vec![10, 10]]), &protection(5, 1)).expect("ok");
    let other = table(&[vec![3, 10, 1], vec![10, 10, 1]]);
    assert_eq!(
        audit(&protected, &other).err(),
        Some(StatsError::TruthMismatch)
    );
}
