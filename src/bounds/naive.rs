//! The norm bound: the floor that is always available and the loosest of the methods.
//!
//! With `r_0 = max_i max(|l_i|, |u_i|)` bounding `||x||_inf` over the input box, neuron `j` of layer `k` obeys
//! `|z_j - b_j| <= ||W_j||_1 r_{k-1}`, and the next layer's input satisfies
//! `||a_k||_inf <= r_k = ||W_k||_inf r_{k-1} + ||b_k||_inf` (a ReLU never increases absolute values).

use super::NeuronBounds;
use crate::nn::Network;

/// Norm bounds of every layer's pre-activations over the box `[lower, upper]`.
pub fn naive_bounds(net: &Network, lower: &[f64], upper: &[f64]) -> NeuronBounds {
    let mut radius = lower.iter().chain(upper).fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut out = NeuronBounds {
        lower: Vec::with_capacity(net.layers().len()),
        upper: Vec::with_capacity(net.layers().len()),
    };
    for layer in net.layers() {
        let row_norms: Vec<f64> = (0..layer.outputs())
            .map(|j| layer.row(j).iter().map(|w| w.abs()).sum())
            .collect();
        out.lower.push(
            row_norms
                .iter()
                .zip(layer.bias())
                .map(|(n, b)| b - n * radius)
                .collect(),
        );
        out.upper.push(
            row_norms
                .iter()
                .zip(layer.bias())
                .map(|(n, b)| b + n * radius)
                .collect(),
        );
        let matrix_norm = row_norms.iter().fold(0.0_f64, |m, v| m.max(*v));
        let bias_norm = layer.bias().iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        radius = matrix_norm * radius + bias_norm;
    }
    out
}
