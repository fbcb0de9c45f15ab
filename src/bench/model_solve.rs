//! Solving an LP or MILP read from MPS into a [`ResultReport`]: `relumip solve` and `relumip bench` on MPS sets.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use crate::error::Result;
use crate::io::mps::MpsModel;
use crate::io::report::{relative_gap, Incumbent, ResultReport, Values};
use crate::log::Log;
use crate::lp::{DualSimplex, LpOptions, LpStatus, Sense};
use crate::mip::{solve_mip, MipOptions, MipProblem};
use crate::result::Status;

/// Limits and tolerances of a model solve.
#[derive(Debug, Clone, Default)]
pub struct ModelSolveOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Branch-and-bound node limit (MILPs).
    pub node_limit: Option<u64>,
    /// Relative gap at which a MILP search stops (default of the search when `None`).
    pub gap_rel: Option<f64>,
    /// Absolute gap at which a MILP search stops (default of the search when `None`).
    pub gap_abs: Option<f64>,
    /// Raised to stop with the best answer so far.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Workers of a MILP's tree search (1 when `None`: sequential).
    pub threads: Option<usize>,
}

/// Solves `model` (dual simplex for an LP, the tree search for a MILP) and reports in CLI.md's form, with
/// `values` per column. The reported point is checked against the model as read: the largest row or bound
/// violation goes in the extra field `max_violation` (and, for LPs, the solver's own `primal_infeasibility`
/// and `dual_infeasibility`).
pub fn solve_model(model: &MpsModel, options: &ModelSolveOptions, log: &Log) -> Result<ResultReport> {
    let start = Instant::now();
    let lp = &model.problem;
    let mut report = if model.is_mip() {
        solve_milp(model, options, log)?
    } else {
        solve_lp(model, options)?
    };
    report.time_s = start.elapsed().as_secs_f64();
    report.gap = relative_gap(report.objective, report.bound);
    report.stats.rows = lp.num_rows() as u64;
    report.stats.columns = lp.num_cols() as u64;
    report.stats.binaries = (0..lp.num_cols())
        .filter(|&j| model.integer[j] && lp.col_lower[j] >= 0.0 && lp.col_upper[j] <= 1.0)
        .count() as u64;
    if let Some(values) = &report.values {
        let x: Vec<f64> = values.0.iter().map(|&(_, v)| v).collect();
        let violation = lp.max_violation(&x);
        report
            .extra
            .insert("max_violation".into(), serde_json::json!(violation));
        let fractionality = (0..x.len())
            .filter(|&j| model.integer[j])
            .map(|j| (x[j] - x[j].round()).abs())
            .fold(0.0, f64::max);
        if model.is_mip() {
            report.extra.insert(
                "max_integrality_violation".into(),
                serde_json::json!(fractionality),
            );
        }
    }
    Ok(report)
}

fn named_values(model: &MpsModel, x: &[f64]) -> Values {
    Values(
        model
            .problem
            .col_names
            .iter()
            .cloned()
            .zip(x.iter().copied())
            .collect(),
    )
}

fn solve_lp(model: &MpsModel, options: &ModelSolveOptions) -> Result<ResultReport> {
    let lp_options = LpOptions {
        time_limit: options.time_limit,
        interrupt: options.interrupt.clone(),
        ..LpOptions::default()
    };
    let mut simplex = DualSimplex::new(&model.problem, lp_options)?;
    let lp_status = simplex.solve();
    let status = match lp_status {
        LpStatus::Optimal => Status::Optimal,
        LpStatus::Infeasible => Status::Infeasible,
        LpStatus::Unbounded => Status::Unbounded,
        LpStatus::TimeLimit => Status::TimeLimit,
        LpStatus::Interrupted => Status::Interrupted,
        // No iteration limit or cutoff is set here: reaching one would be a solver fault.
        LpStatus::IterationLimit | LpStatus::CutoffReached | LpStatus::NumericalTrouble => {
            Status::NumericalTrouble
        }
    };
    let mut report = ResultReport::new("solve", status);
    report.lp_iterations = simplex.total_iterations();
    let no_bound = match model.problem.sense {
        Sense::Minimize => f64::NEG_INFINITY,
        Sense::Maximize => f64::INFINITY,
    };
    match status {
        Status::Optimal => {
            let objective = simplex.objective_value();
            report.objective = Some(objective);
            report.bound = Some(simplex.dual_bound().unwrap_or(objective));
            report.values = Some(named_values(model, &simplex.col_values()));
        }
        Status::Infeasible => report.bound = Some(-no_bound),
        Status::Unbounded => report.bound = Some(no_bound),
        _ => report.bound = Some(simplex.dual_bound().unwrap_or(no_bound)),
    }
    report.stats.root_bound = report.bound.filter(|b| b.is_finite());
    if status == Status::Optimal {
        let (primal, dual) = simplex.infeasibilities();
        report
            .extra
            .insert("primal_infeasibility".into(), serde_json::json!(primal));
        report
            .extra
            .insert("dual_infeasibility".into(), serde_json::json!(dual));
    }
    Ok(report)
}

fn solve_milp(model: &MpsModel, options: &ModelSolveOptions, log: &Log) -> Result<ResultReport> {
    let problem = MipProblem::new(model.problem.clone(), model.integer.clone())?;
    let defaults = MipOptions::default();
    let mip_options = MipOptions {
        time_limit: options.time_limit,
        node_limit: options.node_limit,
        gap_rel: options.gap_rel.unwrap_or(defaults.gap_rel),
        gap_abs: options.gap_abs.unwrap_or(defaults.gap_abs),
        interrupt: options.interrupt.clone(),
        threads: options.threads.unwrap_or(1).max(1),
        ..defaults
    };
    let result = solve_mip(&problem, mip_options, log.clone())?;
    let mut report = ResultReport::new("solve", result.status.to_status());
    report.objective = result.objective;
    report.bound = Some(result.bound);
    report.nodes = result.stats.nodes;
    report.lp_iterations = result.stats.lp_iterations;
    report.stats.root_bound = result.stats.root_bound;
    report.stats.cuts_added = result.stats.cuts_added;
    report.stats.incumbents = result
        .stats
        .incumbents
        .iter()
        .map(|r| Incumbent {
            time_s: r.time_s,
            objective: r.objective,
            source: r.source.clone(),
        })
        .collect();
    report.values = result.solution.as_deref().map(|x| named_values(model, x));
    Ok(report)
}

/// A short human summary: status, objective, bound and gap, iterations and nodes, time, and the
/// remaining infeasibilities.
pub fn summary_lines(report: &ResultReport) -> Vec<String> {
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| v.to_string());
    let mut lines = vec![
        format!("{:<26}{}", "status", report.status),
        format!("{:<26}{}", "objective", number(report.objective)),
        format!("{:<26}{}", "bound", number(report.bound)),
    ];
    if let Some(gap) = report.gap {
        lines.push(format!("{:<26}{:.4}%", "gap", 100.0 * gap));
    }
    lines.push(format!("{:<26}{}", "lp iterations", report.lp_iterations));
    if report.nodes > 0 {
        lines.push(format!("{:<26}{}", "nodes", report.nodes));
    }
    lines.push(format!("{:<26}{:.3}s", "time", report.time_s));
    for key in [
        "max_violation",
        "max_integrality_violation",
        "primal_infeasibility",
        "dual_infeasibility",
    ] {
        if let Some(v) = report.extra.get(key).and_then(serde_json::Value::as_f64) {
            lines.push(format!("{:<26}{v:.2e}", key.replace('_', " ")));
        }
    }
    lines
}
