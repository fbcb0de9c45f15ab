//! `Pgd` as a tree-search heuristic (log letter `P`): projected gradient ascent on the task's objective over
//! the node's input box, started from the node's LP input; its best input is completed into a full point of
//! the model (forward pass, then the task columns) for the incumbent checkpoint.

use super::forward::clipped_input;
use super::objective::AttackObjective;
use super::pgd::{pgd_attack, PgdOptions};
use crate::mip::{Heuristic, NodeView};
use crate::relu::ReluModel;
use std::sync::Arc;
use std::time::Duration;

/// The PGD heuristic for a model whose objective (in the model's sense) increases with `objective`'s score.
#[derive(Debug, Clone)]
pub struct Pgd {
    model: Arc<ReluModel>,
    objective: AttackObjective,
    /// Budget at the root.
    pub root_options: PgdOptions,
    /// Budget at a node in the tree (smaller).
    pub tree_options: PgdOptions,
    /// Run every this many nodes (and at the root).
    pub frequency: u64,
    calls: u64,
}

impl Pgd {
    /// The heuristic for `model`, ascending `objective` (which must agree with the model's objective).
    pub fn new(model: Arc<ReluModel>, objective: AttackObjective, seed: u64) -> Self {
        Pgd {
            model,
            objective,
            root_options: PgdOptions {
                restarts: 6,
                iterations: 60,
                seed,
                time_limit: Some(Duration::from_secs(1)),
                ..PgdOptions::default()
            },
            tree_options: PgdOptions {
                restarts: 2,
                iterations: 30,
                per_group_restarts: false,
                seed,
                time_limit: Some(Duration::from_millis(100)),
                ..PgdOptions::default()
            },
            frequency: 100,
            calls: 0,
        }
    }
}

impl Heuristic for Pgd {
    fn name(&self) -> &str {
        "pgd"
    }
    fn letter(&self) -> char {
        'P'
    }
    fn should_run(&self, view: &NodeView) -> bool {
        view.depth == 0 || view.explored.is_multiple_of(self.frequency.max(1))
    }
    fn run(&mut self, view: &NodeView) -> Vec<Vec<f64>> {
        let model = &self.model;
        // The node's input box (branching may have split inputs), inside the model's domain.
        let mut domain = model.domain.clone();
        for (i, &c) in model.input_cols.iter().enumerate() {
            let (lo, hi) = (view.col_lower.get(c), view.col_upper.get(c));
            if let (Some(&lo), Some(&hi)) = (lo, hi) {
                domain.lower[i] = domain.lower[i].max(lo);
                domain.upper[i] = domain.upper[i].min(hi);
                if domain.lower[i] > domain.upper[i] {
                    return Vec::new();
                }
            }
        }
        let starts = if view.x.is_empty() {
            Vec::new()
        } else {
            vec![clipped_input(model, view)]
        };
        let mut options = if view.depth == 0 {
            self.root_options.clone()
        } else {
            self.tree_options.clone()
        };
        options.seed = options.seed.wrapping_add(self.calls);
        self.calls += 1;
        pgd_attack(&model.network, &domain, &self.objective, &options, &starts, None)
            .and_then(|r| model.complete(&r.input))
            .into_iter()
            .collect()
    }
}
