//! Dual simplex phase 2 on the bounds and costs in force: dual steepest-edge pricing, the
//! bound-flipping ratio test with Harris tolerances and cost shifting (Koberstein 2005, ch. 3–4).

use super::core::{Core, Stat};
use crate::linalg::ScatteredVec;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Why an algorithm stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Optimal,
    /// Dual unbounded: the primal is infeasible; the certificate is in `Run::farkas`.
    Infeasible,
    /// Primal unbounded: the ray is in `Run::ray`.
    Unbounded,
    Cutoff,
    IterationLimit,
    TimeLimit,
    Interrupted,
    Trouble,
}

/// Limits and counters of one `solve` call.
pub(crate) struct Run {
    pub iterations: u64,
    pub iteration_limit: u64,
    pub deadline: Option<Instant>,
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Stop when the (internal, minimisation) dual objective reaches this.
    pub cutoff: Option<f64>,
    /// Row multipliers (scaled, by row) proving infeasibility.
    pub farkas: Option<Vec<f64>>,
    /// Direction (scaled, over all `n + m` variables) proving unboundedness.
    pub ray: Option<Vec<f64>>,
    /// Sound lower bound found when stopping on the cutoff.
    pub cutoff_bound: Option<f64>,
}

impl Run {
    pub fn check_limits(&self) -> Option<Stop> {
        if self.iterations >= self.iteration_limit {
            return Some(Stop::IterationLimit);
        }
        if let Some(flag) = &self.interrupt {
            if flag.load(Ordering::Relaxed) {
                return Some(Stop::Interrupted);
            }
        }
        if let Some(deadline) = self.deadline {
            if self.iterations.is_multiple_of(16) && Instant::now() >= deadline {
                return Some(Stop::TimeLimit);
            }
        }
        None
    }
}

/// Work vectors of the dual iteration.
pub(crate) struct DualWork {
    rho: Vec<f64>,
    alpha: Vec<f64>,
    tau: Vec<f64>,
    flip_rhs: Vec<f64>,
    row: ScatteredVec,
    candidates: Vec<(usize, f64)>,
    flips: Vec<usize>,
}

impl DualWork {
    pub fn new(m: usize, n: usize) -> Self {
        DualWork {
            rho: vec![0.0; m],
            alpha: vec![0.0; m],
            tau: vec![0.0; m],
            flip_rhs: vec![0.0; m],
            row: ScatteredVec::new(n + m),
            candidates: Vec::new(),
            flips: Vec::new(),
        }
    }
}

/// Refactorises and recomputes primal and dual values.
pub(crate) fn refresh(core: &mut Core) {
    core.factor();
    core.compute_primal();
    core.compute_dual();
}

