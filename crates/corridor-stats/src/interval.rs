//! The interval of values an outsider can deduce for one cell of a published table.
//!
//! The outsider's knowledge, for every cell `x` of the grid (margins included):
//!
//! - the equations: in every grid row the inner cells sum to the row total, in every grid column
//!   the inner cells sum to the column total (the margins' own row and column included, so the
//!   row totals and the column totals each sum to the grand total);
//! - a published count `p > 0` means the truth lies in `max(threshold, p - (base - 1)) ..=
//!   p + (base - 1)`: rounding moves a count by less than the base, and a published count is not
//!   a primary-suppressed one, so it is at least the threshold;
//! - a published zero means the truth lies in `0 ..= base - 1` if `base - 1 >= threshold`, else it
//!   is exactly zero (a count from 1 to `threshold - 1` would have been suppressed);
//! - a suppressed cell is at least zero.
//!
//! [`interval`] computes, for one cell, the least and the greatest value of `x` over this
//! polyhedron by two linear programs (`good_lp` with its pure-Rust `microlp` solver).
//!
//! Why the linear programs' bounds are the integer bounds (so the real-valued relaxation neither
//! under- nor over-states the interval): write the equations as `A x = 0` with one row of `A`
//! per grid row `i` (`Σ_j x[i][j] - x[i][total] = 0`) and per grid column `j`
//! (`Σ_i x[i][j] - x[total][j] = 0`). Negate the equations of the totals' row and the totals'
//! column (this does not change the polyhedron). Every variable then appears in exactly two
//! equations, one of a grid row and one of a grid column, with the same sign in both: an inner
//! cell `+1, +1`; a row total `-1` in its row and `-1` in the (negated) totals' column; a column
//! total `-1` in the (negated) totals' row and `-1` in its column; the grand total `+1, +1` in
//! both negated equations. A matrix with at most two non-zero entries, each ±1, per column, whose
//! rows split into two classes (grid rows, grid columns) such that the two entries of every
//! column are in different classes whenever they have the same sign, is totally unimodular
//! (Heller and Tompkins' sufficient condition); adding the identity rows of the bounds keeps it
//! so. With integer bounds every vertex of `{A x = 0, l <= x <= u}` is therefore integral, and a
//! linear objective `x_k` attains its minimum and maximum at a vertex: the bounds found are
//! values some integer table consistent with the publication actually takes.
//!
//! What the model leaves out, where an outsider may know more than it says: that published counts
//! are not between 1 and `threshold - 1` enters only as the lower bound of positive published
//! counts (the exact set is not convex); an outsider who can tell a primary-suppressed cell from a
//! secondary one knows it is below the threshold anyway (the rule says so: suppression hides the
//! value, not that it is small); and knowledge from outside the table (a government knows whom
//! it sent). The rounding's directions, fixed by a secret key, are rightly unknown to it.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, microlp,
    variable,
};

use crate::StatsError;
use crate::published::{ProtectedTable, Published};
use crate::table::Position;

/// Slack for the solver's floating-point results, far below one count.
const TOLERANCE: f64 = 1e-6;

/// The least and greatest value of the cell at `target` consistent with the publication.
pub fn interval(
    protected: &ProtectedTable,
    target: Position,
) -> Result<(u64, Option<u64>), StatsError> {
    let low = extreme(protected, target, false)?
        .map_or(0.0, |low| (low - TOLERANCE).ceil().max(0.0)) as u64;
    let high = extreme(protected, target, true)?.map(|high| (high + TOLERANCE).floor() as u64);
    Ok((low, high))
}

/// What the publication says of one cell's truth: its least and greatest possible value.
fn known_range(published: Published, threshold: u64, base: u64) -> (u64, Option<u64>) {
    match published {
        Published::Count(0) if base > threshold => (0, Some(base - 1)),
        Published::Count(0) => (0, Some(0)),
        Published::Count(count) => (
            threshold.max(count.saturating_sub(base - 1)),
            Some(count.saturating_add(base - 1)),
        ),
        Published::Suppressed(_) => (0, None),
    }
}

/// The minimum (or maximum) of the target cell; `None` when the maximum is unbounded.
fn extreme(
    protected: &ProtectedTable,
    target: Position,
    maximise: bool,
) -> Result<Option<f64>, StatsError> {
    let mut problem = ProblemVariables::new();
    let variables: Vec<(Position, Variable)> = protected
        .cells()
        .iter()
        .map(|cell| {
            let (low, high) = known_range(cell.published, protected.threshold(), protected.base());
            let definition = variable().min(low as f64);
            let definition = match high {
                Some(high) => definition.max(high as f64),
                None => definition,
            };
            (cell.position, problem.add(definition))
        })
        .collect();
    let Some(&(_, objective)) = variables.iter().find(|(position, _)| *position == target) else {
        return Err(StatsError::Solver(format!("no cell at {target:?}")));
    };
    let unsolved = if maximise {
        problem.maximise(objective)
    } else {
        problem.minimise(objective)
    };
    let mut model = unsolved.using(microlp);
    let grid_rows = (0..protected.rows()).map(Some).chain([None]);
    for row in grid_rows {
        let line = variables.iter().filter(|(position, _)| position.row == row);
        model = model.with(sums_to_total(line, |position| position.column.is_none()).eq(0.0));
    }
    let grid_columns = (0..protected.columns()).map(Some).chain([None]);
    for column in grid_columns {
        let line = variables
            .iter()
            .filter(|(position, _)| position.column == column);
        model = model.with(sums_to_total(line, |position| position.row.is_none()).eq(0.0));
    }
    match model.solve() {
        Ok(solution) => Ok(Some(solution.value(objective))),
        Err(ResolutionError::Unbounded) if maximise => Ok(None),
        Err(error) => Err(StatsError::Solver(error.to_string())),
    }
}

/// `Σ inner - total` over one grid row or column.
fn sums_to_total<'a>(
    line: impl Iterator<Item = &'a (Position, Variable)>,
    is_total: impl Fn(&Position) -> bool,
) -> Expression {
    let mut expression = Expression::default();
    for (position, variable) in line {
        if is_total(position) {
            expression -= *variable;
        } else {
            expression += *variable;
        }
    }
    expression
}
