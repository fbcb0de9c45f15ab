//! The CROWN bound of one linear objective `c · y` over the last layer's outputs, back-substituted through
//! the relaxations of the last [`Propagator::run`] (the node's phases and input box), and α-CROWN: the lower
//! slopes of unstable neurons optimised by projected sign-gradient steps (Xu et al., "Fast and complete",
//! ICLR 2021). Every slope in `[0, 1]` gives a valid lower relaxation, so every bound computed is valid; the
//! optimisation only picks the smallest.

use super::concretize::Region;
use super::propagate::Propagator;
use crate::nn::Layer;
use crate::spec::InputDomain;

/// An upper bound of `c · y` over a node, and the linear function it comes from.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveBound {
    /// The upper bound (`+inf` when the back-substitution could not run).
    pub value: f64,
    /// Coefficients of the linear upper function over the inputs.
    pub input_coeffs: Vec<f64>,
    /// A maximiser over the input box of the linear upper function.
    pub maximiser: Vec<f64>,
    /// `coeffs[m][j]`: the coefficient of neuron `j`'s post-activation of layer `m` (every layer but the last)
    /// in the back-substituted function (the sensitivity a branching score reads).
    pub coeffs: Vec<Vec<f64>>,
}

/// Lower slopes per layer and neuron (every layer but the last); entries of neurons that are not unstable
/// are ignored.
pub type Slopes = Vec<Vec<f64>>;

/// `c · y` through the last (linear) layer: the coefficients over its inputs and the constant.
pub(super) fn through_last_layer(top: &Layer, c: &[f64]) -> (Vec<f64>, f64) {
    let mut g = vec![0.0; top.inputs()];
    let mut constant = 0.0;
    for (j, &cj) in c.iter().enumerate().take(top.outputs()) {
        if cj == 0.0 {
            continue;
        }
        constant += cj * top.bias()[j];
        for (gi, w) in g.iter_mut().zip(top.row(j)) {
            *gi += cj * w;
        }
    }
    (g, constant)
}

/// Coefficients `mu` over a layer's pre-activations carried back to its inputs (`Wᵀ mu`).
pub(super) fn back_through_layer(layer: &Layer, mu: &[f64]) -> Vec<f64> {
    let mut prev = vec![0.0; layer.inputs()];
    for (r, &mr) in mu.iter().enumerate() {
        if mr == 0.0 {
            continue;
        }
        for (p, w) in prev.iter_mut().zip(layer.row(r)) {
            *p += mr * w;
        }
    }
    prev
}

/// The back-substituted linear function `g · x + constant` maximised over the input region (the domain,
/// or `input_box` within it): writes the value (`+inf` for NaN), a maximiser and `g` to `out`.
pub(super) fn concretize_at_inputs(
    domain: &InputDomain,
    input_box: Option<(&[f64], &[f64])>,
    g: Vec<f64>,
    constant: f64,
    out: &mut ObjectiveBound,
) -> f64 {
    let region = match input_box {
        Some((lo, hi)) => Region::with_box(domain, lo, hi),
        None => Region::of(domain),
    };
    let mut items = Vec::new();
    out.value = constant + region.max_linear(&g, &mut items);
    if out.value.is_nan() {
        out.value = f64::INFINITY;
    }
    out.maximiser.clear();
    out.maximiser.extend(g.iter().enumerate().map(|(i, &gi)| {
        let (l, u) = (region.lower[i], region.upper[i]);
        if gi > 0.0 {
            u
        } else if gi < 0.0 {
            l
        } else {
            0.5 * (l + u)
        }
    }));
    out.input_coeffs = g;
    out.value
}

