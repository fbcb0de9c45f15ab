//! Pre-activation bounds of every neuron over an input domain, by methods from cheap to tight.

mod interval;

pub use interval::interval_bounds;

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
    /// Number of neurons with `lower < 0 < upper` in a layer.
    pub fn unstable_in(&self, layer: usize) -> usize {
        self.lower[layer]
            .iter()
            .zip(&self.upper[layer])
            .filter(|(l, u)| **l < 0.0 && **u > 0.0)
            .count()
    }
}
