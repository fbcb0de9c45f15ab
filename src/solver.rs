//! The one wiring point: builds the ReLU model and the search with the plug-ins the options choose.

use crate::bounds::{compute_bounds, BoundsOptions};
use crate::cuts::{CutFamily, CutNeuron, NeuronSeparator};
use crate::error::Result;
use crate::heuristics::{ForwardPass, RegionLp};
use crate::log::Log;
use crate::lp::RowSpec;
use crate::mip::{
    BestBoundDiving, BranchRule, CandidateCheck, MipOptions, MipResult, NodeView, Plugins, Pseudocost,
    Search, Separator,
};
use crate::nn::Network;
use crate::options::{Branching, CutKind, SolverOptions};
use crate::relu::{ActivationBranching, ActivationScore, LayerPropagator, ReluModel, SplitMode, Stability};
use crate::spec::InputDomain;
use std::sync::Arc;

/// Networks with at most this many inputs are split on inputs by the `auto` branching.
pub const INPUT_SPLIT_MAX_INPUTS: usize = 8;

/// Root bounds by the options' method, then the big-M model.
pub fn build_model(net: &Network, domain: &InputDomain, options: &SolverOptions) -> Result<ReluModel> {
    let bounds_options = BoundsOptions {
        threads: Some(options.threads),
        time_limit: options.time_limit.map(|t| 0.25 * t),
        neuron_time_limit: None,
    };
    let bounds = compute_bounds(net, domain, options.bounds, &bounds_options)?;
    ReluModel::new(net, domain, &bounds)
}

/// What a task adds to a solve beyond the model: the re-check of candidates in its own terms, inputs to
/// try first, and the objective target/cutoff of feasibility questions.
#[derive(Default, Clone)]
pub struct SolveSetup {
    /// Re-checks a full point of the model (e.g. a forward pass of the original network); returns the
    /// objective in the model's sense.
    pub check: Option<CandidateCheck>,
    /// Inputs (not full points) to offer before the search, with their source names.
    pub start_inputs: Vec<(Vec<f64>, String)>,
    /// Stop at the first incumbent at least this good.
    pub objective_target: Option<f64>,
    /// Prune everything proven worse than this.
    pub objective_cutoff: Option<f64>,
}

/// Prints the model statistics a MILP user reads first.
pub fn log_model_stats(model: &ReluModel, log: &Log) {
    let relu = model.network.relu_count();
    let unstable = model.unstable_count();
    let lp = &model.mip.lp;
    log.line(&format!(
        "Network: {} inputs, {} layers, {} ReLU neurons ({} stable: {} active, {} inactive; {} unstable)",
        model.network.input_size(),
        model.network.layers().len(),
        relu,
        relu - unstable,
        model
            .neurons
            .iter()
            .flatten()
            .filter(|n| n.stability == Stability::Active)
            .count()
            - model.network.output_size(),
        model
            .neurons
            .iter()
            .flatten()
            .filter(|n| n.stability == Stability::Inactive)
            .count(),
        unstable
    ));
    log.line(&format!(
        "Model: {} rows, {} columns, {} binaries, {} non-zeros",
        lp.num_rows(),
        lp.num_cols(),
        model.mip.num_integers(),
        lp.num_nonzeros()
    ));
}

/// The cut neurons of a model (every unstable neuron with its input columns).
pub fn cut_neurons(model: &ReluModel) -> Vec<CutNeuron> {
    let mut out = Vec::new();
    for (k, layer) in model.neurons.iter().enumerate() {
        let weights_layer = &model.network.layers()[k];
        let prev: Vec<Option<usize>> = if k == 0 {
            model.input_cols.iter().map(|&c| Some(c)).collect()
        } else {
            model.neurons[k - 1].iter().map(|n| n.value).collect()
        };
        for (j, n) in layer.iter().enumerate() {
            let (Some(y), Some(z)) = (n.value, n.binary) else {
                continue;
            };
            let mut input_cols = Vec::new();
            let mut weights = Vec::new();
            for (i, &w) in weights_layer.row(j).iter().enumerate() {
                if let (Some(c), true) = (prev[i], w != 0.0) {
                    input_cols.push(c);
                    weights.push(w);
                }
            }
            out.push(CutNeuron {
                input_cols,
                weights,
                bias: weights_layer.bias()[j],
                y_col: y,
                z_col: z,
                name: format!("{}_{j}", k + 1),
            });
        }
    }
    out
}

