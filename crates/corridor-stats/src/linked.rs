//! The linked model of everything a deployment has published: every published cell of every
//! release is a sum of the *finest* true counts (agreement × month × measure × one category of
//! one kind of breakdown), and what is published of it bounds that sum. An outsider who reads
//! every release knows exactly this polyhedron; a suppressed cell is hidden as long as the
//! polyhedron lets it take values at least `threshold` apart.
//!
//! The finest variables of one agreement × measure:
//!
//! - `T(m)`: the measure's total in month `m` (every release's total cell is a sum of them);
//! - for each kind of breakdown a release uses (the measure's detail, nationality × sex, age
//!   band), one variable per month and category, whose sum over categories is `T(m)`.
//!
//! Categories of the open sets (nationality, the details other than `acceptance` and `decision`)
//! are those named in some release, plus one `rest` for every category never named. A cell
//! `other` of a release sums exactly the categories that release does not name itself: so a
//! category that moves from `other` to a row of its own between releases is modelled.
//!
//! What a published value says ([`known_range`]): `Exact(v)` that the sum is `v`; `Rounded(c)`
//! with `c > 0` that it lies in `max(threshold, c - (base - 1)) ..= c + (base - 1)`; `Rounded(0)`
//! that it is 0 (or at most `base - 1` when the base exceeds the threshold); `Suppressed` only
//! that it is at least 0.
//!
//! Finest variables that lie in exactly the same constraints are merged into one (an *atom*): a
//! sum of non-negative variables that appear only together can take any split, so the merge
//! changes no interval and makes the linear programs small (months that only a since-entry
//! release covers become one atom).
//!
//! **Exact intervals, never overstated.** With the hierarchy of periods (months inside quarters
//! inside the year) and the two-way tables together, the constraint matrix is no longer totally
//! unimodular, so a linear program's optimum may be fractional and its interval wider than the
//! integer one. Neither use here trusts a fractional optimum: when the relaxation's optimum is not
//! integral, the same problem is solved again with integer variables (branch and bound in
//! `microlp`) — or, in the secondary suppression, an integer point is found near the optimum
//! ([`Warm::dive_from`]) and counts as the end only when it reaches the optimum rounded inwards, which
//! no integer point can pass — so every bound reported is the value of an integer table
//! consistent with everything published. The relaxation's interval contains the integer one, so an interval the
//! relaxation already finds too narrow is too narrow.
//!
//! **The rule.** A suppressed cell is protected when its interval is at least `threshold` wide,
//! or as wide as the exact totals alone allow: when the measure's exact total over the cell's
//! period is `E < threshold`, every breakdown cell lies in `0 ..= E` whatever else is published,
//! and a publication that leaves the cell the whole of `0 ..= E` adds nothing to what the log
//! already says. Likewise a cell that sums every category of its kind (the row `other` of a
//! table that names no value) is the exact total itself. In general ([`Component::required`]):
//! a suppressed cell must keep at least `min(threshold, w)`, where `w` is the width it has when
//! its own release and every later one publish nothing but their exact totals: what the log and
//! the earlier releases alone allow. A release can make no cell narrower than that by publishing
//! less, so suppressing the whole of a new release always protects, and a cell whose month was
//! published before (a quarter's cell that the months already fixed to one month's suppressed
//! cell) asks no more of the quarter than the month gave.

use std::collections::{BTreeMap, BTreeSet};

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, microlp,
    variable,
};

use crate::StatsError;
use crate::measure::{AgeBand, Breakdown, measure};
use crate::period::{Month, Period};
use crate::release::{Release, ReleaseCell, Value};

/// The category standing for every value of an open set that no release names.
pub(crate) const REST: &str = "";
/// The label of the pooled row of an open set.
pub const OTHER: &str = "other";
/// The values of the sex breakdown.
pub const SEXES: [&str; 3] = ["f", "m", "x"];
/// Slack for the solver's floating-point results, far below one count.
const TOLERANCE: f64 = 1e-6;

/// Which kind of breakdown a cell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// The measure's total.
    Total,
    /// The measure's own detail (`code`, `acceptance`, ...).
    Detail,
    /// Nationality, sex, or both.
    People,
    /// Age band.
    Age,
}

/// What a published cell sums: its months and, within its kind, which categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) months: Vec<Month>,
    pub(crate) kind: Kind,
    /// The detail, nationality or age band it selects (`None`: all).
    pub(crate) first: Option<String>,
    /// The sex it selects (`None`: all).
    pub(crate) second: Option<String>,
}

/// The shape of a published cell, or why it is not one this crate publishes.
pub(crate) fn shape(release: &str, cell: &ReleaseCell) -> Result<Shape, StatsError> {
    let malformed = |reason: String| StatsError::MalformedCell {
        release: release.to_owned(),
        reason,
    };
    let known = measure(&cell.measure)
        .ok_or_else(|| malformed(format!("unknown measure `{}`", cell.measure)))?;
    let period = Period::parse(&cell.period)
        .map_err(|_| malformed(format!("unknown period `{}`", cell.period)))?;
    let mut shape = Shape {
        months: period.months(),
        kind: Kind::Total,
        first: None,
        second: None,
    };
    for (key, value) in &cell.breakdown {
        let kind = if Some(key.as_str()) == known.detail {
            Kind::Detail
        } else if key == Breakdown::Nationality.key() || key == Breakdown::Sex.key() {
            Kind::People
        } else if key == Breakdown::AgeBand.key()
            && AgeBand::ALL.iter().any(|band| band.label() == value)
        {
            Kind::Age
        } else {
            return Err(malformed(format!("unknown breakdown `{key}={value}`")));
        };
        if shape.kind != Kind::Total && shape.kind != kind {
            return Err(malformed(format!(
                "breakdowns of two kinds in one cell: `{key}`"
            )));
        }
        shape.kind = kind;
        if key == Breakdown::Sex.key() {
            if !SEXES.contains(&value.as_str()) {
                return Err(malformed(format!("unknown sex `{value}`")));
            }
            shape.second = Some(value.clone());
        } else {
            shape.first = Some(value.clone());
        }
    }
    Ok(shape)
}

/// What a published value says of its cell's truth: least and greatest value.
pub(crate) fn known_range(value: Value, threshold: u64, base: u64) -> (u64, Option<u64>) {
    match value {
        Value::Exact(count) => (count, Some(count)),
        Value::Rounded(0) if base > threshold => (0, Some(base - 1)),
        Value::Rounded(0) => (0, Some(0)),
        Value::Rounded(count) => (
            threshold.max(count.saturating_sub(base - 1)),
            Some(count.saturating_add(base - 1)),
        ),
        Value::Suppressed => (0, None),
    }
}

