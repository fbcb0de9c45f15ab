//! Verification of VNN-LIB properties: is some input of a region mapped into the unsafe output set?
//!
//! Each conjunction `c_k · y <= rhs_k` (k = 1..K) of each region becomes one MILP: the network with its
//! last layer composed with the slacks `s_k = rhs_k - c_k · y`, maximising `t <= s_k` (or `s_1` when
//! K = 1) with cutoff 0: a point with `t >= 0` is a counterexample, a bound below 0 proves the disjunct
//! safe. `sat` is reported only after a forward pass of the original network confirms the counterexample
//! (tolerance 0); `unsat` only when every disjunct of every region is proven.

use crate::bounds::{tightened_bounds, NeuronBounds};
use crate::error::Result;
use crate::heuristics::{confirm_counterexample, find_counterexample, PgdOptions};
use crate::log::{fmt_value, Log};
use crate::lp::Sense;
use crate::mip::{CandidateCheck, MipStatus};
use crate::nn::{Layer, Network};
use crate::options::{Branching, SolverOptions};
use crate::relu::{
    bound_bab, uses_beta_crown, BoundBabOptions, BoundBabOutcome, BoundBabStats, BoundSplit, ReluModel,
};
use crate::result::Status;
use crate::solver::{build_model, log_model_stats, solve_model, SolveSetup, INPUT_SPLIT_MAX_INPUTS};
use crate::spec::{InputDomain, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A confirmed counterexample.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyCounterexample {
    /// The input.
    pub input: Vec<f64>,
    /// The original network's output at the input.
    pub output: Vec<f64>,
    /// Which region and which disjunct it violates.
    pub region: usize,
    /// The disjunct.
    pub disjunct: usize,
    /// Who found it.
    pub source: String,
}

/// The answer to a verification question.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// `Sat`, `Unsat`, `TimeLimit`, `NodeLimit`, `Interrupted` or `NumericalTrouble` (unknown).
    pub status: Status,
    /// The counterexample when `Sat`.
    pub counterexample: Option<VerifyCounterexample>,
    /// Seconds spent.
    pub time_s: f64,
    /// Nodes over all MILPs.
    pub nodes: u64,
    /// LP iterations over all MILPs.
    pub lp_iterations: u64,
    /// Unstable neurons of the first MILP.
    pub unstable_neurons: usize,
    /// Binaries, rows and columns of the first MILP.
    pub binaries: usize,
    /// Rows of the first MILP.
    pub rows: usize,
    /// Columns of the first MILP.
    pub columns: usize,
    /// Root bound (max slack) of the first MILP.
    pub root_bound: Option<f64>,
    /// Cuts over all MILPs.
    pub cuts_added: u64,
    /// Incumbents `(time, objective, source)` of all MILPs.
    pub incumbents: Vec<(f64, f64, String)>,
    /// The bound-only searches, summed over the disjuncts they ran on (`None` when none ran).
    pub bound_only: Option<BoundOnlySummary>,
}

/// What the bound-only branch-and-bound did over a verification (no MILP is built when it decides).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundOnlySummary {
    /// `"input"` or `"activation"`: what its nodes were split on.
    pub split: String,
    /// Inputs, hidden ReLU neurons and outputs of the network verified.
    pub inputs: usize,
    /// Hidden ReLU neurons of the network.
    pub relu_neurons: usize,
    /// Outputs of the network.
    pub outputs: usize,
    /// Disjuncts it ran on, and those it decided (proven or a confirmed counterexample).
    pub disjuncts: usize,
    /// Disjuncts it decided.
    pub decided: usize,
    /// Nodes bounded, and pruned.
    pub nodes: u64,
    /// Nodes pruned (bound below zero or infeasible phases).
    pub pruned: u64,
    /// Halves bounded by strong branching.
    pub strong_evaluations: u64,
    /// Runs (restarts of the input-split portfolio count one each).
    pub runs: usize,
    /// Deepest node.
    pub max_depth: u32,
    /// Seconds spent in it.
    pub time_s: f64,
}

