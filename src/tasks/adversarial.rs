//! `adversarial`: the smallest change to a reference input that makes the network choose a target class.
//!
//! What "wins" means (checked on every reported input by a forward pass, tolerance 0):
//! - additive margin `m`: `y_t >= y_j + m` for every `j != t`;
//! - ratio `r` (the studies' `y_t >= 1.2 y_j`): `y_t >= r * y_j` **and** `y_t >= y_j` for every `j != t`.
//!   Taken alone, `y_t >= r y_j` is weaker than winning when `y_j < 0` (with `y_j = -1`, `y_t = -1.1` satisfies
//!   `y_t >= 1.2 y_j` yet loses), so the target must also win outright; for `y_j >= 0` the ratio is the binding
//!   condition, for `y_j < 0` winning is. Both are linear, so the model stays exact.
//! - untargeted: some class other than the source wins in this sense.
//!
//! Distances are measured on `x - x0`: L1 (sum), L∞ (max), L2 (Euclidean) or L0 (number of features that
//! change; with `min_change` every changed feature moves by at least that much).

use super::maximize::warm_start_budget;
use super::outcome::{snap_input, TaskResult};
use crate::cuts::L2Tangents;
use crate::error::{Error, Result};
use crate::heuristics::{pgd_attack, AttackObjective, PgdOptions};
use crate::log::{fmt_value, Log};
use crate::lp::Sense;
use crate::mip::{CandidateCheck, MipResult, MipStatus};
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::relu::ReluModel;
use crate::result::Status;
use crate::solver::{build_model_bounded_over, log_model_stats, solve_model, SolveSetup};
use crate::spec::{Ball, InputDomain, Norm};
use std::sync::Arc;
use std::time::Instant;

/// The model asks the target to win by `margin + MARGIN_SAFETY`, so that the LP's optimal points (which lie on
/// the boundary) still win by the exact margin in a forward pass. Consequence, stated in the report: the lower
/// bound is proven for the margin plus this amount; an `infeasible` answer is re-proven with the exact margin.
pub const MARGIN_SAFETY: f64 = 1e-6;

/// Relative tolerance of the L2 outer approximation: cutting stops when the squared distance of the solution
/// exceeds the model's epigraph value by at most this fraction (the reported bound stays valid regardless).
pub const L2_REL_TOL: f64 = 1e-3;

/// How much the target class must win by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// `y_t >= y_j + m`.
    Additive(f64),
    /// `y_t >= r y_j` and `y_t >= y_j`.
    Ratio(f64),
}

