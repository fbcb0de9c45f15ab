//! `compare`: two networks with the same input size on one domain, as one network (see [`super::compose`]).
//!
//! - `maxdiff`: maximise `||N_a(x) - N_b(x)||` (L1 or L∞ over the outputs), exactly. L1: the composed
//!   network's single output is that norm, built from ReLUs the encoding models with binaries. L∞: one
//!   maximisation of `±(y_a[j] - y_b[j])` per output and sign, the largest wins.
//! - `maxout`: an input where A picks class C1 and B picks C2 (each winning by `tolerance`), maximising
//!   `y_a[C1] + y_b[C2]`; `infeasible` means no such input exists in the domain.
//!
//! Every reported input is re-checked with forward passes of both original networks.

use super::compose::{parallel, with_abs_differences, DiffNorm};
use super::maximize::{maximize, MaximizeObjective};
use super::outcome::{snap_input, TaskResult};
use crate::error::{Error, Result};
use crate::log::{fmt_value, Log};
use crate::lp::Sense;
use crate::mip::CandidateCheck;
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::result::Status;
use crate::solver::{build_model, log_model_stats, solve_model, SolveSetup};
use crate::spec::InputDomain;
use std::sync::Arc;
use std::time::Instant;

/// The answer of a comparison: the task result (output = A's outputs followed by B's).
#[derive(Debug, Clone, PartialEq)]
pub struct CompareReport {
    /// Status, objective, bound, input, statistics; `output` holds `(N_a(x), N_b(x))` concatenated.
    pub result: TaskResult,
    /// A's outputs at the reported input.
    pub output_a: Option<Vec<f64>>,
    /// B's outputs at the reported input.
    pub output_b: Option<Vec<f64>>,
}

/// The report of a compare answer, with both networks' outputs at its input (joined into `result.output`).
pub(super) fn with_outputs(result: TaskResult, a: &Network, b: &Network) -> CompareReport {
    let (output_a, output_b) = match &result.input {
        Some(x) => (Some(a.forward(x)), Some(b.forward(x))),
        None => (None, None),
    };
    let mut result = result;
    if let (Some(ya), Some(yb)) = (&output_a, &output_b) {
        result.output = Some(ya.iter().chain(yb).copied().collect());
    }
    CompareReport {
        result,
        output_a,
        output_b,
    }
}

/// The norm of `y_a - y_b`.
pub fn output_distance(norm: DiffNorm, ya: &[f64], yb: &[f64]) -> f64 {
    let d = ya.iter().zip(yb).map(|(p, q)| (p - q).abs());
    match norm {
        DiffNorm::L1 => d.sum(),
        DiffNorm::Linf => d.fold(0.0, f64::max),
    }
}

/// `maxdiff`: the largest output difference of `a` and `b` over `domain`. The objective is recomputed from
/// forward passes of `a` and `b` at the reported input.
pub fn maxdiff(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    norm: DiffNorm,
    options: &SolverOptions,
    log: &Log,
) -> Result<CompareReport> {
    if a.output_size() != b.output_size() {
        return Err(Error::Options(format!(
            "the networks have {} and {} outputs",
            a.output_size(),
            b.output_size()
        )));
    }
    let mut result = match norm {
        DiffNorm::Linf => maxdiff_linf_by_output(a, b, domain, options, log)?,
        DiffNorm::L1 => {
            let diff = with_abs_differences(&parallel(a, b)?, norm)?;
            maximize(&diff, domain, &MaximizeObjective::Linear(vec![1.0]), options, log)?
        }
    };
    // The composed network computes the norm exactly; report it from the original networks' outputs.
    if let Some(x) = &result.input {
        result.objective = Some(output_distance(norm, &a.forward(x), &b.forward(x)));
    }
    Ok(with_outputs(result, a, b))
}