/// `net` with its last layer replaced by the slacks `rhs_k - c_k · y` of a conjunction.
pub fn slack_network(net: &Network, conj: &[OutputConstraint]) -> Result<Network> {
    let layers = net.layers();
    let last = &layers[layers.len() - 1];
    let mut new_layers: Vec<Layer> = layers.to_vec();
    let k = conj.len();
    if last.has_relu() {
        // Append a linear layer instead of composing through the ReLU.
        let m = last.outputs();
        let mut w = vec![0.0; k * m];
        let mut b = vec![0.0; k];
        for (r, c) in conj.iter().enumerate() {
            for &(j, a) in &c.coeffs {
                w[r * m + j] -= a;
            }
            b[r] = c.rhs;
        }
        new_layers.push(Layer::new(m, k, w, b, false)?);
    } else {
        let n = last.inputs();
        let mut w = vec![0.0; k * n];
        let mut b = vec![0.0; k];
        for (r, c) in conj.iter().enumerate() {
            b[r] = c.rhs;
            for &(j, a) in &c.coeffs {
                for (i, &wji) in last.row(j).iter().enumerate() {
                    w[r * n + i] -= a * wji;
                }
                b[r] -= a * last.bias()[j];
            }
        }
        let idx = new_layers.len() - 1;
        new_layers[idx] = Layer::new(n, k, w, b, false)?;
    }
    Network::new(new_layers)
}

/// Decides a VNN-LIB property on `net`.
pub fn verify_property(
    net: &Network,
    prop: &VnnlibProperty,
    options: &SolverOptions,
    log: &Log,
) -> Result<VerifyReport> {
    options.validate()?;
    let start = Instant::now();
    let mut report = VerifyReport {
        status: Status::Unsat,
        counterexample: None,
        time_s: 0.0,
        nodes: 0,
        lp_iterations: 0,
        unstable_neurons: 0,
        binaries: 0,
        rows: 0,
        columns: 0,
        root_bound: None,
        cuts_added: 0,
        incumbents: Vec::new(),
        bound_only: None,
    };
    let deadline = options.time_limit.map(|t| start + Duration::from_secs_f64(t));
    // A quick attack on every region first: sat instances are usually found here.
    for (r, region) in prop.regions.iter().enumerate() {
        let budget = options.time_limit.map(|t| (0.05 * t).min(2.0)).unwrap_or(2.0);
        let pgd = PgdOptions {
            restarts: 6,
            iterations: 60,
            seed: options.seed,
            time_limit: Some(Duration::from_secs_f64(budget / prop.regions.len().max(1) as f64)),
            ..PgdOptions::default()
        };
        if let Some(cex) = find_counterexample(net, &region.domain, &region.output, &pgd) {
            log.line(&format!(
                "Counterexample found by the attack in region {r} (disjunct {})",
                cex.disjunct
            ));
            report.status = Status::Sat;
            report.counterexample = Some(VerifyCounterexample {
                input: cex.input,
                output: cex.output,
                region: r,
                disjunct: cex.disjunct,
                source: "pgd".into(),
            });
            report.time_s = start.elapsed().as_secs_f64();
            return Ok(report);
        }
    }
    let mut first = true;
    // Some disjunct was left undecided (the answer can then not be unsat).
    let mut undecided = false;
    for (r, region) in prop.regions.iter().enumerate() {
        // One model per region: the network with the slacks of every constraint of every disjunct as
        // outputs, so that the root bounds are computed once.
        if region.output.disjuncts.iter().all(|conj| conj.is_empty()) {
            let x = region.domain.lower.clone();
            let output = net.forward(&x);
            report.status = Status::Sat;
            report.counterexample = Some(VerifyCounterexample {
                input: x,
                output,
                region: r,
                disjunct: 0,
                source: "domain".into(),
            });
            report.time_s = start.elapsed().as_secs_f64();
            return Ok(report);
        }
        // The MILP of the region, built only when a disjunct needs it.
        let mut base: Option<ReluModel> = None;
        // The hidden layers' bounds of the activation-split searches, computed once for all disjuncts.
        let mut hidden_bounds: Option<Arc<NeuronBounds>> = None;
        let mut first_output = 0;
        let n_disjuncts = region.output.disjuncts.len();
        for (d, conj) in region.output.disjuncts.iter().enumerate() {
            let offset = first_output;
            first_output += conj.len();
            let remaining = deadline.map(|dl| dl.saturating_duration_since(Instant::now()).as_secs_f64());
            if remaining.is_some_and(|t| t <= 0.0) {
                report.status = Status::TimeLimit;
                report.time_s = start.elapsed().as_secs_f64();
                return Ok(report);
            }
            if prop.regions.len() * region.output.disjuncts.len() > 1 {
                log.line(&format!(
                    "Region {r}, disjunct {d}: {} output constraints",
                    conj.len()
                ));
            }
            if options.bound_only_bab && options.branching == Branching::Auto && !conj.is_empty() {
                let left = n_disjuncts - d;
                let place = DisjunctPlace {
                    region: r,
                    disjunct: d,
                    disjuncts_left: left,
                };
                match bound_only_disjunct(
                    net,
                    region,
                    conj,
                    &place,
                    &mut hidden_bounds,
                    deadline,
                    options,
                    log,
                    &mut report,
                )? {
                    BoundOnly::Proven => continue,
                    BoundOnly::Counterexample(cex) => {
                        report.status = Status::Sat;
                        report.counterexample = Some(*cex);
                        report.time_s = start.elapsed().as_secs_f64();
                        return Ok(report);
                    }
                    // Its share of the time spent: leave it undecided, try the other disjuncts.
                    BoundOnly::OutOfTime => {
                        undecided = true;
                        continue;
                    }
                    BoundOnly::Unresolved => {}
                }
            }
            let remaining = deadline.map(|dl| dl.saturating_duration_since(Instant::now()).as_secs_f64());
            if base.is_none() {
                let bounds_options = SolverOptions {
                    time_limit: remaining,
                    ..options.clone()
                };
                base = Some(region_model(net, region, &bounds_options)?);
            }
            let Some(base) = base.as_ref() else { continue };
            let remaining = deadline.map(|dl| dl.saturating_duration_since(Instant::now()).as_secs_f64());
            let opts = SolverOptions {
                time_limit: remaining,
                gap_rel: 0.0,
                gap_abs: 0.0,
                ..options.clone()
            };
            let outcome = verify_disjunct(
                net,
                base,
                offset,
                &region.domain,
                conj,
                r,
                d,
                &opts,
                log,
                &mut report,
                first,
            )?;
            first = false;
            match outcome {
                Some(cex) => {
                    report.status = Status::Sat;
                    report.counterexample = Some(cex);
                    report.time_s = start.elapsed().as_secs_f64();
                    return Ok(report);
                }
                None if report.status == Status::Unsat => {}
                None => {
                    report.time_s = start.elapsed().as_secs_f64();
                    return Ok(report);
                }
            }
        }
    }
    if undecided && report.status == Status::Unsat {
        let interrupted = options
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed));
        report.status = if interrupted {
            Status::Interrupted
        } else {
            Status::TimeLimit
        };
    }
    report.time_s = start.elapsed().as_secs_f64();
    Ok(report)
}