impl Margin {
    /// The smallest of the linear winning conditions of `target` at outputs `y` (`>= 0` iff the target wins).
    pub fn slack(&self, y: &[f64], target: usize) -> f64 {
        let yt = y[target];
        (0..y.len())
            .filter(|&j| j != target)
            .map(|j| match *self {
                Margin::Additive(m) => yt - y[j] - m,
                Margin::Ratio(r) => (yt - r * y[j]).min(yt - y[j]),
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// The linear conditions `y_t - a y_j >= b` as `(j, a, b)`, one or two per other class.
    pub fn conditions(&self, outputs: usize, target: usize) -> Vec<(usize, f64, f64)> {
        let mut out = Vec::new();
        for j in (0..outputs).filter(|&j| j != target) {
            match *self {
                Margin::Additive(m) => out.push((j, 1.0, m)),
                Margin::Ratio(r) => {
                    out.push((j, r, 0.0));
                    if r != 1.0 {
                        out.push((j, 1.0, 0.0));
                    }
                }
            }
        }
        out
    }
}

/// What the user asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialSpec {
    /// The reference input `x0`.
    pub reference: Vec<f64>,
    /// The class the network gives `x0` (computed when not given).
    pub source: Option<usize>,
    /// The class to reach; `None`: any class other than the source.
    pub target: Option<usize>,
    /// The distance to minimise.
    pub norm: Norm,
    /// How much the target must win by.
    pub margin: Margin,
    /// Largest change of any one feature.
    pub max_change: Option<f64>,
    /// Largest number of changed features.
    pub max_changed: Option<usize>,
    /// Smallest change of a changed feature (L0 and `max_changed`).
    pub min_change: Option<f64>,
}

/// The distance from `x0` to `x` in `norm` (L0: the number of features that differ at all).
pub fn distance(norm: Norm, x: &[f64], x0: &[f64]) -> f64 {
    let d = x.iter().zip(x0).map(|(a, b)| a - b);
    match norm {
        Norm::L1 => d.map(f64::abs).sum(),
        Norm::L2 => d.map(|v| v * v).sum::<f64>().sqrt(),
        Norm::Linf => d.fold(0.0, |m, v| m.max(v.abs())),
        Norm::L0 => d.filter(|v| *v != 0.0).count() as f64,
    }
}

/// The class with the largest output (the first on ties).
pub fn argmax(y: &[f64]) -> usize {
    (0..y.len()).fold(0, |best, j| if y[j] > y[best] { j } else { best })
}

/// Which class wins at `y` in the sense of `spec` (the target, or for untargeted the best other class), if any.
pub fn winning_class(spec: &AdversarialSpec, source: usize, y: &[f64]) -> Option<usize> {
    match spec.target {
        Some(t) => (spec.margin.slack(y, t) >= 0.0).then_some(t),
        None => (0..y.len())
            .filter(|&t| t != source)
            .find(|&t| spec.margin.slack(y, t) >= 0.0),
    }
}

/// Checks a candidate adversarial input in the user's terms, with tolerance 0: in the domain (box, ball,
/// integrality), caps and budget respected, and the target winning by the margin at `net.forward(x)`.
/// Returns the winning class, or what fails.
pub fn check(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    x: &[f64],
) -> std::result::Result<usize, String> {
    let x0 = &spec.reference;
    if x.len() != x0.len() || x.len() != net.input_size() {
        return Err(format!(
            "input has {} features, expected {}",
            x.len(),
            net.input_size()
        ));
    }
    if !domain.contains(x, 0.0) {
        return Err("input leaves the domain".into());
    }
    let changed: Vec<usize> = (0..x.len()).filter(|&i| x[i] != x0[i]).collect();
    if let Some(cap) = spec.max_change {
        if let Some(&i) = changed.iter().find(|&&i| (x[i] - x0[i]).abs() > cap) {
            return Err(format!(
                "feature {i} changes by {} > max_change {cap}",
                (x[i] - x0[i]).abs()
            ));
        }
    }
    if let Some(k) = spec.max_changed {
        if changed.len() > k {
            return Err(format!("{} features change, max_changed is {k}", changed.len()));
        }
    }
    if let Some(m) = spec.min_change {
        if let Some(&i) = changed.iter().find(|&&i| (x[i] - x0[i]).abs() < m) {
            return Err(format!(
                "feature {i} changes by {} < min_change {m}",
                (x[i] - x0[i]).abs()
            ));
        }
    }
    let y = net.forward(x);
    winning_class(spec, source, &y).ok_or_else(|| "the target class does not win by the margin".to_string())
}

/// The answer: the task result (objective = distance of the reported input) and the classes.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialReport {
    /// Status, distance, bound, input, output, statistics.
    pub result: TaskResult,
    /// The class the network gives the reference.
    pub source: usize,
    /// The class that wins at the reported input.
    pub reached: Option<usize>,
    /// The reference's outputs.
    pub reference_output: Vec<f64>,
    /// The features that changed, with their change.
    pub changed: Vec<(usize, f64)>,
}

/// The box of the search: the domain's box cut to `max_change` around the reference.
pub(super) fn search_domain(domain: &InputDomain, spec: &AdversarialSpec) -> Result<InputDomain> {
    let mut d = domain.clone();
    d.ball = None;
    if let Some(cap) = spec.max_change {
        if !(cap.is_finite() && cap >= 0.0) {
            return Err(Error::Options(format!(
                "max_change must be finite and >= 0, got {cap}"
            )));
        }
        for i in 0..d.dim() {
            d.lower[i] = d.lower[i].max(spec.reference[i] - cap);
            d.upper[i] = d.upper[i].min(spec.reference[i] + cap);
        }
    }
    for i in 0..d.dim() {
        if !(d.lower[i] <= spec.reference[i] && spec.reference[i] <= d.upper[i]) {
            return Err(Error::Options(format!(
                "the reference's feature {i} = {} lies outside the domain [{}, {}]",
                spec.reference[i], d.lower[i], d.upper[i]
            )));
        }
    }
    Ok(d)
}

/// Where the neuron bounds of a search pruned at distance `radius` are computed: `domain` intersected with
/// the task norm's ball of that radius (a hair wider against rounding) for L1 and L2 (L∞ is already the box
/// of [`shrink`]; L0 has no ball). Every input at distance at most `radius` lies inside, so the search keeps
/// every answer it is asked for, and the bounds, much tighter than the box's on 784 inputs, make a far
/// tighter relaxation.
fn bounds_domain(domain: &InputDomain, spec: &AdversarialSpec, radius: Option<f64>) -> InputDomain {
    let mut d = domain.clone();
    let Some(r) = radius.filter(|r| r.is_finite() && *r >= 0.0) else {
        return d;
    };
    if matches!(spec.norm, Norm::L1 | Norm::L2) && d.ball.is_none() {
        d.ball = Some(Ball {
            norm: spec.norm,
            center: spec.reference.clone(),
            radius: r * (1.0 + 1e-9) + 1e-9,
        });
    }
    d
}

/// `domain`'s box cut to `[x0 - r, x0 + r]`.
fn shrink(domain: &InputDomain, x0: &[f64], r: f64) -> InputDomain {
    let mut d = domain.clone();
    for i in 0..d.dim() {
        d.lower[i] = d.lower[i].max(x0[i] - r);
        d.upper[i] = d.upper[i].min(x0[i] + r);
    }
    d
}

/// Moves LP noise onto the reference: features within 1e-9 of `x0` become `x0`, and changes just short of
/// `min_change` become exactly `min_change` (then the box is re-applied).
fn clean_changes(x: &mut [f64], spec: &AdversarialSpec, domain: &InputDomain) {
    for i in 0..x.len() {
        let d = x[i] - spec.reference[i];
        if d.abs() <= 1e-9 {
            x[i] = spec.reference[i];
        } else if let Some(m) = spec.min_change {
            if d.abs() < m && d.abs() > m - 1e-7 {
                x[i] = (spec.reference[i] + d.signum() * m).clamp(domain.lower[i], domain.upper[i]);
            }
        }
    }
}

/// Finds the smallest change (in `spec.norm`) of `spec.reference` within `domain` that makes the target class
/// win by the margin. Every reported input passes [`check`].
pub fn adversarial(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    options: &SolverOptions,
    log: &Log,
) -> Result<AdversarialReport> {
    options.validate()?;
    let start = Instant::now();
    let m = net.output_size();
    let (reference_output, source) = reference_and_source(net, domain, spec)?;
    let (Margin::Ratio(r) | Margin::Additive(r)) = spec.margin;
    if !r.is_finite() {
        return Err(Error::Options(format!("the margin must be finite, got {r}")));
    }
    let box_domain = search_domain(domain, spec)?;
    log.line(&format!(
        "Reference: class {source} (output {}); target {}; norm {:?}",
        fmt_value(reference_output[source]),
        spec.target.map_or("any other class".into(), |t| t.to_string()),
        spec.norm
    ));
    // A feasible point from PGD bounds the search from above.
    let attack = match spec.target {
        Some(t) => AttackObjective::target(m, t, margin_shift(spec.margin), margin_ratio(spec.margin)),
        None => AttackObjective::untargeted(m, source, margin_shift(spec.margin), margin_ratio(spec.margin)),
    };
    let warm = shrinking_attack(net, &box_domain, spec, source, &attack, options);
    if let Some(w) = &warm {
        log.line(&format!(
            "PGD found an adversarial input at distance {}",
            fmt_value(distance(spec.norm, &w.input, &spec.reference))
        ));
    }
    // Untargeted: one targeted search per other class (the activation branching then sees every decision),
    // each pruned by the best distance found so far; the answer is the best, the bound the smallest.
    let targets: Vec<usize> = match spec.target {
        Some(t) => vec![t],
        None => (0..m).filter(|&t| t != source).collect(),
    };
    let warm_distance = warm
        .as_ref()
        .map(|w| distance(spec.norm, &w.input, &spec.reference));
    let mut best: Option<TaskResult> = None;
    let mut bound = f64::INFINITY;
    let mut status = Status::Infeasible;
    let mut totals = (0u64, 0u64, 0u64);
    for &t in &targets {
        let remaining = options
            .time_limit
            .map(|l| (l - start.elapsed().as_secs_f64()).max(0.0));
        if remaining.is_some_and(|r| r <= 0.0) {
            status = Status::TimeLimit;
            bound = bound.min(0.0);
            break;
        }
        let one = AdversarialSpec {
            target: Some(t),
            ..spec.clone()
        };
        let warm_t = warm
            .as_ref()
            .filter(|w| check(net, &box_domain, &one, source, &w.input).is_ok())
            .map(|w| w.input.clone());
        let cutoff = best.as_ref().and_then(|b| b.objective);
        // Every input better than the best known lies within that distance of x0 in each feature (L1, L2 and
        // L∞ all bound the largest change): the model over that smaller box has tighter neuron bounds.
        let radius = cutoff.or(warm_distance);
        let solve_domain = match radius {
            Some(r) if spec.norm != Norm::L0 => shrink(&box_domain, &spec.reference, r),
            _ => box_domain.clone(),
        };
        let opts = SolverOptions {
            time_limit: remaining,
            ..options.clone()
        };
        if targets.len() > 1 {
            log.line(&format!("Target class {t}"));
        }
        let mut r = solve_with_margin(
            net,
            &solve_domain,
            &one,
            source,
            MARGIN_SAFETY,
            warm_t,
            radius,
            &opts,
            log,
        )?;
        if r.status == Status::Infeasible && radius.is_none() {
            log.line("Infeasible with the safety margin: re-proving with the exact margin");
            let remaining = options
                .time_limit
                .map(|l| (l - start.elapsed().as_secs_f64()).max(0.0));
            let exact = SolverOptions {
                time_limit: remaining,
                ..options.clone()
            };
            r = solve_with_margin(net, &box_domain, &one, source, 0.0, None, None, &exact, log)?;
        }
        totals = (
            totals.0 + r.nodes,
            totals.1 + r.lp_iterations,
            totals.2 + r.cuts_added,
        );
        // This class's bound: its search's, or the cutoff when it proved nothing better than the cutoff exists.
        let class_bound = match (r.status, radius) {
            (Status::Infeasible, Some(c)) => c,
            (Status::Infeasible, None) => f64::INFINITY,
            _ => r.bound.unwrap_or(0.0),
        };
        bound = bound.min(class_bound);
        match r.status {
            Status::Optimal | Status::Infeasible => {
                if r.objective.is_some() && status == Status::Infeasible {
                    status = Status::Optimal;
                }
            }
            other => status = other,
        }
        let better = match (&best, r.objective) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(b), Some(o)) => b.objective.is_none_or(|bo| o < bo),
        };
        if better || best.is_none() {
            let keep_stats = best.is_none();
            if better || keep_stats {
                best = Some(r);
            }
        }
    }
    let mut result = best.unwrap_or_else(|| TaskResult::empty(status));
    if result.objective.is_none() {
        result.input = None;
        result.output = None;
    }
    result.status = status;
    result.bound = bound
        .is_finite()
        .then_some(bound)
        .or(if status == Status::Infeasible {
            None
        } else {
            Some(0.0)
        });
    (result.nodes, result.lp_iterations, result.cuts_added) = totals;
    result.time_s = start.elapsed().as_secs_f64();
    Ok(report_of(
        net,
        &box_domain,
        spec,
        source,
        reference_output,
        result,
    ))
}