/// `maxdiff` in L∞ as `2m` maximisations of the linear `±(y_a[j] - y_b[j])` over the two networks side by
/// side: `max_x ||y_a - y_b||_∞ = max_{j, ±} max_x ±(y_a[j] - y_b[j])`. Each piece has no absolute-value and
/// no max layer (whose binaries and big-M rows made the one MILP crawl: mnist-32-16 against its 50%-pruned
/// copy, 19 nodes in 60 s at ~9,400 LP iterations per node). The answer is the best piece's input, its
/// objective recomputed by forward passes; the bound is the largest piece bound (`None` when a piece got no
/// bound). Pieces are taken largest difference at the domain's centre first; each gets an equal share of the
/// time left.
fn maxdiff_linf_by_output(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    options: &SolverOptions,
    log: &Log,
) -> Result<TaskResult> {
    options.validate()?;
    let start = Instant::now();
    let pair = parallel(a, b)?;
    let m = a.output_size();
    let centre: Vec<f64> = domain
        .lower
        .iter()
        .zip(&domain.upper)
        .map(|(l, u)| 0.5 * (l + u))
        .collect();
    let (ya, yb) = (a.forward(&centre), b.forward(&centre));
    let mut pieces: Vec<(usize, f64)> = (0..m).flat_map(|j| [(j, 1.0), (j, -1.0)]).collect();
    pieces.sort_by(|p, q| (q.1 * (ya[q.0] - yb[q.0])).total_cmp(&(p.1 * (ya[p.0] - yb[p.0]))));
    let mut best: Option<TaskResult> = None;
    let mut bound: Option<f64> = Some(f64::NEG_INFINITY);
    let mut status = Status::Optimal;
    let (mut nodes, mut iterations, mut cuts) = (0, 0, 0);
    for (k, &(j, sign)) in pieces.iter().enumerate() {
        let left = options
            .time_limit
            .map(|t| (t - start.elapsed().as_secs_f64()).max(0.0));
        let opts = SolverOptions {
            time_limit: left.map(|t| t / (pieces.len() - k) as f64),
            ..options.clone()
        };
        let mut c = vec![0.0; 2 * m];
        c[j] = sign;
        c[m + j] = -sign;
        let r = maximize(&pair, domain, &MaximizeObjective::Linear(c), &opts, &Log::quiet())?;
        log.line(&format!(
            "maxdiff piece {}(y_a[{j}] - y_b[{j}]): {:?}, objective {}, bound {}",
            if sign > 0.0 { "" } else { "-" },
            r.status,
            r.objective.map_or("-".into(), fmt_value),
            r.bound.map_or("-".into(), fmt_value)
        ));
        (nodes, iterations, cuts) = (nodes + r.nodes, iterations + r.lp_iterations, cuts + r.cuts_added);
        bound = match (bound, r.bound) {
            (Some(b), Some(rb)) => Some(b.max(rb)),
            _ => None,
        };
        if r.status != Status::Optimal {
            status = if status == Status::Optimal {
                r.status
            } else {
                status
            };
        }
        // Every piece's objective is recomputed below from the original networks; keep the best input.
        let value = r
            .input
            .as_ref()
            .map(|x| output_distance(DiffNorm::Linf, &a.forward(x), &b.forward(x)));
        let better = match (&best, value) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(bst), Some(v)) => bst.objective.is_none_or(|o| v > o),
        };
        if better {
            best = Some(TaskResult {
                objective: value,
                ..r
            });
        }
    }
    let mut result = best.unwrap_or_else(|| TaskResult::empty(status));
    // Optimal needs every piece closed: then the bound is the largest piece optimum, the objective's.
    result.status = status;
    result.bound = bound.filter(|b| b.is_finite());
    if let (Some(o), Some(b)) = (result.objective, result.bound) {
        // The forward-pass objective may exceed a piece's bound by rounding: the bound stays valid as the max.
        result.bound = Some(b.max(o));
    }
    result.root_bound = None;
    (result.nodes, result.lp_iterations, result.cuts_added) = (nodes, iterations, cuts);
    result.time_s = start.elapsed().as_secs_f64();
    Ok(result)
}

