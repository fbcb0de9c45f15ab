//! The one wiring point: builds the ReLU model and the search with the plug-ins the options choose.

use crate::bounds::{compute_bounds, BoundMethod, BoundsOptions, NeuronBounds};
use crate::cuts::{add_partition_formulation_to_model, L2Tangents, NeuronCuts, PartitionStrategy};
use crate::error::Result;
use crate::heuristics::{AttackObjective, ForwardPass, Pgd, RegionLp};
use crate::log::Log;
use crate::mip::{
    BestBoundDiving, BranchRule, CandidateCheck, Heuristic, MipOptions, MipResult, PluginFactory, Plugins,
    Pseudocost, Search, Separator,
};
use crate::nn::Network;
use crate::options::{Branching, CutKind, Formulation, SolverOptions};
use crate::relu::{ActivationBranching, ActivationScore, LayerPropagator, ReluModel, SplitMode, Stability};
use crate::spec::InputDomain;
use std::sync::Arc;

/// Networks with at most this many inputs are split on inputs by the `auto` branching.
pub const INPUT_SPLIT_MAX_INPUTS: usize = 8;

/// Cuts per separation round and family (the most efficacious first).
pub const CUTS_PER_ROUND: usize = 200;

/// Root bounds by the options' method, then the big-M model (with the P-split rows of `partition:N` beside it).
pub fn build_model(net: &Network, domain: &InputDomain, options: &SolverOptions) -> Result<ReluModel> {
    build_model_bounded_over(net, domain, domain, options)
}

/// Like [`build_model`], with the neuron bounds computed over `bounds_domain` (a subset of `domain` that
/// holds every point the caller still wants, e.g. a ball of the best known distance): the model encodes
/// `domain`'s box, and its integral points stay exact network evaluations (inputs outside `bounds_domain`
/// may become infeasible).
pub fn build_model_bounded_over(
    net: &Network,
    domain: &InputDomain,
    bounds_domain: &InputDomain,
    options: &SolverOptions,
) -> Result<ReluModel> {
    let bounds_options = BoundsOptions {
        threads: Some(options.threads),
        time_limit: options.time_limit.map(|t| 0.25 * t),
        neuron_time_limit: None,
    };
    let mut bounds = compute_bounds(net, bounds_domain, options.bounds, &bounds_options)?;
    if root_bound_method(net, bounds_domain, &bounds, options) == BoundMethod::Lp {
        bounds = compute_bounds(net, bounds_domain, BoundMethod::Lp, &bounds_options)?;
    }
    let mut model = ReluModel::new(net, domain, &bounds)?;
    if let Formulation::Partition(groups) = options.formulation {
        add_partition_formulation_to_model(&mut model, groups, PartitionStrategy::default());
    }
    Ok(model)
}

/// Seconds per LP solve and constraint non-zero of the LP bounds, measured on mnist-32-16 (0.3 s for 52
/// solves over its first layer's 25k weights, a 2-core machine under load): the cost model of the automatic
/// choice of root bounds.
const LP_BOUND_SECONDS_PER_NONZERO: f64 = 2.5e-7;

/// The automatic choice spends at most this share of the time limit on LP bounds (predicted)...
const LP_BOUND_TIME_SHARE: f64 = 0.05;

/// ...and at most this many seconds.
const LP_BOUND_MAX_SECONDS: f64 = 5.0;

