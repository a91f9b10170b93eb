//! Secondary suppression across releases: the new release's cells are suppressed, one at a
//! time, until no suppressed cell of any release (the new one and every earlier one) can be
//! narrowed below the rule ([`crate::linked`]) by an outsider who reads them all.
//!
//! Components are independent: cells of different agreements or measures share no true count.
//! Within a measure whose total is a leaf kind, the public log discloses the total of every
//! month, so the model fixes each month's total to its true value (what the outsider knows) and
//! the detail table, the nationality × sex tables and the age-band tables share nothing else: any
//! split of a month's total by one breakdown is compatible with any split by another. Each is
//! then its own component; a measure without a leaf kind is one component.
//!
//! Work is spared three ways, none of which changes a result: a component with nothing
//! suppressed solves nothing; every integer point a solver returns is kept as a *witness* (the
//! truth is the first), and a cell whose witnesses already lie at least the rule's width apart is
//! protected without a program of its own; a cell found protected stays so, because suppressing
//! another cell only removes constraints.
//!
//! The partner suppressed when a cell is exposed is a published (rounded) cell of the new
//! release in the same component (earlier releases are fixed): an inner cell before a margin or
//! a total; then one that shares a count or a table line with the exposed cell, then one that
//! does with another suppressed cell, then any; the smallest true count; the first in order.
//! Suppressing every cell of the new release leaves only what the earlier releases and the log
//! said, under which every earlier cell was protected, so the loop ends; should it not, the
//! release is refused ([`StatsError::Unprotectable`]) rather than published.

use crate::StatsError;
use crate::compute::TallyIndex;
use crate::linked::{Component, Kind, Lp, group, integral};
use crate::measure::measure;
use crate::release::{Release, Value};
use crate::tally::Tally;

/// How many rounds of batch witnesses a pass tries before programs of single cells.
const BATCH_ROUNDS: usize = 4;

/// Suppresses cells of `release` (its primary suppression and rounding done) until every
/// suppressed cell of it and of `earlier` is protected.
pub(crate) fn secure(
    release: &mut Release,
    earlier: &[Release],
    tally: &Tally,
) -> Result<(), StatsError> {
    let index = TallyIndex::new(tally);
    let new_position = earlier.len();
    let groups = {
        let all: Vec<&Release> = earlier.iter().chain([&*release]).collect();
        group(&all)?
    };
    let mut chosen = Vec::new();
    for ((agreement, measure_name), cells) in groups {
        if !cells
            .iter()
            .any(|cell| cell.cell.value == Value::Suppressed)
        {
            continue;
        }
        let leaf = measure(&measure_name).is_some_and(|known| known.leaf_kind.is_some());
        let parts = if leaf {
            let (totals, rest): (Vec<_>, Vec<_>) = cells
                .into_iter()
                .partition(|cell| cell.shape.kind == Kind::Total);
            [Kind::Detail, Kind::People, Kind::Age]
                .into_iter()
                .map(|kind| {
                    let mut part = totals.clone();
                    part.extend(rest.iter().filter(|cell| cell.shape.kind == kind).cloned());
                    part
                })
                .collect()
        } else {
            vec![cells]
        };
        for part in parts {
            if !part.iter().any(|cell| cell.cell.value == Value::Suppressed) {
                continue;
            }
            let source = Source {
                index: &index,
                agreement: &agreement,
                measure: &measure_name,
                leaf,
            };
            let mut engine = Engine::new(Component::new(part), &source, new_position);
            chosen.extend(engine.run(&release.id)?);
        }
    }
    for index in chosen {
        if let Some(cell) = release.cells.get_mut(index) {
            cell.value = Value::Suppressed;
        }
    }
    Ok(())
}

/// Where a component's true counts come from.
struct Source<'a> {
    index: &'a TallyIndex<'a>,
    agreement: &'a str,
    measure: &'a str,
    leaf: bool,
}

/// The true value of every finest variable of a component, and the bounds the outsider knows:
/// a month's total fixed when the log discloses it.
fn truth_and_bounds(component: &Component, source: &Source) -> (Vec<f64>, Vec<(f64, Option<f64>)>) {
    let mut truth = vec![0.0; component.fines.len()];
    let months = || component.fines.iter().map(|fine| fine.month);
    if let (Some(first), Some(last)) = (months().min(), months().max()) {
        for (key, count) in source
            .index
            .within(source.agreement, source.measure, first, last)
        {
            let person = key.person.as_ref();
            let places = [
                component.category(Kind::Total, key.month, "", ""),
                key.detail
                    .as_deref()
                    .and_then(|detail| component.category(Kind::Detail, key.month, detail, "")),
                person.and_then(|person| {
                    component.category(Kind::People, key.month, &person.nationality, person.sex)
                }),
                person.and_then(|person| {
                    component.category(Kind::Age, key.month, person.age_band.label(), "")
                }),
            ];
            for place in places.into_iter().flatten() {
                if let Some(value) = truth.get_mut(place) {
                    *value += count as f64;
                }
            }
        }
    }
    let bounds = component
        .fines
        .iter()
        .zip(&truth)
        .map(|(fine, value)| {
            if fine.kind == Kind::Total && source.leaf {
                (*value, Some(*value))
            } else {
                (0.0, None)
            }
        })
        .collect();
    (truth, bounds)
}