/// One MILP for `maxdiff`: the composed network's output (the norm of the difference) maximised. [`maxdiff`]
/// solves it for L1; for L∞ it solves the per-output pieces of `maxdiff_linf_by_output` instead (same optimum).
/// `relumip export` writes this one.
pub fn maxdiff_model(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    norm: DiffNorm,
    options: &SolverOptions,
) -> Result<crate::relu::ReluModel> {
    if a.output_size() != b.output_size() {
        return Err(Error::Options(format!(
            "the networks have {} and {} outputs",
            a.output_size(),
            b.output_size()
        )));
    }
    let diff = with_abs_differences(&parallel(a, b)?, norm)?;
    super::maximize::maximize_model(&diff, domain, &MaximizeObjective::Linear(vec![1.0]), options)
}

/// The MILP [`maxout`] solves: both networks side by side, `a` picking `c1` and `b` picking `c2` by
/// `tolerance`, maximising `y_a[c1] + y_b[c2]`.
pub fn maxout_model(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    (c1, c2): (usize, usize),
    tolerance: f64,
    options: &SolverOptions,
) -> Result<crate::relu::ReluModel> {
    options.validate()?;
    let (ma, mb) = (a.output_size(), b.output_size());
    if c1 >= ma || c2 >= mb {
        return Err(Error::Options(format!(
            "classes {c1},{c2} out of range ({ma} and {mb} outputs)"
        )));
    }
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(Error::Options(format!(
            "tolerance must be finite and >= 0, got {tolerance}"
        )));
    }
    let pair = parallel(a, b)?;
    let mut model = build_model(&pair, domain, options)?;
    let wins = |model: &mut crate::relu::ReluModel, offset: usize, m: usize, c: usize, tag: &str| {
        for j in (0..m).filter(|&j| j != c) {
            let mut coeffs = Vec::new();
            if let Some(col) = model.output_col(offset + c) {
                coeffs.push((col, 1.0));
            }
            if let Some(col) = model.output_col(offset + j) {
                coeffs.push((col, -1.0));
            }
            model.add_row(tolerance, f64::INFINITY, coeffs, format!("{tag}_{c}_beats_{j}"));
        }
    };
    wins(&mut model, 0, ma, c1, "a");
    wins(&mut model, ma, mb, c2, "b");
    let terms: Vec<(usize, f64)> = [model.output_col(c1), model.output_col(ma + c2)]
        .into_iter()
        .flatten()
        .map(|c| (c, 1.0))
        .collect();
    model.set_objective(Sense::Maximize, &terms, 0.0);
    Ok(model)
}

/// `maxout`: an input where `a` picks `c1` and `b` picks `c2`, each beating every other class by `tolerance`,
/// maximising `y_a[c1] + y_b[c2]`.
pub fn maxout(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    (c1, c2): (usize, usize),
    tolerance: f64,
    options: &SolverOptions,
    log: &Log,
) -> Result<CompareReport> {
    let start = Instant::now();
    let model = maxout_model(a, b, domain, (c1, c2), tolerance, options)?;
    log_model_stats(&model, log);
    let wins_by = move |y: &[f64], c: usize| (0..y.len()).all(|j| j == c || y[c] - y[j] >= tolerance);
    let check: CandidateCheck = {
        let (a, b, domain, cols) = (a.clone(), b.clone(), domain.clone(), model.input_cols.clone());
        Arc::new(move |point: &[f64]| {
            let x = snap_input(&cols, &domain, point)?;
            let (ya, yb) = (a.forward(&x), b.forward(&x));
            (wins_by(&ya, c1) && wins_by(&yb, c2)).then(|| ya[c1] + yb[c2])
        })
    };
    let setup = SolveSetup {
        check: Some(check),
        ..SolveSetup::default()
    };
    let search = solve_model(&model, options, setup, log)?;
    let mut result = TaskResult::from_search(&model, &search);
    if let Some(x) = search
        .solution
        .as_ref()
        .and_then(|p| snap_input(&model.input_cols, domain, p))
    {
        let (ya, yb) = (a.forward(&x), b.forward(&x));
        if wins_by(&ya, c1) && wins_by(&yb, c2) {
            result.objective = Some(ya[c1] + yb[c2]);
            result.input = Some(x);
        }
    }
    result.time_s = start.elapsed().as_secs_f64();
    Ok(with_outputs(result, a, b))
}
