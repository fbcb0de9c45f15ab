//! β-CROWN: the CROWN bound of a linear objective over a node of an activation-split tree, with the node's
//! split constraints (`z >= 0` for a neuron fixed active, `z <= 0` for one fixed inactive) added to the
//! back-substitution by Lagrange multipliers `β >= 0` (Wang et al., "Beta-CROWN", NeurIPS 2021), and the
//! lower slopes `α` of the unstable neurons optimised jointly with `β` by projected Adam steps.
//!
//! Soundness: for `β >= 0`, `c·y <= c·y + Σ β_r s_r z_r` on every point of the node (`s_r z_r >= 0` there,
//! `s_r = +1` active, `-1` inactive), and the right side is bounded by the usual CROWN back-substitution
//! through relaxations valid over the node (the caller's pre-activation bounds, clipped by the phases). Every
//! `α` in `[0, 1]` and every `β >= 0` therefore gives a valid bound; the optimiser only picks the smallest and
//! its iterates are projected back onto that set before each evaluation.

use super::objective::{
    back_through_layer, concretize_at_inputs, through_last_layer, ObjectiveBound, Slopes,
};
use super::propagate::{Phase, INFEASIBILITY_TOL};
use super::NeuronBounds;
use crate::nn::Network;
use crate::spec::InputDomain;
use std::time::Instant;

/// Multipliers of the split constraints, per layer (every layer but the last) and neuron; entries of
/// neurons that are not split are ignored.
pub type Betas = Vec<Vec<f64>>;

/// The relaxation of one hidden layer at a node.
#[derive(Debug, Clone, Default)]
struct NodeRelaxation {
    upper_slope: Vec<f64>,
    upper_intercept: Vec<f64>,
    /// CROWN's default lower slope (1 if `u > -l`, else 0; 1 for active, 0 for inactive neurons).
    lower_slope: Vec<f64>,
    /// `+1` fixed active, `-1` fixed inactive, `0` free: the sign of the split constraint `s z >= 0`.
    sign: Vec<f64>,
    /// Unstable after clipping (`l < 0 < u`): the lower slope is free in `[0, 1]`.
    unstable: Vec<bool>,
}

/// Learning rates and moments of the projected Adam steps (α,β-CROWN's defaults are of this order).
const ALPHA_RATE: f64 = 0.1;
const BETA_RATE: f64 = 0.05;
const ADAM_B1: f64 = 0.9;
const ADAM_B2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;

/// β-CROWN over one network: set a node with [`BetaCrown::set_node`], then bound objectives over it.
#[derive(Debug, Clone)]
pub struct BetaCrown<'n> {
    net: &'n Network,
    relax: Vec<NodeRelaxation>,
    move_slopes: bool,
}

impl<'n> BetaCrown<'n> {
    /// State for `net` (ReLU on hidden layers; the last layer is affine).
    pub fn new(net: &'n Network) -> Self {
        BetaCrown {
            net,
            relax: vec![NodeRelaxation::default(); net.layers().len().saturating_sub(1)],
            move_slopes: true,
        }
    }

    /// Whether [`BetaCrown::optimise`] moves the slopes (default) or only the multipliers, the slopes
    /// then staying as given.
    pub fn set_move_slopes(&mut self, move_slopes: bool) {
        self.move_slopes = move_slopes;
    }