/// The report of a search's result: the class reached (re-checked) and the features changed.
pub(super) fn report_of(
    net: &Network,
    box_domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    reference_output: Vec<f64>,
    result: TaskResult,
) -> AdversarialReport {
    let reached = result
        .input
        .as_ref()
        .and_then(|x| check(net, box_domain, spec, source, x).ok());
    let changed = result
        .input
        .as_ref()
        .map(|x| {
            x.iter()
                .zip(&spec.reference)
                .enumerate()
                .filter(|(_, (xi, ri))| xi != ri)
                .map(|(i, (xi, ri))| (i, xi - ri))
                .collect()
        })
        .unwrap_or_default();
    AdversarialReport {
        result,
        source,
        reached,
        reference_output,
        changed,
    }
}

/// PGD for a small adversarial change: attack the whole box, then the ball of 0.7 times the distance found, in
/// the task's norm (L1 and L2 balls are projected onto exactly; L0 uses the box), while it keeps succeeding.
pub(super) fn shrinking_attack(
    net: &Network,
    box_domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    attack: &AttackObjective,
    options: &SolverOptions,
) -> Option<crate::heuristics::AttackResult> {
    let budget = warm_start_budget(options);
    let started = Instant::now();
    let mut best: Option<crate::heuristics::AttackResult> = None;
    let mut domain = box_domain.clone();
    for round in 0..8u64 {
        let left = budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let pgd = PgdOptions {
            seed: options.seed.wrapping_add(round),
            time_limit: Some(left / 2),
            stop_at: Some(MARGIN_SAFETY),
            restarts: 4,
            per_group_restarts: false,
            ..PgdOptions::default()
        };
        let found = pgd_attack(
            net,
            &domain,
            attack,
            &pgd,
            std::slice::from_ref(&spec.reference),
            None,
        )
        .filter(|w| w.score >= MARGIN_SAFETY && check(net, box_domain, spec, source, &w.input).is_ok());
        let Some(w) = found else { break };
        let r = 0.7 * distance(spec.norm, &w.input, &spec.reference);
        best = Some(w);
        domain = match spec.norm {
            Norm::L0 => break,
            Norm::Linf => shrink(box_domain, &spec.reference, r),
            Norm::L1 | Norm::L2 => {
                let mut d = shrink(box_domain, &spec.reference, r);
                d.ball = Some(crate::spec::Ball {
                    norm: spec.norm,
                    center: spec.reference.clone(),
                    radius: r,
                });
                d
            }
        };
    }
    best
}

