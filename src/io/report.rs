//! The result JSON every solving command writes (CLI.md, "The result JSON").
//!
//! ```
//! use relumip::io::report::ResultReport;
//! use relumip::result::Status;
//!
//! let mut report = ResultReport::new("solve", Status::Optimal);
//! report.objective = Some(-464.75);
//! report.bound = Some(-464.75);
//! report.gap = relumip::io::report::relative_gap(report.objective, report.bound);
//! let text = report.to_json_string();
//! assert!(text.contains("\"status\": \"optimal\""));
//! ```

use std::io::Write as _;
use std::path::Path;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::result::Status;
use crate::tasks::outcome::TaskResult;
use crate::tasks::verify::VerifyReport;

/// The result of one solving command, as written by `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultReport {
    /// The command that produced it (`solve`, `verify`, `run`, ...).
    pub command: String,
    /// The outcome.
    pub status: Status,
    /// Best objective found, in the user's sense (null when none).
    pub objective: Option<f64>,
    /// Valid bound on the optimum, in the user's sense (null when none).
    pub bound: Option<f64>,
    /// Relative gap between objective and bound (see [`relative_gap`]), null when either is missing.
    pub gap: Option<f64>,
    /// Wall-clock time in seconds.
    pub time_s: f64,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
    /// Simplex iterations, all LPs together.
    pub lp_iterations: u64,
    /// The network input and output of the reported solution (from a forward pass), or null.
    pub solution: Option<Solution>,
    /// Solver statistics.
    pub stats: Stats,
    /// `solve` only: column name → value, in column order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Values>,
    /// Further fields a command adds (e.g. a task's own outcome), written at the top level.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A network input and the output a forward pass gives for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// The input vector.
    pub input: Vec<f64>,
    /// The output vector (forward pass of the original network).
    pub output: Vec<f64>,
}

/// Statistics of a solve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Bound after the root node (null when the root was not solved).
    pub root_bound: Option<f64>,
    /// Cuts added over the whole search.
    pub cuts_added: u64,
    /// ReLU neurons whose sign is not fixed by the root bounds.
    pub unstable_neurons: u64,
    /// Binary columns of the model.
    pub binaries: u64,
    /// Rows of the model.
    pub rows: u64,
    /// Columns of the model.
    pub columns: u64,
    /// Every improvement of the incumbent, in order.
    pub incumbents: Vec<Incumbent>,
    /// `verify`: the bound-only branch-and-bound, when it ran (it builds no MILP, so `rows`, `columns` and
    /// `binaries` stay 0 when it answered alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_only: Option<BoundOnlyStats>,
}

/// The bound-only branch-and-bound of a verification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoundOnlyStats {
    /// Whether it decided the answer alone (no MILP was built).
    pub answered: bool,
    /// `"input"` or `"activation"`: what its nodes were split on.
    pub split: String,
    /// Inputs of the network.
    pub inputs: u64,
    /// Hidden ReLU neurons of the network.
    pub relu_neurons: u64,
    /// Outputs of the network.
    pub outputs: u64,
    /// Disjuncts it ran on.
    pub disjuncts: u64,
    /// Disjuncts it decided (proven, or a confirmed counterexample).
    pub decided: u64,
    /// Nodes bounded.
    pub nodes: u64,
    /// Nodes pruned.
    pub pruned: u64,
    /// Halves bounded by strong branching.
    pub strong_evaluations: u64,
    /// Runs (each restart counts one).
    pub runs: u64,
    /// Deepest node.
    pub max_depth: u64,
    /// Seconds spent in it.
    pub time_s: f64,
}

/// One improvement of the best solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incumbent {
    /// Seconds since the start.
    pub time_s: f64,
    /// Its objective value, in the user's sense.
    pub objective: f64,
    /// Where it came from: a heuristic's name or "branching".
    pub source: String,
}

/// Named values written as a JSON object, keeping their order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(pub Vec<(String, f64)>);

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ValuesVisitor;
        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = Values;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of column name to number")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Values, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, f64>()? {
                    out.push((name, value));
                }
                Ok(Values(out))
            }
        }
        deserializer.deserialize_map(ValuesVisitor)
    }
}

