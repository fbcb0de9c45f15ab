//! The benchmark runner's pieces: shifted geometric mean, counted times, wrong-answer judgement, expected
//! answers, set discovery, peer-log matching, tables and summary.

use relumip::bench::*;
use relumip::log::Log;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn shifted_geometric_mean_values() {
    assert_eq!(shifted_geometric_mean(&[], 1.0), None);
    // One value: the value itself, whatever the shift.
    assert!(close(shifted_geometric_mean(&[3.0], 1.0).unwrap(), 3.0));
    assert!(close(shifted_geometric_mean(&[3.0], 0.01).unwrap(), 3.0));
    // (1+1)(7+1) = 16, sqrt = 4, minus 1 = 3.
    assert!(close(shifted_geometric_mean(&[1.0, 7.0], 1.0).unwrap(), 3.0));
    // Shift 0: the plain geometric mean.
    assert!(close(shifted_geometric_mean(&[1.0, 100.0], 0.0).unwrap(), 10.0));
    // Equal values stay equal; a larger shift moves the mean towards the arithmetic mean.
    assert!(close(shifted_geometric_mean(&[2.0; 5], 10.0).unwrap(), 2.0));
    let small = shifted_geometric_mean(&[0.001, 10.0], 0.01).unwrap();
    let large = shifted_geometric_mean(&[0.001, 10.0], 10.0).unwrap();
    assert!(small < large && large < 5.0005);
}

#[test]
fn unsolved_instances_count_at_the_limit() {
    assert_eq!(counted_time(true, Some(2.0), Some(10.0)), 2.0);
    assert_eq!(counted_time(false, Some(2.0), Some(10.0)), 10.0);
    assert_eq!(counted_time(true, Some(12.0), Some(10.0)), 10.0);
    assert_eq!(counted_time(false, Some(2.0), None), 2.0);
    assert_eq!(counted_time(false, None, Some(5.0)), 5.0);
}

#[test]
fn wrong_answers() {
    let optimum = Expected {
        status: "optimal".into(),
        objective: Some(100.0),
    };
    let min = Some(true);
    assert!(!is_wrong(&optimum, "optimal", Some(100.00001), Some(99.99), min));
    assert!(!is_wrong(&optimum, "time_limit", Some(120.0), Some(90.0), min));
    assert!(!is_wrong(&optimum, "time_limit", None, None, min));
    assert!(
        is_wrong(&optimum, "optimal", Some(99.0), Some(99.0), min),
        "better than the optimum"
    );
    assert!(
        is_wrong(&optimum, "time_limit", Some(120.0), Some(101.0), min),
        "bound past the optimum"
    );
    assert!(
        is_wrong(&optimum, "optimal", Some(101.0), Some(101.0), min),
        "optimal claim off by 1%"
    );
    assert!(is_wrong(&optimum, "infeasible", None, None, min));
    // Maximisation: the sides swap.
    assert!(!is_wrong(
        &optimum,
        "time_limit",
        Some(90.0),
        Some(120.0),
        Some(false)
    ));
    assert!(is_wrong(
        &optimum,
        "time_limit",
        Some(101.0),
        Some(120.0),
        Some(false)
    ));
    let infeasible = Expected {
        status: "infeasible".into(),
        objective: None,
    };
    assert!(is_wrong(&infeasible, "optimal", Some(1.0), None, min));
    assert!(
        is_wrong(&infeasible, "time_limit", Some(1.0), None, min),
        "a solution of an infeasible model"
    );
    assert!(!is_wrong(&infeasible, "infeasible_or_unbounded", None, None, min));
    assert!(!is_wrong(&infeasible, "time_limit", None, Some(5.0), min));
    let unsat = Expected {
        status: "unsat".into(),
        objective: None,
    };
    assert!(is_wrong(&unsat, "sat", None, None, None));
    assert!(!is_wrong(&unsat, "time_limit", None, None, None));
}

#[test]
fn expected_answers_from_reference_and_vnncomp_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = dir.path().join("reference.csv");
    std::fs::write(
        &reference,
        "file,kind,status,objective,scip_status,scip_objective\n\
         afiro.mps,LP,Optimal,-464.75,Optimal,-464.75\n\
         2894.mps,LP,Solve error,,Optimal,23.63\n\
         box1.mps,LP,Infeasible,,Infeasible,\n\
         nan0.mps,LP,Optimal,nan,Optimal,0.0\n\
         garbage.mps,unreadable,read error,,read error,\n",
    )
    .unwrap();
    let expected = read_expected(&reference).expect("reads");
    assert_eq!(
        expected["afiro"],
        Expected {
            status: "optimal".into(),
            objective: Some(-464.75)
        }
    );
    assert_eq!(
        expected["2894"].objective,
        Some(23.63),
        "falls back to the next solver's answer"
    );
    assert_eq!(expected["box1"].status, "infeasible");
    assert_eq!(expected["nan0"].objective, None, "NaN is no reference");
    assert!(!expected.contains_key("garbage"));
    let vnncomp = dir.path().join("expected.csv");
    std::fs::write(
        &vnncomp,
        "benchmark,onnx,vnnlib,timeout_s,expected\nacasxu,nets/A_1_1.onnx,prop_1.vnnlib,116,unsat\nacasxu,A_1_2.onnx,prop_2.vnnlib,116,sat\n",
    )
    .unwrap();
    let expected = read_expected(&vnncomp).expect("reads");
    assert_eq!(expected["A_1_1__prop_1"].status, "unsat");
    assert_eq!(expected["A_1_2__prop_2"].status, "sat");
    std::fs::write(&vnncomp, "a,b\n1,2\n").unwrap();
    assert!(read_expected(&vnncomp)
        .unwrap_err()
        .to_string()
        .contains("line 1"));
}