/// Where a disjunct sits in its property: its region, its index, and how many disjuncts of the region
/// are left from it on (itself included).
struct DisjunctPlace {
    region: usize,
    disjunct: usize,
    disjuncts_left: usize,
}

/// What the bound-only search decided about one disjunct.
enum BoundOnly {
    Proven,
    Counterexample(Box<VerifyCounterexample>),
    /// Its time share ran out.
    OutOfTime,
    /// Some node could not be split further: the MILP takes over.
    Unresolved,
}

/// The bound-only branch-and-bound on one disjunct (input splits on networks with at most
/// [`INPUT_SPLIT_MAX_INPUTS`] inputs, which get all the remaining time; activation splits otherwise, with this
/// disjunct's even share of it); nodes it cannot split go to the MILP.
#[allow(clippy::too_many_arguments)]
fn bound_only_disjunct(
    net: &Network,
    region: &VnnlibRegion,
    conj: &[OutputConstraint],
    place: &DisjunctPlace,
    hidden_bounds: &mut Option<Arc<NeuronBounds>>,
    deadline: Option<Instant>,
    options: &SolverOptions,
    log: &Log,
    report: &mut VerifyReport,
) -> Result<BoundOnly> {
    let (region_index, disjunct, disjuncts_left) = (place.region, place.disjunct, place.disjuncts_left);
    let slack = slack_network(net, conj)?;
    let input_split = net.input_size() <= INPUT_SPLIT_MAX_INPUTS;
    let now = Instant::now();
    let bab_deadline = if input_split {
        deadline
    } else {
        deadline.map(|dl| {
            now + dl
                .saturating_duration_since(now)
                .mul_f64(1.0 / disjuncts_left.max(1) as f64)
        })
    };
    let bab_options = BoundBabOptions {
        split: if input_split {
            BoundSplit::Input
        } else {
            BoundSplit::Activation
        },
        deadline: bab_deadline,
        interrupt: options.interrupt.clone(),
        threads: options.threads,
        ..BoundBabOptions::default()
    };
    let property = OutputProperty {
        disjuncts: vec![conj.to_vec()],
    };
    let mut found = None;
    let mut check = |x: &[f64]| match confirm_counterexample(net, &region.domain, &property, x) {
        Some(cex) => {
            found = Some(cex);
            true
        }
        None => false,
    };
    let (outcome, stats, runs) = if input_split {
        input_split_portfolio(
            &slack,
            &region.domain,
            &mut check,
            bab_options,
            PORTFOLIO_FIRST_NODES,
            log,
        )
    } else {
        activation_split_search(
            net,
            &slack,
            &region.domain,
            &mut check,
            bab_options,
            options.beta_crown_min_relu_neurons,
            hidden_bounds,
            log,
        )
    };
    let relu_neurons = net
        .layers()
        .iter()
        .filter(|l| l.has_relu())
        .map(|l| l.outputs())
        .sum();
    let summary = report.bound_only.get_or_insert_with(|| BoundOnlySummary {
        split: if input_split { "input" } else { "activation" }.into(),
        inputs: net.input_size(),
        relu_neurons,
        outputs: net.output_size(),
        ..BoundOnlySummary::default()
    });
    summary.disjuncts += 1;
    summary.decided += usize::from(outcome != BoundBabOutcome::Unknown);
    summary.nodes += stats.nodes;
    summary.pruned += stats.pruned;
    summary.strong_evaluations += stats.strong_evaluations;
    summary.runs += runs;
    summary.max_depth = summary.max_depth.max(stats.max_depth);
    summary.time_s += stats.time_s;
    if report.unstable_neurons == 0 {
        report.unstable_neurons = stats.root_unstable;
    }
    report.nodes += stats.nodes;
    if report.root_bound.is_none() {
        report.root_bound = Some(stats.root_bound);
    }
    log.line(&format!(
        "Bound-only B&B ({} split): {} after {} nodes ({} pruned, depth {}, {} open), root bound {}, {}",
        if input_split { "input" } else { "activation" },
        match outcome {
            BoundBabOutcome::Proven => "proven",
            BoundBabOutcome::Counterexample(_) => "counterexample",
            BoundBabOutcome::Unknown => "open",
        },
        stats.nodes,
        stats.pruned,
        stats.max_depth,
        stats.open,
        fmt_value(stats.root_bound),
        log.time(stats.time_s)
    ));
    Ok(match (outcome, found) {
        (BoundBabOutcome::Proven, _) => BoundOnly::Proven,
        (BoundBabOutcome::Counterexample(_), Some(cex)) => {
            BoundOnly::Counterexample(Box::new(VerifyCounterexample {
                input: cex.input,
                output: cex.output,
                region: region_index,
                disjunct,
                source: "bound-only B&B".into(),
            }))
        }
        _ if stats.unresolved > 0 => BoundOnly::Unresolved,
        _ => BoundOnly::OutOfTime,
    })
}

