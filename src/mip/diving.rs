//! Primal heuristics for general MILPs: lock-based simple rounding of the node's LP point, and fractional
//! diving (bound the least fractional integer column towards its nearest integer, re-solve, repeat; one
//! backtrack per step), in the manner of SCIP's `simplerounding` and `fracdiving`. The dive runs on an LP
//! of its own, so the search's LP and bases are untouched. Every candidate goes through the incumbent
//! checkpoint, which re-checks rows, bounds and integrality.

use super::plugins::{Heuristic, NodeView};
use super::problem::MipProblem;
use crate::lp::{DualSimplex, LpOptions, LpStatus};

/// A value within this of an integer counts as integral.
const INTEGRAL: f64 = 1e-6;

/// Per column, how many rows a decrease ("down-lock") or an increase ("up-lock") could violate: a column
/// with no down-lock may round down, one with no up-lock may round up, and a point rounded this way keeps
/// every row the LP point satisfied.
#[derive(Debug, Clone)]
pub struct Locks {
    down: Vec<u32>,
    up: Vec<u32>,
}

impl Locks {
    /// The lock counts of every column of `problem`.
    pub fn new(problem: &MipProblem) -> Self {
        let n = problem.lp.num_cols();
        let (mut down, mut up) = (vec![0; n], vec![0; n]);
        for (i, row) in problem.lp.rows.iter().enumerate() {
            let (has_lo, has_up) = (
                problem.lp.row_lower[i].is_finite(),
                problem.lp.row_upper[i].is_finite(),
            );
            for &(j, a) in row {
                // Decreasing x_j lowers a.x when a > 0: that can break a finite lower side.
                if (a > 0.0 && has_lo) || (a < 0.0 && has_up) {
                    down[j] += 1;
                }
                if (a > 0.0 && has_up) || (a < 0.0 && has_lo) {
                    up[j] += 1;
                }
            }
        }
        Locks { down, up }
    }

    /// `x` with its fractional integer columns rounded in a lock-free direction; `None` when some column
    /// has locks both ways.
    pub fn round(&self, problem: &MipProblem, x: &[f64]) -> Option<Vec<f64>> {
        let mut point = x.to_vec();
        for (j, v) in point.iter_mut().enumerate() {
            if !problem.integer[j] || (*v - v.round()).abs() <= INTEGRAL {
                continue;
            }
            *v = if self.down[j] == 0 {
                v.floor()
            } else if self.up[j] == 0 {
                v.ceil()
            } else {
                return None;
            };
        }
        Some(point)
    }
}

/// Simple rounding and fractional diving.
pub struct Diving {
    locks: Option<Locks>,
    lp: Option<DualSimplex>,
    cur_lower: Vec<f64>,
    cur_upper: Vec<f64>,
    /// Dive every this many nodes (and at the root); simple rounding runs at every node.
    pub frequency: u64,
    /// LP iterations one dive may spend.
    pub iteration_budget: u64,
    /// Bound changes one dive may make.
    pub max_depth: usize,
}

impl Default for Diving {
    fn default() -> Self {
        Diving {
            locks: None,
            lp: None,
            cur_lower: Vec::new(),
            cur_upper: Vec::new(),
            frequency: 100,
            iteration_budget: 5_000,
            max_depth: 200,
        }
    }
}

fn fractional(problem: &MipProblem, x: &[f64]) -> Vec<usize> {
    (0..x.len())
        .filter(|&j| problem.integer[j] && (x[j] - x[j].round()).abs() > INTEGRAL)
        .collect()
}

impl Diving {
    fn set_bounds(&mut self, j: usize, lower: f64, upper: f64) {
        if let Some(lp) = self.lp.as_mut() {
            if self.cur_lower[j] != lower || self.cur_upper[j] != upper {
                lp.set_col_bounds(j, lower, upper);
                self.cur_lower[j] = lower;
                self.cur_upper[j] = upper;
            }
        }
    }

    /// Solves the dive's LP within the remaining budget; the point when optimal and not worse than the
    /// incumbent.
    fn solve(&mut self, budget: &mut u64, view: &NodeView) -> Option<Vec<f64>> {
        let lp = self.lp.as_mut()?;
        lp.options_mut().iteration_limit = Some((*budget).max(1));
        let status = lp.solve();
        *budget = budget.saturating_sub(lp.last_iterations());
        if status != LpStatus::Optimal {
            return None;
        }
        let value = lp.objective_value() * view.problem.min_sign();
        (value < view.incumbent).then(|| lp.col_values())
    }

    /// One dive from the node's bounds; the integral point it ends at, if any.
    fn dive(&mut self, view: &NodeView) -> Option<Vec<f64>> {
        let problem = view.problem;
        if self.lp.is_none() {
            let lp = DualSimplex::new(&problem.lp, LpOptions::default()).ok()?;
            self.cur_lower = problem.lp.col_lower.clone();
            self.cur_upper = problem.lp.col_upper.clone();
            self.lp = Some(lp);
        }
        for j in 0..view.col_lower.len() {
            self.set_bounds(j, view.col_lower[j], view.col_upper[j]);
        }
        let mut budget = self.iteration_budget;
        let mut x = self.solve(&mut budget, view)?;
        for _ in 0..self.max_depth {
            let frac = fractional(problem, &x);
            if frac.is_empty() {
                return Some(x);
            }
            if let Some(p) = self.locks.as_ref().and_then(|l| l.round(problem, &x)) {
                return Some(p);
            }
            // The least fractional column, towards its nearest integer; the other way if that fails.
            let &j = frac.iter().min_by(|&&a, &&b| {
                let fa = (x[a] - x[a].round()).abs();
                let fb = (x[b] - x[b].round()).abs();
                fa.total_cmp(&fb)
            })?;
            let (lo, hi) = (self.cur_lower[j], self.cur_upper[j]);
            let (near, far) = if x[j] - x[j].floor() < 0.5 {
                ((lo, x[j].floor()), (x[j].ceil(), hi))
            } else {
                ((x[j].ceil(), hi), (lo, x[j].floor()))
            };
            self.set_bounds(j, near.0, near.1);
            x = match self.solve(&mut budget, view) {
                Some(p) => p,
                None => {
                    self.set_bounds(j, far.0, far.1);
                    self.solve(&mut budget, view)?
                }
            };
        }
        None
    }
}

impl Heuristic for Diving {
    fn name(&self) -> &str {
        "diving"
    }

    fn letter(&self) -> char {
        'D'
    }

    fn should_run(&self, _view: &NodeView) -> bool {
        true
    }

    fn run(&mut self, view: &NodeView) -> Vec<Vec<f64>> {
        if self.locks.is_none() {
            self.locks = Some(Locks::new(view.problem));
        }
        let mut out = Vec::new();
        if let Some(p) = self.locks.as_ref().and_then(|l| l.round(view.problem, view.x)) {
            out.push(p);
        }
        let no_incumbent = !view.incumbent.is_finite();
        let every = if no_incumbent {
            self.frequency / 4
        } else {
            self.frequency
        }
        .max(1);
        if view.depth == 0 || view.explored.is_multiple_of(every) {
            if let Some(p) = self.dive(view) {
                out.push(p);
            }
        }
        out
    }
}
