//! The smallest radius around a reference input at which something happens, found by a sequence of
//! verification questions instead of one MILP that minimises the radius.
//!
//! Why: in the one-MILP form the neuron bounds are those of the whole domain (a radius variable does not
//! tighten them), so the relaxation is weak and the lower bound barely moves (on mnist-32-16, `mineps` kept
//! bound 0 for 60 s). A question "is there such an input within radius `r`?" has bounds computed over the ball
//! of radius `r`, which are tight for small `r`, and is decided quickly. The search doubles `r` from a start
//! until an input is found, then bisects: every `unsat` raises the proven lower bound to `r`, every input found
//! lowers the upper bound to that input's own distance (recomputed from the input). It stops when
//! `upper - lower <= max(gap_abs, gap_rel * upper)` (optimal), when `unsat` holds at the largest radius the
//! domain allows (infeasible), or at the time limit (the bracket so far: objective and bound).
//!
//! Used by `compare` `mineps` ([`mineps_by_radius`]) and by `adversarial` for L1/L∞ without per-feature
//! budgets ([`super::adversarial_radius`]). Each question goes through `verify::verify_property`, which
//! confirms a counterexample by a forward pass; the caller's check re-confirms it in the task's own terms.

use super::compare::{with_outputs, CompareReport};
use super::compare_modes::{disagrees_at, predicted_class, MINEPS_MARGIN};
use super::compose::parallel;
use super::outcome::TaskResult;
use super::verify::verify_property;
use crate::error::{Error, Result};
use crate::log::{fmt_value, Log};
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::result::Status;
use crate::spec::{InputDomain, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use std::time::Instant;

/// Where the search ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiusOutcome {
    /// `Optimal` (bracket closed), `Infeasible` (nothing within the largest radius) or a limit status.
    pub status: Status,
    /// The best input found and its distance.
    pub best: Option<(Vec<f64>, f64)>,
    /// The proven lower bound on the smallest distance.
    pub lower: f64,
    /// Nodes over all questions.
    pub nodes: u64,
    /// LP iterations over all questions.
    pub lp_iterations: u64,
    /// `(seconds, distance, source)` each time a better input was found.
    pub incumbents: Vec<(f64, f64, String)>,
}

