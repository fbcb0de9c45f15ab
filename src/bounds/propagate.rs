//! Bound propagation under fixed activation phases: the cheap bounds the branch-and-bound computes at every node.
//!
//! A neuron fixed `Active` is linear (`a = z`) with the extra constraint `z >= 0`; one fixed `Inactive` is zero
//! with `z <= 0`. Its pre-activation bounds are clipped accordingly before the next layer is propagated, and
//! the relaxation of a clipped neuron is then exactly its fixed linear piece.

use super::concretize::Region;
use super::symbolic::{back_substitute, LayerRelaxation, Scratch, GROUP};
use super::{BoundMethod, NeuronBounds};
use crate::nn::Network;
use crate::spec::InputDomain;
use rayon::prelude::*;
use std::time::Instant;

/// The phase of a ReLU neuron at a node of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    /// Not fixed: the ReLU is relaxed.
    #[default]
    Free,
    /// Fixed active: `a = z`, `z >= 0`.
    Active,
    /// Fixed inactive: `a = 0`, `z <= 0`.
    Inactive,
}

/// Slack, relative to `max(1, |bound|)`, allowed before a phase or an empty interval is declared infeasible:
/// it absorbs floating-point rounding in the bound sums, so a feasible node is never cut off by rounding.
pub const INFEASIBILITY_TOL: f64 = 1e-9;

/// Work below this many multiply-adds per layer runs on one thread (rayon's overhead would dominate).
const PARALLEL_WORK: usize = 1 << 20;

/// Bounds under phases over the domain. `method` is `Interval` or `Symbolic` (`Naive` is treated as
/// `Interval`; `Lp` and `Milp` as `Symbolic`, the cheap methods being the ones meant for every node).
/// `phases[r][j]` is the phase of neuron `j` of the `r`-th ReLU layer; missing layers or neurons are `Free`.
/// Returns `None` when the phases are proven infeasible. Hidden neurons that interval arithmetic already proves
/// stable keep their interval bounds (see [`Propagator::set_tighten_stable`]); use [`Propagator`] directly to
/// reuse buffers between nodes and to pass the parent's bounds.
pub fn propagate(
    net: &Network,
    domain: &InputDomain,
    method: BoundMethod,
    phases: &[Vec<Phase>],
) -> Option<NeuronBounds> {
    let mut out = NeuronBounds::unbounded(net);
    let mut propagator = Propagator::new(net);
    propagator.set_tighten_stable(false);
    propagator
        .run(domain, None, method, phases, None, &mut out)
        .then_some(out)
}

/// Like [`propagate`] with the node's own input box `[lower, upper]` in place of the domain's box
/// (input splitting); the domain's ball, if any, still applies.
pub fn propagate_in_box(
    net: &Network,
    domain: &InputDomain,
    lower: &[f64],
    upper: &[f64],
    method: BoundMethod,
    phases: &[Vec<Phase>],
) -> Option<NeuronBounds> {
    let mut out = NeuronBounds::unbounded(net);
    let mut propagator = Propagator::new(net);
    propagator.set_tighten_stable(false);
    propagator
        .run(domain, Some((lower, upper)), method, phases, None, &mut out)
        .then_some(out)
}

/// Reusable propagation state for one network: keep one per thread of the tree search and call
/// [`Propagator::run`] at each node; after the first calls its buffers have grown to size and no allocation
/// happens, except for per-thread buffers when symbolic propagation runs a large layer in parallel.
#[derive(Debug, Clone)]
pub struct Propagator<'n> {
    net: &'n Network,
    relax: Vec<LayerRelaxation>,
    scratch: Scratch,
    targets: Vec<usize>,
    found_lower: Vec<f64>,
    found_upper: Vec<f64>,
    tighten_stable: bool,
    mid: Vec<f64>,
    rad: Vec<f64>,
    layer_seconds: Vec<f64>,
}

impl<'n> Propagator<'n> {
    /// State for `net`.
    pub fn new(net: &'n Network) -> Self {
        Propagator {
            net,
            relax: vec![LayerRelaxation::default(); net.layers().len()],
            scratch: Scratch::default(),
            targets: Vec::new(),
            found_lower: Vec::new(),
            found_upper: Vec::new(),
            tighten_stable: true,
            mid: Vec::new(),
            rad: Vec::new(),
            layer_seconds: vec![0.0; net.layers().len()],
        }
    }

