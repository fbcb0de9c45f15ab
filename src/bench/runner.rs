//! Running a benchmark set: each instance with relumip, peers' logs beside it, answers judged against
//! the expected ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use super::expected::{is_wrong, Expected};
use super::instances::{BenchInstance, InstanceSource};
use super::model_solve::{solve_model, ModelSolveOptions};
use super::stats::{counted_time, shifted_geometric_mean};
use super::verify_logs::{milp_logs, verify_answer};
use crate::error::{Error, Result};
use crate::io::mps::read_mps;
use crate::io::peer_log::{read_peer_log, PeerLog};
use crate::io::report::ResultReport;
use crate::log::Log;
use crate::lp::Sense;

/// What solving one instance gave: the report and, when known, whether the objective is minimised.
#[derive(Debug, Clone)]
pub struct InstanceOutcome {
    /// The result, as `--json` would write it.
    pub report: ResultReport,
    /// The objective's sense when the instance has one (decides which side a bound may not cross).
    pub minimize: Option<bool>,
}

/// Solves a non-MPS instance (instance file or VNN-COMP line) with a time limit.
///
/// The extension point for the task layer: `relumip bench` answers "not yet" for such sets until a runner
/// is plugged in here (MPS files are solved directly).
pub type InstanceRunner = Box<dyn Fn(&BenchInstance, Option<f64>) -> Result<InstanceOutcome>>;

/// Settings of a benchmark run.
pub struct BenchOptions {
    /// Time limit per instance in seconds (a VNN-COMP line's own timeout applies when this is `None`).
    pub time_limit: Option<f64>,
    /// Shift of the geometric mean in seconds (1 s by default; 0.01 s suits LPs).
    pub shift_s: f64,
    /// Folder of Gurobi/HiGHS logs, matched by instance name (`NAME.SOLVER.log` or `NAME.log`).
    pub peer_logs: Option<PathBuf>,
    /// Expected answers by instance name.
    pub expected: HashMap<String, Expected>,
    /// Solver for instance files and VNN-COMP lines.
    pub runner: Option<InstanceRunner>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            time_limit: None,
            shift_s: 1.0,
            peer_logs: None,
            expected: HashMap::new(),
            runner: None,
        }
    }
}

/// One solver's answer on one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct SolverResult {
    /// Status in CLI words (`error` when the instance could not be run).
    pub status: String,
    /// Best objective.
    pub objective: Option<f64>,
    /// Best bound.
    pub bound: Option<f64>,
    /// Time in seconds.
    pub time_s: Option<f64>,
    /// Branch-and-bound nodes.
    pub nodes: Option<u64>,
    /// A definite answer within the time limit.
    pub solved: bool,
    /// Contradicts the expected answer.
    pub wrong: bool,
    /// Why it failed, when it did.
    pub note: Option<String>,
}

/// One instance: relumip's answer and the peers'.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRow {
    /// The instance's name.
    pub name: String,
    /// The expected answer, when known.
    pub expected: Option<Expected>,
    /// relumip's answer.
    pub relumip: SolverResult,
    /// Each peer's answer, by solver name.
    pub peers: BTreeMap<String, SolverResult>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResults {
    /// One row per instance, in the set's order.
    pub rows: Vec<BenchRow>,
    /// The peers found in the logs, sorted.
    pub peers: Vec<String>,
    /// The time limit in force.
    pub time_limit: Option<f64>,
    /// The geometric mean's shift.
    pub shift_s: f64,
}

/// One solver's line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryLine {
    /// `relumip` or a peer's name.
    pub solver: String,
    /// Instances with a result (for peers: with a log).
    pub instances: usize,
    /// Definite answers within the limit.
    pub solved: usize,
    /// Answers contradicting the expected ones.
    pub wrong: usize,
    /// Shifted geometric mean time over the instances it has results for (unsolved at the limit).
    pub sgm_time_s: Option<f64>,
    /// relumip's shifted geometric mean divided by this solver's, over the instances both have
    /// (above 1: relumip is slower). `None` for relumip itself.
    pub relumip_ratio: Option<f64>,
    /// The same ratio over the instances both solved: speed alone, failures left out.
    pub relumip_ratio_both_solved: Option<f64>,
    /// How many instances both solved.
    pub both_solved: usize,
}

const SOLVED: [&str; 6] = [
    "optimal",
    "infeasible",
    "unbounded",
    "infeasible_or_unbounded",
    "sat",
    "unsat",
];

