//! `ActivationBranching`: splits a node on a neuron's activation state (or on an input feature's range),
//! choosing by an estimate of how much the split improves the bound.
//!
//! Scores: `Babsr` — the bias shift `-l u / (u - l)` of the neuron's triangle relaxation times the
//! magnitude of the objective's sensitivity to the neuron, back-propagated from the LP duals of the
//! output rows through the relaxed network (Bunel et al., JMLR 2020); `Violation` — how far the LP point
//! is from the ReLU graph, `h - max(z, 0)`. Input splits pick the feature with the largest
//! `width * |sensitivity|` (ReluVal's smear) and halve its range.

use super::model::{NeuronColumns, ReluModel, Stability};
use super::propagate::{propagate_with_phases, FixedPhase, LayerBounds};
use crate::lp::DualSimplex;
use crate::mip::{BoundChange, BranchRule, Child, NodeView, INTEGRALITY_TOL};
use crate::nn::Network;

/// How neurons are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationScore {
    /// Bias shift times back-propagated sensitivity (BaBSR-like).
    Babsr,
    /// Distance of the LP point from the ReLU graph.
    Violation,
}

/// What a node is split on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitMode {
    /// Activation states only.
    Activation,
    /// Input ranges only (activations when no input can be split).
    Input,
    /// Input ranges when the network has at most this many inputs, else activations.
    Auto(usize),
}

/// Input splits go only to inputs at least this many times narrower (relative to the root) than the widest.
const INPUT_BALANCE: f64 = 8.0;

/// The branching rule of a [`ReluModel`].
#[derive(Debug, Clone)]
pub struct ActivationBranching {
    network: Network,
    input_cols: Vec<usize>,
    cols: Vec<Vec<NeuronColumns>>,
    root: LayerBounds,
    score: ActivationScore,
    mode: SplitMode,
    /// Input ranges narrower than this (relative to the root range) are not split.
    pub min_input_fraction: f64,
    root_width: Vec<f64>,
}

impl ActivationBranching {
    /// A rule for the model.
    pub fn new(model: &ReluModel, score: ActivationScore, mode: SplitMode) -> Self {
        ActivationBranching {
            network: model.network.clone(),
            input_cols: model.input_cols.clone(),
            cols: model.neurons.clone(),
            root: (model.bounds.lower.clone(), model.bounds.upper.clone()),
            score,
            mode,
            min_input_fraction: 1e-6,
            root_width: model
                .domain
                .upper
                .iter()
                .zip(&model.domain.lower)
                .map(|(u, l)| u - l)
                .collect(),
        }
    }

    fn phase(&self, k: usize, j: usize, lower: &[f64], upper: &[f64]) -> FixedPhase {
        let (bin, stab) = (self.cols[k][j].binary, self.cols[k][j].stability);
        match (stab, bin) {
            (Stability::Active, _) => FixedPhase::Active,
            (Stability::Inactive, _) => FixedPhase::Inactive,
            (_, Some(a)) if lower[a] >= 0.5 => FixedPhase::Active,
            (_, Some(a)) if upper[a] <= 0.5 => FixedPhase::Inactive,
            _ => FixedPhase::Free,
        }
    }

    /// The node's pre-activation bounds (interval propagation with its phases, clipped by the root's).
    fn node_bounds(&self, view: &NodeView, phases: &[Vec<FixedPhase>]) -> LayerBounds {
        let lo: Vec<f64> = self.input_cols.iter().map(|&c| view.col_lower[c]).collect();
        let hi: Vec<f64> = self.input_cols.iter().map(|&c| view.col_upper[c]).collect();
        propagate_with_phases(&self.network, &lo, &hi, phases, &self.root, lo.len() <= 64)
            .unwrap_or_else(|| self.root.clone())
    }

