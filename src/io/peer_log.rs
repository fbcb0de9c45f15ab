//! Reading Gurobi and HiGHS logs (LP and MIP) into one summary, for `relumip bench`.
//!
//! Only the lines both solvers have printed for years are used (Gurobi 9–13, HiGHS 1.2–1.15): Gurobi's
//! version line, `Thread count`, `Explored N nodes (M simplex iterations) in T seconds`,
//! `Solved in M iterations and T seconds`, `Optimal objective`, `Best objective ..., best bound ..., gap ...`
//! and its termination message; HiGHS's `Running HiGHS`, the MIP `Solving report` block (`Status`,
//! `Primal bound`, `Dual bound`, `Gap`, `Timing`, `Nodes`, `LP iterations`) and the LP summary lines
//! (`Model status :`, `Simplex iterations:`, `Objective value :`, `HiGHS run time :`). When a log holds
//! several solves, the last one counts. Objective and bound are in the model's sense as the solver prints them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::result::Status;

/// A peer solver's final status, in CLI.md's words where they exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerStatus {
    /// Optimal within the solver's gap tolerance.
    Optimal,
    /// Proven infeasible.
    Infeasible,
    /// Proven unbounded.
    Unbounded,
    /// Infeasible or unbounded, not told apart (Gurobi `INF_OR_UNBD`, HiGHS "Primal infeasible or unbounded").
    InfeasibleOrUnbounded,
    /// Time limit reached.
    TimeLimit,
    /// Node limit reached.
    NodeLimit,
    /// Iteration limit reached.
    IterationLimit,
    /// Solution limit or objective target reached.
    SolutionLimit,
    /// Interrupted by the user.
    Interrupted,
    /// The solver reported numerical trouble or a sub-optimal termination.
    NumericalTrouble,
    /// The solver reported an error (e.g. HiGHS "Solve error").
    Error,
}

impl PeerStatus {
    /// The relumip status with the same meaning, where there is one.
    pub fn to_status(self) -> Option<Status> {
        Some(match self {
            PeerStatus::Optimal => Status::Optimal,
            PeerStatus::Infeasible => Status::Infeasible,
            PeerStatus::Unbounded => Status::Unbounded,
            PeerStatus::TimeLimit => Status::TimeLimit,
            PeerStatus::NodeLimit => Status::NodeLimit,
            PeerStatus::Interrupted => Status::Interrupted,
            PeerStatus::NumericalTrouble => Status::NumericalTrouble,
            _ => return None,
        })
    }

    /// True when the solver finished with a definite answer (optimal, infeasible, unbounded).
    pub fn is_solved(self) -> bool {
        matches!(
            self,
            PeerStatus::Optimal
                | PeerStatus::Infeasible
                | PeerStatus::Unbounded
                | PeerStatus::InfeasibleOrUnbounded
        )
    }

    /// The status as written in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerStatus::Optimal => "optimal",
            PeerStatus::Infeasible => "infeasible",
            PeerStatus::Unbounded => "unbounded",
            PeerStatus::InfeasibleOrUnbounded => "infeasible_or_unbounded",
            PeerStatus::TimeLimit => "time_limit",
            PeerStatus::NodeLimit => "node_limit",
            PeerStatus::IterationLimit => "iteration_limit",
            PeerStatus::SolutionLimit => "solution_limit",
            PeerStatus::Interrupted => "interrupted",
            PeerStatus::NumericalTrouble => "numerical_trouble",
            PeerStatus::Error => "error",
        }
    }
}

/// What a peer solver's log says about one solve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerLog {
    /// `gurobi` or `highs`.
    pub solver: String,
    /// The solver's version, e.g. `13.0.3`.
    pub version: Option<String>,
    /// The final status.
    pub status: PeerStatus,
    /// Best objective found (null when none).
    pub objective: Option<f64>,
    /// Best bound (null when none or infinite).
    pub bound: Option<f64>,
    /// Relative gap as a fraction (0.0099% is 9.9e-5), null when not stated or infinite.
    pub gap: Option<f64>,
    /// Solve time in seconds as the solver reports it.
    pub time_s: Option<f64>,
    /// Branch-and-bound nodes (MIP logs).
    pub nodes: Option<u64>,
    /// Simplex iterations.
    pub lp_iterations: Option<u64>,
    /// Threads used.
    pub threads: Option<u32>,
}