pub(super) fn margin_shift(margin: Margin) -> f64 {
    match margin {
        Margin::Additive(m) => m,
        Margin::Ratio(_) => 0.0,
    }
}

pub(super) fn margin_ratio(margin: Margin) -> f64 {
    match margin {
        Margin::Additive(_) => 1.0,
        Margin::Ratio(r) => r,
    }
}

/// The columns that measure the change of one feature.
struct Change {
    /// `x_i - x0_i = p - n` with `p, n >= 0` (when split).
    split: Option<(usize, usize)>,
    /// Indicators `p > 0`, `n > 0` (when counted).
    counted: Option<(usize, usize)>,
}

/// The MILP of one search of [`adversarial`] (the target's rows ask for the margin plus `safety`), and the
/// `(feature, square column)` pairs of the L2 outer approximation.
fn build_adversarial_model(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    safety: f64,
    radius: Option<f64>,
    options: &SolverOptions,
) -> Result<(ReluModel, Vec<(usize, usize)>)> {
    let (n, m) = (net.input_size(), net.output_size());
    let x0 = &spec.reference;
    let bounds_domain = bounds_domain(domain, spec, radius);
    let mut model = build_model_bounded_over(net, domain, &bounds_domain, options)?;
    let counted = spec.norm == Norm::L0 || spec.max_changed.is_some() || spec.min_change.is_some();
    let split = counted || spec.norm == Norm::L1;
    let min_change = spec.min_change.unwrap_or(0.0);
    let mut changes = Vec::with_capacity(n);
    for i in 0..n {
        let xi = model.input_col(i);
        let (up, down) = (domain.upper[i] - x0[i], x0[i] - domain.lower[i]);
        if !split || (up <= 0.0 && down <= 0.0) {
            changes.push(Change {
                split: None,
                counted: None,
            });
            continue;
        }
        let p = model.add_column(0.0, 0.0, up.max(0.0), false, format!("up_{i}"));
        let q = model.add_column(0.0, 0.0, down.max(0.0), false, format!("down_{i}"));
        model.add_row(
            x0[i],
            x0[i],
            vec![(xi, 1.0), (p, -1.0), (q, 1.0)],
            format!("change_{i}"),
        );
        let mut c = Change {
            split: Some((p, q)),
            counted: None,
        };
        if counted {
            // A direction that cannot move by min_change is closed.
            let zp = model.add_column(
                0.0,
                0.0,
                if up >= min_change && up > 0.0 { 1.0 } else { 0.0 },
                true,
                format!("moves_up_{i}"),
            );
            let zq = model.add_column(
                0.0,
                0.0,
                if down >= min_change && down > 0.0 {
                    1.0
                } else {
                    0.0
                },
                true,
                format!("moves_down_{i}"),
            );
            model.add_row(
                f64::NEG_INFINITY,
                0.0,
                vec![(p, 1.0), (zp, -up.max(0.0))],
                format!("up_only_if_{i}"),
            );
            model.add_row(
                f64::NEG_INFINITY,
                0.0,
                vec![(q, 1.0), (zq, -down.max(0.0))],
                format!("down_only_if_{i}"),
            );
            if min_change > 0.0 {
                model.add_row(
                    0.0,
                    f64::INFINITY,
                    vec![(p, 1.0), (zp, -min_change)],
                    format!("up_at_least_{i}"),
                );
                model.add_row(
                    0.0,
                    f64::INFINITY,
                    vec![(q, 1.0), (zq, -min_change)],
                    format!("down_at_least_{i}"),
                );
            }
            model.add_row(
                f64::NEG_INFINITY,
                1.0,
                vec![(zp, 1.0), (zq, 1.0)],
                format!("one_direction_{i}"),
            );
            c.counted = Some((zp, zq));
        }
        changes.push(c);
    }
    let indicators: Vec<(usize, f64)> = changes
        .iter()
        .filter_map(|c| c.counted)
        .flat_map(|(a, b)| [(a, 1.0), (b, 1.0)])
        .collect();
    if let Some(k) = spec.max_changed {
        model.add_row(f64::NEG_INFINITY, k as f64, indicators.clone(), "max_changed");
    }
    add_winning_rows(&mut model, spec, source, safety, m);
    // The distance.
    let mut l2_cols: Vec<(usize, usize)> = Vec::new();
    let objective: Vec<(usize, f64)> = match spec.norm {
        Norm::L0 => indicators.clone(),
        Norm::L1 => changes
            .iter()
            .filter_map(|c| c.split)
            .flat_map(|(p, q)| [(p, 1.0), (q, 1.0)])
            .collect(),
        Norm::Linf => {
            let t = model.add_column(0.0, 0.0, f64::INFINITY, false, "linf");
            for i in 0..n {
                let xi = model.input_col(i);
                model.add_row(
                    f64::NEG_INFINITY,
                    x0[i],
                    vec![(xi, 1.0), (t, -1.0)],
                    format!("linf_up_{i}"),
                );
                model.add_row(
                    x0[i],
                    f64::INFINITY,
                    vec![(xi, 1.0), (t, 1.0)],
                    format!("linf_down_{i}"),
                );
            }
            vec![(t, 1.0)]
        }
        Norm::L2 => {
            let movable = (0..n)
                .filter(|&i| domain.upper[i] > x0[i] || x0[i] > domain.lower[i])
                .count();
            for i in 0..n {
                let width = (domain.upper[i] - x0[i]).max(x0[i] - domain.lower[i]);
                if width <= 0.0 {
                    continue;
                }
                let s = model.add_column(0.0, 0.0, f64::INFINITY, false, format!("sq_{i}"));
                l2_cols.push((i, s));
                for a in tangent_points(width, radius, movable) {
                    add_tangent(&mut model, i, s, a, x0[i]);
                    add_tangent(&mut model, i, s, -a, x0[i]);
                }
            }
            l2_cols.iter().map(|&(_, s)| (s, 1.0)).collect()
        }
    };
    model.set_objective(Sense::Minimize, &objective, 0.0);
    Ok((model, l2_cols))
}

