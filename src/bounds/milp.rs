//! Bound tightening with the exact MILP per neuron (our branch-and-bound, `mip::solve_mip`), layer by layer.
//!
//! The total time budget is split over the layers exponentially (layer `k` weighs `2^k`, so deeper layers,
//! whose MILPs are larger and whose bounds matter most for the final answer, get more); time a layer leaves
//! unused flows to the next. Within a layer each neuron's MILP gets an equal share, capped by the per-neuron
//! limit. A neuron's new bound is the search's valid dual bound (`MipResult::bound`), never its incumbent;
//! any status without a finite bound keeps the previous bound.

use super::lp::{tighten, undecided, RelaxationLp};
use super::{BoundsOptions, NeuronBounds};
use crate::error::Result;
use crate::log::Log;
use crate::lp::LpProblem;
use crate::mip::{solve_mip, MipOptions, MipProblem};
use crate::nn::Network;
use crate::spec::InputDomain;
use rayon::prelude::*;
use std::time::Instant;

/// Relative and absolute gap at which one neuron's MILP stops: far below the widths that matter, so an
/// unlimited run reaches the exact range up to this much.
const NEURON_GAP: f64 = 1e-7;

/// MILP bounds: `start` (valid bounds, e.g. from `lp`) tightened per neuron with the branch-and-bound.
pub fn milp_bounds(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
) -> Result<NeuronBounds> {
    let mut times = vec![0.0; net.layers().len()];
    milp_bounds_timed(net, domain, start, options, &mut times)
}

/// [`milp_bounds`], adding the seconds spent per layer to `times`.
pub(crate) fn milp_bounds_timed(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
    times: &mut [f64],
) -> Result<NeuronBounds> {
    let begun = Instant::now();
    let mut bounds = start.clone();
    let layers = net.layers().len();
    let weight = |k: usize| 2f64.powi(k as i32);
    for k in 1..layers {
        let started = Instant::now();
        // This layer's share of what is left: 2^k over the weights of this and all later layers.
        let layer_budget = options.time_limit.map(|t| {
            let left = (t - begun.elapsed().as_secs_f64()).max(0.0);
            let rest: f64 = (k..layers).map(weight).sum();
            left * weight(k) / rest
        });
        if layer_budget.is_some_and(|b| b <= 0.0) {
            break;
        }
        let todo = undecided(net, &bounds, k);
        if todo.is_empty() {
            continue;
        }
        let model = RelaxationLp::build_with(net, domain, &bounds, k, true);
        let threads = rayon::current_num_threads().max(1) as f64;
        let share = layer_budget.map(|b| b * threads / (2 * todo.len()) as f64);
        let per_solve = match (share, options.neuron_time_limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let layer = &net.layers()[k];
        let results: Vec<(Option<f64>, Option<f64>)> = todo
            .par_iter()
            .map(|&j| {
                let lo = neuron_bound(&model, layer.row(j), layer.bias()[j], false, per_solve);
                let hi = neuron_bound(&model, layer.row(j), layer.bias()[j], true, per_solve);
                (lo, hi)
            })
            .collect();
        for (&j, (lo, hi)) in todo.iter().zip(results) {
            tighten(&mut bounds.lower[k][j], &mut bounds.upper[k][j], lo, hi);
        }
        times[k] += started.elapsed().as_secs_f64();
    }
    Ok(bounds)
}

/// A valid bound on `row · a + bias` over the MILP (lower, or upper when `maximize`), if the search gave one.
fn neuron_bound(
    model: &RelaxationLp,
    row: &[f64],
    bias: f64,
    maximize: bool,
    time_limit: Option<f64>,
) -> Option<f64> {
    let sign = if maximize { -1.0 } else { 1.0 };
    let mut lp: LpProblem = model.problem.clone();
    lp.cost.iter_mut().for_each(|c| *c = 0.0);
    for (w, col) in row.iter().zip(&model.outputs) {
        if let Some(c) = col {
            lp.cost[*c] = sign * w;
        }
    }
    let problem = MipProblem::new(lp, model.integer.clone()).ok()?;
    let options = MipOptions {
        time_limit,
        gap_rel: NEURON_GAP,
        gap_abs: NEURON_GAP,
        log_interval_s: f64::INFINITY,
        ..MipOptions::default()
    };
    let result = solve_mip(&problem, options, Log::quiet()).ok()?;
    // `bound` is a valid lower bound on min sign * (row · a) whatever the status (+inf if infeasible).
    let lower = result.bound;
    lower.is_finite().then_some(sign * lower + bias)
}