/// Reads a Gurobi or HiGHS log file.
pub fn read_peer_log(path: &Path) -> Result<PeerLog> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_peer_log(&String::from_utf8_lossy(&bytes), path)
}

/// Parses the text of a Gurobi or HiGHS log; `file` only names the source in errors.
pub fn parse_peer_log(text: &str, file: &Path) -> Result<PeerLog> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let is_gurobi = |l: &&str| {
        l.starts_with("Gurobi Optimizer version") || l.starts_with("Gurobi ") && l.contains("logging started")
    };
    // A log written through HiGHS's `log_file` option lacks the banner (printed when the solver object is made).
    let is_highs = |l: &&str| {
        l.starts_with("Running HiGHS")
            || l.starts_with("HiGHS run time")
            || l.starts_with("Solving MIP model with:")
    };
    let parsed = match (lines.iter().position(is_gurobi), lines.iter().position(is_highs)) {
        (Some(g), Some(h)) if h < g => parse_highs(&lines),
        (Some(_), _) => parse_gurobi(&lines),
        (None, Some(_)) => parse_highs(&lines),
        (None, None) => Err(Failure {
            line: 1,
            problem: "not a Gurobi or HiGHS log (no 'Gurobi Optimizer version' or 'Running HiGHS' line)"
                .into(),
        }),
    };
    parsed.map_err(|f| Error::input(file, format!("line {}", f.line), f.problem))
}

struct Failure {
    line: usize,
    problem: String,
}

type Parsed<T> = std::result::Result<T, Failure>;

fn bad<T>(index: usize, what: &str, line: &str) -> Parsed<T> {
    Err(Failure {
        line: index + 1,
        problem: format!("cannot read {what} from `{line}`"),
    })
}

/// A number as the solvers print it; `-`, `inf`, `-inf`, `Large` and the like give `None`.
fn value(token: &str) -> Option<f64> {
    let v: f64 = token.trim_end_matches([',', '%']).parse().ok()?;
    v.is_finite().then_some(v)
}

fn is_no_value(token: &str) -> bool {
    let t = token.trim_end_matches([',', '%']).to_ascii_lowercase();
    matches!(
        t.as_str(),
        "-" | "inf" | "+inf" | "-inf" | "infinity" | "-infinity" | "large" | "nan"
    )
}

/// An optional number: a finite value, `None` for the solvers' "no value" words, an error otherwise.
fn optional(token: &str, index: usize, what: &str, line: &str) -> Parsed<Option<f64>> {
    match value(token) {
        Some(v) => Ok(Some(v)),
        None if is_no_value(token) => Ok(None),
        None => bad(index, what, line),
    }
}

/// The token after `word` in `line`, split on whitespace.
fn after<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let mut tokens = line.split_whitespace();
    tokens.by_ref().find(|t| *t == word)?;
    tokens.next()
}

fn integer(token: Option<&str>, index: usize, what: &str, line: &str) -> Parsed<u64> {
    match token
        .map(|t| t.trim_matches(['(', ')', ',']))
        .and_then(|t| t.parse().ok())
    {
        Some(n) => Ok(n),
        None => bad(index, what, line),
    }
}

impl PeerLog {
    /// A log of `solver` with nothing read yet.
    fn unread(solver: &str) -> Self {
        PeerLog {
            solver: solver.into(),
            version: None,
            status: PeerStatus::Error,
            objective: None,
            bound: None,
            gap: None,
            time_s: None,
            nodes: None,
            lp_iterations: None,
            threads: None,
        }
    }
}

