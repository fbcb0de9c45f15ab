//! The public face of the dual simplex: the user's problem, its scaling, and the mapping between the
//! user's terms (rows, columns, sense) and the internal computational form in [`super::core`].

use super::core::{box_range_excludes_zero, Core, Stat, Tols, NONE};
use super::driver::{drive, DriveOptions};
use super::dual::{Run, Stop};
use super::scaling::{compute_scaling, row_scale_for};
use super::{LpProblem, Sense};
use crate::error::{Error, Result};
use crate::linalg::CscMatrix;
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
    /// Perturb costs against dual degeneracy (removed before the answer; default true).
    pub perturbation: bool,
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
            perturbation: true,
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
    row_scale: Vec<f64>,
    col_scale: Vec<f64>,
    core: Core,
    status: Option<LpStatus>,
    last_iterations: u64,
    total_iterations: u64,
    farkas: Option<Vec<f64>>,
    ray: Option<Vec<f64>>,
    cutoff_bound: Option<f64>,
}

fn bad(place: String, problem: &str) -> Error {
    Error::input("LP problem", place, problem)
}

fn validate(problem: &LpProblem) -> Result<()> {
    let n = problem.num_cols();
    let m = problem.num_rows();
    if problem.col_lower.len() != n || problem.col_upper.len() != n {
        return Err(bad(
            "columns".into(),
            "bound vectors and cost vector differ in length",
        ));
    }
    if problem.row_lower.len() != m || problem.row_upper.len() != m {
        return Err(bad("rows".into(), "row bound vectors and rows differ in length"));
    }
    if !problem.objective_offset.is_finite() {
        return Err(bad("objective".into(), "objective offset is not finite"));
    }
    for j in 0..n {
        if !problem.cost[j].is_finite() {
            return Err(bad(format!("column {j}"), "objective coefficient is not finite"));
        }
        check_bounds(problem.col_lower[j], problem.col_upper[j])
            .map_err(|e| bad(format!("column {j}"), e))?;
    }
    for i in 0..m {
        check_bounds(problem.row_lower[i], problem.row_upper[i]).map_err(|e| bad(format!("row {i}"), e))?;
        check_row(&problem.rows[i], n).map_err(|e| bad(format!("row {i}"), e))?;
    }
    Ok(())
}

fn check_bounds(lower: f64, upper: f64) -> std::result::Result<(), &'static str> {
    if lower.is_nan() || upper.is_nan() {
        return Err("bound is NaN");
    }
    if lower == f64::INFINITY || upper == f64::NEG_INFINITY {
        return Err("lower bound +inf or upper bound -inf");
    }
    Ok(())
}

fn check_row(coeffs: &[(usize, f64)], n: usize) -> std::result::Result<(), &'static str> {
    let mut seen = std::collections::HashSet::new();
    for &(j, a) in coeffs {
        if j >= n {
            return Err("coefficient for a column that does not exist");
        }
        if !a.is_finite() {
            return Err("coefficient is not finite");
        }
        if !seen.insert(j) {
            return Err("column appears twice in the row");
        }
    }
    Ok(())
}

impl DualSimplex {
    /// Takes the problem (validating it: finite coefficients, consistent sizes) and the options.
    pub fn new(problem: &LpProblem, options: LpOptions) -> Result<Self> {
        validate(problem)?;
        let (row_scale, col_scale) = if options.scaling {
            compute_scaling(problem.num_cols(), &problem.rows)
        } else {
            (vec![1.0; problem.num_rows()], vec![1.0; problem.num_cols()])
        };
        let tol = Tols {
            primal: options.primal_feasibility_tol,
            dual: options.dual_feasibility_tol,
            pivot: options.pivot_tol,
        };
        let core = build_core(problem, &row_scale, &col_scale, tol);
        Ok(DualSimplex {
            problem: problem.clone(),
            options,
            row_scale,
            col_scale,
            core,
            status: None,
            last_iterations: 0,
            total_iterations: 0,
            farkas: None,
            ray: None,
            cutoff_bound: None,
        })
    }

    fn sign(&self) -> f64 {
        match self.problem.sense {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        }
    }