/// One published cell of one release, as the model reads it.
#[derive(Debug, Clone)]
pub(crate) struct CellRef {
    /// The release's position among those modelled.
    pub(crate) release: usize,
    /// The cell's position in its release.
    pub(crate) index: usize,
    pub(crate) cell: ReleaseCell,
    pub(crate) shape: Shape,
    pub(crate) threshold: u64,
    pub(crate) base: u64,
}

/// The cells of every release, grouped by agreement × measure, in a stable order.
pub(crate) fn group(
    releases: &[&Release],
) -> Result<BTreeMap<(String, String), Vec<CellRef>>, StatsError> {
    let mut groups: BTreeMap<(String, String), Vec<CellRef>> = BTreeMap::new();
    for (position, release) in releases.iter().enumerate() {
        for (index, cell) in release.cells.iter().enumerate() {
            let shape = shape(&release.id, cell)?;
            groups
                .entry((cell.agreement.clone(), cell.measure.clone()))
                .or_default()
                .push(CellRef {
                    release: position,
                    index,
                    cell: cell.clone(),
                    shape,
                    threshold: release.threshold,
                    base: release.base,
                });
        }
    }
    Ok(groups)
}

/// One finest variable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Fine {
    pub(crate) kind: Kind,
    pub(crate) month: Month,
    pub(crate) first: String,
    pub(crate) second: String,
}

/// One constraint: `low <= Σ coefficient × variable <= high`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) terms: Vec<(usize, f64)>,
    pub(crate) low: f64,
    pub(crate) high: Option<f64>,
}

/// A linked component: its cells, its finest variables and its constraints (one row per cell,
/// in the cells' order, then the rows tying each kind's categories to the month's total).
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub(crate) cells: Vec<CellRef>,
    pub(crate) fines: Vec<Fine>,
    pub(crate) fine_index: BTreeMap<Fine, usize>,
    pub(crate) rows: Vec<Row>,
}

impl Component {
    /// The model of these cells (all of one agreement × measure).
    pub(crate) fn new(cells: Vec<CellRef>) -> Self {
        let months: BTreeSet<Month> = cells
            .iter()
            .flat_map(|cell| cell.shape.months.iter().copied())
            .collect();
        let kinds: BTreeSet<Kind> = cells
            .iter()
            .map(|cell| cell.shape.kind)
            .filter(|kind| *kind != Kind::Total)
            .collect();
        let mut fines = Vec::new();
        for month in &months {
            fines.push(Fine {
                kind: Kind::Total,
                month: *month,
                first: String::new(),
                second: String::new(),
            });
            for kind in &kinds {
                for (first, second) in categories(&cells, *kind) {
                    fines.push(Fine {
                        kind: *kind,
                        month: *month,
                        first,
                        second,
                    });
                }
            }
        }
        let fine_index = fines
            .iter()
            .enumerate()
            .map(|(index, fine)| (fine.clone(), index))
            .collect();
        let mut component = Self {
            cells,
            fines,
            fine_index,
            rows: Vec::new(),
        };
        component.rows = component.cell_rows();
        component.rows.extend(component.link_rows(&months, &kinds));
        component
    }

    /// One row per cell.
    fn cell_rows(&self) -> Vec<Row> {
        let mut named: BTreeMap<(usize, Kind), BTreeSet<&str>> = BTreeMap::new();
        for cell in &self.cells {
            if let Some(first) = cell.shape.first.as_deref().filter(|first| *first != OTHER) {
                named
                    .entry((cell.release, cell.shape.kind))
                    .or_default()
                    .insert(first);
            }
        }
        let empty = BTreeSet::new();
        self.cells
            .iter()
            .map(|cell| {
                let shape = &cell.shape;
                let named = named.get(&(cell.release, shape.kind)).unwrap_or(&empty);
                let terms = self
                    .fines
                    .iter()
                    .enumerate()
                    .filter(|(_, fine)| {
                        fine.kind == shape.kind
                            && shape.months.contains(&fine.month)
                            && match shape.first.as_deref() {
                                None => true,
                                Some(OTHER) => !named.contains(fine.first.as_str()),
                                Some(first) => fine.first == first,
                            }
                            && shape
                                .second
                                .as_ref()
                                .is_none_or(|second| fine.second == *second)
                    })
                    .map(|(index, _)| (index, 1.0))
                    .collect();
                let (low, high) = known_range(cell.cell.value, cell.threshold, cell.base);
                Row {
                    terms,
                    low: low as f64,
                    high: high.map(|high| high as f64),
                }
            })
            .collect()
    }

    /// In every month, each kind's categories sum to the month's total.
    fn link_rows(&self, months: &BTreeSet<Month>, kinds: &BTreeSet<Kind>) -> Vec<Row> {
        let mut rows = Vec::new();
        for month in months {
            for kind in kinds {
                let mut terms: Vec<(usize, f64)> = self
                    .fines
                    .iter()
                    .enumerate()
                    .filter(|(_, fine)| fine.kind == *kind && fine.month == *month)
                    .map(|(index, _)| (index, 1.0))
                    .collect();
                let total = Fine {
                    kind: Kind::Total,
                    month: *month,
                    first: String::new(),
                    second: String::new(),
                };
                if let Some(index) = self.fine_index.get(&total) {
                    terms.push((*index, -1.0));
                }
                rows.push(Row {
                    terms,
                    low: 0.0,
                    high: Some(0.0),
                });
            }
        }
        rows
    }

    /// The width the rule asks of a suppressed cell's interval: see [`required`].
    pub(crate) fn required(
        &self,
        lp: &Lp,
        cell: usize,
        width: Option<u64>,
    ) -> Result<u64, StatsError> {
        required(&self.cells, lp, cell, width)
    }

    /// The category of a tally entry's value in a kind, `None` if the kind is not modelled.
    pub(crate) fn category(
        &self,
        kind: Kind,
        month: Month,
        first: &str,
        second: &str,
    ) -> Option<usize> {
        let exact = Fine {
            kind,
            month,
            first: first.to_owned(),
            second: second.to_owned(),
        };
        self.fine_index.get(&exact).copied().or_else(|| {
            let rest = Fine {
                first: REST.to_owned(),
                ..exact
            };
            self.fine_index.get(&rest).copied()
        })
    }
}

/// The width the rule asks of the suppressed cell `cell` (row `cell` of `lp`, whose first rows
/// are `cells` in order), given its exact integer width `width`: the threshold, or, when
/// narrower, the width the cell keeps when its own release and every later one publish nothing
/// but their exact totals (what the log and the earlier releases alone allow; no publication can
/// hide the cell better than that).
pub(crate) fn required(
    cells: &[CellRef],
    lp: &Lp,
    cell: usize,
    width: Option<u64>,
) -> Result<u64, StatsError> {
    let Some(target) = cells.get(cell) else {
        return Ok(0);
    };
    if width.is_none_or(|width| width >= target.threshold) {
        return Ok(target.threshold);
    }
    let mut before = lp.clone();
    for (row, other) in before.rows.iter_mut().zip(cells) {
        if other.release >= target.release && !matches!(other.cell.value, Value::Exact(_)) {
            row.low = 0.0;
            row.high = None;
        }
    }
    let (low, high) = before.interval(None, cell)?;
    Ok(high.map_or(target.threshold, |high| {
        high.saturating_sub(low).min(target.threshold)
    }))
}

