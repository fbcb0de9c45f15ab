//! `RegionLp`: the LP over the linear region of the activation pattern at the LP solution's input
//! (every binary fixed to that pattern): the best point of that region, exactly feasible for the MILP.

use super::forward::clipped_input;
use crate::lp::{DualSimplex, LpOptions, LpStatus};
use crate::mip::{Heuristic, NodeView};
use crate::relu::ReluModel;
use std::sync::Arc;

/// The region-LP heuristic (log letter `R`).
#[derive(Debug, Clone)]
pub struct RegionLp {
    model: Arc<ReluModel>,
    /// Run every this many nodes (and at the root).
    pub frequency: u64,
}

impl RegionLp {
    /// The heuristic for a model.
    pub fn new(model: Arc<ReluModel>) -> Self {
        RegionLp {
            model,
            frequency: 100,
        }
    }

    /// The best point of the linear region of input `x`'s activation pattern, within the node's bounds
    /// on the inputs; `None` if that LP fails.
    pub fn region_optimum(&self, view: &NodeView, x: &[f64]) -> Option<Vec<f64>> {
        let point = self.model.network_point(x);
        let mut lp = self.model.mip.lp.clone();
        for (j, &int) in self.model.mip.integer.iter().enumerate() {
            if int && j < self.model.network_cols {
                lp.col_lower[j] = point[j];
                lp.col_upper[j] = point[j];
            }
        }
        for &c in &self.model.input_cols {
            lp.col_lower[c] = lp.col_lower[c].max(view.col_lower[c]);
            lp.col_upper[c] = lp.col_upper[c].min(view.col_upper[c]);
        }
        let mut simplex = DualSimplex::new(&lp, LpOptions::default()).ok()?;
        if simplex.solve() != LpStatus::Optimal {
            return None;
        }
        let sol = simplex.col_values();
        // Re-derive every network column from the LP's input by a forward pass (no LP drift).
        let input = self.model.input_of(&sol);
        self.model.complete(&input)
    }
}

impl Heuristic for RegionLp {
    fn name(&self) -> &str {
        "region LP"
    }
    fn letter(&self) -> char {
        'R'
    }
    fn should_run(&self, view: &NodeView) -> bool {
        view.depth == 0 || view.explored.is_multiple_of(self.frequency.max(1))
    }
    fn run(&mut self, view: &NodeView) -> Vec<Vec<f64>> {
        if view.x.is_empty()
            || self.model.mip.integer[self.model.network_cols..]
                .iter()
                .any(|&b| b)
        {
            // Integer task columns: the region is still a MILP; leave it to the tree.
            return Vec::new();
        }
        let x = clipped_input(&self.model, view);
        self.region_optimum(view, &x).into_iter().collect()
    }
}