/// A [`Separator`] over the cut engineers' [`NeuronSeparator`] (global cuts from the root's bounds).
struct CutSeparator {
    inner: NeuronSeparator,
    name: String,
}

impl Separator for CutSeparator {
    fn name(&self) -> &str {
        &self.name
    }
    fn separate(&mut self, view: &NodeView) -> Vec<RowSpec> {
        self.inner
            .separate_point(view.x, view.col_lower, view.col_upper)
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    }
}

/// The branching rule the options choose for this model.
pub fn branch_rule(model: &ReluModel, options: &SolverOptions) -> Box<dyn BranchRule> {
    match options.branching {
        Branching::Auto => Box::new(ActivationBranching::new(
            model,
            ActivationScore::Babsr,
            SplitMode::Auto(INPUT_SPLIT_MAX_INPUTS),
        )),
        Branching::Babsr => Box::new(ActivationBranching::new(
            model,
            ActivationScore::Babsr,
            SplitMode::Activation,
        )),
        Branching::Violation => Box::new(ActivationBranching::new(
            model,
            ActivationScore::Violation,
            SplitMode::Activation,
        )),
        Branching::Input => Box::new(ActivationBranching::new(
            model,
            ActivationScore::Babsr,
            SplitMode::Input,
        )),
        Branching::Pseudocost => Box::new(Pseudocost::default()),
    }
}

/// The search's limits from the options.
pub fn mip_options(options: &SolverOptions) -> MipOptions {
    MipOptions {
        time_limit: options.time_limit,
        node_limit: options.node_limit,
        gap_rel: options.gap_rel,
        gap_abs: options.gap_abs,
        interrupt: options.interrupt.clone(),
        memory_cap_bytes: options.memory_cap_mib.saturating_mul(1 << 20),
        log_interval_s: options.log_interval_s,
        ..MipOptions::default()
    }
}

/// Solves a ReLU model with the plug-ins the options choose.
pub fn solve_model(
    model: &ReluModel,
    options: &SolverOptions,
    setup: SolveSetup,
    log: &Log,
) -> Result<MipResult> {
    options.validate()?;
    let shared = Arc::new(model.clone());
    let mut separators: Vec<Box<dyn Separator>> = Vec::new();
    let neurons = if options.cuts.is_empty() {
        Vec::new()
    } else {
        cut_neurons(model)
    };
    for kind in &options.cuts {
        let (family, name) = match kind {
            CutKind::Ideal => (CutFamily::Ideal, "ideal cuts"),
            CutKind::Partition => (
                CutFamily::Partition(2, crate::cuts::PartitionStrategy::default()),
                "partition cuts",
            ),
        };
        separators.push(Box::new(CutSeparator {
            inner: NeuronSeparator::new(neurons.clone(), family, 200),
            name: name.into(),
        }));
    }
    let start_points = setup
        .start_inputs
        .iter()
        .filter_map(|(x, name)| model.complete(x).map(|p| (p, name.clone())))
        .collect();
    let plugins = Plugins {
        branch_rule: Some(branch_rule(model, options)),
        propagators: vec![Box::new(LayerPropagator::with_crown(
            model,
            options.node_symbolic,
            options.node_crown,
        ))],
        separators,
        heuristics: vec![
            Box::new(ForwardPass::new(shared.clone())),
            Box::new(RegionLp::new(shared)),
        ],
        node_selector: Some(Box::new(BestBoundDiving::default())),
        check: setup.check,
        start_points,
    };
    let mut mip = mip_options(options);
    mip.objective_target = setup.objective_target;
    mip.objective_cutoff = setup.objective_cutoff;
    Search::new(model.mip.clone(), mip, plugins, log.clone()).solve()
}
