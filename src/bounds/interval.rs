//! Interval arithmetic, layer by layer.

use super::NeuronBounds;
use crate::nn::Network;

/// Interval bounds of every layer's pre-activations over the box `[lower, upper]`.
pub fn interval_bounds(net: &Network, lower: &[f64], upper: &[f64]) -> NeuronBounds {
    let mut lo = lower.to_vec();
    let mut hi = upper.to_vec();
    let mut out = NeuronBounds {
        lower: Vec::new(),
        upper: Vec::new(),
    };
    for layer in net.layers() {
        let mut zl = layer.bias().to_vec();
        let mut zu = layer.bias().to_vec();
        for j in 0..layer.outputs() {
            for (i, &w) in layer.row(j).iter().enumerate() {
                if w >= 0.0 {
                    zl[j] += w * lo[i];
                    zu[j] += w * hi[i];
                } else {
                    zl[j] += w * hi[i];
                    zu[j] += w * lo[i];
                }
            }
        }
        if layer.has_relu() {
            lo = zl.iter().map(|v| v.max(0.0)).collect();
            hi = zu.iter().map(|v| v.max(0.0)).collect();
        } else {
            lo = zl.clone();
            hi = zu.clone();
        }
        out.lower.push(zl);
        out.upper.push(zu);
    }
    out
}
