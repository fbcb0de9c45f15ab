//! A MILP: an LP plus the integrality of some columns, and the feasibility check of the incumbent checkpoint.

use crate::error::{Error, Result};
use crate::lp::{LpProblem, Sense};

/// Integrality tolerance: a value within this distance of an integer counts as integral.
pub const INTEGRALITY_TOL: f64 = 1e-6;

/// Feasibility tolerance of the incumbent checkpoint, relative to the row's scale (`max(1, |coeffs|·|x|)`).
pub const FEASIBILITY_TOL: f64 = 1e-6;

/// A mixed-integer linear program: `lp` plus which columns must take integer values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MipProblem {
    /// The LP relaxation (objective, rows, column bounds).
    pub lp: LpProblem,
    /// `integer[j]` says column `j` is integer.
    pub integer: Vec<bool>,
}

impl MipProblem {
    /// Pairs an LP with integrality flags; fails when the sizes differ.
    pub fn new(lp: LpProblem, integer: Vec<bool>) -> Result<Self> {
        if integer.len() != lp.num_cols() {
            return Err(Error::Options(format!(
                "integrality given for {} columns, the LP has {}",
                integer.len(),
                lp.num_cols()
            )));
        }
        Ok(MipProblem { lp, integer })
    }

    /// An LP with no integer column.
    pub fn continuous(lp: LpProblem) -> Self {
        let n = lp.num_cols();
        MipProblem {
            lp,
            integer: vec![false; n],
        }
    }

    /// Number of integer columns.
    pub fn num_integers(&self) -> usize {
        self.integer.iter().filter(|&&b| b).count()
    }

    /// `+1` when minimising, `-1` when maximising: multiply an objective by it to get a value to minimise.
    pub fn min_sign(&self) -> f64 {
        match self.lp.sense {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        }
    }

    /// Checks `x` against every bound, row and integrality (scaled tolerance [`FEASIBILITY_TOL`]);
    /// returns a description of the worst violation, or `None` when `x` is feasible.
    pub fn violation(&self, x: &[f64]) -> Option<String> {
        let lp = &self.lp;
        if x.len() != lp.num_cols() {
            return Some(format!(
                "point has {} values, the model {} columns",
                x.len(),
                lp.num_cols()
            ));
        }
        for j in 0..lp.num_cols() {
            let v = x[j];
            let tol = FEASIBILITY_TOL * v.abs().max(1.0);
            if !v.is_finite() || v < lp.col_lower[j] - tol || v > lp.col_upper[j] + tol {
                return Some(format!(
                    "column {} = {v} outside [{}, {}]",
                    lp.col_names.get(j).map(String::as_str).unwrap_or("?"),
                    lp.col_lower[j],
                    lp.col_upper[j]
                ));
            }
            if self.integer[j] && (v - v.round()).abs() > INTEGRALITY_TOL {
                return Some(format!("integer column {} = {v} is fractional", lp.col_names[j]));
            }
        }
        for (i, row) in lp.rows.iter().enumerate() {
            let mut act = 0.0;
            let mut scale: f64 = 1.0;
            for &(j, a) in row {
                act += a * x[j];
                scale = scale.max((a * x[j]).abs());
            }
            let tol = FEASIBILITY_TOL * scale;
            if act < lp.row_lower[i] - tol || act > lp.row_upper[i] + tol {
                return Some(format!(
                    "row {} activity {act} outside [{}, {}]",
                    lp.row_names.get(i).map(String::as_str).unwrap_or("?"),
                    lp.row_lower[i],
                    lp.row_upper[i]
                ));
            }
        }
        None
    }

    /// Rounds integer columns of `x` to the nearest integer (the checkpoint then re-checks the rows).
    pub fn round_integers(&self, x: &mut [f64]) {
        for (v, &int) in x.iter_mut().zip(&self.integer) {
            if int {
                *v = v.round();
            }
        }
    }
}
