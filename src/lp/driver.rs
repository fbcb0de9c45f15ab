//! The order of the algorithms in one solve: restore dual feasibility (bound flips, then the
//! auxiliary-bounds dual phase 1), perturb the costs, dual phase 2, remove the perturbation and clean
//! up with the primal simplex (Koberstein 2005, ch. 4–5; HiGHS does the same).

use super::core::{Core, Stat};
use super::dual::{dual_phase2, refresh, Run, Stop};
use super::primal::primal;

/// Options of the algorithm sequence.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DriveOptions {
    pub perturb: bool,
}

/// Runs the whole solve on `core` from its current basis.
pub(crate) fn drive(core: &mut Core, run: &mut Run, opts: DriveOptions) -> Stop {
    let trace = std::env::var("RELUMIP_LP_TRACE").is_ok();
    let mut perturb = opts.perturb;
    for attempt in 0..4 {
        core.cost.copy_from_slice(&core.orig_cost);
        if attempt == 0 {
            recompute(core);
        } else {
            refresh(core);
        }
        flip_to_dual_feasible(core);
        // A phase 1 that ends short of dual feasibility (drift in the updated reduced costs) is
        // restarted once from its final basis before the primal takes over.
        for round in 0..2 {
            if core.max_dual_infeasibility() <= core.tol.dual {
                break;
            }
            let stop = dual_phase1(core, run, perturb);
            if trace {
                eprintln!(
                    "phase1 {stop:?} iters {} dinf {}",
                    run.iterations,
                    core.max_dual_infeasibility()
                );
            }
            if stop != Stop::Optimal {
                return stop;
            }
            if round == 1 && core.max_dual_infeasibility() > core.tol.dual {
                // The dual is infeasible: the primal decides between infeasible and unbounded.
                return finish_primal(core, run);
            }
        }
        if perturb {
            perturb_costs(core);
        }
        let stop = dual_phase2(core, run);
        if trace {
            eprintln!(
                "phase2 {stop:?} iters {} pinf {} dinf {}",
                run.iterations,
                core.max_primal_infeasibility(),
                core.max_dual_infeasibility()
            );
        }
        match stop {
            Stop::Optimal => {}
            Stop::Trouble => {
                perturb = !perturb;
                continue;
            }
            Stop::Infeasible => {
                if run.farkas.as_deref().is_some_and(|y| core.farkas_valid(y)) {
                    return Stop::Infeasible;
                }
                // A weak certificate (tiny pivot-row entries left out): let the primal decide.
                run.farkas = None;
                return finish_primal(core, run);
            }
            other => return other,
        }
        // Remove perturbations and shifts; check with recomputed values.
        core.cost.copy_from_slice(&core.orig_cost);
        recompute(core);
        if core.max_primal_infeasibility() > core.tol.primal {
            continue;
        }
        if core.max_dual_infeasibility() > core.tol.dual {
            return finish_primal(core, run);
        }
        return Stop::Optimal;
    }
    Stop::Trouble
}

/// Primal simplex to the end, then a check on fresh factors.
fn finish_primal(core: &mut Core, run: &mut Run) -> Stop {
    for _ in 0..3 {
        core.cost.copy_from_slice(&core.orig_cost);
        let stop = primal(core, run);
        if std::env::var("RELUMIP_LP_TRACE").is_ok() {
            eprintln!(
                "primal {stop:?} iters {} pinf {} valid {:?}",
                run.iterations,
                core.max_primal_infeasibility(),
                run.farkas.as_deref().map(|y| core.farkas_valid(y))
            );
        }
        if stop == Stop::Infeasible && !run.farkas.as_deref().is_some_and(|y| core.farkas_valid(y)) {
            return Stop::Trouble;
        }
        if stop != Stop::Optimal {
            return stop;
        }
        refresh(core);
        if core.max_primal_infeasibility() <= core.tol.primal
            && core.max_dual_infeasibility() <= core.tol.dual
        {
            return Stop::Optimal;
        }
    }
    Stop::Trouble
}