    /// Whether symbolic propagation also tightens neurons of hidden ReLU layers that interval arithmetic
    /// already proves stable (default true). Their relaxation is exact either way, so later layers get the same
    /// symbolic bounds; only their own bounds stay looser when false, which saves most of the work when most
    /// neurons are stable. [`propagate`] and [`propagate_in_box`] set it to false.
    pub fn set_tighten_stable(&mut self, tighten: bool) {
        self.tighten_stable = tighten;
    }

    /// Propagates bounds into `out` (reshaped if needed) and returns false when the phases are infeasible
    /// (then `out` holds partial bounds and must not be used).
    /// `input_box` replaces the domain's box; `start`, when given, holds bounds already known valid for this
    /// node (e.g. the parent's) and every layer is intersected with them.
    pub fn run(
        &mut self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        method: BoundMethod,
        phases: &[Vec<Phase>],
        start: Option<&NeuronBounds>,
        out: &mut NeuronBounds,
    ) -> bool {
        let net = self.net;
        let region = match input_box {
            Some((lo, hi)) => Region::with_box(domain, lo, hi),
            None => Region::of(domain),
        };
        if region.lower.len() != net.input_size()
            || region.upper.len() != net.input_size()
            || region
                .lower
                .iter()
                .zip(region.upper)
                .any(|(l, u)| l.is_nan() || u.is_nan() || l > u)
        {
            return false;
        }
        reshape(net, out);
        let symbolic = method >= BoundMethod::Symbolic;
        let mut relu_index = 0;
        self.layer_seconds.iter_mut().for_each(|t| *t = 0.0);
        for (k, layer) in net.layers().iter().enumerate() {
            let started = Instant::now();
            let (done_lower, rest_lower) = out.lower.split_at_mut(k);
            let (done_upper, rest_upper) = out.upper.split_at_mut(k);
            let lower = &mut rest_lower[0];
            let upper = &mut rest_upper[0];
            // Interval step from the previous layer's activation bounds (or the box).
            if k == 0 {
                interval_layer(
                    layer,
                    region.lower,
                    region.upper,
                    false,
                    &mut self.mid,
                    &mut self.rad,
                    lower,
                    upper,
                );
            } else {
                let prev_relu = net.layers()[k - 1].has_relu();
                interval_layer(
                    layer,
                    &done_lower[k - 1],
                    &done_upper[k - 1],
                    prev_relu,
                    &mut self.mid,
                    &mut self.rad,
                    lower,
                    upper,
                );
            }
            // Symbolic step; at the first layer over a plain box it equals the interval step.
            if symbolic && (k > 0 || region.ball.is_some()) {
                self.targets.clear();
                let skip_stable = !self.tighten_stable && layer.has_relu() && k + 1 < net.layers().len();
                self.targets.extend(
                    (0..layer.outputs()).filter(|&j| !skip_stable || (lower[j] < 0.0 && upper[j] > 0.0)),
                );
                let n = self.targets.len();
                self.found_lower.resize(n, 0.0);
                self.found_upper.resize(n, 0.0);
                let relax = &self.relax[..k];
                let per_neuron: usize = net.layers()[..k].iter().map(|l| l.inputs() * l.outputs()).sum();
                if n * per_neuron >= PARALLEL_WORK && n > GROUP && rayon::current_num_threads() > 1 {
                    self.targets
                        .par_chunks(GROUP)
                        .zip(self.found_lower.par_chunks_mut(GROUP))
                        .zip(self.found_upper.par_chunks_mut(GROUP))
                        .for_each_init(Scratch::default, |s, ((t, lo), hi)| {
                            back_substitute(net, k, t, relax, &region, s, lo, hi)
                        });
                } else {
                    for ((t, lo), hi) in self
                        .targets
                        .chunks(GROUP)
                        .zip(self.found_lower.chunks_mut(GROUP))
                        .zip(self.found_upper.chunks_mut(GROUP))
                    {
                        back_substitute(net, k, t, relax, &region, &mut self.scratch, lo, hi);
                    }
                }
                for (t, &j) in self.targets.iter().enumerate() {
                    lower[j] = lower[j].max(self.found_lower[t]);
                    upper[j] = upper[j].min(self.found_upper[t]);
                }
            }
            if let Some(start) = start {
                if let (Some(sl), Some(su)) = (start.lower.get(k), start.upper.get(k)) {
                    for j in 0..lower.len().min(sl.len()).min(su.len()) {
                        lower[j] = lower[j].max(sl[j]);
                        upper[j] = upper[j].min(su[j]);
                    }
                }
            }
            let layer_phases: &[Phase] = if layer.has_relu() {
                relu_index += 1;
                phases.get(relu_index - 1).map(Vec::as_slice).unwrap_or(&[])
            } else {
                &[]
            };
            if !apply_phases(lower, upper, layer_phases) {
                return false;
            }
            if symbolic && k + 1 < net.layers().len() {
                self.relax[k].set(layer, lower, upper);
            }
            self.layer_seconds[k] = started.elapsed().as_secs_f64();
        }
        true
    }