/// The categories of a kind: `(first, second)` pairs.
fn categories(cells: &[CellRef], kind: Kind) -> Vec<(String, String)> {
    let in_kind = || cells.iter().filter(|cell| cell.shape.kind == kind);
    let mut firsts: BTreeSet<String> = in_kind()
        .filter_map(|cell| cell.shape.first.clone())
        .filter(|first| first != OTHER)
        .collect();
    let open = in_kind().any(|cell| cell.shape.first.as_deref() == Some(OTHER));
    if kind == Kind::Age {
        firsts = AgeBand::ALL
            .iter()
            .map(|band| band.label().to_owned())
            .collect();
    } else if open || firsts.is_empty() {
        firsts.insert(REST.to_owned());
    }
    let seconds: Vec<String> = if kind == Kind::People {
        SEXES.iter().map(|sex| (*sex).to_owned()).collect()
    } else {
        vec![String::new()]
    };
    firsts
        .into_iter()
        .flat_map(|first| {
            seconds
                .iter()
                .map(move |second| (first.clone(), second.clone()))
        })
        .collect()
}

/// The component's linear program over atoms (finest variables merged when they lie in exactly
/// the same rows).
#[derive(Debug, Clone)]
pub(crate) struct Lp {
    pub(crate) low: Vec<f64>,
    pub(crate) high: Vec<Option<f64>>,
    pub(crate) rows: Vec<Row>,
}

impl Lp {
    /// Merges the component's finest variables into atoms; `bounds` per finest variable.
    pub(crate) fn new(component: &Component, bounds: &[(f64, Option<f64>)]) -> (Self, Vec<usize>) {
        let mut signatures: Vec<Vec<(usize, i8)>> = vec![Vec::new(); component.fines.len()];
        for (row_index, row) in component.rows.iter().enumerate() {
            for (fine, coefficient) in &row.terms {
                if let Some(signature) = signatures.get_mut(*fine) {
                    signature.push((row_index, if *coefficient > 0.0 { 1 } else { -1 }));
                }
            }
        }
        let mut atom_of: BTreeMap<&Vec<(usize, i8)>, usize> = BTreeMap::new();
        let mut atoms = Vec::with_capacity(signatures.len());
        let mut low: Vec<f64> = Vec::new();
        let mut high: Vec<Option<f64>> = Vec::new();
        for (fine, signature) in signatures.iter().enumerate() {
            let next = atom_of.len();
            let atom = *atom_of.entry(signature).or_insert(next);
            if atom == next {
                low.push(0.0);
                high.push(Some(0.0));
            }
            let (fine_low, fine_high) = bounds.get(fine).copied().unwrap_or((0.0, None));
            if let (Some(sum), Some(add)) = (low.get_mut(atom), Some(fine_low)) {
                *sum += add;
            }
            if let Some(sum) = high.get_mut(atom) {
                *sum = sum.zip(fine_high).map(|(a, b)| a + b);
            }
            atoms.push(atom);
        }
        let rows = component
            .rows
            .iter()
            .map(|row| {
                let mut terms: BTreeMap<usize, f64> = BTreeMap::new();
                for (fine, coefficient) in &row.terms {
                    if let Some(atom) = atoms.get(*fine) {
                        terms.insert(*atom, *coefficient);
                    }
                }
                Row {
                    terms: terms.into_iter().collect(),
                    ..row.clone()
                }
            })
            .collect();
        (Self { low, high, rows }, atoms)
    }

    /// The rows a solver must be given: a row that only says that a sum of non-negative atoms
    /// is non-negative, or whose atoms are all fixed (a leaf measure's totals, when the log's
    /// monthly totals are fixed), constrains nothing.
    fn binding_rows(&self) -> impl Iterator<Item = &Row> {
        self.binding_rows_indexed().map(|(_, row)| row)
    }

    /// [`Lp::binding_rows`] with each row's index.
    fn binding_rows_indexed(&self) -> impl Iterator<Item = (usize, &Row)> {
        self.rows.iter().enumerate().filter(|(_, row)| {
            let implied = row.high.is_none()
                && row.low <= 0.0
                && row.terms.iter().all(|(_, coefficient)| *coefficient > 0.0);
            let constant = row.terms.iter().all(|(atom, _)| {
                self.high.get(*atom).copied().flatten() == self.low.get(*atom).copied()
            });
            !implied && !constant
        })
    }

    /// An integer point near the fractional optimum `point` of `Σ weight × row` over
    /// `objective`: every atom integral at `point` is fixed there, which cuts the program into
    /// small connected parts over the fractional atoms ([`Lp::parts`]: fixed atoms are
    /// constants), and each part's integer program is solved by branch and bound, best for the
    /// objective. `None` when a part has no integer point (the fixed atoms would have to move)
    /// or is unbounded.
    ///
    /// Sound whatever it returns: the point is checked against the whole program
    /// ([`Lp::satisfies`]) before it is returned.
    pub(crate) fn repair(
        &self,
        point: &[f64],
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Vec<f64>>, StatsError> {
        let mut low = self.low.clone();
        let mut high = self.high.clone();
        let mut free = 0;
        for ((low, high), value) in low.iter_mut().zip(&mut high).zip(point) {
            if (value - value.round()).abs() < TOLERANCE {
                *low = value.round();
                *high = Some(value.round());
            } else {
                free += 1;
            }
        }
        if free == 0 {
            let point: Vec<f64> = point.iter().map(|value| value.round()).collect();
            return Ok(self.satisfies(&point).then_some(point));
        }
        let fixed = |atom: usize| high.get(atom).copied().flatten() == low.get(atom).copied();
        // Only the rows over a fractional atom are solved again: a row over fixed atoms only is
        // a constant, checked with every other row by `satisfies` below. `kept[i]` is the
        // program's row that row `i` of `reduced` is.
        let kept: Vec<usize> = (0..self.rows.len())
            .filter(|row| {
                self.rows
                    .get(*row)
                    .is_some_and(|row| row.terms.iter().any(|(atom, _)| !fixed(*atom)))
            })
            .collect();
        let reduced = Lp {
            rows: kept
                .iter()
                .filter_map(|row| self.rows.get(*row).cloned())
                .collect(),
            low,
            high,
        };
        let mut repaired: Vec<f64> = point.iter().map(|value| value.round()).collect();
        let weights: BTreeMap<usize, f64> = objective.iter().copied().collect();
        for part in reduced.parts(reduced.rows.len()) {
            if part.atoms.iter().all(|atom| reduced.fixed(*atom)) {
                continue;
            }
            // Row `i` of the part is row `kept[part.cells[i]]` of the program.
            let goal: Vec<(usize, f64)> = part
                .cells
                .iter()
                .enumerate()
                .filter_map(|(local, row)| {
                    kept.get(*row)
                        .and_then(|row| weights.get(row))
                        .map(|weight| (local, *weight))
                })
                .collect();
            let Some(solved) = part.lp.optimise(&goal, maximise, true).ok().flatten() else {
                return Ok(None);
            };
            for (local, atom) in part.atoms.iter().enumerate() {
                if let (Some(slot), Some(value)) = (repaired.get_mut(*atom), solved.get(local)) {
                    *slot = value.round();
                }
            }
        }
        Ok(self.satisfies(&repaired).then_some(repaired))
    }

    /// Whether an integer point lies in the polyhedron: every atom within its bounds and every
    /// row (binding or not) within its range. The values are integers far below 2^53 and the
    /// coefficients ±1, so the sums are exact.
    pub(crate) fn satisfies(&self, point: &[f64]) -> bool {
        point.len() == self.low.len()
            && point
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(value, (low, high))| {
                    *value >= *low && high.is_none_or(|high| *value <= high)
                })
            && (0..self.rows.len()).all(|index| {
                let value = self.value(index, point);
                self.rows.get(index).is_some_and(|row| {
                    value >= row.low && row.high.is_none_or(|high| value <= high)
                })
            })
    }

