//! Bound propagation on the rows of a general MILP (activity-based domain propagation, as in SCIP's
//! linear constraint handler): a row `L <= a.x <= U` with the node's column bounds gives each column a bound
//! from the other columns' extreme activities; integer columns round inward. A row whose activity range
//! misses `[L, U]` proves the node infeasible without an LP.
//!
//! Floating point: bounds are relaxed by [`SAFETY`] before use and rows with huge activities are skipped,
//! so that a rounding error never cuts off a feasible point.

use super::node::BoundChange;
use super::plugins::{NodeView, Propagation, Propagator};

/// Relative slack added to every derived bound (and to the infeasibility test).
const SAFETY: f64 = 1e-7;
/// Activities beyond this magnitude are not trusted for propagation.
const HUGE: f64 = 1e12;
/// A continuous column's bound is tightened only when it shrinks its range by at least this share.
const MIN_SHRINK: f64 = 1e-3;
/// Passes over the rows per node (each pass sees the previous one's bounds).
const PASSES: usize = 3;
/// Coefficients smaller than this are ignored (they would amplify rounding errors).
const TINY: f64 = 1e-9;

/// Propagates the rows of the model (not cuts) at every node.
#[derive(Debug, Clone, Default)]
pub struct RowPropagator {
    /// Bounds tightened so far (for the log and tests).
    pub tightened: u64,
}

/// One side of a row's activity: the finite part and how many columns contribute an infinite amount.
#[derive(Debug, Clone, Copy)]
struct Activity {
    finite: f64,
    infinite: usize,
}

impl Activity {
    /// The activity without column `j`'s contribution `c` (`None` when it stays infinite).
    fn without(&self, c: f64) -> Option<f64> {
        match (self.infinite, c.is_finite()) {
            (0, _) => Some(self.finite - c),
            (1, false) => Some(self.finite),
            _ => None,
        }
    }
}

fn activities(row: &[(usize, f64)], lower: &[f64], upper: &[f64]) -> (Activity, Activity) {
    let mut min = Activity {
        finite: 0.0,
        infinite: 0,
    };
    let mut max = min;
    for &(j, a) in row {
        if a.abs() < TINY {
            continue;
        }
        let (lo, hi) = if a > 0.0 {
            (a * lower[j], a * upper[j])
        } else {
            (a * upper[j], a * lower[j])
        };
        if lo.is_finite() {
            min.finite += lo;
        } else {
            min.infinite += 1;
        }
        if hi.is_finite() {
            max.finite += hi;
        } else {
            max.infinite += 1;
        }
    }
    (min, max)
}

impl RowPropagator {
    /// Propagates every row `PASSES` times over `lower`/`upper` in place; false when a row proves the box
    /// empty.
    fn run(&mut self, view: &NodeView, lower: &mut [f64], upper: &mut [f64]) -> bool {
        let lp = &view.problem.lp;
        let integer = &view.problem.integer;
        for _ in 0..PASSES {
            let mut changed = false;
            for (i, row) in lp.rows.iter().enumerate() {
                let (rl, ru) = (lp.row_lower[i], lp.row_upper[i]);
                let (min, max) = activities(row, lower, upper);
                if min.finite.abs() > HUGE || max.finite.abs() > HUGE {
                    continue;
                }
                if min.infinite == 0 && min.finite > ru + SAFETY * (1.0 + ru.abs() + min.finite.abs()) {
                    return false;
                }
                if max.infinite == 0 && max.finite < rl - SAFETY * (1.0 + rl.abs() + max.finite.abs()) {
                    return false;
                }
                for &(j, a) in row {
                    if a.abs() < TINY {
                        continue;
                    }
                    let (cmin, cmax) = if a > 0.0 {
                        (a * lower[j], a * upper[j])
                    } else {
                        (a * upper[j], a * lower[j])
                    };
                    // a x_j <= U - (min activity of the others), a x_j >= L - (max activity of the others).
                    let hi = if ru.is_finite() {
                        min.without(cmin).map(|r| ru - r)
                    } else {
                        None
                    };
                    let lo = if rl.is_finite() {
                        max.without(cmax).map(|r| rl - r)
                    } else {
                        None
                    };
                    let (new_lo, new_hi) = if a > 0.0 {
                        (lo.map(|v| v / a), hi.map(|v| v / a))
                    } else {
                        (hi.map(|v| v / a), lo.map(|v| v / a))
                    };
                    match self.tighten(j, integer[j], new_lo, new_hi, lower, upper) {
                        None => return false,
                        Some(moved) => changed |= moved,
                    }
                }
            }
            if !changed {
                break;
            }
        }
        true
    }

    /// Applies derived bounds to column `j` when they are worth it; `Some(moved)`, or `None` when the
    /// bounds cross by more than the tolerance (no feasible point). A crossing within the tolerance leaves
    /// the column fixed at the old opposite bound.
    fn tighten(
        &mut self,
        j: usize,
        integer: bool,
        new_lo: Option<f64>,
        new_hi: Option<f64>,
        lower: &mut [f64],
        upper: &mut [f64],
    ) -> Option<bool> {
        let mut moved = false;
        if let Some(v) = new_hi.filter(|v| v.is_finite()) {
            let v = v + SAFETY * (1.0 + v.abs());
            let v = if integer { (v + 1e-6).floor() } else { v };
            let range = upper[j] - lower[j];
            let worth = integer || !range.is_finite() || upper[j] - v > MIN_SHRINK * range.max(1.0);
            if v < upper[j] && worth {
                if v < lower[j] - SAFETY * (1.0 + lower[j].abs()) {
                    return None;
                }
                upper[j] = v.max(lower[j]);
                moved = true;
            }
        }
        if let Some(v) = new_lo.filter(|v| v.is_finite()) {
            let v = v - SAFETY * (1.0 + v.abs());
            let v = if integer { (v - 1e-6).ceil() } else { v };
            let range = upper[j] - lower[j];
            let worth = integer || !range.is_finite() || v - lower[j] > MIN_SHRINK * range.max(1.0);
            if v > lower[j] && worth {
                if v > upper[j] + SAFETY * (1.0 + upper[j].abs()) {
                    return None;
                }
                lower[j] = v.min(upper[j]);
                moved = true;
            }
        }
        if moved {
            self.tightened += 1;
        }
        Some(moved)
    }
}

impl Propagator for RowPropagator {
    fn name(&self) -> &str {
        "rows"
    }

    fn propagate(&mut self, view: &NodeView, changes: &mut Vec<BoundChange>) -> Propagation {
        let mut lower = view.col_lower.to_vec();
        let mut upper = view.col_upper.to_vec();
        if !self.run(view, &mut lower, &mut upper) {
            return Propagation::Infeasible;
        }
        for j in 0..lower.len() {
            if lower[j] != view.col_lower[j] || upper[j] != view.col_upper[j] {
                changes.push(BoundChange {
                    col: j,
                    lower: lower[j],
                    upper: upper[j],
                });
            }
        }
        Propagation::Feasible {
            bound: f64::NEG_INFINITY,
        }
    }
}