/// Checks the reference against the network and the source/target classes; returns the network's output at
/// the reference and the source class (given, or the reference's winning class).
pub(crate) fn reference_and_source(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
) -> Result<(Vec<f64>, usize)> {
    let (n, m) = (net.input_size(), net.output_size());
    if spec.reference.len() != n || domain.dim() != n {
        return Err(Error::Options(format!(
            "the reference has {} features, the network {n} inputs",
            spec.reference.len()
        )));
    }
    let reference_output = net.forward(&spec.reference);
    let source = spec.source.unwrap_or_else(|| argmax(&reference_output));
    if source >= m || spec.target.is_some_and(|t| t >= m || t == source) {
        return Err(Error::Options(format!(
            "source {source} and target {:?} must be distinct classes below {m}",
            spec.target
        )));
    }
    Ok((reference_output, source))
}

/// The MILPs [`adversarial`] solves first, one per target class (`spec.target`, or every class but the source):
/// each over the domain's box cut to `max_change`, asking for the margin plus [`MARGIN_SAFETY`]. The answer is
/// the smallest optimum among them. The search may then shrink the box to a known distance (which keeps that
/// optimum) and, for L2, refines the outer approximation of the squares: an L2 model's optimum is only a lower
/// bound on the squared distance. `relumip export` writes these.
pub fn adversarial_models(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    options: &SolverOptions,
) -> Result<Vec<(usize, ReluModel)>> {
    options.validate()?;
    let m = net.output_size();
    let (_, source) = reference_and_source(net, domain, spec)?;
    let box_domain = search_domain(domain, spec)?;
    let targets: Vec<usize> = match spec.target {
        Some(t) => vec![t],
        None => (0..m).filter(|&t| t != source).collect(),
    };
    let mut out = Vec::new();
    for t in targets {
        let one = AdversarialSpec {
            target: Some(t),
            ..spec.clone()
        };
        let (model, _) =
            build_adversarial_model(net, &box_domain, &one, source, MARGIN_SAFETY, None, options)?;
        out.push((t, model));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn solve_with_margin(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    safety: f64,
    warm: Option<Vec<f64>>,
    cutoff: Option<f64>,
    options: &SolverOptions,
    log: &Log,
) -> Result<TaskResult> {
    let x0 = &spec.reference;
    let (mut model, l2_cols) = build_adversarial_model(net, domain, spec, source, safety, cutoff, options)?;
    log_model_stats(&model, log);
    let start = Instant::now();
    let mut rounds = 0;
    loop {
        let check: CandidateCheck = {
            let (net, domain, spec, cols) = (
                net.clone(),
                domain.clone(),
                spec.clone(),
                model.input_cols.clone(),
            );
            let squared = spec.norm == Norm::L2;
            Arc::new(move |point: &[f64]| {
                let mut x = snap_input(&cols, &domain, point)?;
                clean_changes(&mut x, &spec, &domain);
                check(&net, &domain, &spec, source, &x).ok()?;
                let d = distance(spec.norm, &x, &spec.reference);
                // The L2 model minimises the sum of squares.
                Some(if squared { d * d } else { d })
            })
        };
        let squared = spec.norm == Norm::L2;
        let l2_tangents = squared.then(|| L2Tangents {
            pairs: l2_cols
                .iter()
                .map(|&(i, sq)| (model.input_col(i), x0[i], sq))
                .collect(),
        });
        let setup = SolveSetup {
            check: Some(check),
            start_inputs: warm.iter().map(|x| (x.clone(), "pgd".to_string())).collect(),
            objective_cutoff: cutoff.map(|c| if squared { c * c } else { c }),
            l2_tangents,
            ..SolveSetup::default()
        };
        let remaining = options
            .time_limit
            .map(|t| (t - start.elapsed().as_secs_f64()).max(0.0));
        let round_options = SolverOptions {
            time_limit: remaining,
            ..options.clone()
        };
        let result = solve_model(&model, &round_options, setup, log)?;
        let mut report = TaskResult::from_search(&model, &result);
        let input = reported_input(&model, domain, spec, &result);
        if spec.norm == Norm::L2 {
            // The model's value is an outer approximation of the squared distance: its bound is valid.
            report.bound = report.bound.map(|b| b.max(0.0).sqrt());
            report.root_bound = report.root_bound.map(|b| b.max(0.0).sqrt());
        }
        if let Some(x) = &input {
            let y = net.forward(x);
            report.objective = Some(distance(spec.norm, x, &spec.reference));
            report.output = Some(y);
        }
        report.input = input;
        let refine = spec.norm == Norm::L2
            && result.status == MipStatus::Optimal
            && rounds < 20
            && remaining.is_none_or(|t| t > start.elapsed().as_secs_f64());
        if !refine {
            return Ok(report);
        }
        // Cut off the LP's point where it under-estimates the square, by tangents at its changes.
        let Some(sol) = result.solution.as_ref() else {
            return Ok(report);
        };
        let (mut model_sq, mut true_sq, mut added) = (0.0, 0.0, 0);
        for &(i, s) in &l2_cols {
            let d = sol[model.input_col(i)] - x0[i];
            model_sq += sol[s];
            true_sq += d * d;
            if d * d > sol[s] + 1e-9 {
                add_tangent(&mut model, i, s, d, x0[i]);
                added += 1;
            }
        }
        if added == 0 || true_sq <= (1.0 + L2_REL_TOL) * model_sq + 1e-12 {
            return Ok(report);
        }
        rounds += 1;
        log.line(&format!(
            "L2 outer approximation round {rounds}: {added} tangents added (model {} vs true {})",
            fmt_value(model_sq),
            fmt_value(true_sq)
        ));
    }
}

/// Where the first tangents of one feature's square `d^2` touch (on both sides): the feature's width, then
/// from half the known distance `radius` (which bounds every feature's change; the width without one) down
/// by factors of 4 to `radius / (2 sqrt(features))`, the size of each change when a change of that L2
/// length is spread over all features (at most 8 points). A tangent at `t` gives nothing for `|d| <= t / 2`:
/// with only the width's tangents the LP spread its change over many features at squared cost 0, and the
/// bound of mnist-32-16 row 0 (target 9, ratio 1.2) stayed 0 for 60 s; with these it reached 0.53 in 30 s
/// (the root bound stays 0 there: the relaxation over the ball's neuron bounds lets tiny changes win).
fn tangent_points(width: f64, radius: Option<f64>, features: usize) -> Vec<f64> {
    let top = radius
        .filter(|r| r.is_finite() && *r > 0.0)
        .map_or(width, |r| r.min(width));
    let smallest = top / (2.0 * (features.max(1) as f64).sqrt());
    let mut points = vec![width];
    let mut t = 0.5 * top;
    while t >= smallest && points.len() < 8 {
        points.push(t);
        t *= 0.25;
    }
    points
}

/// `s >= 2 a d - a^2` with `d = x_i - x0_i`: the tangent of `d^2` at `a`.
fn add_tangent(model: &mut ReluModel, i: usize, s: usize, a: f64, x0: f64) {
    let xi = model.input_col(i);
    model.add_row(
        -a * a - 2.0 * a * x0,
        f64::INFINITY,
        vec![(s, 1.0), (xi, -2.0 * a)],
        format!("tangent_{i}"),
    );
}

/// The reported input of a search: the incumbent's input snapped as the checkpoint did.
fn reported_input(
    model: &ReluModel,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    result: &MipResult,
) -> Option<Vec<f64>> {
    let mut x = snap_input(&model.input_cols, domain, result.solution.as_ref()?)?;
    clean_changes(&mut x, spec, domain);
    Some(x)
}

/// Rows that make the target (or, untargeted, some class other than the source) win by the margin plus
/// `safety`. Untargeted: one binary per candidate class, big-M from the output bounds of the model.
fn add_winning_rows(model: &mut ReluModel, spec: &AdversarialSpec, source: usize, safety: f64, m: usize) {
    let out = |model: &ReluModel, j: usize| model.output_col(j);
    let (lo, hi) = match (model.bounds.lower.last(), model.bounds.upper.last()) {
        (Some(l), Some(u)) => (l.clone(), u.clone()),
        _ => (vec![f64::NEG_INFINITY; m], vec![f64::INFINITY; m]),
    };
    let targets: Vec<usize> = match spec.target {
        Some(t) => vec![t],
        None => (0..m).filter(|&t| t != source).collect(),
    };
    let choose: Vec<Option<usize>> = if targets.len() == 1 {
        vec![None]
    } else {
        let cols: Vec<Option<usize>> = targets
            .iter()
            .map(|t| Some(model.add_column(0.0, 0.0, 1.0, true, format!("wins_{t}"))))
            .collect();
        model.add_row(
            1.0,
            1.0,
            cols.iter().flatten().map(|&c| (c, 1.0)).collect(),
            "one_winner",
        );
        cols
    };
    for (k, &t) in targets.iter().enumerate() {
        for (j, a, b) in spec.margin.conditions(m, t) {
            // y_t - a y_j >= b + safety, relaxed by M (1 - w_t) when the winner is chosen by w_t.
            let mut coeffs = Vec::new();
            if let Some(c) = out(model, t) {
                coeffs.push((c, 1.0));
            }
            if let Some(c) = out(model, j) {
                coeffs.push((c, -a));
            }
            let need = b + safety;
            match choose[k] {
                None => {
                    model.add_row(need, f64::INFINITY, coeffs, format!("win_{t}_over_{j}"));
                }
                Some(w) => {
                    // The smallest value y_t - a y_j can take over the model's output bounds.
                    let low_t = if out(model, t).is_some() { lo[t] } else { 0.0 };
                    let yj = if out(model, j).is_some() {
                        (lo[j], hi[j])
                    } else {
                        (0.0, 0.0)
                    };
                    let lowest = low_t - (a * yj.0).max(a * yj.1);
                    let big_m = need - lowest;
                    if !big_m.is_finite() {
                        continue; // unbounded outputs cannot happen over a finite box; skip rather than mis-model
                    }
                    if big_m > 0.0 {
                        coeffs.push((w, -big_m));
                        model.add_row(need - big_m, f64::INFINITY, coeffs, format!("win_{t}_over_{j}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_margin_with_negative_logits_requires_winning() {
        let ratio = Margin::Ratio(1.2);
        // y_j = -1, y_t = -1.1: y_t >= 1.2 y_j holds but the target loses.
        assert!(ratio.slack(&[-1.1, -1.0], 0) < 0.0);
        assert!(ratio.slack(&[-0.9, -1.0], 0) >= 0.0);
        assert!(ratio.slack(&[1.1, 1.0], 0) < 0.0);
        assert!(ratio.slack(&[1.2, 1.0], 0) >= 0.0);
        assert_eq!(ratio.conditions(3, 1).len(), 4);
        assert_eq!(Margin::Additive(0.5).slack(&[1.0, 2.0, 0.0], 1), 0.5);
    }

    #[test]
    fn distances() {
        let x0 = [0.0, 0.0, 0.0];
        let x = [0.5, -1.0, 0.0];
        assert_eq!(distance(Norm::L1, &x, &x0), 1.5);
        assert_eq!(distance(Norm::Linf, &x, &x0), 1.0);
        assert_eq!(distance(Norm::L0, &x, &x0), 2.0);
        assert!((distance(Norm::L2, &x, &x0) - 1.25_f64.sqrt()).abs() < 1e-15);
    }
}
