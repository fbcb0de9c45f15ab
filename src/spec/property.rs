//! Output properties in disjunctive normal form, meaning the *unsafe* set.

use super::domain::InputDomain;

/// One linear constraint on the outputs: `sum coeffs[k].1 * y[coeffs[k].0] <= rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputConstraint {
    /// Sparse coefficients `(output index, coefficient)`.
    pub coeffs: Vec<(usize, f64)>,
    /// Right-hand side.
    pub rhs: f64,
}

impl OutputConstraint {
    /// `sum c y - rhs`: the constraint holds when this is `<= 0`.
    pub fn slack(&self, y: &[f64]) -> f64 {
        self.coeffs.iter().map(|&(j, c)| c * y[j]).sum::<f64>() - self.rhs
    }
}

/// The unsafe set as a disjunction of conjunctions of output constraints.
/// A counterexample is an input whose output satisfies every constraint of some disjunct.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputProperty {
    /// The disjuncts; each is a conjunction.
    pub disjuncts: Vec<Vec<OutputConstraint>>,
}

impl OutputProperty {
    /// Index of the first disjunct that `y` satisfies within `tol`, if any.
    pub fn satisfied_by(&self, y: &[f64], tol: f64) -> Option<usize> {
        self.disjuncts
            .iter()
            .position(|conj| conj.iter().all(|c| c.slack(y) <= tol))
    }
}

/// One region of a VNN-LIB property: an input box and the unsafe output set over it.
#[derive(Debug, Clone, PartialEq)]
pub struct VnnlibRegion {
    /// The input domain (a box).
    pub domain: InputDomain,
    /// The unsafe outputs.
    pub output: OutputProperty,
}

/// A parsed VNN-LIB property: `sat` iff some region has an input in its box whose output is unsafe.
#[derive(Debug, Clone, PartialEq)]
pub struct VnnlibProperty {
    /// Number of inputs declared (`X_i`).
    pub inputs: usize,
    /// Number of outputs declared (`Y_j`).
    pub outputs: usize,
    /// The regions (usually one).
    pub regions: Vec<VnnlibRegion>,
}