    /// Sets the node: `bounds` must hold pre-activation bounds valid over the node (e.g. the parent's, or
    /// the root's), `phases[r][j]` the phase of neuron `j` of the `r`-th ReLU layer. The bounds of fixed
    /// neurons are clipped (`l >= 0` active, `u <= 0` inactive) and written back to `bounds`. Returns false
    /// when the clipped bounds are empty beyond [`INFEASIBILITY_TOL`] (the node holds no point).
    pub fn set_node(&mut self, bounds: &mut NeuronBounds, phases: &[Vec<Phase>]) -> bool {
        let layers = self.net.layers();
        let mut relu = 0;
        for (m, rel) in self.relax.iter_mut().enumerate() {
            let layer = &layers[m];
            let n = layer.outputs();
            let (Some(lower), Some(upper)) = (bounds.lower.get_mut(m), bounds.upper.get_mut(m)) else {
                return false;
            };
            if lower.len() != n || upper.len() != n {
                return false;
            }
            let layer_phases: &[Phase] = if layer.has_relu() {
                relu += 1;
                phases.get(relu - 1).map(Vec::as_slice).unwrap_or(&[])
            } else {
                &[]
            };
            rel.upper_slope.resize(n, 0.0);
            rel.upper_intercept.resize(n, 0.0);
            rel.lower_slope.resize(n, 0.0);
            rel.sign.resize(n, 0.0);
            rel.unstable.resize(n, false);
            for j in 0..n {
                let (mut l, mut u) = (lower[j], upper[j]);
                let tol = INFEASIBILITY_TOL * l.abs().max(u.abs()).max(1.0);
                if l.is_nan() || u.is_nan() || l > u + tol {
                    return false;
                }
                let phase = layer_phases.get(j).copied().unwrap_or_default();
                match phase {
                    Phase::Free => {}
                    Phase::Active => {
                        if u < -tol {
                            return false;
                        }
                        l = l.max(0.0);
                        u = u.max(l);
                    }
                    Phase::Inactive => {
                        if l > tol {
                            return false;
                        }
                        u = u.min(0.0);
                        l = l.min(u);
                    }
                }
                lower[j] = l;
                upper[j] = u;
                rel.sign[j] = match phase {
                    Phase::Free => 0.0,
                    Phase::Active => 1.0,
                    Phase::Inactive => -1.0,
                };
                let (su, tu, sl, unstable) = if !layer.has_relu() || l >= 0.0 {
                    (1.0, 0.0, 1.0, false)
                } else if u <= 0.0 {
                    (0.0, 0.0, 0.0, false)
                } else {
                    let s = u / (u - l);
                    (s, -s * l, if u > -l { 1.0 } else { 0.0 }, true)
                };
                rel.upper_slope[j] = su;
                rel.upper_intercept[j] = tu;
                rel.lower_slope[j] = sl;
                rel.unstable[j] = unstable;
            }
        }
        true
    }

    /// Slopes and multipliers of the right shape: CROWN's slopes and zero multipliers where `alpha` or
    /// `beta` do not match the network.
    fn shape(&self, alpha: &mut Slopes, beta: &mut Betas) {
        let layers = self.net.layers();
        let last = self.relax.len();
        if !(alpha.len() == last && (0..last).all(|m| alpha[m].len() == layers[m].outputs())) {
            *alpha = self.relax.iter().map(|r| r.lower_slope.clone()).collect();
        }
        if !(beta.len() == last && (0..last).all(|m| beta[m].len() == layers[m].outputs())) {
            *beta = (0..last).map(|m| vec![0.0; layers[m].outputs()]).collect();
        }
    }

    /// The upper bound of `c·y` (`c` over the last layer's outputs) over the node with slopes `alpha`
    /// (clamped to `[0, 1]`; CROWN's where missing) and multipliers `beta` (clamped to `>= 0`; zero where
    /// missing), written to `out`.
    pub fn bound(
        &self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        c: &[f64],
        alpha: &Slopes,
        beta: &Betas,
        out: &mut ObjectiveBound,
    ) -> f64 {
        let layers = self.net.layers();
        let last = self.relax.len();
        out.coeffs.resize(last, Vec::new());
        let (mut g, mut constant) = through_last_layer(&layers[last], c);
        for m in (0..last).rev() {
            let rel = &self.relax[m];
            let layer = &layers[m];
            if rel.sign.len() != layer.outputs() {
                out.value = f64::INFINITY;
                return out.value;
            }
            let mut mu = vec![0.0; layer.outputs()];
            for r in 0..layer.outputs() {
                let lam = g[r];
                let mut coeff = if lam >= 0.0 {
                    constant += lam * rel.upper_intercept[r];
                    lam * rel.upper_slope[r]
                } else if rel.unstable[r] {
                    let slope = alpha.get(m).and_then(|a| a.get(r)).copied();
                    lam * slope.map_or(rel.lower_slope[r], |s| s.clamp(0.0, 1.0))
                } else {
                    lam * rel.lower_slope[r]
                };
                if rel.sign[r] != 0.0 {
                    let multiplier = beta.get(m).and_then(|b| b.get(r)).copied().unwrap_or(0.0);
                    coeff += rel.sign[r] * multiplier.max(0.0);
                }
                mu[r] = coeff;
                constant += coeff * layer.bias()[r];
            }
            out.coeffs[m].clear();
            out.coeffs[m].extend_from_slice(&g);
            g = back_through_layer(layer, &mu);
        }
        concretize_at_inputs(domain, input_box, g, constant, out)
    }