/// Runs dual simplex phase 2 from a dual feasible basis (up to the tolerance).
pub(crate) fn dual_phase2(core: &mut Core, run: &mut Run) -> Stop {
    let (m, n) = (core.m, core.n);
    let mut w = DualWork::new(m, n);
    let mut trouble = 0;
    if core.need_factor {
        refresh(core);
    }
    loop {
        if let Some(stop) = run.check_limits() {
            return stop;
        }
        if core.need_factor {
            refresh(core);
        }
        if let Some(cutoff) = run.cutoff {
            if run.iterations.is_multiple_of(8) && core.objective() >= cutoff {
                let bound = core.lagrangian_bound();
                if bound >= cutoff {
                    run.cutoff_bound = Some(bound);
                    return Stop::Cutoff;
                }
            }
        }
        if run.iterations.is_multiple_of(500) && std::env::var("RELUMIP_LP_TRACE").is_ok() {
            let maxx = core.basic.iter().map(|&j| core.x[j].abs()).fold(0.0, f64::max);
            eprintln!(
                "  it {} obj {:.6e} pinf {:.3e} dinf {:.3e} max|xB| {:.3e} etas {} lu {} rho {} alpha {} row {}",
                run.iterations,
                core.objective(),
                core.max_primal_infeasibility(),
                core.max_dual_infeasibility(),
                maxx,
                core.lu.eta_nnz(),
                core.lu.factor_nnz(),
                w.rho.iter().filter(|v| **v != 0.0).count(),
                w.alpha.iter().filter(|v| **v != 0.0).count(),
                w.row.nonzeros.len()
            );
        }
        // Pricing: dual steepest edge.
        let Some(r) = choose_row(core) else {
            return Stop::Optimal;
        };
        let leaving = core.basic[r];
        let to_upper = core.x[leaving] > core.upper[leaving];
        let sign = if to_upper { 1.0 } else { -1.0 };
        // BTRAN: rho = e_r^T B^{-1}.
        w.rho.iter_mut().for_each(|v| *v = 0.0);
        w.rho[r] = 1.0;
        core.lu.btran(&mut w.rho);
        core.pivot_row(&w.rho, &mut w.row);
        let infeas = if to_upper {
            core.x[leaving] - core.upper[leaving]
        } else {
            core.lower[leaving] - core.x[leaving]
        };
        let Some(q) = ratio_test(core, &mut w, sign, infeas) else {
            // No entering variable: the dual is unbounded along rho, the primal infeasible.
            if core.lu.num_updates() > 0 && trouble < 3 {
                trouble += 1;
                core.need_factor = true;
                continue;
            }
            run.farkas = Some(clean_certificate(&w.rho, sign));
            return Stop::Infeasible;
        };
        // FTRAN the entering column and check it against the pivot row.
        core.load_col(q, &mut w.alpha);
        core.lu.ftran(&mut w.alpha);
        let alpha_rq = w.row.values[q];
        let alpha_r = w.alpha[r];
        if (alpha_r - alpha_rq).abs() > 1e-8 * (1.0 + alpha_r.abs()) || alpha_r.abs() < 1e-11 {
            trouble += 1;
            if trouble > 20 {
                return Stop::Trouble;
            }
            if core.lu.num_updates() > 0 {
                core.need_factor = true;
                continue;
            }
        }
        // Cost shifting: an entering reduced cost of the wrong sign (allowed by Harris) is made zero.
        let dq = core.d[q];
        if (core.stat[q] == Stat::Lower && dq < 0.0) || (core.stat[q] == Stat::Upper && dq > 0.0) {
            core.cost[q] -= dq;
            core.d[q] = 0.0;
        }
        let theta_d = core.d[q] / alpha_rq;
        for &j in &w.row.nonzeros {
            if core.stat[j] != Stat::Basic {
                core.d[j] -= theta_d * w.row.values[j];
            }
        }
        core.d[q] = 0.0;
        core.d[leaving] = -theta_d;
        // Bound flips of the long step move the basic variables.
        if !w.flips.is_empty() {
            w.flip_rhs.iter_mut().for_each(|v| *v = 0.0);
            for &j in &w.flips {
                let (delta, new_stat) = if core.stat[j] == Stat::Lower {
                    (core.upper[j] - core.lower[j], Stat::Upper)
                } else {
                    (core.lower[j] - core.upper[j], Stat::Lower)
                };
                core.stat[j] = new_stat;
                core.x[j] = core.nonbasic_value(j);
                let rhs = &mut w.flip_rhs;
                core.for_col(j, |i, a| rhs[i] += a * delta);
            }
            core.lu.ftran(&mut w.flip_rhs);
            for p in 0..m {
                core.x[core.basic[p]] -= w.flip_rhs[p];
            }
        }
        // Primal step.
        let target = if to_upper {
            core.upper[leaving]
        } else {
            core.lower[leaving]
        };
        let theta_p = (core.x[leaving] - target) / alpha_r;
        for p in 0..m {
            core.x[core.basic[p]] -= theta_p * w.alpha[p];
        }
        core.x[q] += theta_p;
        // Dual steepest-edge weights (Forrest & Goldfarb 1992): needs tau = B^{-1} rho.
        let wr = w.rho.iter().map(|v| v * v).sum::<f64>();
        w.tau.copy_from_slice(&w.rho);
        core.lu.ftran(&mut w.tau);
        for p in 0..m {
            if p == r || w.alpha[p] == 0.0 {
                continue;
            }
            let kappa = w.alpha[p] / alpha_r;
            let new = core.weights[p] + kappa * (kappa * wr - 2.0 * w.tau[p]);
            core.weights[p] = new.max(1e-8);
        }
        core.weights[r] = (wr / (alpha_r * alpha_r)).max(1e-8);
        let leave_stat = if to_upper { Stat::Upper } else { Stat::Lower };
        core.pivot(r, q, leave_stat, &w.alpha);
        run.iterations += 1;
        if trouble > 0 && run.iterations.is_multiple_of(50) {
            trouble -= 1;
        }
    }
}

