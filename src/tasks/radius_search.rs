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

/// A question's answer (`Some(Some((input, distance)))` found, `Some(None)` proven none, `None` undecided),
/// with the nodes and LP iterations it took.
pub type RadiusAnswer = (Option<Option<(Vec<f64>, f64)>>, u64, u64);

/// What is known before the first question: a proven lower bound and, when a heuristic found one, an input
/// with its distance (already checked by the caller). With an input the search bisects `[lower, distance]`
/// at once instead of doubling from `r_start`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RadiusBracket {
    /// Proven: no input closer than this.
    pub lower: f64,
    /// An input and its distance.
    pub best: Option<(Vec<f64>, f64)>,
}

/// Bisection of the bracket `[lower, upper]` (module docs). `question(domain_radius, options)` answers with
/// `Some(Some((x, distance)))` for an input found (already checked by the caller), `Some(None)` when proven
/// that none exists within the radius, `None` when undecided (a limit). Without a known input, the radius
/// doubles from `r_start` until one is found.
///
/// Undecided radii split the bracket in two intervals: proofs are sought below the smallest undecided radius
/// (`[lower, hard]`), inputs above the largest (`[floor, upper]`); each question halves one of them, so the
/// search ends when both are narrower than the gap tolerance (`max(gap_abs, gap_rel * upper)`), at worst
/// with the bracket it has (a limit status).
pub fn search_radius(
    r_max: f64,
    r_start: f64,
    known: RadiusBracket,
    options: &SolverOptions,
    log: &Log,
    mut question: impl FnMut(f64, &SolverOptions) -> Result<RadiusAnswer>,
) -> Result<RadiusOutcome> {
    let start = Instant::now();
    let mut out = RadiusOutcome {
        status: Status::TimeLimit,
        lower: known.lower.max(0.0),
        incumbents: known
            .best
            .iter()
            .map(|b| (0.0, b.1, "heuristic".to_string()))
            .collect(),
        best: known.best,
        nodes: 0,
        lp_iterations: 0,
    };
    let mut r = r_start.min(r_max).max(f64::MIN_POSITIVE);
    // The smallest and the largest radius left undecided.
    let mut hard = f64::INFINITY;
    let mut floor = f64::NEG_INFINITY;
    let mut last_undecided = false;
    let tol = |v: f64| options.gap_abs.max(options.gap_rel * v);
    loop {
        let upper = out.best.as_ref().map(|b| b.1);
        if let Some(u) = upper {
            if u - out.lower <= tol(u) {
                out.status = Status::Optimal;
                break;
            }
            // The two intervals still open (an interval narrower than the tolerance is closed).
            let prove = (out.lower, hard.min(u));
            let find = (floor.max(out.lower), u);
            let open = |(a, b): (f64, f64)| b - a > tol(u);
            let width = |(a, b): (f64, f64)| b - a;
            r = match (open(prove), open(find)) {
                // After an undecided radius look above it first: inputs are easier to find further out.
                (_, true) if last_undecided => 0.5 * (find.0 + find.1),
                // Otherwise halve the wider interval: the gap left is at most the sum of both.
                (true, true) if width(find) > width(prove) => 0.5 * (find.0 + find.1),
                (true, _) => 0.5 * (prove.0 + prove.1),
                (false, true) => 0.5 * (find.0 + find.1),
                (false, false) => break, // only undecided radii left to ask about
            };
        }
        let remaining = options.time_limit.map(|t| t - start.elapsed().as_secs_f64());
        if remaining.is_some_and(|t| t <= 0.0) {
            break;
        }
        // A question gets a quarter of the time left (at least a second), so that one hard radius does not
        // take it all. (A cap of 2 s, doubled when only undecided radii were left, lost more than it won:
        // mnist-32-16 rows 0 and 4 went from optimal in 22 s and 16 s to the time limit of 60 s.)
        let opts = SolverOptions {
            time_limit: remaining.map(|t| (0.25 * t).max(1.0).min(t)),
            ..options.clone()
        };
        let asked = Instant::now();
        let (answer, nodes, iterations) = question(r, &opts)?;
        let took = asked.elapsed().as_secs_f64();
        out.nodes += nodes;
        out.lp_iterations += iterations;
        last_undecided = false;
        match answer {
            Some(Some((x, d))) => {
                log.line(&format!(
                    "Radius {}: found an input at distance {} ({took:.2}s, {nodes} nodes)",
                    fmt_value(r),
                    fmt_value(d)
                ));
                // The input lies within r, so lower <= d <= r < upper: the bracket shrinks. Anything else is
                // numerical trouble, reported as such rather than looping.
                if d < out.lower || upper.is_some_and(|u| d >= u) {
                    log.line("Radius search: the found distance does not shrink the bracket; stopping");
                    out.status = Status::NumericalTrouble;
                    break;
                }
                out.incumbents.push((
                    start.elapsed().as_secs_f64(),
                    d,
                    format!("radius {}", fmt_value(r)),
                ));
                out.best = Some((x, d));
            }
            Some(None) => {
                log.line(&format!(
                    "Radius {}: none (proven, {took:.2}s, {nodes} nodes)",
                    fmt_value(r)
                ));
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
                log.line(&format!(
                    "Radius {}: undecided within the limits ({took:.2}s, {nodes} nodes)",
                    fmt_value(r)
                ));
                hard = hard.min(r);
                floor = floor.max(r);
                last_undecided = true;
                if out.best.is_none() {
                    if r >= r_max {
                        break;
                    }
                    // Further out an input is easier to find.
                    r = (2.0 * r).min(r_max);
                }
            }
        }
    }
    Ok(out)
}

