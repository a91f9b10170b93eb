//! Whether a release's cells agree with the public log and with each other.
//!
//! - **Totals.** A measure whose leaves count it one to one (`Measure::leaf_kind`) has its total
//!   fixed by the log: the leaves of that kind, for the cell's agreement (`-` for court holds),
//!   in the period's months. Its published value must allow exactly that number (an `exact` cell
//!   must equal it).
//! - **Breakdowns.** Every cell broken down by keys `K` is part of a table whose margin, for
//!   each key `k` of `K`, is the cell broken down by `K` without `k` (the total when `K` has one
//!   key): the cells that differ only in `k` must sum to it. Each published value stands for an
//!   interval of truths (a rounded count `c`: within `base - 1` of it and, when positive, at
//!   least the threshold; a zero: exactly zero when the base is at most the threshold; a
//!   suppressed cell: anything from zero), and a total fixed by the log stands for itself. Each
//!   equation is checked on its own first (which names the margin and the key), then every
//!   equation of one agreement × period × measure at once by a linear program (`good_lp` with
//!   `microlp`). A table must list every category of its key (nationalities not named on their
//!   own fall under `other`), as corridor's releases do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use corridor_stats::measure::measure;
use corridor_stats::period::Period;
use corridor_stats::release::{Release, ReleaseCell, Value};
use good_lp::{Expression, ProblemVariables, SolverModel, Variable, microlp, variable};

use crate::count::LeafCounts;

/// A cell's definition, as a refusal names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellName {
    /// The agreement.
    pub agreement: String,
    /// The period's label.
    pub period: String,
    /// The measure.
    pub measure: String,
    /// The breakdown, `key=value` pairs.
    pub breakdown: Vec<(String, String)>,
}

impl CellName {
    fn of(cell: &ReleaseCell) -> Self {
        Self {
            agreement: cell.agreement.clone(),
            period: cell.period.clone(),
            measure: cell.measure.clone(),
            breakdown: cell.breakdown.clone(),
        }
    }
}

impl fmt::Display for CellName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "agreement `{}`, period `{}`, measure `{}`",
            self.agreement, self.period, self.measure
        )?;
        if self.breakdown.is_empty() {
            formatter.write_str(", total")
        } else {
            let pairs: Vec<String> = self
                .breakdown
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            write!(formatter, ", breakdown `{}`", pairs.join(","))
        }
    }
}

/// Why a release's cells are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellRefusal {
    /// A cell names a measure corridor does not publish.
    #[error("{cell}: unknown measure")]
    UnknownMeasure {
        /// The cell.
        cell: CellName,
    },
    /// A cell's period label is not a period.
    #[error("{cell}: the period is not a period label")]
    Period {
        /// The cell.
        cell: CellName,
    },
    /// Two cells have one definition.
    #[error("{cell}: published twice")]
    Duplicate {
        /// The cell.
        cell: CellName,
    },
    /// A total the log fixes is published as something the log contradicts.
    #[error("{cell}: published {published}, but the log holds {log} such leaves")]
    Total {
        /// The cell.
        cell: CellName,
        /// What the release publishes.
        published: String,
        /// The number of leaves the log holds.
        log: u64,
    },
    /// The cells broken down by one key cannot sum to their margin.
    #[error(
        "{margin}: its cells by `{key}` sum to between {low} and {high}, but it is between {margin_low} and {margin_high}{log}"
    )]
    Breakdown {
        /// The margin (the total, or the cell of the other keys).
        margin: CellName,
        /// The key the cells break it down by.
        key: String,
        /// The least sum the published cells allow.
        low: u64,
        /// The greatest sum they allow (`u64::MAX`: unbounded).
        high: u64,
        /// The margin's least value.
        margin_low: u64,
        /// The margin's greatest value.
        margin_high: u64,
        /// What the log says of the total, if it fixes it (`; the log holds N leaves`).
        log: String,
    },
    /// The cells of one agreement × period × measure cannot all hold at once.
    #[error(
        "agreement `{agreement}`, period `{period}`, measure `{measure}`: no counts agree with every published cell and total at once"
    )]
    Table {
        /// The agreement.
        agreement: String,
        /// The period's label.
        period: String,
        /// The measure.
        measure: String,
    },
}

/// What the check covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellReport {
    /// Totals compared with the log's leaves.
    pub totals_against_log: u64,
    /// Breakdown equations checked (a margin and a key).
    pub equations: u64,
    /// Agreement × period × measure groups solved as one linear program.
    pub programs: u64,
}

