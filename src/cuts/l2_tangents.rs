//! Outer-approximation cuts for the L2 adversarial objective: the model minimises `sum_i s_i` with
//! `s_i >= (x_i - x0_i)^2` kept only through tangents; this separator adds, at the root and in the tree, the
//! tangent at the LP point's own change wherever the LP under-estimates the square. A tangent of a convex
//! function lies below it everywhere, so every cut is valid for the whole model (a global cut).

use crate::lp::RowSpec;
use crate::mip::{NodeView, Separator};

/// The LP point must under-estimate a square by more than this (absolute) for a tangent to be added.
const MIN_VIOLATION: f64 = 1e-7;
/// Tangents per round at most (the most violated first).
const PER_ROUND: usize = 400;

/// Separates tangents of `d^2` for the pairs `(input column, square column)`.
#[derive(Debug, Clone)]
pub struct L2Tangents {
    /// `(input column, reference value x0_i, square column)`.
    pub pairs: Vec<(usize, f64, usize)>,
}

impl Separator for L2Tangents {
    fn name(&self) -> &str {
        "L2 tangents"
    }

    fn separate(&mut self, view: &NodeView) -> Vec<RowSpec> {
        let x = view.x;
        let mut violated: Vec<(f64, RowSpec)> = Vec::new();
        for &(xi, x0, s) in &self.pairs {
            let (Some(&v), Some(&sv)) = (x.get(xi), x.get(s)) else {
                continue;
            };
            let a = v - x0;
            let gap = a * a - sv;
            if gap > MIN_VIOLATION {
                // s >= 2 a (x_i - x0) - a^2  <=>  s - 2 a x_i >= -a^2 - 2 a x0.
                let row = RowSpec {
                    lower: -a * a - 2.0 * a * x0,
                    upper: f64::INFINITY,
                    coeffs: vec![(s, 1.0), (xi, -2.0 * a)],
                };
                violated.push((gap, row));
            }
        }
        violated.sort_by(|p, q| q.0.total_cmp(&p.0));
        violated.into_iter().take(PER_ROUND).map(|(_, r)| r).collect()
    }

    fn in_tree(&self, view: &NodeView) -> bool {
        view.explored.is_multiple_of(10)
    }
}
