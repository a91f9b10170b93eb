//! A year of releases (12 months, 4 quarters, the year, since entry into force), each computed
//! with every earlier one, audited together by the audit that reads only the releases: every
//! suppressed cell keeps an interval the rule allows and holds its truth. The same year computed
//! without the earlier releases lets an outsider recover a suppressed cell by differencing.

use std::collections::BTreeSet;

use corridor_stats::compute::{ReleaseRequest, compute};
use corridor_stats::measure::measure;
use corridor_stats::period::{Month, Period};
use corridor_stats::release::{LogPoint, Release, ReleaseCell, ReleasePeriod, Value};
use corridor_stats::release_audit::audit_releases;
use corridor_stats::tally::Tally;

use super::history::{History, history};
use super::protection;

/// The year the synthetic history ends.
pub const YEAR: u16 = 2026;

/// People a year in the differencing tests' history (the benchmark runs at 3000).
const PEOPLE_PER_YEAR: u64 = 300;

/// The requests of one year: every month, every quarter, the year, since entry into force.
pub fn year_requests() -> Vec<(String, ReleasePeriod)> {
    let mut periods: Vec<Period> = (1..=12)
        .map(|month| Period::Month(Month::new(YEAR, month).expect("a month")))
        .collect();
    periods.extend((1..=4).map(|quarter| Period::Quarter {
        year: YEAR,
        quarter,
    }));
    periods.push(Period::Year(YEAR));
    let mut requests: Vec<(String, ReleasePeriod)> = periods
        .into_iter()
        .map(|period| (period.label(), ReleasePeriod::Period(period)))
        .collect();
    let to = Month::new(YEAR, 12).expect("a month");
    requests.push(("since-entry".to_owned(), ReleasePeriod::SinceEntry { to }));
    requests
}

/// A request with the test's settings.
pub fn request(history: &History, id: &str, period: ReleasePeriod) -> ReleaseRequest {
    ReleaseRequest {
        id: id.to_owned(),
        period,
        corrects: None,
        checkpoint: LogPoint {
            origin: "corridor.test/log".to_owned(),
            size: 1,
            root: "AAAA".to_owned(),
        },
        protection: protection(5, 5),
        agreements: history.agreements.clone(),
    }
}

/// The year's releases, each computed with the earlier ones (`linked`) or alone.
pub fn year_of_releases(history: &History, linked: bool) -> Vec<Release> {
    let mut releases: Vec<Release> = Vec::new();
    for (id, period) in year_requests() {
        let earlier: &[Release] = if linked { &releases } else { &[] };
        let release =
            compute(&history.tally, &request(history, &id, period), earlier).expect("a release");
        releases.push(release);
    }
    releases
}

/// A cell's true count, re-derived from the tally: `other` sums what its release does not name
/// for that agreement, measure and key.
pub fn truth(tally: &Tally, release: &Release, cell: &ReleaseCell) -> u64 {
    let months: BTreeSet<Month> = Period::parse(&cell.period)
        .expect("a period")
        .months()
        .into_iter()
        .collect();
    let detail_key = measure(&cell.measure).and_then(|known| known.detail);
    let named = |key: &str| -> BTreeSet<&str> {
        release
            .cells
            .iter()
            .filter(|other| other.agreement == cell.agreement && other.measure == cell.measure)
            .flat_map(|other| other.breakdown.iter())
            .filter(|(other_key, value)| other_key == key && value != "other")
            .map(|(_, value)| value.as_str())
            .collect()
    };
    tally
        .iter()
        .filter(|(key, _)| {
            key.agreement == cell.agreement
                && key.measure == cell.measure
                && months.contains(&key.month)
        })
        .filter(|(key, _)| {
            cell.breakdown.iter().all(|(name, value)| {
                let actual = if Some(name.as_str()) == detail_key {
                    key.detail.clone()
                } else {
                    key.person.as_ref().map(|person| match name.as_str() {
                        "nationality" => person.nationality.clone(),
                        "sex" => person.sex.to_owned(),
                        _ => person.age_band.label().to_owned(),
                    })
                };
                let actual = actual.unwrap_or_default();
                if value == "other" {
                    !named(name).contains(actual.as_str())
                } else {
                    actual == *value
                }
            })
        })
        .map(|(_, count)| count)
        .sum()
}

/// The suppressed cells an outsider narrows below the rule, as text.
fn exposed(releases: &[Release]) -> Vec<String> {
    audit_releases(releases)
        .expect("an audit")
        .into_iter()
        .filter(|interval| !interval.protects())
        .map(|interval| format!("{interval:?}"))
        .collect()
}

#[test]
fn a_year_of_linked_releases_survives_differencing() {
    // Proves every suppressed cell of 18 linked releases keeps an interval of at least the
    // threshold (or all the exact totals allow) against an outsider who reads them all, that
    // each interval holds the truth, and that rounded and exact values are true to the tally.
    let history = history(16, PEOPLE_PER_YEAR, YEAR);
    let releases = year_of_releases(&history, true);
    let intervals = audit_releases(&releases).expect("an audit");
    assert!(intervals.len() > 50, "{} suppressed cells", intervals.len());
    for interval in &intervals {
        let release = releases
            .iter()
            .find(|release| release.id == interval.release)
            .expect("its release");
        let truth = truth(&history.tally, release, &interval.cell);
        assert!(interval.protects(), "exposed: {interval:?} (truth {truth})");
        assert!(
            interval.low <= truth && interval.high.is_none_or(|high| truth <= high),
            "{interval:?} does not hold the truth {truth}"
        );
    }
    for release in &releases {
        for cell in &release.cells {
            let truth = truth(&history.tally, release, cell);
            match cell.value {
                Value::Exact(value) => assert_eq!(value, truth, "{cell:?}"),
                Value::Rounded(value) => assert!(value.abs_diff(truth) < 5, "{cell:?} {truth}"),
                Value::Suppressed => {}
            }
        }
    }
}

#[test]
fn releases_computed_alone_can_be_differenced() {
    // Proves the linking matters: the same year, each release protected on its own, lets an
    // outsider who reads them together narrow some suppressed cell below the rule.
    let history = history(16, PEOPLE_PER_YEAR, YEAR);
    let alone = year_of_releases(&history, false);
    let exposed = exposed(&alone);
    assert!(!exposed.is_empty(), "no cell recoverable without linking");
}