/// Nodes of the quick activation-split search without tightened hidden bounds (see
/// [`activation_split_search`]): most disjuncts of the MNIST robustness properties are decided at the root
/// or within a few dozen nodes, far sooner than the second it takes to tighten the hidden bounds.
pub const QUICK_ACTIVATION_NODES: u64 = 100;

/// Networks with fewer ReLU neurons keep the former activation-split search (CROWN, then the MILP for what
/// it leaves): on mnist-32-16 (48 neurons) the radius search's questions near the L∞ optimum took 131 nodes
/// and 0.07 s there against 59,012 nodes and 7.9 s with β-CROWN, while MNIST-FC 256x2 (512) needs β-CROWN.
pub const BETA_MIN_RELU_NEURONS: usize = 128;

/// The activation-split search of one disjunct (the former search alone where [`uses_beta_crown`] says no):
/// while the region's hidden bounds are not tightened yet, a
/// quick search with CROWN's bounds first ([`QUICK_ACTIVATION_NODES`]); if it does not decide, the hidden
/// bounds tightened by α-CROWN (computed once, kept in `hidden_bounds` for the region's other disjuncts)
/// and the full search from them. Returns the outcome, the summed statistics and the number of runs.
fn activation_split_search(
    net: &Network,
    slack: &Network,
    domain: &InputDomain,
    check: &mut dyn FnMut(&[f64]) -> bool,
    options: BoundBabOptions,
    beta_min_relu_neurons: usize,
    hidden_bounds: &mut Option<Arc<NeuronBounds>>,
    log: &Log,
) -> (BoundBabOutcome, BoundBabStats, usize) {
    // Deeper networks: β-CROWN with CROWN's intermediate bounds recomputed under each node's phases and
    // the root's slopes kept below it (moving them there lost MNIST-FC 256x4 eps 0.03 prop_13, where the
    // kept ones prove its hardest disjunct in 245 nodes against the former search's 403; on 256x2, moving
    // them is what proves prop_3).
    let relu_layers = slack.layers().iter().filter(|l| l.has_relu()).count();
    let relu_neurons: usize = net
        .layers()
        .iter()
        .filter(|l| l.has_relu())
        .map(|l| l.outputs())
        .sum();
    let options = if relu_neurons < beta_min_relu_neurons {
        BoundBabOptions {
            beta_steps: 0,
            ..options
        }
    } else if relu_layers > 2 {
        BoundBabOptions {
            beta_max_relu_layers: usize::MAX,
            recompute_intermediate: true,
            slopes_at_nodes: false,
            ..options
        }
    } else {
        options
    };
    if !uses_beta_crown(slack, &options) {
        let (outcome, stats) = bound_bab(slack, domain, check, &options);
        return (outcome, stats, 1);
    }
    let mut total = BoundBabStats::default();
    let mut runs = 0;
    if hidden_bounds.is_none() {
        let quick = BoundBabOptions {
            tighten_root_steps: 0,
            max_nodes: Some(QUICK_ACTIVATION_NODES),
            ..options.clone()
        };
        let (outcome, stats) = bound_bab(slack, domain, check, &quick);
        runs += 1;
        let stopped_by_budget = stats.nodes >= QUICK_ACTIVATION_NODES;
        if outcome != BoundBabOutcome::Unknown || !stopped_by_budget {
            return (outcome, stats, runs);
        }
        total = stats;
        let started = Instant::now();
        let steps = options.tighten_root_steps;
        if let Some(b) = tightened_bounds(net, domain, steps, options.deadline) {
            log.line(&format!(
                "Hidden bounds by α-CROWN ({steps} steps per bound): {}",
                log.time(started.elapsed().as_secs_f64())
            ));
            *hidden_bounds = Some(Arc::new(b));
        }
        total.time_s += started.elapsed().as_secs_f64();
    }
    let full = BoundBabOptions {
        hidden_bounds: hidden_bounds.clone(),
        ..options
    };
    let (outcome, stats) = bound_bab(slack, domain, check, &full);
    runs += 1;
    let quick_nodes = total.nodes;
    total.nodes += stats.nodes;
    total.pruned += stats.pruned;
    total.max_depth = total.max_depth.max(stats.max_depth);
    total.open = stats.open;
    total.unresolved = stats.unresolved;
    total.time_s += stats.time_s;
    total.strong_evaluations += stats.strong_evaluations;
    if quick_nodes == 0 {
        total.root_bound = stats.root_bound;
        total.root_unstable = stats.root_unstable;
    }
    (outcome, total, runs)
}

