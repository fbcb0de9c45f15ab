//! Linear bounds carried back to the input (CROWN: Zhang et al., NeurIPS 2018; DeepPoly: Singh et al., POPL 2019).
//!
//! For neuron `j` of layer `k` we keep two linear functions of the previous layer's activations, one above and
//! one below `z_j`, and push them back layer by layer: each activation is replaced by its ReLU relaxation
//! (upper: the chord `u/(u-l) (z - l)`; lower: `alpha z` with CROWN's adaptive `alpha = 1` if `u > -l`, else `0`),
//! chosen by the sign of its coefficient, then each pre-activation by its affine map. At the input the two
//! functions are maximised / minimised over the region (see [`super::concretize`]).

use super::concretize::Region;
use super::propagate::Propagator;
use super::NeuronBounds;
use crate::nn::Network;
use crate::spec::InputDomain;

/// Symbolic bounds of every layer's pre-activations over the domain, intersected with interval bounds.
pub fn symbolic_bounds(net: &Network, domain: &InputDomain) -> NeuronBounds {
    let mut out = NeuronBounds::unbounded(net);
    let mut prop = Propagator::new(net);
    let feasible = prop.run(domain, None, super::BoundMethod::Symbolic, &[], None, &mut out);
    if !feasible {
        // Only an empty domain can be infeasible with no phases fixed; keep plain interval bounds then.
        return super::interval_bounds(net, &domain.lower, &domain.upper);
    }
    out
}

/// The ReLU relaxation of one layer: `lower_slope z <= a <= upper_slope z + upper_intercept`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerRelaxation {
    pub upper_slope: Vec<f64>,
    pub upper_intercept: Vec<f64>,
    pub lower_slope: Vec<f64>,
}

impl LayerRelaxation {
    /// Sets the relaxation from the pre-activation bounds (`relu = false`: the identity).
    pub fn set(&mut self, lower: &[f64], upper: &[f64], relu: bool) {
        let n = lower.len();
        self.upper_slope.resize(n, 0.0);
        self.upper_intercept.resize(n, 0.0);
        self.lower_slope.resize(n, 0.0);
        for i in 0..n {
            let (l, u) = (lower[i], upper[i]);
            let (su, tu, sl) = if !relu || l >= 0.0 {
                (1.0, 0.0, 1.0)
            } else if u <= 0.0 {
                (0.0, 0.0, 0.0)
            } else {
                let s = u / (u - l);
                (s, -s * l, if u > -l { 1.0 } else { 0.0 })
            };
            self.upper_slope[i] = su;
            self.upper_intercept[i] = tu;
            self.lower_slope[i] = sl;
        }
    }
}

/// Work vectors of one back-substitution, reused between neurons.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    upper_coeffs: Vec<f64>,
    lower_coeffs: Vec<f64>,
    next_upper: Vec<f64>,
    next_lower: Vec<f64>,
    items: Vec<(f64, f64)>,
}

impl Scratch {
    /// Scratch with room for layers of up to `width` neurons.
    pub fn with_width(width: usize) -> Self {
        Scratch {
            upper_coeffs: Vec::with_capacity(width),
            lower_coeffs: Vec::with_capacity(width),
            next_upper: Vec::with_capacity(width),
            next_lower: Vec::with_capacity(width),
            items: Vec::with_capacity(width),
        }
    }
}

/// Lower and upper bounds on neuron `j` of layer `k`, given the relaxations of layers `0..k`.
pub(crate) fn back_substitute(
    net: &Network,
    k: usize,
    j: usize,
    relax: &[LayerRelaxation],
    region: &Region,
    s: &mut Scratch,
) -> (f64, f64) {
    let layers = net.layers();
    let layer = &layers[k];
    s.upper_coeffs.clear();
    s.upper_coeffs.extend_from_slice(layer.row(j));
    s.lower_coeffs.clear();
    s.lower_coeffs.extend_from_slice(layer.row(j));
    let mut cu = layer.bias()[j];
    let mut cl = cu;
    for m in (0..k).rev() {
        let rel = &relax[m];
        let lm = &layers[m];
        let bias = lm.bias();
        s.next_upper.clear();
        s.next_upper.resize(lm.inputs(), 0.0);
        s.next_lower.clear();
        s.next_lower.resize(lm.inputs(), 0.0);
        for r in 0..lm.outputs() {
            let lu = s.upper_coeffs[r];
            let ll = s.lower_coeffs[r];
            // Upper function: a positive coefficient takes the activation's upper relaxation.
            let mu = if lu >= 0.0 {
                cu += lu * rel.upper_intercept[r];
                lu * rel.upper_slope[r]
            } else {
                lu * rel.lower_slope[r]
            };
            let ml = if ll >= 0.0 {
                ll * rel.lower_slope[r]
            } else {
                cl += ll * rel.upper_intercept[r];
                ll * rel.upper_slope[r]
            };
            if mu == 0.0 && ml == 0.0 {
                continue;
            }
            cu += mu * bias[r];
            cl += ml * bias[r];
            let row = lm.row(r);
            if ml == 0.0 {
                for (nu, w) in s.next_upper.iter_mut().zip(row) {
                    *nu += mu * w;
                }
            } else if mu == 0.0 {
                for (nl, w) in s.next_lower.iter_mut().zip(row) {
                    *nl += ml * w;
                }
            } else {
                for ((nu, nl), w) in s.next_upper.iter_mut().zip(s.next_lower.iter_mut()).zip(row) {
                    *nu += mu * w;
                    *nl += ml * w;
                }
            }
        }
        std::mem::swap(&mut s.upper_coeffs, &mut s.next_upper);
        std::mem::swap(&mut s.lower_coeffs, &mut s.next_lower);
    }
    let hi = cu + region.max_linear(&s.upper_coeffs, &mut s.items);
    let lo = cl + region.min_linear(&s.lower_coeffs, &mut s.items);
    (lo, hi)
}
