//! Euclidean projection onto an input domain: the box, intersected with its L1 or L2 ball if any.
//!
//! For box ∩ ball the projection solves `min ||x - z||² s.t. l <= x <= u, ||x - c|| <= r`. The Lagrangian
//! separates per feature, and each one-dimensional convex problem over an interval is solved by clipping its
//! unconstrained minimiser; the multiplier λ >= 0 of the ball is found by bisection, since the norm of the
//! solution decreases monotonically in λ (Duchi et al., "Efficient projections onto the l1-ball", ICML 2008,
//! for the L1 case without the box). The returned point uses the feasible end of the bracket, so it lies in
//! the ball exactly as `InputDomain::contains` computes the norm (sum in feature order), unless the box and
//! ball do not meet, in which case it is the box point nearest the centre.

use crate::spec::{Ball, InputDomain, Norm};

/// Bisection steps on the multiplier: the bracket shrinks by 2^-60, below f64 resolution of λ.
const BISECTION_STEPS: usize = 60;

/// Projects `x` in place onto the domain's box, then onto box ∩ ball when the domain has an L1 or L2 ball.
/// Integrality is not enforced here (see [`round_integer_features`]).
pub fn project(domain: &InputDomain, x: &mut [f64]) {
    let Some(ball) = domain
        .ball
        .as_ref()
        .filter(|b| b.norm == Norm::L1 || b.norm == Norm::L2)
    else {
        domain.clip(x);
        return;
    };
    // The ball's multiplier acts on the unclipped point: clipping first would project a different point.
    let z = x.to_vec();
    domain.clip(x);
    if ball_distance(ball, x) > ball.radius {
        project_box_ball(domain, ball, &z, x);
    }
}

/// The distance from `x` to the ball's centre in the ball's norm, summed in feature order.
pub fn ball_distance(ball: &Ball, x: &[f64]) -> f64 {
    match ball.norm {
        Norm::L1 => x.iter().zip(&ball.center).map(|(a, c)| (a - c).abs()).sum(),
        Norm::L2 => x
            .iter()
            .zip(&ball.center)
            .map(|(a, c)| (a - c) * (a - c))
            .sum::<f64>()
            .sqrt(),
        Norm::Linf => x
            .iter()
            .zip(&ball.center)
            .fold(0.0_f64, |m, (a, c)| m.max((a - c).abs())),
        Norm::L0 => x.iter().zip(&ball.center).filter(|(a, c)| a != c).count() as f64,
    }
}

/// The minimiser of the per-feature Lagrangian for multiplier `t`, written into `out`.
/// L1: soft-threshold `z - c` by `t`, then clip. L2: `(z + t c) / (1 + t)` with `t = s / (1 - s)`,
/// i.e. `(1 - s) z + s c` for `s` in [0, 1], then clip.
fn lagrangian_point(domain: &InputDomain, ball: &Ball, z: &[f64], t: f64, out: &mut [f64]) {
    for i in 0..z.len() {
        let c = ball.center[i];
        let v = match ball.norm {
            Norm::L2 => (1.0 - t) * z[i] + t * c,
            _ => {
                let d = z[i] - c;
                c + d.signum() * (d.abs() - t).max(0.0)
            }
        };
        out[i] = v.clamp(domain.lower[i], domain.upper[i]);
    }
}

/// Writes into `x` the projection of `z` onto box ∩ ball, knowing that the box projection of `z` is outside the ball.
fn project_box_ball(domain: &InputDomain, ball: &Ball, z: &[f64], x: &mut [f64]) {
    // Bracket [lo, hi]: at lo the point is outside the ball, at hi it is as close to the centre as the box allows.
    let mut lo = 0.0;
    let mut hi = match ball.norm {
        Norm::L2 => 1.0,
        _ => z
            .iter()
            .zip(&ball.center)
            .fold(0.0_f64, |m, (a, c)| m.max((a - c).abs())),
    };
    let mut trial = vec![0.0; z.len()];
    lagrangian_point(domain, ball, z, hi, x);
    if ball_distance(ball, x) > ball.radius {
        return; // box and ball do not meet: x is the box point nearest the centre
    }
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        lagrangian_point(domain, ball, z, mid, &mut trial);
        if ball_distance(ball, &trial) > ball.radius {
            lo = mid;
        } else {
            hi = mid;
            x.copy_from_slice(&trial);
        }
    }
}

/// Rounds integer features to the nearest integer inside the box (`ceil(lower)..=floor(upper)`); when the domain
/// has a ball and rounding left it, integer features are re-rounded towards the centre. Returns whether the result
/// lies in the domain (checked exactly, tolerance 0).
pub fn round_integer_features(domain: &InputDomain, x: &mut [f64]) -> bool {
    let mut any = false;
    for i in 0..x.len() {
        if domain.integer.get(i).copied().unwrap_or(false) {
            any = true;
            x[i] = round_in_interval(x[i].round(), domain.lower[i], domain.upper[i]);
        }
    }
    if any {
        if let Some(ball) = &domain.ball {
            if ball_distance(ball, x) > ball.radius {
                for i in 0..x.len() {
                    if domain.integer[i] {
                        let c = ball.center[i];
                        let toward = if x[i] > c {
                            (x[i] - 1.0).max(c.ceil())
                        } else {
                            (x[i] + 1.0).min(c.floor())
                        };
                        let toward = round_in_interval(toward, domain.lower[i], domain.upper[i]);
                        if (toward - c).abs() < (x[i] - c).abs() {
                            x[i] = toward;
                        }
                    }
                }
            }
        }
    }
    domain.contains(x, 0.0)
}

/// `v` (an integer) moved into `[ceil(lo), floor(hi)]` when that range is non-empty.
fn round_in_interval(v: f64, lo: f64, hi: f64) -> f64 {
    let (a, b) = (lo.ceil(), hi.floor());
    if a > b {
        v
    } else {
        v.clamp(a, b)
    }
}