    /// Solves (or re-solves from the current basis) and returns the status.
    pub fn solve(&mut self) -> LpStatus {
        self.farkas = None;
        self.ray = None;
        self.cutoff_bound = None;
        self.last_iterations = 0;
        let tol = self.options.primal_feasibility_tol;
        self.core.tol = Tols {
            primal: tol,
            dual: self.options.dual_feasibility_tol,
            pivot: self.options.pivot_tol,
        };
        let crossed_col =
            (0..self.num_cols()).any(|j| self.problem.col_lower[j] > self.problem.col_upper[j] + tol);
        let crossed_row =
            (0..self.num_rows()).find(|&i| self.problem.row_lower[i] > self.problem.row_upper[i] + tol);
        if crossed_col || crossed_row.is_some() {
            if let Some(i) = crossed_row {
                let mut y = vec![0.0; self.num_rows()];
                y[i] = 1.0;
                self.farkas = Some(y);
            }
            self.status = Some(LpStatus::Infeasible);
            return LpStatus::Infeasible;
        }
        let sign = self.sign();
        let cutoff = self
            .options
            .objective_cutoff
            .map(|c| sign * (c - self.problem.objective_offset));
        let mut run = Run {
            iterations: 0,
            iteration_limit: self.options.iteration_limit.unwrap_or(u64::MAX),
            deadline: self
                .options
                .time_limit
                .map(|t| std::time::Instant::now() + std::time::Duration::from_secs_f64(t.clamp(0.0, 1e9))),
            interrupt: self.options.interrupt.clone(),
            cutoff,
            farkas: None,
            ray: None,
            cutoff_bound: None,
        };
        let opts = DriveOptions {
            perturb: self.options.perturbation,
        };
        let stop = drive(&mut self.core, &mut run, opts);
        self.last_iterations = run.iterations;
        self.total_iterations += run.iterations;
        let status = match stop {
            Stop::Optimal => LpStatus::Optimal,
            Stop::Infeasible => match run.farkas.take().map(|y| self.unscale_farkas(&y)) {
                Some(y) if farkas_is_valid(&self.problem, &y) => {
                    self.farkas = Some(y);
                    LpStatus::Infeasible
                }
                _ => LpStatus::NumericalTrouble,
            },
            Stop::Unbounded => match run.ray.take().map(|r| self.unscale_ray(&r)) {
                Some(r) if ray_is_valid(&self.problem, &r, 1e-6) => {
                    self.ray = Some(r);
                    LpStatus::Unbounded
                }
                _ => LpStatus::NumericalTrouble,
            },
            Stop::Cutoff => {
                self.cutoff_bound = run.cutoff_bound.map(|b| sign * b + self.problem.objective_offset);
                LpStatus::CutoffReached
            }
            Stop::IterationLimit => LpStatus::IterationLimit,
            Stop::TimeLimit => LpStatus::TimeLimit,
            Stop::Interrupted => LpStatus::Interrupted,
            Stop::Trouble => LpStatus::NumericalTrouble,
        };
        self.status = Some(status);
        status
    }

    fn unscale_farkas(&self, y: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = y.iter().zip(&self.row_scale).map(|(v, r)| v * r).collect();
        let big = out.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if big > 0.0 {
            out.iter_mut().for_each(|v| *v /= big);
        }
        out
    }