fn parse_gurobi(lines: &[&str]) -> Parsed<PeerLog> {
    let mut log = PeerLog::unread("gurobi");
    let mut status = None;
    for (i, &line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("Gurobi Optimizer version ") {
            log.version = rest.split_whitespace().next().map(str::to_string);
            // A new solve starts: forget the previous one's answers.
            status = None;
            log.objective = None;
            log.bound = None;
            log.gap = None;
        } else if line.starts_with("Gurobi ") && line.contains("logging started") && log.version.is_none() {
            log.version = line.split_whitespace().nth(1).map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("Thread count was ") {
            log.threads = Some(integer(rest.split_whitespace().next(), i, "the thread count", line)? as u32);
        } else if line.starts_with("Thread count:") && log.threads.is_none() {
            // "Thread count: 2 physical cores, 2 logical processors, using up to 1 threads"
            if let Some(n) = after(line, "to") {
                log.threads = Some(integer(Some(n), i, "the thread count", line)? as u32);
            }
        } else if line.starts_with("Explored ") && line.contains(" nodes (") {
            // "Explored 742 nodes (2038 simplex iterations) in 0.13 seconds (0.03 work units)"
            log.nodes = Some(integer(after(line, "Explored"), i, "the node count", line)?);
            log.lp_iterations = Some(integer(after(line, "nodes"), i, "the iteration count", line)?);
            log.time_s = Some(
                after(line, "in")
                    .and_then(value)
                    .map_or_else(|| bad(i, "the time", line), Ok)?,
            );
        } else if (line.starts_with("Solved in ") || line.starts_with("Stopped in "))
            && line.contains("iterations")
        {
            // "Solved in 9 iterations and 0.01 seconds (0.00 work units)"
            log.lp_iterations = Some(integer(after(line, "in"), i, "the iteration count", line)?);
            log.time_s = Some(
                after(line, "and")
                    .and_then(value)
                    .map_or_else(|| bad(i, "the time", line), Ok)?,
            );
        } else if let Some(rest) = line.strip_prefix("Optimal objective") {
            log.objective = optional(rest.trim(), i, "the objective", line)?;
            log.bound = log.objective;
            log.gap = log.objective.map(|_| 0.0);
            status = Some(PeerStatus::Optimal);
        } else if line.starts_with("Best objective ") {
            // "Best objective 8.966406491520e+06, best bound 8.965515100389e+06, gap 0.0099%"
            let tokens: Vec<&str> = line.split_whitespace().collect();
            if tokens.len() < 8 {
                return bad(i, "objective, bound and gap", line);
            }
            log.objective = optional(tokens[2], i, "the objective", line)?;
            log.bound = optional(tokens[5], i, "the bound", line)?;
            log.gap = optional(tokens[7], i, "the gap", line)?.map(|g| g / 100.0);
        } else if let Some(s) = gurobi_status(line) {
            status = Some(s);
        }
    }
    match status {
        Some(s) => {
            log.status = s;
            Ok(log)
        }
        None => Err(Failure {
            line: lines.len(),
            problem: "the Gurobi log ends before a termination message (truncated or still running?)".into(),
        }),
    }
}

fn gurobi_status(line: &str) -> Option<PeerStatus> {
    const MESSAGES: &[(&str, PeerStatus)] = &[
        ("Optimal solution found", PeerStatus::Optimal),
        (
            "Model is infeasible or unbounded",
            PeerStatus::InfeasibleOrUnbounded,
        ),
        ("Infeasible or unbounded model", PeerStatus::InfeasibleOrUnbounded),
        ("Model is infeasible", PeerStatus::Infeasible),
        ("Infeasible model", PeerStatus::Infeasible),
        ("Model is unbounded", PeerStatus::Unbounded),
        ("Unbounded model", PeerStatus::Unbounded),
        ("Time limit reached", PeerStatus::TimeLimit),
        ("Node limit reached", PeerStatus::NodeLimit),
        ("Iteration limit reached", PeerStatus::IterationLimit),
        ("Solution limit reached", PeerStatus::SolutionLimit),
        (
            "Optimization achieved user objective limit",
            PeerStatus::SolutionLimit,
        ),
        ("Solve interrupted", PeerStatus::Interrupted),
        ("Interrupt request received", PeerStatus::Interrupted),
        ("Sub-optimal termination", PeerStatus::NumericalTrouble),
        ("Numerical trouble encountered", PeerStatus::NumericalTrouble),
        ("Numeric error", PeerStatus::NumericalTrouble),
    ];
    MESSAGES
        .iter()
        .find(|(m, _)| line.starts_with(m))
        .map(|&(_, s)| s)
}

fn highs_status(text: &str) -> Option<PeerStatus> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "optimal" => PeerStatus::Optimal,
        "infeasible" | "primal infeasible" => PeerStatus::Infeasible,
        "unbounded" | "primal unbounded" => PeerStatus::Unbounded,
        "primal infeasible or unbounded" | "infeasible or unbounded" => PeerStatus::InfeasibleOrUnbounded,
        "time limit reached" => PeerStatus::TimeLimit,
        "iteration limit reached" => PeerStatus::IterationLimit,
        "solution limit reached" | "objective bound" | "objective target" => PeerStatus::SolutionLimit,
        "interrupted by user" | "interrupt" => PeerStatus::Interrupted,
        s if s.contains("node limit") => PeerStatus::NodeLimit,
        s if s.ends_with("error") || s == "unknown" || s == "not set" || s.contains("memory") => {
            PeerStatus::Error
        }
        _ => return None,
    })
}