    /// The value of a row at a point.
    pub(crate) fn value(&self, row: usize, point: &[f64]) -> f64 {
        self.rows.get(row).map_or(0.0, |row| {
            row.terms
                .iter()
                .map(|(atom, coefficient)| coefficient * point.get(*atom).copied().unwrap_or(0.0))
                .sum()
        })
    }

    /// An optimal point of `Σ weight × row` over `objective`'s `(row, weight)` pairs, maximised
    /// or minimised; `None` when unbounded (in the direction asked).
    pub(crate) fn optimise(
        &self,
        objective: &[(usize, f64)],
        maximise: bool,
        integer: bool,
    ) -> Result<Option<Vec<f64>>, StatsError> {
        let mut problem = ProblemVariables::new();
        let variables: Vec<Variable> = self
            .low
            .iter()
            .zip(&self.high)
            .map(|(low, high)| {
                let definition = variable().min(*low);
                let definition = match high {
                    Some(high) => definition.max(*high),
                    None => definition,
                };
                problem.add(if integer {
                    definition.integer()
                } else {
                    definition
                })
            })
            .collect();
        let expression = |row: &Row| -> Expression {
            let mut expression = Expression::default();
            for (atom, coefficient) in &row.terms {
                if let Some(variable) = variables.get(*atom) {
                    expression.add_mul(*coefficient, *variable);
                }
            }
            expression
        };
        let mut goal = Expression::default();
        for (row, weight) in objective {
            if let Some(row) = self.rows.get(*row) {
                goal += *weight * expression(row);
            }
        }
        let unsolved = if maximise {
            problem.maximise(goal)
        } else {
            problem.minimise(goal)
        };
        let mut model = unsolved.using(microlp);
        for row in self.binding_rows() {
            if row.high == Some(row.low) {
                model = model.with(expression(row).eq(row.low));
                continue;
            }
            model = model.with(expression(row).geq(row.low));
            if let Some(high) = row.high {
                model = model.with(expression(row).leq(high));
            }
        }
        match model.solve() {
            Ok(solution) => Ok(Some(
                variables
                    .iter()
                    .map(|variable| solution.value(*variable))
                    .collect(),
            )),
            Err(ResolutionError::Unbounded) => Ok(None),
            Err(error) => Err(StatsError::Solver(error.to_string())),
        }
    }

    /// [`Lp::optimise`] over real numbers, from `warm`'s optimal bases when given (made from
    /// this program), and from nothing when it has no answer or fails.
    pub(crate) fn relaxed(
        &self,
        warm: Option<&Warm>,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Vec<f64>>, StatsError> {
        Ok(self
            .relaxed_optimum(warm, objective, maximise)?
            .map(|optimum| optimum.point))
    }

    /// [`Lp::relaxed`], keeping the solver's optimal state when `warm` found it, so that a dive
    /// from this optimum ([`Warm::dive_from`]) need not solve the same program again.
    pub(crate) fn relaxed_optimum(
        &self,
        warm: Option<&Warm>,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Optimum>, StatsError> {
        if let Some(warm) = warm
            && let Ok(Some(optimum)) = warm.optimum(self, objective, maximise)
        {
            return Ok(Some(optimum));
        }
        Ok(self
            .optimise(objective, maximise, false)?
            .map(Optimum::from_point))
    }

    /// The least and greatest integer value of a row over the integer points of the polyhedron:
    /// the relaxation's optimum when it is integral, else branch and bound. `warm`, made from
    /// this program, spares most of the relaxations' work.
    pub(crate) fn interval(
        &self,
        warm: Option<&Warm>,
        row: usize,
    ) -> Result<(u64, Option<u64>), StatsError> {
        let mut ends = [0.0, 0.0];
        for (end, maximise) in ends.iter_mut().zip([false, true]) {
            let Some(point) = self.relaxed(warm, &[(row, 1.0)], maximise)? else {
                return Ok((ends.first().copied().map_or(0, to_count), None));
            };
            let point = if integral(&point) {
                point
            } else {
                self.optimise(&[(row, 1.0)], maximise, true)?
                    .ok_or_else(|| StatsError::Solver("unbounded integer program".to_owned()))?
            };
            *end = self.value(row, &point);
        }
        let [low, high] = ends;
        Ok((to_count(low), Some(to_count(high))))
    }
}

/// A connected part of a program: its rows share no free atom with any other part's, so what
/// is published in one part says nothing about the cells of another, and each part's intervals
/// are those of the whole program.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The part's own program: its first rows are the part's cells, in order.
    pub(crate) lp: Lp,
    /// The cells of the part, by their row in the whole program.
    pub(crate) cells: Vec<usize>,
    /// The atoms of the part, by their index in the whole program: atom `j` of `lp` is
    /// `atoms[j]`. A fixed atom (a constant) may be in several parts.
    pub(crate) atoms: Vec<usize>,
}

impl Lp {
    /// Whether an atom's value is fixed (its bounds are equal): it links nothing.
    fn fixed(&self, atom: usize) -> bool {
        self.high.get(atom).copied().flatten() == self.low.get(atom).copied()
    }

