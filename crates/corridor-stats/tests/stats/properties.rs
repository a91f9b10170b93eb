//! Random small tables: every suppressed cell stays hidden, every published cell is close to the
//! truth, and the primary-suppressed cells are exactly those the rule names.

use std::collections::BTreeSet;

use corridor_stats::audit::audit;
use corridor_stats::protect::protect;
use corridor_stats::published::{Published, Suppression};
use corridor_stats::table::Position;
use proptest::prelude::*;

use super::{protection, table};

/// The rule, written again from the raw counts: 1..threshold, or a zero whose row or column
/// total is in 1..threshold.
fn primary_by_the_rule(counts: &[Vec<u64>], threshold: u64) -> BTreeSet<Position> {
    let columns = counts.first().map_or(0, Vec::len);
    let at = |row: Option<usize>, column: Option<usize>| -> u64 {
        counts
            .iter()
            .enumerate()
            .filter(|(index, _)| row.is_none_or(|row| row == *index))
            .flat_map(|(_, values)| {
                values
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| column.is_none_or(|column| column == *index))
                    .map(|(_, value)| *value)
            })
            .sum()
    };
    let small = |count: u64| count >= 1 && count < threshold;
    let rows = (0..counts.len()).map(Some).chain([None]);
    let mut named = BTreeSet::new();
    for row in rows {
        for column in (0..columns).map(Some).chain([None]) {
            let count = at(row, column);
            if small(count) || (count == 0 && (small(at(row, None)) || small(at(None, column)))) {
                named.insert(Position { row, column });
            }
        }
    }
    named
}

fn counts() -> impl Strategy<Value = Vec<Vec<u64>>> {
    (2_usize..=5, 2_usize..=5).prop_flat_map(|(rows, columns)| {
        prop::collection::vec(prop::collection::vec(0_u64..40, columns), rows)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For random tables and settings: audited intervals of suppressed cells are at least the
    /// threshold wide and hold the truth; published counts are within the base; primary
    /// suppression is exactly the rule.
    #[test]
    fn protected_tables_hide_every_suppressed_cell(
        counts in counts(),
        threshold in prop_oneof![Just(3_u64), Just(5), Just(8)],
        base in prop_oneof![Just(1_u64), Just(5), Just(10)],
    ) {
        let truth = table(&counts);
        let protected = protect(&truth, &protection(threshold, base)).expect("protection");
        for interval in audit(&protected, &truth).expect("an audit") {
            prop_assert!(interval.contains_truth(), "{:?}", interval);
            prop_assert!(interval.protects(threshold), "{:?}", interval);
        }
        for cell in protected.cells() {
            if let Published::Count(published) = cell.published {
                let true_count = truth.count(cell.position);
                prop_assert_eq!(published % base, 0);
                prop_assert!(published.abs_diff(true_count) < base, "{:?}", cell);
            }
        }
        prop_assert_eq!(
            protected.suppressed(Suppression::Primary),
            primary_by_the_rule(&counts, threshold)
        );
    }
}
