//! An LP as the user states it: `min/max c^T x + offset` s.t. `L <= A x <= U`, `l <= x <= u`.
//! Infinite bounds are `f64::INFINITY` / `f64::NEG_INFINITY`, never 1e30 stand-ins.

/// Direction of optimisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sense {
    /// Minimise the objective.
    #[default]
    Minimize,
    /// Maximise the objective.
    Maximize,
}

/// A linear program with named columns and rows; rows are stored sparse, row-wise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LpProblem {
    /// Direction of optimisation.
    pub sense: Sense,
    /// Constant added to the objective.
    pub objective_offset: f64,
    /// Objective coefficient per column.
    pub cost: Vec<f64>,
    /// Lower bound per column (may be `-inf`).
    pub col_lower: Vec<f64>,
    /// Upper bound per column (may be `+inf`).
    pub col_upper: Vec<f64>,
    /// Column names.
    pub col_names: Vec<String>,
    /// Lower bound per row (may be `-inf`).
    pub row_lower: Vec<f64>,
    /// Upper bound per row (may be `+inf`).
    pub row_upper: Vec<f64>,
    /// Row names.
    pub row_names: Vec<String>,
    /// Row `i`'s non-zeros as `(column, value)`, columns distinct.
    pub rows: Vec<Vec<(usize, f64)>>,
}

impl LpProblem {
    /// An empty problem.
    pub fn new(sense: Sense) -> Self {
        LpProblem {
            sense,
            ..Default::default()
        }
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.cost.len()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.rows.len()
    }

    /// Number of non-zeros in the constraint matrix.
    pub fn num_nonzeros(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Adds a column and returns its index.
    pub fn add_col(&mut self, cost: f64, lower: f64, upper: f64, name: impl Into<String>) -> usize {
        self.cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.col_names.push(name.into());
        self.cost.len() - 1
    }

    /// Adds a row `lower <= sum coeffs <= upper` and returns its index.
    pub fn add_row(
        &mut self,
        lower: f64,
        upper: f64,
        coeffs: Vec<(usize, f64)>,
        name: impl Into<String>,
    ) -> usize {
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.row_names.push(name.into());
        self.rows.push(coeffs);
        self.rows.len() - 1
    }

    /// The objective value of `x` (with offset, in the problem's sense).
    pub fn objective_of(&self, x: &[f64]) -> f64 {
        self.objective_offset + self.cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// Row activities `A x`.
    pub fn activities(&self, x: &[f64]) -> Vec<f64> {
        self.rows
            .iter()
            .map(|r| r.iter().map(|&(j, a)| a * x[j]).sum())
            .collect()
    }

    /// The largest violation of a row or column bound by `x` (0 when feasible).
    pub fn max_violation(&self, x: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for j in 0..self.num_cols() {
            worst = worst.max(self.col_lower[j] - x[j]).max(x[j] - self.col_upper[j]);
        }
        for (i, act) in self.activities(x).into_iter().enumerate() {
            worst = worst.max(self.row_lower[i] - act).max(act - self.row_upper[i]);
        }
        worst
    }
}