    /// The program cut into its connected parts: two rows are in one part when a chain of rows,
    /// each sharing a free (not fixed) atom with the next, joins them. `cells`: rows
    /// `0..cells` are cells (each part lists its own), the others link categories. A row over
    /// fixed atoms only is a part of its own. Parts come in the order of their first row.
    ///
    /// Each part's polyhedron is the projection of the whole one onto its atoms (a free atom
    /// is in one part's rows only, and fixed atoms are constants), so a cell's interval in its
    /// part is its interval in the whole program.
    pub(crate) fn parts(&self, cells: usize) -> Vec<Part> {
        let mut parent: Vec<usize> = (0..self.low.len()).collect();
        fn root(parent: &mut [usize], mut atom: usize) -> usize {
            while let Some(&up) = parent.get(atom) {
                if up == atom {
                    break;
                }
                // Path halving.
                let grand = parent.get(up).copied().unwrap_or(up);
                if let Some(slot) = parent.get_mut(atom) {
                    *slot = grand;
                }
                atom = grand;
            }
            atom
        }
        for row in &self.rows {
            let mut free = row
                .terms
                .iter()
                .map(|(atom, _)| *atom)
                .filter(|atom| !self.fixed(*atom));
            if let Some(first) = free.next() {
                for other in free {
                    let (a, b) = (root(&mut parent, first), root(&mut parent, other));
                    if let Some(slot) = parent.get_mut(a) {
                        *slot = b;
                    }
                }
            }
        }
        // The part of each row: the root of its first free atom, or its own when it has none.
        let mut part_of_key: BTreeMap<(bool, usize), usize> = BTreeMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (index, row) in self.rows.iter().enumerate() {
            let key = row
                .terms
                .iter()
                .map(|(atom, _)| *atom)
                .find(|atom| !self.fixed(*atom))
                .map_or((false, index), |atom| (true, root(&mut parent, atom)));
            let next = members.len();
            let part = *part_of_key.entry(key).or_insert(next);
            if part == next {
                members.push(Vec::new());
            }
            if let Some(rows) = members.get_mut(part) {
                rows.push(index);
            }
        }
        members
            .into_iter()
            .map(|rows| {
                let mut local: BTreeMap<usize, usize> = BTreeMap::new();
                let mut atoms = Vec::new();
                let mut part_rows = Vec::with_capacity(rows.len());
                for index in &rows {
                    let Some(row) = self.rows.get(*index) else {
                        continue;
                    };
                    let mut terms: Vec<(usize, f64)> = row
                        .terms
                        .iter()
                        .map(|(atom, coefficient)| {
                            let next = atoms.len();
                            let at = *local.entry(*atom).or_insert(next);
                            if at == next {
                                atoms.push(*atom);
                            }
                            (at, *coefficient)
                        })
                        .collect();
                    // Sorted by atom, as every row's terms are.
                    terms.sort_by_key(|(atom, _)| *atom);
                    part_rows.push(Row {
                        terms,
                        low: row.low,
                        high: row.high,
                    });
                }
                let lp = Lp {
                    low: atoms
                        .iter()
                        .map(|atom| self.low.get(*atom).copied().unwrap_or(0.0))
                        .collect(),
                    high: atoms
                        .iter()
                        .map(|atom| self.high.get(*atom).copied().flatten())
                        .collect(),
                    rows: part_rows,
                };
                Part {
                    lp,
                    cells: rows.into_iter().filter(|row| *row < cells).collect(),
                    atoms,
                }
            })
            .collect()
    }
}

/// One polyhedron, solved once in each direction for an objective variable `t` that nothing
/// constrains but its bounds `±bound`; the optimum of any row is then found from that optimal
/// basis by adding `t = row` and letting the dual simplex restore feasibility, which takes a
/// few pivots where a program solved from nothing takes hundreds. The answers are those of
/// [`Lp::optimise`] (the same solver, the same rows), except when `t` stays at its bound: the
/// row may then be unbounded, and the caller asks [`Lp::optimise`] instead. A row made
/// relaxable ([`Warm::relaxable`]) can be opened in both states when its cell is suppressed
/// ([`Warm::relax`]), so the bases outlive a suppression.
#[derive(Clone)]
pub(crate) struct Warm {
    ends: [microlp::Solution; 2],
    atoms: Vec<microlp::Variable>,
    t: microlp::Variable,
    bound: f64,
    /// Per row of the program, the variable that holds a relaxable row at its least value
    /// ([`Warm::relax`]); `None` for the others.
    slack: Vec<Option<microlp::Variable>>,
}

impl std::fmt::Debug for Warm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warm")
            .field("atoms", &self.atoms.len())
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

/// A relaxation's optimal point and, when it was found from a [`Warm`], the solver's state at
/// that optimum (kept for a dive from it, [`Warm::dive_from`]).
#[derive(Clone)]
pub(crate) struct Optimum {
    /// The atoms' values at the optimum.
    pub(crate) point: Vec<f64>,
    solution: Option<microlp::Solution>,
}

impl Optimum {
    /// An optimal point found without a [`Warm`] (a dive from it solves the program again).
    pub(crate) fn from_point(point: Vec<f64>) -> Self {
        Self {
            point,
            solution: None,
        }
    }
}

impl std::fmt::Debug for Optimum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Optimum")
            .field("point", &self.point)
            .field("solution", &self.solution.is_some())
            .finish()
    }
}

impl Warm {
    /// The two starting points of `lp` (maximising and minimising `t`).
    pub(crate) fn new(lp: &Lp) -> Result<Self, StatsError> {
        Self::relaxable(lp, |_| false)
    }

