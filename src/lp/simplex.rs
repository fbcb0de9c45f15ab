//! The public face of the dual simplex. (Stub: the LP issue fills in the algorithm behind these signatures.)
#![allow(unused_variables)]

use super::{LpProblem, Sense};
use crate::error::Result;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Tolerances and limits of the LP solver.
#[derive(Debug, Clone)]
pub struct LpOptions {
    /// Largest bound violation accepted as feasible (default 1e-7).
    pub primal_feasibility_tol: f64,
    /// Largest wrong-signed reduced cost accepted as optimal (default 1e-7).
    pub dual_feasibility_tol: f64,
    /// Smallest pivot magnitude accepted (default 1e-7).
    pub pivot_tol: f64,
    /// Stop after this many iterations of one `solve` call.
    pub iteration_limit: Option<u64>,
    /// Stop after this many seconds of one `solve` call.
    pub time_limit: Option<f64>,
    /// Stop when the dual objective proves the optimum is no better than this value
    /// (in the problem's sense: `>= cutoff` when minimising, `<= cutoff` when maximising).
    pub objective_cutoff: Option<f64>,
    /// Set to true from anywhere to stop the solve.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Scale rows and columns before solving.
    pub scaling: bool,
}

impl Default for LpOptions {
    fn default() -> Self {
        LpOptions {
            primal_feasibility_tol: 1e-7,
            dual_feasibility_tol: 1e-7,
            pivot_tol: 1e-7,
            iteration_limit: None,
            time_limit: None,
            objective_cutoff: None,
            interrupt: None,
            scaling: true,
        }
    }
}

/// The outcome of a `solve` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpStatus {
    /// Optimal within the tolerances.
    Optimal,
    /// No feasible point: a Farkas certificate is available.
    Infeasible,
    /// The objective is unbounded: a ray is available.
    Unbounded,
    /// The objective cutoff was reached: the optimum is no better than the cutoff.
    CutoffReached,
    /// The iteration limit was reached.
    IterationLimit,
    /// The time limit was reached.
    TimeLimit,
    /// The interrupt flag was raised.
    Interrupted,
    /// The solver could not resolve numerical difficulties; nothing is claimed.
    NumericalTrouble,
}

/// Where a variable (column or row logical) sits in a basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarStatus {
    /// In the basis.
    Basic,
    /// Non-basic at its lower bound.
    AtLower,
    /// Non-basic at its upper bound.
    AtUpper,
    /// Non-basic free variable at zero.
    Zero,
}

/// A simplex basis: one status per column and per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Status of each column.
    pub col_status: Vec<VarStatus>,
    /// Status of each row's logical variable.
    pub row_status: Vec<VarStatus>,
}

/// A row to add: `lower <= sum coeffs <= upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSpec {
    /// Lower bound (may be `-inf`).
    pub lower: f64,
    /// Upper bound (may be `+inf`).
    pub upper: f64,
    /// Non-zeros `(column, value)`.
    pub coeffs: Vec<(usize, f64)>,
}

/// A revised dual simplex over a sparse LU-factored basis, kept alive between solves for warm starts.
pub struct DualSimplex {
    problem: LpProblem,
    options: LpOptions,
}

impl DualSimplex {
    /// Takes the problem (validating it: finite coefficients, consistent sizes) and the options.
    pub fn new(problem: &LpProblem, options: LpOptions) -> Result<Self> {
        Ok(DualSimplex {
            problem: problem.clone(),
            options,
        })
    }

    /// Solves (or re-solves from the current basis) and returns the status.
    pub fn solve(&mut self) -> LpStatus {
        todo!("dual simplex")
    }

    /// The options in force.
    pub fn options(&self) -> &LpOptions {
        &self.options
    }

    /// Mutable options (limits, cutoff, interrupt) for the next solve.
    pub fn options_mut(&mut self) -> &mut LpOptions {
        &mut self.options
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.problem.num_cols()
    }

    /// Number of rows (cuts included).
    pub fn num_rows(&self) -> usize {
        self.problem.num_rows()
    }

    /// The problem as currently modified.
    pub fn problem(&self) -> &LpProblem {
        &self.problem
    }

    /// Changes a column's bounds; the next solve starts from the current basis.
    pub fn set_col_bounds(&mut self, col: usize, lower: f64, upper: f64) {
        todo!()
    }

    /// Changes a row's bounds.
    pub fn set_row_bounds(&mut self, row: usize, lower: f64, upper: f64) {
        todo!()
    }

    /// Replaces the objective coefficients (same sense).
    pub fn set_objective(&mut self, cost: &[f64]) {
        todo!()
    }

    /// Appends rows; returns the index of the first new row.
    /// The new rows' logicals enter the basis, so the basis stays valid.
    pub fn add_rows(&mut self, rows: &[RowSpec]) -> usize {
        todo!()
    }

    /// Deletes rows; the remaining rows keep their order and are renumbered.
    pub fn remove_rows(&mut self, rows: &[usize]) {
        todo!()
    }

    /// The current basis.
    pub fn basis(&self) -> Basis {
        todo!()
    }

    /// Installs a basis (e.g. a node's parent basis); fails if its sizes do not match.
    pub fn set_basis(&mut self, basis: &Basis) -> Result<()> {
        todo!()
    }

    /// Objective value (with offset, in the problem's sense) of the current point.
    /// After `CutoffReached` or a limit this is the dual simplex's objective (a valid bound only when
    /// the basis is dual feasible, see [`DualSimplex::dual_bound`]).
    pub fn objective_value(&self) -> f64 {
        todo!()
    }

    /// A valid bound on the optimum in the problem's sense (lower when minimising), if one is known.
    pub fn dual_bound(&self) -> Option<f64> {
        todo!()
    }

    /// Column values of the current point.
    pub fn col_values(&self) -> Vec<f64> {
        todo!()
    }

    /// Row activities `A x` of the current point.
    pub fn row_activities(&self) -> Vec<f64> {
        todo!()
    }

    /// Row duals (in the problem's sense).
    pub fn row_duals(&self) -> Vec<f64> {
        todo!()
    }

    /// Reduced costs of the columns (in the problem's sense).
    pub fn reduced_costs(&self) -> Vec<f64> {
        todo!()
    }

    /// After `Infeasible`: row multipliers `y` such that `y^T A x` is bounded away from the bounds `y` implies.
    pub fn farkas(&self) -> Option<Vec<f64>> {
        todo!()
    }

    /// After `Unbounded`: a column direction along which the objective improves without limit.
    pub fn ray(&self) -> Option<Vec<f64>> {
        todo!()
    }

    /// Iterations of the last `solve` call.
    pub fn last_iterations(&self) -> u64 {
        todo!()
    }

    /// Iterations over all `solve` calls.
    pub fn total_iterations(&self) -> u64 {
        todo!()
    }

    /// Largest primal and dual infeasibility left at the current point (unscaled).
    pub fn infeasibilities(&self) -> (f64, f64) {
        todo!()
    }

    /// The sense of the problem.
    pub fn sense(&self) -> Sense {
        self.problem.sense
    }
}