    fn unscale_ray(&self, ray: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = (0..self.num_cols()).map(|j| ray[j] * self.col_scale[j]).collect();
        let big = out.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if big > 0.0 {
            out.iter_mut().for_each(|v| *v /= big);
        }
        out
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
    /// NaN bounds are ignored; crossed bounds make the next solve report `Infeasible`.
    pub fn set_col_bounds(&mut self, col: usize, lower: f64, upper: f64) {
        if col >= self.num_cols() || lower.is_nan() || upper.is_nan() {
            return;
        }
        self.problem.col_lower[col] = lower;
        self.problem.col_upper[col] = upper;
        let s = self.col_scale[col];
        self.core.lower[col] = lower / s;
        self.core.upper[col] = upper / s;
        self.core.fix_nonbasic_stat(col);
        self.status = None;
    }

    /// Changes a row's bounds.
    pub fn set_row_bounds(&mut self, row: usize, lower: f64, upper: f64) {
        if row >= self.num_rows() || lower.is_nan() || upper.is_nan() {
            return;
        }
        self.problem.row_lower[row] = lower;
        self.problem.row_upper[row] = upper;
        let r = self.row_scale[row];
        let j = self.core.n + row;
        self.core.lower[j] = -upper * r;
        self.core.upper[j] = -lower * r;
        self.core.fix_nonbasic_stat(j);
        self.status = None;
    }

    /// Changes the coefficient of column `col` in row `row` to `value`, where the row already holds an entry
    /// for that column (the sparsity pattern never changes); returns false, changing nothing, otherwise or for
    /// a non-finite value. The next solve starts from the current basis (refactorised when `col` is basic), so
    /// a change that keeps the row valid is as cheap as a bound change (e.g. a big-M coefficient rebuilt on a
    /// node's tighter bounds).
    pub fn set_coefficient(&mut self, row: usize, col: usize, value: f64) -> bool {
        if row >= self.num_rows() || col >= self.num_cols() || !value.is_finite() {
            return false;
        }
        let Some(entry) = self.problem.rows[row].iter_mut().find(|e| e.0 == col) else {
            return false;
        };
        entry.1 = value;
        let scaled = value * self.row_scale[row] * self.col_scale[col];
        let core = &mut self.core;
        for k in core.a.start[col]..core.a.start[col + 1] {
            if core.a.index[k] == row {
                core.a.value[k] = scaled;
            }
        }
        for k in core.ar.start[row]..core.ar.start[row + 1] {
            if core.ar.index[k] == col {
                core.ar.value[k] = scaled;
            }
        }
        if core.stat[col] == Stat::Basic {
            core.need_factor = true;
        }
        self.status = None;
        true
    }

    /// Replaces the objective coefficients (same sense). Non-finite entries are read as zero.
    pub fn set_objective(&mut self, cost: &[f64]) {
        let sign = self.sign();
        for j in 0..self.num_cols().min(cost.len()) {
            let c = if cost[j].is_finite() { cost[j] } else { 0.0 };
            self.problem.cost[j] = c;
            self.core.orig_cost[j] = sign * c * self.col_scale[j];
            self.core.cost[j] = self.core.orig_cost[j];
        }
        self.status = None;
    }

    /// Appends rows; returns the index of the first new row.
    /// The new rows' logicals enter the basis, so the basis stays valid.
    /// Entries naming columns that do not exist, or non-finite values, are dropped.
    pub fn add_rows(&mut self, rows: &[RowSpec]) -> usize {
        let first = self.num_rows();
        for spec in rows {
            let mut coeffs: Vec<(usize, f64)> = Vec::with_capacity(spec.coeffs.len());
            for &(j, a) in &spec.coeffs {
                if j < self.num_cols() && a.is_finite() {
                    if let Some(e) = coeffs.iter_mut().find(|e| e.0 == j) {
                        e.1 += a;
                    } else {
                        coeffs.push((j, a));
                    }
                }
            }
            let lower = if spec.lower.is_nan() {
                f64::NEG_INFINITY
            } else {
                spec.lower
            };
            let upper = if spec.upper.is_nan() {
                f64::INFINITY
            } else {
                spec.upper
            };
            let scale = if self.options.scaling {
                row_scale_for(&coeffs, &self.col_scale)
            } else {
                1.0
            };
            self.row_scale.push(scale);
            let name = format!("r{}", self.problem.num_rows());
            self.problem.add_row(lower, upper, coeffs, name);
        }
        let old = std::mem::replace(&mut self.core, Core::empty());
        self.core = rebuild_core(
            old,
            &self.problem,
            &self.row_scale,
            &self.col_scale,
            &(0..first).collect::<Vec<_>>(),
        );
        self.status = None;
        first
    }

    /// Deletes rows; the remaining rows keep their order and are renumbered.
    pub fn remove_rows(&mut self, rows: &[usize]) {
        let m = self.num_rows();
        let mut remove = vec![false; m];
        for &i in rows {
            if i < m {
                remove[i] = true;
            }
        }
        let kept: Vec<usize> = (0..m).filter(|&i| !remove[i]).collect();
        if kept.len() == m {
            return;
        }
        let p = &mut self.problem;
        p.rows = kept.iter().map(|&i| std::mem::take(&mut p.rows[i])).collect();
        p.row_lower = kept.iter().map(|&i| p.row_lower[i]).collect();
        p.row_upper = kept.iter().map(|&i| p.row_upper[i]).collect();
        if p.row_names.len() == m {
            p.row_names = kept
                .iter()
                .map(|&i| std::mem::take(&mut p.row_names[i]))
                .collect();
        }
        self.row_scale = kept.iter().map(|&i| self.row_scale[i]).collect();
        let old = std::mem::replace(&mut self.core, Core::empty());
        self.core = rebuild_core(old, &self.problem, &self.row_scale, &self.col_scale, &kept);
        self.status = None;
    }

    /// The current basis.
    pub fn basis(&self) -> Basis {
        let n = self.num_cols();
        let col_status = (0..n).map(|j| to_public(self.core.stat[j], false)).collect();
        let row_status = (0..self.num_rows())
            .map(|i| to_public(self.core.stat[n + i], true))
            .collect();
        Basis {
            col_status,
            row_status,
        }
    }

    /// Installs a basis (e.g. a node's parent basis); fails if its sizes do not match.
    pub fn set_basis(&mut self, basis: &Basis) -> Result<()> {
        let (n, m) = (self.num_cols(), self.num_rows());
        if basis.col_status.len() != n || basis.row_status.len() != m {
            return Err(Error::Options(format!(
                "basis has {} columns and {} rows, the problem {n} and {m}",
                basis.col_status.len(),
                basis.row_status.len()
            )));
        }
        for j in 0..n {
            self.core.stat[j] = from_public(basis.col_status[j], false);
        }
        for i in 0..m {
            self.core.stat[n + i] = from_public(basis.row_status[i], true);
        }
        self.core.repair_basis();
        self.status = None;
        Ok(())
    }

    /// Objective value (with offset, in the problem's sense) of the current point.
    /// After `CutoffReached` or a limit this is the dual simplex's objective (a valid bound only when
    /// the basis is dual feasible, see [`DualSimplex::dual_bound`]).
    pub fn objective_value(&self) -> f64 {
        self.problem.objective_of(&self.col_values())
    }

    /// A valid bound on the optimum in the problem's sense (lower when minimising), if one is known.
    pub fn dual_bound(&self) -> Option<f64> {
        match self.status? {
            LpStatus::Optimal => Some(self.objective_value()),
            LpStatus::CutoffReached => self.cutoff_bound,
            LpStatus::Infeasible => Some(self.sign() * f64::INFINITY),
            _ => None,
        }
    }

    /// Column values of the current point.
    pub fn col_values(&self) -> Vec<f64> {
        (0..self.num_cols())
            .map(|j| self.core.x[j] * self.col_scale[j])
            .collect()
    }

    /// Row activities `A x` of the current point.
    pub fn row_activities(&self) -> Vec<f64> {
        self.problem.activities(&self.col_values())
    }

    /// Row duals (in the problem's sense).
    pub fn row_duals(&self) -> Vec<f64> {
        let n = self.num_cols();
        let sign = self.sign();
        // d_logical = 0 - y_i for the costs in force; at the answer the costs are the true ones.
        let mut y: Vec<f64> = self.core.basic.iter().map(|&j| self.core.orig_cost[j]).collect();
        if self.core.need_factor || y.len() != self.core.lu.dim() {
            return (0..self.num_rows())
                .map(|i| -sign * self.core.d[n + i] * self.row_scale[i])
                .collect();
        }
        self.core.lu.btran_with(&mut y, &mut Vec::new());
        y.iter().zip(&self.row_scale).map(|(v, r)| sign * v * r).collect()
    }

    /// Reduced costs of the columns (in the problem's sense).
    pub fn reduced_costs(&self) -> Vec<f64> {
        let y = self.row_duals();
        let mut d = self.problem.cost.clone();
        for (i, row) in self.problem.rows.iter().enumerate() {
            for &(j, a) in row {
                d[j] -= a * y[i];
            }
        }
        for j in 0..self.num_cols() {
            if self.core.stat[j] == Stat::Basic {
                d[j] = 0.0;
            }
        }
        d
    }

    /// After `Infeasible`: row multipliers `y` such that `y^T A x` is bounded away from the bounds `y` implies.
    /// (`None` when the infeasibility is a column's crossed bounds, which no row multipliers can show.)
    pub fn farkas(&self) -> Option<Vec<f64>> {
        self.farkas.clone()
    }

    /// After `Unbounded`: a column direction along which the objective improves without limit.
    pub fn ray(&self) -> Option<Vec<f64>> {
        self.ray.clone()
    }

    /// Iterations of the last `solve` call.
    pub fn last_iterations(&self) -> u64 {
        self.last_iterations
    }

    /// Iterations over all `solve` calls.
    pub fn total_iterations(&self) -> u64 {
        self.total_iterations
    }

    /// Largest primal and dual infeasibility left at the current point (unscaled).
    pub fn infeasibilities(&self) -> (f64, f64) {
        let x = self.col_values();
        let primal = self.problem.max_violation(&x).max(0.0);
        let d = self.reduced_costs();
        let sign = self.sign();
        let mut dual: f64 = 0.0;
        for j in 0..self.num_cols() {
            let dj = sign * d[j];
            let (l, u) = (self.problem.col_lower[j], self.problem.col_upper[j]);
            if l == u {
                continue;
            }
            let at_lower = l.is_finite() && (x[j] - l).abs() <= 1e-9 * (1.0 + l.abs());
            let at_upper = u.is_finite() && (x[j] - u).abs() <= 1e-9 * (1.0 + u.abs());
            let viol = if at_lower && !at_upper {
                (-dj).max(0.0)
            } else if at_upper && !at_lower {
                dj.max(0.0)
            } else if at_lower && at_upper {
                0.0
            } else {
                dj.abs()
            };
            dual = dual.max(viol);
        }
        (primal, dual)
    }

    /// The sense of the problem.
    pub fn sense(&self) -> Sense {
        self.problem.sense
    }
}

fn to_public(s: Stat, logical: bool) -> VarStatus {
    match s {
        Stat::Basic => VarStatus::Basic,
        Stat::Zero => VarStatus::Zero,
        // A logical is minus the row activity: its upper bound is the row's lower bound.
        Stat::Lower if logical => VarStatus::AtUpper,
        Stat::Upper if logical => VarStatus::AtLower,
        Stat::Lower => VarStatus::AtLower,
        Stat::Upper => VarStatus::AtUpper,
    }
}

fn from_public(s: VarStatus, logical: bool) -> Stat {
    match s {
        VarStatus::Basic => Stat::Basic,
        VarStatus::Zero => Stat::Zero,
        VarStatus::AtLower if logical => Stat::Upper,
        VarStatus::AtUpper if logical => Stat::Lower,
        VarStatus::AtLower => Stat::Lower,
        VarStatus::AtUpper => Stat::Upper,
    }
}

/// The scaled computational form of `problem`, with a slack basis.
fn build_core(problem: &LpProblem, row_scale: &[f64], col_scale: &[f64], tol: Tols) -> Core {
    let (a, cost, lower, upper) = scaled_data(problem, row_scale, col_scale);
    Core::new(a, cost, lower, upper, tol)
}

fn scaled_data(
    problem: &LpProblem,
    row_scale: &[f64],
    col_scale: &[f64],
) -> (CscMatrix, Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = problem.num_cols();
    let m = problem.num_rows();
    let sign = match problem.sense {
        Sense::Minimize => 1.0,
        Sense::Maximize => -1.0,
    };
    let scaled_rows: Vec<Vec<(usize, f64)>> = problem
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .map(|&(j, a)| (j, a * row_scale[i] * col_scale[j]))
                .collect()
        })
        .collect();
    let a = CscMatrix::from_rows(m, n, &scaled_rows);
    let mut cost = vec![0.0; n + m];
    let mut lower = vec![0.0; n + m];
    let mut upper = vec![0.0; n + m];
    for j in 0..n {
        cost[j] = sign * problem.cost[j] * col_scale[j];
        lower[j] = problem.col_lower[j] / col_scale[j];
        upper[j] = problem.col_upper[j] / col_scale[j];
    }
    for i in 0..m {
        lower[n + i] = -problem.row_upper[i] * row_scale[i];
        upper[n + i] = -problem.row_lower[i] * row_scale[i];
    }
    (a, cost, lower, upper)
}