/// Nodes of the first run of each variant in [`input_split_portfolio`]; each round multiplies it by 4.
/// With strong branching the ACAS Xu trees take 10^2 to a few 10^3 nodes, and the variants still differ:
/// property 2 on 4_2 takes 3,300 nodes with α steps, on 3_3 6,100 without them and over 16,000 with them
/// (first budget 4,000: 30,000 nodes in all; 8,000: 14,000).
pub const PORTFOLIO_FIRST_NODES: u64 = 8_000;

/// α-CROWN steps per node of the portfolio's first variant (the second reuses the parent's slopes).
const PORTFOLIO_ALPHA_STEPS: usize = 6;

/// Input-split searches whose tree size swings with the slopes are run as restarts: the slopes
/// re-optimised at every node (fewer nodes on most conjunctions: ACAS Xu property 2 on 4_2 takes 3,300
/// nodes against 9,500), then the parent's slopes reused (cheaper nodes, sometimes far fewer), each with a
/// node budget that starts at `first_budget` and grows fourfold per round, until one decides or the limits
/// in `options` end it. Every run is complete in itself, so a decided run is a valid answer; the budgets
/// grow without end, so the portfolio is complete too. Returns the outcome, the summed statistics and the
/// number of runs.
pub fn input_split_portfolio(
    slack: &Network,
    domain: &InputDomain,
    check: &mut dyn FnMut(&[f64]) -> bool,
    options: BoundBabOptions,
    first_budget: u64,
    log: &Log,
) -> (BoundBabOutcome, BoundBabStats, usize) {
    let mut budget = first_budget.max(1);
    let mut total = BoundBabStats::default();
    let mut root_bound = None;
    let mut runs = 0;
    loop {
        for steps in [PORTFOLIO_ALPHA_STEPS, 0] {
            let run_options = BoundBabOptions {
                alpha_steps: steps,
                max_nodes: Some(budget),
                ..options.clone()
            };
            let (outcome, stats) = bound_bab(slack, domain, check, &run_options);
            runs += 1;
            root_bound.get_or_insert(stats.root_bound);
            if runs == 1 {
                total.root_unstable = stats.root_unstable;
            }
            total.nodes += stats.nodes;
            total.pruned += stats.pruned;
            total.strong_evaluations += stats.strong_evaluations;
            total.max_depth = total.max_depth.max(stats.max_depth);
            total.open = stats.open;
            total.unresolved = stats.unresolved;
            total.time_s += stats.time_s;
            total.root_bound = root_bound.unwrap_or(stats.root_bound);
            let stopped_by_budget = stats.nodes >= budget;
            if outcome != BoundBabOutcome::Unknown || !stopped_by_budget {
                return (outcome, total, runs);
            }
            log.line(&format!(
                "Bound-only B&B: restart after {} nodes ({} α steps per node)",
                stats.nodes, steps
            ));
        }
        budget = budget.saturating_mul(4);
    }
}

