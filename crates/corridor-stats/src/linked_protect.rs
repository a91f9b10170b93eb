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
//! Each component's program is cut into its connected parts ([`Lp::parts`]): rows that share no
//! free count. Months that no multi-month release joins are separate parts, so a monthly release
//! solves only its own month's part, and a part with no cell of the new release is left alone
//! (its rows are all earlier releases', against which its cells were protected when the last of
//! them was published; rows are only ever added, so parts only ever join).
//!
//! Work is spared in other ways too, none of which changes a result: a part with nothing
//! suppressed solves nothing; every integer point a solver or a search returns is kept as a
//! *witness* (the truth is the first), and a cell whose witnesses already lie at least the rule's
//! width apart is protected without a program of its own; batches of cells are spread at once by
//! programs whose objectives add them with random signs (with an integer point sought near their
//! optimum when it is fractional); each relaxation starts from a shared optimal basis
//! ([`crate::linked::Warm`]), kept across a suppression: the new release's rounded cells' rows
//! are written so that suppressing one opens its row in the solver's state ([`Warm::relax`]: the
//! same polyhedron as a program built again without the row's bounds); a dive starts from the
//! optimum just found, not from the program solved again ([`Warm::dive_from`]); a fractional
//! end is solved over integers only when its floor or ceiling does not already show the cell
//! exposed and no integer point found near the relaxation's optimum reaches it (below); a cell
//! found protected stays so, because suppressing another cell only removes constraints. The
//! parts run on every core (scoped threads, joined before the release is returned; they share
//! nothing, so the order they run in changes nothing).
//!
//! **Integer witnesses without branch and bound.** When a relaxation's optimum is fractional
//! (the model is not totally unimodular: module docs of [`crate::linked`]), an integer point is
//! sought near it before any branch and bound ([`Warm::dive_from`]): every atom integral at the
//! optimum is fixed there, which cuts the program into small parts over the fractional atoms
//! (fixed atoms are constants, [`Lp::parts`]), each solved over integers for the same objective
//! ([`Lp::repair`]); when a part has no integer point, one fractional atom at a time is fixed to
//! its nearest integer and the relaxation solved again from the last basis. The shortcuts are
//! sound for these reasons:
//!
//! 1. *A witness is a table.* Whatever the search did, its point is returned only after
//!    [`Lp::satisfies`] has checked it, in exact arithmetic (integers, coefficients ±1), against
//!    every bound and every row of the program: it is an integer table consistent with everything
//!    published, so the cell can take its value there. A witness only ever widens a range the
//!    truth started, so a cell found wide by witnesses has an integer interval at least as wide.
//! 2. *An end reached is exact.* Every cell is an integer sum of atoms, so over integer points it
//!    is at most `⌊v⌋` when the relaxation's maximum is `v` (at least `⌈v⌉` for the minimum). A
//!    witness whose value is `⌊v⌋` is therefore the integer maximum: no branch and bound could
//!    find a greater one. An end that no witness reaches is solved by branch and bound, exactly
//!    as before; a cell is called exposed only when both its ends are exact (or when even the
//!    rounded relaxation's ends leave it narrower than the rule, which bounds the integer width
//!    from above).
//! 3. *Witnesses outlive a suppression.* Suppressing a partner only removes constraints, so every
//!    integer point kept stays one; the batches of signed objectives run on a part's first pass
//!    only, and later passes reuse their witnesses.
//!
//! The unit tests of [`crate::linked`] compare the ends found this way with branch and bound on
//! random small programs, and the release tests audit every release with
//! [`crate::release_audit`], which uses no witness.
//!
//! The partner suppressed when a cell is exposed is a published (rounded) cell of the new
//! release in the same part (a cell of another part shares no count with it, so suppressing it
//! could not help; earlier releases are fixed): an inner cell before a margin or
//! a total; then one that shares a count or a table line with the exposed cell, then one that
//! does with another suppressed cell, then any; the smallest true count; the first in order.
//! Suppressing every cell of the new release leaves only what the earlier releases and the log
//! said, under which every earlier cell was protected, so the loop ends; should it not, the
//! release is refused ([`StatsError::Unprotectable`]) rather than published.

use crate::StatsError;
use crate::compute::TallyIndex;
use crate::linked::{
    CellRef, Component, Kind, Lp, Optimum, Warm, group, integral, inward, required,
};
use crate::measure::measure;
use crate::release::{Release, Value};
use crate::tally::Tally;

/// How many rounds of batch witnesses a pass tries before programs of single cells.
const BATCH_ROUNDS: usize = 16;