/// The basis position with the largest squared infeasibility relative to its weight.
#[inline(never)]
fn choose_row(core: &Core) -> Option<usize> {
    let tol = core.tol.primal;
    let mut best = None;
    let mut best_score = 0.0;
    for (p, &j) in core.basic.iter().enumerate() {
        let x = core.x[j];
        let infeas = if x < core.lower[j] - tol {
            core.lower[j] - x
        } else if x > core.upper[j] + tol {
            x - core.upper[j]
        } else {
            continue;
        };
        let score = infeas * infeas / core.weights[p];
        if score > best_score {
            best_score = score;
            best = Some(p);
        }
    }
    best
}

/// Bound-flipping ratio test with Harris tolerances (Koberstein 2005, alg. 7). Returns the entering
/// variable and leaves the boxed variables to flip in `w.flips`.
#[inline(never)]
fn ratio_test(core: &Core, w: &mut DualWork, sign: f64, infeas: f64) -> Option<usize> {
    let tol_d = core.tol.dual;
    let tol_p = core.tol.pivot;
    w.candidates.clear();
    w.flips.clear();
    for &j in &w.row.nonzeros {
        let st = core.stat[j];
        if st == Stat::Basic || core.lower[j] == core.upper[j] {
            continue;
        }
        let a = sign * w.row.values[j];
        let ok = match st {
            Stat::Lower => a > tol_p,
            Stat::Upper => a < -tol_p,
            _ => a.abs() > tol_p,
        };
        if ok {
            w.candidates.push((j, a));
        }
    }
    let mut slope = infeas;
    let mut remaining = w.candidates.len();
    loop {
        if remaining == 0 {
            return None;
        }
        // Harris pass 1: largest step keeping every candidate within the dual tolerance.
        let mut theta_max = f64::INFINITY;
        for &(j, a) in &w.candidates[..remaining] {
            let bound = harris_ratio(core.d[j], a, core.stat[j], tol_d);
            theta_max = theta_max.min(bound);
        }
        let theta_max = theta_max.max(0.0);
        // Pass 2: among candidates with ratio within theta_max, the largest |alpha|.
        let mut best = None;
        let mut best_abs = 0.0;
        let mut slope_drop = 0.0;
        let mut all_boxed = true;
        for &(j, a) in &w.candidates[..remaining] {
            if ratio(core.d[j], a) <= theta_max {
                if a.abs() > best_abs {
                    best_abs = a.abs();
                    best = Some(j);
                }
                let range = core.upper[j] - core.lower[j];
                if range.is_finite() {
                    slope_drop += a.abs() * range;
                } else {
                    all_boxed = false;
                }
            }
        }
        let chosen = best?;
        if all_boxed && slope - slope_drop > 1e-9 * (1.0 + infeas) {
            // Every candidate of this group can flip: the dual objective still rises past them.
            let mut k = 0;
            while k < remaining {
                let (j, a) = w.candidates[k];
                if ratio(core.d[j], a) <= theta_max {
                    w.flips.push(j);
                    remaining -= 1;
                    w.candidates.swap(k, remaining);
                } else {
                    k += 1;
                }
            }
            slope -= slope_drop;
            if remaining == 0 {
                // Still infeasible after every flip: the dual is unbounded.
                return None;
            }
            continue;
        }
        return Some(chosen);
    }
}

#[inline]
fn ratio(d: f64, a: f64) -> f64 {
    (d / a).max(0.0)
}

#[inline]
fn harris_ratio(d: f64, a: f64, st: Stat, tol: f64) -> f64 {
    match st {
        Stat::Lower => (d + tol) / a,
        Stat::Upper => (d - tol) / a,
        _ => {
            if a > 0.0 {
                (d + tol) / a
            } else {
                (d - tol) / a
            }
        }
    }
}

/// `sign * rho` with rounding noise (entries below `1e-12` of the largest) set to zero.
pub(crate) fn clean_certificate(rho: &[f64], sign: f64) -> Vec<f64> {
    let big = rho.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    rho.iter()
        .map(|&v| if v.abs() <= 1e-12 * big { 0.0 } else { v * sign })
        .collect()
}