/// One disjunct: returns the confirmed counterexample, or `None` with `report.status` left `Unsat` when
/// proven safe, set to the limit status otherwise.
#[allow(clippy::too_many_arguments)]
fn verify_disjunct(
    net: &Network,
    base: &ReluModel,
    first_output: usize,
    domain: &InputDomain,
    conj: &[OutputConstraint],
    region: usize,
    disjunct: usize,
    options: &SolverOptions,
    log: &Log,
    report: &mut VerifyReport,
    first: bool,
) -> Result<Option<VerifyCounterexample>> {
    if conj.is_empty() {
        // Every output is unsafe: any input of the domain is a counterexample.
        let x: Vec<f64> = domain.lower.clone();
        let output = net.forward(&x);
        return Ok(Some(VerifyCounterexample {
            input: x,
            output,
            region,
            disjunct,
            source: "domain".into(),
        }));
    }
    let mut model = base.clone();
    set_disjunct_objective(&mut model, first_output, conj.len());
    if first {
        log_model_stats(&model, log);
        report.unstable_neurons = model.unstable_count();
        report.binaries = model.mip.num_integers();
        report.rows = model.mip.lp.num_rows();
        report.columns = model.mip.lp.num_cols();
    }
    // The checkpoint: a forward pass of the ORIGINAL network; the objective is its true minimum slack.
    let property = OutputProperty {
        disjuncts: vec![conj.to_vec()],
    };
    let check_net = net.clone();
    let check_domain = domain.clone();
    let input_cols = model.input_cols.clone();
    let conj_owned = conj.to_vec();
    let check: CandidateCheck = Arc::new(move |point: &[f64]| {
        let x: Vec<f64> = input_cols.iter().map(|&c| point[c]).collect();
        if !check_domain.contains(&x, 0.0) {
            return None;
        }
        let y = check_net.forward(&x);
        Some(
            conj_owned
                .iter()
                .map(|c| -c.slack(&y))
                .fold(f64::INFINITY, f64::min),
        )
    });
    let setup = SolveSetup {
        check: Some(check),
        start_inputs: Vec::new(),
        objective_target: Some(0.0),
        objective_cutoff: Some(0.0),
        ..SolveSetup::default()
    };
    let result = solve_model(&model, options, setup, log)?;
    report.nodes += result.stats.nodes;
    report.lp_iterations += result.stats.lp_iterations;
    report.cuts_added += result.stats.cuts_added;
    if first {
        report.root_bound = result.stats.root_bound;
    }
    report.incumbents.extend(
        result
            .stats
            .incumbents
            .iter()
            .map(|r| (r.time_s, r.objective, r.source.clone())),
    );
    if let Some(sol) = &result.solution {
        let x = model.input_of(sol);
        if let Some(cex) = confirm_counterexample(net, domain, &property, &x) {
            log.line(&format!(
                "Counterexample confirmed by a forward pass: min slack {}",
                fmt_value(
                    conj.iter()
                        .map(|c| -c.slack(&cex.output))
                        .fold(f64::INFINITY, f64::min)
                )
            ));
            return Ok(Some(VerifyCounterexample {
                input: cex.input,
                output: cex.output,
                region,
                disjunct,
                source: result
                    .stats
                    .incumbents
                    .last()
                    .map(|r| r.source.clone())
                    .unwrap_or_default(),
            }));
        }
    }
    report.status = match result.status {
        MipStatus::Optimal | MipStatus::Infeasible => Status::Unsat,
        // A target reached without a confirmed counterexample cannot happen (the check is the same), but
        // claim nothing if it does.
        MipStatus::TargetReached | MipStatus::NumericalTrouble | MipStatus::Unbounded => {
            Status::NumericalTrouble
        }
        MipStatus::TimeLimit => Status::TimeLimit,
        MipStatus::NodeLimit => Status::NodeLimit,
        MipStatus::Interrupted => Status::Interrupted,
    };
    if result.status == MipStatus::Optimal && result.objective.is_some_and(|o| o >= 0.0) {
        report.status = Status::NumericalTrouble;
    }
    Ok(None)
}

