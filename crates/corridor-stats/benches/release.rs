//! How long a release takes at scale: a synthetic history of three agreements and a few thousand
//! people a year; the year's monthly, quarterly, yearly and since-entry releases, each computed
//! with every earlier one. Prints the time of each release and of the last (the year-end
//! since-entry release over a year of earlier ones). `cargo bench -p corridor-stats --bench release`
#![expect(clippy::expect_used, reason = "a benchmark's fixtures fail loudly")]

use std::time::Instant;

use corridor_stats::compute::{ReleaseRequest, compute};
use corridor_stats::period::{Month, Period};
use corridor_stats::release::{LogPoint, Release, ReleasePeriod, Value};
use corridor_stats::rounding::Protection;

#[path = "../tests/stats/history.rs"]
mod history;

const YEAR: u16 = 2026;

fn main() {
    let people_per_year = 3000;
    let started = Instant::now();
    let history = history::history(2026, people_per_year, YEAR);
    println!(
        "history: {people_per_year} people a year, {} tally keys, {:.2?}",
        history.tally.len(),
        started.elapsed()
    );
    let mut periods: Vec<ReleasePeriod> = (1..=12)
        .map(|month| ReleasePeriod::Period(Period::Month(Month::new(YEAR, month).expect("month"))))
        .collect();
    periods.extend((1..=4).map(|quarter| {
        ReleasePeriod::Period(Period::Quarter {
            year: YEAR,
            quarter,
        })
    }));
    periods.push(ReleasePeriod::Period(Period::Year(YEAR)));
    periods.push(ReleasePeriod::SinceEntry {
        to: Month::new(YEAR, 12).expect("month"),
    });
    let protection = Protection::new(b"benchmark key").expect("protection");
    let mut releases: Vec<Release> = Vec::new();
    let all = Instant::now();
    for period in periods {
        let request = ReleaseRequest {
            id: period.label(),
            period,
            corrects: None,
            checkpoint: LogPoint {
                origin: "bench".to_owned(),
                size: 0,
                root: String::new(),
            },
            protection: protection.clone(),
            agreements: history.agreements.clone(),
        };
        let started = Instant::now();
        let cpu = cpu_seconds();
        let release = compute(&history.tally, &request, &releases).expect("a release");
        let cpu = cpu_seconds() - cpu;
        let suppressed = release
            .cells
            .iter()
            .filter(|cell| cell.value == Value::Suppressed)
            .count();
        println!(
            "{:<22} {:>5} cells {:>5} suppressed  {:>8.1?} wall {:>7.2}s CPU (over {} earlier releases)",
            release.id,
            release.cells.len(),
            suppressed,
            started.elapsed(),
            cpu,
            releases.len()
        );
        releases.push(release);
    }
    println!("all {} releases: {:.2?}", releases.len(), all.elapsed());
}

/// The CPU time the process has used (user and system, every thread), in seconds, read from
/// `/proc/self/stat` (Linux; 0 elsewhere): on a machine shared with other work, wall time
/// measures the machine, CPU time the code.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // The kernel's USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}
