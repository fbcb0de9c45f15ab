//! The Gurobi and HiGHS log readers on the real logs of ../shared and on hand-written logs in the
//! published formats (LP and MIP; optimal, infeasible, time limit, interrupted; truncated and malformed).

mod common;

use std::path::Path;

use relumip::io::peer_log::{parse_peer_log, read_peer_log, PeerLog, PeerStatus};

fn parse(text: &str) -> PeerLog {
    match parse_peer_log(text, Path::new("peer.log")) {
        Ok(log) => log,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn refuse(text: &str) -> String {
    match parse_peer_log(text, Path::new("peer.log")) {
        Ok(log) => panic!("read, but should be refused: {log:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn real_logs() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("benchmarks/peer-logs");
    // (file, status, objective, bound, time, nodes, iterations)
    type Row = (&'static str, PeerStatus, Option<f64>, Option<f64>, f64, u64, u64);
    let expected: &[Row] = &[
        (
            "bell5.gurobi.log",
            PeerStatus::Optimal,
            Some(8966406.49152),
            Some(8965515.100389),
            0.13,
            742,
            2038,
        ),
        (
            "bell5.highs.log",
            PeerStatus::Optimal,
            Some(8966406.49152),
            Some(8965524.17778),
            0.33,
            180,
            2125,
        ),
        (
            "egout.gurobi.log",
            PeerStatus::Optimal,
            Some(568.1007),
            Some(568.1007),
            0.01,
            1,
            42,
        ),
        (
            "egout.highs.log",
            PeerStatus::Optimal,
            Some(568.1007),
            Some(568.1007),
            0.02,
            1,
            39,
        ),
        (
            "flugpl.gurobi.log",
            PeerStatus::Optimal,
            Some(1201500.0),
            Some(1201500.0),
            0.0,
            0,
            0,
        ),
        (
            "flugpl.highs.log",
            PeerStatus::Optimal,
            Some(1201500.0),
            Some(1201500.0),
            0.16,
            89,
            858,
        ),
        (
            "infeasible-mip1.gurobi.log",
            PeerStatus::Infeasible,
            None,
            None,
            0.02,
            11,
            94,
        ),
        (
            "infeasible-mip1.highs.log",
            PeerStatus::Infeasible,
            None,
            None,
            0.01,
            0,
            141,
        ),
        (
            "lseu.gurobi.log",
            PeerStatus::Optimal,
            Some(1120.0),
            Some(1120.0),
            0.09,
            106,
            953,
        ),
        (
            "lseu.highs.log",
            PeerStatus::Optimal,
            Some(1120.0),
            Some(1120.0),
            0.26,
            7,
            1759,
        ),
        (
            "mnist-32-16-advl1-img0.gurobi.log",
            PeerStatus::TimeLimit,
            Some(8.032963798729),
            Some(0.0),
            2.0,
            233,
            23761,
        ),
        (
            "mnist-32-16-advl1-img0.highs.log",
            PeerStatus::TimeLimit,
            None,
            Some(0.0),
            2.04,
            0,
            614,
        ),
    ];
    for &(file, status, objective, bound, time, nodes, iterations) in expected {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let log = read_peer_log(&path).unwrap_or_else(|e| panic!("{e}"));
        let solver = if file.contains("gurobi") {
            "gurobi"
        } else {
            "highs"
        };
        let version = if solver == "gurobi" { "13.0.3" } else { "1.15.1" };
        assert_eq!(log.solver, solver, "{file}");
        assert_eq!(log.version.as_deref(), Some(version), "{file}");
        assert_eq!(log.status, status, "{file}");
        assert_eq!(log.objective, objective, "{file}");
        assert_eq!(log.bound, bound, "{file}");
        assert_eq!(log.time_s, Some(time), "{file}");
        assert_eq!(log.nodes, Some(nodes), "{file}");
        assert_eq!(log.lp_iterations, Some(iterations), "{file}");
        assert_eq!(log.threads, Some(1), "{file}");
    }
    let bell5 = read_peer_log(&dir.join("bell5.gurobi.log")).expect("bell5");
    assert!((bell5.gap.expect("gap") - 0.000099).abs() < 1e-12);
}

const GUROBI_LP: &str = "\
Gurobi Optimizer version 9.5.2 build v9.5.2rc0 (linux64)
Thread count: 4 physical cores, 8 logical processors, using up to 8 threads
Optimize a model with 27 rows, 32 columns and 83 nonzeros
Presolve removed 9 rows and 10 columns
Iteration    Objective       Primal Inf.    Dual Inf.      Time
       0   -1.7042500e+02   1.281250e+01   0.000000e+00      0s
       6   -4.6475314e+02   0.000000e+00   0.000000e+00      0s

Solved in 6 iterations and 0.01 seconds (0.00 work units)
Optimal objective -4.647531429e+02
";

#[test]
fn gurobi_lp_optimal() {
    let log = parse(GUROBI_LP);
    assert_eq!(
        (log.solver.as_str(), log.version.as_deref()),
        ("gurobi", Some("9.5.2"))
    );
    assert_eq!(log.status, PeerStatus::Optimal);
    assert_eq!(log.objective, Some(-464.7531429));
    assert_eq!(log.bound, Some(-464.7531429));
    assert_eq!(
        (log.lp_iterations, log.time_s, log.threads),
        (Some(6), Some(0.01), Some(8))
    );
    assert_eq!(log.nodes, None);
}

#[test]
fn gurobi_lp_infeasible_and_unbounded() {
    let infeasible = GUROBI_LP.replace("Optimal objective -4.647531429e+02", "Infeasible model");
    let log = parse(&infeasible);
    assert_eq!((log.status, log.objective), (PeerStatus::Infeasible, None));
    let unbounded = GUROBI_LP.replace("Optimal objective -4.647531429e+02", "Unbounded model");
    assert_eq!(parse(&unbounded).status, PeerStatus::Unbounded);
    let either = GUROBI_LP.replace(
        "Optimal objective -4.647531429e+02",
        "Infeasible or unbounded model",
    );
    assert_eq!(parse(&either).status, PeerStatus::InfeasibleOrUnbounded);
    let stopped = GUROBI_LP
        .replace("Solved in", "Stopped in")
        .replace("Optimal objective -4.647531429e+02", "Time limit reached");
    let log = parse(&stopped);
    assert_eq!((log.status, log.lp_iterations), (PeerStatus::TimeLimit, Some(6)));
}

const GUROBI_MIP: &str = "\
Gurobi Optimizer version 11.0.1 build v11.0.1rc0 (mac64[arm])
Optimize a model with 28 rows, 89 columns and 309 nonzeros
Variable types: 0 continuous, 89 integer (89 binary)

Root relaxation: objective 9.479572e+02, 20 iterations, 0.00 seconds (0.00 work units)

    Nodes    |    Current Node    |     Objective Bounds      |     Work
 Expl Unexpl |  Obj  Depth IntInf | Incumbent    BestBd   Gap | It/Node Time

     0     0  947.95720    0   11          -  947.95720      -     -    0s
     0     0 1025.65286    0   16          -  1025.65286     -     -    0s
^C
Interrupt request received

Cutting planes:
  Cover: 5

Explored 57 nodes (400 simplex iterations) in 1.52 seconds (0.04 work units)
Thread count was 8 (of 8 available processors)

Solution count 0

Solve interrupted
Best objective -, best bound 1.030000000000e+03, gap -
";

#[test]
fn gurobi_mip_interrupted_without_solution() {
    let log = parse(GUROBI_MIP);
    assert_eq!(log.status, PeerStatus::Interrupted);
    assert_eq!((log.objective, log.bound, log.gap), (None, Some(1030.0), None));
    assert_eq!(
        (log.nodes, log.lp_iterations, log.time_s, log.threads),
        (Some(57), Some(400), Some(1.52), Some(8))
    );
    let inf_or_unbd = GUROBI_MIP
        .replace("^C\nInterrupt request received\n", "")
        .replace("Solve interrupted", "Model is infeasible or unbounded");
    assert_eq!(parse(&inf_or_unbd).status, PeerStatus::InfeasibleOrUnbounded);
    let node_limit = GUROBI_MIP
        .replace("^C\nInterrupt request received\n", "")
        .replace("Solve interrupted", "Node limit reached");
    assert_eq!(parse(&node_limit).status, PeerStatus::NodeLimit);
}

#[test]
fn gurobi_maximisation_with_large_gap() {
    let text = GUROBI_MIP
        .replace("^C\nInterrupt request received\n", "")
        .replace("Solve interrupted", "Time limit reached")
        .replace(
            "Best objective -, best bound 1.030000000000e+03, gap -",
            "Best objective 5.000000000000e+01, best bound 7.500000000000e+01, gap 50.0000%",
        );
    let log = parse(&text);
    assert_eq!(
        (log.status, log.objective, log.bound, log.gap),
        (PeerStatus::TimeLimit, Some(50.0), Some(75.0), Some(0.5))
    );
}

const HIGHS_LP_OLD: &str = "\
Running HiGHS 1.2.2 [date: 2022-04-15, git hash: n/a]
Copyright (c) 2022 ERGO-Code under MIT licence terms
Presolving model
21 rows, 26 cols, 62 nonzeros
Dependent equations search running on 10 equations with time limit of 1000.00s
Solving the presolved LP
Using EKK dual simplex solver - serial
  Iteration        Objective     Infeasibilities num(sum)
          0    -1.7042499991e+02 Pr: 3(1100) 0s
         13    -4.6475314286e+02 Pr: 0(0) 0s
Solving the original LP from the solution after postsolve
Model   status      : Optimal
Simplex   iterations: 13
Objective value     : -4.6475314286e+02
HiGHS run time      :          0.00
";

const HIGHS_LP_NEW: &str = "\
Running HiGHS 1.11.0 (git hash: 364c83a51): Copyright (c) 2025 HiGHS under MIT licence terms
LP   afiro has 27 rows; 32 cols; 83 nonzeros
Coefficient ranges:
  Matrix [1e-01, 2e+00]
Presolving model
Solving the presolved LP
Using EKK dual simplex solver - serial
  Iteration        Objective     Infeasibilities num(sum)
          0    -4.6475314286e+02 Pr: 0(0) 0s
Model name          : afiro
Model status        : Infeasible
Simplex   iterations: 21
HiGHS run time      :          0.01
";

#[test]
fn highs_lp_logs_old_and_new() {
    let old = parse(HIGHS_LP_OLD);
    assert_eq!(
        (old.solver.as_str(), old.version.as_deref()),
        ("highs", Some("1.2.2"))
    );
    assert_eq!(
        (old.status, old.objective, old.bound),
        (PeerStatus::Optimal, Some(-464.75314286), Some(-464.75314286))
    );
    assert_eq!(
        (old.lp_iterations, old.time_s, old.nodes),
        (Some(13), Some(0.0), None)
    );
    let new = parse(HIGHS_LP_NEW);
    assert_eq!(new.version.as_deref(), Some("1.11.0"));
    assert_eq!(
        (new.status, new.objective, new.lp_iterations, new.time_s),
        (PeerStatus::Infeasible, None, Some(21), Some(0.01))
    );
    // HiGHS prints its last basis's objective for infeasible LPs: not a solution, left out.
    let with_value = HIGHS_LP_NEW.replace(
        "Simplex   iterations: 21\n",
        "Simplex   iterations: 21\nObjective value     :  3.7742414629e+07\n",
    );
    assert_eq!(parse(&with_value).objective, None);
    let time_limit = HIGHS_LP_NEW.replace(": Infeasible", ": Time limit reached");
    assert_eq!(parse(&time_limit).status, PeerStatus::TimeLimit);
    let either = HIGHS_LP_NEW.replace(": Infeasible", ": Primal infeasible or unbounded");
    assert_eq!(parse(&either).status, PeerStatus::InfeasibleOrUnbounded);
}

const HIGHS_MIP_INTERRUPTED: &str = "\
Running HiGHS 1.7.0 (git hash: 50670fd4c): Copyright (c) 2024 HiGHS under MIT licence terms
Solving MIP model with:
   28 rows
   Thread count 2 (of 8 threads). Using 1 max workers.

Solving report
  Status            Interrupted by user
  Primal bound      1128
  Dual bound        1067.19069
  Gap               5.39% (tolerance: 0.01%)
  Solution status   feasible
                    1128 (objective)
  Timing            12.50 (total)
  Nodes             5321
  LP iterations     40213 (total)
";

#[test]
fn highs_mip_interrupted() {
    let log = parse(HIGHS_MIP_INTERRUPTED);
    assert_eq!(log.status, PeerStatus::Interrupted);
    assert_eq!((log.objective, log.bound), (Some(1128.0), Some(1067.19069)));
    assert!((log.gap.expect("gap") - 0.0539).abs() < 1e-12);
    assert_eq!(
        (log.time_s, log.nodes, log.lp_iterations, log.threads),
        (Some(12.5), Some(5321), Some(40213), Some(2))
    );
}

#[test]
fn unreadable_logs_name_the_line() {
    let e = refuse("hello\nworld\n");
    assert!(
        e.contains("peer.log: line 1") && e.contains("not a Gurobi or HiGHS log"),
        "{e}"
    );
    // Truncated: no termination message.
    let truncated: String = GUROBI_MIP.lines().take(12).map(|l| format!("{l}\n")).collect();
    let e = refuse(&truncated);
    assert!(e.contains("line 12") && e.contains("ends before"), "{e}");
    let e = refuse(&HIGHS_MIP_INTERRUPTED.replace("  Status            Interrupted by user\n", ""));
    assert!(e.contains("ends before"), "{e}");
    // Malformed values.
    let e = refuse(&GUROBI_MIP.replace("Explored 57 nodes", "Explored many nodes"));
    assert!(e.contains("line 18") && e.contains("node count"), "{e}");
    let e = refuse(&HIGHS_MIP_INTERRUPTED.replace("Dual bound        1067.19069", "Dual bound        abc"));
    assert!(e.contains("line 9") && e.contains("dual bound"), "{e}");
    let e = refuse(&HIGHS_LP_NEW.replace(": Infeasible", ": Flabbergasted"));
    assert!(e.contains("line 11") && e.contains("model status"), "{e}");
}
