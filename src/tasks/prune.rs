//! Magnitude pruning: zero every weight with `|w| <= eps`, or a given share of the smallest-magnitude weights.
//! Biases are kept. The pruned network is a new `Network`; the original is untouched.

use crate::error::{Error, Result};
use crate::nn::Network;

/// Which weights to zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruneRule {
    /// Every weight with `|w| <= eps` (`eps >= 0`).
    Threshold(f64),
    /// This percentage (0 to 100) of all weights, smallest magnitude first, over all layers together
    /// (`floor(percent / 100 * total)` weights; ties in magnitude go by layer, then row-major position).
    Percent(f64),
}

/// What pruning did to one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LayerPruning {
    /// Weights in the layer.
    pub weights: usize,
    /// Weights this pruning set to zero (already-zero weights are not counted).
    pub pruned: usize,
    /// Weights that are zero after pruning.
    pub zeros: usize,
}

impl LayerPruning {
    /// Share of the layer's weights that are zero after pruning (0 for an empty layer).
    pub fn zero_share(&self) -> f64 {
        if self.weights == 0 {
            0.0
        } else {
            self.zeros as f64 / self.weights as f64
        }
    }
}

/// The outcome of [`prune`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PruneReport {
    /// Per layer, first to last.
    pub layers: Vec<LayerPruning>,
}

impl PruneReport {
    /// Weights set to zero over all layers.
    pub fn total_pruned(&self) -> usize {
        self.layers.iter().map(|l| l.pruned).sum()
    }

    /// Weights over all layers.
    pub fn total_weights(&self) -> usize {
        self.layers.iter().map(|l| l.weights).sum()
    }
}

/// The network with weights zeroed by `rule`, and what was zeroed per layer.
pub fn prune(net: &Network, rule: PruneRule) -> Result<(Network, PruneReport)> {
    let mut pruned = net.clone();
    let zero_mask: Vec<Vec<bool>> = match rule {
        PruneRule::Threshold(eps) => {
            if eps.is_nan() || eps < 0.0 {
                return Err(Error::Options(format!("prune: eps must be >= 0, got {eps}")));
            }
            net.layers()
                .iter()
                .map(|l| l.weights().iter().map(|w| w.abs() <= eps).collect())
                .collect()
        }
        PruneRule::Percent(p) => {
            if !(0.0..=100.0).contains(&p) {
                return Err(Error::Options(format!(
                    "prune: percent must be in [0, 100], got {p}"
                )));
            }
            let mut all: Vec<(f64, usize, usize)> = net
                .layers()
                .iter()
                .enumerate()
                .flat_map(|(k, l)| l.weights().iter().enumerate().map(move |(i, w)| (w.abs(), k, i)))
                .collect();
            let count = ((p / 100.0) * all.len() as f64).floor() as usize;
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let mut mask: Vec<Vec<bool>> = net
                .layers()
                .iter()
                .map(|l| vec![false; l.weights().len()])
                .collect();
            for &(_, k, i) in &all[..count.min(all.len())] {
                mask[k][i] = true;
            }
            mask
        }
    };
    let mut layers = Vec::with_capacity(net.layers().len());
    for (layer, mask) in pruned.layers_mut().iter_mut().zip(&zero_mask) {
        let mut newly = 0;
        for (w, &zero) in layer.weights_mut().iter_mut().zip(mask) {
            if zero && *w != 0.0 {
                *w = 0.0;
                newly += 1;
            }
        }
        layers.push(LayerPruning {
            weights: layer.weights().len(),
            pruned: newly,
            zeros: layer.weights().iter().filter(|w| **w == 0.0).count(),
        });
    }
    Ok((pruned, PruneReport { layers }))
}

/// Share of `inputs` whose largest output (first on ties) is the label; `None` when there are no inputs,
/// an input has the wrong size, or the counts differ.
pub fn accuracy(net: &Network, inputs: &[Vec<f64>], labels: &[usize]) -> Option<f64> {
    if inputs.is_empty() || inputs.len() != labels.len() || inputs.iter().any(|x| x.len() != net.input_size())
    {
        return None;
    }
    let correct = inputs
        .iter()
        .zip(labels)
        .filter(|(x, &label)| argmax(&net.forward(x)) == Some(label))
        .count();
    Some(correct as f64 / inputs.len() as f64)
}

fn argmax(v: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, x) in v.iter().enumerate() {
        if best.is_none_or(|b| *x > v[b]) {
            best = Some(i);
        }
    }
    best
}
