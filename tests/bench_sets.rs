//! `relumip bench` over instance files and over a VNN-COMP instances.csv: per-instance rows, expected
//! answers, and peer logs of the exported per-disjunct MILPs combined into one answer per property.

mod common;

use relumip::nn::{write_onnx, Layer, Network};
use std::path::Path;
use std::process::Command;

/// y = relu(x0 + x1 - 0.5) - relu(x0 - x1): over [0, 1]^2 its maximum is 1.5 (x = (1, 1)), its minimum -0.5
/// (x1 = 0, x0 >= 0.5).
fn tiny_network() -> Network {
    Network::new(vec![
        Layer::new(2, 2, vec![1.0, 1.0, 1.0, -1.0], vec![-0.5, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, -1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap()
}

fn vnnlib(outputs: &str) -> String {
    "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
     (assert (>= X_0 0.0))\n(assert (<= X_0 1.0))\n(assert (>= X_1 0.0))\n(assert (<= X_1 1.0))\n"
        .to_string()
        + outputs
}

/// A HiGHS MIP log's final report (the part the reader uses), written by hand from HiGHS 1.x's format.
fn highs_log(status: &str, primal: &str, dual: &str, time: f64) -> String {
    format!(
        "Running HiGHS 1.16.0 (git hash: 0): Copyright (c) 2026 under MIT licence terms\n\
         Solving MIP model with:\n\
         \n\
         Solving report\n\
         \x20 Status            {status}\n\
         \x20 Primal bound      {primal}\n\
         \x20 Dual bound        {dual}\n\
         \x20 Gap               0% (tolerance: 0.01%)\n\
         \x20 Timing            {time}\n\
         \x20 Nodes             3\n\
         \x20 LP iterations     20\n"
    )
}

fn bench(set: &Path, out: &Path, extra: &[&str]) -> String {
    let run = Command::new(common::relumip_bin())
        .arg("bench")
        .arg(set)
        .arg("--out")
        .arg(out)
        .args(["--time-limit", "20"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    stdout
}

#[test]
fn vnncomp_csv_with_expected_answers_and_disjunct_logs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("set")).unwrap();
    write_onnx(&tiny_network(), &d.join("set/tiny.onnx")).unwrap();
    std::fs::write(d.join("set/high.vnnlib"), vnnlib("(assert (>= Y_0 1.6))\n")).unwrap();
    std::fs::write(
        d.join("set/either.vnnlib"),
        vnnlib("(assert (or (and (>= Y_0 1.6)) (and (<= Y_0 -0.4))))\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("set/instances.csv"),
        "tiny.onnx,high.vnnlib,30\ntiny.onnx,either.vnnlib,30\n",
    )
    .unwrap();
    std::fs::write(
        d.join("expected.csv"),
        "onnx,vnnlib,expected\ntiny.onnx,high.vnnlib,unsat\ntiny.onnx,either.vnnlib,sat\n",
    )
    .unwrap();
    std::fs::create_dir(d.join("logs")).unwrap();
    let log = |name: &str, text: String| std::fs::write(d.join("logs").join(name), text).unwrap();
    log("tiny__high.highs.log", highs_log("Optimal", "-0.1", "-0.1", 0.5));
    log(
        "tiny__either.r0.d0.highs.log",
        highs_log("Interrupted by user", "-inf", "-0.05", 1.0),
    );
    log(
        "tiny__either.r0.d1.highs.log",
        highs_log("Interrupted by user", "0.25", "1", 2.0),
    );
    let out = d.join("out");
    let stdout = bench(
        &d.join("set/instances.csv"),
        &out,
        &[
            "--peer-logs",
            d.join("logs").to_str().unwrap(),
            "--expected",
            d.join("expected.csv").to_str().unwrap(),
        ],
    );
    // One progress line per instance, ours and the peer's answers.
    let progress: Vec<&str> = stdout.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 2, "{stdout}");
    assert!(
        progress[0].contains("tiny__high") && progress[0].contains("unsat"),
        "{stdout}"
    );
    assert!(progress[0].contains("highs unsat"), "{stdout}");
    assert!(
        progress[1].contains("tiny__either") && progress[1].contains(" sat"),
        "{stdout}"
    );
    assert!(progress[1].contains("highs sat"), "{stdout}");
    assert!(!stdout.contains("WRONG"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(csv.lines().count() >= 3, "{csv}");
    assert!(out.join("results.md").is_file());
    // Summing the disjunct logs: 1 + 2 seconds for `either`.
    assert!(stdout.contains("highs sat - 3.000s"), "{stdout}");
}

#[test]
fn folder_of_instance_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("set")).unwrap();
    write_onnx(&tiny_network(), &d.join("set/tiny.onnx")).unwrap();
    std::fs::write(
        d.join("set/top.toml"),
        "[network]\npath = \"tiny.onnx\"\n[domain]\nlower = 0.0\nupper = 1.0\n\
         [task]\nkind = \"maximize\"\nobjective = \"y0\"\n",
    )
    .unwrap();
    std::fs::write(d.join("set/high.vnnlib"), vnnlib("(assert (>= Y_0 1.6))\n")).unwrap();
    std::fs::write(
        d.join("set/prop.toml"),
        "[network]\npath = \"tiny.onnx\"\n[task]\nkind = \"verify\"\nvnnlib = \"high.vnnlib\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("expected.csv"),
        "name,status,objective\ntop,optimal,1.5\nprop,unsat,\n",
    )
    .unwrap();
    let out = d.join("out");
    let stdout = bench(
        &d.join("set"),
        &out,
        &["--expected", d.join("expected.csv").to_str().unwrap()],
    );
    let progress: Vec<&str> = stdout.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 2, "{stdout}");
    assert!(
        progress[0].contains("prop") && progress[0].contains("unsat"),
        "{stdout}"
    );
    assert!(
        progress[1].contains("top") && progress[1].contains("optimal 1.500000e0"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("WRONG") && stdout.contains("2/2 solved"),
        "{stdout}"
    );
}