fn parse_highs(lines: &[&str]) -> Parsed<PeerLog> {
    let mut log = PeerLog::unread("highs");
    let mut status = None;
    let mut in_report = false;
    for (i, &line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("Running HiGHS ") {
            log.version = rest
                .split_whitespace()
                .next()
                .map(|v| v.trim_start_matches('v').to_string());
            status = None;
            in_report = false;
            continue;
        }
        if line == "Solving report" {
            in_report = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("Thread count ") {
            log.threads = Some(integer(rest.split_whitespace().next(), i, "the thread count", line)? as u32);
            continue;
        }
        // LP summary lines: "Model status        : Optimal" (also "Model   status      :").
        let summary = line
            .split_once(':')
            .map(|(key, rest)| (key.split_whitespace().collect::<Vec<_>>().join(" "), rest.trim()));
        const SUMMARY_KEYS: [&str; 4] = [
            "Model status",
            "Simplex iterations",
            "Objective value",
            "HiGHS run time",
        ];
        if let Some((key, rest)) = summary.filter(|(key, _)| SUMMARY_KEYS.contains(&key.as_str())) {
            match key.as_str() {
                "Model status" => match highs_status(rest) {
                    Some(s) => status = Some(s),
                    None => return bad(i, "the model status", line),
                },
                "Simplex iterations" => {
                    log.lp_iterations = Some(integer(Some(rest), i, "the iteration count", line)?)
                }
                "Objective value" => {
                    log.objective = optional(rest, i, "the objective", line)?;
                    if status == Some(PeerStatus::Optimal) && log.nodes.is_none() {
                        log.bound = log.objective;
                    }
                }
                "HiGHS run time" => log.time_s = optional(rest, i, "the run time", line)?,
                _ => {}
            }
            continue;
        }
        if !in_report {
            continue;
        }
        let Some((key, rest)) = split_report_line(line) else {
            continue;
        };
        // Values may be followed by a note, e.g. "12.50 (total)".
        let first = rest.split_whitespace().next().unwrap_or("");
        match key {
            "Status" => match highs_status(rest) {
                Some(s) => status = Some(s),
                None => return bad(i, "the status", line),
            },
            "Primal bound" => log.objective = optional(first, i, "the primal bound", line)?,
            "Dual bound" => log.bound = optional(first, i, "the dual bound", line)?,
            "Gap" => log.gap = optional(first, i, "the gap", line)?.map(|g| g / 100.0),
            "Timing" => log.time_s = optional(first, i, "the time", line)?,
            "Nodes" => log.nodes = Some(integer(Some(first), i, "the node count", line)?),
            "LP iterations" => {
                log.lp_iterations = Some(integer(Some(first), i, "the iteration count", line)?)
            }
            _ => {}
        }
    }
    if status == Some(PeerStatus::Optimal) && log.bound.is_none() {
        log.bound = log.objective;
    }
    // HiGHS prints an "Objective value" for infeasible LPs too: that of its last basis, not a solution.
    if matches!(
        status,
        Some(PeerStatus::Infeasible | PeerStatus::InfeasibleOrUnbounded)
    ) && log.nodes.is_none()
    {
        log.objective = None;
        log.bound = None;
    }
    match status {
        Some(s) => {
            log.status = s;
            Ok(log)
        }
        None => Err(Failure {
            line: lines.len(),
            problem: "the HiGHS log ends before its model status (truncated or still running?)".into(),
        }),
    }
}

/// A `Solving report` line `Key   value` (keys are separated from values by two or more spaces).
fn split_report_line(line: &str) -> Option<(&str, &str)> {
    let position = line.find("  ")?;
    let (key, rest) = line.split_at(position);
    Some((key.trim(), rest.trim()))
}