    /// [`Warm::new`], with every binding row for which `relaxable` holds written so that
    /// [`Warm::relax`] can later open it in the solver's state, without a new program: such a
    /// row `low <= Σ terms <= high` is `Σ terms - y - z = 0` with `z` in `0 ..= high - low` and
    /// `y` in `0 ..` held at `low` (microlp's `fix_var`, made on both optimal states once they
    /// are solved). Held, `y` makes the row exactly its range; released (`unfix_var`), the row
    /// says only `Σ terms >= 0`, which is what a suppressed cell's row says.
    pub(crate) fn relaxable(
        lp: &Lp,
        relaxable: impl Fn(usize) -> bool,
    ) -> Result<Self, StatsError> {
        // Far above the counts of any table (a row at this bound is asked again from nothing,
        // so the bound decides only how often that happens, never an answer).
        let finite: f64 = lp
            .rows
            .iter()
            .map(|row| row.low.abs() + row.high.map_or(0.0, f64::abs))
            .chain(lp.low.iter().map(|low| low.abs()))
            .chain(lp.high.iter().map(|high| high.map_or(0.0, f64::abs)))
            .sum();
        let bound = 4.0 * finite + 1_000.0;
        type Solved = (
            microlp::Solution,
            Vec<microlp::Variable>,
            microlp::Variable,
            Vec<Option<microlp::Variable>>,
        );
        let solve = |direction| -> Result<Solved, StatsError> {
            let mut problem = microlp::Problem::new(direction);
            let atoms: Vec<microlp::Variable> = lp
                .low
                .iter()
                .zip(&lp.high)
                .map(|(low, high)| problem.add_var(0.0, (*low, high.unwrap_or(f64::INFINITY))))
                .collect();
            let t = problem.add_var(1.0, (-bound, bound));
            let mut slack: Vec<Option<microlp::Variable>> = vec![None; lp.rows.len()];
            let mut held: Vec<(microlp::Variable, f64)> = Vec::new();
            for (index, row) in lp.binding_rows_indexed() {
                let terms = || {
                    row.terms.iter().filter_map(|(atom, coefficient)| {
                        atoms.get(*atom).map(|variable| (*variable, *coefficient))
                    })
                };
                if relaxable(index)
                    && row.terms.iter().all(|(_, coefficient)| *coefficient > 0.0)
                    && let Some(place) = slack.get_mut(index)
                {
                    let y = problem.add_var(0.0, (0.0, f64::INFINITY));
                    let z = problem.add_var(
                        0.0,
                        (0.0, row.high.map_or(f64::INFINITY, |high| high - row.low)),
                    );
                    problem.add_constraint(
                        terms().chain([(y, -1.0), (z, -1.0)]),
                        microlp::ComparisonOp::Eq,
                        0.0,
                    );
                    *place = Some(y);
                    held.push((y, row.low.max(0.0)));
                    continue;
                }
                if row.high == Some(row.low) {
                    problem.add_constraint(terms(), microlp::ComparisonOp::Eq, row.low);
                    continue;
                }
                problem.add_constraint(terms(), microlp::ComparisonOp::Ge, row.low);
                if let Some(high) = row.high {
                    problem.add_constraint(terms(), microlp::ComparisonOp::Le, high);
                }
            }
            let mut solution = problem
                .solve()
                .map_err(|error| StatsError::Solver(error.to_string()))?
                .into_solution()
                .map_err(|_| {
                    StatsError::Solver("the solver stopped before a solution".to_owned())
                })?;
            for (y, low) in held {
                solution = solution
                    .fix_var(y, low)
                    .map_err(|error| StatsError::Solver(error.to_string()))?
                    .into_solution()
                    .map_err(|_| {
                        StatsError::Solver("the solver stopped before a solution".to_owned())
                    })?;
            }
            Ok((solution, atoms, t, slack))
        };
        let (high, atoms, t, slack) = solve(microlp::OptimizationDirection::Maximize)?;
        let (low, _, _, _) = solve(microlp::OptimizationDirection::Minimize)?;
        Ok(Self {
            ends: [high, low],
            atoms,
            t,
            bound,
            slack,
        })
    }

    /// The same polyhedron with row `row` opened to `Σ terms >= 0` (a suppressed cell's row),
    /// from the optimal states already found: the row's held variable is released and the
    /// solver restores optimality in a few pivots. `None` when the row was not made relaxable
    /// ([`Warm::relaxable`]) or the solver fails: the caller then makes a new `Warm` from the
    /// edited program. The result answers every question as a `Warm` made from the edited
    /// program would: the same rows, the same bounds, the same objective.
    pub(crate) fn relax(self, row: usize) -> Option<Self> {
        let y = self.slack.get(row).copied().flatten()?;
        let Self {
            ends,
            atoms,
            t,
            bound,
            mut slack,
        } = self;
        let mut opened = Vec::with_capacity(2);
        for end in ends {
            let (outcome, released) = end.unfix_var(y).ok()?;
            if !released {
                return None;
            }
            opened.push(outcome.into_solution().ok()?);
        }
        let [high, low]: [microlp::Solution; 2] = opened.try_into().ok()?;
        if let Some(place) = slack.get_mut(row) {
            *place = None;
        }
        Some(Self {
            ends: [high, low],
            atoms,
            t,
            bound,
            slack,
        })
    }

