//! Cutting planes for ReLU models: ideal (Anderson et al.) and partition-based (Tsay et al.) cuts.
//!
//! The functions here are pure and solver-independent: a neuron is described by a [`NeuronView`] (weights,
//! bias, input box) and a cut is returned as a [`NeuronCut`] over the neuron's own inputs `x`, its output `y`
//! and its binary `z`; [`NeuronCut::to_row`] maps it onto LP columns. [`separators`] applies them to every
//! unstable neuron of a model given by columns, and [`model`] plugs them into a `ReluModel` and the search
//! (the [`Separator`](crate::mip::Separator) `NeuronCuts` and the `partition:N` formulation hook). The cut pool
//! (ageing, deduplication, limits) sits with the search in `mip::CutPool`.

pub mod ideal;
pub mod l2_tangents;
pub mod model;
pub mod partition;
pub mod separators;

pub use ideal::{separate_ideal, SeparationTolerance};
pub use l2_tangents::L2Tangents;
pub use model::{add_partition_formulation_to_model, cut_neurons, NeuronCuts, TreeSchedule};
pub use partition::{
    add_psplit, partition_inputs, separate_partition, ModelBuilder, PartitionStrategy, PsplitColumns,
    PsplitNeuron,
};
pub use separators::{add_partition_formulation, CutFamily, CutNeuron, NeuronSeparator, PartitionSummary};

use crate::lp::RowSpec;

/// One ReLU neuron `y = max(0, w^T x + b)` whose inputs lie in the box `lower <= x <= upper`.
#[derive(Debug, Clone, Copy)]
pub struct NeuronView<'a> {
    /// Weight of each input.
    pub weights: &'a [f64],
    /// Bias.
    pub bias: f64,
    /// Lower bound of each input.
    pub input_lower: &'a [f64],
    /// Upper bound of each input.
    pub input_upper: &'a [f64],
}

impl NeuronView<'_> {
    /// Bounds `[min, max]` of the term `w_i x_i` over the input box (`[0, 0]` when `w_i = 0`).
    pub fn term_bounds(&self, i: usize) -> (f64, f64) {
        let w = self.weights[i];
        if w == 0.0 {
            return (0.0, 0.0);
        }
        let (a, b) = (w * self.input_lower[i], w * self.input_upper[i]);
        (a.min(b), a.max(b))
    }

    /// Interval bounds `[M-, M+]` of the pre-activation `w^T x + b` over the input box.
    pub fn preactivation_bounds(&self) -> (f64, f64) {
        (0..self.weights.len()).fold((self.bias, self.bias), |(lo, hi), i| {
            let (l, u) = self.term_bounds(i);
            (lo + l, hi + u)
        })
    }

    /// True when every input with a non-zero weight has finite bounds (the formulations need them).
    pub fn has_finite_box(&self) -> bool {
        (0..self.weights.len()).all(|i| {
            self.weights[i] == 0.0 || (self.input_lower[i].is_finite() && self.input_upper[i].is_finite())
        })
    }
}

/// A cut `y_coeff * y + sum_i a_i x_i + z_coeff * z <= rhs` over one neuron's inputs `x` (indices into the
/// neuron's inputs), its output `y` and its binary `z`.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronCut {
    /// `(input index, a_i)`, indices increasing and distinct, no zero coefficients.
    pub input_coeffs: Vec<(usize, f64)>,
    /// Coefficient of the output `y`.
    pub y_coeff: f64,
    /// Coefficient of the binary `z`.
    pub z_coeff: f64,
    /// Right-hand side.
    pub rhs: f64,
    /// `lhs - rhs` at the point it was separated from (positive: violated).
    pub violation: f64,
}

impl NeuronCut {
    /// Left-hand side at a point.
    pub fn lhs(&self, x: &[f64], y: f64, z: f64) -> f64 {
        self.y_coeff * y + self.z_coeff * z + self.input_coeffs.iter().map(|&(i, a)| a * x[i]).sum::<f64>()
    }

    /// Euclidean norm of the coefficient vector.
    pub fn norm(&self) -> f64 {
        (self.y_coeff * self.y_coeff
            + self.z_coeff * self.z_coeff
            + self.input_coeffs.iter().map(|&(_, a)| a * a).sum::<f64>())
        .sqrt()
    }

    /// Distance from the separated point to the cut's hyperplane (violation over norm).
    pub fn efficacy(&self) -> f64 {
        let norm = self.norm();
        if norm > 0.0 {
            self.violation / norm
        } else {
            0.0
        }
    }

    /// The cut as an LP row, given the column of each input, of `y` and of `z`.
    /// Coefficients landing on the same column (an input that is also `y` or `z`) are summed.
    pub fn to_row(&self, input_cols: &[usize], y_col: usize, z_col: usize) -> RowSpec {
        let mut coeffs: Vec<(usize, f64)> = Vec::with_capacity(self.input_coeffs.len() + 2);
        coeffs.extend(self.input_coeffs.iter().map(|&(i, a)| (input_cols[i], a)));
        coeffs.push((y_col, self.y_coeff));
        coeffs.push((z_col, self.z_coeff));
        coeffs.sort_by_key(|&(c, _)| c);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(coeffs.len());
        for (c, a) in coeffs {
            match merged.last_mut() {
                Some(last) if last.0 == c => last.1 += a,
                _ => merged.push((c, a)),
            }
        }
        merged.retain(|&(_, a)| a != 0.0);
        RowSpec {
            lower: f64::NEG_INFINITY,
            upper: self.rhs,
            coeffs: merged,
        }
    }
}
