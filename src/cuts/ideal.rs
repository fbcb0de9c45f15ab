//! Separation of the ideal (convex hull) formulation of one ReLU over its input box, in time linear in the fan-in.
//!
//! Anderson, Huchette, Ma, Tjandraatmadja, Vielma, "Strong mixed-integer programming formulations for trained
//! neural networks", Math. Prog. 2020, Thm. 1 and Prop. 2. With `l_i <= w_i x_i <= u_i` the bounds of each term
//! over the box, the hull of `{(x, y, z): y = max(0, w^T x + b), x in box, z = [w^T x + b > 0]}` is the big-M
//! lower rows, the box, `0 <= z <= 1`, and for every subset `I` of the inputs
//!
//! `y <= sum_{i in I} (w_i x_i - l_i (1 - z)) + (b + sum_{i not in I} u_i) z`.
//!
//! The subset whose right-hand side is smallest at a point puts `i` in `I` exactly when its in-set term is
//! smaller than its out-of-set term, so one pass over the inputs finds the most violated inequality.

use super::{NeuronCut, NeuronView};

/// When a separated inequality counts as violated.
///
/// A cut is returned only when its violation `lhs - rhs` at the point exceeds `min_violation` (absolute, in
/// the units of the neuron's output) and its efficacy (violation over the coefficient vector's Euclidean
/// norm) exceeds `min_efficacy`. Both default to `1e-6`: ten times the LP's default feasibility tolerance, so
/// that cuts are not added against points that are feasible up to the LP's own rounding.
///
/// Every returned right-hand side is also relaxed by `safety` times the magnitude of the terms it sums
/// (`|b| + sum_i max(|l_i|, |u_i|)`, default `1e-11`) so that floating-point rounding in computing it can never
/// cut off a point of the true ReLU graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeparationTolerance {
    /// Smallest absolute violation of a returned cut.
    pub min_violation: f64,
    /// Smallest efficacy (distance of the point to the cut's hyperplane) of a returned cut.
    pub min_efficacy: f64,
    /// Relative relaxation of the right-hand side against rounding.
    pub safety: f64,
}

impl Default for SeparationTolerance {
    fn default() -> Self {
        SeparationTolerance {
            min_violation: 1e-6,
            min_efficacy: 1e-6,
            safety: 1e-11,
        }
    }
}

/// The most violated inequality of the aggregated hull, before it is spelled out over the inputs.
#[derive(Debug, Clone)]
pub(crate) struct AggregatedCut {
    /// Which terms are in the subset `I`.
    pub in_set: Vec<bool>,
    /// Coefficient of `z` in `y + ... + z_coeff z <= rhs` (the term coefficients are minus the terms).
    pub z_coeff: f64,
    /// Right-hand side (already relaxed by the safety margin).
    pub rhs: f64,
    /// `lhs - rhs` at the point.
    pub violation: f64,
}

impl AggregatedCut {
    /// The cut `y + sum input_coeffs + z_coeff z <= rhs`, kept only when violated and efficacious enough.
    pub(crate) fn into_cut(
        self,
        input_coeffs: Vec<(usize, f64)>,
        tol: &SeparationTolerance,
    ) -> Option<NeuronCut> {
        let cut = NeuronCut {
            input_coeffs,
            y_coeff: 1.0,
            z_coeff: self.z_coeff,
            rhs: self.rhs,
            violation: self.violation,
        };
        (cut.violation > tol.min_violation && cut.efficacy() > tol.min_efficacy).then_some(cut)
    }
}

/// The most violated inequality of the hull of `y = max(0, sum_n t_n + b)` with `lo_n <= t_n <= hi_n`, at the
/// point `(t, y, z)`. Returns `None` when the neuron is stable over the box (`M- >= 0` or `M+ <= 0`; then it
/// needs no binary and its hull is linear) or a bound is not finite.
///
/// The inequality reads `y - sum_{n in I} t_n + z_coeff z <= rhs` with `z_coeff = -(b + sum_{I} lo_n +
/// sum_{not I} hi_n)` and `rhs = -sum_{I} lo_n`.
pub(crate) fn separate_aggregated(
    values: &[f64],
    lo: &[f64],
    hi: &[f64],
    bias: f64,
    y: f64,
    z: f64,
    safety: f64,
) -> Option<AggregatedCut> {
    let mut lower_sum = bias;
    let mut upper_sum = bias;
    let mut magnitude = bias.abs();
    for n in 0..values.len() {
        if !(lo[n].is_finite() && hi[n].is_finite() && values[n].is_finite()) {
            return None;
        }
        lower_sum += lo[n];
        upper_sum += hi[n];
        magnitude += lo[n].abs().max(hi[n].abs());
    }
    if lower_sum >= 0.0 || upper_sum <= 0.0 || !y.is_finite() || !z.is_finite() {
        return None;
    }
    let mut in_set = vec![false; values.len()];
    let mut z_coeff = -bias;
    let mut rhs = 0.0;
    // Right-hand side of the chosen inequality evaluated at the point, built alongside.
    let mut rhs_at_point = bias * z;
    for n in 0..values.len() {
        let inside = values[n] - lo[n] * (1.0 - z);
        let outside = hi[n] * z;
        // Ties go out of the set: same value, one coefficient fewer.
        if inside < outside {
            in_set[n] = true;
            z_coeff -= lo[n];
            rhs -= lo[n];
            rhs_at_point += inside;
        } else {
            z_coeff -= hi[n];
            rhs_at_point += outside;
        }
    }
    let margin = safety * (1.0 + magnitude);
    Some(AggregatedCut {
        in_set,
        z_coeff,
        rhs: rhs + margin,
        violation: y - rhs_at_point - margin,
    })
}

