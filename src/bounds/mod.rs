//! Pre-activation bounds of every neuron over an input domain, by methods from cheap to tight.
//!
//! Every method returns valid bounds: each neuron's pre-activation over every input of the domain lies in
//! `[lower, upper]`. Each method starts from the previous one's bounds and intersects with them, so on every
//! neuron `naive ⊇ interval ⊇ symbolic ⊇ lp ⊇ milp`.
//!
//! Floating point: naive, interval and symbolic bounds are sums computed in f64 without directed rounding, so
//! they hold up to rounding of order `n ε Σ|terms|` (far below the 1e-9 relative tolerance the tests check and
//! the [`propagate::INFEASIBILITY_TOL`] the tree relies on). LP and MILP bounds are Lagrangian bounds recomputed
//! from the solver's duals, valid whatever the solver's own tolerances (see `lp.rs`).

mod beta;
mod compute;
mod concretize;
mod gemm;
mod interval;
mod lp;
mod milp;
mod naive;
mod objective;
mod propagate;
mod symbolic;

pub use beta::{tighten_layer, tightened_bounds, BetaCrown, Betas};
pub use compute::{compute_bounds, compute_bounds_timed, BoundsOptions, BoundsRun};
pub use interval::interval_bounds;
pub use lp::lp_bounds;
pub use milp::milp_bounds;
pub use naive::naive_bounds;
pub use objective::{ObjectiveBound, Slopes};
pub use propagate::{propagate, propagate_in_box, Phase, Propagator};
pub use symbolic::symbolic_bounds;

/// Which method computes the bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundMethod {
    /// Norm bound from the weight matrices' inf-norms.
    Naive,
    /// Interval arithmetic layer by layer.
    Interval,
    /// Linear bounds back-substituted to the input (DeepPoly/CROWN-style).
    Symbolic,
    /// Optimisation-based tightening on the LP relaxation.
    Lp,
    /// Optimisation-based tightening with the MILP.
    Milp,
}

impl BoundMethod {
    /// The method's name as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            BoundMethod::Naive => "naive",
            BoundMethod::Interval => "interval",
            BoundMethod::Symbolic => "symbolic",
            BoundMethod::Lp => "lp",
            BoundMethod::Milp => "milp",
        }
    }
}

impl std::fmt::Display for BoundMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BoundMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "naive" => Ok(BoundMethod::Naive),
            "interval" => Ok(BoundMethod::Interval),
            "symbolic" => Ok(BoundMethod::Symbolic),
            "lp" => Ok(BoundMethod::Lp),
            "milp" => Ok(BoundMethod::Milp),
            other => Err(format!(
                "unknown bound method '{other}' (expected naive, interval, symbolic, lp or milp)"
            )),
        }
    }
}

/// Valid pre-activation bounds `[lower, upper]` for every neuron of every layer (the last layer is the output).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronBounds {
    /// `lower[layer][neuron]`.
    pub lower: Vec<Vec<f64>>,
    /// `upper[layer][neuron]`.
    pub upper: Vec<Vec<f64>>,
}

impl NeuronBounds {
    /// Bounds of the right shape for `net`, every neuron unbounded (`[-inf, +inf]`).
    pub fn unbounded(net: &crate::nn::Network) -> Self {
        let sizes: Vec<usize> = net.layers().iter().map(|l| l.outputs()).collect();
        NeuronBounds {
            lower: sizes.iter().map(|&n| vec![f64::NEG_INFINITY; n]).collect(),
            upper: sizes.iter().map(|&n| vec![f64::INFINITY; n]).collect(),
        }
    }

    /// Number of layers.
    pub fn num_layers(&self) -> usize {
        self.lower.len()
    }

    /// Number of neurons with `lower < 0 < upper` in a layer.
    pub fn unstable_in(&self, layer: usize) -> usize {
        self.lower[layer]
            .iter()
            .zip(&self.upper[layer])
            .filter(|(l, u)| **l < 0.0 && **u > 0.0)
            .count()
    }

    /// Number of neurons with `lower >= 0` (always active if followed by a ReLU) in a layer.
    pub fn stable_active_in(&self, layer: usize) -> usize {
        self.lower[layer].iter().filter(|l| **l >= 0.0).count()
    }

    /// Number of neurons with `upper <= 0` (always inactive if followed by a ReLU) in a layer.
    pub fn stable_inactive_in(&self, layer: usize) -> usize {
        self.upper[layer].iter().filter(|u| **u <= 0.0).count()
    }

    /// Mean of `upper - lower` over a layer (0 for an empty layer).
    pub fn mean_width_in(&self, layer: usize) -> f64 {
        let n = self.lower[layer].len();
        if n == 0 {
            return 0.0;
        }
        self.widths(layer).sum::<f64>() / n as f64
    }

    /// Largest `upper - lower` in a layer (0 for an empty layer).
    pub fn max_width_in(&self, layer: usize) -> f64 {
        self.widths(layer).fold(0.0, f64::max)
    }

    fn widths(&self, layer: usize) -> impl Iterator<Item = f64> + '_ {
        self.lower[layer]
            .iter()
            .zip(&self.upper[layer])
            .map(|(l, u)| u - l)
    }

    /// Replaces each interval by its intersection with `other`'s (same shape assumed).
    /// An empty intersection (possible only through rounding) keeps the wider of the two bounds, so the result
    /// stays valid.
    pub fn intersect_with(&mut self, other: &NeuronBounds) {
        for k in 0..self.lower.len().min(other.lower.len()) {
            for j in 0..self.lower[k].len().min(other.lower[k].len()) {
                let lo = self.lower[k][j].max(other.lower[k][j]);
                let hi = self.upper[k][j].min(other.upper[k][j]);
                if lo <= hi {
                    self.lower[k][j] = lo;
                    self.upper[k][j] = hi;
                } else {
                    self.lower[k][j] = self.lower[k][j].min(other.lower[k][j]);
                    self.upper[k][j] = self.upper[k][j].max(other.upper[k][j]);
                }
            }
        }
    }

    /// Whether `other` is inside `self` on every neuron, up to `tol`.
    pub fn contains(&self, other: &NeuronBounds, tol: f64) -> bool {
        self.lower
            .iter()
            .zip(&other.lower)
            .all(|(a, b)| a.iter().zip(b).all(|(x, y)| *x <= y + tol))
            && self
                .upper
                .iter()
                .zip(&other.upper)
                .all(|(a, b)| a.iter().zip(b).all(|(x, y)| *x + tol >= *y))
    }
}
