//! Optimisation-based bound tightening on the LP relaxation (Tjeng et al., ICLR 2019; Bunel et al., JMLR 2020).
//!
//! Layer by layer, each undecided neuron's pre-activation is minimised and maximised over the triangle
//! relaxation of the layers before it, built with the bounds just found. The neurons of a layer are split
//! into one contiguous chunk per thread; each thread keeps one `DualSimplex` and changes only its objective,
//! so each solve starts from the previous neuron's basis.
//!
//! Soundness: a neuron's new bound is the Lagrangian bound `min_{x in cols} (c - A^T y)^T x + min_{s in rows} y^T s`
//! of the solver's row duals `y` (every column of the relaxation is bounded, so this is a valid bound for *any*
//! `y`, whatever the solver's status or tolerances; we evaluate it for `y` and `-y` to be independent of the
//! sign convention, and drop multipliers that point at an infinite row side). A result that is not finite
//! keeps the previous bound.

use super::{BoundsOptions, NeuronBounds};
use crate::error::Result;
use crate::lp::{DualSimplex, LpOptions, LpProblem, Sense};
use crate::nn::Network;
use crate::spec::{InputDomain, Norm};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// LP bounds: `start` (valid bounds, e.g. symbolic) tightened layer by layer.
pub fn lp_bounds(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
) -> Result<NeuronBounds> {
    let mut times = vec![0.0; net.layers().len()];
    lp_bounds_timed(net, domain, start, options, &mut times)
}

/// [`lp_bounds`], adding the seconds spent per layer to `times`.
pub(crate) fn lp_bounds_timed(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
    times: &mut [f64],
) -> Result<NeuronBounds> {
    let deadline = options
        .time_limit
        .map(|t| Instant::now() + Duration::from_secs_f64(t));
    let mut bounds = start.clone();
    for k in 1..net.layers().len() {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let started = Instant::now();
        let relaxation = RelaxationLp::build(net, domain, &bounds, k);
        let todo = undecided(net, &bounds, k);
        let results = solve_neurons(net, &relaxation, k, &todo, options.neuron_time_limit, deadline);
        for (j, (lo, hi)) in todo.iter().zip(results) {
            tighten(&mut bounds.lower[k][*j], &mut bounds.upper[k][*j], lo, hi);
        }
        times[k] += started.elapsed().as_secs_f64();
    }
    Ok(bounds)
}

/// Neurons of layer `k` worth solving: unstable ones of a ReLU layer, all of a linear layer.
pub(crate) fn undecided(net: &Network, bounds: &NeuronBounds, k: usize) -> Vec<usize> {
    let relu = net.layers()[k].has_relu();
    (0..bounds.lower[k].len())
        .filter(|&j| !relu || (bounds.lower[k][j] < 0.0 && bounds.upper[k][j] > 0.0))
        .collect()
}

/// Intersects `[lower, upper]` with new bounds, ignoring non-finite ones and never crossing.
pub(crate) fn tighten(lower: &mut f64, upper: &mut f64, new_lower: Option<f64>, new_upper: Option<f64>) {
    if let Some(l) = new_lower.filter(|v| v.is_finite()) {
        if l > *lower && l <= *upper {
            *lower = l;
        }
    }
    if let Some(u) = new_upper.filter(|v| v.is_finite()) {
        if u < *upper && u >= *lower {
            *upper = u;
        }
    }
}

