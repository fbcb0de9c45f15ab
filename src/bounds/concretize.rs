//! The largest value of a linear function `c·x` over the input region: a box, possibly intersected with a ball.
//!
//! Over a box the maximum is closed-form. Over a box ∩ L1 ball it is a fractional knapsack solved exactly by the
//! greedy rule (Dantzig 1957): start from the box point nearest the centre (it costs the least radius and, per
//! coordinate, already gives the best value among the points that cost no more), then spend the remaining
//! radius on the coordinates with the largest `|c_i|`, each up to its box limit. Over a box ∩ L2 ball we take the
//! smaller of the box bound and `c·center + r ||c||_2` (both valid, not tight).

use crate::spec::{Ball, InputDomain, Norm};

/// The input set the bound methods range over: a box and an optional ball (integrality is relaxed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region<'a> {
    pub lower: &'a [f64],
    pub upper: &'a [f64],
    pub ball: Option<&'a Ball>,
}

impl<'a> Region<'a> {
    /// The domain's own box and ball.
    pub fn of(domain: &'a InputDomain) -> Self {
        Region {
            lower: &domain.lower,
            upper: &domain.upper,
            ball: domain.ball.as_ref(),
        }
    }

    /// The domain's ball with another box (input splitting).
    pub fn with_box(domain: &'a InputDomain, lower: &'a [f64], upper: &'a [f64]) -> Self {
        Region {
            lower,
            upper,
            ball: domain.ball.as_ref(),
        }
    }

    /// `max c·x` over the region; `scratch` holds the knapsack items (reused to avoid allocation).
    pub fn max_linear(&self, c: &[f64], scratch: &mut Vec<(f64, f64)>) -> f64 {
        self.max_signed(c, 1.0, scratch)
    }

    /// `min c·x` over the region.
    pub fn min_linear(&self, c: &[f64], scratch: &mut Vec<(f64, f64)>) -> f64 {
        -self.max_signed(c, -1.0, scratch)
    }

    /// `max (sign c)·x` over the region.
    fn max_signed(&self, c: &[f64], sign: f64, scratch: &mut Vec<(f64, f64)>) -> f64 {
        let boxed = box_max(self.lower, self.upper, c, sign);
        match self.ball {
            None => boxed,
            Some(ball) => match ball.norm {
                Norm::L1 => l1_box_max(self.lower, self.upper, ball, c, sign, scratch),
                Norm::L2 => {
                    let at_center: f64 = c.iter().zip(&ball.center).map(|(ci, x0)| sign * ci * x0).sum();
                    let norm = c.iter().map(|ci| ci * ci).sum::<f64>().sqrt();
                    boxed.min(at_center + ball.radius * norm)
                }
                Norm::Linf => {
                    let mut total = 0.0;
                    for i in 0..c.len() {
                        let lo = self.lower[i].max(ball.center[i] - ball.radius);
                        let hi = self.upper[i].min(ball.center[i] + ball.radius);
                        let ci = sign * c[i];
                        total += if ci >= 0.0 { ci * hi } else { ci * lo };
                    }
                    boxed.min(total)
                }
                Norm::L0 => boxed,
            },
        }
    }
}

/// `max (sign c)·x` over the box `[lower, upper]`.
pub(crate) fn box_max(lower: &[f64], upper: &[f64], c: &[f64], sign: f64) -> f64 {
    // max(ci u, ci l) is the branch-free form of "ci u if ci >= 0 else ci l", and the same value.
    c.iter()
        .zip(lower.iter().zip(upper))
        .map(|(&ci, (&l, &u))| (sign * ci * u).max(sign * ci * l))
        .sum()
}

/// `max (sign c)·x` over `[lower, upper] ∩ {||x - center||_1 <= radius}` by the greedy fractional knapsack.
/// If the intersection is empty any value is a valid bound; we then return the value at the box point nearest
/// the centre.
fn l1_box_max(
    lower: &[f64],
    upper: &[f64],
    ball: &Ball,
    c: &[f64],
    sign: f64,
    items: &mut Vec<(f64, f64)>,
) -> f64 {
    items.clear();
    let mut value = 0.0;
    let mut spent = 0.0;
    let mut capacity = 0.0;
    for i in 0..c.len() {
        let ci = sign * c[i];
        let x0 = ball.center[i];
        // Box point nearest the centre along this coordinate.
        let p = x0.clamp(lower[i], upper[i]);
        value += ci * p;
        spent += (p - x0).abs();
        // Moving from p towards the better box end costs one unit of radius per unit moved: p is the box point
        // nearest x0, so every move away from it is a move away from x0.
        let room = if ci > 0.0 { upper[i] - p } else { p - lower[i] };
        if ci != 0.0 && room > 0.0 {
            items.push((ci.abs(), room));
            capacity += room;
        }
    }
    let mut budget = ball.radius - spent;
    if budget <= 0.0 {
        return value;
    }
    if capacity <= budget {
        return value + items.iter().map(|(g, r)| g * r).sum::<f64>();
    }
    items.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    for &(gain, room) in items.iter() {
        let step = room.min(budget);
        value += gain * step;
        budget -= step;
        if budget <= 0.0 {
            break;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over the vertices of box ∩ L1 ball in 2D: the optimum of an LP is at a vertex, and the
    /// vertices lie on the box edges or the ball's edges; we sample the boundary densely.
    #[test]
    fn l1_knapsack_matches_dense_sampling_2d() {
        let d = InputDomain::uniform(2, 0.0, 1.0)
            .unwrap()
            .intersect_l1(&[0.3, 0.6], 0.5)
            .unwrap();
        let region = Region::of(&d);
        let mut scratch = Vec::new();
        for c in [[1.0, 2.0], [-1.0, 0.5], [3.0, -3.0], [0.0, -1.0]] {
            let got = region.max_linear(&c, &mut scratch);
            let mut best = f64::NEG_INFINITY;
            let n = 400;
            for a in 0..=n {
                for b in 0..=n {
                    let x = [a as f64 / n as f64, b as f64 / n as f64];
                    if d.contains(&x, 1e-12) {
                        best = best.max(c[0] * x[0] + c[1] * x[1]);
                    }
                }
            }
            assert!(got >= best - 1e-12, "bound {got} below sampled {best}");
            assert!(got <= best + 0.02, "bound {got} far above sampled {best}");
        }
    }

    #[test]
    fn center_outside_box_is_handled() {
        // centre 1.2 outside [0,1]; ball radius 0.5 leaves x in [0.7, 1].
        let d = InputDomain::uniform(1, 0.0, 1.0)
            .unwrap()
            .intersect_l1(&[1.2], 0.5)
            .unwrap();
        let region = Region::of(&d);
        let mut s = Vec::new();
        assert!((region.max_linear(&[1.0], &mut s) - 1.0).abs() < 1e-12);
        assert!((region.min_linear(&[1.0], &mut s) - 0.7).abs() < 1e-12);
    }
}