/// Runs every instance, printing a progress line per finished instance to `log`.
pub fn run_bench(instances: &[BenchInstance], options: &BenchOptions, log: &Log) -> Result<BenchResults> {
    if options.runner.is_none() {
        if let Some(other) = instances
            .iter()
            .find(|i| !matches!(i.source, InstanceSource::Mps(_)))
        {
            return Err(Error::Unsupported(format!(
                "benchmarking instance files and VNN-COMP sets is not yet available (instance `{}`); folders of MPS files are",
                other.name
            )));
        }
    }
    let peer_logs = match &options.peer_logs {
        Some(dir) => load_peer_logs(dir, log)?,
        None => HashMap::new(),
    };
    let peers: Vec<String> = peer_logs
        .values()
        .flat_map(|m| m.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    for (k, instance) in instances.iter().enumerate() {
        let limit = instance_limit(instance, options.time_limit);
        let (relumip, minimize) = run_one(instance, limit, options);
        let expected = options.expected.get(&instance.name).cloned();
        let mut row = BenchRow {
            name: instance.name.clone(),
            expected: expected.clone(),
            relumip: judged(relumip, expected.as_ref(), minimize, limit),
            peers: BTreeMap::new(),
        };
        if let InstanceSource::VnnComp { property, .. } = &instance.source {
            // Peers ran the exported MILPs of the property: one answer from their logs (see verify_logs).
            let milps = crate::spec::read_vnnlib(property)
                .ok()
                .map(|p| p.regions.iter().map(|r| r.output.disjuncts.len()).sum());
            for (solver, logs) in milp_logs(&peer_logs, &instance.name) {
                let (status, time_s, nodes) = verify_answer(&logs, milps);
                let peer = SolverResult {
                    status,
                    objective: None,
                    bound: None,
                    time_s,
                    nodes,
                    solved: false,
                    wrong: false,
                    note: Some(format!("{} MILP logs", logs.len())),
                };
                row.peers
                    .insert(solver, judged(peer, expected.as_ref(), None, limit));
            }
        } else if let Some(logs) = peer_logs.get(&instance.name) {
            for (solver, peer) in logs {
                row.peers.insert(
                    solver.clone(),
                    judged(peer_result(peer), expected.as_ref(), minimize, limit),
                );
            }
        }
        log.line(&progress_line(k + 1, instances.len(), &row));
        rows.push(row);
    }
    Ok(BenchResults {
        rows,
        peers,
        time_limit: options.time_limit,
        shift_s: options.shift_s,
    })
}

fn instance_limit(instance: &BenchInstance, limit: Option<f64>) -> Option<f64> {
    match (&instance.source, limit) {
        (_, Some(l)) => Some(l),
        (InstanceSource::VnnComp { timeout_s, .. }, None) => *timeout_s,
        _ => None,
    }
}

/// relumip on one instance; a failure or a panic becomes an `error` row rather than ending the run.
fn run_one(
    instance: &BenchInstance,
    limit: Option<f64>,
    options: &BenchOptions,
) -> (SolverResult, Option<bool>) {
    let start = std::time::Instant::now();
    let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| solve_instance(instance, limit, options)));
    let failed = |note: String| SolverResult {
        status: "error".into(),
        objective: None,
        bound: None,
        time_s: Some(start.elapsed().as_secs_f64()),
        nodes: None,
        solved: false,
        wrong: false,
        note: Some(note),
    };
    match attempt {
        Ok(Ok(outcome)) => {
            let r = outcome.report;
            let result = SolverResult {
                status: r.status.to_string(),
                objective: r.objective,
                bound: r.bound,
                time_s: Some(r.time_s),
                nodes: Some(r.nodes),
                solved: false,
                wrong: false,
                note: None,
            };
            (result, outcome.minimize)
        }
        Ok(Err(e)) => (failed(e.to_string()), None),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            (failed(format!("internal error (panic): {message}")), None)
        }
    }
}

fn solve_instance(
    instance: &BenchInstance,
    limit: Option<f64>,
    options: &BenchOptions,
) -> Result<InstanceOutcome> {
    match &instance.source {
        InstanceSource::Mps(path) => {
            let model = read_mps(path)?;
            let solve_options = ModelSolveOptions {
                time_limit: limit,
                ..ModelSolveOptions::default()
            };
            let report = solve_model(&model, &solve_options, &Log::quiet())?;
            Ok(InstanceOutcome {
                report,
                minimize: Some(model.problem.sense == Sense::Minimize),
            })
        }
        _ => match &options.runner {
            Some(runner) => runner(instance, limit),
            None => Err(Error::Unsupported(
                "instance files and VNN-COMP lines: not yet".into(),
            )),
        },
    }
}

fn judged(
    mut r: SolverResult,
    expected: Option<&Expected>,
    minimize: Option<bool>,
    limit: Option<f64>,
) -> SolverResult {
    let within_limit = match (r.time_s, limit) {
        (Some(t), Some(l)) => t <= l,
        _ => true,
    };
    r.solved = SOLVED.contains(&r.status.as_str()) && within_limit;
    r.wrong = expected.is_some_and(|e| is_wrong(e, &r.status, r.objective, r.bound, minimize));
    r
}