/// Rounds in a row without a new cell spread wide enough after which the batches stop.
const BATCH_PATIENCE: usize = 2;

/// The seed of the batch witnesses' signs. Witnesses only spare work: every cell they do not
/// prove protected is decided by its own exact programs, so the signs change no result.
const BATCH_SEED: u64 = 0x5eed_c0de_2026_1203;

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
    let mut engines = Vec::new();
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
            engines.extend(Engine::of_component(
                Component::new(part),
                &source,
                new_position,
            ));
        }
    }
    for index in run_all(engines, &release.id)? {
        if let Some(cell) = release.cells.get_mut(index) {
            cell.value = Value::Suppressed;
        }
    }
    Ok(())
}

/// An engine and, once run, what it chose.
type Slot = (Engine, Option<Result<Vec<usize>, StatsError>>);

/// Runs every engine, on as many threads as the machine has cores (the parts share nothing, so
/// the order they run in changes no result), and returns the positions in the new release of
/// every cell they suppressed, in the engines' order; the first engine's error in that order if
/// any failed.
fn run_all(engines: Vec<Engine>, release: &str) -> Result<Vec<usize>, StatsError> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // The largest programs first, so that no thread is left with a large one at the end.
    let mut order: Vec<usize> = (0..engines.len()).collect();
    order.sort_by_key(|engine| {
        std::cmp::Reverse(engines.get(*engine).map_or(0, |engine| engine.size()))
    });
    let slots: Vec<Mutex<Slot>> = engines
        .into_iter()
        .map(|engine| Mutex::new((engine, None)))
        .collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(slots.len())
        .max(1);
    let work = || {
        loop {
            let taken = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = order.get(taken).and_then(|engine| slots.get(*engine)) else {
                break;
            };
            // A slot is taken by one thread only; a poisoned lock (a panic elsewhere) still
            // holds its engine.
            let mut slot = slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (engine, result) = &mut *slot;
            *result = Some(engine.run(release));
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let mut chosen = Vec::new();
    for slot in slots {
        let (_, result) = slot
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        chosen.extend(result.ok_or_else(|| {
            StatsError::Solver("a part of the secondary suppression was not run".to_owned())
        })??);
    }
    Ok(chosen)
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

/// The secondary suppression of one connected part of a component ([`Lp::parts`]).
struct Engine {
    /// The part's cells: row `i` of `lp` is cell `i`.
    cells: Vec<CellRef>,
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
    /// `lp`'s optimal bases, made when first needed and again after `lp` changes.
    warm: Option<Warm>,
}

impl Engine {
    /// One engine per connected part of the component that needs one: a part with a cell of the
    /// new release and a suppressed cell. A part without a cell of the new release is left
    /// alone: its rows are all earlier releases', so its polyhedron is the one the last of
    /// them was computed against (rows are only ever added, so parts only ever join), and every
    /// suppressed cell of it was protected then; a part with nothing suppressed needs nothing.
    fn of_component(component: Component, source: &Source, new_position: usize) -> Vec<Self> {
        let (truth, bounds) = truth_and_bounds(&component, source);
        let (lp, atoms) = Lp::new(&component, &bounds);
        let mut atom_truth = vec![0.0; lp.low.len()];
        for (fine, atom) in atoms.iter().enumerate() {
            if let (Some(sum), Some(value)) = (atom_truth.get_mut(*atom), truth.get(fine)) {
                *sum += value;
            }
        }
        let caps: Vec<Option<u64>> = component
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
        lp.parts(component.cells.len())
            .into_iter()
            .filter_map(|part| {
                let cells: Vec<CellRef> = part
                    .cells
                    .iter()
                    .filter_map(|cell| component.cells.get(*cell).cloned())
                    .collect();
                let needed = cells.iter().any(|cell| cell.release == new_position)
                    && cells
                        .iter()
                        .any(|cell| cell.cell.value == Value::Suppressed);
                if !needed {
                    return None;
                }
                let truth: Vec<f64> = part
                    .atoms
                    .iter()
                    .map(|atom| atom_truth.get(*atom).copied().unwrap_or(0.0))
                    .collect();
                let ranges = (0..cells.len())
                    .map(|cell| {
                        let value = part.lp.value(cell, &truth);
                        (value, value)
                    })
                    .collect();
                Some(Self {
                    suppressed: cells
                        .iter()
                        .map(|cell| cell.cell.value == Value::Suppressed)
                        .collect(),
                    proven: vec![false; cells.len()],
                    caps: part
                        .cells
                        .iter()
                        .map(|cell| caps.get(*cell).copied().flatten())
                        .collect(),
                    cells,
                    lp: part.lp,
                    truth,
                    ranges,
                    new_position,
                    warm: None,
                })
            })
            .collect()
    }

    /// How large its program is (atoms × rows), to share the work.
    fn size(&self) -> usize {
        self.lp.low.len().saturating_mul(self.lp.rows.len())
    }

    /// The positions, in the new release, of the cells it suppressed.
    fn run(&mut self, release: &str) -> Result<Vec<usize>, StatsError> {
        let mut chosen = Vec::new();
        loop {
            let pending: Vec<usize> = (0..self.cells.len())
                .filter(|cell| self.is_suppressed(*cell) && !self.is_proven(*cell))
                .collect();
            // The batches run once: their witnesses stay integer points after a partner is
            // suppressed (that only removes constraints), and later passes are left to each
            // cell's own programs.
            if chosen.is_empty() {
                self.spread_witnesses(&pending)?;
            }
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
                // The shared bases are kept: the partner's row is opened in the solver's state
                // ([`Warm::relax`]), or, failing that, they are made again when next needed.
                self.warm = self.warm.take().and_then(|warm| warm.relax(partner));
            }
            if let Some(cell) = self.cells.get(partner) {
                chosen.push(cell.index);
            }
        }
    }

    /// Witnesses for many cells at once: integer points of programs whose objective adds the
    /// cells not yet spread wide enough with random signs, and subtracts them with the opposite
    /// signs, pushing each such cell up in one and down in the other (an unsigned sum would not:
    /// the categories of a month add up to its total, so their sum cannot move). A few rounds,
    /// while they help; the rest is left to each cell's own programs ([`Self::exposed`]).
    fn spread_witnesses(&mut self, pending: &[usize]) -> Result<(), StatsError> {
        let mut narrow: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|cell| !self.wide(*cell))
            .collect();
        // Every unbounded atom capped well above its truth: the programs stay bounded whatever
        // the signs, and a point of the capped polyhedron is a point of the true one.
        let cap = self
            .cells
            .iter()
            .map(|cell| cell.threshold)
            .max()
            .unwrap_or(1)
            .saturating_mul(4) as f64;
        let mut capped = self.lp.clone();
        for (high, truth) in capped.high.iter_mut().zip(&self.truth) {
            if high.is_none() {
                *high = Some(truth.round() + cap);
            }
        }
        let mut state = BATCH_SEED ^ (narrow.len() as u64);
        let mut idle = 0;
        for _ in 0..BATCH_ROUNDS {
            if narrow.len() <= 1 || idle >= BATCH_PATIENCE {
                break;
            }
            let objective: Vec<(usize, f64)> = narrow
                .iter()
                .map(|cell| {
                    let sign = if split_mix(&mut state) & 1 == 0 {
                        1.0
                    } else {
                        -1.0
                    };
                    (*cell, sign)
                })
                .collect();
            for maximise in [true, false] {
                let optimum = match self.relaxed(&objective, maximise)? {
                    Some(optimum) => Some(optimum),
                    None => capped
                        .optimise(&objective, maximise, false)?
                        .map(Optimum::from_point),
                };
                let Some(optimum) = optimum else {
                    continue;
                };
                if integral(&optimum.point) {
                    self.witness(&optimum.point);
                } else if let Some(warm) = self.warm.as_ref()
                    && let Some(dived) = warm.dive_from(&self.lp, optimum, &objective, maximise)?
                {
                    // A fractional optimum is no table; an integer point dived from it is one,
                    // checked against every row ([`Warm::dive_from`]), and spreads many cells at
                    // once.
                    self.witness(&dived);
                }
            }
            let still: Vec<usize> = narrow
                .iter()
                .copied()
                .filter(|cell| !self.wide(*cell))
                .collect();
            idle = if still.len() == narrow.len() {
                idle + 1
            } else {
                0
            };
            narrow = still;
        }
        Ok(())
    }

    /// [`Lp::relaxed_optimum`] from this part's warm bases (made now if none are kept).
    fn relaxed(
        &mut self,
        objective: &[(usize, f64)],
        maximise: bool,
    ) -> Result<Option<Optimum>, StatsError> {
        if self.warm.is_none() {
            // A part whose bases cannot be made is solved from nothing every time.
            self.warm = self.warm_bases();
        }
        self.lp
            .relaxed_optimum(self.warm.as_ref(), objective, maximise)
    }

    /// The shared bases of this part's program, with the rows of the cells that may yet be
    /// suppressed (the new release's rounded cells) open to [`Warm::relax`].
    fn warm_bases(&self) -> Option<Warm> {
        let open = |row: usize| {
            !self.is_suppressed(row)
                && self.cells.get(row).is_some_and(|cell| {
                    cell.release == self.new_position
                        && matches!(cell.cell.value, Value::Rounded(_))
                })
        };
        Warm::relaxable(&self.lp, open)
            .or_else(|_| Warm::new(&self.lp))
            .ok()
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
        let threshold = self.cells.get(cell).map_or(0, |cell| cell.threshold);
        let cap = self.caps.get(cell).copied().flatten().unwrap_or(u64::MAX);
        self.spread(cell) >= threshold.min(cap)
    }

    /// Whether the cell's exact integer interval is narrower than the rule asks.
    ///
    /// Each end is first found over real numbers; an integral optimum is an integer point and
    /// kept as a witness. A fractional one bounds the integers' end (they lie within its floor
    /// or ceiling): when even those bounds leave the cell narrower than the rule asks, it is
    /// exposed without branch and bound; otherwise the fractional ends are found over integers.
    fn exposed(&mut self, cell: usize) -> Result<bool, StatsError> {
        // Per end, a fractional optimum's value and the optimum itself (a dive starts from it).
        let mut fractional: [Option<(f64, Optimum)>; 2] = [None, None];
        for (end, maximise) in fractional.iter_mut().zip([true, false]) {
            if self.wide(cell) {
                return Ok(false);
            }
            let Some(optimum) = self.relaxed(&[(cell, 1.0)], maximise)? else {
                return Ok(false);
            };
            if integral(&optimum.point) {
                self.witness(&optimum.point);
            } else {
                *end = Some((self.lp.value(cell, &optimum.point), optimum));
            }
        }
        if self.wide(cell) {
            return Ok(false);
        }
        if let [high, low] = fractional
            && (high.is_some() || low.is_some())
        {
            let (spread_low, spread_high) = self.ranges.get(cell).copied().unwrap_or((0.0, 0.0));
            let widest = high
                .as_ref()
                .map_or(spread_high, |(high, _)| (high + 1e-6).floor())
                - low
                    .as_ref()
                    .map_or(spread_low, |(low, _)| (low - 1e-6).ceil());
            let widest = widest.round().max(0.0) as u64;
            let threshold = self.cells.get(cell).map_or(0, |cell| cell.threshold);
            // Below the threshold, what the rule asks does not depend on the exact width.
            if widest < threshold && widest < required(&self.cells, &self.lp, cell, Some(widest))? {
                return Ok(true);
            }
            for (end, maximise) in [(high, true), (low, false)] {
                let Some((end, optimum)) = end else {
                    continue;
                };
                if self.wide(cell) {
                    continue;
                }
                if self.warm.is_none() {
                    self.warm = self.warm_bases();
                }
                // No integer point passes the relaxation's end rounded inwards (the cell is an
                // integer sum), so a dived point that reaches it is the integer optimum; one
                // short of it may still spread the cell wide enough. Branch and bound only when
                // neither (module docs: the proofs).
                if let Some(warm) = self.warm.as_ref()
                    && let Some(point) =
                        warm.dive_from(&self.lp, optimum, &[(cell, 1.0)], maximise)?
                {
                    self.witness(&point);
                    if (self.lp.value(cell, &point) - inward(end, maximise)).abs() < 0.5
                        || self.wide(cell)
                    {
                        continue;
                    }
                }
                let point = self
                    .lp
                    .optimise(&[(cell, 1.0)], maximise, true)?
                    .ok_or_else(|| StatsError::Solver("unbounded integer program".to_owned()))?;
                self.witness(&point);
            }
            if self.wide(cell) {
                return Ok(false);
            }
        }
        // Both ends were reached over integers: the spread is the exact width.
        let width = self.spread(cell);
        Ok(width < required(&self.cells, &self.lp, cell, Some(width))?)
    }

    /// The cell of the new release to suppress next (module docs: the partner's order).
    fn partner(&self, exposed: usize) -> Option<usize> {
        let cells = &self.cells;
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
        let (Some(first), Some(second)) = (self.cells.get(a), self.cells.get(b)) else {
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
        self.cells.get(cell).map_or_else(String::new, |cell| {
            format!(
                "{} {} {} {:?}",
                cell.cell.agreement, cell.cell.period, cell.cell.measure, cell.cell.breakdown
            )
        })
    }
}

/// SplitMix64: the next pseudo-random number of `state`.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