/// The method the root bounds should be computed with, given the bounds `cheap` from the options' method:
/// the options' own, except that with `auto_bounds` and the default symbolic method LP bounds are chosen when
/// their predicted time (two LPs per undecided neuron, each over the weights of the layers before it) is
/// within `LP_BOUND_TIME_SHARE` of the time limit and `LP_BOUND_MAX_SECONDS`, and the domain is a box. Tighter
/// root bounds tighten every big-M row of the model: mnist-32-16 maximize y0, 20 s, root cuts only: gap 35%
/// with symbolic, 23% with LP bounds (load 2.6).
pub fn root_bound_method(
    net: &Network,
    domain: &InputDomain,
    cheap: &NeuronBounds,
    options: &SolverOptions,
) -> BoundMethod {
    // Over a ball the LP holds the ball's rows and columns as well, and the cost model misses them: on the
    // min-L1 adversarial MILP of mnist-32-16 (bounds over an L1 ball) LP bounds took 7.5 s, not the 0.3 s
    // predicted, and left as many neurons unstable as symbolic bounds.
    if !options.auto_bounds || options.bounds != BoundMethod::Symbolic || domain.ball.is_some() {
        return options.bounds;
    }
    let mut before = 0.0;
    let mut predicted = 0.0;
    for (k, layer) in net.layers().iter().enumerate() {
        if k > 0 {
            let undecided = (0..layer.outputs())
                .filter(|&j| !layer.has_relu() || (cheap.lower[k][j] < 0.0 && cheap.upper[k][j] > 0.0))
                .count();
            predicted += 2.0 * undecided as f64 * before * LP_BOUND_SECONDS_PER_NONZERO;
        }
        before += layer.weights().iter().filter(|&&w| w != 0.0).count() as f64;
    }
    let budget = options.time_limit.map_or(LP_BOUND_MAX_SECONDS, |t| {
        (LP_BOUND_TIME_SHARE * t).min(LP_BOUND_MAX_SECONDS)
    });
    if predicted <= budget {
        BoundMethod::Lp
    } else {
        BoundMethod::Symbolic
    }
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
    /// The task's objective as an attack objective: runs the PGD heuristic at the root and every
    /// hundredth node, from the node's LP input inside the node's input box. Must ascend where the model's
    /// objective does (maximize-type tasks).
    pub attack: Option<AttackObjective>,
    /// Tangent cuts of the L2 adversarial objective's squares (root and tree).
    pub l2_tangents: Option<L2Tangents>,
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
        threads: options.threads,
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
    let start_points = setup
        .start_inputs
        .iter()
        .filter_map(|(x, name)| model.complete(x).map(|p| (p, name.clone())))
        .collect();
    let plugins = Plugins {
        check: setup.check,
        start_points,
        ..search_plugins(
            &shared,
            options,
            setup.attack.as_ref(),
            setup.l2_tangents.as_ref(),
        )
    };
    // Each further worker of a parallel search gets plug-ins of its own (they keep state: pseudo-costs,
    // cut pools, heuristic schedules).
    let factory: PluginFactory = {
        let (model, options) = (shared.clone(), options.clone());
        let (attack, tangents) = (setup.attack.clone(), setup.l2_tangents.clone());
        Arc::new(move || search_plugins(&model, &options, attack.as_ref(), tangents.as_ref()))
    };
    let mut mip = mip_options(options);
    mip.objective_target = setup.objective_target;
    mip.objective_cutoff = setup.objective_cutoff;
    Search::new(model.mip.clone(), mip, plugins, log.clone())
        .with_factory(factory)
        .solve()
}

/// The plug-ins the options choose for a ReLU model (no candidate check, no start points); PGD joins the
/// heuristics when the task gives an attack objective.
fn search_plugins(
    shared: &Arc<ReluModel>,
    options: &SolverOptions,
    attack: Option<&AttackObjective>,
    l2_tangents: Option<&L2Tangents>,
) -> Plugins {
    let model = shared.as_ref();
    let mut separators: Vec<Box<dyn Separator>> = Vec::new();
    for kind in &options.cuts {
        separators.push(Box::new(
            match kind {
                CutKind::Ideal => NeuronCuts::ideal(model, CUTS_PER_ROUND),
                CutKind::Partition => {
                    NeuronCuts::partition(model, 2, PartitionStrategy::default(), CUTS_PER_ROUND)
                }
            }
            .with_tree(options.cut_tree),
        ));
    }
    if let Some(t) = l2_tangents {
        separators.push(Box::new(t.clone()));
    }
    let mut heuristics: Vec<Box<dyn Heuristic>> = vec![
        Box::new(ForwardPass::new(shared.clone())),
        Box::new(RegionLp::new(shared.clone())),
    ];
    if let Some(objective) = attack {
        heuristics.push(Box::new(Pgd::new(
            shared.clone(),
            objective.clone(),
            options.seed,
        )));
    }
    Plugins {
        branch_rule: Some(branch_rule(model, options)),
        propagators: vec![Box::new(
            LayerPropagator::with_crown(model, options.node_symbolic, options.node_crown)
                .with_local_big_m(options.node_big_m),
        )],
        separators,
        heuristics,
        node_selector: Some(Box::new(BestBoundDiving::default())),
        check: None,
        start_points: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::nn::Layer;
    use crate::spec::{Ball, Norm};

    #[test]
    fn lp_root_bounds_are_chosen_only_when_automatic_cheap_and_over_a_box() {
        let layer = |i, o, relu| Layer::new(i, o, vec![0.5; i * o], vec![-0.2; o], relu).unwrap();
        let net = Network::new(vec![layer(3, 4, true), layer(4, 2, false)]).unwrap();
        let domain = InputDomain::boxed(vec![-1.0; 3], vec![1.0; 3]).unwrap();
        let cheap = interval_bounds(&net, &domain.lower, &domain.upper);
        let auto = SolverOptions::default();
        assert_eq!(root_bound_method(&net, &domain, &cheap, &auto), BoundMethod::Lp);
        // The user's choice stands.
        let named = SolverOptions {
            auto_bounds: false,
            ..SolverOptions::default()
        };
        assert_eq!(
            root_bound_method(&net, &domain, &cheap, &named),
            BoundMethod::Symbolic
        );
        // A time limit too short for the predicted cost.
        let short = SolverOptions {
            time_limit: Some(0.0),
            ..SolverOptions::default()
        };
        assert_eq!(
            root_bound_method(&net, &domain, &cheap, &short),
            BoundMethod::Symbolic
        );
        // A ball: the cost model does not cover its rows.
        let mut ball = domain.clone();
        ball.ball = Some(Ball {
            norm: Norm::L1,
            center: vec![0.0; 3],
            radius: 0.5,
        });
        assert_eq!(
            root_bound_method(&net, &ball, &cheap, &auto),
            BoundMethod::Symbolic
        );
    }
}