/// A breakdown: `key=value` pairs sorted by key.
type Pairs = Vec<(String, String)>;

/// An interval of truths, `high` `None` when unbounded.
type Range = (u64, Option<u64>);

fn published_range(value: Value, threshold: u64, base: u64) -> Range {
    let slack = base.saturating_sub(1);
    match value {
        Value::Exact(count) => (count, Some(count)),
        Value::Rounded(0) if base > threshold => (0, Some(slack)),
        Value::Rounded(0) => (0, Some(0)),
        Value::Rounded(count) => (
            threshold.max(count.saturating_sub(slack)),
            Some(count.saturating_add(slack)),
        ),
        Value::Suppressed => (0, None),
    }
}

fn value_text(value: Value) -> String {
    match value {
        Value::Exact(count) => format!("exactly {count}"),
        Value::Rounded(count) => format!("{count} (rounded)"),
        Value::Suppressed => "a suppressed value".to_owned(),
    }
}

/// The cells of one agreement × period × measure, by breakdown.
type Group<'a> = BTreeMap<&'a [(String, String)], &'a ReleaseCell>;

/// Checks every cell of `release` against the leaf counts and the breakdowns against their
/// totals.
///
/// # Errors
/// The [`CellRefusal`] naming the first cell or table that fails.
pub fn check_cells(release: &Release, counts: &LeafCounts) -> Result<CellReport, Box<CellRefusal>> {
    let mut groups: BTreeMap<(&str, &str, &str), Group<'_>> = BTreeMap::new();
    for cell in &release.cells {
        let group = groups
            .entry((&cell.agreement, &cell.period, &cell.measure))
            .or_default();
        if group.insert(&cell.breakdown, cell).is_some() {
            return Err(Box::new(CellRefusal::Duplicate {
                cell: CellName::of(cell),
            }));
        }
    }
    let mut report = CellReport::default();
    for ((agreement, period, measure_name), group) in &groups {
        let log = log_total(agreement, period, measure_name, group, counts)?;
        let mut ranges: BTreeMap<&[(String, String)], Range> = group
            .iter()
            .map(|(breakdown, cell)| {
                (
                    *breakdown,
                    published_range(cell.value, release.threshold, release.base),
                )
            })
            .collect();
        if let Some(log) = log {
            report.totals_against_log += 1;
            check_total(group, log, &mut ranges)?;
        }
        let equations = equations(group, log.is_some());
        let name = CellName {
            agreement: (*agreement).to_owned(),
            period: (*period).to_owned(),
            measure: (*measure_name).to_owned(),
            breakdown: Vec::new(),
        };
        for equation in &equations {
            check_equation(&name, &ranges, equation, log)?;
            report.equations += 1;
        }
        if equations.len() > 1 {
            report.programs += 1;
            if !feasible(&ranges, &equations) {
                return Err(Box::new(CellRefusal::Table {
                    agreement: (*agreement).to_owned(),
                    period: (*period).to_owned(),
                    measure: (*measure_name).to_owned(),
                }));
            }
        }
    }
    Ok(report)
}

/// The log's count of the group's total, when its measure is a leaf kind.
fn log_total(
    agreement: &str,
    period: &str,
    measure_name: &str,
    group: &Group<'_>,
    counts: &LeafCounts,
) -> Result<Option<u64>, Box<CellRefusal>> {
    let any = group.values().next().map(|cell| CellName::of(cell));
    let name = || {
        any.clone().unwrap_or(CellName {
            agreement: agreement.to_owned(),
            period: period.to_owned(),
            measure: measure_name.to_owned(),
            breakdown: Vec::new(),
        })
    };
    let measure = measure(measure_name)
        .ok_or_else(|| Box::new(CellRefusal::UnknownMeasure { cell: name() }))?;
    let period =
        Period::parse(period).map_err(|_| Box::new(CellRefusal::Period { cell: name() }))?;
    let Some(kind) = measure.leaf_kind else {
        return Ok(None);
    };
    let total = period
        .months()
        .into_iter()
        .map(|month| {
            counts
                .get(&(kind.to_owned(), agreement.to_owned(), month))
                .copied()
                .unwrap_or(0)
        })
        .sum();
    Ok(Some(total))
}