    /// β-CROWN on `c·y`: `steps` projected Adam steps on the slopes of the unstable neurons and the
    /// multipliers of the split neurons, from `alpha` and `beta` (CROWN's slopes and zero multipliers where
    /// their shape does not match). Leaves the best slopes and multipliers in place, the best bound in `out`,
    /// and returns it. Stops early once the bound is below `stop_below` (a node already pruned).
    #[allow(clippy::too_many_arguments)]
    pub fn optimise(
        &self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        c: &[f64],
        alpha: &mut Slopes,
        beta: &mut Betas,
        steps: usize,
        stop_below: f64,
        out: &mut ObjectiveBound,
    ) -> f64 {
        self.shape(alpha, beta);
        let layers = self.net.layers();
        let last = self.relax.len();
        let mut best = self.bound(domain, input_box, c, alpha, beta, out);
        if steps == 0 || !best.is_finite() || best < stop_below {
            return best;
        }
        let mut best_alpha = alpha.clone();
        let mut best_beta = beta.clone();
        let zeros = || -> Vec<Vec<f64>> { (0..last).map(|m| vec![0.0; layers[m].outputs()]).collect() };
        let (mut ma, mut va, mut mb, mut vb) = (zeros(), zeros(), zeros(), zeros());
        let mut current = ObjectiveBound::default();
        let mut from_best = true;
        for t in 1..=steps {
            // Gradients at the current point by Danskin (the relaxation choices fixed locally): the
            // back-substituted function is the relaxed network's `c·y` plus `Σ β s z` at the maximiser, so
            // the gradient in a slope is the neuron's coefficient times its pre-activation there, in a
            // multiplier the signed pre-activation.
            let at = if from_best { &*out } else { &current };
            let mut h = at.maximiser.clone();
            for m in 0..last {
                let layer = &layers[m];
                let rel = &self.relax[m];
                let z = layer.affine(&h);
                let mut next = vec![0.0; z.len()];
                for r in 0..z.len() {
                    let lam = at.coeffs[m][r];
                    next[r] = if lam >= 0.0 {
                        rel.upper_slope[r] * z[r] + rel.upper_intercept[r]
                    } else if rel.unstable[r] {
                        alpha[m][r] * z[r]
                    } else {
                        rel.lower_slope[r] * z[r]
                    };
                    let ga = if rel.unstable[r] && lam < 0.0 {
                        lam * z[r]
                    } else {
                        0.0
                    };
                    let gb = rel.sign[r] * z[r];
                    let correction1 = 1.0 - ADAM_B1.powi(t as i32);
                    let correction2 = 1.0 - ADAM_B2.powi(t as i32);
                    if rel.unstable[r] && self.move_slopes {
                        ma[m][r] = ADAM_B1 * ma[m][r] + (1.0 - ADAM_B1) * ga;
                        va[m][r] = ADAM_B2 * va[m][r] + (1.0 - ADAM_B2) * ga * ga;
                        let step = ALPHA_RATE * (ma[m][r] / correction1)
                            / ((va[m][r] / correction2).sqrt() + ADAM_EPS);
                        alpha[m][r] = (alpha[m][r] - step).clamp(0.0, 1.0);
                    }
                    if rel.sign[r] != 0.0 {
                        mb[m][r] = ADAM_B1 * mb[m][r] + (1.0 - ADAM_B1) * gb;
                        vb[m][r] = ADAM_B2 * vb[m][r] + (1.0 - ADAM_B2) * gb * gb;
                        let step = BETA_RATE * (mb[m][r] / correction1)
                            / ((vb[m][r] / correction2).sqrt() + ADAM_EPS);
                        beta[m][r] = (beta[m][r] - step).max(0.0);
                    }
                }
                h = next;
            }
            let v = self.bound(domain, input_box, c, alpha, beta, &mut current);
            from_best = false;
            if v < best {
                best = v;
                best_alpha.clone_from(alpha);
                best_beta.clone_from(beta);
                out.clone_from(&current);
                if best < stop_below {
                    break;
                }
            }
        }
        *alpha = best_alpha;
        *beta = best_beta;
        best
    }
}