/// Solves min and max of each neuron in `todo`, in parallel chunks; `None` where no bound was obtained.
fn solve_neurons(
    net: &Network,
    relaxation: &RelaxationLp,
    k: usize,
    todo: &[usize],
    neuron_time_limit: Option<f64>,
    deadline: Option<Instant>,
) -> Vec<(Option<f64>, Option<f64>)> {
    if todo.is_empty() {
        return Vec::new();
    }
    let threads = rayon::current_num_threads().max(1);
    let chunk = todo.len().div_ceil(threads);
    todo.par_chunks(chunk)
        .flat_map_iter(|neurons| {
            let mut solver = NeuronSolver::new(relaxation, neuron_time_limit);
            neurons
                .iter()
                .map(|&j| {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return (None, None);
                    }
                    let row = net.layers()[k].row(j);
                    let bias = net.layers()[k].bias()[j];
                    let lo = solver.as_mut().and_then(|s| s.bound(row, bias, false));
                    let hi = solver.as_mut().and_then(|s| s.bound(row, bias, true));
                    (lo, hi)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The LP relaxation (or big-M MILP) of layers `0..k` and where the activations of layer `k - 1` live.
pub(crate) struct RelaxationLp {
    pub problem: LpProblem,
    /// Column of each activation of layer `k - 1` (`None`: constant zero).
    pub outputs: Vec<Option<usize>>,
    /// Which columns are binary (all false for the LP relaxation).
    pub integer: Vec<bool>,
}

impl RelaxationLp {
    /// Triangle relaxation of layers `0..k` over the domain, with `bounds` on every pre-activation.
    pub fn build(net: &Network, domain: &InputDomain, bounds: &NeuronBounds, k: usize) -> Self {
        Self::build_with(net, domain, bounds, k, false)
    }

    /// The relaxation, or with `binaries` the exact big-M model (one binary per unstable neuron:
    /// `a >= z`, `a <= z - l (1 - d)`, `a <= u d`; Tjeng et al. 2019), with the triangle's chord kept as a
    /// valid extra row.
    pub fn build_with(
        net: &Network,
        domain: &InputDomain,
        bounds: &NeuronBounds,
        k: usize,
        binaries: bool,
    ) -> Self {
        let mut lp = LpProblem::new(Sense::Minimize);
        let mut binary_cols = Vec::new();
        let ball = domain.ball.as_ref();
        let mut prev: Vec<Option<usize>> = (0..domain.dim())
            .map(|i| {
                let (mut lo, mut hi) = (domain.lower[i], domain.upper[i]);
                if let Some(b) = ball.filter(|b| b.norm == Norm::Linf) {
                    lo = lo.max(b.center[i] - b.radius);
                    hi = hi.min(b.center[i] + b.radius);
                }
                Some(lp.add_col(0.0, lo, hi, format!("x{i}")))
            })
            .collect();
        if let Some(b) = ball.filter(|b| b.norm == Norm::L1) {
            // t_i >= |x_i - c_i|, sum t_i <= r.
            let mut sum = Vec::with_capacity(domain.dim());
            for i in 0..domain.dim() {
                let c = b.center[i];
                let reach = (domain.lower[i] - c).abs().max((domain.upper[i] - c).abs());
                let t = lp.add_col(0.0, 0.0, reach, format!("t{i}"));
                let x = prev[i].unwrap_or(0);
                lp.add_row(-c, f64::INFINITY, vec![(t, 1.0), (x, -1.0)], format!("abs_lo{i}"));
                lp.add_row(c, f64::INFINITY, vec![(t, 1.0), (x, 1.0)], format!("abs_hi{i}"));
                sum.push((t, 1.0));
            }
            lp.add_row(f64::NEG_INFINITY, b.radius, sum, "l1_ball");
        }
        for (m, layer) in net.layers()[..k].iter().enumerate() {
            let mut next = Vec::with_capacity(layer.outputs());
            for i in 0..layer.outputs() {
                let (l, u) = (bounds.lower[m][i], bounds.upper[m][i]);
                let b = layer.bias()[i];
                if layer.has_relu() && u <= 0.0 {
                    // Always inactive: the activation is zero. (The row `W a + b <= u` would be valid too, but
                    // it is dense and adds little: most neurons of a trained network are of this kind.)
                    next.push(None);
                    continue;
                }
                let expr: Vec<(usize, f64)> = layer
                    .row(i)
                    .iter()
                    .zip(&prev)
                    .filter_map(|(&w, col)| col.filter(|_| w != 0.0).map(|c| (c, w)))
                    .collect();
                if !layer.has_relu() || l >= 0.0 {
                    // Linear: the activation is the pre-activation.
                    let a = lp.add_col(0.0, l, u, format!("a{m}_{i}"));
                    let mut row = expr;
                    row.push((a, -1.0));
                    lp.add_row(-b, -b, row, format!("z{m}_{i}"));
                    next.push(Some(a));
                } else {
                    let z = lp.add_col(0.0, l, u, format!("z{m}_{i}"));
                    let a = lp.add_col(0.0, 0.0, u, format!("a{m}_{i}"));
                    let mut row = expr;
                    row.push((z, -1.0));
                    lp.add_row(-b, -b, row, format!("aff{m}_{i}"));
                    lp.add_row(
                        0.0,
                        f64::INFINITY,
                        vec![(a, 1.0), (z, -1.0)],
                        format!("above{m}_{i}"),
                    );
                    // a <= s (z - l), s = u / (u - l)
                    let s = u / (u - l);
                    lp.add_row(
                        f64::NEG_INFINITY,
                        -s * l,
                        vec![(a, 1.0), (z, -s)],
                        format!("chord{m}_{i}"),
                    );
                    if binaries {
                        let d = lp.add_col(0.0, 0.0, 1.0, format!("d{m}_{i}"));
                        binary_cols.push(d);
                        // a - z - l d <= -l   and   a - u d <= 0
                        lp.add_row(
                            f64::NEG_INFINITY,
                            -l,
                            vec![(a, 1.0), (z, -1.0), (d, -l)],
                            format!("off{m}_{i}"),
                        );
                        lp.add_row(
                            f64::NEG_INFINITY,
                            0.0,
                            vec![(a, 1.0), (d, -u)],
                            format!("on{m}_{i}"),
                        );
                    }
                    next.push(Some(a));
                }
            }
            prev = next;
        }
        let mut integer = vec![false; lp.num_cols()];
        for c in binary_cols {
            integer[c] = true;
        }
        RelaxationLp {
            problem: lp,
            outputs: prev,
            integer,
        }
    }
}

/// One thread's simplex over a relaxation, re-solved for one objective after another.
pub(crate) struct NeuronSolver<'a> {
    relaxation: &'a RelaxationLp,
    simplex: DualSimplex,
    cost: Vec<f64>,
}

impl<'a> NeuronSolver<'a> {
    /// A solver for the relaxation; `None` if the LP is rejected.
    pub fn new(relaxation: &'a RelaxationLp, time_limit: Option<f64>) -> Option<Self> {
        let options = LpOptions {
            time_limit,
            ..LpOptions::default()
        };
        let simplex = DualSimplex::new(&relaxation.problem, options).ok()?;
        Some(NeuronSolver {
            relaxation,
            simplex,
            cost: vec![0.0; relaxation.problem.num_cols()],
        })
    }

    /// A valid bound on `row · a + bias` (lower, or upper when `maximize`), if one was obtained.
    pub fn bound(&mut self, row: &[f64], bias: f64, maximize: bool) -> Option<f64> {
        let sign = if maximize { -1.0 } else { 1.0 };
        self.cost.iter_mut().for_each(|c| *c = 0.0);
        for (w, col) in row.iter().zip(&self.relaxation.outputs) {
            if let Some(c) = col {
                self.cost[*c] = sign * w;
            }
        }
        self.simplex.set_objective(&self.cost);
        let _status = self.simplex.solve();
        let duals = self.simplex.row_duals();
        let lower = lagrangian_bound(&self.relaxation.problem, &self.cost, &duals);
        let lower = lower.filter(|v| v.is_finite())?;
        // min sign*(row·a) >= lower, so row·a + bias is >= lower + bias (min) or <= -lower + bias (max).
        Some(sign * lower + bias)
    }
}

/// `max(L(y), L(-y))` with `L(y) = min_{x in cols} (c - A^T y)^T x + min_{s in rows} y^T s`, a valid lower bound
/// on `min c^T x` over the LP for any `y` (its columns bounded); `None` when neither is finite.
pub(crate) fn lagrangian_bound(lp: &LpProblem, cost: &[f64], y: &[f64]) -> Option<f64> {
    if y.len() != lp.num_rows() || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let best = [1.0, -1.0]
        .into_iter()
        .map(|sign| lagrangian(lp, cost, y, sign))
        .fold(f64::NEG_INFINITY, f64::max);
    best.is_finite().then_some(best)
}

fn lagrangian(lp: &LpProblem, cost: &[f64], y: &[f64], sign: f64) -> f64 {
    let mut reduced = cost.to_vec();
    let mut total = 0.0;
    for (i, row) in lp.rows.iter().enumerate() {
        let yi = sign * y[i];
        // A multiplier pointing at an infinite row side (wrong-signed, usually rounding noise) is dropped:
        // the bound holds for any multipliers, so changing them keeps it valid.
        let side = if yi > 0.0 {
            lp.row_lower[i]
        } else {
            lp.row_upper[i]
        };
        if yi == 0.0 || !side.is_finite() {
            continue;
        }
        for &(j, a) in row {
            reduced[j] -= yi * a;
        }
        // min over s in [L, U] of yi s.
        total += if yi > 0.0 {
            yi * lp.row_lower[i]
        } else {
            yi * lp.row_upper[i]
        };
    }
    for j in 0..reduced.len() {
        let d = reduced[j];
        if d > 0.0 {
            total += d * lp.col_lower[j];
        } else if d < 0.0 {
            total += d * lp.col_upper[j];
        }
    }
    if total.is_nan() {
        f64::NEG_INFINITY
    } else {
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp::LpStatus;
    use crate::nn::Layer;

    /// The Lagrangian bound from the solver's duals matches the optimal value (so the duals are used with the
    /// right sign and the bound is not needlessly weak).
    #[test]
    fn lagrangian_bound_meets_the_optimum() {
        let net = Network::new(vec![
            Layer::new(
                3,
                4,
                (0..12).map(|i| ((i as f64) * 0.77).sin()).collect(),
                vec![0.1, -0.2, 0.0, 0.3],
                true,
            )
            .unwrap(),
            Layer::new(
                4,
                2,
                (0..8).map(|i| ((i as f64) * 1.3).cos()).collect(),
                vec![0.0, 0.1],
                false,
            )
            .unwrap(),
        ])
        .unwrap();
        let domain = InputDomain::uniform(3, -1.0, 1.0)
            .unwrap()
            .intersect_l1(&[0.2, 0.0, -0.1], 1.2)
            .unwrap();
        let bounds = super::super::symbolic_bounds(&net, &domain);
        let relaxation = RelaxationLp::build(&net, &domain, &bounds, 1);
        let mut solver = NeuronSolver::new(&relaxation, None).unwrap();
        for j in 0..2 {
            for maximize in [false, true] {
                let got = solver.bound(net.layers()[1].row(j), 0.0, maximize).unwrap();
                assert_eq!(solver.simplex.solve(), LpStatus::Optimal);
                let optimum = solver.simplex.objective_value();
                let sign = if maximize { -1.0 } else { 1.0 };
                assert!(
                    (sign * got - optimum).abs() < 1e-7,
                    "bound {got} vs optimum {optimum}"
                );
            }
        }
    }
}
