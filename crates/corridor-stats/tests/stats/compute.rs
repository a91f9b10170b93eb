//! The release computed from a tally: refusals of a duplicate id and of a correction of nothing,
//! and, over random small histories, values true to the tally and primary suppression exactly as
//! the rule names it.

use corridor_stats::StatsError;
use corridor_stats::compute::{compute, primary_release};
use corridor_stats::period::{Month, Period};
use corridor_stats::release::{Release, ReleaseCell, ReleasePeriod, Value};
use corridor_stats::tally::Tally;
use proptest::prelude::*;

use super::differencing::{YEAR, request, truth};
use super::history::history;

fn month(number: u8) -> ReleasePeriod {
    ReleasePeriod::Period(Period::Month(Month::new(YEAR, number).expect("a month")))
}

#[test]
fn a_duplicate_id_and_a_correction_of_nothing_are_refused() {
    // Proves compute refuses an id already published and a correction naming no release.
    let history = history(3, 60, YEAR);
    let first =
        compute(&history.tally, &request(&history, "2026-01", month(1)), &[]).expect("a release");
    let again = compute(
        &history.tally,
        &request(&history, "2026-01", month(2)),
        std::slice::from_ref(&first),
    );
    assert_eq!(
        again,
        Err(StatsError::DuplicateRelease("2026-01".to_owned()))
    );
    let mut correction = request(&history, "2026-02-correction-1", month(2));
    correction.corrects = Some("2026-02".to_owned());
    let refused = compute(&history.tally, &correction, std::slice::from_ref(&first));
    assert_eq!(
        refused,
        Err(StatsError::UnknownCorrected("2026-02".to_owned()))
    );
    correction.corrects = Some("2026-01".to_owned());
    let accepted = compute(&history.tally, &correction, std::slice::from_ref(&first));
    assert_eq!(
        accepted.map(|release| release.corrects),
        Ok(Some("2026-01".to_owned()))
    );
}

/// The cells whose totals bound a cell's line in its table: a two-key cell's one-key cells; a
/// one-key cell's measure total; the total itself.
fn lines<'a>(release: &'a Release, cell: &ReleaseCell) -> Vec<&'a ReleaseCell> {
    let same = |other: &&ReleaseCell| {
        other.agreement == cell.agreement
            && other.measure == cell.measure
            && other.period == cell.period
    };
    release
        .cells
        .iter()
        .filter(same)
        .filter(|other| match cell.breakdown.len() {
            2 => {
                other.breakdown.len() == 1
                    && other
                        .breakdown
                        .iter()
                        .all(|pair| cell.breakdown.contains(pair))
            }
            _ => other.breakdown.is_empty(),
        })
        .collect()
}

/// The primary rule from the truths: a count from 1 to 4, or a zero whose line total is.
fn primary_by_the_rule(tally: &Tally, release: &Release, cell: &ReleaseCell) -> bool {
    let small = |count: u64| (1..5).contains(&count);
    let count = truth(tally, release, cell);
    small(count)
        || (count == 0
            && lines(release, cell)
                .into_iter()
                .any(|line| small(truth(tally, release, line))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// For random small histories: exact values are true, rounded values within the base,
    /// primary suppression is the rule, and the published release suppresses at least those.
    #[test]
    fn releases_are_true_to_the_tally(seed in any::<u64>(), people in 12_u64..120, number in 1_u8..=12) {
        let history = history(seed, people, YEAR);
        let ask = request(&history, "r", month(number));
        let primary = primary_release(&history.tally, &ask, &[]).expect("a primary release");
        let release = compute(&history.tally, &ask, &[]).expect("a release");
        prop_assert_eq!(primary.cells.len(), release.cells.len());
        for (first, last) in primary.cells.iter().zip(&release.cells) {
            let truth = truth(&history.tally, &release, last);
            let is_total = last.breakdown.is_empty()
                && corridor_stats::measure::measure(&last.measure)
                    .is_some_and(|known| known.leaf_kind.is_some());
            let by_rule = !is_total && primary_by_the_rule(&history.tally, &release, last);
            prop_assert_eq!(first.value == Value::Suppressed, by_rule, "{:?} truth {}", first, truth);
            match last.value {
                Value::Exact(value) => prop_assert_eq!(value, truth),
                Value::Rounded(value) => {
                    prop_assert!(value.abs_diff(truth) < 5, "{:?} {}", last, truth);
                    prop_assert_eq!(value % 5, 0);
                    prop_assert_eq!(first.value, last.value);
                }
                Value::Suppressed => prop_assert!(first.value != Value::Exact(truth)),
            }
        }
    }
}