/// Tightens the pre-activation bounds of the unstable neurons of hidden layer `k` (`0 < k`, ReLU) by
/// α-CROWN: each bound is the optimised CROWN bound of `±z_j` over the sub-network of layers `0..=k`,
/// through the relaxations that `bounds` (valid over the domain, or the given input box) define for layers
/// `0..k`. Each new bound is valid for any slopes, so it is intersected with the old one; neurons not reached
/// by `deadline` keep their bounds. Returns the number of neurons of layer `k` that became stable.
pub fn tighten_layer(
    net: &Network,
    domain: &InputDomain,
    input_box: Option<(&[f64], &[f64])>,
    k: usize,
    bounds: &mut NeuronBounds,
    steps: usize,
    deadline: Option<Instant>,
) -> usize {
    let layers = net.layers();
    if k == 0 || k + 1 >= layers.len() || !layers[k].has_relu() {
        return 0;
    }
    let mut sub_layers: Vec<crate::nn::Layer> = layers[..=k].to_vec();
    let top = &layers[k];
    let Ok(affine_top) = crate::nn::Layer::new(
        top.inputs(),
        top.outputs(),
        top.weights().to_vec(),
        top.bias().to_vec(),
        false,
    ) else {
        return 0;
    };
    sub_layers[k] = affine_top;
    let Ok(sub) = Network::new(sub_layers) else {
        return 0;
    };
    let mut sub_bounds = NeuronBounds {
        lower: bounds.lower[..=k].to_vec(),
        upper: bounds.upper[..=k].to_vec(),
    };
    let mut crown = BetaCrown::new(&sub);
    if !crown.set_node(&mut sub_bounds, &[]) {
        return 0;
    }
    let mut ob = ObjectiveBound::default();
    let mut c = vec![0.0; top.outputs()];
    let mut stabilised = 0;
    for j in 0..top.outputs() {
        let (l, u) = (bounds.lower[k][j], bounds.upper[k][j]);
        if !(l < 0.0 && u > 0.0) {
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let mut beta = Betas::new();
        c[j] = 1.0;
        let mut alpha = Slopes::new();
        let upper = crown.optimise(
            domain,
            input_box,
            &c,
            &mut alpha,
            &mut beta,
            steps,
            f64::NEG_INFINITY,
            &mut ob,
        );
        c[j] = -1.0;
        let mut alpha = Slopes::new();
        let neg_lower = crown.optimise(
            domain,
            input_box,
            &c,
            &mut alpha,
            &mut beta,
            steps,
            f64::NEG_INFINITY,
            &mut ob,
        );
        c[j] = 0.0;
        let (new_l, new_u) = (l.max(-neg_lower), u.min(upper));
        if new_l <= new_u {
            bounds.lower[k][j] = new_l;
            bounds.upper[k][j] = new_u;
        }
        if !(bounds.lower[k][j] < 0.0 && bounds.upper[k][j] > 0.0) {
            stabilised += 1;
        }
    }
    stabilised
}

/// CROWN bounds of every layer of `net` over the domain, then each hidden ReLU layer after the first
/// tightened by [`tighten_layer`] (`steps` α-CROWN steps per bound) and the later layers' CROWN bounds
/// recomputed through the tightened relaxations; the neurons not reached by `deadline` keep CROWN's bounds.
/// `None` when the domain is empty.
pub fn tightened_bounds(
    net: &Network,
    domain: &InputDomain,
    steps: usize,
    deadline: Option<Instant>,
) -> Option<NeuronBounds> {
    let layers = net.layers();
    let mut prop = super::Propagator::new(net);
    prop.set_tighten_stable(false);
    let mut bounds = NeuronBounds::unbounded(net);
    if !prop.run(domain, None, super::BoundMethod::Symbolic, &[], None, &mut bounds) {
        return None;
    }
    if steps == 0 {
        return Some(bounds);
    }
    for k in 1..layers.len().saturating_sub(1) {
        if !layers[k].has_relu() {
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        tighten_layer(net, domain, None, k, &mut bounds, steps, deadline);
        let tightened = bounds.clone();
        if !prop.run(
            domain,
            None,
            super::BoundMethod::Symbolic,
            &[],
            Some(&tightened),
            &mut bounds,
        ) {
            return None;
        }
    }
    Some(bounds)
}