/// The secondary suppression of one component.
struct Engine {
    component: Component,
    lp: Lp,
    /// The truth, per atom.
    truth: Vec<f64>,
    /// Per cell, the least and greatest value over the witnesses: integer points consistent
    /// with everything published, the truth first.
    ranges: Vec<(f64, f64)>,
    suppressed: Vec<bool>,
    proven: Vec<bool>,
    /// Per cell, the most its interval can be wide: the log's exact totals of its months.
    caps: Vec<Option<u64>>,
    new_position: usize,
}

impl Engine {
    fn new(component: Component, source: &Source, new_position: usize) -> Self {
        let (truth, bounds) = truth_and_bounds(&component, source);
        let (lp, atoms) = Lp::new(&component, &bounds);
        let mut atom_truth = vec![0.0; lp.low.len()];
        for (fine, atom) in atoms.iter().enumerate() {
            if let (Some(sum), Some(value)) = (atom_truth.get_mut(*atom), truth.get(fine)) {
                *sum += value;
            }
        }
        let count = component.cells.len();
        let caps = component
            .cells
            .iter()
            .map(|cell| {
                (source.leaf && cell.shape.kind != Kind::Total).then(|| {
                    component
                        .fines
                        .iter()
                        .zip(&truth)
                        .filter(|(fine, _)| {
                            fine.kind == Kind::Total && cell.shape.months.contains(&fine.month)
                        })
                        .map(|(_, value)| value.round() as u64)
                        .sum()
                })
            })
            .collect();
        let suppressed = component
            .cells
            .iter()
            .map(|cell| cell.cell.value == Value::Suppressed)
            .collect();
        let ranges = (0..count)
            .map(|cell| {
                let value = lp.value(cell, &atom_truth);
                (value, value)
            })
            .collect();
        Self {
            component,
            lp,
            ranges,
            truth: atom_truth,
            suppressed,
            proven: vec![false; count],
            caps,
            new_position,
        }
    }

    /// The positions, in the new release, of the cells it suppressed.
    fn run(&mut self, release: &str) -> Result<Vec<usize>, StatsError> {
        let mut chosen = Vec::new();
        loop {
            let pending: Vec<usize> = (0..self.component.cells.len())
                .filter(|cell| self.is_suppressed(*cell) && !self.is_proven(*cell))
                .collect();
            self.spread_witnesses(&pending)?;
            let mut exposed = None;
            for cell in pending {
                if self.exposed(cell)? {
                    exposed = Some(cell);
                    break;
                }
                if let Some(proven) = self.proven.get_mut(cell) {
                    *proven = true;
                }
            }
            let Some(exposed) = exposed else {
                return Ok(chosen);
            };
            let partner = self
                .partner(exposed)
                .ok_or_else(|| StatsError::Unprotectable {
                    release: release.to_owned(),
                    cell: self.describe(exposed),
                })?;
            if let (Some(row), Some(flag)) = (
                self.lp.rows.get_mut(partner),
                self.suppressed.get_mut(partner),
            ) {
                row.low = 0.0;
                row.high = None;
                *flag = true;
            }
            if let Some(cell) = self.component.cells.get(partner) {
                chosen.push(cell.index);
            }
        }
    }

