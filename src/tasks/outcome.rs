//! What the optimisation tasks (maximize, adversarial, compare) report, and the one way they turn a point of
//! the model into an input in the user's terms.

use crate::heuristics::{project, round_integer_features};
use crate::mip::MipResult;
use crate::relu::ReluModel;
use crate::result::Status;
use crate::spec::InputDomain;

/// How far (per feature) the model's input may be moved onto the domain (box, ball, integrality) before a
/// point is rejected instead: LP solutions meet bounds within the simplex's feasibility tolerance only.
pub const INPUT_SNAP_TOL: f64 = 1e-6;

/// The outcome of an optimisation task, in the user's sense (a maximisation reports its maximum and an upper
/// bound, a minimisation its minimum and a lower bound).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// `optimal`, `infeasible`, a limit status, or `numerical_trouble`.
    pub status: Status,
    /// The objective of the reported input, computed from a forward pass (not the LP).
    pub objective: Option<f64>,
    /// A valid bound on the optimum.
    pub bound: Option<f64>,
    /// The reported input (in the domain exactly).
    pub input: Option<Vec<f64>>,
    /// The original network's output at the input (forward pass).
    pub output: Option<Vec<f64>>,
    /// Seconds spent.
    pub time_s: f64,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Simplex iterations.
    pub lp_iterations: u64,
    /// Bound after the root node.
    pub root_bound: Option<f64>,
    /// Cuts added.
    pub cuts_added: u64,
    /// Unstable neurons of the model.
    pub unstable_neurons: usize,
    /// Binary (integer) columns of the model.
    pub binaries: usize,
    /// Rows of the model.
    pub rows: usize,
    /// Columns of the model.
    pub columns: usize,
    /// Incumbents `(time_s, objective, source)`.
    pub incumbents: Vec<(f64, f64, String)>,
}

impl TaskResult {
    /// A result with `status` and nothing found or counted (no piece of a task ran to a result).
    pub fn empty(status: Status) -> Self {
        TaskResult {
            status,
            objective: None,
            bound: None,
            input: None,
            output: None,
            time_s: 0.0,
            nodes: 0,
            lp_iterations: 0,
            root_bound: None,
            cuts_added: 0,
            unstable_neurons: 0,
            binaries: 0,
            rows: 0,
            columns: 0,
            incumbents: Vec::new(),
        }
    }

    /// The statistics and bound of a solve of `model`; input, output and objective are left empty.
    pub fn from_search(model: &ReluModel, result: &MipResult) -> Self {
        TaskResult {
            status: result.status.to_status(),
            objective: None,
            bound: result.bound.is_finite().then_some(result.bound),
            input: None,
            output: None,
            time_s: result.stats.time_s,
            nodes: result.stats.nodes,
            lp_iterations: result.stats.lp_iterations,
            root_bound: result.stats.root_bound,
            cuts_added: result.stats.cuts_added,
            unstable_neurons: model.unstable_count(),
            binaries: model.mip.num_integers(),
            rows: model.mip.lp.num_rows(),
            columns: model.mip.lp.num_cols(),
            incumbents: result
                .stats
                .incumbents
                .iter()
                .map(|r| (r.time_s, r.objective, r.source.clone()))
                .collect(),
        }
    }
}

/// The input of a model point, moved onto `domain` (box and ball by projection, integer features rounded);
/// `None` when that moves some feature by more than [`INPUT_SNAP_TOL`] or the result is not in the domain
/// (tolerance 0).
pub fn snap_input(input_cols: &[usize], domain: &InputDomain, point: &[f64]) -> Option<Vec<f64>> {
    let raw: Vec<f64> = input_cols
        .iter()
        .map(|&c| point.get(c).copied())
        .collect::<Option<_>>()?;
    let mut x = raw.clone();
    project(domain, &mut x);
    if !round_integer_features(domain, &mut x) {
        return None;
    }
    let moved = x.iter().zip(&raw).any(|(a, b)| (a - b).abs() > INPUT_SNAP_TOL);
    (!moved).then_some(x)
}