impl Propagator<'_> {
    /// After a successful [`Propagator::run`] with `BoundMethod::Symbolic` over the same region: the upper
    /// bound of `c · y` (`c` over the last layer's outputs) by back-substitution, written to `out`; `alpha`
    /// overrides the lower slopes of unstable neurons (values clamped to `[0, 1]`).
    pub fn objective_upper(
        &self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        c: &[f64],
        alpha: Option<&Slopes>,
        out: &mut ObjectiveBound,
    ) -> f64 {
        let net = self.network();
        let layers = net.layers();
        let relax = self.relaxations();
        let last = layers.len() - 1;
        out.coeffs.resize(last, Vec::new());
        let (mut g, mut constant) = through_last_layer(&layers[last], c);
        for m in (0..last).rev() {
            let rel = &relax[m];
            let layer = &layers[m];
            if rel.upper_slope.len() != layer.outputs() {
                // No relaxation recorded (the run was not symbolic or failed): no bound.
                out.value = f64::INFINITY;
                return out.value;
            }
            let mut mu = vec![0.0; layer.outputs()];
            for r in 0..layer.outputs() {
                let lam = g[r];
                if lam == 0.0 {
                    continue;
                }
                let slope = if lam >= 0.0 {
                    constant += lam * rel.upper_intercept[r];
                    rel.upper_slope[r]
                } else if rel.upper_intercept[r] > 0.0 {
                    // Unstable: any slope in [0, 1] bounds the ReLU from below.
                    alpha
                        .and_then(|a| a.get(m))
                        .and_then(|a| a.get(r))
                        .map_or(rel.lower_slope[r], |s| s.clamp(0.0, 1.0))
                } else {
                    rel.lower_slope[r]
                };
                mu[r] = lam * slope;
                constant += mu[r] * layer.bias()[r];
            }
            out.coeffs[m].clear();
            out.coeffs[m].extend_from_slice(&g);
            g = back_through_layer(layer, &mu);
        }
        concretize_at_inputs(domain, input_box, g, constant, out)
    }

    /// α-CROWN on one objective: `steps` projected sign-gradient steps on the lower slopes of the unstable
    /// neurons, starting from `alpha` (CROWN's slopes when its shape does not match). Leaves the best slopes
    /// in `alpha`, the best bound in `out`, and returns it.
    pub fn optimise_alpha(
        &self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        c: &[f64],
        alpha: &mut Slopes,
        steps: usize,
        out: &mut ObjectiveBound,
    ) -> f64 {
        let mut weights = c.to_vec();
        self.optimise(domain, input_box, &mut weights, false, alpha, steps, out)
    }

    /// α-CROWN on the objective `weights · y`, and, with `simplex`, also on the weights over the simplex
    /// (`min_k y_k <= Σ w_k y_k` for every `w` of the simplex, so each weighting bounds the smallest output:
    /// a conjunction's slacks are bounded together). Exponentiated-gradient steps on the weights, sign steps
    /// on the slopes; leaves the best weights and slopes in place, the best bound in `out`, and returns it.
    #[allow(clippy::too_many_arguments)]
    pub fn optimise(
        &self,
        domain: &InputDomain,
        input_box: Option<(&[f64], &[f64])>,
        weights: &mut Vec<f64>,
        simplex: bool,
        alpha: &mut Slopes,
        steps: usize,
        out: &mut ObjectiveBound,
    ) -> f64 {
        let net = self.network();
        let layers = net.layers();
        let relax = self.relaxations();
        let last = layers.len() - 1;
        let shaped = alpha.len() == last && (0..last).all(|m| alpha[m].len() == layers[m].outputs());
        if !shaped {
            *alpha = (0..last).map(|m| relax[m].lower_slope.clone()).collect();
        }
        let mut best = self.objective_upper(domain, input_box, weights, Some(alpha), out);
        let mut best_alpha = alpha.clone();
        let mut best_weights = weights.clone();
        let mut trial = ObjectiveBound::default();
        let mut step = 0.5;
        let mut weight_step = 1.0;
        for _ in 0..steps {
            if !best.is_finite() {
                break;
            }
            // The gradient of the bound in a slope is the neuron's coefficient times its pre-activation in
            // the relaxed network at the maximiser, and in a weight the output's value there (Danskin; the
            // relaxation choices are fixed locally).
            let mut h = out.maximiser.clone();
            let mut moved = false;
            for m in 0..last {
                let layer = &layers[m];
                let rel = &relax[m];
                let z = layer.affine(&h);
                let mut next = vec![0.0; z.len()];
                for r in 0..z.len() {
                    let lam = out.coeffs[m][r];
                    let unstable = rel.upper_intercept[r] > 0.0;
                    next[r] = if lam >= 0.0 {
                        rel.upper_slope[r] * z[r] + rel.upper_intercept[r]
                    } else if unstable {
                        alpha[m][r] * z[r]
                    } else {
                        rel.lower_slope[r] * z[r]
                    };
                    if unstable && lam < 0.0 {
                        let grad = lam * z[r];
                        if grad != 0.0 {
                            let s = (alpha[m][r] - step * grad.signum()).clamp(0.0, 1.0);
                            moved |= s != alpha[m][r];
                            alpha[m][r] = s;
                        }
                    }
                }
                h = next;
            }
            if simplex && weights.len() > 1 {
                let y = layers[last].affine(&h);
                let mean: f64 = y.iter().zip(weights.iter()).map(|(a, w)| a * w).sum();
                let spread = y.iter().map(|a| (a - mean).abs()).fold(0.0, f64::max);
                if spread > 0.0 && spread.is_finite() {
                    let mut total = 0.0;
                    for (w, a) in weights.iter_mut().zip(&y) {
                        *w *= (-weight_step * (a - mean) / spread).exp();
                        total += *w;
                    }
                    if total > 0.0 && total.is_finite() {
                        weights.iter_mut().for_each(|w| *w /= total);
                        moved = true;
                    } else {
                        weights.clone_from(&best_weights);
                    }
                }
            }
            if !moved {
                break;
            }
            let v = self.objective_upper(domain, input_box, weights, Some(alpha), &mut trial);
            if v < best {
                best = v;
                best_alpha.clone_from(alpha);
                best_weights.clone_from(weights);
                std::mem::swap(out, &mut trial);
            } else {
                alpha.clone_from(&best_alpha);
                weights.clone_from(&best_weights);
                step *= 0.5;
                weight_step *= 0.5;
            }
        }
        *alpha = best_alpha;
        *weights = best_weights;
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{BoundMethod, NeuronBounds, Phase};
    use crate::heuristics::SplitMix64;
    use crate::nn::{Layer, Network};

    fn uniform(rng: &mut SplitMix64, a: f64, b: f64) -> f64 {
        a + (b - a) * rng.next_f64()
    }

    fn random_net(rng: &mut SplitMix64, sizes: &[usize]) -> Network {
        let mut layers = Vec::new();
        for w in sizes.windows(2) {
            let (i, o) = (w[0], w[1]);
            let weights = (0..i * o).map(|_| uniform(rng, -1.0, 1.0)).collect();
            let bias = (0..o).map(|_| uniform(rng, -0.5, 0.5)).collect();
            let relu = layers.len() + 2 < sizes.len();
            layers.push(Layer::new(i, o, weights, bias, relu).unwrap());
        }
        Network::new(layers).unwrap()
    }

    /// The bound (CROWN and α-CROWN, with random phases and a random sub-box) is never below `c · y` at
    /// sampled points of the node (points contradicting the phases are skipped).
    #[test]
    fn objective_bound_is_above_sampled_points() {
        let mut rng = SplitMix64::new(7);
        for case in 0..40 {
            let net = random_net(&mut rng, &[3, 6, 5, 2]);
            let domain = InputDomain::uniform(3, -1.0, 1.0).unwrap();
            let lo: Vec<f64> = (0..3).map(|_| uniform(&mut rng, -1.0, 0.0)).collect();
            let hi: Vec<f64> = lo.iter().map(|l| l + uniform(&mut rng, 0.1, 1.0)).collect();
            let phases: Vec<Vec<Phase>> = net.layers()[..2]
                .iter()
                .map(|l| {
                    (0..l.outputs())
                        .map(|_| match rng.next_u64() % 6 {
                            0 => Phase::Active,
                            1 => Phase::Inactive,
                            _ => Phase::Free,
                        })
                        .collect()
                })
                .collect();
            let c = [uniform(&mut rng, -1.0, 1.0), uniform(&mut rng, -1.0, 1.0)];
            let mut prop = Propagator::new(&net);
            prop.set_tighten_stable(false);
            let mut nb = NeuronBounds::unbounded(&net);
            if !prop.run(
                &domain,
                Some((&lo, &hi)),
                BoundMethod::Symbolic,
                &phases,
                None,
                &mut nb,
            ) {
                continue;
            }
            let mut ob = ObjectiveBound::default();
            let crown = prop.objective_upper(&domain, Some((&lo, &hi)), &c, None, &mut ob);
            let mut alpha = Slopes::new();
            let opt = prop.optimise_alpha(&domain, Some((&lo, &hi)), &c, &mut alpha, 8, &mut ob);
            assert!(
                opt <= crown + 1e-12,
                "case {case}: alpha {opt} above crown {crown}"
            );
            let mut weights = vec![0.5, 0.5];
            let mut alpha2 = Slopes::new();
            let mixed = prop.optimise(
                &domain,
                Some((&lo, &hi)),
                &mut weights,
                true,
                &mut alpha2,
                8,
                &mut ob,
            );
            assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9 && weights.iter().all(|w| *w >= 0.0));
            let mut random_alpha = alpha.clone();
            random_alpha
                .iter_mut()
                .flatten()
                .for_each(|a| *a = uniform(&mut rng, 0.0, 1.0));
            let rand_bound =
                prop.objective_upper(&domain, Some((&lo, &hi)), &c, Some(&random_alpha), &mut ob);
            for _ in 0..400 {
                let x: Vec<f64> = (0..3).map(|i| uniform(&mut rng, lo[i], hi[i])).collect();
                let pre = net.pre_activations(&x);
                let ok = phases.iter().enumerate().all(|(m, p)| {
                    p.iter().enumerate().all(|(j, ph)| match ph {
                        Phase::Active => pre[m][j] >= 0.0,
                        Phase::Inactive => pre[m][j] <= 0.0,
                        Phase::Free => true,
                    })
                });
                if !ok {
                    continue;
                }
                let y = net.forward(&x);
                let v = c[0] * y[0] + c[1] * y[1];
                for b in [crown, opt, rand_bound] {
                    assert!(v <= b + 1e-9, "case {case}: value {v} above bound {b}");
                }
                let smallest = y[0].min(y[1]);
                assert!(
                    smallest <= mixed + 1e-9,
                    "case {case}: min {smallest} above bound {mixed}"
                );
            }
        }
    }
}