/// Boxed non-basic variables with wrong-signed reduced costs move to their other bound.
fn flip_to_dual_feasible(core: &mut Core) {
    let tol = core.tol.dual;
    let mut flipped = false;
    for j in 0..core.n + core.m {
        let st = core.stat[j];
        if st == Stat::Basic || !(core.lower[j].is_finite() && core.upper[j].is_finite()) {
            continue;
        }
        if st == Stat::Lower && core.d[j] < -tol {
            core.stat[j] = Stat::Upper;
            flipped = true;
        } else if st == Stat::Upper && core.d[j] > tol {
            core.stat[j] = Stat::Lower;
            flipped = true;
        } else if st == Stat::Zero {
            core.stat[j] = if core.d[j] >= 0.0 {
                Stat::Lower
            } else {
                Stat::Upper
            };
            flipped = true;
        }
    }
    if flipped {
        core.compute_primal();
    }
}

/// Dual phase 1 by the auxiliary problem: every bound is replaced by a box (`[0,0]` for boxed,
/// `[0,1]`/`[-1,0]` for one-sided, `[-1000,1000]` for free variables), which the dual simplex solves
/// from any basis; at its optimum the basis minimises the dual infeasibility of the true problem.
fn dual_phase1(core: &mut Core, run: &mut Run, perturb: bool) -> Stop {
    let lower = core.lower.clone();
    let upper = core.upper.clone();
    for j in 0..core.n + core.m {
        let (l, u) = match (lower[j].is_finite(), upper[j].is_finite()) {
            (true, true) => (0.0, 0.0),
            (true, false) => (0.0, 1.0),
            (false, true) => (-1.0, 0.0),
            (false, false) => (-1000.0, 1000.0),
        };
        core.lower[j] = l;
        core.upper[j] = u;
        if core.stat[j] != Stat::Basic {
            core.stat[j] = if core.d[j] >= 0.0 {
                Stat::Lower
            } else {
                Stat::Upper
            };
        }
    }
    core.compute_primal();
    let _ = perturb;
    let stop = dual_phase2(core, run);
    core.lower = lower;
    core.upper = upper;
    core.cost.copy_from_slice(&core.orig_cost);
    recompute(core);
    for j in 0..core.n + core.m {
        if core.stat[j] == Stat::Basic {
            continue;
        }
        let (lf, uf) = (core.lower[j].is_finite(), core.upper[j].is_finite());
        core.stat[j] = if core.d[j] >= 0.0 {
            if lf {
                Stat::Lower
            } else if uf {
                Stat::Upper
            } else {
                Stat::Zero
            }
        } else if uf {
            Stat::Upper
        } else if lf {
            Stat::Lower
        } else {
            Stat::Zero
        };
    }
    core.compute_primal();
    if stop == Stop::Infeasible {
        // Cannot happen in exact arithmetic (the auxiliary problem is feasible); report trouble.
        return Stop::Trouble;
    }
    stop
}

/// Moves each non-basic cost a little further into dual feasibility, breaking dual degeneracy.
fn perturb_costs(core: &mut Core) {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let base = 5e-7;
    for j in 0..core.n + core.m {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let st = core.stat[j];
        if st == Stat::Basic || core.lower[j] == core.upper[j] {
            continue;
        }
        let random = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let xi = base * (1.0 + core.cost[j].abs()) * (1.0 + random);
        match st {
            Stat::Lower => {
                core.cost[j] += xi;
                core.d[j] += xi;
            }
            Stat::Upper => {
                core.cost[j] -= xi;
                core.d[j] -= xi;
            }
            _ => {}
        }
    }
}

/// Primal and dual values from the current factors (factorising only when they are stale).
fn recompute(core: &mut Core) {
    if core.need_factor {
        core.factor();
    }
    core.compute_primal();
    core.compute_dual();
}