/// The MILP of one region: the network whose outputs are the slacks `rhs - c·y` of every constraint of
/// every disjunct of the region (in order), over the region's input box.
pub fn region_model(net: &Network, region: &VnnlibRegion, options: &SolverOptions) -> Result<ReluModel> {
    let all: Vec<OutputConstraint> = region.output.disjuncts.iter().flatten().cloned().collect();
    build_model(&slack_network(net, &all)?, &region.domain, options)
}

/// Sets a region model's objective for one disjunct of `k` constraints whose slacks are the model's outputs
/// `first_output..first_output + k`: maximise the smallest slack (a counterexample has it `>= 0`).
pub fn set_disjunct_objective(model: &mut ReluModel, first_output: usize, k: usize) {
    let slack_cols: Vec<Option<usize>> = (0..k).map(|j| model.output_col(first_output + j)).collect();
    if k == 1 {
        match slack_cols[0] {
            Some(c) => model.set_objective(Sense::Maximize, &[(c, 1.0)], 0.0),
            // The slack is the constant 0 (a dead ReLU output): t = 0, every input is a counterexample.
            None => model.set_objective(Sense::Maximize, &[], 0.0),
        }
    } else {
        let t = model.add_column(1.0, f64::NEG_INFINITY, f64::INFINITY, false, "t");
        for (j, col) in slack_cols.iter().enumerate() {
            match col {
                Some(c) => model.add_row(
                    f64::NEG_INFINITY,
                    0.0,
                    vec![(t, 1.0), (*c, -1.0)],
                    format!("t_le_s{j}"),
                ),
                None => model.add_row(f64::NEG_INFINITY, 0.0, vec![(t, 1.0)], format!("t_le_s{j}")),
            };
        }
        model.set_objective(Sense::Maximize, &[(t, 1.0)], 0.0);
    }
}