fn peer_result(log: &PeerLog) -> SolverResult {
    SolverResult {
        status: log.status.as_str().to_string(),
        objective: log.objective,
        bound: log.bound,
        time_s: log.time_s,
        nodes: log.nodes,
        solved: false,
        wrong: false,
        note: None,
    }
}

/// Peer logs by instance name, then solver. Unreadable logs are reported on `log` and left out.
pub fn load_peer_logs(dir: &Path, log: &Log) -> Result<HashMap<String, BTreeMap<String, PeerLog>>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        paths.push(entry.map_err(|e| Error::io(dir, e))?.path());
    }
    paths.sort();
    let mut out: HashMap<String, BTreeMap<String, PeerLog>> = HashMap::new();
    for path in paths {
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        let Some(base) = file.strip_suffix(".log") else {
            continue;
        };
        let peer = match read_peer_log(&path) {
            Ok(p) => p,
            Err(e) => {
                log.line(&format!("warning: peer log left out: {e}"));
                continue;
            }
        };
        // `NAME.SOLVER.log` (SOLVER being the solver the log shows) or `NAME.log`.
        let name = match base.rsplit_once('.') {
            Some((name, solver)) if solver.eq_ignore_ascii_case(&peer.solver) => name,
            _ => base,
        };
        out.entry(name.to_string())
            .or_default()
            .insert(peer.solver.clone(), peer);
    }
    Ok(out)
}

fn progress_line(k: usize, n: usize, row: &BenchRow) -> String {
    let width = n.to_string().len();
    let mut line = format!("[{k:>width$}/{n}] {:<24} {}", row.name, brief(&row.relumip));
    for (solver, r) in &row.peers {
        line.push_str(&format!(" | {solver} {}", brief(r)));
    }
    line
}

fn brief(r: &SolverResult) -> String {
    let objective = r.objective.map_or("-".to_string(), |o| format!("{o:.6e}"));
    let time = r.time_s.map_or("-".to_string(), |t| format!("{t:.3}s"));
    let wrong = if r.wrong { " WRONG" } else { "" };
    format!("{} {objective} {time}{wrong}", r.status)
}

/// The summary: per solver, solved and wrong counts and the shifted geometric mean time; for peers, the
/// ratio of relumip's shifted geometric mean to theirs over the instances both have.
pub fn summarise(results: &BenchResults) -> Vec<SummaryLine> {
    let limit = results.time_limit;
    let time_of = |r: &SolverResult| counted_time(r.solved, r.time_s, limit);
    let all: Vec<&SolverResult> = results.rows.iter().map(|row| &row.relumip).collect();
    let mut lines = vec![line_for("relumip", &all, None, results.shift_s, limit)];
    for peer in &results.peers {
        let both: Vec<(&SolverResult, &SolverResult)> = results
            .rows
            .iter()
            .filter_map(|row| row.peers.get(peer).map(|p| (&row.relumip, p)))
            .collect();
        let ratio_over = |pairs: &[(&SolverResult, &SolverResult)]| {
            let ours: Vec<f64> = pairs.iter().map(|(r, _)| time_of(r)).collect();
            let theirs: Vec<f64> = pairs.iter().map(|(_, p)| time_of(p)).collect();
            shifted_geometric_mean(&ours, results.shift_s)
                .zip(shifted_geometric_mean(&theirs, results.shift_s))
                .and_then(|(a, b)| (b > 0.0).then_some(a / b))
        };
        let both_solved: Vec<(&SolverResult, &SolverResult)> = both
            .iter()
            .copied()
            .filter(|(r, p)| r.solved && p.solved)
            .collect();
        let peer_results: Vec<&SolverResult> = both.iter().map(|(_, p)| *p).collect();
        let mut line = line_for(peer, &peer_results, ratio_over(&both), results.shift_s, limit);
        line.relumip_ratio_both_solved = ratio_over(&both_solved);
        line.both_solved = both_solved.len();
        lines.push(line);
    }
    lines
}

fn line_for(
    solver: &str,
    results: &[&SolverResult],
    ratio: Option<f64>,
    shift: f64,
    limit: Option<f64>,
) -> SummaryLine {
    let times: Vec<f64> = results
        .iter()
        .map(|r| counted_time(r.solved, r.time_s, limit))
        .collect();
    SummaryLine {
        solver: solver.to_string(),
        instances: results.len(),
        solved: results.iter().filter(|r| r.solved).count(),
        wrong: results.iter().filter(|r| r.wrong).count(),
        sgm_time_s: shifted_geometric_mean(&times, shift),
        relumip_ratio: ratio,
        relumip_ratio_both_solved: None,
        both_solved: 0,
    }
}