    /// Sensitivities `d objective / d value` of every layer's post-activation values and of the inputs,
    /// from the output rows' duals back through the network with the relaxation's slopes.
    fn sensitivities(
        &self,
        duals: &[f64],
        bounds: &LayerBounds,
        phases: &[Vec<FixedPhase>],
    ) -> (Vec<Vec<f64>>, Vec<f64>) {
        let layers = self.network.layers();
        let last = layers.len() - 1;
        let mut lambda: Vec<f64> = self.cols[last]
            .iter()
            .map(|n| {
                if n.value.is_some() {
                    duals.get(n.first_row).copied().unwrap_or(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let mut per_layer = vec![Vec::new(); layers.len()];
        for k in (0..layers.len()).rev() {
            let layer = &layers[k];
            // Through the activation of layer k: multiply by the slope.
            if layer.has_relu() {
                for j in 0..lambda.len() {
                    let (l, u) = (bounds.0[k][j], bounds.1[k][j]);
                    let slope = match phases[k][j] {
                        FixedPhase::Active => 1.0,
                        FixedPhase::Inactive => 0.0,
                        FixedPhase::Free if l >= 0.0 => 1.0,
                        FixedPhase::Free if u <= 0.0 => 0.0,
                        FixedPhase::Free => u / (u - l),
                    };
                    lambda[j] *= slope;
                }
            }
            per_layer[k] = lambda.clone();
            // Through the affine map of layer k to the previous values.
            let mut prev = vec![0.0; layer.inputs()];
            for (j, &lj) in lambda.iter().enumerate() {
                if lj == 0.0 {
                    continue;
                }
                for (i, &w) in layer.row(j).iter().enumerate() {
                    prev[i] += lj * w;
                }
            }
            lambda = prev;
        }
        (per_layer, lambda)
    }

    fn input_split(&self, view: &NodeView, input_sens: &[f64]) -> Option<Vec<Child>> {
        let relative = |i: usize| {
            let c = self.input_cols[i];
            (view.col_upper[c] - view.col_lower[c]) / self.root_width[i].max(1e-12)
        };
        // Only inputs at least 1/INPUT_BALANCE as wide (relative to the root) as the widest are split: an
        // input the LP duals ignore still feeds neurons whose relaxation is loose, and halving the others
        // forever leaves that gap open (both children of every split stay open).
        let widest = (0..self.input_cols.len())
            .filter(|&i| !view.problem.integer[self.input_cols[i]])
            .map(relative)
            .fold(0.0, f64::max);
        let narrowest_allowed = self.min_input_fraction.max(widest / INPUT_BALANCE);
        let mut best: Option<(f64, usize)> = None;
        for (i, &c) in self.input_cols.iter().enumerate() {
            let w = view.col_upper[c] - view.col_lower[c];
            if relative(i) <= narrowest_allowed || view.problem.integer[c] {
                continue;
            }
            // Sensitivity zero everywhere (no duals): split the widest relative range.
            let score = w * (input_sens[i].abs() + 1e-9 / self.root_width[i].max(1e-12));
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, i));
            }
        }
        let (_, i) = best?;
        let c = self.input_cols[i];
        let mid = 0.5 * (view.col_lower[c] + view.col_upper[c]);
        Some(vec![
            Child {
                changes: vec![BoundChange::upper(c, mid)],
                bound: view.lp_value,
            },
            Child {
                changes: vec![BoundChange::lower(c, mid)],
                bound: view.lp_value,
            },
        ])
    }
}

impl BranchRule for ActivationBranching {
    fn name(&self) -> &str {
        match (self.mode, self.score) {
            (SplitMode::Input, _) => "input split",
            (SplitMode::Auto(n), _) if self.input_cols.len() <= n => "input split",
            (_, ActivationScore::Babsr) => "activation (babsr)",
            (_, ActivationScore::Violation) => "activation (violation)",
        }
    }

    fn branch(&mut self, view: &NodeView, lp: &mut DualSimplex) -> Option<Vec<Child>> {
        let (lower, upper) = (view.col_lower, view.col_upper);
        let phases: Vec<Vec<FixedPhase>> = (0..self.cols.len())
            .map(|k| {
                (0..self.cols[k].len())
                    .map(|j| self.phase(k, j, lower, upper))
                    .collect()
            })
            .collect();
        let bounds = self.node_bounds(view, &phases);
        let duals = lp.row_duals();
        let (sens, input_sens) = self.sensitivities(&duals, &bounds, &phases);
        let split_inputs = match self.mode {
            SplitMode::Input => true,
            SplitMode::Auto(n) => self.input_cols.len() <= n,
            SplitMode::Activation => false,
        };
        if split_inputs {
            if let Some(children) = self.input_split(view, &input_sens) {
                return Some(children);
            }
        }
        let x = view.x;
        // A neuron whose binary the LP already sets to 0 or 1 gives a child with the parent's LP: split
        // only where the LP point is fractional (all neurons when none is, e.g. no LP point).
        let fractional = |a: usize| x.get(a).is_some_and(|&v| v.min(1.0 - v) > INTEGRALITY_TOL);
        let any_fractional = self.cols.iter().enumerate().any(|(k, layer)| {
            layer
                .iter()
                .enumerate()
                .any(|(j, n)| phases[k][j] == FixedPhase::Free && n.binary.is_some_and(fractional))
        });
        let mut best: Option<(f64, usize)> = None;
        let layers = self.network.layers();
        for (k, layer) in self.cols.iter().enumerate() {
            for (j, n) in layer.iter().enumerate() {
                let (Some(h), Some(a)) = (n.value, n.binary) else {
                    continue;
                };
                if phases[k][j] != FixedPhase::Free || (any_fractional && !fractional(a)) {
                    continue;
                }
                let (l, u) = (bounds.0[k][j], bounds.1[k][j]);
                let score = match self.score {
                    ActivationScore::Babsr => {
                        let shift = if l < 0.0 && u > 0.0 { -l * u / (u - l) } else { 0.0 };
                        // The sensitivity after the activation, undone by the slope: the neuron's own weight.
                        let slope = if l < 0.0 && u > 0.0 { u / (u - l) } else { 1.0 };
                        let s = if slope > 0.0 { sens[k][j] / slope } else { 0.0 };
                        shift * s.abs() + 1e-9 * shift
                    }
                    ActivationScore::Violation => {
                        let row = layers[k].row(j);
                        let mut z = layers[k].bias()[j];
                        let prev: Vec<Option<usize>> = if k == 0 {
                            self.input_cols.iter().map(|&c| Some(c)).collect()
                        } else {
                            self.cols[k - 1].iter().map(|c| c.value).collect()
                        };
                        for (i, &w) in row.iter().enumerate() {
                            if let Some(c) = prev[i] {
                                z += w * x[c];
                            }
                        }
                        let frac = x[a].min(1.0 - x[a]).max(0.0);
                        (x[h] - z.max(0.0)).max(0.0) + 1e-6 * frac
                    }
                };
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, a));
                }
            }
        }
        let (_, a) = best?;
        Some(vec![
            Child {
                changes: vec![BoundChange::fix(a, 0.0)],
                bound: view.lp_value,
            },
            Child {
                changes: vec![BoundChange::fix(a, 1.0)],
                bound: view.lp_value,
            },
        ])
    }
}
