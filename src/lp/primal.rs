//! Primal simplex with a composite objective: while basic variables violate their bounds it minimises
//! the sum of infeasibilities (phase 1), then the true costs (phase 2). Used where the dual simplex
//! cannot start (dual infeasible) and to clean up after removing cost perturbations (Maros 2003, ch. 9).

use super::core::{Core, Stat};
use super::dual::{clean_certificate, refresh, Run, Stop};

/// Runs the primal simplex on the costs in force.
pub(crate) fn primal(core: &mut Core, run: &mut Run) -> Stop {
    let (m, n) = (core.m, core.n);
    let tol_p = core.tol.primal;
    let tol_d = core.tol.dual;
    let mut alpha = vec![0.0; m];
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
        // Phase costs of the basic variables.
        let mut phase1 = false;
        let mut cb = vec![0.0; m];
        for (p, &j) in core.basic.iter().enumerate() {
            if core.x[j] < core.lower[j] - tol_p {
                cb[p] = -1.0;
                phase1 = true;
            } else if core.x[j] > core.upper[j] + tol_p {
                cb[p] = 1.0;
                phase1 = true;
            }
        }
        if !phase1 {
            for (p, &j) in core.basic.iter().enumerate() {
                cb[p] = core.cost[j];
            }
        }
        core.lu.btran(&mut cb);
        let y = cb;
        if run.iterations.is_multiple_of(200) && std::env::var("RELUMIP_LP_TRACE").is_ok() {
            eprintln!(
                "  primal it {} phase1 {phase1} obj {:.6e} pinf {:.3e}",
                run.iterations,
                core.objective(),
                core.max_primal_infeasibility()
            );
        }
        // Pricing (Dantzig) over the non-basic variables.
        let mut best = None;
        let mut best_score = 0.0;
        for j in 0..n + m {
            let st = core.stat[j];
            if st == Stat::Basic || core.lower[j] == core.upper[j] {
                continue;
            }
            let mut dj = if phase1 { 0.0 } else { core.cost[j] };
            core.for_col(j, |i, a| dj -= a * y[i]);
            core.d[j] = dj;
            let improving = match st {
                Stat::Lower => dj < -tol_d,
                Stat::Upper => dj > tol_d,
                _ => dj.abs() > tol_d,
            };
            if improving && dj.abs() > best_score {
                best_score = dj.abs();
                best = Some(j);
            }
        }
        let Some(q) = best else {
            if phase1 {
                if core.lu.num_updates() > 0 && trouble < 3 {
                    trouble += 1;
                    core.need_factor = true;
                    continue;
                }
                run.farkas = Some(clean_certificate(&y, -1.0));
                return Stop::Infeasible;
            }
            return Stop::Optimal;
        };
        let dir = if core.d[q] < 0.0 { 1.0 } else { -1.0 };
        core.load_col(q, &mut alpha);
        core.lu.ftran(&mut alpha);
        // Ratio test (Harris two passes); basic p moves by -dir * alpha[p] per unit step.
        let step_of = |p: usize, relax: f64| -> f64 {
            let j = core.basic[p];
            let delta = -dir * alpha[p];
            let x = core.x[j];
            let (l, u) = (core.lower[j], core.upper[j]);
            if delta < 0.0 {
                // Decreasing: an infeasible variable above its upper bound stops there (phase 1);
                // one below its lower bound moves freely (its cost already counts it).
                if x > u + tol_p {
                    (x - u + relax) / -delta
                } else if x < l - tol_p || !l.is_finite() {
                    f64::INFINITY
                } else {
                    ((x - l).max(0.0) + relax) / -delta
                }
            } else if x < l - tol_p {
                (l - x + relax) / delta
            } else if x > u + tol_p || !u.is_finite() {
                f64::INFINITY
            } else {
                ((u - x).max(0.0) + relax) / delta
            }
        };
        let mut theta_max = core.upper[q] - core.lower[q];
        for p in 0..m {
            if alpha[p].abs() > core.tol.pivot {
                theta_max = theta_max.min(step_of(p, tol_p));
            }
        }
        if theta_max == f64::INFINITY {
            if phase1 {
                return Stop::Trouble;
            }
            let mut ray = vec![0.0; n + m];
            ray[q] = dir;
            for p in 0..m {
                ray[core.basic[p]] = -dir * alpha[p];
            }
            run.ray = Some(ray);
            return Stop::Unbounded;
        }
        let mut leave = None;
        let mut best_abs = 0.0;
        let mut theta = theta_max;
        for p in 0..m {
            if alpha[p].abs() > core.tol.pivot && step_of(p, 0.0) <= theta_max && alpha[p].abs() > best_abs {
                best_abs = alpha[p].abs();
                leave = Some(p);
                theta = step_of(p, 0.0);
            }
        }
        let flip_len = core.upper[q] - core.lower[q];
        if flip_len <= theta_max && (leave.is_none() || flip_len <= theta) {
            // The entering variable reaches its other bound first: a bound flip.
            for p in 0..m {
                core.x[core.basic[p]] -= dir * flip_len * alpha[p];
            }
            core.stat[q] = if core.stat[q] == Stat::Lower {
                Stat::Upper
            } else {
                Stat::Lower
            };
            core.x[q] = core.nonbasic_value(q);
            run.iterations += 1;
            continue;
        }
        let Some(r) = leave else {
            return Stop::Trouble;
        };
        if alpha[r].abs() < 1e-9 {
            trouble += 1;
            if trouble > 20 {
                return Stop::Trouble;
            }
            core.need_factor = true;
            continue;
        }
        let j_leave = core.basic[r];
        let delta = -dir * alpha[r];
        let leave_stat = if delta < 0.0 {
            if core.x[j_leave] > core.upper[j_leave] + tol_p {
                Stat::Upper
            } else {
                Stat::Lower
            }
        } else if core.x[j_leave] < core.lower[j_leave] - tol_p {
            Stat::Lower
        } else {
            Stat::Upper
        };
        for p in 0..m {
            core.x[core.basic[p]] -= dir * theta * alpha[p];
        }
        core.x[q] += dir * theta;
        let leave_stat = if core.lower[j_leave].is_finite() || core.upper[j_leave].is_finite() {
            leave_stat
        } else {
            Stat::Zero
        };
        core.pivot(r, q, leave_stat, &alpha);
        // The primal values drift from the bound the leaving variable was put on; recompute.
        core.compute_primal();
        run.iterations += 1;
    }
}