/// Doubling from `r_start`, then bisection (module docs). `question(domain_radius, options)` answers with
/// `Some(Some((x, distance)))` for an input found (already checked by the caller), `Some(None)` when proven
/// that none exists within the radius, `None` when undecided (a limit).
pub fn search_radius(
    r_max: f64,
    r_start: f64,
    options: &SolverOptions,
    log: &Log,
    mut question: impl FnMut(f64, &SolverOptions) -> Result<(Option<Option<(Vec<f64>, f64)>>, u64, u64)>,
) -> Result<RadiusOutcome> {
    let start = Instant::now();
    let mut out = RadiusOutcome {
        status: Status::TimeLimit,
        best: None,
        lower: 0.0,
        nodes: 0,
        lp_iterations: 0,
        incumbents: Vec::new(),
    };
    let mut r = r_start.min(r_max).max(f64::MIN_POSITIVE);
    // The smallest radius left undecided: later questions stay below it (easier to decide).
    let mut hard = f64::INFINITY;
    let mut last_undecided = false;
    loop {
        let upper = out.best.as_ref().map(|b| b.1);
        if let Some(u) = upper {
            if u - out.lower <= options.gap_abs.max(options.gap_rel * u) {
                out.status = Status::Optimal;
                break;
            }
        }
        // Half the gap on each side of an undecided radius, so that both closed mean the gap is closed.
        let tol = |v: f64| 0.5 * options.gap_abs.max(options.gap_rel * v);
        match upper {
            // After an undecided radius, look above it for a closer input (easier to find there).
            Some(u) if last_undecided && u - hard > tol(u) => r = 0.5 * (hard + u),
            _ if upper.is_some() || hard.is_finite() => {
                let top = upper.unwrap_or(f64::INFINITY).min(hard);
                r = 0.5 * (out.lower + top);
                if top - out.lower <= tol(top) {
                    match upper {
                        // Below the undecided radius all is proven: close in on it from above.
                        Some(u) if u - hard > tol(u) => r = 0.5 * (hard + u),
                        _ => break, // only undecided radii left to ask about
                    }
                }
            }
            _ => {}
        }
        last_undecided = false;
        let remaining = options.time_limit.map(|t| t - start.elapsed().as_secs_f64());
        if remaining.is_some_and(|t| t <= 0.0) {
            break;
        }
        // A question gets a quarter of the time left (at least a second), so that one hard radius does not
        // take it all.
        let opts = SolverOptions {
            time_limit: remaining.map(|t| (0.25 * t).max(1.0).min(t)),
            ..options.clone()
        };
        let (answer, nodes, iterations) = question(r, &opts)?;
        out.nodes += nodes;
        out.lp_iterations += iterations;
        match answer {
            Some(Some((x, d))) => {
                log.line(&format!(
                    "Radius {}: found an input at distance {}",
                    fmt_value(r),
                    fmt_value(d)
                ));
                if upper.is_none_or(|u| d < u) {
                    out.incumbents.push((
                        start.elapsed().as_secs_f64(),
                        d,
                        format!("radius {}", fmt_value(r)),
                    ));
                    out.best = Some((x, d));
                }
                // The input lies within r, so lower <= d <= r < upper: the bracket shrinks. Anything else is
                // numerical trouble, reported as such rather than looping.
                if d < out.lower || upper.is_some_and(|u| d >= u) {
                    log.line("Radius search: the found distance does not shrink the bracket; stopping");
                    out.status = Status::NumericalTrouble;
                    break;
                }
            }
            Some(None) => {
                log.line(&format!("Radius {}: none (proven)", fmt_value(r)));
                out.lower = out.lower.max(r);
                if out.best.is_none() {
                    if r >= r_max {
                        out.status = Status::Infeasible;
                        break;
                    }
                    r = (2.0 * r).min(r_max);
                }
            }
            None => {
                log.line(&format!("Radius {}: undecided within the limits", fmt_value(r)));
                hard = hard.min(r);
                last_undecided = true;
                if out.best.is_none() && r <= out.lower {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// The largest L∞ distance from `x0` to a point of `domain`'s box.
pub fn largest_radius(domain: &InputDomain, x0: &[f64]) -> f64 {
    (0..x0.len())
        .map(|i| (x0[i] - domain.lower[i]).max(domain.upper[i] - x0[i]))
        .fold(0.0_f64, f64::max)
}

/// `mineps` by radius search: the smallest L∞ radius around `reference` with an input of `domain` where `a`
/// picks `class` (A's prediction at the reference when `None`) by [`MINEPS_MARGIN`] and `b` does not pick it.
/// Same answer as [`super::compare_modes::mineps`], with bounds from verification questions.
pub fn mineps_by_radius(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    reference: &[f64],
    class: Option<usize>,
    options: &SolverOptions,
    log: &Log,
) -> Result<CompareReport> {
    options.validate()?;
    let start = Instant::now();
    let m = super::compare_modes::check_mineps_arguments(a, b, reference)?;
    let c = class.unwrap_or_else(|| predicted_class(&a.forward(reference)));
    if c >= m {
        return Err(Error::Options(format!("class {c} out of range ({m} outputs)")));
    }
    let pair = parallel(a, b)?;
    // Unsafe set of the pair's outputs (A's first, then B's): A picks c by the margin, and B's class j
    // reaches B's class c, for some j (one disjunct per j).
    let disjuncts: Vec<Vec<OutputConstraint>> = (0..m)
        .filter(|&j| j != c)
        .map(|j| {
            let mut conj: Vec<OutputConstraint> = (0..m)
                .filter(|&k| k != c)
                .map(|k| OutputConstraint {
                    coeffs: vec![(k, 1.0), (c, -1.0)],
                    rhs: -MINEPS_MARGIN,
                })
                .collect();
            conj.push(OutputConstraint {
                coeffs: vec![(m + c, 1.0), (m + j, -1.0)],
                rhs: 0.0,
            });
            conj
        })
        .collect();
    let radius = |x: &[f64]| {
        x.iter()
            .zip(reference)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0_f64, f64::max)
    };
    let r_max = largest_radius(domain, reference);
    log.line(&format!(
        "mineps by radius search: class {c}, radius up to {}",
        fmt_value(r_max)
    ));
    let outcome = search_radius(r_max, (r_max / 64.0).max(1e-6), options, log, |r, opts| {
        let region = VnnlibRegion {
            domain: domain.clone().intersect_linf(reference, r)?,
            output: OutputProperty {
                disjuncts: disjuncts.clone(),
            },
        };
        let prop = VnnlibProperty {
            inputs: pair.input_size(),
            outputs: 2 * m,
            regions: vec![region],
        };
        let report = verify_property(&pair, &prop, opts, &Log::quiet())?;
        let answer = match report.status {
            Status::Unsat => Some(None),
            Status::Sat => report.counterexample.and_then(|cex| {
                let x = cex.input;
                // Re-checked with the original networks, tolerance 0.
                (domain.contains(&x, 0.0) && disagrees_at(&a.forward(&x), &b.forward(&x), c)).then(|| {
                    let d = radius(&x);
                    Some((x, d))
                })
            }),
            _ => None,
        };
        Ok((answer, report.nodes, report.lp_iterations))
    })?;
    let result = radius_result(outcome, start, |x| {
        a.forward(x).into_iter().chain(b.forward(x)).collect()
    });
    Ok(with_outputs(result, a, b))
}

/// The task result of a radius search: objective = the best input's distance, bound = the proven radius.
pub(super) fn radius_result(
    outcome: RadiusOutcome,
    start: Instant,
    output: impl Fn(&[f64]) -> Vec<f64>,
) -> TaskResult {
    let (input, objective) = match outcome.best {
        Some((x, d)) => (Some(x), Some(d)),
        None => (None, None),
    };
    TaskResult {
        status: outcome.status,
        objective,
        bound: (outcome.status != Status::Infeasible).then_some(outcome.lower),
        output: input.as_deref().map(&output),
        input,
        time_s: start.elapsed().as_secs_f64(),
        nodes: outcome.nodes,
        lp_iterations: outcome.lp_iterations,
        root_bound: None,
        cuts_added: 0,
        unstable_neurons: 0,
        binaries: 0,
        rows: 0,
        columns: 0,
        incumbents: outcome.incumbents,
    }
}
