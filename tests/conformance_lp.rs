//! Every LP of `../shared/benchmarks/mps/reference.csv` solves to the reference objective (1e-6 relative)
//! or to the reference's infeasible/unbounded status.

mod common;
mod mini_mps;

use mini_mps::load_mps;

use relumip::lp::{DualSimplex, LpOptions, LpStatus};
use std::path::Path;

struct Reference {
    file: String,
    status: String,
    objective: Option<f64>,
}

fn references(dir: &Path) -> Vec<Reference> {
    let text = std::fs::read_to_string(dir.join("reference.csv")).expect("reference.csv");
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] != "LP" {
            continue;
        }
        let (status, objective) = if f[0] == "2894.mps" {
            // HiGHS fails here; SCIP and Gurobi agree (see the benchmarks README).
            ("Optimal".to_string(), f[10].parse().ok())
        } else {
            (f[6].to_string(), f[7].parse().ok())
        };
        out.push(Reference {
            file: f[0].to_string(),
            status,
            objective,
        });
    }
    out
}

/// Instances that take more than a second or so in the default (fast) run.
const SLOW: &[&str] = &[
    "25fv47.mps",
    "80bau3b.mps",
    "greenbea.mps",
    "cplex1.mps",
    "perold.mps",
    "gas11.mps",
];
/// Instances whose reference relies on how a reader treats bad input (the MPS engineer's business).
const READER_CASES: &[&str] = &["nan0.mps", "nan1.mps", "dD2e.mps", "warnings.mps"];

fn check(reference: &Reference, dir: &Path) -> Result<String, String> {
    let path = dir.join(&reference.file);
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    if text
        .lines()
        .any(|l| ["QUADOBJ", "QMATRIX", "QSECTION"].contains(&l.trim()))
    {
        // A quadratic objective: the reference is a QP optimum, out of an LP engine's reach.
        return Ok(format!("{:<16} skipped: quadratic objective", reference.file));
    }
    let problem = load_mps(&path).ok_or_else(|| format!("{}: could not read", reference.file))?;
    let options = LpOptions {
        iteration_limit: Some(100_000),
        time_limit: Some(60.0),
        ..Default::default()
    };
    let mut lp = DualSimplex::new(&problem, options).map_err(|e| e.to_string())?;
    let t = std::time::Instant::now();
    let status = lp.solve();
    let secs = t.elapsed().as_secs_f64();
    let summary = format!(
        "{:<16} {:?} iters {} {:.4}s",
        reference.file,
        status,
        lp.last_iterations(),
        secs
    );
    match reference.status.as_str() {
        "Optimal" => {
            let want = reference.objective.ok_or("no reference objective")?;
            if status != LpStatus::Optimal {
                return Err(format!("{summary}: expected optimal {want}"));
            }
            let got = lp.objective_value();
            if (got - want).abs() > 1e-6 * want.abs().max(1.0) {
                return Err(format!("{summary}: objective {got} vs reference {want}"));
            }
        }
        "Infeasible" => {
            if status != LpStatus::Infeasible {
                return Err(format!("{summary}: expected infeasible"));
            }
        }
        "Unbounded" => {
            if status != LpStatus::Unbounded {
                return Err(format!("{summary}: expected unbounded"));
            }
        }
        other => return Err(format!("{summary}: unknown reference status {other}")),
    }
    Ok(summary)
}

fn run_set(slow: bool) {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("benchmarks/mps");
    let mut failures = Vec::new();
    let only = std::env::var("RELUMIP_LP_ONLY").ok();
    for reference in references(&dir) {
        if let Some(only) = &only {
            if !only.split(',').any(|o| o == reference.file) {
                continue;
            }
        } else if READER_CASES.contains(&reference.file.as_str())
            || SLOW.contains(&reference.file.as_str()) != slow
        {
            continue;
        }
        match check(&reference, &dir) {
            Ok(s) => eprintln!("ok   {s}"),
            Err(e) => {
                eprintln!("FAIL {e}");
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn reference_lps_fast() {
    run_set(false);
}

#[test]
#[ignore]
fn reference_lps_slow() {
    run_set(true);
}