/// A new computational form after rows were added or removed; `kept[k]` is the old index of new row `k`
/// (rows past `kept.len()` are new, their logicals basic). The old basis is carried over and repaired.
fn rebuild_core(
    old: Core,
    problem: &LpProblem,
    row_scale: &[f64],
    col_scale: &[f64],
    kept: &[usize],
) -> Core {
    let (a, cost, lower, upper) = scaled_data(problem, row_scale, col_scale);
    let (n, m) = (a.ncols, a.nrows);
    let mut core = Core::new(a, cost, lower, upper, old.tol);
    core.max_updates = old.max_updates;
    for j in 0..n {
        core.stat[j] = old.stat[j];
        core.x[j] = old.x[j];
    }
    for i in 0..m {
        let j = n + i;
        match kept.get(i) {
            Some(&k) => {
                core.stat[j] = old.stat[old.n + k];
                core.x[j] = old.x[old.n + k];
            }
            None => core.stat[j] = Stat::Basic,
        }
    }
    // Keep the old basis order (and steepest-edge weights) where the basis stays square.
    let count = core.stat.iter().filter(|&&s| s == Stat::Basic).count();
    if count == m {
        let mut basic = Vec::with_capacity(m);
        let mut weights = Vec::with_capacity(m);
        let mut new_index = vec![NONE; old.n + old.m];
        for j in 0..n {
            new_index[j] = j;
        }
        for (i, &k) in kept.iter().enumerate() {
            new_index[old.n + k] = n + i;
        }
        for (p, &j) in old.basic.iter().enumerate() {
            let nj = new_index[j];
            if nj != NONE && core.stat[nj] == Stat::Basic {
                basic.push(nj);
                weights.push(old.weights.get(p).copied().unwrap_or(1.0));
            }
        }
        for i in kept.len()..m {
            basic.push(n + i);
            weights.push(1.0);
        }
        if basic.len() == m {
            core.pos = vec![NONE; n + m];
            for (p, &j) in basic.iter().enumerate() {
                core.pos[j] = p;
            }
            core.basic = basic;
            core.weights = weights;
            for j in 0..n + m {
                core.fix_nonbasic_stat(j);
            }
            core.need_factor = true;
            return core;
        }
    }
    core.repair_basis();
    core
}