/// The most violated ideal inequality of one neuron at the point `(x, y, z)` (`x` indexed like the neuron's
/// inputs), or `None` when none is violated beyond `tol`, the neuron is stable over its input box, or an
/// input with a non-zero weight has an infinite bound.
///
/// Inputs with weight zero never appear in a cut; fixed inputs (`lower = upper`) only ever enter through
/// `z`. The cut has `y_coeff = 1` and `a_i = -w_i` for the inputs in the chosen subset.
pub fn separate_ideal(
    neuron: &NeuronView,
    x: &[f64],
    y: f64,
    z: f64,
    tol: &SeparationTolerance,
) -> Option<NeuronCut> {
    let n = neuron.weights.len();
    if x.len() != n || neuron.input_lower.len() != n || neuron.input_upper.len() != n {
        return None;
    }
    // Only inputs that can move the pre-activation take part; the others add nothing to any subset.
    let active: Vec<usize> = (0..n).filter(|&i| neuron.weights[i] != 0.0).collect();
    let mut values = Vec::with_capacity(active.len());
    let mut lo = Vec::with_capacity(active.len());
    let mut hi = Vec::with_capacity(active.len());
    for &i in &active {
        let (l, u) = neuron.term_bounds(i);
        values.push(neuron.weights[i] * x[i]);
        lo.push(l);
        hi.push(u);
    }
    let agg = separate_aggregated(&values, &lo, &hi, neuron.bias, y, z, tol.safety)?;
    let input_coeffs: Vec<(usize, f64)> = active
        .iter()
        .zip(&agg.in_set)
        .filter(|(_, &inside)| inside)
        .map(|(&i, _)| (i, -neuron.weights[i]))
        .collect();
    agg.into_cut(input_coeffs, tol)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neuron<'a>(w: &'a [f64], b: f64, l: &'a [f64], u: &'a [f64]) -> NeuronView<'a> {
        NeuronView {
            weights: w,
            bias: b,
            input_lower: l,
            input_upper: u,
        }
    }

    #[test]
    fn big_m_point_of_a_two_input_neuron_is_cut() {
        // y = max(0, x0 + x1 - 1) on [0,1]^2: at x = (1, 0), z = 1/2 big-M allows y = 1/2 but the hull gives 0.
        let (w, l, u) = ([1.0, 1.0], [0.0, 0.0], [1.0, 1.0]);
        let nv = neuron(&w, -1.0, &l, &u);
        let cut = separate_ideal(&nv, &[1.0, 0.0], 0.5, 0.5, &SeparationTolerance::default()).unwrap();
        assert!(cut.violation > 0.4);
        // The chosen subset is {x1}: y <= x1 + (b + u0) z = x1. It must hold at the graph's corners.
        for (x, z) in [
            ([0.0, 0.0], 0.0),
            ([1.0, 0.0], 0.0),
            ([0.0, 1.0], 0.0),
            ([1.0, 1.0], 1.0),
        ] {
            let y = (x[0] + x[1] - 1.0f64).max(0.0);
            assert!(cut.lhs(&x, y, z) <= cut.rhs + 1e-12);
        }
    }

    #[test]
    fn stable_neurons_and_infinite_boxes_give_no_cut() {
        let tol = SeparationTolerance::default();
        let (w, l, u) = ([1.0], [1.0], [2.0]);
        assert!(separate_ideal(&neuron(&w, 0.0, &l, &u), &[1.5], 9.0, 0.5, &tol).is_none());
        let (l, u) = ([-1.0], [f64::INFINITY]);
        assert!(separate_ideal(&neuron(&w, 0.0, &l, &u), &[0.5], 9.0, 0.5, &tol).is_none());
    }

    #[test]
    fn zero_weights_and_fixed_inputs_stay_out_of_the_cut() {
        let (w, l, u) = ([1.0, 0.0, 2.0], [-1.0, -5.0, 0.5], [1.0, 5.0, 0.5]);
        let nv = neuron(&w, -1.0, &l, &u);
        let cut = separate_ideal(&nv, &[1.0, 3.0, 0.5], 0.9, 0.5, &SeparationTolerance::default()).unwrap();
        assert!(cut.input_coeffs.iter().all(|&(i, _)| i == 0));
    }

    #[test]
    fn satisfied_points_give_no_cut() {
        let (w, l, u) = ([1.0, -1.0], [-1.0, -1.0], [1.0, 1.0]);
        let nv = neuron(&w, 0.0, &l, &u);
        assert!(separate_ideal(&nv, &[0.5, 0.0], 0.5, 1.0, &SeparationTolerance::default()).is_none());
    }
}