/// The point closest to `x0` on the segment from `x0` to `x` that `accept` takes, by bisection on the step
/// (`x` itself when nothing closer is accepted). Acceptance need not be monotone along the segment: the
/// point returned is accepted regardless, so this only shortens a found input, soundly, with forward passes.
pub fn shrink_toward(x0: &[f64], x: &[f64], accept: impl Fn(&[f64]) -> bool) -> Vec<f64> {
    let at = |t: f64| -> Vec<f64> { x0.iter().zip(x).map(|(a, b)| a + t * (b - a)).collect() };
    let (mut lo, mut hi) = (0.0, 1.0);
    let mut best = x.to_vec();
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        let p = at(mid);
        if accept(&p) {
            hi = mid;
            best = p;
        } else {
            lo = mid;
        }
    }
    best
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
    let outcome = search_radius(
        r_max,
        (r_max / 64.0).max(1e-6),
        RadiusBracket::default(),
        options,
        log,
        |r, opts| {
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
                    // Re-checked with the original networks, tolerance 0; then moved as close to the
                    // reference as the check allows along the segment.
                    let accept =
                        |x: &[f64]| domain.contains(x, 0.0) && disagrees_at(&a.forward(x), &b.forward(x), c);
                    accept(&cex.input).then(|| {
                        let x = shrink_toward(reference, &cex.input, accept);
                        let d = radius(&x);
                        Some((x, d))
                    })
                }),
                _ => None,
            };
            Ok((answer, report.nodes, report.lp_iterations))
        },
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A question with a known answer `d*`: inputs exist at distance `>= d*`; radii in `undecided` are
    /// undecided.
    fn oracle(d_star: f64, undecided: (f64, f64)) -> impl FnMut(f64, &SolverOptions) -> Result<RadiusAnswer> {
        move |r, _| {
            let answer = if r > undecided.0 && r < undecided.1 {
                None
            } else if r >= d_star {
                Some(Some((vec![d_star], d_star)))
            } else {
                Some(None)
            };
            Ok((answer, 1, 0))
        }
    }

    #[test]
    fn bisection_from_a_known_input_closes_the_bracket() {
        let options = SolverOptions::default();
        let known = RadiusBracket {
            lower: 0.0,
            best: Some((vec![0.5], 0.5)),
        };
        let out = search_radius(1.0, 0.01, known, &options, &Log::quiet(), oracle(0.3, (2.0, 2.0))).unwrap();
        assert_eq!(out.status, Status::Optimal);
        assert_eq!(out.best.unwrap().1, 0.3);
        assert!(out.lower <= 0.3 && 0.3 - out.lower <= 1e-4 * 0.3 + 1e-12);
    }

    #[test]
    fn undecided_radii_end_with_the_bracket_not_a_loop() {
        // Everything in (0.2, 0.4) is undecided: the search keeps lower <= 0.2 and upper = 0.4.
        let options = SolverOptions {
            time_limit: Some(1.0),
            ..SolverOptions::default()
        };
        let out = search_radius(
            1.0,
            0.01,
            RadiusBracket::default(),
            &options,
            &Log::quiet(),
            oracle(0.3, (0.2, 0.4)),
        )
        .unwrap();
        assert_eq!(out.status, Status::TimeLimit);
        assert!(out.lower <= 0.2 && out.lower > 0.19);
        assert_eq!(out.best.unwrap().1, 0.3);
    }

    #[test]
    fn shrinking_keeps_an_accepted_point() {
        // Accepted where x >= 0.25 (monotone): the closest accepted point on the segment from 0 to 1.
        let p = shrink_toward(&[0.0], &[1.0], |x| x[0] >= 0.25);
        assert!(p[0] >= 0.25 && p[0] - 0.25 < 1e-9);
        // Never accepted short of the end: the end itself.
        assert_eq!(shrink_toward(&[0.0], &[1.0], |x| x[0] >= 1.0), vec![1.0]);
    }
}