    /// Witnesses for many cells at once: the points that maximise and minimise the sum of the
    /// cells not yet spread wide enough, again while that helps (a few rounds at most).
    fn spread_witnesses(&mut self, pending: &[usize]) -> Result<(), StatsError> {
        let mut narrow: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|cell| !self.wide(*cell))
            .collect();
        for _ in 0..BATCH_ROUNDS {
            if narrow.len() <= 2 {
                break;
            }
            for maximise in [true, false] {
                if let Some(point) = self.lp.optimise(&narrow, maximise, false)?
                    && integral(&point)
                {
                    self.witness(&point);
                }
            }
            let still: Vec<usize> = narrow
                .iter()
                .copied()
                .filter(|cell| !self.wide(*cell))
                .collect();
            if still.len() == narrow.len() {
                break;
            }
            narrow = still;
        }
        Ok(())
    }

    fn is_suppressed(&self, cell: usize) -> bool {
        self.suppressed.get(cell).copied().unwrap_or(false)
    }

    fn is_proven(&self, cell: usize) -> bool {
        self.proven.get(cell).copied().unwrap_or(false)
    }

    /// Keeps an integer point: every cell's range widens to hold its value there.
    fn witness(&mut self, point: &[f64]) {
        for (cell, range) in self.ranges.iter_mut().enumerate() {
            let value = self.lp.value(cell, point);
            *range = (range.0.min(value), range.1.max(value));
        }
    }

    /// The width the witnesses spread the cell over.
    fn spread(&self, cell: usize) -> u64 {
        self.ranges
            .get(cell)
            .map_or(0, |(low, high)| (high - low).round().max(0.0) as u64)
    }

    /// Whether the witnesses already spread the cell at least the threshold wide, or over the
    /// whole of `0 ..= cap` (no interval is wider, so none is required to be).
    fn wide(&self, cell: usize) -> bool {
        let threshold = self
            .component
            .cells
            .get(cell)
            .map_or(0, |cell| cell.threshold);
        let cap = self.caps.get(cell).copied().flatten().unwrap_or(u64::MAX);
        self.spread(cell) >= threshold.min(cap)
    }

    /// Whether the cell's exact integer interval is narrower than the rule asks.
    fn exposed(&mut self, cell: usize) -> Result<bool, StatsError> {
        for maximise in [true, false] {
            if self.wide(cell) {
                return Ok(false);
            }
            let Some(point) = self.lp.optimise(&[cell], maximise, false)? else {
                return Ok(false);
            };
            let point = if integral(&point) {
                point
            } else {
                self.lp
                    .optimise(&[cell], maximise, true)?
                    .ok_or_else(|| StatsError::Solver("unbounded integer program".to_owned()))?
            };
            self.witness(&point);
        }
        // Both ends were reached: the spread is the exact width.
        let width = self.spread(cell);
        Ok(width < self.component.required(&self.lp, cell, Some(width))?)
    }

    /// The cell of the new release to suppress next (module docs: the partner's order).
    fn partner(&self, exposed: usize) -> Option<usize> {
        let cells = &self.component.cells;
        let widest_people = cells
            .iter()
            .filter(|cell| cell.release == self.new_position && cell.shape.kind == Kind::People)
            .map(|cell| cell.cell.breakdown.len())
            .max()
            .unwrap_or(0);
        let truth = Some(&self.truth);
        (0..cells.len())
            .filter(|index| !self.is_suppressed(*index))
            .filter_map(|index| cells.get(index).map(|cell| (index, cell)))
            .filter(|(_, cell)| {
                cell.release == self.new_position && matches!(cell.cell.value, Value::Rounded(_))
            })
            .min_by_key(|(index, cell)| {
                let margin = cell.shape.kind == Kind::Total
                    || (cell.shape.kind == Kind::People
                        && cell.cell.breakdown.len() < widest_people);
                let nearness = if self.shares(*index, exposed) {
                    0
                } else if (0..cells.len())
                    .any(|other| self.is_suppressed(other) && self.shares(*index, other))
                {
                    1
                } else {
                    2
                };
                let count = truth.map_or(0, |point| self.lp.value(*index, point).round() as u64);
                (margin, nearness, count, *index)
            })
            .map(|(index, _)| index)
    }

    /// Whether two cells share a count, or a line of one table.
    fn shares(&self, a: usize, b: usize) -> bool {
        let (Some(first), Some(second)) =
            (self.component.cells.get(a), self.component.cells.get(b))
        else {
            return false;
        };
        let same_table = first.release == second.release && first.shape.kind == second.shape.kind;
        let one_line = first.cell.breakdown.len() == 1
            && second.cell.breakdown.len() == 1
            && first.cell.breakdown.first().map(|pair| &pair.0)
                == second.cell.breakdown.first().map(|pair| &pair.0);
        let common_pair = first
            .cell
            .breakdown
            .iter()
            .any(|pair| second.cell.breakdown.contains(pair));
        if same_table && (one_line || common_pair) {
            return true;
        }
        let (Some(row_a), Some(row_b)) = (self.lp.rows.get(a), self.lp.rows.get(b)) else {
            return false;
        };
        // Both rows' terms are sorted by atom: one merge finds a common one.
        let (mut left, mut right) = (row_a.terms.iter().peekable(), row_b.terms.iter().peekable());
        while let (Some((a, _)), Some((b, _))) = (left.peek(), right.peek()) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => {
                    left.next();
                }
                std::cmp::Ordering::Greater => {
                    right.next();
                }
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn describe(&self, cell: usize) -> String {
        self.component
            .cells
            .get(cell)
            .map_or_else(String::new, |cell| {
                format!(
                    "{} {} {} {:?}",
                    cell.cell.agreement, cell.cell.period, cell.cell.measure, cell.cell.breakdown
                )
            })
    }
}