    /// The network propagated.
    pub(crate) fn network(&self) -> &Network {
        self.net
    }

    /// The ReLU relaxation of every layer but the last, as the last [`Propagator::run`] set it.
    pub(crate) fn relaxations(&self) -> &[LayerRelaxation] {
        &self.relax
    }

    /// Seconds each layer took in the last [`Propagator::run`] (layers not reached: 0).
    pub fn layer_seconds(&self) -> &[f64] {
        &self.layer_seconds
    }
}

/// Gives `out` the shape of `net`'s layers, reusing its vectors.
fn reshape(net: &Network, out: &mut NeuronBounds) {
    let n = net.layers().len();
    out.lower.resize_with(n, Vec::new);
    out.upper.resize_with(n, Vec::new);
    for (k, layer) in net.layers().iter().enumerate() {
        out.lower[k].resize(layer.outputs(), 0.0);
        out.upper[k].resize(layer.outputs(), 0.0);
    }
}

/// Interval bounds of `W a + b` for `a` in `[prev_lower, prev_upper]` (after a ReLU when `prev_relu`), in
/// centre-radius form (`W c + b ± |W| r`: two branch-free dot products per neuron); `mid` and `rad` are buffers.
fn interval_layer(
    layer: &crate::nn::Layer,
    prev_lower: &[f64],
    prev_upper: &[f64],
    prev_relu: bool,
    mid: &mut Vec<f64>,
    rad: &mut Vec<f64>,
    lower: &mut [f64],
    upper: &mut [f64],
) {
    mid.clear();
    rad.clear();
    for (&l, &u) in prev_lower.iter().zip(prev_upper) {
        let (l, u) = if prev_relu {
            (l.max(0.0), u.max(0.0))
        } else {
            (l, u)
        };
        mid.push(0.5 * (l + u));
        rad.push(0.5 * (u - l));
    }
    let bias = layer.bias();
    for j in 0..layer.outputs() {
        let row = layer.row(j);
        let mut centre = 0.0;
        let mut radius = 0.0;
        for ((w, c), r) in row.iter().zip(mid.iter()).zip(rad.iter()) {
            centre += w * c;
            radius += w.abs() * r;
        }
        lower[j] = bias[j] + centre - radius;
        upper[j] = bias[j] + centre + radius;
    }
}

/// Clips a layer's bounds by the phases and checks them; false when infeasible.
fn apply_phases(lower: &mut [f64], upper: &mut [f64], phases: &[Phase]) -> bool {
    for j in 0..lower.len() {
        let (lo, hi) = (lower[j], upper[j]);
        let tol = INFEASIBILITY_TOL * lo.abs().max(hi.abs()).max(1.0);
        match phases.get(j).copied().unwrap_or_default() {
            Phase::Free => {
                if lo > hi + tol {
                    return false;
                }
                if lo > hi {
                    // Crossed by rounding only: keep the wider ordering, which contains the true range.
                    lower[j] = hi;
                    upper[j] = lo;
                }
            }
            Phase::Active => {
                if hi < -tol || lo > hi + tol {
                    return false;
                }
                lower[j] = lo.max(0.0);
                upper[j] = hi.max(lower[j]);
            }
            Phase::Inactive => {
                if lo > tol || lo > hi + tol {
                    return false;
                }
                upper[j] = hi.min(0.0);
                lower[j] = lo.min(upper[j]);
            }
        }
    }
    true
}