/// Checks the published total against the log's count, and fixes its range to it.
fn check_total(
    group: &Group<'_>,
    log: u64,
    ranges: &mut BTreeMap<&[(String, String)], Range>,
) -> Result<(), Box<CellRefusal>> {
    let empty: &'static [(String, String)] = &[];
    if let Some(cell) = group.get(empty) {
        let (low, high) = ranges.get(empty).copied().unwrap_or((0, None));
        if log < low || high.is_some_and(|high| log > high) {
            return Err(Box::new(CellRefusal::Total {
                cell: CellName::of(cell),
                published: value_text(cell.value),
                log,
            }));
        }
    }
    ranges.insert(empty, (log, Some(log)));
    Ok(())
}

/// One equation: the cells differing only in `key` sum to `margin`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Equation {
    margin: Vec<(String, String)>,
    key: String,
    parts: Vec<Vec<(String, String)>>,
}

/// Every equation among a group's cells (with the total as a margin when the log fixes it,
/// published or not).
fn equations(group: &Group<'_>, total_known: bool) -> Vec<Equation> {
    let mut equations: BTreeMap<(Pairs, String), Vec<Pairs>> = BTreeMap::new();
    for breakdown in group.keys() {
        for (key, _) in breakdown.iter() {
            let margin: Vec<(String, String)> = breakdown
                .iter()
                .filter(|(other, _)| other != key)
                .cloned()
                .collect();
            equations
                .entry((margin, key.clone()))
                .or_default()
                .push(breakdown.to_vec());
        }
    }
    let mut keys: BTreeSet<&[(String, String)]> = group.keys().copied().collect();
    if total_known {
        keys.insert(&[]);
    }
    equations
        .into_iter()
        .filter(|((margin, _), _)| keys.contains(margin.as_slice()))
        .map(|((margin, key), parts)| Equation { margin, key, parts })
        .collect()
}

fn check_equation(
    group: &CellName,
    ranges: &BTreeMap<&[(String, String)], Range>,
    equation: &Equation,
    log: Option<u64>,
) -> Result<(), Box<CellRefusal>> {
    let range =
        |breakdown: &[(String, String)]| ranges.get(breakdown).copied().unwrap_or((0, None));
    let (mut low, mut high) = (0u64, Some(0u64));
    for part in &equation.parts {
        let (part_low, part_high) = range(part);
        low = low.saturating_add(part_low);
        high = high.zip(part_high).map(|(a, b)| a.saturating_add(b));
    }
    let (margin_low, margin_high) = range(&equation.margin);
    let fits = low <= margin_high.unwrap_or(u64::MAX) && high.is_none_or(|high| high >= margin_low);
    if fits {
        return Ok(());
    }
    let margin = CellName {
        breakdown: equation.margin.clone(),
        ..group.clone()
    };
    let log = match log {
        Some(log) if equation.margin.is_empty() => format!("; the log holds {log} such leaves"),
        _ => String::new(),
    };
    Err(Box::new(CellRefusal::Breakdown {
        margin,
        key: equation.key.clone(),
        low,
        high: high.unwrap_or(u64::MAX),
        margin_low,
        margin_high: margin_high.unwrap_or(u64::MAX),
        log,
    }))
}

/// Whether some real counts within every range satisfy every equation at once.
fn feasible(ranges: &BTreeMap<&[(String, String)], Range>, equations: &[Equation]) -> bool {
    let mut problem = ProblemVariables::new();
    let variables: BTreeMap<&[(String, String)], Variable> = ranges
        .iter()
        .map(|(breakdown, (low, high))| {
            let definition = variable().min(*low as f64);
            let definition = match high {
                Some(high) => definition.max(*high as f64),
                None => definition,
            };
            (*breakdown, problem.add(definition))
        })
        .collect();
    let mut model = problem.minimise(Expression::default()).using(microlp);
    for equation in equations {
        let mut expression = Expression::default();
        for part in &equation.parts {
            if let Some(variable) = variables.get(part.as_slice()) {
                expression += *variable;
            }
        }
        if let Some(margin) = variables.get(equation.margin.as_slice()) {
            expression -= *margin;
        }
        model = model.with(expression.eq(0.0));
    }
    model.solve().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_the_publication_rules() {
        // Proves the interval each published value stands for, threshold 5 and base 5.
        assert_eq!(published_range(Value::Exact(7), 5, 5), (7, Some(7)));
        assert_eq!(published_range(Value::Rounded(0), 5, 5), (0, Some(0)));
        assert_eq!(published_range(Value::Rounded(0), 3, 5), (0, Some(4)));
        assert_eq!(published_range(Value::Rounded(5), 5, 5), (5, Some(9)));
        assert_eq!(published_range(Value::Rounded(20), 5, 5), (16, Some(24)));
        assert_eq!(published_range(Value::Suppressed, 5, 5), (0, None));
    }
}
