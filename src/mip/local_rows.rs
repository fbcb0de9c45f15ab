//! Node-local coefficients of model rows: a propagator that proves tighter bounds at a node may rebuild some
//! of the model's rows on them (e.g. a ReLU's big-M rows on the node's tighter pre-activation bounds), and the
//! search installs those rows in its one LP for that node only.
//!
//! The LP's sparsity never changes (only existing entries and row bounds are rewritten), so every stored
//! warm-start basis still names the same rows, and a node's rows cost a coefficient update, not a row added
//! and removed. Each node installs its own rows and puts back the model's wherever it has none: a row in the
//! LP is always either the model's or one the current node's propagation proved valid.

use crate::lp::{DualSimplex, LpProblem};

/// A node's version of one model row: new coefficients for some of the columns the row already holds, and
/// new bounds. It must hold for every feasible point of the model within the node's column bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalRow {
    /// The model row (an index below the model's row count).
    pub row: usize,
    /// `(column, coefficient)` replacing the model's coefficient of each column (which the row must hold).
    pub coeffs: Vec<(usize, f64)>,
    /// The row's lower bound at the node.
    pub lower: f64,
    /// The row's upper bound at the node.
    pub upper: f64,
}

/// The model rows the LP currently holds in a node's version, and counters.
#[derive(Debug, Clone, Default)]
pub struct LocalRows {
    /// Rows in a node's version now, with the columns whose coefficients were changed.
    installed: Vec<(usize, Vec<usize>)>,
    /// Nodes that installed at least one local row.
    pub nodes: u64,
    /// Local rows installed, summed over nodes.
    pub rows: u64,
}

impl LocalRows {
    /// Makes the LP hold `wanted` (the current node's rows) and the model's version of every other row
    /// changed before. Rows naming a row outside the model or a column the row does not hold are skipped
    /// (after the model's version is put back), so a wrong request never leaves a row half changed.
    pub fn install(&mut self, lp: &mut DualSimplex, model: &LpProblem, wanted: Vec<LocalRow>) {
        let mut is_wanted = vec![false; model.num_rows()];
        for w in &wanted {
            if w.row < is_wanted.len() {
                is_wanted[w.row] = true;
            }
        }
        for (row, cols) in std::mem::take(&mut self.installed) {
            if !is_wanted[row] {
                restore(lp, model, row, &cols);
            } else {
                // Overwritten below; columns the new version does not name go back to the model's.
                let named: Vec<usize> = wanted
                    .iter()
                    .filter(|w| w.row == row)
                    .flat_map(|w| w.coeffs.iter().map(|c| c.0))
                    .collect();
                let stale: Vec<usize> = cols.into_iter().filter(|c| !named.contains(c)).collect();
                restore(lp, model, row, &stale);
            }
        }
        if !wanted.is_empty() {
            self.nodes += 1;
        }
        for w in wanted {
            if w.row >= model.num_rows() || w.lower.is_nan() || w.upper.is_nan() {
                continue;
            }
            let holds_all = w
                .coeffs
                .iter()
                .all(|&(c, a)| a.is_finite() && model.rows[w.row].iter().any(|e| e.0 == c));
            if !holds_all {
                continue;
            }
            for &(c, a) in &w.coeffs {
                lp.set_coefficient(w.row, c, a);
            }
            lp.set_row_bounds(w.row, w.lower, w.upper);
            self.installed
                .push((w.row, w.coeffs.iter().map(|c| c.0).collect()));
            self.rows += 1;
        }
    }

    /// Number of rows in a node's version now.
    pub fn len(&self) -> usize {
        self.installed.len()
    }

    /// True when the LP holds the model's version of every row.
    pub fn is_empty(&self) -> bool {
        self.installed.is_empty()
    }
}

/// Puts the model's coefficients of `cols` and the model's bounds back into row `row`.
fn restore(lp: &mut DualSimplex, model: &LpProblem, row: usize, cols: &[usize]) {
    for &c in cols {
        if let Some(&(_, a)) = model.rows[row].iter().find(|e| e.0 == c) {
            lp.set_coefficient(row, c, a);
        }
    }
    lp.set_row_bounds(row, model.row_lower[row], model.row_upper[row]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp::{LpOptions, LpStatus, Sense};

    /// max h s.t. h <= 4 a (a "big-M" row with M = 4), h <= 1 + a, a in [0, 1], h in [0, 10].
    fn problem() -> LpProblem {
        let mut p = LpProblem::new(Sense::Maximize);
        let h = p.add_col(1.0, 0.0, 10.0, "h");
        let a = p.add_col(0.0, 0.0, 1.0, "a");
        p.add_row(f64::NEG_INFINITY, 0.0, vec![(h, 1.0), (a, -4.0)], "m");
        p.add_row(f64::NEG_INFINITY, 1.0, vec![(h, 1.0), (a, -1.0)], "c");
        p
    }

    #[test]
    fn a_node_row_is_installed_and_the_model_row_comes_back() {
        let model = problem();
        let mut lp = DualSimplex::new(&model, LpOptions::default()).unwrap();
        assert_eq!(lp.solve(), LpStatus::Optimal);
        assert!((lp.objective_value() - 2.0).abs() < 1e-9);
        let mut rows = LocalRows::default();
        // The node proves h <= 1.5 a.
        rows.install(
            &mut lp,
            &model,
            vec![LocalRow {
                row: 0,
                coeffs: vec![(1, -1.5)],
                lower: f64::NEG_INFINITY,
                upper: 0.0,
            }],
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(lp.solve(), LpStatus::Optimal);
        assert!((lp.objective_value() - 1.5).abs() < 1e-9);
        // The next node asks for nothing: the model's row is back.
        rows.install(&mut lp, &model, Vec::new());
        assert!(rows.is_empty());
        assert_eq!(lp.problem().rows[0], model.rows[0]);
        assert_eq!(lp.solve(), LpStatus::Optimal);
        assert!((lp.objective_value() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_row_naming_a_column_it_does_not_hold_is_skipped() {
        let model = problem();
        let mut lp = DualSimplex::new(&model, LpOptions::default()).unwrap();
        let mut rows = LocalRows::default();
        rows.install(
            &mut lp,
            &model,
            vec![LocalRow {
                row: 1,
                coeffs: vec![(0, 2.0), (2, 1.0)],
                lower: f64::NEG_INFINITY,
                upper: 0.0,
            }],
        );
        assert!(rows.is_empty());
        assert_eq!(lp.problem().rows[1], model.rows[1]);
        assert_eq!(lp.problem().row_upper[1], 1.0);
    }
}
