//! Linear bounds carried back to the input (CROWN: Zhang et al., NeurIPS 2018; DeepPoly: Singh et al., POPL 2019).
//!
//! For neuron `j` of layer `k` we keep two linear functions of the previous layer's activations, one above and
//! one below `z_j`, and push them back layer by layer: each activation is replaced by its ReLU relaxation
//! (upper: the chord `u/(u-l) (z - l)`; lower: `alpha z` with CROWN's adaptive `alpha = 1` if `u > -l`, else `0`),
//! chosen by the sign of its coefficient, then each pre-activation by its affine map. At the input the two
//! functions are maximised / minimised over the region (see [`super::concretize`]).

use super::concretize::Region;
use super::gemm::PackedRows;
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
    /// Neurons whose relaxation is not identically zero.
    pub kept: Vec<usize>,
    /// The weight rows of the kept neurons, packed for the back-substitution product.
    pub packed: PackedRows,
}

impl LayerRelaxation {
    /// Sets the relaxation of `layer` from its pre-activation bounds.
    pub fn set(&mut self, layer: &crate::nn::Layer, lower: &[f64], upper: &[f64]) {
        let relu = layer.has_relu();
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
        self.kept.clear();
        self.kept
            .extend((0..n).filter(|&r| self.upper_slope[r] != 0.0 || self.lower_slope[r] != 0.0));
        self.packed.pack(layer, &self.kept);
    }
}

/// Work matrices of one group's back-substitution, reused between groups and layers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Current coefficients, `rows x width` (rows: the group's upper functions, then its lower functions).
    coeffs: Vec<f64>,
    /// Coefficients on the kept pre-activations, `rows x kept`.
    compact: Vec<f64>,
    /// Constant term per row.
    consts: Vec<f64>,
    items: Vec<(f64, f64)>,
}

/// Neurons per group: the rows of one product (twice this: upper and lower functions).
pub(crate) const GROUP: usize = 16;

/// Lower and upper bounds on the neurons `targets` of layer `k`, given the relaxations of layers `0..k`,
/// written to `lower[t]`, `upper[t]` for the `t`-th target.
pub(crate) fn back_substitute(
    net: &Network,
    k: usize,
    targets: &[usize],
    relax: &[LayerRelaxation],
    region: &Region,
    s: &mut Scratch,
    lower: &mut [f64],
    upper: &mut [f64],
) {
    let layers = net.layers();
    let layer = &layers[k];
    let g = targets.len();
    let rows = 2 * g;
    let mut width = layer.inputs();
    s.coeffs.clear();
    for _side in 0..2 {
        for &j in targets {
            s.coeffs.extend_from_slice(layer.row(j));
        }
    }
    s.consts.clear();
    for _side in 0..2 {
        s.consts.extend(targets.iter().map(|&j| layer.bias()[j]));
    }
    for m in (0..k).rev() {
        let rel = &relax[m];
        let lm = &layers[m];
        let bias = lm.bias();
        let depth = rel.kept.len();
        if s.compact.len() < rows * depth {
            s.compact.resize(rows * depth, 0.0);
        }
        for b in 0..rows {
            let upper_side = b < g;
            let line = &s.coeffs[b * width..(b + 1) * width];
            let out = &mut s.compact[b * depth..(b + 1) * depth];
            let mut c = 0.0;
            // The upper function takes an activation's upper relaxation where its coefficient is positive,
            // the lower function where it is negative; written without branches (their signs are random, and
            // mispredicted branches here cost as much as the product below).
            for (kk, &r) in rel.kept.iter().enumerate() {
                let lam = line[r];
                let (pos, neg) = (lam.max(0.0), lam.min(0.0));
                let (to_upper, to_lower) = if upper_side { (pos, neg) } else { (neg, pos) };
                let mu = to_upper * rel.upper_slope[r] + to_lower * rel.lower_slope[r];
                // `0 * lam` keeps a NaN or infinite coefficient visible (the bound becomes NaN, which the
                // callers' max/min ignore) where max/min above would have dropped it.
                c += to_upper * rel.upper_intercept[r] + mu * bias[r] + 0.0 * lam;
                out[kk] = mu;
            }
            s.consts[b] += c;
        }
        width = lm.inputs();
        if s.coeffs.len() < rows * width {
            s.coeffs.resize(rows * width, 0.0);
        }
        if depth > 0 {
            // The product overwrites every entry it covers: no need to clear first.
            rel.packed.multiply(&s.compact, rows, &mut s.coeffs);
        } else {
            s.coeffs[..rows * width].fill(0.0);
        }
    }
    for t in 0..g {
        let up = &s.coeffs[t * width..(t + 1) * width];
        upper[t] = s.consts[t] + region.max_linear(up, &mut s.items);
        let lo = &s.coeffs[(g + t) * width..(g + t + 1) * width];
        lower[t] = s.consts[g + t] + region.min_linear(lo, &mut s.items);
    }
}
