//! The hooks through which a model specialises the search: branching, propagation, cuts, heuristics.
//! The search calls them; they never call the search.

use super::local_rows::LocalRow;
use super::node::BoundChange;
use super::problem::MipProblem;
use crate::lp::{DualSimplex, RowSpec};
use std::sync::{Arc, Mutex};

/// What a plug-in sees of the node being processed.
#[derive(Debug, Clone, Copy)]
pub struct NodeView<'a> {
    /// The model (the original rows and root bounds; cuts are not included).
    pub problem: &'a MipProblem,
    /// The node's column lower bounds (root bounds with the node's changes and propagation applied).
    pub col_lower: &'a [f64],
    /// The node's column upper bounds.
    pub col_upper: &'a [f64],
    /// The LP solution at the node (empty before the LP is solved).
    pub x: &'a [f64],
    /// The node's LP value as a value to minimise (`-inf` before the LP is solved).
    pub lp_value: f64,
    /// The node's depth (root = 0).
    pub depth: u32,
    /// Nodes explored so far.
    pub explored: u64,
    /// The incumbent value to minimise (`+inf` when none).
    pub incumbent: f64,
}

/// One child of a branching: the bound changes that define it relative to the parent.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    /// Changes added to the parent's.
    pub changes: Vec<BoundChange>,
    /// A valid bound for the child as a value to minimise (at least the parent's bound; `-inf` if unknown).
    pub bound: f64,
}

/// Picks how to split a node whose LP solution is not feasible for the MILP.
pub trait BranchRule: Send {
    /// The rule's name for the log.
    fn name(&self) -> &str;
    /// The children to create; `None` when the rule sees nothing to branch on (the search then falls back
    /// to branching on the most fractional integer column). `lp` holds the node's LP, solved; a rule that
    /// probes it (strong branching) must restore the column bounds it changes.
    fn branch(&mut self, view: &NodeView, lp: &mut DualSimplex) -> Option<Vec<Child>>;
    /// Told after a child's LP is solved: the branching that made it and how much the value to minimise
    /// rose over the parent's (for pseudo-costs).
    fn observe(&mut self, _branched: (usize, bool), _gain: f64) {}
}

/// The outcome of propagation at a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Propagation {
    /// The node may contain feasible points; `bound` is a valid bound to minimise (`-inf` if none known).
    Feasible {
        /// A valid bound on the node's optimum as a value to minimise.
        bound: f64,
    },
    /// No feasible point in the node.
    Infeasible,
}

/// Tightens a node's column bounds before its LP is solved (and may prove it infeasible or dominated).
pub trait Propagator: Send {
    /// The propagator's name for the log.
    fn name(&self) -> &str;
    /// Appends valid bound changes for the node to `changes`; `view.x` is empty (no LP yet).
    fn propagate(&mut self, view: &NodeView, changes: &mut Vec<BoundChange>) -> Propagation;
    /// The node's versions of model rows, from the last [`Propagator::propagate`] call (which found the node
    /// feasible): e.g. big-M rows rebuilt on the node's tighter bounds. Each must hold for every feasible
    /// point of the model within the node's column bounds; the search installs them for the node's LP only
    /// (see [`LocalRow`]). None by default.
    fn local_rows(&mut self, _view: &NodeView) -> Vec<LocalRow> {
        Vec::new()
    }
}

/// Separates cuts valid for the whole model (global cuts) from the LP point.
pub trait Separator: Send {
    /// The separator's name for the log.
    fn name(&self) -> &str;
    /// Rows violated by `view.x` and valid for every feasible point of the model.
    fn separate(&mut self, view: &NodeView) -> Vec<RowSpec>;
    /// Whether to also separate in the tree (not only at the root) at this node.
    fn in_tree(&self, _view: &NodeView) -> bool {
        false
    }
    /// Cuts for a node below the root (called when [`Separator::in_tree`] says so): global cuts valid for
    /// the whole model and, when `allow_local`, local cuts valid only within the node's column bounds (its
    /// subtree). The default returns [`Separator::separate`]'s rows as global cuts.
    fn separate_tree(&mut self, view: &NodeView, _allow_local: bool) -> Vec<TreeCut> {
        self.separate(view)
            .into_iter()
            .map(|row| TreeCut {
                row,
                efficacy: 0.0,
                local: false,
            })
            .collect()
    }
}

/// A cut separated at a tree node.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeCut {
    /// The row.
    pub row: RowSpec,
    /// Distance of the separated point to the cut's hyperplane (the most efficacious cuts go first).
    pub efficacy: f64,
    /// True when the cut holds only within the node's column bounds (its subtree), false when it holds for
    /// every feasible point of the model.
    pub local: bool,
}

/// A primal heuristic: proposes candidate points, which the incumbent checkpoint validates.
pub trait Heuristic: Send {
    /// The heuristic's name for the log.
    fn name(&self) -> &str;
    /// One letter marking its incumbents in the log (`B` is branching's).
    fn letter(&self) -> char;
    /// Whether to run at this node (`view.x` is the node's LP solution).
    fn should_run(&self, view: &NodeView) -> bool {
        view.depth == 0 || view.explored.is_multiple_of(50)
    }
    /// Candidate points (full column vectors of the model), best first.
    fn run(&mut self, view: &NodeView) -> Vec<Vec<f64>>;
}

/// One branching rule shared by the workers of a parallel search, so that what it learns (pseudo-costs)
/// comes from every worker's nodes. Each call locks it: for rules whose `branch` is cheap next to a node's
/// LP. Clones share the rule.
#[derive(Clone)]
pub struct SharedBranchRule {
    name: String,
    rule: Arc<Mutex<Box<dyn BranchRule>>>,
}

impl SharedBranchRule {
    /// Shares `rule`.
    pub fn new(rule: Box<dyn BranchRule>) -> Self {
        SharedBranchRule {
            name: rule.name().to_string(),
            rule: Arc::new(Mutex::new(rule)),
        }
    }
}

impl BranchRule for SharedBranchRule {
    fn name(&self) -> &str {
        &self.name
    }
    fn branch(&mut self, view: &NodeView, lp: &mut DualSimplex) -> Option<Vec<Child>> {
        // A rule that panicked mid-call leaves statistics at worst partly updated: still usable.
        let mut rule = self.rule.lock().unwrap_or_else(|e| e.into_inner());
        rule.branch(view, lp)
    }
    fn observe(&mut self, branched: (usize, bool), gain: f64) {
        let mut rule = self.rule.lock().unwrap_or_else(|e| e.into_inner());
        rule.observe(branched, gain);
    }
}
