//! `ForwardPass`: the input of the LP solution, clipped into the domain, completed by a forward pass of
//! the network: a feasible point for every task whose side constraints hold there.

use crate::mip::{Heuristic, NodeView};
use crate::relu::ReluModel;
use std::sync::Arc;

/// The forward-pass heuristic (log letter `F`).
#[derive(Debug, Clone)]
pub struct ForwardPass {
    model: Arc<ReluModel>,
    /// Run every this many nodes (and at the root).
    pub frequency: u64,
}

impl ForwardPass {
    /// The heuristic for a model.
    pub fn new(model: Arc<ReluModel>) -> Self {
        ForwardPass { model, frequency: 10 }
    }
}

/// The input part of `x`, clipped into the node's input box and rounded on integer features.
pub fn clipped_input(model: &ReluModel, view: &NodeView) -> Vec<f64> {
    model
        .input_cols
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let mut v = view.x[c].clamp(view.col_lower[c], view.col_upper[c]);
            if model.domain.integer.get(i).copied().unwrap_or(false) {
                v = v
                    .round()
                    .clamp(view.col_lower[c].ceil(), view.col_upper[c].floor());
            }
            v
        })
        .collect()
}

impl Heuristic for ForwardPass {
    fn name(&self) -> &str {
        "forward pass"
    }
    fn letter(&self) -> char {
        'F'
    }
    fn should_run(&self, view: &NodeView) -> bool {
        view.depth == 0 || view.explored.is_multiple_of(self.frequency.max(1))
    }
    fn run(&mut self, view: &NodeView) -> Vec<Vec<f64>> {
        if view.x.is_empty() {
            return Vec::new();
        }
        let x = clipped_input(&self.model, view);
        self.model.complete(&x).into_iter().collect()
    }
}
