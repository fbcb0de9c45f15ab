//! Deterministic small random ReLU networks and one-constraint output properties for the bound-only search
//! tests (tests/bound_only_search.rs, tests/beta_crown.rs).

use relumip::nn::{Layer, Network};
use relumip::spec::OutputConstraint;

/// A deterministic generator of uniform numbers (LCG, high bits).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
}

/// A random network with ReLU on the hidden layers and an affine last layer.
pub fn random_net(rng: &mut Lcg, sizes: &[usize]) -> Network {
    let last = sizes.len() - 2;
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let weights = (0..w[0] * w[1]).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let bias = (0..w[1]).map(|_| rng.uniform(-0.5, 0.5)).collect();
            Layer::new(w[0], w[1], weights, bias, k < last).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

/// "Output 0 >= t" as a conjunction of one constraint.
pub fn at_least(t: f64) -> Vec<OutputConstraint> {
    vec![OutputConstraint {
        coeffs: vec![(0, -1.0)],
        rhs: -t,
    }]
}