impl ResultReport {
    /// A report with the given command and status; everything else empty or zero.
    pub fn new(command: impl Into<String>, status: Status) -> Self {
        ResultReport {
            command: command.into(),
            status,
            objective: None,
            bound: None,
            gap: None,
            time_s: 0.0,
            nodes: 0,
            lp_iterations: 0,
            solution: None,
            stats: Stats::default(),
            values: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The report of an optimisation task (maximize, adversarial, compare, verify's maximum difference):
    /// objective and bound in the user's sense, the reported input and its forward-pass output.
    pub fn from_task(command: impl Into<String>, r: &TaskResult) -> Self {
        let mut report = ResultReport::new(command, r.status);
        report.objective = r.objective;
        report.bound = r.bound;
        report.gap = relative_gap(r.objective, r.bound);
        report.time_s = r.time_s;
        report.nodes = r.nodes;
        report.lp_iterations = r.lp_iterations;
        report.solution = match (&r.input, &r.output) {
            (Some(input), Some(output)) => Some(Solution {
                input: input.clone(),
                output: output.clone(),
            }),
            _ => None,
        };
        report.stats = Stats {
            root_bound: r.root_bound,
            cuts_added: r.cuts_added,
            unstable_neurons: r.unstable_neurons as u64,
            binaries: r.binaries as u64,
            rows: r.rows as u64,
            columns: r.columns as u64,
            incumbents: incumbents(&r.incumbents),
            bound_only: None,
        };
        report
    }

    /// The report of a verification (`sat`/`unsat`/limits): no objective or bound; the counterexample (a
    /// confirmed one) as `solution`, and which region and disjunct it violates as top-level `region` and
    /// `disjunct` (null without a counterexample).
    pub fn from_verify(command: impl Into<String>, r: &VerifyReport) -> Self {
        let mut report = ResultReport::new(command, r.status);
        report.time_s = r.time_s;
        report.nodes = r.nodes;
        report.lp_iterations = r.lp_iterations;
        report.solution = r.counterexample.as_ref().map(|c| Solution {
            input: c.input.clone(),
            output: c.output.clone(),
        });
        let place = |f: fn(&crate::tasks::verify::VerifyCounterexample) -> usize| {
            r.counterexample.as_ref().map(f).into()
        };
        report.extra.insert("region".into(), place(|c| c.region));
        report.extra.insert("disjunct".into(), place(|c| c.disjunct));
        report.stats = Stats {
            root_bound: r.root_bound,
            cuts_added: r.cuts_added,
            unstable_neurons: r.unstable_neurons as u64,
            binaries: r.binaries as u64,
            rows: r.rows as u64,
            columns: r.columns as u64,
            incumbents: incumbents(&r.incumbents),
            bound_only: r.bound_only.as_ref().map(|b| BoundOnlyStats {
                answered: r.rows == 0
                    && b.decided == b.disjuncts
                    && matches!(r.status, Status::Sat | Status::Unsat),
                split: b.split.clone(),
                inputs: b.inputs as u64,
                relu_neurons: b.relu_neurons as u64,
                outputs: b.outputs as u64,
                disjuncts: b.disjuncts as u64,
                decided: b.decided as u64,
                nodes: b.nodes,
                pruned: b.pruned,
                strong_evaluations: b.strong_evaluations,
                runs: b.runs as u64,
                max_depth: u64::from(b.max_depth),
                time_s: b.time_s,
            }),
        };
        report
    }

    /// The report as pretty-printed JSON (non-finite numbers become null).
    pub fn to_json_string(&self) -> String {
        to_json_string(self)
    }

    /// Writes the report to `dest`: a file path, or `-` for standard output.
    pub fn write(&self, dest: &str) -> Result<()> {
        write_json(self, dest)
    }
}

fn incumbents(list: &[(f64, f64, String)]) -> Vec<Incumbent> {
    list.iter()
        .map(|(t, o, s)| Incumbent {
            time_s: *t,
            objective: *o,
            source: s.clone(),
        })
        .collect()
}

/// Relative gap `|bound - objective| / max(|objective|, 1e-10)` (Gurobi's definition); 0 when both are
/// equal, infinite when they differ and the objective is 0, `None` when either is missing or not finite.
pub fn relative_gap(objective: Option<f64>, bound: Option<f64>) -> Option<f64> {
    let (o, b) = (objective?, bound?);
    if !o.is_finite() || !b.is_finite() {
        return None;
    }
    if o == b {
        return Some(0.0);
    }
    Some((b - o).abs() / o.abs().max(1e-10))
}

/// Any serialisable value as pretty-printed JSON.
pub fn to_json_string(value: &impl Serialize) -> String {
    // Serialising plain structs with string keys cannot fail; fall back to `null` rather than panic.
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// Writes any serialisable value as JSON to `dest`: a file path, or `-` for standard output.
pub fn write_json(value: &impl Serialize, dest: &str) -> Result<()> {
    let mut text = to_json_string(value);
    text.push('\n');
    if dest == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("standard output", e))
    } else {
        std::fs::write(Path::new(dest), text).map_err(|e| Error::io(dest, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_contract_fields_and_round_trips() {
        let mut report = ResultReport::new("solve", Status::TimeLimit);
        report.objective = Some(1.5);
        report.bound = Some(f64::INFINITY);
        report.values = Some(Values(vec![("z".into(), 1.0), ("a".into(), 2.0)]));
        report.stats.incumbents.push(Incumbent {
            time_s: 0.1,
            objective: 1.5,
            source: "branching".into(),
        });
        report.extra.insert("note".into(), serde_json::json!("hello"));
        let text = report.to_json_string();
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        for key in [
            "command",
            "status",
            "objective",
            "bound",
            "gap",
            "time_s",
            "nodes",
            "lp_iterations",
            "solution",
        ] {
            assert!(value.get(key).is_some(), "missing {key}");
        }
        assert_eq!(value["status"], "time_limit");
        assert_eq!(value["bound"], serde_json::Value::Null);
        assert_eq!(value["note"], "hello");
        assert!(
            text.find("\"z\"").unwrap() < text.find("\"a\"").unwrap(),
            "column order kept"
        );
        let back: ResultReport = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.values, report.values);
        assert_eq!(back.stats, report.stats);
    }

    #[test]
    fn gap() {
        assert_eq!(relative_gap(Some(10.0), Some(11.0)), Some(0.1));
        assert_eq!(relative_gap(Some(0.0), Some(0.0)), Some(0.0));
        assert_eq!(relative_gap(None, Some(1.0)), None);
        assert_eq!(relative_gap(Some(1.0), Some(f64::NEG_INFINITY)), None);
    }
}