#[test]
fn set_discovery() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["b.mps", "a.MPS", "c.toml", "notes.txt"] {
        std::fs::write(dir.path().join(f), "").unwrap();
    }
    let names: Vec<String> = discover(dir.path())
        .expect("set")
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names, vec!["a", "b", "c"]);
    let csv = dir.path().join("instances.csv");
    std::fs::write(
        &csv,
        "onnx/N_1.onnx,vnnlib/prop_3.vnnlib,116\nN_2.onnx,p.vnnlib,\n",
    )
    .unwrap();
    let instances = discover(&csv).expect("csv");
    assert_eq!(instances[0].name, "N_1__prop_3");
    match &instances[0].source {
        InstanceSource::VnnComp {
            network, timeout_s, ..
        } => {
            assert_eq!(network, &dir.path().join("onnx/N_1.onnx"));
            assert_eq!(*timeout_s, Some(116.0));
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(&csv, "a.onnx,b.vnnlib,soon\n").unwrap();
    assert!(discover(&csv).unwrap_err().to_string().contains("line 1"));
    // Instance files need the task layer's runner: "not yet", before anything runs.
    let e = run_bench(
        &discover(dir.path()).unwrap(),
        &BenchOptions::default(),
        &Log::quiet(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("not yet"), "{e}");
}

const GUROBI_LOG: &str = "Gurobi Optimizer version 12.0.0 build v12.0.0rc1 (linux64)\n\
Explored 10 nodes (100 simplex iterations) in 2.50 seconds (1.00 work units)\n\
Thread count was 1 (of 2 available processors)\n\
Optimal solution found (tolerance 1.00e-04)\n\
Best objective 1.000000000000e+01, best bound 1.000000000000e+01, gap 0.0000%\n";

#[test]
fn run_with_peer_logs_tables_and_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&set).unwrap();
    std::fs::create_dir_all(&logs).unwrap();
    // Two models relumip refuses (so that this test needs no LP solver): rows with status `error`.
    std::fs::write(
        set.join("broken.mps"),
        "NAME\nROWS\n N obj\nCOLUMNS\n x obj nan\nENDATA\n",
    )
    .unwrap();
    std::fs::write(
        set.join("semi.mps"),
        "NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n SC b x 1\nENDATA\n",
    )
    .unwrap();
    std::fs::write(logs.join("broken.gurobi.log"), GUROBI_LOG).unwrap();
    std::fs::write(
        logs.join("semi.log"),
        GUROBI_LOG.replace("1.000000000000e+01", "2.000000000000e+01"),
    )
    .unwrap();
    std::fs::write(logs.join("junk.highs.log"), "nothing here\n").unwrap();
    let (log, buffer) = Log::buffer();
    let peer_logs = load_peer_logs(&logs, &log).expect("logs");
    assert_eq!(peer_logs.len(), 2);
    assert!(
        buffer.text().contains("junk.highs.log: line 1"),
        "{}",
        buffer.text()
    );
    let mut expected = std::collections::HashMap::new();
    expected.insert(
        "semi".to_string(),
        Expected {
            status: "optimal".into(),
            objective: Some(10.0),
        },
    );
    let options = BenchOptions {
        time_limit: Some(5.0),
        shift_s: 1.0,
        peer_logs: Some(logs.clone()),
        expected,
        runner: None,
    };
    let results = run_bench(&discover(&set).unwrap(), &options, &log).expect("runs");
    assert_eq!(results.peers, vec!["gurobi"]);
    assert_eq!(results.rows.len(), 2);
    let progress = buffer.text();
    assert!(
        progress.contains("[1/2] broken") && progress.contains("[2/2] semi"),
        "{progress}"
    );
    let semi = &results.rows[1];
    assert_eq!(semi.relumip.status, "error");
    assert!(semi
        .relumip
        .note
        .as_deref()
        .unwrap_or("")
        .contains("semi-continuous"));
    assert!(semi.peers["gurobi"].wrong, "20 claimed optimal, expected 10");
    assert!(!results.rows[0].peers["gurobi"].wrong);

    let summary = summarise(&results);
    assert_eq!(summary[0].solver, "relumip");
    assert_eq!((summary[0].solved, summary[0].wrong), (0, 0));
    assert!(
        close(summary[0].sgm_time_s.unwrap(), 5.0),
        "unsolved at the limit"
    );
    assert_eq!((summary[1].solved, summary[1].wrong), (2, 1));
    assert!(close(summary[1].sgm_time_s.unwrap(), 2.5));
    assert!(close(summary[1].relumip_ratio.unwrap(), 2.0));

    let out = dir.path().join("out");
    write_tables(&results, &out).expect("writes");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "instance,expected_status,expected_objective,relumip_status,relumip_objective,relumip_bound,relumip_time_s,\
         relumip_nodes,relumip_wrong,gurobi_status,gurobi_objective,gurobi_bound,gurobi_time_s,gurobi_nodes,gurobi_wrong"
    );
    assert!(lines.nth(1).unwrap().starts_with("semi,optimal,10.0,error,"));
    let md = std::fs::read_to_string(out.join("results.md")).unwrap();
    assert!(
        md.contains("| relumip | 2 | 0 | 0 | 5.0000 | - | - | - |"),
        "{md}"
    );
    assert!(
        md.contains("| gurobi | 2 | 2 | 1 | 2.5000 | 2.00 | 0 | - |"),
        "{md}"
    );
    assert!(md.contains("**optimal (wrong)**"));
}
