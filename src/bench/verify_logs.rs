//! A peer's answer to a VNN-LIB property from its logs of the MILPs `relumip export` wrote for it.
//!
//! `relumip export NET VNNLIB -o NAME.mps` writes one MILP per region and disjunct (`NAME.r<R>.d<D>.mps`, or
//! `NAME.mps` when there is one), each maximising the smallest slack of its disjunct: a solution `>= 0` is a
//! counterexample. A peer runs them in order until the answer is decided, each log named after its MILP
//! (`NAME.r0.d3.highs.log`). The property is `sat` when some log has an objective `>= 0`, `unsat` when every
//! MILP has a log with a bound `< 0` (or is infeasible); the time and nodes are the sums over the logs.

use std::collections::{BTreeMap, HashMap};

use crate::io::peer_log::{PeerLog, PeerStatus};

/// The logs of one instance's MILPs: those named `name` or `name.r<R>.d<D>`, by solver, in name order.
pub fn milp_logs<'a>(
    logs: &'a HashMap<String, BTreeMap<String, PeerLog>>,
    name: &str,
) -> BTreeMap<String, Vec<&'a PeerLog>> {
    let prefix = format!("{name}.r");
    let mut keys: Vec<&String> = logs
        .keys()
        .filter(|k| k.as_str() == name || k.strip_prefix(&prefix).is_some_and(is_region_disjunct))
        .collect();
    keys.sort();
    let mut out: BTreeMap<String, Vec<&PeerLog>> = BTreeMap::new();
    for key in keys {
        for (solver, log) in &logs[key] {
            out.entry(solver.clone()).or_default().push(log);
        }
    }
    out
}

/// `3.d12` (what follows `NAME.r`).
fn is_region_disjunct(rest: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    rest.split_once(".d").is_some_and(|(r, d)| digits(r) && digits(d))
}

/// The property's answer from the logs of its `milps` MILPs: a log in CLI words (`sat`, `unsat`,
/// `time_limit`, `unknown`) with summed time and nodes, and no objective or bound.
pub fn verify_answer(logs: &[&PeerLog], milps: Option<usize>) -> (String, Option<f64>, Option<u64>) {
    let time = logs.iter().map(|l| l.time_s).sum::<Option<f64>>();
    let nodes = logs.iter().map(|l| l.nodes).sum::<Option<u64>>();
    let sat = logs.iter().any(|l| l.objective.is_some_and(|o| o >= 0.0));
    let refuted = logs
        .iter()
        .filter(|l| l.status == PeerStatus::Infeasible || l.bound.is_some_and(|b| b < 0.0))
        .count();
    let status = if sat {
        "sat"
    } else if milps.is_some_and(|m| refuted == m && m == logs.len()) {
        "unsat"
    } else if logs.iter().any(|l| l.status == PeerStatus::TimeLimit) {
        "time_limit"
    } else {
        "unknown"
    };
    (status.to_string(), time, nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(status: PeerStatus, objective: Option<f64>, bound: Option<f64>, time: f64) -> PeerLog {
        PeerLog {
            solver: "highs".into(),
            version: None,
            status,
            objective,
            bound,
            gap: None,
            time_s: Some(time),
            nodes: Some(2),
            lp_iterations: None,
            threads: None,
        }
    }

    #[test]
    fn answers_from_disjunct_logs() {
        let refuted = log(PeerStatus::Interrupted, None, Some(-0.5), 1.0);
        let found = log(PeerStatus::Interrupted, Some(0.25), Some(3.0), 2.0);
        let open = log(PeerStatus::TimeLimit, Some(-1.0), Some(0.5), 4.0);
        assert_eq!(
            verify_answer(&[&refuted, &refuted], Some(2)),
            ("unsat".into(), Some(2.0), Some(4))
        );
        // A missing disjunct log: not proven.
        assert_eq!(verify_answer(&[&refuted], Some(2)).0, "unknown");
        assert_eq!(verify_answer(&[&refuted, &found], Some(3)).0, "sat");
        assert_eq!(verify_answer(&[&refuted, &open], Some(2)).0, "time_limit");
        assert_eq!(verify_answer(&[&refuted, &found], None).1, Some(3.0));
    }

    #[test]
    fn logs_matched_by_instance_name() {
        let mut logs: HashMap<String, BTreeMap<String, PeerLog>> = HashMap::new();
        for key in [
            "net__p.r0.d1",
            "net__p.r0.d0",
            "net__p2.r0.d0",
            "net__p.rx",
            "net__q",
        ] {
            let mut by_solver = BTreeMap::new();
            by_solver.insert("highs".to_string(), log(PeerStatus::Optimal, None, None, 1.0));
            logs.insert(key.to_string(), by_solver);
        }
        assert_eq!(milp_logs(&logs, "net__p")["highs"].len(), 2);
        assert_eq!(milp_logs(&logs, "net__q")["highs"].len(), 1);
        assert!(milp_logs(&logs, "net__r").is_empty());
    }
}