    /// An optimum of `Σ weight × row` over `objective` in `lp` (the program this was made
    /// from), maximised or minimised, with the solver's state that found it; `None` when `t`
    /// stayed at its bound (ask [`Lp::optimise`]).
    pub(crate) fn optimum(
        &self,
        lp: &Lp,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Optimum>, StatsError> {
        Ok(self
            .solution(lp, objective, maximise)?
            .map(|solution| Optimum {
                point: self.point(&solution),
                solution: Some(solution),
            }))
    }

    /// The atoms' values in a solution of this polyhedron's programs.
    fn point(&self, solution: &microlp::Solution) -> Vec<f64> {
        self.atoms
            .iter()
            .map(|variable| solution.var_value_raw(*variable))
            .collect()
    }

    /// The solver's optimal solution behind [`Warm::optimum`], to be edited further.
    fn solution(
        &self,
        lp: &Lp,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<microlp::Solution>, StatsError> {
        let mut coefficients: BTreeMap<usize, f64> = BTreeMap::new();
        for (row, weight) in objective {
            for (atom, coefficient) in lp.rows.get(*row).map_or(&[][..], |row| &row.terms) {
                *coefficients.entry(*atom).or_insert(0.0) += weight * coefficient;
            }
        }
        let mut expression = microlp::LinearExpr::empty();
        expression.add(self.t, 1.0);
        for (atom, coefficient) in coefficients {
            if coefficient != 0.0
                && let Some(variable) = self.atoms.get(atom)
            {
                expression.add(*variable, -coefficient);
            }
        }
        let start = if maximise {
            &self.ends[0]
        } else {
            &self.ends[1]
        };
        let solution = start
            .clone()
            .add_constraint(expression, microlp::ComparisonOp::Eq, 0.0)
            .map_err(|error| StatsError::Solver(error.to_string()))?
            .into_solution()
            .map_err(|_| StatsError::Solver("the solver stopped before a solution".to_owned()))?;
        if solution.var_value_raw(self.t).abs() >= self.bound - 0.5 {
            return Ok(None);
        }
        Ok(Some(solution))
    }
}

impl Warm {
    /// [`Warm::dive_from`] the relaxation's optimum of `Σ weight × row` over `objective`,
    /// solved here (the unit tests' entry; the protection dives from optima it already has).
    #[cfg(test)]
    pub(crate) fn dive(
        &self,
        lp: &Lp,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Vec<f64>>, StatsError> {
        match self.optimum(lp, objective, maximise)? {
            Some(optimum) => self.dive_from(lp, optimum, objective, maximise),
            None => Ok(None),
        }
    }

    /// An integer point of `lp` (the program this was made from) near `optimum`, the
    /// relaxation's optimum of `Σ weight × row` over `objective` (found by
    /// [`Lp::relaxed_optimum`] with this `Warm`, whose solver state it keeps, so the program is
    /// not solved again; an optimum found from nothing is solved again here): first
    /// [`Lp::repair`] (the atoms integral at the optimum fixed, the small parts left over solved
    /// over integers); failing that, a *dive*: while the optimum has a fractional atom, the one
    /// nearest an integer is fixed to that integer (to the other side when that is infeasible)
    /// and the relaxation is solved again from the previous basis. `None` when neither finds a
    /// point or the objective is unbounded: the caller then asks branch and bound.
    ///
    /// **Why it is sound.** The point returned is checked against every bound and row of `lp`
    /// by [`Lp::satisfies`], in exact arithmetic (integers far below 2^53, coefficients ±1), so
    /// it is an integer table consistent with everything published, whatever the search did: a
    /// witness of a value the cell can take, never a bound. It proves an interval end only when
    /// its value meets the relaxation's optimum rounded towards the inside ([`inward`]: no
    /// integer point passes it); the caller checks that (`Engine::exposed` in
    /// `linked_protect`).
    pub(crate) fn dive_from(
        &self,
        lp: &Lp,
        optimum: Optimum,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Vec<f64>>, StatsError> {
        let (start, mut solution) = match optimum.solution {
            Some(solution) => (optimum.point, solution),
            None => match self.solution(lp, objective, maximise)? {
                Some(solution) => (self.point(&solution), solution),
                None => return Ok(None),
            },
        };
        if let Some(point) = lp.repair(&start, objective, maximise)? {
            return Ok(Some(point));
        }
        // The fixes made so far: when a fix is infeasible the solver's state is gone (it is
        // consumed, not copied at every step), so the dive starts again with these fixes and
        // the other side.
        let mut fixes: Vec<(microlp::Variable, f64)> = Vec::new();
        // Each step fixes one more atom, so a dive ends after at most one step per atom.
        for _ in 0..=self.atoms.len() {
            let fractional = self
                .atoms
                .iter()
                .map(|variable| {
                    let value = solution.var_value_raw(*variable);
                    (*variable, value, (value - value.round()).abs())
                })
                .filter(|(_, _, distance)| *distance >= TOLERANCE)
                .min_by(|a, b| a.2.total_cmp(&b.2));
            let Some((variable, value, _)) = fractional else {
                let point: Vec<f64> = self
                    .atoms
                    .iter()
                    .map(|variable| solution.var_value_raw(*variable).round())
                    .collect();
                return Ok(lp.satisfies(&point).then_some(point));
            };
            let nearest = value.round();
            let other = if nearest > value {
                value.floor()
            } else {
                value.ceil()
            };
            let found = match solution.fix_var(variable, nearest) {
                Ok(outcome) => outcome.into_solution().ok(),
                Err(microlp::Error::Infeasible) => None,
                Err(error) => return Err(StatsError::Solver(error.to_string())),
            };
            let found = match found {
                Some(found) => {
                    fixes.push((variable, nearest));
                    found
                }
                None => {
                    fixes.push((variable, other));
                    match self.replay(lp, objective, maximise, &fixes)? {
                        Some(found) => found,
                        None => return Ok(None),
                    }
                }
            };
            if found.var_value_raw(self.t).abs() >= self.bound - 0.5 {
                return Ok(None);
            }
            solution = found;
        }
        Ok(None)
    }

    /// The relaxation's optimum with `fixes` applied in order; `None` when one is infeasible.
    fn replay(
        &self,
        lp: &Lp,
        objective: &[(usize, f64)],
        maximise: bool,
        fixes: &[(microlp::Variable, f64)],
    ) -> Result<Option<microlp::Solution>, StatsError> {
        let Some(mut solution) = self.solution(lp, objective, maximise)? else {
            return Ok(None);
        };
        for (variable, value) in fixes {
            solution = match solution.fix_var(*variable, *value) {
                Ok(outcome) => match outcome.into_solution() {
                    Ok(found) => found,
                    Err(_) => return Ok(None),
                },
                Err(microlp::Error::Infeasible) => return Ok(None),
                Err(error) => return Err(StatsError::Solver(error.to_string())),
            };
        }
        Ok(Some(solution))
    }
}

/// The relaxation's optimum of an integer row rounded towards the inside of the polyhedron:
/// down when maximised, up when minimised (with the solver's slack).
pub(crate) fn inward(value: f64, maximise: bool) -> f64 {
    if maximise {
        (value + TOLERANCE).floor()
    } else {
        (value - TOLERANCE).ceil()
    }
}

/// Whether every coordinate of a point is an integer.
pub(crate) fn integral(point: &[f64]) -> bool {
    point
        .iter()
        .all(|value| (value - value.round()).abs() < TOLERANCE)
}

/// A solver's value as a count.
pub(crate) fn to_count(value: f64) -> u64 {
    value.round().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    //! The dive against branch and bound on random small programs shaped like the linked
    //! model's: rows that add atoms (±1) within integer ranges, exact rows, open rows.

    use proptest::prelude::*;

    use super::{Lp, Row, Warm, integral, inward};

    /// One end of a row over the integer points, found as the protection finds it: the
    /// relaxation's optimum when integral, else a dived point when it meets the optimum rounded
    /// inwards, else branch and bound. `None` when unbounded.
    fn fast_end(lp: &Lp, warm: &Warm, row: usize, maximise: bool) -> Option<f64> {
        let point = lp
            .relaxed(Some(warm), &[(row, 1.0)], maximise)
            .ok()
            .flatten()?;
        if integral(&point) {
            return Some(lp.value(row, &point).round());
        }
        let bound = inward(lp.value(row, &point), maximise);
        if let Ok(Some(dived)) = warm.dive(lp, &[(row, 1.0)], maximise) {
            assert!(lp.satisfies(&dived), "a dived point is in the polyhedron");
            assert!(integral(&dived), "a dived point is integral");
            let value = lp.value(row, &dived);
            assert!(
                if maximise {
                    value <= bound + 0.5
                } else {
                    value >= bound - 0.5
                },
                "no integer point passes the relaxation's optimum rounded inwards"
            );
            if (value - bound).abs() < 0.5 {
                return Some(value);
            }
        }
        lp.optimise(&[(row, 1.0)], maximise, true)
            .ok()
            .flatten()
            .map(|point| lp.value(row, &point).round())
    }

    /// Whether a real point lies in the polyhedron, up to the solver's slack.
    fn within(lp: &Lp, point: &[f64]) -> bool {
        let slack = 1e-6;
        point.len() == lp.low.len()
            && point
                .iter()
                .zip(lp.low.iter().zip(&lp.high))
                .all(|(value, (low, high))| {
                    *value >= low - slack && high.is_none_or(|high| *value <= high + slack)
                })
            && lp.rows.iter().enumerate().all(|(index, row)| {
                let value = lp.value(index, point);
                value >= row.low - slack && row.high.is_none_or(|high| value <= high + slack)
            })
    }

    /// A random program: `atoms` atoms in `0..=high` (or unbounded), rows over random subsets,
    /// each a range around the value of a hidden integer point (so the program is feasible),
    /// exact, or open; some rows tie a sum of atoms to another atom (the link rows' `-1`).
    fn program() -> impl Strategy<Value = Lp> {
        (2usize..7)
            .prop_flat_map(|atoms| {
                (
                    proptest::collection::vec((0u8..9, any::<bool>()), atoms),
                    proptest::collection::vec(
                        (
                            proptest::collection::vec(any::<bool>(), atoms),
                            0u8..4,
                            0u8..5,
                            0u8..5,
                        ),
                        1..8,
                    ),
                )
            })
            .prop_map(|(atoms, rows)| {
                let hidden: Vec<f64> = atoms.iter().map(|(value, _)| f64::from(*value)).collect();
                let high = atoms
                    .iter()
                    .map(|(value, bounded)| bounded.then_some(f64::from(*value) + 3.0))
                    .collect();
                let rows = rows
                    .into_iter()
                    .map(|(members, kind, below, above)| {
                        let mut terms: Vec<(usize, f64)> = members
                            .iter()
                            .enumerate()
                            .filter(|(_, member)| **member)
                            .map(|(atom, _)| (atom, 1.0))
                            .collect();
                        if kind == 3
                            && let Some(last) = terms.last_mut()
                        {
                            // A link row: the others sum to this one.
                            last.1 = -1.0;
                        }
                        let value: f64 = terms
                            .iter()
                            .map(|(atom, coefficient)| coefficient * hidden[*atom])
                            .sum();
                        let (low, high) = match kind {
                            0 => (0.0_f64.min(value), None),
                            1 | 3 => (value, Some(value)),
                            _ => (value - f64::from(below), Some(value + f64::from(above))),
                        };
                        Row { terms, low, high }
                    })
                    .collect();
                Lp {
                    low: vec![0.0; atoms.len()],
                    high,
                    rows,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every end the fast path finds is branch and bound's, and every dived point lies in
        /// the polyhedron.
        #[test]
        fn fast_ends_are_the_exact_integer_ends(lp in program()) {
            let warm = Warm::new(&lp).expect("a feasible program");
            for row in 0..lp.rows.len() {
                for maximise in [false, true] {
                    let exact = lp
                        .optimise(&[(row, 1.0)], maximise, true)
                        .expect("solved")
                        .map(|point| lp.value(row, &point).round());
                    // microlp's branch and bound clamps an unbounded integer variable (at
                    // i32::MAX, or a row of several at a fraction of it, such as 2^30 - 1)
                    // instead of reporting the program unbounded. A bounded end of these
                    // programs is at most 7 atoms × 12, so an end of a million or more is only
                    // ever that clamp: the program is unbounded in that direction.
                    let exact = exact.filter(|value| value.abs() < 1e6);
                    let fast = fast_end(&lp, &warm, row, maximise);
                    prop_assert_eq!(fast, exact, "row {} maximise {}", row, maximise);
                }
            }
        }

        /// A signed sum of rows (the batch witnesses' objective) dives to an integer point of
        /// the polyhedron, whenever the dive finds one.
        #[test]
        fn dived_batch_points_are_integer_tables(
            lp in program(),
            signs in proptest::collection::vec(any::<bool>(), 8),
        ) {
            let warm = Warm::new(&lp).expect("a feasible program");
            let objective: Vec<(usize, f64)> = (0..lp.rows.len())
                .zip(signs.iter().cycle())
                .map(|(row, sign)| (row, if *sign { 1.0 } else { -1.0 }))
                .collect();
            for maximise in [false, true] {
                if let Some(point) = warm.dive(&lp, &objective, maximise).expect("dived") {
                    prop_assert!(integral(&point));
                    prop_assert!(lp.satisfies(&point));
                }
            }
        }

        /// Bases kept across a suppression answer as bases made again: with some rows opened
        /// in the solver's state (`Warm::relax`), every row's optimum, both ways, is the one
        /// solved from nothing over the program whose rows were opened (`low` 0, no `high`).
        #[test]
        fn relaxed_bases_answer_as_new_ones(
            lp in program(),
            opened in proptest::collection::vec(any::<bool>(), 8),
        ) {
            let open = |row: usize| opened.get(row).copied().unwrap_or(false);
            // microlp may refuse to hold a row (the protection then makes plain bases).
            let Ok(mut warm) = Warm::relaxable(&lp, open) else {
                return Ok(());
            };
            let mut edited = lp.clone();
            for row in (0..lp.rows.len()).filter(|row| open(*row)) {
                let Some(relaxed) = warm.clone().relax(row) else {
                    // Not held (a row over fixed atoms only, or one with a `-1`): the caller
                    // makes new bases from the edited program.
                    continue;
                };
                warm = relaxed;
                if let Some(target) = edited.rows.get_mut(row) {
                    target.low = 0.0;
                    target.high = None;
                }
            }
            for row in 0..edited.rows.len() {
                for maximise in [false, true] {
                    let Some(kept) = warm.optimum(&edited, &[(row, 1.0)], maximise).expect("solved")
                    else {
                        // `t` at its bound: the caller asks the program from nothing.
                        continue;
                    };
                    let fresh = edited
                        .optimise(&[(row, 1.0)], maximise, false)
                        .expect("solved")
                        .expect("bounded where the kept bases found an optimum");
                    prop_assert!(within(&edited, &kept.point), "a point of the program");
                    let (kept, fresh) = (edited.value(row, &kept.point), edited.value(row, &fresh));
                    prop_assert!(
                        (kept - fresh).abs() < 1e-6,
                        "row {} maximise {}: kept bases {} against {}", row, maximise, kept, fresh
                    );
                }
            }
        }
    }

    /// `satisfies` refuses a point outside a row's range or an atom's bounds.
    #[test]
    fn satisfies_checks_rows_and_bounds() {
        let lp = Lp {
            low: vec![0.0, 0.0],
            high: vec![Some(3.0), None],
            rows: vec![Row {
                terms: vec![(0, 1.0), (1, 1.0)],
                low: 2.0,
                high: Some(4.0),
            }],
        };
        assert!(lp.satisfies(&[1.0, 1.0]));
        assert!(!lp.satisfies(&[1.0, 4.0]), "the row's high end");
        assert!(!lp.satisfies(&[0.0, 1.0]), "the row's low end");
        assert!(!lp.satisfies(&[4.0, 0.0]), "the atom's bound");
        assert!(!lp.satisfies(&[-1.0, 4.0]), "non-negativity");
        assert!(!lp.satisfies(&[1.0]), "a point of another program");
    }
}