/// Checks a Farkas certificate in the user's terms: the range of `(y^T A) x` over the column box
/// and the range of `y^T (A x)` over the row box must be disjoint (by a margin relative to their size).
pub(crate) fn farkas_is_valid(problem: &LpProblem, y: &[f64]) -> bool {
    // In the form sum_j g_j x_j - sum_i y_i act_i = 0 over the box of columns and row activities.
    let (n, m) = (problem.num_cols(), problem.num_rows());
    let mut g = vec![0.0; n + m];
    let mut mag = vec![0.0; n + m];
    for (i, row) in problem.rows.iter().enumerate() {
        for &(j, a) in row {
            g[j] += y[i] * a;
            mag[j] += (y[i] * a).abs();
        }
        g[n + i] = -y[i];
        mag[n + i] = y[i].abs();
    }
    let lower: Vec<f64> = problem
        .col_lower
        .iter()
        .chain(&problem.row_lower)
        .copied()
        .collect();
    let upper: Vec<f64> = problem
        .col_upper
        .iter()
        .chain(&problem.row_upper)
        .copied()
        .collect();
    box_range_excludes_zero(&g, &mag, &lower, &upper)
}

/// Checks an unbounded ray in the user's terms: it keeps every bound direction and improves the objective.
pub(crate) fn ray_is_valid(problem: &LpProblem, ray: &[f64], tol: f64) -> bool {
    for j in 0..problem.num_cols() {
        if (problem.col_lower[j].is_finite() && ray[j] < -tol)
            || (problem.col_upper[j].is_finite() && ray[j] > tol)
        {
            return false;
        }
    }
    for (i, act) in problem.activities(ray).into_iter().enumerate() {
        if (problem.row_lower[i].is_finite() && act < -tol) || (problem.row_upper[i].is_finite() && act > tol)
        {
            return false;
        }
    }
    let slope: f64 = problem.cost.iter().zip(ray).map(|(c, r)| c * r).sum();
    match problem.sense {
        Sense::Minimize => slope < -tol,
        Sense::Maximize => slope > tol,
    }
}
